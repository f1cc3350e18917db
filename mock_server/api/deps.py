"""Request dependencies: the server's settings, a database connection, the session's member."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from mock_server.api.errors import (
    NOT_AUTHENTICATED_MESSAGE,
    SESSION_ENDED_MESSAGE,
    SESSION_IDLE_MESSAGE,
    SETUP_REQUIRED_MESSAGE,
    STAFF_ONLY_MESSAGE,
    ApiError,
)
from mock_server.domain.clock import Clock
from mock_server.domain.members import CurrentMember
from mock_server.domain.pin_limits import DEFAULT_PIN_LIMITS, PinLimits
from mock_server.domain.security import PasswordChecker, hash_token
from mock_server.i18n import _
from mock_server.store import Connection, Database, Row, write_transaction
from mock_server.store.meta import from_db, to_db
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


# A request within this time of the session's last recorded one does not write the time again:
# refreshing the idle timer on every request was a write transaction (and an fsync) for each
# one, reads included. The idle timeout (minutes) cannot tell a second apart.
TOUCH_INTERVAL = timedelta(seconds=1)


class ConnectionPool:
    """The server's connections to its database, kept between requests (the engine's pool).

    A connection goes back with no transaction open (:meth:`Connection.close` rolls one back).
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def acquire(self) -> Connection:
        return self.database.connect()

    def release(self, conn: Connection) -> None:
        conn.close()

    def idle_count(self) -> int:
        return int(self.database.engine.pool.checkedin())  # type: ignore[attr-defined]

    def open(self) -> None:
        """Nothing to do: the pool opens connections as they are asked for."""

    def close(self) -> None:
        """Closes the idle connections (the last one to an SQLite file checkpoints its log); a
        connection still in use is closed when it comes back."""
        self.database.dispose()


@dataclass(frozen=True)
class ServerState:
    """What ``create_app`` was given; kept on ``app.state.server``."""

    database: Database
    clock: Clock
    idle_timeout_seconds: int
    passwords: PasswordChecker
    pin_limits: PinLimits = DEFAULT_PIN_LIMITS
    connections: ConnectionPool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "connections", ConnectionPool(self.database))

    @property
    def db_path(self) -> Path:
        """The SQLite file (tests and tools that read it directly)."""
        if self.database.path is None:
            raise AttributeError("a PostgreSQL database has no file")
        return self.database.path


# The dependencies are ``async``, run on the event loop: FastAPI runs a plain ``def`` dependency
# in its threadpool, and a trip between threads (and back to the GIL) costs more CPU, about half
# a millisecond, than a dictionary lookup, an indexed read or a one-row write transaction. Slow
# work (argon2) belongs in the endpoints, which are plain ``def``s where they do it.


async def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state


State = Annotated[ServerState, Depends(get_state)]


async def get_conn(state: State) -> AsyncIterator[Connection]:
    """One connection per request, shared by the request's dependencies and its endpoint.

    Taken from the server's pool and given back after the request. Taking one does not block
    (opening a new one, when none is idle, takes about a millisecond).
    """
    conn = state.connections.acquire()
    try:
        yield conn
    finally:
        state.connections.release(conn)


Conn = Annotated[Connection, Depends(get_conn)]

# auto_error=False: a missing token must answer our ErrorBody, not FastAPI's default.
_bearer = HTTPBearer(auto_error=False, description="The token of POST /api/v1/auth/login.")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _session_error(code: str, message: str) -> ApiError:
    """``message``: one of the N_() constants of :mod:`mock_server.api.errors`."""
    return ApiError(401, code, _(message), headers=_CHALLENGE)


_SESSION_QUERY = """
    SELECT s.last_seen_at, s.ended_at, m.id, m.username, m.role, m.holder_id, m.status
    FROM sessions AS s JOIN members AS m ON m.id = s.member_id
    WHERE s.token_hash = ?
"""


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    """What :data:`Credentials` gives, for code that reads the request itself."""
    return await _bearer(request)


