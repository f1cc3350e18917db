"""Request dependencies: the server's settings, a database connection, the session's member."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from mock_server.api.errors import (
    SETUP_REQUIRED_MESSAGE,
    STAFF_ONLY_MESSAGE,
    SUPERVISOR_ONLY_MESSAGE,
    ApiError,
)
from mock_server.domain import sessions
from mock_server.domain.clock import Clock
from mock_server.domain.connections import Connection, ConnectionPool, Database
from mock_server.domain.errors import NotAuthenticated
from mock_server.domain.members import CurrentMember
from mock_server.domain.pin_limits import DEFAULT_PIN_LIMITS, PinLimits
from mock_server.domain.security import PasswordChecker
from mock_server.i18n import _
from sjvirtual_tui.models import API_PREFIX, MAX_ID, Role

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
    """The session's token hash and member (:func:`mock_server.domain.sessions.authenticate`,
    which also refreshes the idle timer). A member who has not finished the PRIMER INGRESO
    reaches only :data:`SETUP_ALLOWED`."""
    token = None if credentials is None else credentials.credentials
    try:
        token_hash, member = sessions.authenticate(
            conn, token, state.clock.now(), state.idle_timeout_seconds
        )
    except NotAuthenticated as exc:
        # A 401 of a session names how to authenticate (RFC 9110).
        raise ApiError(401, exc.code, exc.message, headers=_CHALLENGE) from exc
    if member.status != "active" and _route_key(request) not in SETUP_ALLOWED:
        raise ApiError(403, "setup_required", _(SETUP_REQUIRED_MESSAGE))
    return token_hash, member


async def current_session(
    request: Request, state: State, conn: Conn, credentials: Credentials
) -> tuple[str, CurrentMember]:
    """The session's token hash and member (:func:`authenticate`)."""
    return authenticate(request, state, conn, credentials)


def _route_key(request: Request) -> tuple[str, str]:
    # The allowed routes have no path parameters, so the concrete path names exactly one route
    # (and a path with parameters can never equal one of them).
    return request.method, request.url.path


Session = Annotated[tuple[str, CurrentMember], Depends(current_session)]


async def current_member(session: Session) -> CurrentMember:
    return session[1]


Member = Annotated[CurrentMember, Depends(current_member)]


async def require_staff(member: Member) -> CurrentMember:
    """The session's member, if it is the cooperative's staff (a teller or a supervisor)."""
    if member.role not in (Role.TELLER, Role.SUPERVISOR):
        raise ApiError(403, "forbidden", _(STAFF_ONLY_MESSAGE))
    return member


Staff = Annotated[CurrentMember, Depends(require_staff)]


async def require_supervisor(staff: Staff) -> CurrentMember:
    """The session's member, if it is a supervisor (four eyes, the audit log)."""
    if staff.role is not Role.SUPERVISOR:
        raise ApiError(403, "forbidden", _(SUPERVISOR_ONLY_MESSAGE))
    return staff


Supervisor = Annotated[CurrentMember, Depends(require_supervisor)]


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


def record_id(what: str) -> Any:
    """The path parameter of a record's id (``Annotated[int, record_id("payment"), DIGITS]``)."""
    return PathParam(ge=1, le=MAX_ID, description=f"The {what}'s id.")


# How many records a list route answers at the most (its ``?limit=``).
MAX_LIST = 200
ListLimit = Annotated[int, Query(ge=1, le=MAX_LIST), DIGITS]


# The options of a route that answers 204 with no body: ``@router.post(path, **NO_CONTENT, ...)``.
NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}


# --- approvals and audit (issue 18) ---

TERMINAL_HEADER = "X-SJV-Terminal"


async def terminal_of(request: Request) -> str | None:
    """What the audit log records as the terminal: the client's own name for it (header
    ``X-SJV-Terminal``, printable, at most 64 characters) or else the client's address."""
    named = request.headers.get(TERMINAL_HEADER, "").strip()
    if named and len(named) <= 64 and named.isprintable():
        return named
    return None if request.client is None else request.client.host


Terminal = Annotated[str | None, Depends(terminal_of)]
