"""Four eyes: what a teller asks and a supervisor approves or rejects before it is done.

A teller's request (a reset of a member's security, a withdrawal above the threshold, the
reversal of a counter operation) is stored as a pending *approval* of a kind; a supervisor who
is not the person who asked approves it (and the kind's executor carries it out in the same
transaction) or rejects it with a reason. The rule "never the same person for both steps" is
checked here, on the server, and again by a CHECK of the table. Every step is audited in its
own transaction's ``audit_log``.

A new kind is one line at import time of the module that implements it::

    approvals.register("cash_withdrawal", execute, describe=describe, reject=reject)

``execute(conn, approval, now)`` runs inside the approval's write transaction (raise a
:class:`~mock_server.domain.errors.DomainError` to refuse: nothing is approved then);
``describe(approval)`` (optional) is the short line a supervisor reads in the queue;
``reject(conn, approval, now)`` (optional) runs when a supervisor rejects one, in the same
transaction (what the kind left waiting is marked refused).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from mock_server.domain import audit
from mock_server.domain.errors import Conflict, Forbidden, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.text import clean_text
from mock_server.i18n import N_, _
from mock_server.store import Connection, write_transaction
from mock_server.store import approvals as store
from mock_server.store.approvals import Approval
from sjvirtual_tui.models import Role

__all__ = [
    "EXECUTORS",
    "Approval",
    "Executor",
    "decide",
    "describe",
    "get",
    "listing",
    "payload_of",
    "register",
    "request",
]

Executor = Callable[[Connection, Approval, datetime], None]
Describer = Callable[[Approval], str]

# kind -> what approving it does (in the approval's transaction).
EXECUTORS: dict[str, Executor] = {}
# kind -> the line a supervisor reads (translated when called).
DESCRIBERS: dict[str, Describer] = {}
# kind -> what rejecting it does (in the rejection's transaction); most kinds need nothing.
REJECTERS: dict[str, Executor] = {}

SAME_PERSON_MESSAGE = N_(
    "Usted pidió esta operación: la debe aprobar o rechazar otro supervisor (cuatro ojos)."
)
SUPERVISOR_ONLY_MESSAGE = N_("Solo un supervisor puede aprobar o rechazar solicitudes.")
MIN_REASON = 5


def register(
    kind: str,
    execute: Executor,
    *,
    describe: Describer | None = None,
    reject: Executor | None = None,
) -> None:
    """Makes ``kind`` a kind of approval: ``execute`` runs when a supervisor approves one,
    ``reject`` (if any) when a supervisor rejects one."""
    if EXECUTORS.get(kind, execute) is not execute:
        raise ValueError(f"approval kind {kind!r} already has another executor")
    EXECUTORS[kind] = execute
    if describe is not None:
        DESCRIBERS[kind] = describe
    if reject is not None:
        REJECTERS[kind] = reject


def payload_of(approval: Approval) -> dict[str, Any]:
    value = json.loads(approval.payload)
    assert isinstance(value, dict)
    return value


def describe(approval: Approval) -> str:
    describer = DESCRIBERS.get(approval.kind)
    return describer(approval) if describer is not None else approval.kind


def _actor_kind(staff: CurrentMember) -> audit.ActorKind:
    return "supervisor" if staff.role is Role.SUPERVISOR else "teller"


def reason_text(reason: str | None, field: str = "reason") -> str:
    """A reason as stored: spaces tidied, at least :data:`MIN_REASON` characters."""
    return clean_text(reason or "", field, _("Motivo"), minimum=MIN_REASON)


def get(conn: Connection, approval_id: int) -> Approval:
    row = store.get(conn, approval_id)
    if row is None:
        raise NotFound("not_found", _("Solicitud de aprobación no encontrada."))
    return row


def listing(conn: Connection, status: str | None, limit: int = 200) -> list[Approval]:
    return store.listing(conn, status, limit)


def request(
    conn: Connection,
    kind: str,
    requested_by: CurrentMember,
    member_id: int | None,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    reason: str,
    terminal: str | None = None,
) -> Approval:
    """A pending approval of ``kind`` (in the caller's write transaction), audited."""
    if kind not in EXECUTORS:
        raise ValueError(f"no executor registered for approval kind {kind!r}")
    reason = reason_text(reason)
    approval_id = store.insert(
        conn,
        kind=kind,
        member_id=member_id,
        payload=json.dumps(dict(payload), ensure_ascii=False, separators=(",", ":")),
        requested_by=requested_by.id,
        requested_at=now,
        terminal=terminal,
        request_reason=reason,
    )
    audit.record(
        conn,
        actor_kind=_actor_kind(requested_by),
        actor=requested_by.username,
        action="approval.request",
        now=now,
        member_id=member_id,
        terminal=terminal,
        reason=reason,
        detail=f"{kind} #{approval_id}",
    )
    return get(conn, approval_id)


def decide(
    conn: Connection,
    approval_id: int,
    supervisor: CurrentMember,
    approve: bool,
    reason: str | None,
    now: datetime,
    *,
    terminal: str | None = None,
) -> Approval:
    """Approves (and carries out) or rejects a pending request, in the caller's write
    transaction. Never by the person who asked; a rejection needs a reason."""
    if supervisor.role is not Role.SUPERVISOR:
        raise Forbidden("forbidden", _(SUPERVISOR_ONLY_MESSAGE))
    row = get(conn, approval_id)
    if row.requested_by == supervisor.id:
        raise Forbidden("same_person", _(SAME_PERSON_MESSAGE))
    if row.status != "pendiente":
        raise Conflict("not_pending", _("Esta solicitud ya fue decidida: no se puede cambiar."))
    if approve:
        text = None if not (reason or "").strip() else reason_text(reason)
    else:
        text = reason_text(reason)
    status = "aprobada" if approve else "rechazada"
    if not store.decide(
        conn, approval_id, status=status, decided_by=supervisor.id, decided_at=now, reason=text
    ):  # pragma: no cover - the write transaction excludes another decision
        raise Conflict("not_pending", _("Esta solicitud ya fue decidida: no se puede cambiar."))
    decided = get(conn, approval_id)
    if approve:
        execute = EXECUTORS.get(row.kind)
        if execute is None:
            raise Conflict("unknown_kind", _("Este tipo de solicitud no se puede ejecutar aquí."))
        execute(conn, decided, now)
    else:
        on_reject = REJECTERS.get(row.kind)
        if on_reject is not None:
            on_reject(conn, decided, now)
    audit.record(
        conn,
        actor_kind="supervisor",
        actor=supervisor.username,
        action="approval.approve" if approve else "approval.reject",
        now=now,
        member_id=row.member_id,
        terminal=terminal,
        reason=text,
        detail=f"{row.kind} #{row.id} ({row.requested_by_username})",
    )
    return decided


def record_refusal(
    conn: Connection,
    approval_id: int,
    supervisor: CurrentMember,
    approve: bool,
    now: datetime,
    *,
    terminal: str | None = None,
) -> None:
    """Audits a decision refused because its author asked for it (four eyes), in a
    transaction of its own: the refused decision itself was rolled back."""
    row = store.get(conn, approval_id)
    with write_transaction(conn):
        audit.record(
            conn,
            actor_kind="supervisor",
            actor=supervisor.username,
            action="approval.approve" if approve else "approval.reject",
            now=now,
            member_id=None if row is None else row.member_id,
            terminal=terminal,
            outcome="refused",
            detail=f"#{approval_id}: same_person",
        )
