"""Bringing a database to the current schema, on SQLite and PostgreSQL.

One mechanism: Alembic's revisions (:mod:`mock_server.store.migrations`), run in code (no
alembic.ini). A file of the old server (schema 4 to 6, hand-written migrations) is first brought
to schema 6 by :mod:`mock_server.store.legacy` and stamped with revision ``0001``, which is
schema 6. Everything happens in one transaction, writers excluded (SQLite: ``BEGIN
IMMEDIATE``; PostgreSQL: transactional DDL and an advisory lock), so two processes starting at
once migrate one after the other and a failure leaves the database as it was.

A database already at the head costs one SELECT, and Alembic is not even imported.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy
from argon2 import PasswordHasher
from sqlalchemy.pool import NullPool

from mock_server.store import legacy
from mock_server.store.engine import (
    Connection,
    Database,
    StoreError,
    connect_sqlite,
    safe_url,
)
from mock_server.store.migrations import HEAD, MIGRATION_LOCK_KEY

if TYPE_CHECKING:
    from alembic.config import Config

# The schema version of the old hand-written line this code knows (the meta row migration
# 0001 writes; a revision an older server could not use raises it).
SCHEMA_VERSION = legacy.SCHEMA_VERSION
OLDEST_MIGRATABLE = legacy.OLDEST_MIGRATABLE

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaVersionError(RuntimeError):
    """The database was made by another version of the server."""


class SchemaTooNewError(SchemaVersionError):
    pass


class SchemaTooOldError(SchemaVersionError):
    pass


def alembic_config(connection: sqlalchemy.Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the scripts are read from the installed package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _where(database: Database) -> str:
    return str(database.path) if database.path is not None else safe_url(database.url)


def _up_to_date(conn: Connection) -> bool:
    """One SELECT: the revision is the head and the per-database secrets are written."""
    try:
        row = conn.execute(
            "SELECT (SELECT version_num FROM alembic_version),"
            " (SELECT value FROM meta WHERE key = 'dummy_password_hash')"
        ).fetchone()
    except StoreError:  # no such table (a new or an old file), or several heads
        return False
    return row is not None and row[0] == HEAD and row[1] is not None


def _migration_engine(database: Database) -> sqlalchemy.Engine:
    """An engine of its own, one connection, whose transactions really begin at BEGIN (the
    store's connections run in autocommit)."""
    if database.dialect == "postgresql":
        return sqlalchemy.create_engine(database.url, poolclass=NullPool)
    path = str(database.path)
    engine = sqlalchemy.create_engine("sqlite://", creator=lambda: connect_sqlite(path))

    @sqlalchemy.event.listens_for(engine, "begin")
    def _begin(conn: sqlalchemy.Connection) -> None:
        # The write lock up front: a second process waits here, then finds the work done.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _tables(conn: sqlalchemy.Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    return {str(row[0]) for row in conn.exec_driver_sql(sql)}


def init_db(database: Path | str | Database, hasher: PasswordHasher | None = None) -> None:
    """Creates the schema in a new database, or brings an existing one up to date (an old
    server's file from schema :data:`OLDEST_MIGRATABLE` on); refuses one made by a newer
    server (:class:`SchemaTooNewError`) or too old to migrate (:class:`SchemaTooOldError`)."""
    owned = not isinstance(database, Database)
    db = database if isinstance(database, Database) else Database(database, pooled=False)
    try:
        conn = db.connect()
        try:
            if _up_to_date(conn):
                return
        finally:
            conn.close()
        engine = _migration_engine(db)
        try:
            with engine.connect() as connection, connection.begin():
                _migrate(connection, _where(db), hasher)
        finally:
            engine.dispose()
    finally:
        if owned:
            db.dispose()


def _migrate(conn: sqlalchemy.Connection, where: str, hasher: PasswordHasher | None) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    config = alembic_config(conn)
    tables = _tables(conn)
    if "alembic_version" in tables:
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        for (revision,) in conn.exec_driver_sql("SELECT version_num FROM alembic_version"):
            if revision not in known:
                raise SchemaTooNewError(
                    f"{where} has schema revision {revision}; this server knows {HEAD}. "
                    "Use a newer sjvirtual-mock-server or --fresh."
                )
    elif "meta" in tables:
        _upgrade_legacy(conn, where)
        command.stamp(config, "0001")
    command.upgrade(config, "head")
    _write_secrets(conn, hasher)


def _upgrade_legacy(conn: sqlalchemy.Connection, where: str) -> None:
    """An old server's file (no alembic_version): to schema 6 by its own migrations."""
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = 0 if row is None else int(row[0])
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{where} has schema version {version}; this server knows "
            f"{SCHEMA_VERSION}. Use a newer sjvirtual-mock-server or --fresh."
        )
    if version < OLDEST_MIGRATABLE or conn.dialect.name != "sqlite":
        # Mock data this old has nothing worth migrating: a fresh seed replaces it. (The old
        # server only ever wrote SQLite files.)
        raise SchemaTooOldError(
            f"{where} has schema version {version}, older than this server's "
            f"{SCHEMA_VERSION}. Start with --fresh to replace it with a new seed."
        )

    def execute(sql: str, params: Any = ()) -> None:
        conn.exec_driver_sql(sql, params)

    legacy.upgrade_to_6(execute, version)


def _write_secrets(conn: sqlalchemy.Connection, hasher: PasswordHasher | None) -> None:
    # The decoy secret must survive restarts (stable decoys), so it lives in the database.
    conn.execute(
        sqlalchemy.text(
            "INSERT INTO meta (key, value) VALUES ('decoy_secret', :value)"
            " ON CONFLICT (key) DO NOTHING"
        ),
        {"value": secrets.token_hex(32)},
    )
    present = conn.execute(
        sqlalchemy.text("SELECT 1 FROM meta WHERE key = 'dummy_password_hash'")
    ).fetchone()
    if present is None:
        # Verified for unknown usernames so that a failed login takes as long whether or not
        # the name exists. Made once per database: a hash costs as much as a verify.
        conn.execute(
            sqlalchemy.text("INSERT INTO meta (key, value) VALUES ('dummy_password_hash', :value)"),
            {"value": (hasher or PasswordHasher()).hash(secrets.token_urlsafe(16))},
        )


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: every id sequence continues after the largest id its table holds (after rows
    were written with explicit ids, as the seed does). SQLite needs nothing: a rowid follows the
    largest one."""
    if conn.dialect != "postgresql":
        return
    from mock_server.store.ledger import POSTING_SEQUENCE
    from mock_server.store.schema import metadata

    for table in metadata.sorted_tables:
        if "id" not in table.c or table.c.id.autoincrement is not True:
            continue
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )
    # And the postings' numbers (migration 0003) continue after the largest one stored.
    conn.execute(
        f"SELECT setval('{POSTING_SEQUENCE}',"
        " COALESCE((SELECT MAX(seq) FROM movements), 0) + 1, false)"
    )
