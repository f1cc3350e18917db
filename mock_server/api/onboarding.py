"""ESTABLECER CONTRASEÑA, PRIMER INGRESO and ¿Olvidó su contraseña? (recovery).

The slow argon2 work (hashing a new password or the answers, verifying answers) runs before
the write transaction, as login does, and the transaction checks again that what was verified
is still what is stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.auth import parse_username
from mock_server.api.deps import Conn, Member, ServerState, State
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.api.idempotency import (
    Idempotency,
    Outcome,
    member_idempotency,
    public_idempotency,
)
from mock_server.domain import codes, mail
from mock_server.domain.lockout import (
    MAX_FAILURES,
    is_locked,
    locked_body,
    locked_error,
    record_failure,
    recovered,
)
from mock_server.domain.security import PasswordChecker
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row, StoreError, write_transaction
from mock_server.store.meta import to_db
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    ErrorBody,
    FirstLoginSetup,
    MemberProfile,
    RecoveryChallenge,
    RecoveryCodeCheck,
    RecoveryCompletion,
    RecoveryRequest,
    RecoveryStarted,
    Role,
    SecurityQuestion,
    SetPasswordRequest,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["onboarding"], responses={500: ERROR_RESPONSE})

# The secret fields of each body are compared through argon2id, never a plain hash.
SetPasswordKey = Annotated[Idempotency, Depends(public_idempotency("code", "password"))]
SetupKey = Annotated[
    Idempotency, Depends(member_idempotency("new_password", "own_answer", "answer"))
]
RecoveryKey = Annotated[
    Idempotency,
    Depends(public_idempotency("own_answer", "security_answer", "code", "new_password")),
]

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


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, field)


def _profile(row: Row) -> MemberProfile:
    return MemberProfile(
        username=row["username"], full_name=row["full_name"], role=Role(row["role"])
    )


# --- ESTABLECER CONTRASEÑA -----------------------------------------------------------------------


@router.post(
    "/auth/set-password",
    status_code=204,
    response_class=Response,
    responses={422: ERROR_RESPONSE},
    summary="ESTABLECER CONTRASEÑA with the code of the approval e-mail",
)
def set_password(
    body: Annotated[SetPasswordRequest, Body(openapi_examples=ex.SET_PASSWORD)],
    idem: SetPasswordKey,
    state: State,
    conn: Conn,
) -> Response:
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    found = codes.find(conn, body.code, "set_password")
    usable = (
        found is not None
        and found["used_at"] is None
        and not codes.is_expired(found, state.clock.now())
    )
    # Hashed only for a request that can succeed: a mistyped code costs no argon2 time.
    new_hash = (
        state.passwords.hash(body.password)
        if usable and rules.password_error(body.password) is None
        else None
    )

    def effect() -> Outcome:
        now = state.clock.now()
        row = codes.find(conn, body.code, "set_password")
        if row is None or row["used_at"] is not None:
            raise ApiError(422, "invalid_code", _(CODE_INVALID_MESSAGE), "code")
        if codes.is_expired(row, now):
            raise ApiError(422, "code_expired", _(CODE_EXPIRED_MESSAGE), "code")
        problem = rules.password_error(body.password)
        if problem is not None:
            raise _invalid("password", problem)
        member = conn.execute(
            "SELECT id, username, full_name, email, status FROM members WHERE id = ?",
            (row["member_id"],),
        ).fetchone()
        if member["status"] != "pending_password":  # pragma: no cover - codes are single use
            raise ApiError(422, "invalid_code", _(CODE_INVALID_MESSAGE), "code")
        conn.execute(
            "UPDATE members SET password_hash = ?, status = 'setup' WHERE id = ?",
            (new_hash or state.passwords.hash(body.password), member["id"]),
        )
        codes.mark_used(conn, row, now)
        mail.password_set(
            conn,
            now,
            to=member["email"],
            member_id=member["id"],
            name=member["full_name"],
            username=member["username"],
        )
        return Outcome(204)

    return idem.run(conn, effect)


# --- PRIMER INGRESO ------------------------------------------------------------------------------


@router.get(
    "/security-questions",
    response_model=list[SecurityQuestion],
    summary="The security questions a member picks one of (PRIMER INGRESO)",
)
def security_questions(conn: Conn) -> list[SecurityQuestion]:
    rows = conn.execute("SELECT id, text FROM security_questions ORDER BY id").fetchall()
    # The cooperative's questions (mock_server.SECURITY_QUESTIONS), in the request's language.
    return [SecurityQuestion(id=question_id, text=_(text)) for question_id, text in rows]


def _setup_problem(conn: Connection, body: FirstLoginSetup) -> ApiError | None:
    """The first problem of the wizard's data, in the wizard's order (argon2 checks aside)."""
    problem = rules.password_error(body.new_password)
    if problem is not None:
        return _invalid("new_password", problem)
    if len(body.own_question.strip()) < 5:
        return _invalid("own_question", _("Escriba su pregunta secreta (al menos 5 caracteres)."))
    if len(rules.normalise_answer(body.own_answer)) < MIN_ANSWER_LENGTH:
        return _invalid("own_answer", _("La respuesta debe tener al menos 2 letras o números."))
    known = conn.execute(
        "SELECT 1 FROM security_questions WHERE id = ?", (body.question_id,)
    ).fetchone()
    if known is None:
        return _invalid("question_id", _("Elija una de las preguntas de seguridad de la lista."))
    if len(rules.normalise_answer(body.answer)) < MIN_ANSWER_LENGTH:
        return _invalid("answer", _("La respuesta debe tener al menos 2 letras o números."))
    return None


def _setup_hashes(
    passwords: PasswordChecker, current_hash: str, body: FirstLoginSetup
) -> tuple[str, str, str] | None:
    """The new password's and answers' hashes, or None when the password is the current one."""
    if passwords.verify(current_hash, body.new_password):
        return None
    return (
        passwords.hash(body.new_password),
        passwords.hash(rules.normalise_answer(body.own_answer)),
        passwords.hash(rules.normalise_answer(body.answer)),
    )


@router.post(
    "/me/setup",
    response_model=MemberProfile,
    responses={
        401: ERROR_RESPONSE,
        403: ERROR_RESPONSE,
        409: ERROR_RESPONSE,
        422: ERROR_RESPONSE,
    },
    summary="PRIMER INGRESO: new password, security image, secret questions",
)
def first_login_setup(
    body: Annotated[FirstLoginSetup, Body(openapi_examples=ex.SETUP)],
    member: Member,
    idem: SetupKey,
    state: State,
    conn: Conn,
) -> Response:
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    problem = _setup_problem(conn, body)
    before = conn.execute(
        "SELECT status, password_hash FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    prepared = (
        _setup_hashes(state.passwords, before["password_hash"], body)
        if problem is None and before["status"] == "setup"
        else None
    )

    def effect() -> Outcome:
        now = state.clock.now()
        row = conn.execute(
            """
            SELECT id, username, full_name, email, role, status, password_hash
            FROM members WHERE id = ?
            """,
            (member.id,),
        ).fetchone()
        if row["status"] != "setup":
            raise ApiError(409, "setup_done", _("Su primer ingreso ya está configurado."))
        if problem is not None:
            raise problem
        hashes = prepared
        if row["password_hash"] != before["password_hash"]:  # changed while we hashed
            hashes = _setup_hashes(state.passwords, row["password_hash"], body)
        if hashes is None:
            raise _invalid("new_password", _(SAME_PASSWORD_MESSAGE))
        password_hash, own_answer_hash, answer_hash = hashes
        conn.execute(
            """
            -- No phrase since schema 6 (nothing a member typed is shown before the password);
            -- '' keeps the CHECK of the older schema.
            UPDATE members SET password_hash = ?, security_image = ?, security_phrase = '',
                own_question = ?, own_answer_hash = ?, question_id = ?, answer_hash = ?,
                status = 'active'
            WHERE id = ?
            """,
            (
                password_hash,
                body.image.value,
                body.own_question.strip(),
                own_answer_hash,
                body.question_id,
                answer_hash,
                row["id"],
            ),
        )
        mail.account_ready(
            conn,
            now,
            to=row["email"],
            member_id=row["id"],
            name=row["full_name"],
            username=row["username"],
        )
        return Outcome(200, _profile(row))

    return idem.run(conn, effect)


# --- recovery ------------------------------------------------------------------------------------


def _recoverable(conn: Connection, username: str) -> Row | None:
    """An active user with both secret answers (anyone else gets decoys)."""
    row: Row | None = conn.execute(
        """
        SELECT m.id, m.full_name, m.email, m.username, m.own_question, m.own_answer_hash,
               m.answer_hash, q.text AS security_question
        FROM members AS m JOIN security_questions AS q ON q.id = m.question_id
        WHERE m.username = ? AND m.status = 'active'
          AND m.own_question IS NOT NULL AND m.own_answer_hash IS NOT NULL
          AND m.answer_hash IS NOT NULL
        """,
        (username,),
    ).fetchone()
    return row


def _member_id(conn: Connection, username: str) -> int | None:
    row = conn.execute("SELECT id FROM members WHERE username = ?", (username,)).fetchone()
    return None if row is None else int(row["id"])


def _code_ok(code: Row | None, member: Row | None, now: datetime) -> bool:
    """``code`` is the member's live recovery code (cheap: no argon2 before it holds)."""
    return (
        code is not None
        and member is not None
        and code["member_id"] == member["id"]
        and code["used_at"] is None
        and not codes.is_expired(code, now)
    )


