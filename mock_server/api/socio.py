"""The dependencies of routes for socios: the session's socio, and the clearing caught up first.

The rule itself (who is a socio) is :func:`mock_server.domain.members.check_socio`; the clearing
is :mod:`mock_server.domain.clearing`. These only fetch what a route needs from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from mock_server.api.deps import Conn, Credentials, Member, ServerState, State, authenticate
from mock_server.domain.clearing import ClearingSettings
from mock_server.domain.members import CurrentMember, check_socio
from mock_server.domain.operations import anything_due, catch_up


async def require_socio(member: Member) -> CurrentMember:
    """The session's member, if it is a socio (staff have no accounts to move)."""
    return check_socio(member)


Socio = Annotated[CurrentMember, Depends(require_socio)]


@dataclass(frozen=True)
class SocioContext:
    """What :data:`SocioRequest` gives a route: the server's state and the session's socio."""

    state: ServerState
    member: CurrentMember


def socio_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> SocioContext:
    """The session's socio (the checks of ``Socio``, in its order: 401, 403 setup, 403 staff)."""
    state: ServerState = request.app.state.server
    conn = state.connections.acquire()
    try:
        _token_hash, member = authenticate(request, state, conn, credentials)
    finally:
        state.connections.release(conn)
    return SocioContext(state, check_socio(member))


async def socio_context(request: Request, credentials: Credentials) -> SocioContext:
    """``State`` and ``Socio`` in one dependency, for the busiest routes.

    FastAPI resolves every dependency as a step of its own (six for ``Socio``, and a
    generator's exit stack for ``Conn``), which costs more than the checks themselves; this
    one makes the same checks in the same order. The route takes a connection of its own
    (``state.connections``) for its work.
    """
    return socio_of(request, credentials)


SocioRequest = Annotated[SocioContext, Depends(socio_context)]


async def get_clearing(request: Request) -> ClearingSettings:
    settings: ClearingSettings = request.app.state.clearing
    return settings


Clearing = Annotated[ClearingSettings, Depends(get_clearing)]


async def settled_member(
    member: Member, state: State, conn: Conn, clearing: Clearing
) -> CurrentMember:
    """The session's member, after the clearing caught up (for routes that read money).

    Whether anything is due is one indexed read (some microseconds, never waiting for a
    writer in WAL mode): asked here, on the event loop, it costs less than a trip to the
    threadpool. Only a request that finds work due goes there to settle it (writes wait for
    the write lock and fsync, which must not hold up the event loop).
    """
    if anything_due(conn, state.clock.now(), clearing.delay_seconds):
        await run_in_threadpool(catch_up, conn, state.clock, clearing.delay_seconds)
    return member


Settled = Annotated[CurrentMember, Depends(settled_member)]


async def settled_socio(member: Socio, settled: Settled) -> CurrentMember:
    return member


SettledSocio = Annotated[CurrentMember, Depends(settled_socio)]
