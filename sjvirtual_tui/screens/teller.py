"""PERSONAL (sjvirtual --teller): the queue of registration requests to approve or reject, and
the locked users to unlock. Every action is recorded on the server with who and when."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Static,
    TabbedContent,
    TabPane,
)

from sjvirtual_tui import rules
from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.screens.base import BankScreen, Problem
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import FormField
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import LockedMember, LoginResult, StaffRegistration

FIELD_LABELS = {
    "cedula": "Cédula",
    "nombres": "Nombres",
    "apellidos": "Apellidos",
    "fecha_nacimiento": "Fecha de nacimiento",
    "email": "Correo",
    "celular": "Celular",
    "direccion": "Dirección",
    "usuario": "Usuario",
    "cuenta": "Cuenta",
    "ruc": "RUC",
    "razon_social": "Razón social",
    "representante_cedula": "Cédula representante",
    "representante_nombre": "Representante",
    "telefono": "Teléfono",
}


def applicant(registration: StaffRegistration) -> tuple[str, str]:
    """(identification, name) of a request, persona or empresa."""
    request = registration.request
    if request.kind == "persona":
        return request.cedula, f"{request.nombres} {request.apellidos}"
    return request.ruc, request.razon_social


class TellerScreen(BankScreen):
    BINDINGS = [
        Binding("f2", "tab('tab-requests')", "Solicitudes", show=True),
        Binding("f3", "tab('tab-locked')", "Bloqueados", show=True),
        Binding("f6", "approve", "Aprobar", show=True),
        Binding("f7", "reject", "Rechazar", show=True),
        Binding("f5", "retry", "Actualizar", show=True),
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__(id="teller")
        self.login = login
        self.registrations: list[StaffRegistration] = []
        self.locked: list[LockedMember] = []
        self.keys = OperationKeys()
        self.reason = FormField("reason", "Motivo del rechazo", max_length=300, prefix="t-")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="teller-box"):
            yield Static(
                f"PERSONAL DE LA COOPERATIVA · {self.login.member.full_name}",
                classes="screen-title",
            )
            with TabbedContent(id="teller-tabs"):
                with TabPane("Solicitudes pendientes", id="tab-requests"):
                    yield RowTable(id="requests")
                    with VerticalScroll(id="request-detail-box"):
                        yield Static("", id="request-detail", markup=False)
                    with Vertical(id="reject-box"):
                        yield self.reason
                        yield Button("CONFIRMAR RECHAZO", id="reject-ok", compact=True)
                with TabPane("Usuarios bloqueados", id="tab-locked"):
                    yield RowTable(id="locked")
                    yield Static("Enter: desbloquear al usuario elegido.", classes="hint")
            yield Problem(id="problem")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Personal"
        requests = self.query_one("#requests", DataTable)
        requests.add_column("Solicitud", width=10)
        requests.add_column("Tipo", width=7)
        requests.add_column("Identificación", width=14)
        requests.add_column("Nombre", width=21)
        requests.add_column("Usuario", width=12)
        locked = self.query_one("#locked", DataTable)
        locked.add_column("Usuario", width=14)
        locked.add_column("Nombre", width=32)
        locked.add_column("Bloqueado desde", width=16)
        self.query_one("#reject-box").display = False
        requests.focus()
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            tabs = self.query_one("#teller-tabs", TabbedContent)
            return tabs.active == "tab-requests" and bool(self.registrations)
        return True

    def action_tab(self, tab: str) -> None:
        self.query_one("#teller-tabs", TabbedContent).active = tab
        self.query_one("#requests" if tab == "tab-requests" else "#locked").focus()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.pending_registrations, self._show_requests)

    def _show_requests(self, registrations: list[StaffRegistration]) -> None:
        self.registrations = registrations
        table = self.query_one("#requests", DataTable)
        table.clear()
        for registration in registrations:
            identification, name = applicant(registration)
            table.add_row(
                registration.reference,
                registration.request.kind.capitalize(),
                identification,
                name,
                registration.request.usuario,
                key=str(registration.id),
            )
        self._detail(0)
        self.refresh_bindings()
        self.call_backend(self.backend.locked_members, self._show_locked, group="locked")

    def _show_locked(self, members: list[LockedMember]) -> None:
        self.locked = members
        table = self.query_one("#locked", DataTable)
        table.clear()
        for member in members:
            since = local_time(member.locked_at) if member.locked_at else ""
            table.add_row(member.username, member.full_name, since, key=member.username)

    @on(DataTable.RowHighlighted, "#requests")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        detail = self.query_one("#request-detail", Static)
        if not 0 <= row < len(self.registrations):
            detail.update("No hay solicitudes pendientes.")
            return
        registration = self.registrations[row]
        data = registration.request.model_dump(mode="json")
        lines = [f"{registration.reference} · recibida {local_time(registration.created_at)}"]
        if "fecha_nacimiento" in data:
            data["fecha_nacimiento"] = rules.format_date(
                date.fromisoformat(data["fecha_nacimiento"])
            )
        lines += [
            f"{FIELD_LABELS.get(key, key)}: {value}" for key, value in data.items() if key != "kind"
        ]
        detail.update("\n".join(lines))

    def current(self) -> StaffRegistration | None:
        row = self.query_one("#requests", DataTable).cursor_row
        return self.registrations[row] if 0 <= row < len(self.registrations) else None

    # --- approve and reject --------------------------------------------------------------------

    def action_approve(self) -> None:
        registration = self.current()
        if registration is None:
            return
        _, name = applicant(registration)

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            key = self.keys.key_for(("approve", registration.id))
            self.call_backend(
                lambda: self.backend.approve_registration(registration.id, idempotency_key=key),
                lambda done: self._decided(done, "aprobada"),
            )

        self.app.push_screen(
            ConfirmScreen(f"¿Aprobar la solicitud {registration.reference} de {name}?"), decided
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
            self.reason.show_error("Explique el motivo (al menos 5 caracteres): se envía al socio.")
            return
        key = self.keys.key_for(("reject", registration.id, reason))
        self.call_backend(
            lambda: self.backend.reject_registration(registration.id, reason, idempotency_key=key),
            lambda done: self._decided(done, "rechazada"),
        )

    def _decided(self, registration: StaffRegistration, word: str) -> None:
        self.query_one("#reject-box").display = False
        self.reason.value = ""
        self.notify(f"Solicitud {registration.reference} {word}.", title="Personal")
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
                lambda _: self._unlocked(username),
            )

        self.app.push_screen(ConfirmScreen(f"¿Desbloquear al usuario {username}?"), decided)

    def _unlocked(self, username: str) -> None:
        self.notify(f"Usuario {username} desbloqueado.", title="Personal")
        self.refresh_data()
