"""The audit log's rows: written, read, never changed (the database refuses UPDATE and DELETE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class AuditEntry:
    id: int
    recorded_at: datetime
    actor_kind: str
    actor: str
    terminal: str | None
    action: str
    member_id: int | None
    reason: str | None
    outcome: str
    detail: str | None


_COLUMNS = (
    "id, recorded_at, actor_kind, actor, terminal, action, member_id, reason, outcome, detail"
)


def insert(
    conn: Connection,
    *,
    recorded_at: datetime,
    actor_kind: str,
    actor: str,
    action: str,
    outcome: str,
    terminal: str | None,
    member_id: int | None,
    reason: str | None,
    detail: str | None,
) -> int:
    row = conn.execute(
        """
        INSERT INTO audit_log
            (recorded_at, actor_kind, actor, terminal, action, member_id, reason, outcome, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id
        """,
        (
            to_db(recorded_at),
            actor_kind,
            actor,
            terminal,
            action,
            member_id,
            reason,
            outcome,
            detail,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def entries(
    conn: Connection,
    *,
    member_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first, filtered by whatever is given; ``before_id`` pages on (keyset)."""
    where: list[str] = []
    params: list[object] = []
    for column, value in (("member_id", member_id), ("actor", actor), ("action", action)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("recorded_at >= ?")
        params.append(to_db(since))
    if until is not None:
        where.append("recorded_at < ?")
        params.append(to_db(until))
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM audit_log {clause} ORDER BY id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [record(AuditEntry, row) for row in rows]
