"""ADMINISTRACIÓN › Mi perfil y seguridad: change the password, the security image and questions,
the e-mail and phone, and block a debit card. Every action is audited (:mod:`audit`).

Decisions:

- A wrong current password (password or security change) counts toward the login lockout like
  a failed login: whoever holds an unlocked terminal must not be able to guess the password
  here without limit. The count and an audit entry with outcome ``refused`` commit with the
  refusal (the route returns it, it is not raised); the fifth locks the user and ends every
  session of it, as the lock by wrong PINs does.
- A password change ends the member's OTHER sessions (the one that changed it stays open).
- A contact change needs no password: the code sent to the new address proves it, and the old
  e-mail is told once it is applied. The demo has no SMS gateway: a phone's code is a row of
  the outbox addressed to the phone number with subject "SMS". With both a new e-mail and a
  new phone, the same code goes to both.
- Blocking a debit card needs no PIN and is idempotent: blocking a blocked card answers the
  card as it is, with no second e-mail or audit entry. Only a teller unblocks (with a reason).

The slow argon2 work runs before the write transaction (``prepare_*``), as the PRIMER INGRESO
does; the effect checks that the stored password is still the one verified.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from mock_server.domain import audit, mail
from mock_server.domain.errors import Conflict, DomainError, Invalid, NotFound, TooMany
from mock_server.domain.lockout import (
    MAX_FAILURES,
    clear_failures,
    is_locked,
    locked_error,
    record_failure,
)
from mock_server.domain.members import CurrentMember
from mock_server.domain.onboarding import MIN_ANSWER_LENGTH
from mock_server.domain.security import PasswordChecker, normalise_username
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _, ngettext
from mock_server.store import Connection, members
from mock_server.store import self_service as store
from mock_server.store import sessions as session_store
from mock_server.store.self_service import ContactChange, DebitCard
from sjvirtual_tui import rules
from sjvirtual_tui.models import ContactChangeRequest, PasswordChange, SecurityChange

__all__ = ["ContactChange", "DebitCard"]

WRONG_PASSWORD_MESSAGE = N_(
    "La contraseña actual no es correcta. Tras 5 intentos fallidos su usuario se bloquea."
)
SAME_PASSWORD_MESSAGE = N_("La nueva contraseña debe ser distinta de la actual.")
MISMATCH_MESSAGE = N_("Las contraseñas no coinciden.")
CHANGED_MEANWHILE_MESSAGE = N_(
    "Su contraseña cambió mientras se procesaba la solicitud. Vuelva a intentarlo."
)
# ngettext's pair: "Le queda 1 intento." / "Le quedan 2 intentos."
CODE_WRONG_MESSAGES = (
    "El código no es correcto. Le queda {left} intento.",
    "El código no es correcto. Le quedan {left} intentos.",
)
CODE_SPENT_MESSAGE = N_(
    "El código no es correcto y ya no le quedan intentos. Pida un código nuevo."
)
CHANGE_CLOSED_MESSAGE = N_(
    "Esta solicitud de cambio ya no está pendiente (venció, se usó o fue reemplazada). "
    "Pida un código nuevo."
)
CARD_NOT_FOUND_MESSAGE = N_("Tarjeta de débito no encontrada.")

CONTACT_CODE_TTL = timedelta(minutes=15)
CONTACT_CODE_ATTEMPTS = 3
CONTACT_CODE_DIGITS = 6
# Contact change requests (each sends a code) per member in CONTACT_WINDOW at the most: the
# code goes to an address the member types, which must not be flooded by asking in a loop.
CONTACT_REQUESTS_PER_WINDOW = 5
CONTACT_WINDOW = timedelta(hours=1)


def _refused(conn: Connection, member: CurrentMember, action: str, now: datetime) -> DomainError:
    """A wrong current password (inside the caller's transaction, which commits): counted
    toward the lockout and audited as refused; the error to answer."""
    count = record_failure(conn, member.username, member.id, now)
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action=action,
        now=now,
        member_id=member.id,
        outcome="refused",
        detail="contraseña actual incorrecta",
    )
    if count >= MAX_FAILURES:
        session_store.end_all(conn, member.id, now)
        return locked_error()
    return Invalid("wrong_password", _(WRONG_PASSWORD_MESSAGE), "current_password")


# --- Cambiar contraseña ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPassword:
    problem: Invalid | None  # the new password's (policy, repetition, the same as now)
    verified_against: str | None  # the stored hash the current password was checked with
    current_ok: bool
    new_hash: str | None


def _password_problem(body: PasswordChange) -> Invalid | None:
    problem = rules.password_error(body.new_password)
    if problem is not None:
        return invalid("new_password", problem)
    if body.confirm_password != body.new_password:
        return invalid("confirm_password", _(MISMATCH_MESSAGE))
    return None


def prepare_password(
    conn: Connection, passwords: PasswordChecker, member_id: int, body: PasswordChange
) -> PreparedPassword:
    problem = _password_problem(body)
    row = members.by_id(conn, member_id)
    assert row is not None and row.password_hash is not None
    if problem is not None:  # no argon2 for a request refused anyway (and nothing counted)
        return PreparedPassword(problem, row.password_hash, False, None)
    current_ok = passwords.verify(row.password_hash, body.current_password)
    new_hash: str | None = None
    if current_ok:
        if body.new_password == body.current_password:
            problem = invalid("new_password", _(SAME_PASSWORD_MESSAGE))
        else:
            new_hash = passwords.hash(body.new_password)
    return PreparedPassword(problem, row.password_hash, current_ok, new_hash)


def change_password(
    conn: Connection,
    now: datetime,
    member: CurrentMember,
    session_token_hash: str,
    prepared: PreparedPassword,
) -> DomainError | None:
    """The effect (in the caller's write transaction). A refusal that counted a failure is
    returned, so that it commits; any other is raised (nothing changes)."""
    if is_locked(conn, member.username, member.id):
        raise locked_error()
    if prepared.problem is not None:
        raise prepared.problem
    row = members.by_id(conn, member.id)
    assert row is not None
    if row.password_hash != prepared.verified_against:
        raise Conflict("password_changed", _(CHANGED_MEANWHILE_MESSAGE))
    if not prepared.current_ok:
        return _refused(conn, member, "password.change", now)
    assert prepared.new_hash is not None
    members.set_password(conn, member.id, prepared.new_hash)
    clear_failures(conn, member.username)
    ended = store.end_other_sessions(conn, member.id, session_token_hash, now)
    mail.password_changed(conn, now, **mail.addressee(row))
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action="password.change",
        now=now,
        member_id=member.id,
        detail=f"otras sesiones cerradas: {ended}",
    )
    return None


# --- Cambiar imagen y preguntas ---------------------------------------------------------------


@dataclass(frozen=True)
class PreparedSecurity:
    problem: Invalid | None
    verified_against: str | None
    current_ok: bool
    hashes: tuple[str, str] | None  # the own answer's and the chosen question's answer's


def _security_problem(conn: Connection, body: SecurityChange) -> Invalid | None:
    """The first problem of the data, in the wizard's order (the PRIMER INGRESO's rules)."""
    if len(body.own_question.strip()) < 5:
        return invalid("own_question", _("Escriba su pregunta secreta (al menos 5 caracteres)."))
    if len(rules.normalise_answer(body.own_answer)) < MIN_ANSWER_LENGTH:
        return invalid("own_answer", _("La respuesta debe tener al menos 2 letras o números."))
    if not members.security_question_exists(conn, body.question_id):
        return invalid("question_id", _("Elija una de las preguntas de seguridad de la lista."))
    if len(rules.normalise_answer(body.answer)) < MIN_ANSWER_LENGTH:
        return invalid("answer", _("La respuesta debe tener al menos 2 letras o números."))
    return None


def prepare_security(
    conn: Connection, passwords: PasswordChecker, member_id: int, body: SecurityChange
) -> PreparedSecurity:
    problem = _security_problem(conn, body)
    row = members.by_id(conn, member_id)
    assert row is not None and row.password_hash is not None
    if problem is not None:
        return PreparedSecurity(problem, row.password_hash, False, None)
    current_ok = passwords.verify(row.password_hash, body.current_password)
    hashes = (
        (
            passwords.hash(rules.normalise_answer(body.own_answer)),
            passwords.hash(rules.normalise_answer(body.answer)),
        )
        if current_ok
        else None
    )
    return PreparedSecurity(None, row.password_hash, current_ok, hashes)


def change_security(
    conn: Connection,
    now: datetime,
    member: CurrentMember,
    body: SecurityChange,
    prepared: PreparedSecurity,
) -> DomainError | None:
    """The effect (in the caller's write transaction); refusals as :func:`change_password`."""
    if is_locked(conn, member.username, member.id):
        raise locked_error()
    if prepared.problem is not None:
        raise prepared.problem
    row = members.by_id(conn, member.id)
    assert row is not None and row.password_hash is not None
    if row.password_hash != prepared.verified_against:
        raise Conflict("password_changed", _(CHANGED_MEANWHILE_MESSAGE))
    if not prepared.current_ok:
        return _refused(conn, member, "security.change", now)
    assert prepared.hashes is not None
    own_answer_hash, answer_hash = prepared.hashes
    members.complete_setup(
        conn,
        member.id,
        password_hash=row.password_hash,
        image=body.image.value,
        own_question=body.own_question.strip(),
        own_answer_hash=own_answer_hash,
        question_id=body.question_id,
        answer_hash=answer_hash,
    )
    clear_failures(conn, member.username)
    mail.security_changed(conn, now, **mail.addressee(row))
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action="security.change",
        now=now,
        member_id=member.id,
        detail=f"imagen: {body.image.value}",
    )
    return None


# --- Actualizar correo y teléfono ---------------------------------------------------------------


def contact(conn: Connection, member_id: int) -> tuple[str, str | None]:
    """(the member's e-mail, its mobile phone or None)."""
    row = members.by_id(conn, member_id)
    assert row is not None
    return row.email, store.phone_of(conn, member_id)


def _new_code() -> str:
    return f"{secrets.randbelow(10**CONTACT_CODE_DIGITS):0{CONTACT_CODE_DIGITS}d}"


def _hash_code(code: str, salt: str | None = None) -> str:
    """``salt$sha256(salt:code)``: six digits are few, so each change has its own salt (a copy
    of the database does not give every pending code with one table of a million hashes)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
    return f"{salt}${digest}"


def _code_matches(stored: str, code: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(stored, _hash_code("".join(code.split()), salt))


@dataclass(frozen=True)
class ContactStarted:
    change_id: int
    sent_to: list[str]


def request_contact_change(
    conn: Connection, now: datetime, member: CurrentMember, body: ContactChangeRequest
) -> ContactStarted:
    """Records the change and sends its code to the new address(es) (in the caller's write
    transaction)."""
    email, phone = contact(conn, member.id)
    new_email = body.email.strip() if body.email is not None else None
    if new_email is None and body.phone is None:
        raise invalid("email", _("Escriba un correo nuevo, un celular nuevo o ambos."))
    if new_email is not None and new_email.lower() == email.lower():
        raise invalid("email", _("Ese ya es su correo registrado."))
    if body.phone is not None and body.phone == phone:
        raise invalid("phone", _("Ese ya es su celular registrado."))
    asked = store.changes_since(conn, member.id, now - CONTACT_WINDOW)
    if asked >= CONTACT_REQUESTS_PER_WINDOW:
        raise TooMany(
            "too_many_codes",
            _("Ya pidió {count} códigos en la última hora. Espere un momento.").format(count=asked),
            retry_after=int(CONTACT_WINDOW.total_seconds()),
        )
    store.cancel_pending_changes(conn, member.id, now)
    code = _new_code()
    change_id = store.insert_change(
        conn,
        member.id,
        new_email,
        body.phone,
        _hash_code(code),
        now,
        now + CONTACT_CODE_TTL,
        CONTACT_CODE_ATTEMPTS,
    )
    row = members.by_id(conn, member.id)
    assert row is not None
    minutes = int(CONTACT_CODE_TTL.total_seconds() // 60)
    sent_to: list[str] = []
    if new_email is not None:
        mail.contact_code(
            conn,
            now,
            to=new_email,
            member_id=member.id,
            name=row.full_name,
            code=code,
            minutes=minutes,
        )
        sent_to.append(new_email)
    if body.phone is not None:
        mail.contact_sms(
            conn, now, phone=body.phone, member_id=member.id, code=code, minutes=minutes
        )
        sent_to.append(body.phone)
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action="contact.change.request",
        now=now,
        member_id=member.id,
        detail=_contact_detail(new_email, body.phone),
    )
    return ContactStarted(change_id, sent_to)


def _contact_detail(new_email: str | None, new_phone: str | None) -> str:
    parts = []
    if new_email is not None:
        parts.append(f"correo: {new_email}")
    if new_phone is not None:
        parts.append(f"celular: {new_phone}")
    return "; ".join(parts)


def confirm_contact_change(
    conn: Connection, now: datetime, member: CurrentMember, change_id: int, code: str
) -> tuple[str, str | None] | DomainError:
    """Applies the change for the right code (in the caller's write transaction): the new
    (e-mail, phone). A wrong code is returned (its spent attempt commits with it)."""
    row = store.change(conn, change_id)
    if row is None or row.member_id != member.id:
        raise NotFound("not_found", _("Solicitud de cambio no encontrada."))
    if row.status != "pendiente":
        raise Conflict("change_closed", _(CHANGE_CLOSED_MESSAGE), "code")
    if now >= row.expires_at:
        store.resolve_change(conn, change_id, "cancelado", now)
        return Conflict("change_closed", _(CHANGE_CLOSED_MESSAGE), "code")
    if not _code_matches(row.code_hash, code):
        left = store.spend_attempt(conn, change_id, now)
        audit.record(
            conn,
            actor_kind="member",
            actor=member.username,
            action="contact.change.confirm",
            now=now,
            member_id=member.id,
            outcome="refused",
            detail="código incorrecto",
        )
        if left == 0:
            return Invalid("code_spent", _(CODE_SPENT_MESSAGE), "code")
        return Invalid("wrong_code", ngettext(*CODE_WRONG_MESSAGES, left).format(left=left), "code")
    before = members.by_id(conn, member.id)
    assert before is not None
    if row.new_email is not None:
        store.set_email(conn, member.id, row.new_email)
    if row.new_phone is not None:
        store.set_phone(conn, member.id, row.new_phone, now)
    store.resolve_change(conn, change_id, "aplicado", now)
    # The OLD address is told: if someone else made the change, the member learns of it.
    mail.contact_changed(
        conn,
        now,
        to=before.email,
        member_id=member.id,
        name=before.full_name,
        new_email=row.new_email,
        new_phone=row.new_phone,
    )
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action="contact.change.confirm",
        now=now,
        member_id=member.id,
        detail=_contact_detail(row.new_email, row.new_phone),
    )
    return contact(conn, member.id)


# --- Bloquear tarjeta de débito -------------------------------------------------------------------


def debit_cards(conn: Connection, member_id: int) -> list[DebitCard]:
    return store.cards_of(conn, member_id)


def block_debit_card(
    conn: Connection, now: datetime, member: CurrentMember, card_id: int
) -> DebitCard:
    """Blocks the member's own card at once (in the caller's write transaction); a blocked
    card is answered as it is."""
    card = store.card(conn, card_id)
    if card is None or card.member_id != member.id:
        raise NotFound("not_found", _(CARD_NOT_FOUND_MESSAGE))
    if card.status == "bloqueada":
        return card
    store.block_card(conn, card_id, now, member.username)
    row = members.by_id(conn, member.id)
    assert row is not None
    mail.debit_card_blocked(
        conn, now, to=row.email, member_id=row.id, name=row.full_name, last4=card.last4
    )
    audit.record(
        conn,
        actor_kind="member",
        actor=member.username,
        action="debit_card.block",
        now=now,
        member_id=member.id,
        detail=f"tarjeta ****{card.last4}",
    )
    blocked = store.card(conn, card_id)
    assert blocked is not None
    return blocked


def member_debit_cards(conn: Connection, username: str) -> list[DebitCard]:
    """A member's cards, for a teller (404 for an unknown username)."""
    member_id = members.id_of(conn, normalise_username(username))
    if member_id is None:
        raise NotFound("not_found", _("Usuario no encontrado."))
    return store.cards_of(conn, member_id)


def unblock_debit_card(
    conn: Connection, now: datetime, teller: CurrentMember, card_id: int, reason: str
) -> DebitCard:
    """A teller's unblock, with its reason (in the caller's write transaction)."""
    reason = reason.strip()
    if len(reason) < 5:
        raise invalid("reason", _("Escriba el motivo (al menos 5 caracteres)."))
    card = store.card(conn, card_id)
    if card is None:
        raise NotFound("not_found", _(CARD_NOT_FOUND_MESSAGE))
    if card.status != "bloqueada":
        raise Conflict(
            "not_blocked", _("La tarjeta ****{last4} no está bloqueada.").format(last4=card.last4)
        )
    store.unblock_card(conn, card_id)
    row = members.by_id(conn, card.member_id)
    assert row is not None
    mail.debit_card_unblocked(
        conn, now, to=row.email, member_id=row.id, name=row.full_name, last4=card.last4
    )
    audit.record(
        conn,
        actor_kind="teller",
        actor=teller.username,
        action="debit_card.unblock",
        now=now,
        member_id=card.member_id,
        reason=reason,
        detail=f"tarjeta ****{card.last4}",
    )
    unblocked = store.card(conn, card_id)
    assert unblocked is not None
    return unblocked
