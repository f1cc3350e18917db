"""Access care at the counter and four eyes (issue 18): a member's security reset (waits for a
supervisor), a new ESTABLECER CONTRASEÑA code, a walk-in registration approved at once, the
supervisors' queue of approvals and the audit view.

The rules are :mod:`mock_server.domain.access`'s and :mod:`mock_server.domain.approvals`'s;
each action is audited in its own transaction.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import AwareDatetime

from mock_server.api import openapi_examples as ex
from mock_server.api.admin import _registration
from mock_server.api.deps import (
    DIGITS,
    Conn,
    ListLimit,
    Staff,
    State,
    Supervisor,
    Terminal,
    record_id,
)
from mock_server.api.errors import SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.api.registration import RegistrationBody
from mock_server.domain import access, approvals
from mock_server.domain.text import mask_email
from sjvirtual_tui.models import (
    MAX_ID,
    Approval,
    ApprovalDecision,
    ApprovalRequested,
    ApprovalStatus,
    AuditEntry,
    CodeResent,
    StaffReason,
    StaffRegistration,
)

router = APIRouter(prefix="/staff", tags=["staff"], responses=SESSION_ROUTES)

ApprovalId = Annotated[int, record_id("approval"), DIGITS]
UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]
Filter = Annotated[str | None, Query(min_length=1, max_length=64)]


def approval_wire(row: approvals.Approval) -> Approval:
    return Approval(
        id=row.id,
        kind=row.kind,
        summary=approvals.describe(row),
        member=row.member_username,
        payload=approvals.payload_of(row),
        requested_by=row.requested_by_username,
        requested_at=row.requested_at,
        terminal=row.terminal,
        request_reason=row.request_reason,
        status=ApprovalStatus(row.status),
        decided_by=row.decided_by_username,
        decided_at=row.decided_at,
        reason=row.reason,
    )


# --- access care (tellers and supervisors) --------------------------------------------------


@router.post(
    "/members/{username}/security-reset",
    status_code=202,
    response_model=ApprovalRequested,
    responses=error_responses(404, 409, 422),
    summary="Ask a supervisor to reset a member's security image and questions",
)
def request_security_reset(
    username: UsernamePath,
    body: Annotated[StaffReason, Body(openapi_examples=ex.REJECT)],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        row = access.request_security_reset(
            conn, state.clock.now(), staff, username, body.reason, terminal
        )
        return Outcome(202, ApprovalRequested(approval=approval_wire(row)))

    return idem.run(conn, effect)


@router.post(
    "/members/{username}/resend-approval-code",
    response_model=CodeResent,
    responses=error_responses(404, 409, 422),
    summary="E-mail a new ESTABLECER CONTRASEÑA code (the old one stops working)",
)
def resend_approval_code(
    username: UsernamePath,
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        email = access.resend_approval_code(conn, state.clock.now(), staff, username, terminal)
        name = access.normalise_username(username)
        return Outcome(200, CodeResent(username=name, email=mask_email(email)))

    return idem.run(conn, effect)


@router.post(
    "/registrations",
    status_code=201,
    response_model=StaffRegistration,
    responses=error_responses(409, 422),
    summary="Register a walk-in socio: the registration form, approved at once",
)
def walk_in(
    body: RegistrationBody,
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        row = access.walk_in(conn, state.clock.now(), staff, body, terminal)
        return Outcome(201, _registration(row))

    return idem.run(conn, effect)


# --- four eyes (supervisors) ----------------------------------------------------------------


@router.get(
    "/approvals",
    response_model=list[Approval],
    responses=error_responses(422),
    summary="The four-eyes requests, oldest first",
)
def list_approvals(
    supervisor: Supervisor,
    conn: Conn,
    status: Annotated[
        ApprovalStatus | None, Query(description="Only these, e.g. pendiente.")
    ] = None,
) -> list[Approval]:
    return [
        approval_wire(row)
        for row in approvals.listing(conn, None if status is None else status.value)
    ]


def _decide(
    approve: bool,
    approval_id: int,
    body: ApprovalDecision,
    supervisor: Supervisor,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        row = approvals.decide(
            conn,
            approval_id,
            supervisor,
            approve,
            body.reason,
            state.clock.now(),
            terminal=terminal,
        )
        return Outcome(200, approval_wire(row))

    response = idem.run(conn, effect)
    if response.status_code == 403:  # the one who asked: the attempt is audited as refused
        approvals.record_refusal(
            conn, approval_id, supervisor, approve, state.clock.now(), terminal=terminal
        )
    return response


@router.post(
    "/approvals/{approval_id:int}/approve",
    response_model=Approval,
    responses=error_responses(404, 409, 422),
    summary="Approve (and carry out) a request; never the one who asked",
)
def approve(
    approval_id: ApprovalId,
    body: ApprovalDecision,
    supervisor: Supervisor,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    return _decide(True, approval_id, body, supervisor, idem, state, conn, terminal)


@router.post(
    "/approvals/{approval_id:int}/reject",
    response_model=Approval,
    responses=error_responses(404, 409, 422),
    summary="Reject a request with a reason; never the one who asked",
)
def reject(
    approval_id: ApprovalId,
    body: ApprovalDecision,
    supervisor: Supervisor,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    return _decide(False, approval_id, body, supervisor, idem, state, conn, terminal)


# --- the audit view (supervisors) -----------------------------------------------------------


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    responses=error_responses(422),
    summary="The audit log, newest first, filtered; before_id pages on",
)
def audit_log(
    supervisor: Supervisor,
    conn: Conn,
    member: Filter = None,
    actor: Filter = None,
    action: Filter = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID), DIGITS] = None,
    limit: ListLimit = 100,
) -> list[AuditEntry]:
    rows = access.audit_entries(
        conn,
        member=member,
        actor=actor,
        action=action,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    return [
        AuditEntry(
            id=row.id,
            recorded_at=row.recorded_at,
            actor_kind=row.actor_kind,
            actor=row.actor,
            terminal=row.terminal,
            action=row.action,
            member=username,
            reason=row.reason,
            outcome=row.outcome,
            detail=row.detail,
        )
        for row, username in rows
    ]
