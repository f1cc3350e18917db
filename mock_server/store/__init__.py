"""The store: every SQL statement, on SQLite or PostgreSQL (:mod:`mock_server.store.engine`)."""

from mock_server.store.engine import (
    Connection,
    Cursor,
    Database,
    IntegrityError,
    Row,
    StoreError,
    Unavailable,
    database_url,
    safe_url,
    write_transaction,
)

__all__ = [
    "Connection",
    "Cursor",
    "Database",
    "IntegrityError",
    "Row",
    "StoreError",
    "Unavailable",
    "database_url",
    "safe_url",
    "write_transaction",
]
