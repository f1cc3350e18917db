"""The per-username failure count shared by login and recovery: 5 in a row lock the user."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from mock_server import db
from mock_server.errors import LOCKED_MESSAGE, ApiError
from mock_server.i18n import _
from sjvirtual_tui.models import ErrorBody

# Failures in a row that lock a username (known or not).
MAX_FAILURES = 5


def failures(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute(
        "SELECT count FROM login_failures WHERE username = ?", (username,)
    ).fetchone()
    return 0 if row is None else int(row["count"])


def is_locked(conn: sqlite3.Connection, username: str, member_id: int | None) -> bool:
    """Locked by the count (any name) or by the member's flag (kept until a teller unlocks)."""
    if failures(conn, username) >= MAX_FAILURES:
        return True
    if member_id is None:
        return False
    row = conn.execute("SELECT locked_at FROM members WHERE id = ?", (member_id,)).fetchone()
    return row is not None and row["locked_at"] is not None


def record_failure(
    conn: sqlite3.Connection, username: str, member_id: int | None, now: datetime
) -> int:
    """Counts one failure (inside the caller's write transaction); returns the new count."""
    conn.execute(
        """
        INSERT INTO login_failures (username, count, last_at) VALUES (?, 1, ?)
        ON CONFLICT (username) DO UPDATE SET count = count + 1, last_at = excluded.last_at
        """,
        (username, db.to_db(now)),
    )
    count = failures(conn, username)
    if count >= MAX_FAILURES and member_id is not None:
        conn.execute(
            "UPDATE members SET locked_at = ? WHERE id = ? AND locked_at IS NULL",
            (db.to_db(now), member_id),
        )
    return count


def clear_failures(conn: sqlite3.Connection, username: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))


def locked_error() -> ApiError:
    return ApiError(423, "locked", _(LOCKED_MESSAGE))


def locked_body() -> ErrorBody:
    return ErrorBody(code="locked", message=_(LOCKED_MESSAGE))


def lock_member(conn: sqlite3.Connection, member_id: int, now: datetime) -> None:
    """The lock of failed logins, set by other means (wrong PINs): a teller lifts it.

    Every open session of the member ends with it (inside the caller's write transaction).
    """
    conn.execute(
        "UPDATE members SET locked_at = ? WHERE id = ? AND locked_at IS NULL",
        (db.to_db(now), member_id),
    )
    conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL",
        (db.to_db(now), member_id),
    )
