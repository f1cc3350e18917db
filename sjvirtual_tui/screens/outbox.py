"""CORREO (demo only): the e-mails the bundled server "sent" — approval codes, PINs, receipts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.listing import ListScreen
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import OutboxMessage


class OutboxScreen(ListScreen):
    HEADING = N_("CORREO (demostración)")
    DETAIL_ID = "mail-body"
    EMPTY = N_("No hay correos todavía.")
    BOX_ID = "outbox-box"
    BINDINGS = [
        Binding("escape", "close", N_("Volver"), show=True, id="back"),
        Binding("f5", "retry", N_("Actualizar"), show=True, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="outbox")

    def compose_body(self) -> ComposeResult:
        yield RowTable(
            id="mails",
            cells=lambda message: (local_time(message.created_at), message.subject),
            key=lambda message: str(message.id),
        )
        with VerticalScroll(id="mail-body-box"):
            yield Static("", id="mail-body", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Correo")
        table = self.query_one("#mails", DataTable)
        table.add_column(_("Fecha"), key="date", width=16)
        # The subject whole (its own width); whom it went to is the mail's first line below.
        table.add_column(_("Asunto"), key="subject")
        table.focus()
        self.refresh_data()

    async def fetch_items(self) -> list[OutboxMessage]:
        return await self.backend.outbox()

    def detail(self, item: Any) -> str:
        message: OutboxMessage = item
        to, subject = _("Para"), _("Asunto")
        return f"{to}: {message.to}\n{subject}: {message.subject}\n\n{message.body}"

    def action_close(self) -> None:
        self.app.pop_screen()
