"""AVISOS (issue 17): what the cooperative told the member — transfers sent and received,
payments, failed logins, new terminals... — newest first. Enter marks the highlighted notice
read; F2 marks them all read. The dashboard's unread count is read again on the way back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.screens.listing import ListScreen
from sjvirtual_tui.screens.wizard import new_idempotency_key
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import Notification, NotificationPage, NotificationsRead

# The newest notices shown (the server's pages go further back; a member reads the recent).
PAGE = 100


def unread_text(unread: int) -> str:
    """The dashboard's line: ``3 avisos sin leer`` (or that there is none)."""
    if unread == 0:
        return _("No tiene avisos sin leer.")
    return ngettext("{count} aviso sin leer", "{count} avisos sin leer", unread).format(
        count=unread
    )


def _cells(notice: Notification) -> tuple[object, ...]:
    # A word, not a colour, marks the unread: it reads the same with NO_COLOR.
    new = _("Nuevo") if notice.read_at is None else ""
    return (local_time(notice.created_at), new, Text(notice.title))


class NotificationsScreen(ListScreen):
    HEADING = N_("AVISOS")
    DETAIL_ID = "notice-body"
    EMPTY = N_("No tiene avisos.")
    BOX_ID = "notifications-box"
    BINDINGS = [
        Binding("f2", "read_all", N_("Todos leídos"), show=True, id="notifications.read_all"),
        Binding("escape", "close", N_("Volver"), show=True, id="back"),
        Binding("f5", "retry", N_("Actualizar"), show=True, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="notifications")
        self.unread = 0

    def compose_body(self) -> ComposeResult:
        yield Static("", id="notices-count", markup=False)
        yield RowTable(id="notices", cells=_cells, key=lambda notice: str(notice.id))
        with VerticalScroll(id="notice-body-box"):
            yield Static("", id="notice-body", markup=False)
        yield Static(_("Enter: marcar como leído · F2: marcar todos como leídos"), classes="hint")

    def on_mount(self) -> None:
        self.sub_title = _("Avisos")
        table = self.query_one("#notices", DataTable)
        table.add_column(_("Fecha"), key="date", width=16)
        table.add_column("", key="new", width=7)
        table.add_column(_("Aviso"), key="title")
        table.focus()
        self.refresh_data()

    async def fetch_items(self) -> list[Notification]:
        page: NotificationPage = await self.backend.notifications(limit=PAGE)
        self._count(page.unread)
        return page.items

    def _count(self, unread: int) -> None:
        self.unread = unread
        self.query_one("#notices-count", Static).update(unread_text(unread))

    def detail(self, item: Any) -> str:
        notice: Notification = item
        return f"{local_time(notice.created_at)} · {notice.title}\n\n{notice.body}"

    @on(DataTable.RowSelected, "#notices")
    def _selected(self, event: DataTable.RowSelected) -> None:
        notice: Notification | None = self.current
        if notice is None or notice.read_at is not None:
            return
        key = new_idempotency_key()
        self.call_backend(
            lambda: self.backend.mark_notification_read(notice.id, idempotency_key=key),
            lambda answer: self._read(answer, [notice.id]),
            group="read",
        )

    def action_read_all(self) -> None:
        table = self.query_one(RowTable)
        unread = [notice.id for notice in table.items if notice.read_at is None]
        if not unread and self.unread == 0:
            return
        key = new_idempotency_key()
        self.call_backend(
            lambda: self.backend.mark_all_notifications_read(idempotency_key=key),
            lambda answer: self._read(answer, unread),
            group="read",
        )

    def _read(self, answer: NotificationsRead, ids: list[int]) -> None:
        """The notices ``ids`` shown read, in place (the cursor stays where it was)."""
        table = self.query_one(RowTable)
        for row, notice in enumerate(table.items):
            if notice.id in ids and notice.read_at is None:
                # Shown read from now on (the server keeps its own time of reading).
                table.items[row] = notice.model_copy(update={"read_at": datetime.now(UTC)})
                table.update_cell(str(notice.id), "new", "")
        self._count(answer.unread)

    def action_close(self) -> None:
        self.app.pop_screen()
