"""The audit log: every look at and every action on a member's file or access, by a member, a
teller, a supervisor or the server itself, recorded in the same transaction as the action (a
rolled-back action leaves no entry; a refusal worth recording is recorded with outcome
``refused`` in a transaction of its own by the caller).

``action`` is a short dotted name ("password.change", "card.block", "member.view"); ``detail``
a short text for people (never a secret: no password, PIN, code or answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from mock_server.store import Connection
from mock_server.store import audit as store
from mock_server.store.audit import AuditEntry

ActorKind = Literal["member", "teller", "supervisor", "system"]
Outcome = Literal["ok", "refused"]

__all__ = ["ActorKind", "AuditEntry", "Outcome", "entries", "record"]


def record(
    conn: Connection,
    *,
    actor_kind: ActorKind,
    actor: str,
    action: str,
    now: datetime,
    member_id: int | None = None,
    terminal: str | None = None,
    reason: str | None = None,
    outcome: Outcome = "ok",
    detail: str | None = None,
) -> int:
    """Appends one entry; its id."""
    return store.insert(
        conn,
        recorded_at=now,
        actor_kind=actor_kind,
        actor=actor,
        action=action,
        outcome=outcome,
        terminal=terminal,
        member_id=member_id,
        reason=reason,
        detail=detail,
    )


entries = store.entries
