"""Whole PostgreSQL databases on one server: made, copied, renamed, dropped (the seed's
templates and the tests' fresh copies), checked for tables and wiped (the server's --fresh).
SQLite's counterparts are files (:mod:`mock_server.store.sqlite_files`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mock_server.store.engine import Connection, Database, write_transaction


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def on_server(database: Database, name: str) -> Database:
    """Database ``name`` on ``database``'s server, with the same user and options."""
    if database.dialect != "postgresql":
        raise ValueError("only PostgreSQL databases are made, copied or renamed here")
    return Database(database.url.set(database=name))


@contextmanager
def _maintenance(database: Database) -> Iterator[Connection]:
    """A connection to the server's ``postgres`` database (CREATE/DROP DATABASE run outside
    any transaction, on a database other than the one they change)."""
    admin = Database(on_server(database, "postgres").url, pooled=False)
    try:
        with admin.connection() as conn:
            yield conn
    finally:
        admin.dispose()


def exists(database: Database) -> bool:
    with _maintenance(database) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = ?", (str(database.url.database),)
        ).fetchone()
    return row is not None


def create(database: Database) -> None:
    with _maintenance(database) as conn:
        conn.execute(f"CREATE DATABASE {_quote_identifier(str(database.url.database))}")


def drop(database: Database) -> None:
    """Drops the database if it exists (its pooled connections are closed first)."""
    database.dispose()
    with _maintenance(database) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(str(database.url.database))}")


def rename(database: Database, name: str) -> Database:
    """Renames the database (atomic; fails if ``name`` exists); nobody may be connected."""
    database.dispose()
    with _maintenance(database) as conn:
        conn.execute(
            f"ALTER DATABASE {_quote_identifier(str(database.url.database))}"
            f" RENAME TO {_quote_identifier(name)}"
        )
    return on_server(database, name)


def copy(source: Database, name: str) -> Database:
    """A new PostgreSQL database ``name``, a copy of ``source`` (``CREATE DATABASE ... TEMPLATE``:
    a file-level copy, far faster than seeding again), on the same server. Nobody may be
    connected to ``source`` meanwhile: its pooled connections are closed first. An existing
    ``name`` is replaced."""
    target = on_server(source, name)
    source.dispose()
    with _maintenance(source) as conn:
        quoted = _quote_identifier(name)
        conn.execute(f"DROP DATABASE IF EXISTS {quoted}")
        conn.execute(
            f"CREATE DATABASE {quoted} TEMPLATE {_quote_identifier(str(source.url.database))}"
        )
    return target


def has_tables(database: Database) -> bool:
    """Whether the database's current schema (PostgreSQL) holds a table: a database with none
    is new (the server seeds it)."""
    with database.connection() as conn:
        row = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() LIMIT 1"
        ).fetchone()
    return row is not None


# What wipe drops, in an order that needs the fewest cascades.
_SCHEMA_OBJECTS = (
    (
        "VIEW",
        "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()",
    ),
    ("TABLE", "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"),
    (
        "SEQUENCE",
        "SELECT sequence_name FROM information_schema.sequences "
        "WHERE sequence_schema = current_schema()",
    ),
    (
        "TYPE",
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = current_schema() AND t.typtype = 'e'",
    ),
)


def wipe(database: Database) -> None:
    """Drops every table, view, sequence and enum type of the database's current schema (its
    own schema, not the database: the role needs no right to create databases)."""
    # In a write transaction: all or nothing, and after any writer still running.
    with database.connection() as conn, write_transaction(conn):
        for kind, sql in _SCHEMA_OBJECTS:
            for (name,) in conn.execute(sql).fetchall():
                conn.execute(f"DROP {kind} IF EXISTS {_quote_identifier(str(name))} CASCADE")
