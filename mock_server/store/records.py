"""Rows as the repositories' dataclasses: one conversion for every repository of this kind."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

from mock_server.store.engine import Row
from mock_server.store.meta import from_db

T = TypeVar("T")


@cache
def _columns(cls: type) -> tuple[tuple[str, bool], ...]:
    """(field name, is a time) of each field; read once per class (a session's lookup runs on
    every request)."""
    return tuple((field.name, field.name.endswith("_at")) for field in fields(cls))


def record(cls: type[T], row: Row) -> T:
    """``cls`` (a dataclass) from the columns of ``row`` named as its fields. A field named
    ``*_at`` is a time: the store's text becomes a datetime (None stays None)."""
    values: dict[str, Any] = {}
    for name, is_time in _columns(cls):  # type: ignore[arg-type]  # a class is hashable
        value = row[name]
        if value is None:
            pass
        elif is_time:
            value = from_db(value)
        elif isinstance(value, memoryview):  # PostgreSQL's bytea
            value = bytes(value)
        values[name] = value
    return cls(**values)
