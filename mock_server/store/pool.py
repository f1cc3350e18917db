"""The server's connections to its database, kept between requests (the engine's pool)."""

from __future__ import annotations

from mock_server.store.engine import Connection, Database


class ConnectionPool:
    """A connection goes back with no transaction open (:meth:`Connection.close` rolls one
    back)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def acquire(self) -> Connection:
        return self.database.connect()

    def release(self, conn: Connection) -> None:
        conn.close()

    def idle_count(self) -> int:
        return int(self.database.engine.pool.checkedin())  # type: ignore[attr-defined]

    def open(self) -> None:
        """Nothing to do: the pool opens connections as they are asked for."""

    def close(self) -> None:
        """Closes the idle connections (the last one to an SQLite file checkpoints its log); a
        connection still in use is closed when it comes back."""
        self.database.dispose()
