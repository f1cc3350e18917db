"""The cooperative's staff (tellers): the registration queue and locked users.

Every action that changes something is recorded in ``staff_actions`` (who, what, on what,
when), in the same transaction as the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import TypeAdapter

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, Conn, CurrentMember, Staff, State
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.api.idempotency import Idempotency, Outcome, member_idempotency
from mock_server.api.registration import duplicate_problem
from mock_server.domain import codes, mail
from mock_server.domain.lockout import MAX_FAILURES, unlock_member
from mock_server.domain.security import normalise_username
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store.meta import from_db, to_db
from sjvirtual_tui.models import (
    MAX_ID,
    LockedMember,
    PersonaRegistration,
    RegistrationRequest,
    RegistrationStatus,
    RejectRequest,
    StaffRegistration,
)

router = APIRouter(
    prefix="/staff",
    tags=["staff"],
    responses={401: ERROR_RESPONSE, 403: ERROR_RESPONSE, 500: ERROR_RESPONSE},
)

StaffKey = Annotated[Idempotency, Depends(member_idempotency())]
RegistrationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The request's id."), DIGITS]
UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]

_REQUEST = TypeAdapter(RegistrationRequest)

# A decided request's status, as "La solicitud ... ya fue aprobada" says it.
_DECIDED_WORDS = {
    RegistrationStatus.APROBADA.value: N_("aprobada"),
    RegistrationStatus.RECHAZADA.value: N_("rechazada"),
}

_SELECT_REGISTRATION = """
    SELECT r.id, r.reference, r.status, r.created_at, r.request_json, r.decided_at, r.reason,
           r.kind, r.identification, r.username, r.language, d.username AS decided_by
    FROM registrations AS r LEFT JOIN members AS d ON d.id = r.decided_by
