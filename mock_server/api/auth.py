"""INGRESAR: security challenge, login, logout and the session's profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import Conn, Member, Session, State
from mock_server.api.errors import ERROR_RESPONSE, INVALID_CREDENTIALS_MESSAGE, ApiError
from mock_server.domain import mail
from mock_server.domain.lockout import (
    MAX_FAILURES,
    clear_failures,
    failures,
    locked_error,
    record_failure,
)
from mock_server.domain.security import decoy_image, hash_token, new_token, normalise_username
from mock_server.i18n import _, language
from mock_server.store import Connection, Row, write_transaction
from mock_server.store.meta import decoy_secret, dummy_password_hash, from_db, to_db
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

# How many times a login is tried again when the stored password hash changed under it.
MAX_HASH_RETRIES = 3


def parse_username(raw: str) -> str:
    """The username as stored (case and stray spaces do not matter); 422 when blank."""
    username = normalise_username(raw)
    if not username:
        raise ApiError(422, "validation_error", _("Usuario: no puede estar vacío."), "username")
    return username


@router.post(
    "/auth/challenge",
    response_model=SecurityChallenge,
    responses={422: ERROR_RESPONSE},
    summary="INGRESAR: the security image of a username (a stable decoy for an unknown one)",
)
def challenge(
    body: Annotated[ChallengeRequest, Body(openapi_examples=ex.CHALLENGE)],
    conn: Conn,
) -> SecurityChallenge:
    username = parse_username(body.username)
    # The same work for every name: the decoy is made and the member looked up either way.
    # A user who has not finished the PRIMER INGRESO has no image yet: the decoy, as for an
    # unknown name. Only the image is answered: nothing the member typed is shown before the
    # password (a phrase or question of the member's own words would tell a real user).
    decoy = decoy_image(decoy_secret(conn), username)
    row = conn.execute(
        "SELECT security_image FROM members WHERE username = ? AND status = 'active'",
        (username,),
    ).fetchone()
    image = decoy if row is None else SecurityImageId(row["security_image"])
    return SecurityChallenge(username=username, image=image)


@router.post(
    "/auth/login",
    response_model=LoginResult,
    responses={401: ERROR_RESPONSE, 422: ERROR_RESPONSE, 423: ERROR_RESPONSE},
    summary="SIGUIENTE: open a session with username and password",
)
def login(
    body: Annotated[LoginRequest, Body(openapi_examples=ex.LOGIN)], state: State, conn: Conn
) -> LoginResult:
    username = parse_username(body.username)
    member = conn.execute(
        """
        SELECT id, username, password_hash, status, full_name, email, role, locked_at,
               last_login_at
        FROM members WHERE username = ?
        """,
        (username,),
    ).fetchone()
    # A locked username answers 423 before any password check, known or not.
    if failures(conn, username) >= MAX_FAILURES or (member and member["locked_at"]):
        raise locked_error()

    # The slow argon2 check runs outside the write lock so logins do not queue behind it.
    # Unknown names, and approved users who have no password yet, verify a dummy hash: the
    # answer takes as long as for a wrong password.
    if member is None or member["password_hash"] is None:
        state.passwords.verify(dummy_password_hash(conn), body.password)
        ok = False
    else:
        ok = state.passwords.verify(member["password_hash"], body.password)

    now = state.clock.now()
    if not ok:
        with write_transaction(conn):
            count = record_failure(conn, username, member["id"] if member else None, now)
        if count >= MAX_FAILURES:
            raise locked_error()
        raise ApiError(401, "invalid_credentials", _(INVALID_CREDENTIALS_MESSAGE))

    assert member is not None
    token = new_token()
    device_token: str | None = None
    # The hash the password was verified against. A parallel request may store another while
    # we verify: a simultaneous login of this member that rehashed the same password (the
    # server's argon2 parameters differ from the stored hash's), or a new password (recovery,
    # PRIMER INGRESO). The password is then verified against the stored hash, outside the
    # write lock, and the login tried again: a correct password succeeds, an old one is 401.
    verified_hash: str = member["password_hash"]
    for _attempt in range(MAX_HASH_RETRIES):
        new_hash = (
            state.passwords.hash(body.password)
            if state.passwords.needs_rehash(verified_hash)
            else None
        )
        with write_transaction(conn):
            # A parallel request may also have counted the 5th failure while we verified.
            current = conn.execute(
                """
                SELECT locked_at, password_hash, status, last_login_at FROM members
                WHERE id = ?
                """,
                (member["id"],),
            ).fetchone()
            locked = current["locked_at"] is not None or failures(conn, username) >= MAX_FAILURES
            changed = current["password_hash"] != verified_hash
            if not locked and not changed:
                clear_failures(conn, username)
                # The member's e-mails from now on are in the language of this login.
                conn.execute(
                    "UPDATE members SET last_login_at = ?, language = ? WHERE id = ?",
                    (to_db(now), language(), member["id"]),
                )
                if new_hash is not None:
                    conn.execute(
                        "UPDATE members SET password_hash = ? WHERE id = ?",
                        (new_hash, member["id"]),
                    )
                conn.execute(
                    """
                    INSERT INTO sessions (token_hash, member_id, created_at, last_seen_at)
                    VALUES (?, ?, ?, ?)
                    """,
                    (hash_token(token), member["id"], to_db(now), to_db(now)),
                )
                device_token = _check_device(conn, member, body.device_token, current, now)
        if locked:
            raise locked_error()
        if not changed:
            break
        verified_hash = current["password_hash"]
        if verified_hash is None or not state.passwords.verify(verified_hash, body.password):
            raise ApiError(401, "invalid_credentials", _(INVALID_CREDENTIALS_MESSAGE))
    else:  # pragma: no cover - the hash changed under every attempt
        raise ApiError(401, "invalid_credentials", _(INVALID_CREDENTIALS_MESSAGE))
    previous = member["last_login_at"]
    return LoginResult(
        token=token,
        idle_timeout_seconds=state.idle_timeout_seconds,
        member=MemberProfile(
            username=member["username"], full_name=member["full_name"], role=Role(member["role"])
        ),
        last_login_at=from_db(previous) if previous else None,
        setup_required=current["status"] != "active",
        device_token=device_token,
    )


def _check_device(
    conn: Connection,
    member: Row,
    presented: str | None,
    current: Row,
    now: datetime,
) -> str | None:
    """The terminal of a successful login (inside its write transaction): None when
    ``presented`` is one of the member's device tokens, else a new token for it.

    A new terminal is e-mailed about, except at the member's very first login (there is no
    known terminal to tell it from). Only the tokens' SHA-256 is stored, like sessions'.
    """
    if presented is not None:
        seen = conn.execute(
            """
            UPDATE device_tokens SET last_seen_at = ? WHERE token_hash = ? AND member_id = ?
            RETURNING token_hash
            """,
            (to_db(now), hash_token(presented), member["id"]),
        ).fetchone()
        if seen is not None:
            return None
    issued = new_token()
    conn.execute(
        """
        INSERT INTO device_tokens (token_hash, member_id, created_at, last_seen_at)
        VALUES (?, ?, ?, ?)
        """,
        (hash_token(issued), member["id"], to_db(now), to_db(now)),
    )
    if current["last_login_at"] is not None:
        mail.new_device(
            conn,
            now,
            to=member["email"],
            member_id=member["id"],
            name=member["full_name"],
            username=member["username"],
            language=language(),
        )
    return issued


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    responses={401: ERROR_RESPONSE},
    summary="End the session",
)
def logout(session: Session, state: State, conn: Conn) -> Response:
    token_hash, _member = session
    with write_transaction(conn):
        conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (to_db(state.clock.now()), token_hash),
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
