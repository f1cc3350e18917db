"""Failure counts per username (``login_failures``) and the members' lock flags."""

from __future__ import annotations

from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db


def failures(conn: Connection, username: str) -> int:
    row = conn.execute(
        "SELECT count FROM login_failures WHERE username = ?", (username,)
    ).fetchone()
    return 0 if row is None else int(row["count"])


def lock_reason(conn: Connection, member_id: int) -> str | None:
    """Why the member is locked ('login', 'pin'), or None when it is not."""
    row = conn.execute(
        "SELECT locked_at, lock_reason FROM members WHERE id = ?", (member_id,)
    ).fetchone()
    if row is None or row["locked_at"] is None:
        return None
    return str(row["lock_reason"] or "")


def count_failure(conn: Connection, username: str, now: datetime) -> int:
    """One more failure of ``username``; the new count."""
    conn.execute(
        """
        INSERT INTO login_failures (username, count, last_at) VALUES (?, 1, ?)
        ON CONFLICT (username)
        DO UPDATE SET count = login_failures.count + 1, last_at = excluded.last_at
        """,
        (username, to_db(now)),
    )
    return failures(conn, username)


def clear_failures(conn: Connection, username: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))


def lock(conn: Connection, member_id: int, reason: str, now: datetime) -> None:
    """Sets the member's lock, unless it is locked already (it keeps that lock's reason)."""
    conn.execute(
        "UPDATE members SET locked_at = ?, lock_reason = ? WHERE id = ? AND locked_at IS NULL",
        (to_db(now), reason, member_id),
    )


def unlock(conn: Connection, member_id: int) -> None:
    conn.execute(
        "UPDATE members SET locked_at = NULL, lock_reason = NULL, pin_failures = 0 WHERE id = ?",
        (member_id,),
    )


def lift_pin_lock(conn: Connection, member_id: int) -> None:
    """The PIN count starts over and a lock by wrong PINs goes (another lock stays)."""
    conn.execute(
        """
        UPDATE members SET pin_failures = 0,
            locked_at = CASE WHEN lock_reason = 'pin' THEN NULL ELSE locked_at END,
            lock_reason = CASE WHEN lock_reason = 'pin' THEN NULL ELSE lock_reason END
        WHERE id = ?
        """,
        (member_id,),
    )