def send_recovery_code(state: ServerState, username: str, requested: datetime) -> None:
    """Makes and e-mails the recovery code of ``username``, after the answer has gone.

    Run as a background task of the request, so that what the request does, and how long it
    takes, is the same for every name: only here is the name looked up. An unknown name, a
    user without the PRIMER INGRESO done, or a locked one gets no code (recovery lifts only a
    lock of wrong PINs). Every request, whatever the name, is recorded in one write transaction
    of the same shape: were a real name's the only one to write (and fsync), the requests that
    follow it would be slower, and an observer could time those.
    """
    conn = state.connections.acquire()
    try:
        with write_transaction(conn):
            conn.execute(
                "DELETE FROM recovery_requests WHERE requested_at < ?",
                (to_db(requested - RECOVERY_REQUESTS_KEPT),),
            )
            conn.execute(
                "INSERT INTO recovery_requests (username, requested_at) VALUES (?, ?)",
                (username, to_db(requested)),
            )
            member = _recoverable(conn, username)
            if member is None or is_locked(conn, username, member["id"], recovering=True):
                return
            (asked,) = conn.execute(
                "SELECT COUNT(*) FROM recovery_requests WHERE username = ? AND requested_at > ?",
                (username, to_db(requested - RECOVERY_MAIL_WINDOW)),
            ).fetchone()
            if asked > RECOVERY_MAILS_PER_WINDOW:
                return  # the codes sent in the last hour are still in the member's mailbox
            code = codes.issue(conn, member["id"], "recovery", requested, codes.RECOVERY_TTL)
            mail.recovery_code(
                conn,
                requested,
                to=member["email"],
                member_id=member["id"],
                name=member["full_name"],
                code=code,
            )
    except StoreError:
        # The answer has gone already; the member asks again. (No name or code in the log.)
        log.exception("a recovery request could not be stored")
    finally:
        state.connections.release(conn)


