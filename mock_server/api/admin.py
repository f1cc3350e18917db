"""The cooperative's staff (tellers): the registration queue and locked users.

The rules, and the record of each action in ``staff_actions``, are
:mod:`mock_server.domain.staff`'s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, NO_CONTENT, Conn, Staff, State, Terminal, record_id
from mock_server.api.errors import ONE_RECORD, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.domain import staff as desk
from sjvirtual_tui.models import (
    LockedMember,
    RegistrationStatus,
    RejectRequest,
    StaffRegistration,
)

router = APIRouter(
    prefix="/staff",
    tags=["staff"],
    responses=SESSION_ROUTES,
)

RegistrationId = Annotated[int, record_id("request"), DIGITS]
UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]


def _registration(row: desk.Registration) -> StaffRegistration:
    return StaffRegistration(
        id=row.id,
        reference=row.reference,
        status=RegistrationStatus(row.status),
        created_at=row.created_at,
        request=desk.REQUEST.validate_json(row.request_json),
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        reason=row.reason,
    )


@router.get(
    "/registrations",
    response_model=list[StaffRegistration],
    responses=error_responses(422),
    summary="The registration requests, oldest first",
)
def list_registrations(
    staff: Staff,
    conn: Conn,
    status: Annotated[
        RegistrationStatus | None, Query(description="Only these, e.g. pendiente.")
    ] = None,
) -> list[StaffRegistration]:
    return [_registration(row) for row in desk.queue(conn, status)]


@router.get(
    "/registrations/{registration_id:int}",
    response_model=StaffRegistration,
    responses=ONE_RECORD,
    summary="One registration request",
)
def get_registration(
    registration_id: RegistrationId, staff: Staff, conn: Conn
) -> StaffRegistration:
    return _registration(desk.get(conn, registration_id))


@router.post(
    "/registrations/{registration_id:int}/approve",
    response_model=StaffRegistration,
    responses=error_responses(404, 409, 422),
    summary="Approve: create the user and e-mail its ESTABLECER CONTRASEÑA code",
)
def approve(
    registration_id: RegistrationId,
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        row = desk.approve(conn, state.clock.now(), staff, registration_id, terminal=terminal)
        return Outcome(200, _registration(row))

    return idem.run(conn, effect)


@router.post(
    "/registrations/{registration_id:int}/reject",
    response_model=StaffRegistration,
    responses=error_responses(404, 409, 422),
    summary="Reject with a reason, e-mailed to the applicant",
)
def reject(
    registration_id: RegistrationId,
    body: Annotated[RejectRequest, Body(openapi_examples=ex.REJECT)],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        row = desk.reject(
            conn, state.clock.now(), staff, registration_id, body.reason, terminal=terminal
        )
        return Outcome(200, _registration(row))

    return idem.run(conn, effect)


@router.get(
    "/locked-members",
    response_model=list[LockedMember],
    summary="Users locked by failed attempts",
)
def locked_members(staff: Staff, conn: Conn) -> list[LockedMember]:
    return [
        LockedMember(username=row.username, full_name=row.full_name, locked_at=row.locked_at)
        for row in desk.locked(conn)
    ]


@router.post(
    "/members/{username}/unlock",
    **NO_CONTENT,
    responses=ONE_RECORD,
    summary="Clear a user's lock and failure count",
)
def unlock(
    username: UsernamePath,
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    terminal: Terminal,
) -> Response:
    def effect() -> Outcome:
        desk.unlock(conn, state.clock.now(), staff, username, terminal=terminal)
        return Outcome(204)

    return idem.run(conn, effect)
