"""One-time codes sent by e-mail: ESTABLECER CONTRASEÑA (24 h) and recovery (15 min)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from mock_server.domain.security import hash_code, new_code
from mock_server.store import Connection
from mock_server.store import codes as store
from mock_server.store.codes import Code

__all__ = ["Code", "Purpose", "find", "is_expired", "is_live", "issue", "mark_used"]

Purpose = Literal["set_password", "recovery"]

SET_PASSWORD_TTL = timedelta(hours=24)
RECOVERY_TTL = timedelta(minutes=15)


def issue(conn: Connection, member_id: int, purpose: Purpose, now: datetime, ttl: timedelta) -> str:
    """A new code for the member (inside the caller's transaction); only its hash is kept."""
    if purpose == "recovery":
        # A new recovery request replaces the previous code.
        store.drop_unused(conn, member_id, "recovery")
    code = new_code()
    store.insert(conn, hash_code(code), member_id, purpose, now, now + ttl)
    return code


def find(conn: Connection, code: str, purpose: Purpose) -> Code | None:
    """The stored code (used or not, expired or not) that ``code`` is, as typed."""
    return store.find(conn, hash_code(code), purpose)


def is_expired(row: Code, now: datetime) -> bool:
    return now >= row.expires_at


def is_live(row: Code | None, member_id: int | None, now: datetime) -> bool:
    """``row`` is a code of that member, unused and not expired."""
    return (
        row is not None
        and member_id is not None
        and row.member_id == member_id
        and row.used_at is None
        and not is_expired(row, now)
    )


def mark_used(conn: Connection, row: Code, now: datetime) -> None:
    store.mark_used(conn, row.code_hash, now)
