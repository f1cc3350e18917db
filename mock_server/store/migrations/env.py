"""Alembic's environment: run from :mod:`mock_server.store.migrate` with a connection given in
``config.attributes["connection"]`` (no alembic.ini), or from the ``alembic`` command with
``sqlalchemy.url`` set."""

from __future__ import annotations

import sqlalchemy
from alembic import context

from mock_server.store.migrations import MIGRATION_LOCK_KEY
from mock_server.store.schema import metadata


def _run(connection: sqlalchemy.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters a table by copying it: later revisions use op.batch_alter_table.
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line
    engine = sqlalchemy.create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        _run(fresh)
