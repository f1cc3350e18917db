"""The per-username failure count shared by login and recovery: 5 in a row lock the user."""

from __future__ import annotations

from datetime import datetime

from mock_server.domain.errors import Locked
from mock_server.i18n import N_, _
from mock_server.store import Connection
from mock_server.store import lockout as store
from mock_server.store import sessions as session_store

LOCKED_MESSAGE = N_(
    "Usuario bloqueado por intentos fallidos. Comuníquese con la cooperativa para desbloquearlo."
)

# Failures in a row that lock a username (known or not).
MAX_FAILURES = 5


def failures(conn: Connection, username: str) -> int:
    return store.failures(conn, username)


def is_locked(
    conn: Connection, username: str, member_id: int | None, *, recovering: bool = False
) -> bool:
    """Locked by the count (any name) or by the member's flag (kept until a teller unlocks).

    ``recovering``: a lock by wrong PINs does not stop the member's own password recovery
    (the e-mailed code and both answers prove more than the password the PIN guesser had),
    which lifts it; a lock by failed logins or recoveries does.
    """
    if store.failures(conn, username) >= MAX_FAILURES:
        return True
    if member_id is None:
        return False
    reason = store.lock_reason(conn, member_id)
    if reason is None:
        return False
    return not (recovering and reason == "pin")


def record_failure(conn: Connection, username: str, member_id: int | None, now: datetime) -> int:
    """Counts one failure (inside the caller's write transaction); returns the new count."""
    count = store.count_failure(conn, username, now)
    if count >= MAX_FAILURES and member_id is not None:
        store.lock(conn, member_id, "login", now)
    return count


def clear_failures(conn: Connection, username: str) -> None:
    store.clear_failures(conn, username)


def locked_error() -> Locked:
    return Locked("locked", _(LOCKED_MESSAGE))


def lock_member(conn: Connection, member_id: int, now: datetime) -> None:
    """The lock of wrong PINs (pin.wrong_pin): a teller lifts it, or the member's recovery.

    Every open session of the member ends with it (inside the caller's write transaction). A
    member locked already (by failed logins) keeps that lock and its reason.
    """
    store.lock(conn, member_id, "pin", now)
    session_store.end_all(conn, member_id, now)


def unlock_member(conn: Connection, member_id: int, username: str) -> None:
    """A teller's unlock: every lock and count of the member cleared."""
    store.unlock(conn, member_id)
    store.clear_failures(conn, username)


def recovered(conn: Connection, member_id: int, username: str) -> None:
    """A completed recovery: the failure counts start over and a lock by wrong PINs goes."""
    store.lift_pin_lock(conn, member_id)
    store.clear_failures(conn, username)
