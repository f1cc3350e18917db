"""Sessions (by the SHA-256 of their token) and the members' known terminals (device tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Session:
    """A session and the member it belongs to."""

    last_seen_at: datetime
    ended_at: datetime | None
    member_id: int
    username: str
    role: str
    holder_id: int | None
    status: str


_SESSION = """
    SELECT s.last_seen_at, s.ended_at, m.id AS member_id, m.username, m.role, m.holder_id, m.status
    FROM sessions AS s JOIN members AS m ON m.id = s.member_id
    WHERE s.token_hash = ?
"""


def find(conn: Connection, token_hash: str) -> Session | None:
    row = conn.execute(_SESSION, (token_hash,)).fetchone()
    return None if row is None else record(Session, row)


def open_session(conn: Connection, token_hash: str, member_id: int, now: datetime) -> None:
    conn.execute(
        """
        INSERT INTO sessions (token_hash, member_id, created_at, last_seen_at)
        VALUES (?, ?, ?, ?)
        """,
        (token_hash, member_id, to_db(now), to_db(now)),
    )


def touch(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (to_db(now), token_hash)
    )


def end(conn: Connection, token_hash: str, now: datetime) -> None:
    """Ends one session (a session ended already keeps its end)."""
    conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        (to_db(now), token_hash),
    )


def end_all(conn: Connection, member_id: int, now: datetime) -> None:
    """Ends every open session of the member."""
    conn.execute(
        "UPDATE sessions SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL",
        (to_db(now), member_id),
    )


def see_device(conn: Connection, token_hash: str, member_id: int, now: datetime) -> bool:
    """Records ``now`` on the member's device token; False when it is not one of theirs."""
    row = conn.execute(
        """
        UPDATE device_tokens SET last_seen_at = ? WHERE token_hash = ? AND member_id = ?
        RETURNING token_hash
        """,
        (to_db(now), token_hash, member_id),
    ).fetchone()
    return row is not None


def add_device(conn: Connection, token_hash: str, member_id: int, now: datetime) -> None:
    conn.execute(
        """
        INSERT INTO device_tokens (token_hash, member_id, created_at, last_seen_at)
        VALUES (?, ?, ?, ?)
        """,
        (token_hash, member_id, to_db(now), to_db(now)),
    )
