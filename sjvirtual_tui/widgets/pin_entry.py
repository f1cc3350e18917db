"""PIN DE VERIFICACIÓN: where the PIN was sent, a masked 4-digit field, the attempts left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from sjvirtual_tui.models import Challenge

PIN_LENGTH = 4


class PinEntry(Vertical):
    DEFAULT_CSS = """
    PinEntry { height: auto; }
    PinEntry > Horizontal { height: 1; margin-top: 1; }
    PinEntry .pin-label { width: 26; text-style: bold; }
    PinEntry Input { width: 8; }
    PinEntry .form-error {
        display: none; color: $text-error; padding-left: 26; width: 100%; height: auto;
    }
    PinEntry .form-error.-shown { display: block; }
    PinEntry .pin-attempts { padding-left: 26; width: 100%; color: $text-muted; }
    """

    def __init__(self, *, prefix: str) -> None:
        super().__init__(id=f"{prefix}pin")
        self._input = Input(
            password=True,
            max_length=PIN_LENGTH,
            restrict=r"[0-9]*",
            compact=True,
            id=f"{prefix}pin-input",
        )
        self.attempts_left = 0

    def compose(self) -> ComposeResult:
        yield Static("", classes="pin-sent", markup=False)
        with Horizontal():
            yield Label(_("PIN de verificación") + " (*)", classes="pin-label")
            yield self._input
        yield Label("", classes="form-error", markup=False)
        yield Static("", classes="pin-attempts")

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value.strip()

    @property
    def error(self) -> str:
        return str(self.query_one(".form-error", Label).render())

    def start(self, challenge: Challenge) -> None:
        """A new PIN was sent: say where, until when, and how many tries there are."""
        self.query_one(".pin-sent", Static).update(
            _(
                "Le enviamos un PIN DE VERIFICACIÓN de 4 dígitos a {sent_to}. "
                "Es válido hasta las {time} y solo para esta "
                "operación. No lo comparta con nadie."
            ).format(sent_to=challenge.sent_to, time=local_time(challenge.expires_at)[-5:])
        )
        self._input.value = ""
        self._input.disabled = False
        self.show_error(None)
        self._set_attempts(challenge.attempts_left)

    def check(self) -> bool:
        """Four digits typed, or the reason under the field."""
        if len(self.value) != PIN_LENGTH or not self.value.isdigit():
            self.show_error(_("Escriba los 4 dígitos del PIN que le llegó por correo."))
            return False
        self.show_error(None)
        return True

    def wrong(self, message: str) -> None:
        """The server refused the PIN; the operation is still open.

        The server's message already says how many attempts are left (in its words, with the
        count it keeps): it takes the place of the attempts line, so the count is said once.
        """
        self._input.value = ""
        self.show_error(message)
        self.attempts_left = max(self.attempts_left - 1, 0)
        self.query_one(".pin-attempts", Static).display = False

    def over(self, message: str) -> None:
        """The operation was cancelled, expired or already used: no more tries."""
        self._input.value = ""
        self._input.disabled = True
        self.show_error(message)
        self.query_one(".pin-attempts", Static).display = False

    def show_error(self, message: str | None) -> None:
        label = self.query_one(".form-error", Label)
        label.update(message or "")
        label.set_class(bool(message), "-shown")

    def _set_attempts(self, attempts: int) -> None:
        self.attempts_left = attempts
        line = self.query_one(".pin-attempts", Static)
        line.display = True
        line.update(
            ngettext(
                "Le queda {attempts} intento.", "Le quedan {attempts} intentos.", attempts
            ).format(attempts=attempts)
        )
