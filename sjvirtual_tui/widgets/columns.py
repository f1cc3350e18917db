"""A table's columns written as data, beside the cells they head: each one's heading (marked with
``N_``, translated when the table gets it), key and width (the tables are laid out for 80
columns)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from textual.widgets import DataTable

from sjvirtual_tui.i18n import _


class Column(NamedTuple):
    heading: str
    key: str
    width: int


def add_columns(table: DataTable[Any], columns: Iterable[Column]) -> None:
    """Gives ``table`` its ``columns``, their headings in the member's language."""
    for column in columns:
        table.add_column(_(column.heading), key=column.key, width=column.width)
