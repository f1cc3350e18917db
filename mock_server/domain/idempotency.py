"""Carried out once: an effect and the answer stored under its key commit together.

The HTTP side (the ``Idempotency-Key`` header, the request's fingerprint, the replayed
response) is :mod:`mock_server.api.idempotency`'s; this is the rule it rests on: the effect
and its key's row are written in ONE write transaction (:func:`once`), so a retry finds
either both or neither. A refusal changes nothing: it is stored alone (:func:`keep`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from mock_server.store import Connection, write_transaction
from mock_server.store import idempotency as store
from mock_server.store.idempotency import Stored

__all__ = ["Stored", "find", "keep", "once"]

T = TypeVar("T")


def find(conn: Connection, scope: str, key: str) -> Stored | None:
    """What is stored under the key (answers never change: no transaction needed)."""
    return store.find(conn, scope, key)


def once(
    conn: Connection,
    scope: str,
    key: str,
    effect: Callable[[], Stored],
    replay: Callable[[Stored], T],
    answer: Callable[[Stored], T],
    now: Callable[[], datetime],
) -> T:
    """``replay`` of the answer stored under the key, or ``effect``'s answer, stored with the
    effect in one transaction. An exception of ``effect`` rolls both back."""
    with write_transaction(conn):
        stored = store.find(conn, scope, key)
        if stored is not None:  # the same key committed while we prepared (or before)
            return replay(stored)
        done = effect()
        _check(done)
        store.insert(conn, scope, key, done, now())
        return answer(done)


def keep(
    conn: Connection,
    scope: str,
    key: str,
    refusal: Stored,
    replay: Callable[[Stored], T],
    answer: Callable[[Stored], T],
    now: Callable[[], datetime],
) -> T:
    """Stores a refusal under the key in a transaction of its own (its effect rolled back),
    so that a retry is refused the same way; a key answered in between is replayed."""
    with write_transaction(conn):
        stored = store.find(conn, scope, key)
        if stored is not None:
            return replay(stored)
        _check(refusal)
        store.insert(conn, scope, key, refusal, now())
    return answer(refusal)


def _check(stored: Stored) -> None:
    if not 200 <= stored.status < 500:
        raise RuntimeError(f"an idempotent effect answered {stored.status}")
