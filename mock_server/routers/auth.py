"""INGRESAR: security challenge, login, logout and the session's profile."""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Response

from mock_server import db
from mock_server.deps import Conn, Member, Session, State
from mock_server.errors import (
    ERROR_RESPONSE,
    INVALID_CREDENTIALS_MESSAGE,
    LOCKED_MESSAGE,
    ApiError,
)
from mock_server.security import decoy_challenge, hash_token, new_token, normalise_username
from sjvirtual_tui.models import (
    ChallengeRequest,
    LoginRequest,
    LoginResult,
    MemberProfile,
    Role,
    SecurityChallenge,
    SecurityImageId,
)

router = APIRouter(tags=["auth"], responses={500: ERROR_RESPONSE})

# Failures in a row that lock a username (known or not).
MAX_FAILURES = 5


def _username(raw: str) -> str:
    username = normalise_username(raw)
    if not username:
        raise ApiError(422, "validation_error", "Usuario: no puede estar vacío.", "username")
    return username


def _failures(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute(
        "SELECT count FROM login_failures WHERE username = ?", (username,)
    ).fetchone()
    return 0 if row is None else int(row["count"])


def _locked() -> ApiError:
    return ApiError(423, "locked", LOCKED_MESSAGE)


@router.post(
    "/auth/challenge",
    response_model=SecurityChallenge,
    responses={422: ERROR_RESPONSE},
    summary="INGRESAR: the security image and phrase of a username",
)
def challenge(body: ChallengeRequest, state: State, conn: Conn) -> SecurityChallenge:
    username = _username(body.username)
    row = conn.execute(
        "SELECT security_image, security_phrase FROM members WHERE username = ?", (username,)
    ).fetchone()
    if row is not None:
        image, phrase = SecurityImageId(row["security_image"]), str(row["security_phrase"])
    else:
        image, phrase = decoy_challenge(db.decoy_secret(conn), username)
    return SecurityChallenge(username=username, image=image, phrase=phrase)


@router.post(
    "/auth/login",
    response_model=LoginResult,
    responses={401: ERROR_RESPONSE, 422: ERROR_RESPONSE, 423: ERROR_RESPONSE},
    summary="SIGUIENTE: open a session with username and password",
)
def login(body: LoginRequest, state: State, conn: Conn) -> LoginResult:
    username = _username(body.username)
    member = conn.execute(
        """
        SELECT id, username, password_hash, full_name, role, locked_at, last_login_at
        FROM members WHERE username = ?
        """,
        (username,),
    ).fetchone()
    # A locked username answers 423 before any password check, known or not.
    if _failures(conn, username) >= MAX_FAILURES or (member and member["locked_at"]):
        raise _locked()

    # The slow argon2 check runs outside the write lock so logins do not queue behind it.
    # Unknown names verify a dummy hash: the answer takes as long as for a wrong password.
    if member is None:
        state.passwords.verify(db.dummy_password_hash(conn), body.password)
        ok = False
    else:
        ok = state.passwords.verify(member["password_hash"], body.password)

    now = state.clock.now()
    if not ok:
        with db.write_transaction(conn):
            conn.execute(
                """
                INSERT INTO login_failures (username, count, last_at) VALUES (?, 1, ?)
                ON CONFLICT (username) DO UPDATE
                SET count = count + 1, last_at = excluded.last_at
                """,
                (username, db.to_db(now)),
            )
            failures = _failures(conn, username)
            if failures >= MAX_FAILURES and member is not None:
                conn.execute(
                    "UPDATE members SET locked_at = ? WHERE id = ? AND locked_at IS NULL",
                    (db.to_db(now), member["id"]),
                )
        if failures >= MAX_FAILURES:
            raise _locked()
        raise ApiError(401, "invalid_credentials", INVALID_CREDENTIALS_MESSAGE)

    assert member is not None
    token = new_token()
    new_hash = (
        state.passwords.hash(body.password)
        if state.passwords.needs_rehash(member["password_hash"])
        else None
    )
    with db.write_transaction(conn):
        # A parallel request may have counted the 5th failure while we verified.
        refused = (
            conn.execute("SELECT locked_at FROM members WHERE id = ?", (member["id"],)).fetchone()[
                "locked_at"
            ]
            is not None
            or _failures(conn, username) >= MAX_FAILURES
        )
        if not refused:
            conn.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            conn.execute(
                "UPDATE members SET last_login_at = ? WHERE id = ?", (db.to_db(now), member["id"])
            )
            if new_hash is not None:
                conn.execute(
                    "UPDATE members SET password_hash = ? WHERE id = ?", (new_hash, member["id"])
                )
            conn.execute(
                """
                INSERT INTO sessions (token_hash, member_id, created_at, last_seen_at)
                VALUES (?, ?, ?, ?)
                """,
                (hash_token(token), member["id"], db.to_db(now), db.to_db(now)),
            )
    if refused:
        raise _locked()
    previous = member["last_login_at"]
    return LoginResult(
        token=token,
        idle_timeout_seconds=state.idle_timeout_seconds,
        member=MemberProfile(
            username=member["username"], full_name=member["full_name"], role=Role(member["role"])
        ),
        last_login_at=db.from_db(previous) if previous else None,
    )


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    responses={401: ERROR_RESPONSE},
    summary="End the session",
)
def logout(session: Session, state: State, conn: Conn) -> Response:
    token_hash, _member = session
    with db.write_transaction(conn):
        conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (db.to_db(state.clock.now()), token_hash),
        )
    return Response(status_code=204)


@router.get(
    "/me",
    response_model=MemberProfile,
    responses={401: ERROR_RESPONSE},
    summary="The profile of the session's member",
)
def me(member: Member, conn: Conn) -> MemberProfile:
    row = conn.execute(
        "SELECT username, full_name, role FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    return MemberProfile(
        username=row["username"], full_name=row["full_name"], role=Role(row["role"])
    )
