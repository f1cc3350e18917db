"""What the layers above the domain hold of the store: a database, its connections, a pool.

The API passes a :class:`Connection` from the request to the domain and keeps the server's
:class:`ConnectionPool`; it never reaches the store itself (the import-linter contract), and
the SQL stays behind the domain's use cases.
"""

from __future__ import annotations

from mock_server.store import Connection, Database
from mock_server.store.pool import ConnectionPool

__all__ = ["Connection", "ConnectionPool", "Database"]
