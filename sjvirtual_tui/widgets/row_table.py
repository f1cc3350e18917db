"""A DataTable of whole rows, where Home and End mean the first and the last row.

DataTable binds Home/End to the leftmost/rightmost column and keeps rows on Ctrl+Home/Ctrl+End,
which many thin terminals cannot send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable

from sjvirtual_tui.i18n import N_
from sjvirtual_tui.widgets.bindings import translate_bindings


class RowTable(DataTable[Any]):
    BINDINGS = [
        Binding("home", "scroll_top", N_("Primera fila"), show=False, id="table.first"),
        Binding("end", "scroll_bottom", N_("Última fila"), show=False, id="table.last"),
    ]

    def __init__(
        self,
        *,
        cells: Callable[[Any], Sequence[object]] | None = None,
        key: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``cells`` and ``key``: an item's cells and its row key, for :meth:`show_rows`."""
        self._cells, self._key = cells, key
        self.items: list[Any] = []  # those shown, row by row
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        translate_bindings(self)

    def show_rows(self, items: Iterable[object]) -> None:
        """One row for each of ``items``, in order, in place of what the table showed."""
        assert self._cells is not None and self._key is not None
        self.clear()
        self.items = list(items)
        for item in self.items:
            self.add_row(*self._cells(item), key=self._key(item))