@router.post(
    "/auth/recovery",
    status_code=202,
    response_model=RecoveryStarted,
    responses={422: ERROR_RESPONSE},
    summary="¿Olvidó su contraseña?: a code by e-mail, if the username is a member's",
)
def start_recovery(
    body: Annotated[RecoveryRequest, Body(openapi_examples=ex.RECOVERY)],
    state: State,
    background: BackgroundTasks,
) -> RecoveryStarted:
    username = parse_username(body.username)
    # Nothing is looked up before the answer: known or unknown, locked or not, the answer and
    # the work behind it are the same. The code is made and e-mailed after it has gone.
    background.add_task(send_recovery_code, state, username, state.clock.now())
    return RecoveryStarted(
        username=username,
        code_valid_minutes=int(codes.RECOVERY_TTL.total_seconds() // 60),
    )


@router.post(
    "/auth/recovery/verify",
    response_model=RecoveryChallenge,
    responses={401: ERROR_RESPONSE, 422: ERROR_RESPONSE, 423: ERROR_RESPONSE},
    summary="¿Olvidó su contraseña?: the e-mailed code, answered by the user's two questions",
)
def verify_recovery_code(
    body: Annotated[RecoveryCodeCheck, Body(openapi_examples=ex.RECOVERY_VERIFY)],
    state: State,
    conn: Conn,
) -> RecoveryChallenge:
    username = parse_username(body.username)
    now = state.clock.now()
    member = _recoverable(conn, username)
    member_id = _member_id(conn, username)
    # The code first: without it, a known name and an unknown one get the same counted 401,
    # and a locked user's state is not told to whoever lacks the code.
    if not _code_ok(codes.find(conn, body.code, "recovery"), member, now):
        with write_transaction(conn):
            count = record_failure(conn, username, member_id, now)
        if count >= MAX_FAILURES:
            raise locked_error()
        raise ApiError(401, "recovery_failed", _(RECOVERY_CODE_MESSAGE), "code")
    if is_locked(conn, username, member_id, recovering=True):
        raise locked_error()
    assert member is not None
    question: str = member["security_question"]
    return RecoveryChallenge(
        username=username, own_question=member["own_question"], security_question=_(question)
    )


@router.post(
    "/auth/recovery/complete",
    status_code=204,
    response_class=Response,
    responses={401: ERROR_RESPONSE, 422: ERROR_RESPONSE, 423: ERROR_RESPONSE},
    summary="¿Olvidó su contraseña?: both answers, the e-mailed code and a new password",
)
def complete_recovery(
    body: Annotated[RecoveryCompletion, Body(openapi_examples=ex.RECOVERY_COMPLETE)],
    idem: RecoveryKey,
    state: State,
    conn: Conn,
) -> Response:
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    username = parse_username(body.username)
    policy = rules.password_error(body.new_password)
    member = _recoverable(conn, username)
    code_ok = _code_ok(codes.find(conn, body.code, "recovery"), member, state.clock.now())
    verified = False
    new_hash: str | None = None
    # argon2 only for the member's own live code: without it a known name and an unknown one
    # cost the same (no argon2 at all), and answers cannot be tried without the member's mail.
    if (
        policy is None
        and code_ok
        and not is_locked(conn, username, _member_id(conn, username), recovering=True)
    ):
        assert member is not None
        own_ok = state.passwords.verify(
            member["own_answer_hash"], rules.normalise_answer(body.own_answer)
        )
        answer_ok = state.passwords.verify(
            member["answer_hash"], rules.normalise_answer(body.security_answer)
        )
        verified = own_ok and answer_ok
        if verified:
            new_hash = state.passwords.hash(body.new_password)

    def effect() -> Outcome:
        now = state.clock.now()
        if policy is not None:
            raise _invalid("new_password", policy)
        member_id = _member_id(conn, username)
        if is_locked(conn, username, member_id, recovering=True):
            raise locked_error()
        current = _recoverable(conn, username)
        code = codes.find(conn, body.code, "recovery")
        ok = (
            verified
            and new_hash is not None
            and member is not None
            and current is not None
            # the answers verified above are still the stored ones
            and current["own_answer_hash"] == member["own_answer_hash"]
            and current["answer_hash"] == member["answer_hash"]
            and code is not None
            and code["member_id"] == current["id"]
            and code["used_at"] is None
            and not codes.is_expired(code, now)
        )
        if not ok:
            # Returned, not raised: the counted failure must commit with the refusal.
            if record_failure(conn, username, member_id, now) >= MAX_FAILURES:
                return Outcome(423, locked_body())
            return Outcome(
                401, ErrorBody(code="recovery_failed", message=_(RECOVERY_FAILED_MESSAGE))
            )
        assert current is not None and code is not None
        conn.execute("UPDATE members SET password_hash = ? WHERE id = ?", (new_hash, current["id"]))
        recovered(conn, current["id"], username)  # the counts, and a lock by wrong PINs
        codes.mark_used(conn, code, now)
        # Whoever held a session with the old password loses it.
        conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE member_id = ? AND ended_at IS NULL",
            (to_db(now), current["id"]),
        )
        mail.password_recovered(
            conn,
            now,
            to=current["email"],
            member_id=current["id"],
            name=current["full_name"],
            username=current["username"],
        )
        return Outcome(204)

    return idem.run(conn, effect)
