"""Carried out once: an effect and the answer stored under its key commit together.

The HTTP side (the ``Idempotency-Key`` header, the request's fingerprint, the replayed
response) is :mod:`mock_server.api.idempotency`'s; this is the rule it rests on: the effect
and its key's row are written in ONE write transaction (:func:`once`), so a retry finds
either both or neither. A refusal changes nothing: it is stored alone (:func:`keep`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
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
    keys: Iterable[Hashable] | None = None,
) -> T:
    """``replay`` of the answer stored under the key, or ``effect``'s answer, stored with the
    effect in one transaction. An exception of ``effect`` rolls both back.

    ``keys``: the effect may run beside other writers (see ``write_transaction``); it locks
    what it reads to decide and writes (its rows, ``FOR NO KEY UPDATE``), and the idempotency key
    itself is one of the keys, so that two requests with the same key still queue."""
    with write_transaction(conn, _with_key(keys, scope, key)):
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
    keys: Iterable[Hashable] | None = None,
) -> T:
    """Stores a refusal under the key in a transaction of its own (its effect rolled back),
    so that a retry is refused the same way; a key answered in between is replayed."""
    with write_transaction(conn, _with_key(keys, scope, key)):
        stored = store.find(conn, scope, key)
        if stored is not None:
            return replay(stored)
        _check(refusal)
        store.insert(conn, scope, key, refusal, now())
    return answer(refusal)


def _with_key(keys: Iterable[Hashable] | None, scope: str, key: str) -> list[Hashable] | None:
    """The write transaction's keys: none (writers one after another), or the given ones and
    the idempotency key's."""
    return None if keys is None else [*keys, ("idempotency", scope, key)]


def _check(stored: Stored) -> None:
    if not 200 <= stored.status < 500:
        raise RuntimeError(f"an idempotent effect answered {stored.status}")
