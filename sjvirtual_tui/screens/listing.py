"""A list screen: a table of items and, under it, a line about the highlighted one (or, for an
empty list, what the member can do about it)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.widgets import DataTable, Static

from sjvirtual_tui.i18n import _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.widgets.row_table import RowTable


class ListScreen(BankScreen):
    # The Static that tells of the highlighted item, and what it says with no items (N_).
    DETAIL_ID: ClassVar[str]
    EMPTY: ClassVar[str]

    def refresh_data(self) -> None:
        self.call_backend(self.fetch_items, self.show_items)

    async def fetch_items(self) -> list[Any]:
        """The items, as the server has them now."""
        raise NotImplementedError

    def show_items(self, items: list[Any]) -> None:
        """The items in the table (the first one highlighted), or the words for none."""
        self.query_one(RowTable).show_rows(items)
        if items:
            self._show_detail(0)
        else:
            self.query_one(f"#{self.DETAIL_ID}", Static).update(_(self.EMPTY))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        items = self.query_one(RowTable).items
        if 0 <= row < len(items):
            self.query_one(f"#{self.DETAIL_ID}", Static).update(self.detail(items[row]))

    @property
    def current(self) -> Any | None:
        """The highlighted item, if any."""
        table = self.query_one(RowTable)
        row = table.cursor_row
        return table.items[row] if 0 <= row < len(table.items) else None

    def detail(self, item: Any) -> str:
        raise NotImplementedError
