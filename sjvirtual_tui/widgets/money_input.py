"""An amount of money typed by a member: integer cents, never a float.

:class:`MoneyInput` is a :class:`~sjvirtual_tui.widgets.form.FormField` whose rules are
``textual.validation`` validators (:class:`Amount`, :class:`AtMost`), so it walks, refuses and
clears like every other field of a form. What it accepts is what
:func:`sjvirtual_tui.rules.parse_amount_cents` accepts (the server reads the same rule):

- the Ecuadorian way: ``1.234,56``, ``1234,5``, ``25``, with or without ``$`` (``$ 20``);
- a dot as the decimal mark only when it cannot be a thousands dot: one dot and one or two
  digits after it (``1234.56``, ``0.1``); ``1.234`` is one thousand two hundred thirty-four;
- never ``1,234.56`` (the US way): refused with an example of the right one.

Once the member leaves the field with a right amount, it is written back the way the app shows
money (``1234.5`` -> ``1.234,50``), so what the review and the receipt say is what was read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from textual import on
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from sjvirtual_tui import rules
from sjvirtual_tui.formatting import money
from sjvirtual_tui.i18n import _
from sjvirtual_tui.widgets.form import FormField

# What a member may type in an amount: digits, the two marks, the sign and spaces.
AMOUNT_CHARACTERS = r"[0-9.,$ ]*"


def parse_cents(text: str) -> int | None:
    """``text`` in cents, or None when it is not an amount (the field says why)."""
    try:
        return rules.parse_amount_cents(text)
    except ValueError:
        return None


def amount_text(cents: int) -> str:
    """``123456`` -> ``1.234,56``: the way the app writes money, without the sign (the field's
    label says it is dollars)."""
    return money(cents).removeprefix("$")


def cents_of(amount: Decimal) -> int:
    """An amount in dollars (a ``Decimal``, never a float) in cents; refuses fractions of a
    cent rather than rounding money away."""
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimal or int cents, never float")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)


class Amount(Validator):
    """An amount written by the app's rule (:func:`rules.parse_amount_cents`): above zero."""

    def validate(self, value: str) -> ValidationResult:
        try:
            rules.parse_amount_cents(value)
        except ValueError as exc:
            return self.failure(str(exc), value)
        return self.success()


# A limit and the sentence that says it: ``(cents, message)``, or None when there is none now
# (no origin account chosen yet). Read when the value is checked: balances change.
Limit = Callable[[], tuple[int, str] | None]


class Bound(Validator):
    """A limit read when the value is checked; ``beyond`` says which side of it is refused."""

    def __init__(self, limit: Limit) -> None:
        super().__init__()
        self.limit = limit

    @staticmethod
    def beyond(cents: int, bound: int) -> bool:
        raise NotImplementedError

    def validate(self, value: str) -> ValidationResult:
        cents = parse_cents(value)
        bound = self.limit()
        if cents is not None and bound is not None and self.beyond(cents, bound[0]):
            return self.failure(bound[1], value)
        return self.success()


class AtMost(Bound):
    """At most what ``limit`` says now (an available balance, a card's debt, a daily limit)."""

    @staticmethod
    def beyond(cents: int, bound: int) -> bool:
        return cents > bound


class AtLeast(Bound):
    """At least what ``limit`` says now (a bill's least part)."""

    @staticmethod
    def beyond(cents: int, bound: int) -> bool:
        return cents < bound


def available_balance(available: Callable[[], tuple[str, int] | None]) -> Limit:
    """The origin account's available balance: ``available()`` is (number, cents) or None."""

    def limit() -> tuple[int, str] | None:
        account = available()
        if account is None:
            return None
        number, cents = account
        return cents, _(
            "Saldo disponible insuficiente: la cuenta {number} tiene {available} disponibles."
        ).format(number=number, available=money(cents))

    return limit


class MoneyInput(FormField):
    """A labelled amount field. ``maxima``/``minima``: the limits read when it is checked."""

    def __init__(
        self,
        field_name: str,
        label: str,
        *,
        maxima: Sequence[Limit] = (),
        minima: Sequence[Limit] = (),
        validators: Sequence[Validator] = (),
        placeholder: str = "",
        prefix: str = "",
        cents: int | None = None,
    ) -> None:
        super().__init__(
            field_name,
            label,
            validators=[
                Amount(),
                *(AtLeast(limit) for limit in minima),
                *(AtMost(limit) for limit in maxima),
                *validators,
            ],
            placeholder=placeholder or _("p. ej. 125,50"),
            max_length=20,
            value=amount_text(cents) if cents is not None else "",
            prefix=prefix,
        )
        self.input.restrict = AMOUNT_CHARACTERS
        self.add_class("money-input")

    @property
    def cents(self) -> int | None:
        """The amount typed, in cents; None while it is not one."""
        return parse_cents(self.value)

    @cents.setter
    def cents(self, cents: int | None) -> None:
        self.value = "" if cents is None else amount_text(cents)
        self.show_error(None)

    @on(Input.Blurred)
    def _written_back(self, event: Input.Blurred) -> None:
        """A right amount is shown the app's way once the member leaves it (``1234.5`` ->
        ``1.234,50``); a wrong one stays as typed, beside its reason."""
        if event.input is not self.input:
            return
        cents = self.cents
        if cents is not None and self.problem() is None:
            text = amount_text(cents)
            if text != self.input.value:
                self.input.value = text
