"""PERSONAL (sjvirtual --teller): the queue of registration requests to approve or reject, and
the locked users to unlock. Every action is recorded on the server with who and when."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Static,
    TabbedContent,
    TabPane,
)

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.flows import Audience, flow_bindings
from sjvirtual_tui.formatting import HOLDER_KIND_LABELS, local_time
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import FormField
from sjvirtual_tui.widgets.row_detail import row_item, show_row_detail
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        CertificateCheck,
        LockedMember,
        LoginResult,
        StaffRegistration,
    )

FIELD_LABELS: Labels[str] = Labels(
    {
        "cedula": N_("Cédula"),
        "nombres": N_("Nombres"),
        "apellidos": N_("Apellidos"),
        "fecha_nacimiento": N_("Fecha de nacimiento"),
        "email": N_("Correo"),
        "celular": N_("Celular"),
        "direccion": N_("Dirección"),
        "usuario": N_("Usuario"),
        "cuenta": N_("Cuenta"),
        "ruc": N_("RUC"),
        "razon_social": N_("Razón social"),
        "representante_cedula": N_("Cédula representante"),
        "representante_nombre": N_("Representante"),
        "telefono": N_("Teléfono"),
    }
)


def applicant(registration: StaffRegistration) -> tuple[str, str]:
    """(identification, name) of a request, persona or empresa."""
    request = registration.request
    if request.kind == "persona":
        return request.cedula, f"{request.nombres} {request.apellidos}"
    return request.ruc, request.razon_social


def _request_cells(registration: StaffRegistration) -> tuple[object, ...]:
    identification, name = applicant(registration)
    return (
        registration.reference,
        HOLDER_KIND_LABELS.get(registration.request.kind, registration.request.kind.capitalize()),
        Text(identification),
        Text(name),  # what the applicant typed (a razón social): never markup
        Text(registration.request.usuario),
    )


def _locked_cells(member: LockedMember) -> tuple[object, ...]:
    since = local_time(member.locked_at) if member.locked_at else ""
    return member.username, Text(member.full_name), since


def _request_text(registration: StaffRegistration) -> str:
    data = registration.request.model_dump(mode="json")
    received = _("recibida {time}").format(time=local_time(registration.created_at))
    lines = [f"{registration.reference} · {received}"]
    if "fecha_nacimiento" in data:
        data["fecha_nacimiento"] = rules.format_date(date.fromisoformat(data["fecha_nacimiento"]))
    lines += [
        f"{FIELD_LABELS.get(key, key)}: {value}" for key, value in data.items() if key != "kind"
    ]
    return "\n".join(lines)


class TellerScreen(BankScreen):
    BOX_ID = "teller-box"
    BINDINGS = [
        # F2/F3 are written on the tabs themselves and F5 is in F1: the footer (80 columns)
        # keeps the keys of the request in view.
        Binding("f2", "tab('tab-requests')", N_("Solicitudes"), show=False, id="teller.requests"),
        Binding("f3", "tab('tab-locked')", N_("Bloqueados"), show=False, id="teller.locked"),
        # --- certificates (issue 17) ---
        Binding(
            "f4", "tab('tab-certificate')", N_("Certificados"), show=False, id="teller.certificate"
        ),
        Binding("f6", "approve", N_("Aprobar"), show=True, id="teller.approve"),
        Binding("f7", "reject", N_("Rechazar"), show=True, id="teller.reject"),
        Binding("f5", "retry", N_("Actualizar"), show=False, id="refresh"),
        *flow_bindings(Audience.TELLER),  # access care; a supervisor's queue and audit view
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__(id="teller")
        self.login = login
        self.registrations: list[StaffRegistration] = []
        self.locked: list[LockedMember] = []
        self.keys = OperationKeys()
        self.reason = FormField("reason", _("Motivo del rechazo"), max_length=300, prefix="t-")

    def heading(self) -> str:
        return f"{_('PERSONAL DE LA COOPERATIVA')} · {self.login.member.full_name}"

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="teller-tabs"):
            with TabPane(f"F2 {_('Solicitudes pendientes')}", id="tab-requests"):
                yield RowTable(id="requests", cells=_request_cells, key=lambda r: str(r.id))
                with VerticalScroll(id="request-detail-box"):
                    yield Static("", id="request-detail", markup=False)
                with Vertical(id="reject-box"):
                    yield self.reason
                    yield Button(_("CONFIRMAR RECHAZO"), id="reject-ok", compact=True)
            with TabPane(f"F3 {_('Usuarios bloqueados')}", id="tab-locked"):
                yield RowTable(id="locked", cells=_locked_cells, key=lambda member: member.username)
                yield Static(_("Enter: desbloquear al usuario elegido."), classes="hint")
            # --- certificates (issue 17) ---
            with TabPane(f"F4 {_('Certificados')}", id="tab-certificate"):
                yield FormField(
                    "code",
                    _("Código de verificación"),
                    max_length=20,
                    prefix="t-",
                    placeholder="CB-XXXX-XXXX",
                )
                yield Static("", id="certificate-check", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Personal")
        requests = self.query_one("#requests", DataTable)
        requests.add_column(_("Solicitud"), width=10)
        requests.add_column(_("Tipo"), width=7)
        requests.add_column(_("Identificación"), width=14)
        requests.add_column(_("Nombre"), width=21)
        requests.add_column(_("Usuario"), width=12)
        locked = self.query_one("#locked", DataTable)
        locked.add_column(_("Usuario"), width=14)
        locked.add_column(_("Nombre"), width=32)
        locked.add_column(_("Bloqueado desde"), width=16)
        self.query_one("#reject-box").display = False
        requests.focus()
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_flow" and parameters == ("supervisor",):
            return self.login.member.role == "supervisor"  # the server checks it too
        if action in ("approve", "reject"):
            tabs = self.query_one("#teller-tabs", TabbedContent)
            return tabs.active == "tab-requests" and bool(self.registrations)
        return True

    def action_tab(self, tab: str) -> None:
        self.query_one("#teller-tabs", TabbedContent).active = tab
        focus = {"tab-requests": "#requests", "tab-locked": "#locked"}.get(tab, "#t-input-code")
        self.query_one(focus).focus()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.pending_registrations, self._show_requests)

    def _show_requests(self, registrations: list[StaffRegistration]) -> None:
        self.registrations = registrations
        self.query_one("#requests", RowTable).show_rows(registrations)
        self._detail(0)
        self.refresh_bindings()
        self.call_backend(self.backend.locked_members, self._show_locked, group="locked")

    def _show_locked(self, members: list[LockedMember]) -> None:
        self.locked = members
        self.query_one("#locked", RowTable).show_rows(members)

    @on(DataTable.RowHighlighted, "#requests")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        empty = _("No hay solicitudes pendientes.")
        detail = self.query_one("#request-detail", Static)
        show_row_detail(detail, self.registrations, row, _request_text, empty)

    def current(self) -> StaffRegistration | None:
        return row_item(self.registrations, self.query_one("#requests", DataTable).cursor_row)

    # --- approve and reject --------------------------------------------------------------------

    def action_approve(self) -> None:
        registration = self.current()
        if registration is None:
            return
        _id, name = applicant(registration)

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            key = self.keys.key_for(("approve", registration.id))
            self.call_backend(
                lambda: self.backend.approve_registration(registration.id, idempotency_key=key),
                lambda done: self._decided(done, _("Solicitud {reference} aprobada.")),
            )

        self.app.push_screen(
            ConfirmScreen(
                _("¿Aprobar la solicitud {reference} de {name}?").format(
                    reference=registration.reference, name=name
                )
            ),
            decided,
        )

    def action_reject(self) -> None:
        if self.current() is None:
            return
        self.query_one("#reject-box").display = True
        self.reason.show_error(None)
        self.reason.input.focus()

    @on(Input.Submitted, "#t-input-reason")
    @on(Button.Pressed, "#reject-ok")
    def _reject_confirmed(self) -> None:
        registration = self.current()
        if registration is None:
            return
        reason = self.reason.value
        if len(reason) < 5:
            self.reason.show_error(_("Escriba al menos 5 caracteres; el socio lo leerá."))
            return
        key = self.keys.key_for(("reject", registration.id, reason))
        self.call_backend(
            lambda: self.backend.reject_registration(registration.id, reason, idempotency_key=key),
            lambda done: self._decided(done, _("Solicitud {reference} rechazada.")),
        )

    def _decided(self, registration: StaffRegistration, message: str) -> None:
        """``message`` is translated, with a ``{reference}`` to fill in."""
        self.query_one("#reject-box").display = False
        self.reason.value = ""
        self.notify(message.format(reference=registration.reference), title=_("Personal"))
        self.query_one("#requests").focus()
        self.refresh_data()

    # --- unlock ----------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#locked")
    def _unlock(self, event: DataTable.RowSelected) -> None:
        username = str(event.row_key.value)

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            key = self.keys.key_for(("unlock", username))
            self.call_backend(
                lambda: self.backend.unlock_member(username, idempotency_key=key),
                lambda _result: self._unlocked(username),
            )

        self.app.push_screen(
            ConfirmScreen(_("¿Desbloquear al usuario {username}?").format(username=username)),
            decided,
        )

    def _unlocked(self, username: str) -> None:
        self.notify(
            _("Usuario {username} desbloqueado.").format(username=username), title=_("Personal")
        )
        self.refresh_data()

    # --- certificates (issue 17) -----------------------------------------------------------------

    @on(Input.Submitted, "#t-input-code")
    def _verify_certificate(self) -> None:
        code = self.code_field.value.strip()
        result = self.query_one("#certificate-check", Static)
        result.update("")
        if not code:
            self.code_field.show_error(_("Escriba el código impreso en el certificado."))
            return

        def refused(error: BackendError) -> bool:
            self.code_field.show_error(error.message)
            return True

        self.call_backend(
            lambda: self.backend.verify_certificate(code), self._verified, on_error=refused
        )

    @property
    def code_field(self) -> FormField:
        return self.query_one("#t-field-code", FormField)

    def _verified(self, check: CertificateCheck) -> None:
        from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS
        from sjvirtual_tui.pdf import band_text

        self.code_field.show_error(None)
        kind = ACCOUNT_TYPE_LABELS.get(check.account_type, check.account_type)
        self.query_one("#certificate-check", Static).update(
            "\n".join(
                [
                    _("Certificado válido {code}, emitido {time}.").format(
                        code=check.code, time=local_time(check.issued_at)
                    ),
                    f"{check.holder_name} · {kind} {check.account_masked}",
                    _("Saldos promedios de {band}.").format(
                        band=band_text(check.average_digits, check.average_level)
                    ),
                ]
            )
        )
