"""PIN DE VERIFICACIÓN: where the PIN was sent, a masked 4-digit field, the attempts left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Static

from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import _, ngettext
from sjvirtual_tui.widgets.form import Form, FormField

if TYPE_CHECKING:
    from sjvirtual_tui.models import Challenge

PIN_LENGTH = 4


class PinDigits(Validator):
    """Exactly the 4 digits of the PIN."""

    def validate(self, value: str) -> ValidationResult:
        if len(value) != PIN_LENGTH or not value.isdigit():
            return self.failure(_("Escriba los 4 dígitos del PIN que le llegó por correo."), value)
        return self.success()


class PinEntry(Form):
    """A one-field :class:`Form`: Enter checks the PIN beside the field and, when it is four
    digits, posts ``Form.Submitted`` (the wizard sends it)."""

    DEFAULT_CSS = """
    PinEntry { height: auto; }
    PinEntry FormField { margin-top: 1; }
    PinEntry FormField Input { width: 8; }
    PinEntry .pin-attempts { padding-left: 26; width: 100%; color: $text-muted; }
    """

    def __init__(self, *, prefix: str) -> None:
        super().__init__(id=f"{prefix}pin")
        self._field = FormField(
            "pin",
            _("PIN de verificación"),
            validators=[PinDigits()],
            password=True,
            max_length=PIN_LENGTH,
            prefix=prefix,
            input_id=f"{prefix}pin-input",
        )
        self._field.input.restrict = r"[0-9]*"
        self.attempts_left = 0

    def compose(self) -> ComposeResult:
        yield Static("", classes="pin-sent", markup=False)
        yield self._field
        yield Static("", classes="pin-attempts")

    @property
    def field(self) -> FormField:
        return self._field

    @property
    def input(self) -> Input:
        return self._field.input

    @property
    def value(self) -> str:
        return self._field.value

    @property
    def error(self) -> str:
        return self._field.error

    def start(self, challenge: Challenge) -> None:
        """A new PIN was sent: say where, until when, and how many tries there are."""
        self.query_one(".pin-sent", Static).update(
            _(
                "Le enviamos un PIN DE VERIFICACIÓN de 4 dígitos a {sent_to}. "
                "Es válido hasta las {time} y solo para esta "
                "operación. No lo comparta con nadie."
            ).format(sent_to=challenge.sent_to, time=local_time(challenge.expires_at)[-5:])
        )
        self.input.value = ""
        self.input.disabled = False
        self.show_error(None)
        self._set_attempts(challenge.attempts_left)

    def check(self) -> bool:
        """Four digits typed, or the reason beside the field (empty too: it says what to type)."""
        if not self.value:
            self.show_error(PinDigits().validate("").failure_descriptions[0])
            return False
        return self._field.validate_value()

    def wrong(self, message: str) -> None:
        """The server refused the PIN; the operation is still open.

        The server's message already says how many attempts are left (in its words, with the
        count it keeps): it takes the place of the attempts line, so the count is said once.
        """
        self.input.value = ""
        self._field.show_error(message, until_checked=True)
        self.attempts_left = max(self.attempts_left - 1, 0)
        self.query_one(".pin-attempts", Static).display = False

    def over(self, message: str) -> None:
        """The operation was cancelled, expired or already used: no more tries."""
        self.input.value = ""
        self.input.disabled = True
        self.show_error(message)
        self.query_one(".pin-attempts", Static).display = False

    def show_error(self, message: str | None) -> None:
        self._field.show_error(message)

    def _set_attempts(self, attempts: int) -> None:
        self.attempts_left = attempts
        line = self.query_one(".pin-attempts", Static)
        line.display = True
        line.update(
            ngettext(
                "Le queda {attempts} intento.", "Le quedan {attempts} intentos.", attempts
            ).format(attempts=attempts)
        )
