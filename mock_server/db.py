"""Old home of the schema and the store's helpers: everything moved to :mod:`mock_server.store`
(kept while the callers move; import from the new places)."""

from __future__ import annotations

from pathlib import Path

from mock_server.store import Connection, Database, write_transaction
from mock_server.store.meta import (
    SECURITY_QUESTIONS,
    decoy_secret,
    dummy_password_hash,
    from_db,
    meta_value,
    renew_decoy_secret,
    to_db,
)
from mock_server.store.migrate import (
    OLDEST_MIGRATABLE,
    SCHEMA_VERSION,
    SchemaTooNewError,
    SchemaTooOldError,
    SchemaVersionError,
    init_db,
)

__all__ = [
    "OLDEST_MIGRATABLE",
    "SCHEMA_VERSION",
    "SECURITY_QUESTIONS",
    "SchemaTooNewError",
    "SchemaTooOldError",
    "SchemaVersionError",
    "connect",
    "decoy_secret",
    "dummy_password_hash",
    "from_db",
    "init_db",
    "meta_value",
    "renew_decoy_secret",
    "to_db",
    "write_transaction",
]


def connect(path: Path) -> Connection:
    """A connection to the SQLite file ``path`` (its own pool; for tools and tests)."""
    return Database(path, pooled=False).connect()
