"""The cooperative's staff (tellers): the registration queue and locked users.

Every action that changes something is recorded in ``staff_actions`` (who, what, on what,
when) and in the audit log (with the terminal and the member acted on), in the same
transaction as the change.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from mock_server.domain import audit, codes, mail
from mock_server.domain.errors import Conflict, NotFound
from mock_server.domain.lockout import MAX_FAILURES, unlock_member
from mock_server.domain.members import CurrentMember
from mock_server.domain.registration import duplicate_problem
from mock_server.domain.security import normalise_username
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _
from mock_server.store import Connection, members
from mock_server.store import registrations as store
from mock_server.store.members import LockedMember
from mock_server.store.registrations import Registration
from sjvirtual_tui.models import PersonaRegistration, RegistrationRequest, RegistrationStatus, Role

__all__ = ["LockedMember", "Registration", "approve", "get", "locked", "queue", "reject"]

REQUEST = TypeAdapter(RegistrationRequest)

# A decided request's status, as "La solicitud ... ya fue aprobada" says it.
_DECIDED_WORDS = {
    RegistrationStatus.APROBADA.value: N_("aprobada"),
    RegistrationStatus.RECHAZADA.value: N_("rechazada"),
}


def queue(conn: Connection, status: RegistrationStatus | None) -> list[Registration]:
    return store.queue(conn, None if status is None else status.value)


def get(conn: Connection, registration_id: int) -> Registration:
    row = store.get(conn, registration_id)
    if row is None:
        raise NotFound("not_found", _("Solicitud no encontrada."))
    return row


def _pending(conn: Connection, registration_id: int) -> Registration:
    row = get(conn, registration_id)
    if row.status != RegistrationStatus.PENDIENTE:
        raise Conflict(
            "not_pending",
            _("La solicitud {reference} ya fue {status}: no se puede cambiar.").format(
                reference=row.reference, status=_(_DECIDED_WORDS.get(row.status, row.status))
            ),
        )
    return row


def _applicant_name(request: RegistrationRequest) -> str:
    if isinstance(request, PersonaRegistration):
        return f"{request.nombres} {request.apellidos}"
    return request.razon_social


def _actor_kind(staff: CurrentMember) -> audit.ActorKind:
    return "supervisor" if staff.role is Role.SUPERVISOR else "teller"


def approve(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    registration_id: int,
    *,
    terminal: str | None = None,
    action: str = "registration.approve",
) -> Registration:
    """Creates the user and e-mails its ESTABLECER CONTRASEÑA code (in the caller's write
    transaction)."""
    staff_id = staff.id
    row = _pending(conn, registration_id)
    request = REQUEST.validate_json(row.request_json)
    holder = store.holder(conn, row.identification, row.kind)
    if holder is None:  # pragma: no cover - holders are never deleted
        raise Conflict("conflict", _("El socio de esta solicitud ya no existe."))
    holder_id, holder_name = holder
    # What was true when the request was filed may have changed since (another request
    # approved, a teller's own change): the same rules again, now.
    duplicate = duplicate_problem(
        conn, holder_id, row.identification, row.username, exclude_registration=registration_id
    )
    if duplicate is not None:
        raise Conflict("duplicate", duplicate[1])
    member_id = members.create(
        conn,
        username=row.username,
        holder_id=holder_id,
        full_name=holder_name,
        email=request.email,
        now=now,
        # The member's e-mails are in the language it registered in (until it logs in).
        language=row.language,
    )
    code = codes.issue(conn, member_id, "set_password", now, codes.SET_PASSWORD_TTL)
    mail.approval(
        conn,
        now,
        to=request.email,
        member_id=member_id,
        name=_applicant_name(request),
        reference=row.reference,
        username=row.username,
        code=code,
        language=row.language,
    )
    store.decide(conn, registration_id, RegistrationStatus.APROBADA.value, staff_id, now)
    store.record_staff_action(
        conn, staff_id, "approve", row.reference, f"usuario {row.username}", now
    )
    audit.record(
        conn,
        actor_kind=_actor_kind(staff),
        actor=staff.username,
        action=action,
        now=now,
        member_id=member_id,
        terminal=terminal,
        detail=f"{row.reference} usuario {row.username}",
    )
    return get(conn, registration_id)


def reject(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    registration_id: int,
    reason: str,
    *,
    terminal: str | None = None,
) -> Registration:
    """Rejects with a reason, e-mailed to the applicant (in the caller's write transaction)."""
    staff_id = staff.id
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise invalid(
            "reason",
            _("Motivo: escriba al menos 5 caracteres; el solicitante lo leerá en su correo."),
        )
    row = _pending(conn, registration_id)
    request = REQUEST.validate_json(row.request_json)
    store.decide(conn, registration_id, RegistrationStatus.RECHAZADA.value, staff_id, now, reason)
    mail.rejection(
        conn,
        now,
        to=request.email,
        name=_applicant_name(request),
        reference=row.reference,
        reason=reason,
        language=row.language,
    )
    store.record_staff_action(conn, staff_id, "reject", row.reference, reason, now)
    audit.record(
        conn,
        actor_kind=_actor_kind(staff),
        actor=staff.username,
        action="registration.reject",
        now=now,
        terminal=terminal,
        reason=reason,
        detail=f"{row.reference} usuario {row.username}",
    )
    return get(conn, registration_id)


def locked(conn: Connection) -> list[LockedMember]:
    """Users locked by failed attempts (their flag, or the count of their name)."""
    return members.locked(conn, MAX_FAILURES)


def unlock(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    username: str,
    *,
    terminal: str | None = None,
) -> None:
    """Clears a user's locks and failure counts (in the caller's write transaction)."""
    staff_id = staff.id
    name = normalise_username(username)
    member = members.by_username(conn, name)
    if member is None:
        raise NotFound("not_found", _("Usuario no encontrado."))
    unlock_member(conn, member.id, name)  # the PIN lock and count too
    # The lock's time as stored (UTC, to the microsecond).
    since = member.locked_at.isoformat(timespec="microseconds") if member.locked_at else None
    was = f"bloqueado desde {since}" if since else "sin bloqueo"
    store.record_staff_action(conn, staff_id, "unlock", name, was, now)
    audit.record(
        conn,
        actor_kind=_actor_kind(staff),
        actor=staff.username,
        action="access.unlock",
        now=now,
        member_id=member.id,
        terminal=terminal,
        detail=was,
    )
