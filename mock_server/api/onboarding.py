"""ESTABLECER CONTRASEÑA, PRIMER INGRESO and ¿Olvidó su contraseña? (recovery).

The rules are :mod:`mock_server.domain.onboarding`'s; a route with slow argon2 work prepares it
there before :meth:`Idempotency.run`, whose effect checks again what was prepared.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.auth import profile_of
from mock_server.api.deps import NO_CONTENT, Conn, Member, State
from mock_server.api.errors import SECRET_CHECK, error_responses
from mock_server.api.idempotency import (
    Idempotency,
    Outcome,
    member_idempotency,
    public_idempotency,
)
from mock_server.domain import codes, onboarding
from mock_server.domain.auth import parse_username
from sjvirtual_tui.models import (
    FirstLoginSetup,
    MemberProfile,
    RecoveryChallenge,
    RecoveryCodeCheck,
    RecoveryCompletion,
    RecoveryRequest,
    RecoveryStarted,
    SecurityQuestion,
    SetPasswordRequest,
)

router = APIRouter(tags=["onboarding"], responses=error_responses(500))

# The secret fields of each body are compared through argon2id, never a plain hash.
SetPasswordKey = Annotated[Idempotency, Depends(public_idempotency("code", "password"))]
SetupKey = Annotated[
    Idempotency, Depends(member_idempotency("new_password", "own_answer", "answer"))
]
RecoveryKey = Annotated[
    Idempotency,
    Depends(public_idempotency("own_answer", "security_answer", "code", "new_password")),
]


# --- ESTABLECER CONTRASEÑA -----------------------------------------------------------------------


@router.post(
    "/auth/set-password",
    **NO_CONTENT,
    responses=error_responses(422),
    summary="ESTABLECER CONTRASEÑA with the code of the approval e-mail",
)
def set_password(
    body: Annotated[SetPasswordRequest, Body(openapi_examples=ex.SET_PASSWORD)],
    idem: SetPasswordKey,
    state: State,
    conn: Conn,
) -> Response:
    def prepare() -> str | None:
        return onboarding.prepare_set_password(
            conn, state.passwords, state.clock.now(), body.code, body.password
        )

    def effect(new_hash: str | None) -> Outcome:
        onboarding.set_password(
            conn, state.passwords, state.clock.now(), body.code, body.password, new_hash
        )
        return Outcome(204)

    return idem.run_prepared(conn, prepare, effect)


# --- PRIMER INGRESO ------------------------------------------------------------------------------


@router.get(
    "/security-questions",
    response_model=list[SecurityQuestion],
    summary="The security questions a member picks one of (PRIMER INGRESO)",
)
def security_questions(conn: Conn) -> list[SecurityQuestion]:
    return [
        SecurityQuestion(id=question_id, text=text)
        for question_id, text in onboarding.security_questions(conn)
    ]


@router.post(
    "/me/setup",
    response_model=MemberProfile,
    responses=error_responses(401, 403, 409, 422),
    summary="PRIMER INGRESO: new password, security image, secret questions",
)
def first_login_setup(
    body: Annotated[FirstLoginSetup, Body(openapi_examples=ex.SETUP)],
    member: Member,
    idem: SetupKey,
    state: State,
    conn: Conn,
) -> Response:
    def prepare() -> onboarding.PreparedSetup:
        return onboarding.prepare_setup(conn, state.passwords, member.id, body)

    def effect(prepared: onboarding.PreparedSetup) -> Outcome:
        done = onboarding.first_login_setup(
            conn, state.passwords, state.clock.now(), member.id, body, prepared
        )
        return Outcome(200, profile_of(done))

    return idem.run_prepared(conn, prepare, effect)


# --- recovery ------------------------------------------------------------------------------------


@router.post(
    "/auth/recovery",
    status_code=202,
    response_model=RecoveryStarted,
    responses=error_responses(422),
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
    background.add_task(
        onboarding.send_recovery_code, state.connections, username, state.clock.now()
    )
    return RecoveryStarted(
        username=username,
        code_valid_minutes=int(codes.RECOVERY_TTL.total_seconds() // 60),
    )


@router.post(
    "/auth/recovery/verify",
    response_model=RecoveryChallenge,
    responses=SECRET_CHECK,
    summary="¿Olvidó su contraseña?: the e-mailed code, answered by the user's two questions",
)
def verify_recovery_code(
    body: Annotated[RecoveryCodeCheck, Body(openapi_examples=ex.RECOVERY_VERIFY)],
    state: State,
    conn: Conn,
) -> RecoveryChallenge:
    username = parse_username(body.username)
    own_question, security_question = onboarding.verify_recovery_code(
        conn, state.clock.now(), username, body.code
    )
    return RecoveryChallenge(
        username=username, own_question=own_question, security_question=security_question
    )


@router.post(
    "/auth/recovery/complete",
    **NO_CONTENT,
    responses=SECRET_CHECK,
    summary="¿Olvidó su contraseña?: both answers, the e-mailed code and a new password",
)
def complete_recovery(
    body: Annotated[RecoveryCompletion, Body(openapi_examples=ex.RECOVERY_COMPLETE)],
    idem: RecoveryKey,
    state: State,
    conn: Conn,
) -> Response:
    def prepare() -> onboarding.PreparedRecovery:
        return onboarding.prepare_recovery(
            conn,
            state.passwords,
            state.clock.now(),
            body.username,
            body.code,
            body.own_answer,
            body.security_answer,
            body.new_password,
        )

    def effect(prepared: onboarding.PreparedRecovery) -> Outcome:
        refused = onboarding.complete_recovery(conn, state.clock.now(), body.code, prepared)
        return Outcome(204) if refused is None else Outcome.refusal(refused)

    return idem.run_prepared(conn, prepare, effect)
