"""SUPERVISOR (sjvirtual --teller, a supervisor's login): the four-eyes queue, where a request a
teller made waits to be approved or rejected (never by the one who asked: the server refuses
it), and the audit view, filtered and exported to CSV in the export folder."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static, TabbedContent, TabPane

from sjvirtual_tui import rules
from sjvirtual_tui.files import write_atomically
from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import FormField
from sjvirtual_tui.widgets.row_detail import row_item, show_row_detail
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.backend.errors import BackendError
    from sjvirtual_tui.models import Approval, AuditEntry

KIND_LABELS: Labels[str] = Labels(
    {
        "security_reset": N_("Restablecer seguridad"),
        "cash_withdrawal": N_("Retiro en ventanilla"),
        "counter_reversal": N_("Reverso de operación"),
    }
)
OUTCOME_LABELS: Labels[str] = Labels({"ok": N_("hecho"), "refused": N_("rechazado")})
AUDIT_PAGE = 200

CSV_HEADER = (
    "id",
    "fecha",
    "tipo_actor",
    "actor",
    "terminal",
    "accion",
    "socio",
    "motivo",
    "resultado",
    "detalle",
)


def _csv_text(value: str | None) -> str:
    """Text a spreadsheet will not run as a formula (reasons are typed by people)."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_audit_csv(handle: TextIO, entries: list[AuditEntry]) -> None:
    """RFC 4180 CSV (``handle`` opened with ``newline=""``), ISO local times."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow(
            [
                str(entry.id),
                rules.local_datetime(entry.recorded_at).isoformat(timespec="seconds"),
                entry.actor_kind,
                _csv_text(entry.actor),
                _csv_text(entry.terminal),
                entry.action,
                _csv_text(entry.member),
                _csv_text(entry.reason),
                entry.outcome,
                _csv_text(entry.detail),
            ]
        )


def _approval_cells(approval: Approval) -> tuple[object, ...]:
    return (
        str(approval.id),
        KIND_LABELS.get(approval.kind, approval.kind),
        Text(approval.member or ""),
        Text(approval.requested_by),
        local_time(approval.requested_at),
    )


def _audit_cells(entry: AuditEntry) -> tuple[object, ...]:
    return (
        local_time(entry.recorded_at),
        Text(entry.actor),
        entry.action,
        Text(entry.member or ""),
        OUTCOME_LABELS.get(entry.outcome, entry.outcome),
    )


def _approval_text(approval: Approval) -> str:
    terminal = f" · {approval.terminal}" if approval.terminal else ""
    return "\n".join(
        [
            f"{approval.id} · {approval.summary}",
            _("Pidió: {who} · {time}{terminal}").format(
                who=approval.requested_by,
                time=local_time(approval.requested_at),
                terminal=terminal,
            ),
            _("Motivo: {reason}").format(reason=approval.request_reason),
        ]
    )


def _audit_text(entry: AuditEntry) -> str:
    parts = [f"{entry.actor_kind} {entry.actor}"]
    if entry.terminal:
        parts.append(_("terminal {terminal}").format(terminal=entry.terminal))
    if entry.reason:
        parts.append(_("motivo: {reason}").format(reason=entry.reason))
    if entry.detail:
        parts.append(entry.detail)
    return " · ".join(parts)


class SupervisorScreen(BankScreen):
    BOX_ID = "supervisor-box"
    HEADING = N_("SUPERVISOR · CUATRO OJOS Y AUDITORÍA")
    BINDINGS = [
        Binding("f2", "tab('tab-approvals')", N_("Aprobaciones"), show=False, id="sup.approvals"),
        Binding("f3", "tab('tab-audit')", N_("Auditoría"), show=False, id="sup.audit"),
        Binding("a", "decide(True)", N_("Aprobar"), show=True, id="sup.approve"),
        Binding("r", "decide(False)", N_("Rechazar"), show=True, id="sup.reject"),
        Binding("f4", "export", N_("Exportar CSV"), show=True, id="sup.export"),
        Binding("f5", "retry", N_("Actualizar"), show=False, id="refresh"),
        Binding("escape", "back", N_("Volver"), show=True, id="sup.back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="supervisor")
        self.approvals: list[Approval] = []
        self.entries: list[AuditEntry] = []
        self.keys = OperationKeys()
        self.approving: bool | None = None  # the decision being typed, if any
        self.reason = FormField("reason", _("Motivo"), max_length=300, prefix="s-")
        self.exported: Path | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="sup-tabs"):
            with TabPane(f"F2 {_('Aprobaciones')}", id="tab-approvals"):
                yield RowTable(id="approvals", cells=_approval_cells, key=lambda a: str(a.id))
                yield Static("", id="approval-detail", markup=False)
                with Vertical(id="decision-box"):
                    yield Static("", id="decision-title", markup=False)
                    yield self.reason
                    yield Button(_("CONFIRMAR"), id="decision-ok", compact=True)
                yield Static(
                    _("A: aprobar · R: rechazar (con motivo) la solicitud elegida."),
                    classes="hint",
                )
            with TabPane(f"F3 {_('Auditoría')}", id="tab-audit"):
                with Horizontal(id="audit-filters"):
                    yield Input(placeholder=_("Socio"), id="f-member", max_length=64, compact=True)
                    yield Input(placeholder=_("Usuario"), id="f-actor", max_length=64, compact=True)
                    yield Input(placeholder=_("Acción"), id="f-action", max_length=64, compact=True)
                    yield Input(placeholder=_("Desde"), id="f-since", max_length=10, compact=True)
                    yield Input(placeholder=_("Hasta"), id="f-until", max_length=10, compact=True)
                yield Static(
                    _("Enter: filtrar (fechas dd/mm/aaaa) · F4: exportar a CSV lo que se ve."),
                    classes="hint",
                )
                yield RowTable(id="audit", cells=_audit_cells, key=lambda e: str(e.id))
                yield Static("", id="audit-detail", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Supervisor")
        approvals = self.query_one("#approvals", DataTable)
        approvals.add_column(_("N.º"), width=4)
        approvals.add_column(_("Solicitud"), width=22)
        approvals.add_column(_("Socio"), width=12)
        approvals.add_column(_("Pidió"), width=12)
        approvals.add_column(_("Fecha"), width=16)
        audit = self.query_one("#audit", DataTable)
        audit.add_column(_("Fecha"), width=16)
        audit.add_column(_("Usuario"), width=11)
        audit.add_column(_("Acción"), width=21)
        audit.add_column(_("Socio"), width=10)
        audit.add_column(_("Resultado"), width=9)
        self.query_one("#decision-box").display = False
        approvals.focus()
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        active = self.query_one("#sup-tabs", TabbedContent).active
        if action == "decide":
            return active == "tab-approvals" and bool(self.approvals)
        if action == "export":
            return active == "tab-audit"
        return True

    def action_tab(self, tab: str) -> None:
        self.query_one("#sup-tabs", TabbedContent).active = tab
        self.query_one("#approvals" if tab == "tab-approvals" else "#f-member").focus()

    def action_back(self) -> None:
        if self.approving is not None:
            self._close_decision()
            return
        self.dismiss()

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id == "tab-audit" and not self.entries:
            self.load_audit()

    def refresh_data(self) -> None:
        from sjvirtual_tui.models import ApprovalStatus

        self.call_backend(
            lambda: self.backend.approvals(ApprovalStatus.PENDIENTE), self._show_approvals
        )
        if self.query_one("#sup-tabs", TabbedContent).active == "tab-audit":
            self.load_audit()

    # --- four eyes -------------------------------------------------------------------------------

    def _show_approvals(self, approvals: list[Approval]) -> None:
        self.approvals = approvals
        self.query_one("#approvals", RowTable).show_rows(approvals)
        self._approval_detail(0)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#approvals")
    @on(DataTable.RowSelected, "#approvals")
    def _approval_highlighted(
        self, event: DataTable.RowHighlighted | DataTable.RowSelected
    ) -> None:
        self._approval_detail(event.cursor_row)

    def _approval_detail(self, row: int) -> None:
        empty = _("No hay solicitudes pendientes de aprobación.")
        detail = self.query_one("#approval-detail", Static)
        show_row_detail(detail, self.approvals, row, _approval_text, empty)

    def current(self) -> Approval | None:
        return row_item(self.approvals, self.query_one("#approvals", DataTable).cursor_row)

    def action_decide(self, approve: bool) -> None:
        approval = self.current()
        if approval is None:
            return
        self.approving = approve
        title = (
            _("APROBAR la solicitud {id}: motivo (opcional), Enter confirma.")
            if approve
            else _("RECHAZAR la solicitud {id}: escriba el motivo, Enter confirma.")
        )
        self.query_one("#decision-title", Static).update(title.format(id=approval.id))
        self.query_one("#decision-box").display = True
        self.reason.show_error(None)
        self.reason.input.focus()

    def _close_decision(self) -> None:
        self.approving = None
        self.query_one("#decision-box").display = False
        self.reason.value = ""
        self.query_one("#approvals").focus()

    @on(Input.Submitted, "#s-input-reason")
    @on(Button.Pressed, "#decision-ok")
    def _decision_confirmed(self) -> None:
        approval, approve = self.current(), self.approving
        if approval is None or approve is None:
            return
        reason = self.reason.value.strip()
        if (not approve or reason) and len(reason) < 5:
            self.reason.show_error(_("Escriba al menos 5 caracteres."))
            return
        key = self.keys.key_for(("decide", approval.id, approve, reason))
        self.call_backend(
            lambda: self.backend.decide_approval(approval.id, approve, reason, idempotency_key=key),
            self._decided,
            on_error=self._refused,
        )

    def _refused(self, error: BackendError) -> bool:
        if error.field == "reason":
            self.reason.show_error(error.message)
            return True
        return False

    def _decided(self, approval: Approval) -> None:
        self.keys.forget()
        self._close_decision()
        message = (
            _("Solicitud {id} aprobada.")
            if approval.status == "aprobada"
            else _("Solicitud {id} rechazada.")
        )
        self.notify(message.format(id=approval.id), title=_("Supervisor"))
        self.refresh_data()

    # --- the audit log -------------------------------------------------------------------------

    def _filter(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value.strip()

    def _day(self, name: str, label: str) -> tuple[bool, datetime | None]:
        """(ok, the Ecuador midnight of the typed day, or None when empty)."""
        text = self._filter(name)
        if not text:
            return True, None
        try:
            day = rules.parse_date(text)
        except ValueError as exc:
            self.show_problem(f"{label}: {exc}")
            self.query_one(f"#f-{name}", Input).focus()
            return False, None
        return True, datetime.combine(day, time(0), tzinfo=rules.ECUADOR_TZ)

    @on(Input.Submitted, "#audit-filters Input")
    def load_audit(self) -> None:
        ok_since, since = self._day("since", _("Desde"))
        ok_until, until = self._day("until", _("Hasta"))
        if not (ok_since and ok_until):
            return
        if until is not None:
            until += timedelta(days=1)  # the whole of that day
        member, actor, action = (
            self._filter("member"),
            self._filter("actor"),
            self._filter("action"),
        )
        self.call_backend(
            lambda: self.backend.audit_entries(
                member=member,
                actor=actor,
                action=action,
                since=since,
                until=until,
                limit=AUDIT_PAGE,
            ),
            self._show_audit,
            group="audit",
        )

    def _show_audit(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self.query_one("#audit", RowTable).show_rows(entries)
        self._audit_detail(0)

    @on(DataTable.RowHighlighted, "#audit")
    def _audit_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._audit_detail(event.cursor_row)

    def _audit_detail(self, row: int) -> None:
        empty = _("Ningún registro con estos filtros.")
        detail = self.query_one("#audit-detail", Static)
        show_row_detail(detail, self.entries, row, _audit_text, empty)

    def action_export(self) -> None:
        if self.refuse_files_in_kiosk():
            return
        stamp = self.context.now().astimezone(rules.ECUADOR_TZ).strftime("%Y%m%d-%H%M%S")
        path = self.context.settings.export_dir / f"auditoria-{stamp}.csv"
        entries = list(self.entries)
        try:
            write_atomically(path, lambda handle: write_audit_csv(handle, entries))
        except OSError as exc:
            self.show_problem(
                _("No se pudo guardar {path}: {reason}").format(path=path, reason=exc.strerror)
            )
            return
        self.exported = path
        self.notify(
            _("Auditoría exportada ({count} registros): {path}").format(
                count=len(entries), path=path
            ),
            title=_("Supervisor"),
        )
