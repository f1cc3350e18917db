"""INGRESAR: security challenge, login, logout and the session's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import NO_CONTENT, Conn, Member, Session, State
from mock_server.api.errors import SECRET_CHECK, error_responses
from mock_server.domain import auth, sessions
from sjvirtual_tui.models import (
    ChallengeRequest,
    LoginRequest,
    LoginResult,
    MemberProfile,
    Role,
    SecurityChallenge,
)

router = APIRouter(tags=["auth"], responses=error_responses(500))


def profile_of(member: auth.Member) -> MemberProfile:
    return MemberProfile(
        username=member.username, full_name=member.full_name, role=Role(member.role)
    )


@router.post(
    "/auth/challenge",
    response_model=SecurityChallenge,
    responses=error_responses(422),
    summary="INGRESAR: the security image of a username (a stable decoy for an unknown one)",
)
def challenge(
    body: Annotated[ChallengeRequest, Body(openapi_examples=ex.CHALLENGE)],
    conn: Conn,
) -> SecurityChallenge:
    username, image = auth.security_image(conn, body.username)
    return SecurityChallenge(username=username, image=image)


@router.post(
    "/auth/login",
    response_model=LoginResult,
    responses=SECRET_CHECK,
    summary="SIGUIENTE: open a session with username and password",
)
def login(
    body: Annotated[LoginRequest, Body(openapi_examples=ex.LOGIN)], state: State, conn: Conn
) -> LoginResult:
    done = auth.login(
        conn, state.passwords, state.clock, body.username, body.password, body.device_token
    )
    return LoginResult(
        token=done.token,
        idle_timeout_seconds=state.idle_timeout_seconds,
        member=profile_of(done.member),
        last_login_at=done.previous_login_at,
        setup_required=done.setup_required,
        device_token=done.device_token,
    )


@router.post(
    "/auth/logout",
    **NO_CONTENT,
    responses=error_responses(401),
    summary="End the session",
)
def logout(session: Session, state: State, conn: Conn) -> Response:
    token_hash, _member = session
    sessions.logout(conn, token_hash, state.clock.now())
    return Response(status_code=204)


@router.get(
    "/me",
    response_model=MemberProfile,
    responses=error_responses(401),
    summary="The profile of the session's member",
)
def me(member: Member, conn: Conn) -> MemberProfile:
    return profile_of(auth.profile(conn, member.id))
