"""ACCESO DE SOCIOS (sjvirtual --teller): a teller's care of a member's access by username —
a reset of the security image and questions (it waits for a supervisor: four eyes), a new
ESTABLECER CONTRASEÑA code — and the registration of a walk-in socio, the REGISTRO DE SOCIOS
form approved at once by the teller who saw the socio's documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.registration import RegistrationScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import FormField, validate_all

if TYPE_CHECKING:
    from sjvirtual_tui.backend.errors import BackendError
    from sjvirtual_tui.models import ApprovalRequested, CodeResent, StaffRegistration


def _username_error(value: str) -> str | None:
    name = value.strip()
    if not name:
        return _("Escriba el usuario del socio.")
    if not name.isascii() or not all(ch.isalnum() or ch in "._-" for ch in name):
        return _("El usuario tiene solo letras, números, punto, guion y guion bajo.")
    return None


def _reason_error(value: str) -> str | None:
    if len(" ".join(value.split())) < 5:
        return _("Escriba al menos 5 caracteres; el supervisor lo leerá.")
    return None


class TellerAccessScreen(BankScreen):
    BOX_ID = "access-box"
    HEADING = N_("ACCESO DE SOCIOS")
    BINDINGS = [
        Binding("f2", "reset", N_("Restablecer seguridad"), show=True, id="access.reset"),
        # F3 and F4 are written on their buttons: the footer keeps F2 and Escape at 80 columns.
        Binding("f3", "resend", N_("Reenviar código"), show=False, id="access.resend"),
        Binding("f4", "walk_in", N_("Registrar socio"), show=False, id="access.walk_in"),
        Binding("escape", "back", N_("Volver"), show=True, id="access.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="teller-access")
        self.keys = OperationKeys()
        self.username = FormField(
            "username", _("Usuario del socio"), check=_username_error, max_length=64, prefix="a-"
        )
        self.reason = FormField(
            "reason",
            _("Motivo (supervisor)"),
            check=_reason_error,
            max_length=300,
            prefix="a-",
        )
        self.result: str = ""

    def compose_body(self) -> ComposeResult:
        yield Static(
            _(
                "Restablecer seguridad: el socio escogerá otra vez imagen y preguntas en su "
                "próximo ingreso, cuando un supervisor lo apruebe. Reenviar código: un código "
                "nuevo de ESTABLECER CONTRASEÑA a su correo (el anterior deja de valer)."
            ),
            classes="hint",
        )
        yield self.username
        yield self.reason
        with Horizontal(id="access-buttons"):
            yield Button(_("F2 RESTABLECER"), id="access-reset", compact=True)
            yield Button(_("F3 REENVIAR CÓDIGO"), id="access-resend", compact=True)
            yield Button(_("F4 REGISTRAR SOCIO"), id="access-walk-in", compact=True)
        yield Static("", id="access-result", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Acceso de socios")
        self.username.input.focus()

    def action_back(self) -> None:
        self.dismiss()

    def _show(self, text: str) -> None:
        self.result = text
        self.query_one("#access-result", Static).update(text)

    def _refused(self, error: BackendError) -> bool:
        field = {"reason": self.reason}.get(error.field or "")
        if field is None and error.code in ("not_found", "not_active", "has_password"):
            field = self.username
        if field is None:
            return False
        field.show_error(error.message)
        field.input.focus()
        return True

    @on(Button.Pressed, "#access-reset")
    def action_reset(self) -> None:
        if not validate_all([self.username, self.reason]):
            return
        username = self.username.value.strip().lower()
        reason = " ".join(self.reason.value.split())
        key = self.keys.key_for(("reset", username, reason))
        self._show("")
        self.call_backend(
            lambda: self.backend.request_security_reset(username, reason, idempotency_key=key),
            self._reset_requested,
            on_error=self._refused,
        )

    def _reset_requested(self, answer: ApprovalRequested) -> None:
        self.keys.forget()
        approval = answer.approval
        self._show(
            _(
                "Solicitud {id} registrada: espera la aprobación de un supervisor "
                "(otra persona). Restablecer seguridad de {username}."
            ).format(id=approval.id, username=approval.member or "")
        )

    @on(Button.Pressed, "#access-resend")
    def action_resend(self) -> None:
        if not validate_all([self.username]):
            return
        username = self.username.value.strip().lower()
        key = self.keys.key_for(("resend", username))
        self._show("")
        self.call_backend(
            lambda: self.backend.resend_approval_code(username, idempotency_key=key),
            self._resent,
            on_error=self._refused,
        )

    def _resent(self, answer: CodeResent) -> None:
        self.keys.forget()
        self._show(
            _("Código nuevo enviado a {email} para {username}; el anterior ya no vale.").format(
                email=answer.email, username=answer.username
            )
        )

    @on(Button.Pressed, "#access-walk-in")
    def action_walk_in(self) -> None:
        self.app.push_screen(WalkInRegistrationScreen())


class WalkInRegistrationScreen(RegistrationScreen):
    """REGISTRO DE SOCIOS at the counter: the same form and checks, approved at once by the
    teller (the server checks it as it checks the public form)."""

    HEADING = N_("REGISTRO DE SOCIO EN VENTANILLA")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = _("Registro en ventanilla")
        self.query_one("#reg-home", Button).label = _("VOLVER")

    @on(Button.Pressed, "#reg-submit")
    def _submit_walk_in(self, event: Button.Pressed) -> None:
        event.prevent_default()  # not the public form's submit
        request = self.registration_request()
        if request is not None:
            self.send_operation(request, self.backend.register_walk_in, self._walked_in)

    def _walked_in(self, registration: StaffRegistration) -> None:
        self.query_one("#done-text", Static).update(
            _(
                "Socio registrado y APROBADO ({reference}): usuario {username}. El código para "
                "ESTABLECER CONTRASEÑA se envió a {email}; si no le llega, use Reenviar código."
            ).format(
                reference=registration.reference,
                username=registration.request.usuario,
                email=registration.request.email,
            )
        )
        self.go("reg-done")
