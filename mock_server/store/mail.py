"""The outbox: every e-mail the server "sent"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Mail:
    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime


def insert(
    conn: Connection,
    to: str,
    member_id: int | None,
    subject: str,
    body: str,
    now: datetime,
    *,
    event_id: int | None = None,
) -> None:
    """``event_id``: the notification the e-mail is written from (issue 17)."""
    conn.execute(
        """
        INSERT INTO outbox (to_address, member_id, subject, body, created_at, event_id)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        (to, member_id, subject, body, to_db(now), event_id),
    )


def newest_first(conn: Connection) -> list[Mail]:
    rows = conn.execute(
        "SELECT id, to_address, subject, body, created_at FROM outbox ORDER BY id DESC"
    ).fetchall()
    return [record(Mail, row) for row in rows]
