"""SQL pieces whose spelling differs between SQLite and PostgreSQL, written once.

Used by the schema (:mod:`mock_server.store.schema`) and by the migrations: a migration's
meaning must never change, so what is here is never changed either, only added to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.types import NullType

# Ids and amounts: INTEGER on SQLite (an ``INTEGER PRIMARY KEY`` is the rowid), 64 bits on
# PostgreSQL (an id that is a primary key becomes a BIGSERIAL there).
BIGINT = BigInteger().with_variant(Integer(), "sqlite")


class _PerDialect(ColumnElement[Any]):
    """A boolean SQL piece spelled one way for SQLite (:meth:`sqlite`) and another for
    PostgreSQL (:meth:`postgresql`): a subclass says both, the two compilers below serve all."""

    inherit_cache = True
    type = NullType()

    def sqlite(self) -> str:
        raise NotImplementedError

    def postgresql(self) -> str:
        raise NotImplementedError


@compiles(_PerDialect)
def _per_dialect_sqlite(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return element.sqlite()


@compiles(_PerDialect, "postgresql")
def _per_dialect_postgresql(element: _PerDialect, compiler: Any, **kw: Any) -> str:
    return element.postgresql()


class OnlyChars(_PerDialect):
    """``column`` holds only characters of ``chars`` (a bracket class such as ``0-9``): true
    for '' and NULL for NULL on both engines, as SQLite's ``NOT GLOB '*[^...]*'``."""

    inherit_cache = True

    def __init__(self, column: str, chars: str) -> None:
        self.column = column
        self.chars = chars

    def sqlite(self) -> str:
        return f"{self.column} NOT GLOB '*[^{self.chars}]*'"

    def postgresql(self) -> str:
        return f"{self.column} ~ '^[{self.chars}]*$'"


class IsoDate(_PerDialect):
    """``column`` is a date written YYYY-MM-DD (SQLite: ``date(x) = x``, the old schema's check).

    PostgreSQL checks the form with a regular expression (a cast would raise an error instead of
    failing the CHECK). Both refuse a time or a date written otherwise; SQLite's lets through
    text that is no date at all (``date()`` is NULL, and so is the comparison), PostgreSQL's a
    30 February. The server only writes ``date.isoformat()`` there."""

    inherit_cache = True

    def __init__(self, column: str) -> None:
        self.column = column

    def sqlite(self) -> str:
        return f"date({self.column}) = {self.column}"

    def postgresql(self) -> str:
        return f"{self.column} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'"
