"""Four eyes: the requests a supervisor approves or rejects (table ``approvals``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Approval:
    id: int
    kind: str
    member_id: int | None
    member_username: str | None
    payload: str  # the kind's JSON
    requested_by: int
    requested_by_username: str
    requested_at: datetime
    terminal: str | None
    request_reason: str
    status: str
    decided_by: int | None
    decided_by_username: str | None
    decided_at: datetime | None
    reason: str | None


_SELECT = """
    SELECT a.id, a.kind, a.member_id, m.username AS member_username, a.payload,
           a.requested_by, r.username AS requested_by_username, a.requested_at, a.terminal,
           a.request_reason, a.status, a.decided_by, d.username AS decided_by_username,
           a.decided_at, a.reason
    FROM approvals AS a
    JOIN members AS r ON r.id = a.requested_by
    LEFT JOIN members AS m ON m.id = a.member_id
    LEFT JOIN members AS d ON d.id = a.decided_by
"""


def insert(
    conn: Connection,
    *,
    kind: str,
    member_id: int | None,
    payload: str,
    requested_by: int,
    requested_at: datetime,
    terminal: str | None,
    request_reason: str,
) -> int:
    row = conn.execute(
        """
        INSERT INTO approvals
            (kind, member_id, payload, requested_by, requested_at, terminal, request_reason,
             status)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'pendiente')
        RETURNING id
        """,
        (kind, member_id, payload, requested_by, to_db(requested_at), terminal, request_reason),
    ).fetchone()
    assert row is not None
    return int(row[0])


def get(conn: Connection, approval_id: int) -> Approval | None:
    row = conn.execute(f"{_SELECT} WHERE a.id = ?", (approval_id,)).fetchone()
    return None if row is None else record(Approval, row)


def listing(conn: Connection, status: str | None, limit: int) -> list[Approval]:
    """Oldest first (a queue), of ``status`` or all."""
    rows = conn.execute(
        f"{_SELECT} WHERE ? IS NULL OR a.status = ? ORDER BY a.requested_at, a.id LIMIT ?",
        (status, status, limit),
    ).fetchall()
    return [record(Approval, row) for row in rows]


def pending_of(conn: Connection, kind: str, member_id: int) -> Approval | None:
    row = conn.execute(
        f"{_SELECT} WHERE a.kind = ? AND a.member_id = ? AND a.status = 'pendiente'",
        (kind, member_id),
    ).fetchone()
    return None if row is None else record(Approval, row)


def decide(
    conn: Connection,
    approval_id: int,
    *,
    status: str,
    decided_by: int,
    decided_at: datetime,
    reason: str | None,
) -> bool:
    """Decides a pending request; False when it was no longer pending (a race lost)."""
    row = conn.execute(
        """
        UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, reason = ?
        WHERE id = ? AND status = 'pendiente'
        RETURNING id
        """,
        (status, decided_by, to_db(decided_at), reason, approval_id),
    ).fetchone()
    return row is not None
