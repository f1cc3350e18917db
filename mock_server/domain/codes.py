"""One-time codes sent by e-mail: ESTABLECER CONTRASEÑA (24 h) and recovery (15 min)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from mock_server.domain.security import hash_code, new_code
from mock_server.store import Connection, Row
from mock_server.store.meta import from_db, to_db

Purpose = Literal["set_password", "recovery"]

SET_PASSWORD_TTL = timedelta(hours=24)
RECOVERY_TTL = timedelta(minutes=15)


def issue(conn: Connection, member_id: int, purpose: Purpose, now: datetime, ttl: timedelta) -> str:
    """A new code for the member (inside the caller's transaction); only its hash is kept."""
    if purpose == "recovery":
        # A new recovery request replaces the previous code.
        conn.execute(
            """
            DELETE FROM codes
            WHERE member_id = ? AND purpose = 'recovery' AND used_at IS NULL
            """,
            (member_id,),
        )
    code = new_code()
    conn.execute(
        """
        INSERT INTO codes (code_hash, member_id, purpose, created_at, expires_at)
        VALUES (?, ?, ?, ?, ?)
        """,
        (hash_code(code), member_id, purpose, to_db(now), to_db(now + ttl)),
    )
    return code


def find(conn: Connection, code: str, purpose: Purpose) -> Row | None:
    """The stored code (used or not, expired or not) that ``code`` is, as typed."""
    row: Row | None = conn.execute(
        """
        SELECT code_hash, member_id, expires_at, used_at FROM codes
        WHERE code_hash = ? AND purpose = ?
        """,
        (hash_code(code), purpose),
    ).fetchone()
    return row


def is_expired(row: Row, now: datetime) -> bool:
    return now >= from_db(row["expires_at"])


def mark_used(conn: Connection, row: Row, now: datetime) -> None:
    conn.execute("UPDATE codes SET used_at = ? WHERE code_hash = ?", (to_db(now), row["code_hash"]))
