"""The store's timestamp text, for the layers above that read stored rows (no other internals)."""

from mock_server.store.meta import from_db, to_db

__all__ = ["from_db", "to_db"]
