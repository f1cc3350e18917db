"""The per-username failure count shared by login and recovery: 5 in a row lock the user."""

from __future__ import annotations

from datetime import datetime

from mock_server.api.errors import LOCKED_MESSAGE, ApiError
from mock_server.i18n import _
from mock_server.store import Connection
from mock_server.store.meta import to_db
from sjvirtual_tui.models import ErrorBody

# Failures in a row that lock a username (known or not).
MAX_FAILURES = 5


def failures(conn: Connection, username: str) -> int:
    row = conn.execute(
        "SELECT count FROM login_failures WHERE username = ?", (username,)
    ).fetchone()
    return 0 if row is None else int(row["count"])


def is_locked(
    conn: Connection, username: str, member_id: int | None, *, recovering: bool = False
) -> bool:
    """Locked by the count (any name) or by the member's flag (kept until a teller unlocks).

    ``recovering``: a lock by wrong PINs does not stop the member's own password recovery
    (the e-mailed code and both answers prove more than the password the PIN guesser had),
    which lifts it; a lock by failed logins or recoveries does.
    """
    if failures(conn, username) >= MAX_FAILURES:
        return True
    if member_id is None:
        return False
    row = conn.execute(
        "SELECT locked_at, lock_reason FROM members WHERE id = ?", (member_id,)
    ).fetchone()
    if row is None or row["locked_at"] is None:
        return False
    return not (recovering and row["lock_reason"] == "pin")


def record_failure(conn: Connection, username: str, member_id: int | None, now: datetime) -> int:
    """Counts one failure (inside the caller's write transaction); returns the new count."""
    conn.execute(
        """
        INSERT INTO login_failures (username, count, last_at) VALUES (?, 1, ?)
        ON CONFLICT (username)
        DO UPDATE SET count = login_failures.count + 1, last_at = excluded.last_at
        """,
        (username, to_db(now)),
    )
    count = failures(conn, username)
    if count >= MAX_FAILURES and member_id is not None:
        conn.execute(
            """
            UPDATE members SET locked_at = ?, lock_reason = 'login'
            WHERE id = ? AND locked_at IS NULL
            """,
            (to_db(now), member_id),
        )
    return count


def clear_failures(conn: Connection, username: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))


def locked_error() -> ApiError:
    return ApiError(423, "locked", _(LOCKED_MESSAGE))


def locked_body() -> ErrorBody:
    return ErrorBody(code="locked", message=_(LOCKED_MESSAGE))


def lock_member(conn: Connection, member_id: int, now: datetime) -> None:
    """The lock of wrong PINs (pin.wrong_pin): a teller lifts it, or the member's recovery.

    Every open session of the member ends with it (inside the caller's write transaction). A
    member locked already (by failed logins) keeps that lock and its reason.
    """
    conn.execute(
        "UPDATE members SET locked_at = ?, lock_reason = 'pin' WHERE id = ? AND locked_at IS NULL",
        (to_db(now), member_id),
    )
    conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL",
        (to_db(now), member_id),
    )


def unlock_member(conn: Connection, member_id: int, username: str) -> None:
    """A teller's unlock: every lock and count of the member cleared."""
    conn.execute(
        "UPDATE members SET locked_at = NULL, lock_reason = NULL, pin_failures = 0 WHERE id = ?",
        (member_id,),
    )
    clear_failures(conn, username)


def recovered(conn: Connection, member_id: int, username: str) -> None:
    """A completed recovery: the failure counts start over and a lock by wrong PINs goes."""
    conn.execute(
        """
        UPDATE members SET pin_failures = 0,
            locked_at = CASE WHEN lock_reason = 'pin' THEN NULL ELSE locked_at END,
            lock_reason = CASE WHEN lock_reason = 'pin' THEN NULL ELSE lock_reason END
        WHERE id = ?
        """,
        (member_id,),
    )
    clear_failures(conn, username)
