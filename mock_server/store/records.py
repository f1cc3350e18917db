"""Rows as the repositories' dataclasses: one conversion for every repository of this kind."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from mock_server.store.engine import Row
from mock_server.store.meta import from_db

T = TypeVar("T")


def record(cls: type[T], row: Row) -> T:
    """``cls`` (a dataclass) from the columns of ``row`` named as its fields. A field named
    ``*_at`` is a time: the store's text becomes a datetime (None stays None)."""
    values: dict[str, Any] = {}
    for field in fields(cls):  # type: ignore[arg-type]
        value = row[field.name]
        if field.name.endswith("_at") and value is not None:
            value = from_db(value)
        elif isinstance(value, memoryview):  # PostgreSQL's bytea
            value = bytes(value)
        values[field.name] = value
    return cls(**values)
