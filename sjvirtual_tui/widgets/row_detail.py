"""The line under a table that describes its highlighted row, for the screens that show more
than one table (a ListScreen has one, and does this itself)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from textual.widgets import Static

T = TypeVar("T")


def row_item(items: Sequence[T], row: int) -> T | None:
    """Row ``row`` of ``items`` (a table's cursor row: -1 or past the end when there is none)."""
    return items[row] if 0 <= row < len(items) else None


def show_row_detail(
    detail: Static, items: Sequence[T], row: int, describe: Callable[[T], str], empty: str
) -> None:
    """``detail`` says what ``describe`` makes of row ``row`` of ``items``, or ``empty`` (the
    caller translates it) when there is no such row."""
    item = row_item(items, row)
    detail.update(empty if item is None else describe(item))
