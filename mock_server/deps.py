"""Request dependencies: the server's settings, a database connection, the session's member."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mock_server import db
from mock_server.clock import Clock
from mock_server.errors import (
    NOT_AUTHENTICATED_MESSAGE,
    SESSION_ENDED_MESSAGE,
    SESSION_IDLE_MESSAGE,
    SETUP_REQUIRED_MESSAGE,
    STAFF_ONLY_MESSAGE,
    ApiError,
)
from mock_server.security import PasswordChecker, hash_token
from sjvirtual_tui.models import API_PREFIX, Role

# What a session in the PRIMER INGRESO ('setup') may call: (method, path). Checked here, once,
# so that a new route is closed to such a session until it is added on purpose.
SETUP_ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", f"{API_PREFIX}/me"),
        ("GET", f"{API_PREFIX}/security-questions"),
        ("POST", f"{API_PREFIX}/me/setup"),
        ("POST", f"{API_PREFIX}/auth/logout"),
    }
)


@dataclass(frozen=True)
class ServerState:
    """What ``create_app`` was given; kept on ``app.state.server``."""

    db_path: Path
    clock: Clock
    idle_timeout_seconds: int
    passwords: PasswordChecker


@dataclass(frozen=True)
class CurrentMember:
    id: int
    username: str
    role: Role
    holder_id: int | None  # whose accounts the member sees; None for staff
    status: str  # 'setup' or 'active' (a 'pending_password' user has no password to log in)


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


State = Annotated[ServerState, Depends(get_state)]


def get_conn(state: State) -> Iterator[sqlite3.Connection]:
    """One connection per request, shared by the request's dependencies and its endpoint."""
    conn = db.connect(state.db_path)
    try:
        yield conn
    finally:
        conn.close()


Conn = Annotated[sqlite3.Connection, Depends(get_conn)]

# auto_error=False: a missing token must answer our ErrorBody, not FastAPI's default.
_bearer = HTTPBearer(auto_error=False, description="The token of POST /api/v1/auth/login.")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _session_error(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers=_CHALLENGE)


def current_session(
    request: Request,
    state: State,
    conn: Conn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> tuple[str, CurrentMember]:
    """The session's token hash and member; refreshes the idle timer.

    A member who has not finished the PRIMER INGRESO reaches only :data:`SETUP_ALLOWED`.
    """
    if credentials is None:
        raise _session_error("not_authenticated", NOT_AUTHENTICATED_MESSAGE)
    token_hash = hash_token(credentials.credentials)
    now = state.clock.now()
    idle_limit = timedelta(seconds=state.idle_timeout_seconds)
    expired: str | None = None
    with db.write_transaction(conn):
        row = conn.execute(
            """
            SELECT s.last_seen_at, s.ended_at, m.id, m.username, m.role, m.holder_id, m.status
            FROM sessions AS s JOIN members AS m ON m.id = s.member_id
            WHERE s.token_hash = ?
            """,
            (token_hash,),
        ).fetchone()
        if row is None:
            raise _session_error("not_authenticated", NOT_AUTHENTICATED_MESSAGE)
        last_seen = db.from_db(row["last_seen_at"])
        if row["ended_at"] is not None:
            # A logout ends the session at its last request; idle time ends it later.
            idle = db.from_db(row["ended_at"]) - last_seen > idle_limit
            expired = SESSION_IDLE_MESSAGE if idle else SESSION_ENDED_MESSAGE
        elif now - last_seen > idle_limit:
            # Ended for good: going back within the timeout (a clock set back) must not revive it.
            conn.execute(
                "UPDATE sessions SET ended_at = ? WHERE token_hash = ?", (db.to_db(now), token_hash)
            )
            expired = SESSION_IDLE_MESSAGE
        else:
            conn.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                (db.to_db(now), token_hash),
            )
    # Raised after COMMIT, so the session stays marked as ended.
    if expired is not None:
        raise _session_error("session_expired", expired)
    if row["status"] != "active" and _route_key(request) not in SETUP_ALLOWED:
        raise ApiError(403, "setup_required", SETUP_REQUIRED_MESSAGE)
    return token_hash, CurrentMember(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        holder_id=row["holder_id"],
        status=row["status"],
    )


def _route_key(request: Request) -> tuple[str, str]:
    # The allowed routes have no path parameters, so the concrete path names exactly one route
    # (and a path with parameters can never equal one of them).
    return request.method, request.url.path


Session = Annotated[tuple[str, CurrentMember], Depends(current_session)]


def current_member(session: Session) -> CurrentMember:
    return session[1]


Member = Annotated[CurrentMember, Depends(current_member)]


def require_staff(member: Member) -> CurrentMember:
    """The session's member, if it is the cooperative's staff (a teller)."""
    if member.role is not Role.TELLER:
        raise ApiError(403, "forbidden", STAFF_ONLY_MESSAGE)
    return member


Staff = Annotated[CurrentMember, Depends(require_staff)]
