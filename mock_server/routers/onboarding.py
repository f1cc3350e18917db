"""ESTABLECER CONTRASEÑA, PRIMER INGRESO and ¿Olvidó su contraseña? (recovery).

The slow argon2 work (hashing a new password or the answers, verifying answers) runs before
the write transaction, as login does, and the transaction checks again that what was verified
is still what is stored.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from mock_server import codes, db, mail
from mock_server.deps import Conn, Member, State
from mock_server.errors import ERROR_RESPONSE, ApiError
from mock_server.i18n import N_, _
from mock_server.idempotency import (
    Idempotency,
    Outcome,
    member_idempotency,
    public_idempotency,
)
from mock_server.lockout import (
    MAX_FAILURES,
    is_locked,
    locked_body,
    locked_error,
    record_failure,
    recovered,
)
from mock_server.routers import openapi_examples as ex
from mock_server.routers.auth import parse_username
from mock_server.security import DECOY_OWN_QUESTIONS, PasswordChecker, decoy_index
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    ErrorBody,
    FirstLoginSetup,
    MemberProfile,
    RecoveryChallenge,
    RecoveryCompletion,
    RecoveryRequest,
    Role,
    SecurityQuestion,
    SetPasswordRequest,
)

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
MIN_ANSWER_LENGTH = 2


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, field)


def _profile(row: sqlite3.Row) -> MemberProfile:
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
    # The cooperative's questions (mock_server.db.SECURITY_QUESTIONS), in the request's language.
    return [SecurityQuestion(id=question_id, text=_(text)) for question_id, text in rows]


def _setup_problem(conn: sqlite3.Connection, body: FirstLoginSetup) -> ApiError | None:
    """The first problem of the wizard's data, in the wizard's order (argon2 checks aside)."""
    problem = rules.password_error(body.new_password)
    if problem is not None:
        return _invalid("new_password", problem)
    if len(body.phrase.strip()) < 3:
        return _invalid("phrase", _("Escriba una frase de seguridad de al menos 3 caracteres."))
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
    summary="PRIMER INGRESO: new password, security image and phrase, secret questions",
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
            UPDATE members SET password_hash = ?, security_image = ?, security_phrase = ?,
                own_question = ?, own_answer_hash = ?, question_id = ?, answer_hash = ?,
                status = 'active'
            WHERE id = ?
            """,
            (
                password_hash,
                body.image.value,
                body.phrase.strip(),
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


def _recoverable(conn: sqlite3.Connection, username: str) -> sqlite3.Row | None:
    """An active user with both secret answers (anyone else gets decoys)."""
    row: sqlite3.Row | None = conn.execute(
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


def _member_id(conn: sqlite3.Connection, username: str) -> int | None:
    row = conn.execute("SELECT id FROM members WHERE username = ?", (username,)).fetchone()
    return None if row is None else int(row["id"])


@router.post(
    "/auth/recovery",
    response_model=RecoveryChallenge,
    responses={422: ERROR_RESPONSE},
    summary="¿Olvidó su contraseña?: the user's two questions, and a code by e-mail",
)
def start_recovery(
    body: Annotated[RecoveryRequest, Body(openapi_examples=ex.RECOVERY)],
    state: State,
    conn: Conn,
) -> RecoveryChallenge:
    username = parse_username(body.username)
    member = _recoverable(conn, username)
    if member is None:
        # Stable decoys, as for the security image: the answer does not tell whether the
        # username exists. No e-mail, and nothing is stored.
        secret = db.decoy_secret(conn)
        questions = [
            _(text) for (text,) in conn.execute("SELECT text FROM security_questions ORDER BY id")
        ]
        return RecoveryChallenge(
            username=username,
            own_question=DECOY_OWN_QUESTIONS[
                decoy_index(secret, "recovery-own", username, len(DECOY_OWN_QUESTIONS))
            ],
            security_question=questions[
                decoy_index(secret, "recovery-question", username, len(questions))
            ],
        )
    now = state.clock.now()
    with db.write_transaction(conn):
        # A locked user gets the same answer but no code: recovery cannot lift a lock (but
        # the lock of wrong PINs, which the member's own recovery lifts).
        if not is_locked(conn, username, member["id"], recovering=True):
            code = codes.issue(conn, member["id"], "recovery", now, codes.RECOVERY_TTL)
            mail.recovery_code(
                conn,
                now,
                to=member["email"],
                member_id=member["id"],
                name=member["full_name"],
                code=code,
            )
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
    verified = False
    new_hash: str | None = None
    if policy is None and not is_locked(
        conn, username, _member_id(conn, username), recovering=True
    ):
        # Both answers are always verified, against dummy hashes for an unknown name: the time
        # taken tells neither which part was wrong nor whether the user exists.
        dummy = db.dummy_password_hash(conn)
        own_ok = state.passwords.verify(
            member["own_answer_hash"] if member else dummy,
            rules.normalise_answer(body.own_answer),
        )
        answer_ok = state.passwords.verify(
            member["answer_hash"] if member else dummy,
            rules.normalise_answer(body.security_answer),
        )
        verified = member is not None and own_ok and answer_ok
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
            (db.to_db(now), current["id"]),
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
