"""FICHA DEL SOCIO (teller, read-only): identity, contact, accounts and balances, the last
movements, loans and pólizas once they exist, and the S.J. Virtual user's state and terminals.
Opened with a reason, which the server records; F6 / F7 start a deposit or a withdrawal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from sjvirtual_tui.formatting import HOLDER_KIND_LABELS, local_time, money
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS
from sjvirtual_tui.screens.base import BankScreen

if TYPE_CHECKING:
    from sjvirtual_tui.models import MemberFile

ONLINE_LABELS: Labels[str] = Labels(
    {
        "sin_usuario": N_("sin usuario"),
        "pendiente_contrasena": N_("aprobado, sin contraseña todavía"),
        "pendiente_primer_ingreso": N_("PRIMER INGRESO pendiente"),
        "activo": N_("activo"),
        "bloqueado": N_("BLOQUEADO"),
    }
)


def file_text(file: MemberFile) -> str:
    """The file as the teller reads it (plain text, 76 columns at most)."""
    id_label = _("Cédula") if file.kind == "persona" else _("RUC")
    online = file.online
    lines = [
        file.name,
        f"{id_label} {file.identification} · {HOLDER_KIND_LABELS.get(file.kind, file.kind)}"
        + (f" · {_('Teléfono')} {file.phone}" if file.phone else ""),
    ]
    if online.email:
        lines.append(f"{_('Correo')} {online.email}")
    lines += ["", _("CUENTAS")]
    for account in file.accounts:
        kind = ACCOUNT_TYPE_LABELS.get(account.type, account.type)
        lines.append(
            f"  {account.number}  {kind:<18} {_('disp.')} {money(account.available_cents):>12}"
            f" · {_('contable')} {money(account.accounting_cents):>12}"
        )
        if account.status != "activa":
            lines.append(f"            {_('estado')}: {account.status}")
    lines += ["", _("S.J. VIRTUAL")]
    state = ONLINE_LABELS.get(online.state, online.state)
    user = f"{_('usuario')} {online.username} · " if online.username else ""
    lines.append(f"  {user}{_('estado')}: {state}")
    if online.last_login_at:
        lines.append(f"  {_('último ingreso')} {local_time(online.last_login_at)}")
    if online.locked_at:
        lines.append(f"  {_('bloqueado desde')} {local_time(online.locked_at)}")
    if online.failed_logins:
        lines.append(f"  {_('intentos fallidos')}: {online.failed_logins}")
    sessions = [t for t in online.terminals if t.kind == "sesion"]
    devices = [t for t in online.terminals if t.kind == "dispositivo"]
    lines.append(
        "  "
        + _("sesiones abiertas: {sessions} · terminales conocidos: {devices}").format(
            sessions=len(sessions), devices=len(devices)
        )
    )
    for device in devices[:3]:
        lines.append(f"    {_('terminal visto')} {local_time(device.last_seen_at)}")
    lines += ["", _("ÚLTIMOS MOVIMIENTOS")]
    if not file.movements:
        lines.append("  " + _("Sin movimientos."))
    for movement in file.movements:
        lines.append(
            f"  {local_time(movement.posted_at)}  {movement.account_number}  "
            f"{movement.description[:30]:<30} {money(movement.amount_cents):>12}"
        )
    lines += [
        "",
        _("PRÉSTAMOS Y PÓLIZAS: {loans}").format(
            loans=", ".join([*file.loans, *file.polizas]) or _("ninguno registrado")
        ),
    ]
    return "\n".join(lines)


class MemberFileScreen(BankScreen):
    HEADING = N_("FICHA DEL SOCIO")
    BINDINGS = [
        Binding("f6", "counter('deposito')", N_("Depósito"), show=True, id="file.deposit"),
        Binding("f7", "counter('retiro')", N_("Retiro"), show=True, id="file.withdrawal"),
        Binding("escape", "app.pop_screen", N_("Volver"), show=True, id="back"),
    ]

    def __init__(self, holder_id: int, reason: str) -> None:
        super().__init__(id="member-file")
        self.holder_id = holder_id
        self.reason = reason
        self.file: MemberFile | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="member-file-box"):
            yield Static(_("Cargando la ficha…"), id="member-file-text", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Personal")
        self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(lambda: self.backend.member_file(self.holder_id, self.reason), self._show)

    def _show(self, file: MemberFile) -> None:
        self.file = file
        self.query_one("#member-file-text", Static).update(file_text(file))
        self.query_one("#member-file-box").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "counter":
            return self.file is not None and bool(self.file.accounts)
        return True

    def action_counter(self, kind: str) -> None:
        if self.file is None or not self.file.accounts:
            return
        from sjvirtual_tui.screens.counter import CounterScreen

        self.app.push_screen(CounterScreen(kind, self.file.accounts[0].number, self.file.name))
