"""The tests' one way to read the database directly (and to change it behind the server's back,
for the faults a test sets up), on either engine: ``db`` is what ``seeded_db`` gives, an SQLite
file's path or a PostgreSQL URL, opened through the server's own store
(:class:`mock_server.store.Database`), so SQL is written once with ``?`` placeholders.

Connections run in autocommit (every statement is committed as it runs); rows answer
``row["column"]`` and ``row[0]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mock_server.store.engine import Connection, Database

DB = Path | str


def server_args(db: DB) -> list[str]:
    """How ``python -m mock_server`` is told to use ``db``: ``--db PATH`` or ``--database-url``."""
    if isinstance(db, str) and "://" in db:
        return ["--database-url", db]
    return ["--db", str(db)]


def connect(db: DB) -> Connection:
    """A connection of its own (no pool: ``close()`` or the end of a ``with`` closes it)."""
    return Database(db, pooled=False).connect()


def dialect(db: DB) -> str:
    """``sqlite`` or ``postgresql``."""
    return Database(db, pooled=False).dialect


def rows(db: DB, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with connect(db) as conn:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]


def row(db: DB, sql: str, *params: object) -> tuple[Any, ...] | None:
    with connect(db) as conn:
        found = conn.execute(sql, params).fetchone()
        return None if found is None else tuple(found)


def scalar(db: DB, sql: str, *params: object) -> Any:
    """The first column of the first row (None when there is none)."""
    found = row(db, sql, *params)
    return None if found is None else found[0]


def execute(db: DB, sql: str, *params: object) -> int:
    """One statement, committed; the number of rows it changed."""
    with connect(db) as conn:
        return int(conn.execute(sql, params).rowcount)


def counts(db: DB, *tables: str) -> dict[str, int]:
    """Rows per table: what a refused request must leave as it was."""
    return {table: int(scalar(db, f"SELECT COUNT(*) FROM {table}")) for table in tables}


def ledger_problems_of(db: DB) -> list[str]:
    from mock_server.domain.ledger import ledger_problems

    with connect(db) as conn:
        return ledger_problems(conn)


def raw_files(db: DB) -> list[Path]:
    """The files that hold ``db``'s bytes, for a test that a secret is stored nowhere in clear:
    the SQLite file and its write-ahead log; PostgreSQL's files of the database and the cluster's
    write-ahead log, after a CHECKPOINT (so what is only in PostgreSQL's memory is on disk)."""
    if dialect(db) == "sqlite":
        return [path for path in (Path(db), Path(f"{db}-wal")) if path.exists()]
    with connect(db) as conn:
        conn.execute("CHECKPOINT")
        data = Path(conn.execute("SHOW data_directory").fetchone()[0])
        oid = conn.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).fetchone()[0]
    files = [*(data / "base" / str(oid)).iterdir(), *(data / "pg_wal").iterdir()]
    return sorted(path for path in files if path.is_file())


def tables(db: DB) -> list[str]:
    """The names of the database's tables (the server's schema, in any order)."""
    if dialect(db) == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return [str(name) for (name,) in rows(db, sql)]


def dump(db: DB) -> str:
    """Every value of every table as text, one row a line: what a secret must never be in."""
    with connect(db) as conn:
        return "\n".join(
            " | ".join(str(value) for value in found)
            for table in tables(db)
            for found in conn.execute(f'SELECT * FROM "{table}"').fetchall()
        )


def columns(db: DB, table: str) -> list[str]:
    """The names of a table's columns, in order."""
    with connect(db) as conn:
        cursor: Any = conn.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return [column[0] for column in cursor.description]