def authenticate(
    request: Request,
    state: ServerState,
    conn: Connection,
    credentials: HTTPAuthorizationCredentials | None,
) -> tuple[str, CurrentMember]:
    """The session's token hash and member; refreshes the idle timer.

    The refresh is written at most once per :data:`TOUCH_INTERVAL`: a session seen within the
    last second is only read. Both run here, on the event loop: one indexed read, and once a
    second a one-row write transaction (under a millisecond with its fsync), cost less than a
    trip to the threadpool, where a thread holding the write lock also waited for the GIL at
    each statement while the event loop was busy (and the loop's own writers waited for it).
    A member who has not finished the PRIMER INGRESO reaches only :data:`SETUP_ALLOWED`.
    """
    if credentials is None:
        raise _session_error("not_authenticated", NOT_AUTHENTICATED_MESSAGE)
    token_hash = hash_token(credentials.credentials)
    now = state.clock.now()
    row = conn.execute(_SESSION_QUERY, (token_hash,)).fetchone()
    if row is None:
        raise _session_error("not_authenticated", NOT_AUTHENTICATED_MESSAGE)
    since = now - from_db(row["last_seen_at"])
    if row["ended_at"] is not None or not timedelta(0) <= since < TOUCH_INTERVAL:
        # Not touched in the last second (or ended): check and refresh under the write lock.
        row = _touch(state, conn, token_hash, now)
    if row["status"] != "active" and _route_key(request) not in SETUP_ALLOWED:
        raise ApiError(403, "setup_required", _(SETUP_REQUIRED_MESSAGE))
    return token_hash, CurrentMember(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        holder_id=row["holder_id"],
        status=row["status"],
    )


async def current_session(
    request: Request, state: State, conn: Conn, credentials: Credentials
) -> tuple[str, CurrentMember]:
    """The session's token hash and member (:func:`authenticate`)."""
    return authenticate(request, state, conn, credentials)


def _touch(state: ServerState, conn: Connection, token_hash: str, now: datetime) -> Row:
    """Ends the session if it was idle too long, or records ``now`` as its last request."""
    idle_limit = timedelta(seconds=state.idle_timeout_seconds)
    expired: str | None = None
    with write_transaction(conn):
        row: Row | None = conn.execute(_SESSION_QUERY, (token_hash,)).fetchone()
        if row is None:  # pragma: no cover - sessions are never deleted
            raise _session_error("not_authenticated", NOT_AUTHENTICATED_MESSAGE)
        last_seen = from_db(row["last_seen_at"])
        if row["ended_at"] is not None:
            # A logout ends the session at its last request; idle time ends it later.
            idle = from_db(row["ended_at"]) - last_seen > idle_limit
            expired = SESSION_IDLE_MESSAGE if idle else SESSION_ENDED_MESSAGE
        elif now - last_seen > idle_limit:
            # Ended for good: going back within the timeout (a clock set back) must not revive it.
            conn.execute(
                "UPDATE sessions SET ended_at = ? WHERE token_hash = ?", (to_db(now), token_hash)
            )
            expired = SESSION_IDLE_MESSAGE
        else:
            conn.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                (to_db(now), token_hash),
            )
    # Raised after COMMIT, so the session stays marked as ended.
    if expired is not None:
        raise _session_error("session_expired", expired)
    return row


def _route_key(request: Request) -> tuple[str, str]:
    # The allowed routes have no path parameters, so the concrete path names exactly one route
    # (and a path with parameters can never equal one of them).
    return request.method, request.url.path


Session = Annotated[tuple[str, CurrentMember], Depends(current_session)]


async def current_member(session: Session) -> CurrentMember:
    return session[1]


Member = Annotated[CurrentMember, Depends(current_member)]


async def require_staff(member: Member) -> CurrentMember:
    """The session's member, if it is the cooperative's staff (a teller)."""
    if member.role is not Role.TELLER:
        raise ApiError(403, "forbidden", _(STAFF_ONLY_MESSAGE))
    return member


Staff = Annotated[CurrentMember, Depends(require_staff)]


# --- integers in a query string or a path ------------------------------------------------------

_DIGITS = re.compile(r"[0-9]{1,30}")


def _decimal_digits(value: object) -> object:
    """Only decimal digits are a number in a query string or a path: pydantic alone also read
    " 5 ", "+5", "1_000" and "100.0" (the bodies' integers are strict, :data:`models.Cents`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # a path convertor's {id:int} gave it already
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise PydanticCustomError("int_parsing", "Input should be a whole number in decimal digits")


# Every integer of a query string or a path: ``Annotated[int, Query(ge=1, le=...), DIGITS]``,
# after the Query/Path (before it, pydantic would not put the bounds in the document). Path
# ids are spelled ``{name:int}`` in the route: "lookup" in their place is another route, or none.
DIGITS = BeforeValidator(_decimal_digits)