"""


def _registration(row: Row) -> StaffRegistration:
    return StaffRegistration(
        id=row["id"],
        reference=row["reference"],
        status=RegistrationStatus(row["status"]),
        created_at=from_db(row["created_at"]),
        request=_REQUEST.validate_json(row["request_json"]),
        decided_at=from_db(row["decided_at"]) if row["decided_at"] else None,
        decided_by=row["decided_by"],
        reason=row["reason"],
    )


def _load(conn: Connection, registration_id: int) -> Row:
    row: Row | None = conn.execute(
        f"{_SELECT_REGISTRATION} WHERE r.id = ?", (registration_id,)
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", _("Solicitud no encontrada."))
    return row


def _pending(conn: Connection, registration_id: int) -> Row:
    row = _load(conn, registration_id)
    if row["status"] != RegistrationStatus.PENDIENTE:
        raise ApiError(
            409,
            "not_pending",
            _("La solicitud {reference} ya fue {status}: no se puede cambiar.").format(
                reference=row["reference"],
                status=_(_DECIDED_WORDS.get(row["status"], row["status"])),
            ),
        )
    return row


def _record(
    conn: Connection,
    staff: CurrentMember,
    action: str,
    target: str,
    detail: str,
    now: datetime,
) -> None:
    conn.execute(
        """
        INSERT INTO staff_actions (staff_member_id, action, target, detail, created_at)
        VALUES (?, ?, ?, ?, ?)
        """,
        (staff.id, action, target, detail, to_db(now)),
    )


def _applicant_name(request: RegistrationRequest) -> str:
    if isinstance(request, PersonaRegistration):
        return f"{request.nombres} {request.apellidos}"
    return request.razon_social


@router.get(
    "/registrations",
    response_model=list[StaffRegistration],
    responses={422: ERROR_RESPONSE},
    summary="The registration requests, oldest first",
)
def list_registrations(
    staff: Staff,
    conn: Conn,
    status: Annotated[
        RegistrationStatus | None, Query(description="Only these, e.g. pendiente.")
    ] = None,
) -> list[StaffRegistration]:
    rows = conn.execute(
        f"""
        {_SELECT_REGISTRATION}
        WHERE ? IS NULL OR r.status = ?
        ORDER BY r.created_at, r.id
        """,
        (status and status.value,) * 2,
    ).fetchall()
    return [_registration(row) for row in rows]


@router.get(
    "/registrations/{registration_id:int}",
    response_model=StaffRegistration,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="One registration request",
)
def get_registration(
    registration_id: RegistrationId, staff: Staff, conn: Conn
) -> StaffRegistration:
    return _registration(_load(conn, registration_id))


@router.post(
    "/registrations/{registration_id:int}/approve",
    response_model=StaffRegistration,
    responses={404: ERROR_RESPONSE, 409: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Approve: create the user and e-mail its ESTABLECER CONTRASEÑA code",
)
def approve(
    registration_id: RegistrationId, staff: Staff, idem: StaffKey, state: State, conn: Conn
) -> Response:
    def effect() -> Outcome:
        now = state.clock.now()
        row = _pending(conn, registration_id)
        request = _REQUEST.validate_json(row["request_json"])
        holder = conn.execute(
            "SELECT id, name FROM holders WHERE identification = ? AND kind = ?",
            (row["identification"], row["kind"]),
        ).fetchone()
        if holder is None:  # pragma: no cover - holders are never deleted
            raise ApiError(409, "conflict", _("El socio de esta solicitud ya no existe."))
        # What was true when the request was filed may have changed since (another request
        # approved, a teller's own change): the same rules again, now.
        duplicate = duplicate_problem(
            conn,
            holder["id"],
            row["identification"],
            row["username"],
            exclude_registration=registration_id,
        )
        if duplicate is not None:
            raise ApiError(409, "duplicate", duplicate[1])
        member_id = conn.execute(
            """
            INSERT INTO members (username, holder_id, status, full_name, email, role,
                created_at, language)
            VALUES (?, ?, 'pending_password', ?, ?, 'member', ?, ?) RETURNING id
            """,
            # The member's e-mails are in the language it registered in (until it logs in).
            (
                row["username"],
                holder["id"],
                holder["name"],
                request.email,
                to_db(now),
                row["language"],
            ),
        ).fetchone()[0]
        assert member_id is not None
        code = codes.issue(conn, member_id, "set_password", now, codes.SET_PASSWORD_TTL)
        mail.approval(
            conn,
            now,
            to=request.email,
            member_id=member_id,
            name=_applicant_name(request),
            reference=row["reference"],
            username=row["username"],
            code=code,
            language=row["language"],
        )
        conn.execute(
            """
            UPDATE registrations SET status = 'aprobada', decided_at = ?, decided_by = ?
            WHERE id = ?
            """,
            (to_db(now), staff.id, registration_id),
        )
        _record(conn, staff, "approve", row["reference"], f"usuario {row['username']}", now)
        return Outcome(200, _registration(_load(conn, registration_id)))

    return idem.run(conn, effect)


@router.post(
    "/registrations/{registration_id:int}/reject",
    response_model=StaffRegistration,
    responses={404: ERROR_RESPONSE, 409: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Reject with a reason, e-mailed to the applicant",
)
def reject(
    registration_id: RegistrationId,
    body: Annotated[RejectRequest, Body(openapi_examples=ex.REJECT)],
    staff: Staff,
    idem: StaffKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        now = state.clock.now()
        reason = " ".join(body.reason.split())
        if len(reason) < 5:
            raise ApiError(
                422,
                "validation_error",
                _("Motivo: escriba al menos 5 caracteres; el solicitante lo leerá en su correo."),
                "reason",
            )
        row = _pending(conn, registration_id)
        request = _REQUEST.validate_json(row["request_json"])
        conn.execute(
            """
            UPDATE registrations SET status = 'rechazada', decided_at = ?, decided_by = ?,
                reason = ?
            WHERE id = ?
            """,
            (to_db(now), staff.id, reason, registration_id),
        )
        mail.rejection(
            conn,
            now,
            to=request.email,
            name=_applicant_name(request),
            reference=row["reference"],
            reason=reason,
            language=row["language"],
        )
        _record(conn, staff, "reject", row["reference"], reason, now)
        return Outcome(200, _registration(_load(conn, registration_id)))

    return idem.run(conn, effect)


@router.get(
    "/locked-members",
    response_model=list[LockedMember],
    summary="Users locked by failed attempts",
)
def locked_members(staff: Staff, conn: Conn) -> list[LockedMember]:
    rows = conn.execute(
        """
        SELECT m.username, m.full_name, m.locked_at FROM members AS m
        WHERE m.locked_at IS NOT NULL OR EXISTS (
            SELECT 1 FROM login_failures AS f WHERE f.username = m.username AND f.count >= ?
        )
        ORDER BY m.locked_at, m.username
        """,
        (MAX_FAILURES,),
    ).fetchall()
    return [
        LockedMember(
            username=row["username"],
            full_name=row["full_name"],
            locked_at=from_db(row["locked_at"]) if row["locked_at"] else None,
        )
        for row in rows
    ]


@router.post(
    "/members/{username}/unlock",
    status_code=204,
    response_class=Response,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Clear a user's lock and failure count",
)
def unlock(
    username: UsernamePath, staff: Staff, idem: StaffKey, state: State, conn: Conn
) -> Response:
    name = normalise_username(username)

    def effect() -> Outcome:
        now = state.clock.now()
        member = conn.execute(
            "SELECT id, locked_at FROM members WHERE username = ?", (name,)
        ).fetchone()
        if member is None:
            raise ApiError(404, "not_found", _("Usuario no encontrado."))
        unlock_member(conn, member["id"], name)  # the PIN lock and count too
        was = f"bloqueado desde {member['locked_at']}" if member["locked_at"] else "sin bloqueo"
        _record(conn, staff, "unlock", name, was, now)
        return Outcome(204)

    return idem.run(conn, effect)
