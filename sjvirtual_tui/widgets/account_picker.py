"""Choosing one of the member's own accounts: its kind, its number (masked), its balance.

:class:`AccountPicker` is a ``Select``, so a :class:`~sjvirtual_tui.widgets.form.Form` walks it
like any field: Enter opens the list when nothing is chosen, chooses in the open list and moves
on; on a chosen account it moves on. The arrows choose without opening it. Balances are drawn
as money (``$1.234,56``), so Ctrl+O hides them here as everywhere (the app's line filter). An
option is at most ~40 columns: it fits beside a form's label at 80 columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Select

from sjvirtual_tui.formatting import money
from sjvirtual_tui.i18n import _

if TYPE_CHECKING:
    from sjvirtual_tui.models import Account


def masked_number(number: str) -> str:
    """``00105349`` -> ``****5349``: enough to tell the member's accounts apart."""
    return "****" + number[-4:]


def account_kind(account: Account) -> str:
    from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS

    return ACCOUNT_TYPE_LABELS.get(account.type, account.type)


def account_line(account: Account) -> str:
    """One option: ``Ahorro a la vista · ****5349 · $1.234,56``."""
    # Words already translated, joined: nothing here to translate.
    return f"{account_kind(account)} · {masked_number(account.number)} · " + money(
        account.available_cents
    )


def account_summary(account: Account) -> str:
    """On the review, the whole number (the member checks it against the cartola)."""
    return _("{number} · {kind} · disp. {available}").format(
        number=account.number, kind=account_kind(account), available=money(account.available_cents)
    )


class AccountPicker(Select[str]):
    """The member's active accounts (less ``exclude``); the choice is kept across refreshes,
    else the first account is chosen (as the web page does)."""

    DEFAULT_CSS = """
    AccountPicker { width: 1fr; max-width: 46; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "pick(1)", show=False, id="picker.next"),
        Binding("up", "pick(-1)", show=False, id="picker.previous"),
    ]

    def __init__(self, *, prompt: str = "", id: str | None = None, choose_first: bool = True):
        super().__init__([], prompt=prompt or _("Elija la cuenta"), id=id, compact=True)
        self.accounts: list[Account] = []
        self.choose_first = choose_first

    def set_accounts(self, accounts: Iterable[Account], *, exclude: str | None = None) -> None:
        chosen = self.value
        self.accounts = [a for a in accounts if a.status == "activa" and a.number != exclude]
        self.set_options([(account_line(a), a.number) for a in self.accounts])
        if any(a.number == chosen for a in self.accounts):
            self.value = chosen
        elif self.accounts and self.choose_first:
            self.value = self.accounts[0].number

    @property
    def account(self) -> Account | None:
        return next((a for a in self.accounts if a.number == self.value), None)

    def available(self) -> tuple[str, int] | None:
        """(number, available cents) of the chosen account: a MoneyInput's maximum."""
        account = self.account
        return None if account is None else (account.number, account.available_cents)

    def action_pick(self, step: int) -> None:
        """The arrows on the closed list choose the next or previous account."""
        if not self.accounts:
            return
        numbers = [a.number for a in self.accounts]
        index = numbers.index(str(self.value)) if self.value in numbers else -1
        self.value = numbers[max(0, min(len(numbers) - 1, index + step))]
