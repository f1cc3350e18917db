"""Access care at the counter: a member's security reset (four eyes), a new ESTABLECER
CONTRASEÑA code, a walk-in registration approved at once, and the audit view.

Every action is audited in the same transaction as the action (mock_server.domain.audit).
"""

from __future__ import annotations

from datetime import datetime

from mock_server.domain import approvals, audit, codes, mail, registration
from mock_server.domain import staff as desk
from mock_server.domain.approvals import Approval
from mock_server.domain.errors import Conflict, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.security import normalise_username
from mock_server.i18n import _
from mock_server.store import Connection, members
from mock_server.store import access as store
from mock_server.store import approvals as approval_store
from mock_server.store import codes as code_store
from mock_server.store import sessions as session_store
from sjvirtual_tui.models import RegistrationRequest, Role

SECURITY_RESET = "security_reset"


def actor_kind(staff: CurrentMember) -> audit.ActorKind:
    return "supervisor" if staff.role is Role.SUPERVISOR else "teller"


def _socio(conn: Connection, username: str) -> members.Member:
    """A socio's user by name (staff users are not cared for here)."""
    member = members.by_username(conn, normalise_username(username))
    if member is None or member.role != Role.MEMBER.value:
        raise NotFound("not_found", _("Usuario no encontrado."))
    return member


# --- reset of security (image and questions), with four eyes -----------------------------------


def _execute_security_reset(conn: Connection, approval: Approval, now: datetime) -> None:
    """The member's image and questions are forgotten: the next login is a PRIMER INGRESO
    again (new password, image and questions); its open sessions end now."""
    assert approval.member_id is not None
    store.reset_security(conn, approval.member_id)
    session_store.end_all(conn, approval.member_id, now)


def _describe_security_reset(approval: Approval) -> str:
    return _("Restablecer imagen y preguntas de seguridad de {username}").format(
        username=approval.member_username or "?"
    )


approvals.register(SECURITY_RESET, _execute_security_reset, describe=_describe_security_reset)


def request_security_reset(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    username: str,
    reason: str,
    terminal: str | None = None,
) -> Approval:
    """A pending approval (in the caller's write transaction): a supervisor carries it out."""
    member = _socio(conn, username)
    if member.status != "active":
        raise Conflict(
            "not_active",
            _("{username} todavía no configuró su seguridad: no hay nada que restablecer.").format(
                username=member.username
            ),
        )
    waiting = approval_store.pending_of(conn, SECURITY_RESET, member.id)
    if waiting is not None:
        raise Conflict(
            "already_pending",
            _("Ya hay una solicitud pendiente (n.º {id}) para {username}.").format(
                id=waiting.id, username=member.username
            ),
        )
    return approvals.request(
        conn,
        SECURITY_RESET,
        staff,
        member.id,
        {"username": member.username},
        now,
        reason=reason,
        terminal=terminal,
    )


# --- a new ESTABLECER CONTRASEÑA code ----------------------------------------------------------


def resend_approval_code(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    username: str,
    terminal: str | None = None,
) -> str:
    """E-mails a new code to an approved user without a password yet; the old code stops
    working. The e-mail address it went to (masked by the caller if shown)."""
    member = _socio(conn, username)
    if member.status != "pending_password":
        raise Conflict(
            "has_password",
            _("{username} ya estableció su contraseña: no necesita un código.").format(
                username=member.username
            ),
        )
    code_store.drop_unused(conn, member.id, "set_password")
    code = codes.issue(conn, member.id, "set_password", now, codes.SET_PASSWORD_TTL)
    mail.approval(
        conn,
        now,
        to=member.email,
        member_id=member.id,
        name=member.full_name,
        reference=store.approved_reference(conn, member.username) or "-",
        username=member.username,
        code=code,
    )
    audit.record(
        conn,
        actor_kind=actor_kind(staff),
        actor=staff.username,
        action="access.resend_code",
        now=now,
        member_id=member.id,
        terminal=terminal,
        detail="código ESTABLECER CONTRASEÑA reenviado",
    )
    return member.email


# --- walk-in registration ----------------------------------------------------------------------


def walk_in(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    body: RegistrationRequest,
    terminal: str | None = None,
) -> desk.Registration:
    """The registration form's request, checked as the public route checks it, filed and
    approved at once by the teller who saw the socio (in the caller's write transaction)."""
    receipt = registration.register(conn, now, body)
    registration_id = store.id_of_reference(conn, receipt.reference)
    assert registration_id is not None
    return desk.approve(
        conn, now, staff, registration_id, terminal=terminal, action="registration.walk_in"
    )


# --- the audit view ------------------------------------------------------------------------------


def member_id_of(conn: Connection, username: str) -> int | None:
    """The member a filter names (None: nobody by that name, so nothing matches)."""
    return members.id_of(conn, normalise_username(username))


def audit_entries(
    conn: Connection,
    *,
    member: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[tuple[audit.AuditEntry, str | None]]:
    """The audit log, newest first, with the username of each entry's member."""
    member_id: int | None = None
    if member:
        member_id = member_id_of(conn, member)
        if member_id is None:
            return []
    rows = audit.entries(
        conn,
        member_id=member_id,
        actor=normalise_username(actor) if actor else None,
        action=action or None,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    names = store.usernames(conn, {row.member_id for row in rows if row.member_id is not None})
    return [(row, None if row.member_id is None else names.get(row.member_id)) for row in rows]
