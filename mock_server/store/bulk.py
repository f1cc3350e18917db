"""Writing many rows at once (the seed, the first staff user), by table name: each row a mapping
or a named tuple of column -> value.

The statements are SQLAlchemy Core's, compiled against the tables of
:mod:`mock_server.store.schema` (an unknown table or column is an error before anything is
sent); on PostgreSQL the rows go in one COPY. The caller owns the transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

import sqlalchemy
from sqlalchemy.dialects import postgresql, sqlite

from mock_server.store.engine import _ANY_ERROR, Connection, Dialect, _translated
from mock_server.store.migrate import reset_sequences
from mock_server.store.schema import metadata

_DIALECTS: dict[Dialect, sqlalchemy.Dialect] = {
    "sqlite": sqlite.dialect(),
    "postgresql": postgresql.dialect(),
}


def _table(name: str) -> sqlalchemy.Table:
    table = metadata.tables.get(name)
    if table is None:
        raise ValueError(f"no table {name!r} in the store's schema")
    return table


@functools.lru_cache(maxsize=128)
def _statements(table_name: str, columns: frozenset[str]) -> tuple[tuple[str, ...], str, str]:
    """The columns in the table's order, Core's ``INSERT INTO table (columns) VALUES (?, ...)``
    (SQLite's placeholders: the store's :class:`Connection` turns them into psycopg's) and
    PostgreSQL's ``COPY table (columns) FROM STDIN`` of the same columns."""
    table = _table(table_name)
    unknown = sorted(columns - set(table.c.keys()))
    if unknown:
        raise ValueError(f"table {table_name!r} has no column {', '.join(unknown)}")
    compiled = sqlalchemy.insert(table).compile(
        dialect=_DIALECTS["sqlite"], column_keys=list(columns)
    )
    order = tuple(compiled.positiontup or ())
    preparer = _DIALECTS["postgresql"].identifier_preparer
    names = ", ".join(preparer.quote(name) for name in order)
    return order, str(compiled), f"COPY {preparer.quote(table_name)} ({names}) FROM STDIN"


Rows = Iterable[Mapping[str, Any]] | Iterable[tuple[Any, ...]]


def insert_rows(conn: Connection, table_name: str, rows: Rows) -> None:
    """Inserts every row into ``table_name`` of the store's schema, inside the caller's
    transaction. A row is a mapping (column -> value) or a named tuple (its fields are the
    columns); every row has the columns of the first. Columns left out take their defaults.

    On PostgreSQL one COPY: row-by-row inserts cost a round trip each (about 25 times slower
    for the seed's 200,000 movements). Named tuples in the table's column order are sent as
    they are: the cheapest form for a table of many rows.
    """
    iterator: Iterator[Any] = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    fields: tuple[str, ...] | None = getattr(first, "_fields", None)
    if isinstance(first, tuple) and fields is None:
        raise TypeError("a row is a mapping or a named tuple, not a bare tuple")
    names = fields if fields is not None else tuple(first)
    columns, insert_sql, copy_sql = _statements(table_name, frozenset(names))
    values: Iterable[Sequence[Any]]
    if fields == columns:
        values = chain((first,), iterator)
    else:
        # A mapping's values by name, or a named tuple's in the table's order.
        getter = itemgetter(*(columns if fields is None else map(fields.index, columns)))
        width = len(columns)

        def reordered() -> Iterator[Sequence[Any]]:
            for row in chain((first,), iterator):
                if len(row) != width:  # a missing column is a KeyError of the getter
                    raise ValueError(f"a row of {table_name!r} has other columns than {names}")
                found = getter(row)
                yield found if width > 1 else (found,)

        values = reordered()
    if conn.dialect == "sqlite":
        conn.executemany(insert_sql, values)
        return
    try:
        with conn.driver_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in values:
                copy.write_row(row)
    except _ANY_ERROR as exc:
        raise _translated(exc) from exc


def has_rows(conn: Connection, table_name: str, **equal: Any) -> bool:
    """Whether ``table_name`` holds a row (whose columns equal ``equal``, if given)."""
    table = _table(table_name)
    query: sqlalchemy.Select[Any] = (
        sqlalchemy.select(sqlalchemy.literal_column("1"))
        .select_from(table)
        .where(*(table.c[name] == value for name, value in equal.items()))
    )
    compiled = query.limit(1).compile(dialect=_DIALECTS["sqlite"])
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    return conn.execute(str(compiled), params).fetchone() is not None


@contextmanager
def bulk_load(conn: Connection) -> Iterator[Connection]:
    """Around the first load of a new database (the seed): SQLite keeps its rollback journal
    in memory with a large cache meanwhile (a new file has nothing to protect until the load
    commits: several times faster than WAL), and goes back to WAL after; PostgreSQL's id
    sequences continue after the ids the rows were given. Then the planner's statistics."""
    sqlite_file = conn.dialect == "sqlite"
    if sqlite_file:
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
    yield conn
    reset_sequences(conn)
    if sqlite_file:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA optimize")
    else:
        conn.execute("ANALYZE")
