"""The store: every SQL statement, on SQLite or PostgreSQL (:mod:`mock_server.store.engine`)."""

from mock_server.store.engine import (
    URL,
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
    "URL",
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
