"""The seed's one error."""

from __future__ import annotations


class SeedError(RuntimeError):
    """The seed cannot be written (a database that has data) or came out wrong."""
