"""ESTABLECER CONTRASEÑA, PRIMER INGRESO and ¿Olvidó su contraseña? (recovery).

The slow argon2 work (hashing a new password or the answers, verifying answers) runs before
the write transaction (``prepare_*``), as login does, and the effect, inside the transaction,
checks again that what was verified is still what is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from mock_server.domain import codes, mail
from mock_server.domain.auth import parse_username
from mock_server.domain.connections import ConnectionPool
from mock_server.domain.errors import Conflict, DomainError, Invalid, NotAuthenticated
from mock_server.domain.lockout import (
    MAX_FAILURES,
    is_locked,
    locked_error,
    record_failure,
    recovered,
)
from mock_server.domain.security import PasswordChecker
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _
from mock_server.store import Connection, StoreError, members, write_transaction
from mock_server.store import codes as code_store
from mock_server.store import sessions as session_store
from mock_server.store.members import Member, Recoverable
from sjvirtual_tui import rules
from sjvirtual_tui.models import FirstLoginSetup

log = logging.getLogger(__name__)

# Unknown and used codes share one message: a used code tells a stranger nothing more.
CODE_INVALID_MESSAGE = N_(
    "El código no es válido o ya fue usado. Escríbalo como llegó en el correo de aprobación."
)
CODE_EXPIRED_MESSAGE = N_(
    "El código venció (valía 24 horas). Acérquese a la cooperativa para recibir uno nuevo."
)
SAME_PASSWORD_MESSAGE = N_(
    "La nueva contraseña debe ser distinta de la actual (la que estableció con el código)."
)
RECOVERY_FAILED_MESSAGE = N_("Los datos de recuperación no son correctos.")
RECOVERY_CODE_MESSAGE = N_(
    "El código no es correcto o ya no vale (vale 15 minutos, y solo el último que pidió). "
    "Revise su correo o vuelva atrás para pedir otro."
)
MIN_ANSWER_LENGTH = 2
RECOVERY_REQUESTS_KEPT = timedelta(days=1)
# Recovery codes e-mailed to one username in RECOVERY_MAIL_WINDOW at the most: anyone can ask
# for a name's recovery, and must not be able to flood its owner's mailbox by asking in a loop.
RECOVERY_MAILS_PER_WINDOW = 5
RECOVERY_MAIL_WINDOW = timedelta(hours=1)


# --- ESTABLECER CONTRASEÑA -----------------------------------------------------------------------


def prepare_set_password(
    conn: Connection, passwords: PasswordChecker, now: datetime, code: str, password: str
) -> str | None:
    """The new password's hash, made only for a request that can succeed: a mistyped code
    costs no argon2 time."""
    found = codes.find(conn, code, "set_password")
    usable = found is not None and found.used_at is None and not codes.is_expired(found, now)
    if usable and rules.password_error(password) is None:
        return passwords.hash(password)
    return None


def set_password(
    conn: Connection,
    passwords: PasswordChecker,
    now: datetime,
    code: str,
    password: str,
    new_hash: str | None,
) -> None:
    """The effect (in the caller's write transaction): the approved user's first password."""
    row = codes.find(conn, code, "set_password")
    if row is None or row.used_at is not None:
        raise Invalid("invalid_code", _(CODE_INVALID_MESSAGE), "code")
    if codes.is_expired(row, now):
        raise Invalid("code_expired", _(CODE_EXPIRED_MESSAGE), "code")
    problem = rules.password_error(password)
    if problem is not None:
        raise invalid("password", problem)
    member = members.by_id(conn, row.member_id)
    assert member is not None
    if member.status != "pending_password":  # pragma: no cover - codes are single use
        raise Invalid("invalid_code", _(CODE_INVALID_MESSAGE), "code")
    members.set_password(conn, member.id, new_hash or passwords.hash(password), status="setup")
    codes.mark_used(conn, row, now)
    mail.password_set(conn, now, **mail.addressee(member))


# --- PRIMER INGRESO ------------------------------------------------------------------------------


def security_questions(conn: Connection) -> list[tuple[int, str]]:
    """The cooperative's questions (mock_server.SECURITY_QUESTIONS), in the request's
    language."""
    return [(question_id, _(text)) for question_id, text in members.security_questions(conn)]


def _setup_problem(conn: Connection, body: FirstLoginSetup) -> Invalid | None:
    """The first problem of the wizard's data, in the wizard's order (argon2 checks aside)."""
    problem = rules.password_error(body.new_password)
    if problem is not None:
        return invalid("new_password", problem)
    if len(body.own_question.strip()) < 5:
        return invalid("own_question", _("Escriba su pregunta secreta (al menos 5 caracteres)."))
    if len(rules.normalise_answer(body.own_answer)) < MIN_ANSWER_LENGTH:
        return invalid("own_answer", _("La respuesta debe tener al menos 2 letras o números."))
    if not members.security_question_exists(conn, body.question_id):
        return invalid("question_id", _("Elija una de las preguntas de seguridad de la lista."))
    if len(rules.normalise_answer(body.answer)) < MIN_ANSWER_LENGTH:
        return invalid("answer", _("La respuesta debe tener al menos 2 letras o números."))
    return None


def _setup_hashes(
    passwords: PasswordChecker, current_hash: str | None, body: FirstLoginSetup
) -> tuple[str, str, str] | None:
    """The new password's and answers' hashes, or None when the password is the current one."""
    if current_hash is not None and passwords.verify(current_hash, body.new_password):
        return None
    return (
        passwords.hash(body.new_password),
        passwords.hash(rules.normalise_answer(body.own_answer)),
        passwords.hash(rules.normalise_answer(body.answer)),
    )


@dataclass(frozen=True)
class PreparedSetup:
    problem: Invalid | None
    hashed_against: str | None  # the stored password hash when the hashes were made
    hashes: tuple[str, str, str] | None


def prepare_setup(
    conn: Connection, passwords: PasswordChecker, member_id: int, body: FirstLoginSetup
) -> PreparedSetup:
    problem = _setup_problem(conn, body)
    before = members.by_id(conn, member_id)
    assert before is not None
    hashes = (
        _setup_hashes(passwords, before.password_hash, body)
        if problem is None and before.status == "setup"
        else None
    )
    return PreparedSetup(problem, before.password_hash, hashes)


def first_login_setup(
    conn: Connection,
    passwords: PasswordChecker,
    now: datetime,
    member_id: int,
    body: FirstLoginSetup,
    prepared: PreparedSetup,
) -> Member:
    """The effect (in the caller's write transaction): new password, image and questions."""
    row = members.by_id(conn, member_id)
    assert row is not None
    if row.status != "setup":
        raise Conflict("setup_done", _("Su primer ingreso ya está configurado."))
    if prepared.problem is not None:
        raise prepared.problem
    hashes = prepared.hashes
    if row.password_hash != prepared.hashed_against:  # changed while we hashed
        hashes = _setup_hashes(passwords, row.password_hash, body)
    if hashes is None:
        raise invalid("new_password", _(SAME_PASSWORD_MESSAGE))
    password_hash, own_answer_hash, answer_hash = hashes
    members.complete_setup(
        conn,
        row.id,
        password_hash=password_hash,
        image=body.image.value,
        own_question=body.own_question.strip(),
        own_answer_hash=own_answer_hash,
        question_id=body.question_id,
        answer_hash=answer_hash,
    )
    mail.account_ready(conn, now, **mail.addressee(row))
    return row


# --- recovery ------------------------------------------------------------------------------------


def send_recovery_code(pool: ConnectionPool, username: str, requested: datetime) -> None:
    """Makes and e-mails the recovery code of ``username``, after the answer has gone.

    Run as a background task of the request, so that what the request does, and how long it
    takes, is the same for every name: only here is the name looked up. An unknown name, a
    user without the PRIMER INGRESO done, or a locked one gets no code (recovery lifts only a
    lock of wrong PINs). Every request, whatever the name, is recorded in one write transaction
    of the same shape: were a real name's the only one to write (and fsync), the requests that
    follow it would be slower, and an observer could time those.
    """
    conn = pool.acquire()
    try:
        with write_transaction(conn):
            code_store.log_recovery_request(
                conn, username, requested, requested - RECOVERY_REQUESTS_KEPT
            )
            member = members.recoverable(conn, username)
            if member is None or is_locked(conn, username, member.id, recovering=True):
                return
            asked = code_store.recovery_requests_since(
                conn, username, requested - RECOVERY_MAIL_WINDOW
            )
            if asked > RECOVERY_MAILS_PER_WINDOW:
                return  # the codes sent in the last hour are still in the member's mailbox
            code = codes.issue(conn, member.id, "recovery", requested, codes.RECOVERY_TTL)
            mail.recovery_code(
                conn,
                requested,
                to=member.email,
                member_id=member.id,
                name=member.full_name,
                code=code,
            )
    except StoreError:
        # The answer has gone already; the member asks again. (No name or code in the log.)
        log.exception("a recovery request could not be stored")
    finally:
        pool.release(conn)


def verify_recovery_code(
    conn: Connection, now: datetime, username: str, code: str
) -> tuple[str, str]:
    """(the member's own question, the cooperative's question) for a live recovery code."""
    member = members.recoverable(conn, username)
    member_id = members.id_of(conn, username)
    # The code first: without it, a known name and an unknown one get the same counted 401,
    # and a locked user's state is not told to whoever lacks the code.
    if not codes.is_live(codes.find(conn, code, "recovery"), member.id if member else None, now):
        with write_transaction(conn):
            count = record_failure(conn, username, member_id, now)
        if count >= MAX_FAILURES:
            raise locked_error()
        raise NotAuthenticated("recovery_failed", _(RECOVERY_CODE_MESSAGE), "code")
    if is_locked(conn, username, member_id, recovering=True):
        raise locked_error()
    assert member is not None
    return member.own_question, _(member.security_question)


@dataclass(frozen=True)
class PreparedRecovery:
    username: str
    policy: str | None  # the new password's problem
    member: Recoverable | None  # as its answers were verified
    new_hash: str | None  # set when both answers were right


def prepare_recovery(
    conn: Connection,
    passwords: PasswordChecker,
    now: datetime,
    raw_username: str,
    code: str,
    own_answer: str,
    security_answer: str,
    new_password: str,
) -> PreparedRecovery:
    username = parse_username(raw_username)
    policy = rules.password_error(new_password)
    member = members.recoverable(conn, username)
    code_ok = codes.is_live(codes.find(conn, code, "recovery"), member.id if member else None, now)
    new_hash: str | None = None
    # argon2 only for the member's own live code: without it a known name and an unknown one
    # cost the same (no argon2 at all), and answers cannot be tried without the member's mail.
    if (
        policy is None
        and code_ok
        and not is_locked(conn, username, members.id_of(conn, username), recovering=True)
    ):
        assert member is not None
        own_ok = passwords.verify(member.own_answer_hash, rules.normalise_answer(own_answer))
        answer_ok = passwords.verify(member.answer_hash, rules.normalise_answer(security_answer))
        if own_ok and answer_ok:
            new_hash = passwords.hash(new_password)
    return PreparedRecovery(username, policy, member, new_hash)


def complete_recovery(
    conn: Connection, now: datetime, code: str, prepared: PreparedRecovery
) -> DomainError | None:
    """The effect (in the caller's write transaction): the new password, or the refusal to
    answer. A counted failure is returned, not raised: it must commit with the refusal."""
    username = prepared.username
    if prepared.policy is not None:
        raise invalid("new_password", prepared.policy)
    member_id = members.id_of(conn, username)
    if is_locked(conn, username, member_id, recovering=True):
        raise locked_error()
    current = members.recoverable(conn, username)
    found = codes.find(conn, code, "recovery")
    before = prepared.member
    ok = (
        prepared.new_hash is not None
        and before is not None
        and current is not None
        # the answers verified above are still the stored ones
        and current.own_answer_hash == before.own_answer_hash
        and current.answer_hash == before.answer_hash
        and codes.is_live(found, current.id, now)
    )
    if not ok:
        if record_failure(conn, username, member_id, now) >= MAX_FAILURES:
            return locked_error()
        return NotAuthenticated("recovery_failed", _(RECOVERY_FAILED_MESSAGE))
    assert current is not None and found is not None and prepared.new_hash is not None
    members.set_password(conn, current.id, prepared.new_hash)
    recovered(conn, current.id, username)  # the counts, and a lock by wrong PINs
    codes.mark_used(conn, found, now)
    # Whoever held a session with the old password loses it.
    session_store.end_all(conn, current.id, now)
    mail.password_recovered(conn, now, **mail.addressee(current))
    return None
