"""One-time codes sent by e-mail (only their hashes) and the log of recovery requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Code:
    code_hash: str
    member_id: int
    expires_at: datetime
    used_at: datetime | None


def drop_unused(conn: Connection, member_id: int, purpose: str) -> None:
    conn.execute(
        "DELETE FROM codes WHERE member_id = ? AND purpose = ? AND used_at IS NULL",
        (member_id, purpose),
    )


def insert(
    conn: Connection,
    code_hash: str,
    member_id: int,
    purpose: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        """
        INSERT INTO codes (code_hash, member_id, purpose, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?)
        """,
        (code_hash, member_id, purpose, to_db(now), to_db(expires_at)),
    )


def find(conn: Connection, code_hash: str, purpose: str) -> Code | None:
    row = conn.execute(
        """
        SELECT code_hash, member_id, expires_at, used_at FROM codes
        WHERE code_hash = ? AND purpose = ?
        """,
        (code_hash, purpose),
    ).fetchone()
    return None if row is None else record(Code, row)


def mark_used(conn: Connection, code_hash: str, now: datetime) -> None:
    conn.execute("UPDATE codes SET used_at = ? WHERE code_hash = ?", (to_db(now), code_hash))


def log_recovery_request(
    conn: Connection, username: str, now: datetime, forget_before: datetime
) -> None:
    """Records a recovery request of ``username``; forgets those older than ``forget_before``."""
    conn.execute("DELETE FROM recovery_requests WHERE requested_at < ?", (to_db(forget_before),))
    conn.execute(
        "INSERT INTO recovery_requests (username, requested_at) VALUES (?, ?)",
        (username, to_db(now)),
    )


def recovery_requests_since(conn: Connection, username: str, since: datetime) -> int:
    (count,) = conn.execute(
        "SELECT COUNT(*) FROM recovery_requests WHERE username = ? AND requested_at > ?",
        (username, to_db(since)),
    ).fetchone()
    return int(count)
