"""ESTABLECER CONTRASEÑA: the code from the approval e-mail and a new password, twice."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.wizard import WizardScreen
from sjvirtual_tui.widgets.form import Form, FormField, focus_now, validate_all
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.password_policy import PasswordPolicy


def code_error(value: str) -> str | None:
    plain = value.replace("-", "").replace(" ", "")
    if not plain.isascii() or not plain.isalnum() or not 4 <= len(plain) <= 32:
        return _("Escriba el código tal como llegó en el correo, por ejemplo ABCD-EFGH-JK.")
    return None


class PasswordPair:
    """The new password and its repetition, with the policy shown live under them."""

    def __init__(self, prefix: str, *, current: Callable[[], str] | None = None) -> None:
        """``current``: the password in use, which the new one must differ from."""
        self._current = current
        hidden = partial(FormField, password=True, max_length=256, prefix=prefix)
        self.password = hidden("password", _("Nueva contraseña"), check=self._new_password)
        self.repeat = hidden("repeat", _("Repita la contraseña"), check=self._same)
        self.policy = PasswordPolicy(id=f"{prefix}policy")

    def _new_password(self, value: str) -> str | None:
        error = rules.password_error(value)
        current = self._current() if self._current is not None else None
        if error is None and self.password.input.value == current:
            return _("La nueva contraseña debe ser distinta de la actual.")
        return error

    def _same(self, value: str) -> str | None:
        return None if value == self.password.value else _("Las contraseñas no coinciden.")

    def widgets(self) -> list[FormField | PasswordPolicy]:
        return [self.password, self.repeat, self.policy]

    def refresh_policy(self) -> None:
        self.policy.show(self.password.input.value, self.repeat.input.value)


class NewPasswordWizard(WizardScreen):
    """A wizard in which the member chooses a new password (``pair``): its policy follows
    every key typed on the screen."""

    pair: PasswordPair

    @on(Input.Changed)
    def _typed(self) -> None:
        self.pair.refresh_policy()


class SetPasswordScreen(NewPasswordWizard):
    HEADING = N_("ESTABLECER CONTRASEÑA")
    STEPS = ("sp-form", "sp-done")
    FINAL = ("sp-done",)

    def __init__(self, code: str = "") -> None:
        super().__init__(id="set-password")
        self.code = FormField(
            "code",
            _("Código del correo"),
            check=code_error,
            max_length=40,
            value=code,
            prefix="sp-",
        )
        self.pair = PasswordPair("sp-")

    def compose_steps(self) -> ComposeResult:
        with Form(id="sp-form"):
            yield Static(
                _(
                    "Escriba el código que recibió en el correo de «Solicitud aprobada» "
                    "y elija su contraseña: al menos 8 caracteres, con un número y una "
                    "letra mayúscula."
                ),
                classes="hint",
            )
            yield self.code
            yield from self.pair.widgets()
            yield Button(_("CONFIRMAR"), id="sp-submit", variant="primary", compact=True)
        yield message_step(
            "sp-done",
            2,
            _("CONTRASEÑA ESTABLECIDA"),
            text=_(
                "Su contraseña quedó establecida. Ahora ingrese con su usuario y esa "
                "contraseña para completar el PRIMER INGRESO: elegirá una nueva "
                "contraseña, su imagen y sus preguntas de seguridad."
            ),
            button=_("IR AL INGRESO"),
            button_id="sp-home",
        )

    def on_mount(self) -> None:
        self.sub_title = _("Establecer contraseña")
        self.go("sp-form", focus=self.pair.password.input if self.code.value else None)

    @on(Button.Pressed, "#sp-submit")
    @on(Form.Submitted, "#sp-form")
    def submit(self) -> None:
        if not validate_all([self.code, self.pair.password, self.pair.repeat]):
            return
        code, password = self.code.value, self.pair.password.input.value
        key = self.keys.key_for((code, password))
        self.call_backend(
            lambda: self.backend.set_password(code, password, idempotency_key=key),
            lambda _result: self.go("sp-done"),
            on_error=self.refused,
        )

    def refused(self, error: BackendError) -> bool:
        target = {"code": self.code, "password": self.pair.password}.get(error.field or "")
        if target is None:
            return False
        target.show_error(error.message)
        focus_now(target.input)
        return True

    @on(Button.Pressed, "#sp-home")
    def _home(self) -> None:
        self.leave()
