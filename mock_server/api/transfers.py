"""TRANSFERENCIAS: entre cuentas propias, internas a terceros, a otras instituciones.

propias are executed by ``POST /transfers`` itself (no PIN: one write transaction, no argon2);
the others are stored ``pendiente_verificacion`` with a PIN challenge and executed by
``POST /challenges/{id}/confirm`` (:mod:`mock_server.domain.operations`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import (
    DIGITS,
    Conn,
    ListLimit,
    ServerState,
    State,
    bearer_credentials,
    record_id,
)
from mock_server.api.errors import ONE_RECORD, PIN_START, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import (
    KEY_HEADER,
    KEY_PATTERN,
    UNPARSED,
    KeyHeader,
    Outcome,
    member_key,
)
from mock_server.api.pin_start import start_with_pin
from mock_server.api.socio import SettledSocio, SocioRequest, socio_of
from mock_server.domain import limits as transfer_limits
from mock_server.domain import operations, transfers
from mock_server.domain.clearing import ClearingSettings
from mock_server.domain.members import CurrentMember
from sjvirtual_tui.models import (
    Transfer,
    TransferKind,
    TransferLimits,
    TransferRequest,
    TransferStart,
)

if TYPE_CHECKING:
    from mock_server.store import Connection

router = APIRouter(tags=["transfers"], responses=SESSION_ROUTES)

TransferId = Annotated[int, record_id("transfer"), DIGITS]

# KEY_PATTERN without its anchors, for fullmatch ("$" would let a trailing newline through).
_KEY = re.compile(KEY_PATTERN.removeprefix("^").removesuffix("$"))


async def start_transfer(
    request: Request,
    body: Annotated[TransferRequest, Body(openapi_examples=ex.TRANSFER)],
    socio: SocioRequest,
    key: KeyHeader,
) -> Response:
    """POST /transfers as FastAPI handles it: the requests :func:`_fast_start` does not take.

    One dependency (the session's socio), checked before the key and the body as ``Socio`` and
    ``member_idempotency()`` were: 401 / 403 first, then the key's 422, then the body's.
    """
    return await _start(request, socio.state, socio.member, key, body)


async def _fast_start(request: Request) -> Response | None:
    """The common request to POST /transfers, handled without FastAPI's parameter machinery.

    FastAPI resolves and validates a route's dependencies and parameters one by one, about a
    quarter of a millisecond here: more than the transfer's own checks. A request with a JSON
    body (``Content-Type: application/json``) that parses and validates as a TransferRequest,
    and one well-formed ``Idempotency-Key``, has only the session left to check: it is checked
    here as :data:`SocioRequest` would (401 / 403), and the transfer started as
    :func:`start_transfer` would. Anything else (no key or a malformed one, a body that does
    not parse or validate, another content type...) answers ``None``: FastAPI handles it, so
    every refusal is FastAPI's own, in FastAPI's order. (FastAPI validates a JSON body with the
    model itself, so a body valid here is valid there, with the same values.)
    """
    headers = request.headers
    if headers.get("content-type", "").lower() != "application/json":
        return None
    keys = headers.getlist(KEY_HEADER)
    if len(keys) != 1 or _KEY.fullmatch(keys[0]) is None:
        return None
    try:
        value = json.loads(await request.body())
        body = TransferRequest.model_validate(value)
    except (ValueError, RecursionError):  # ValidationError is a ValueError
        return None
    socio = socio_of(request, await bearer_credentials(request))
    return await _start(request, socio.state, socio.member, keys[0], body, value)


class _StartTransferRoute(APIRoute):
    """The route of POST /transfers: :func:`_fast_start` first, then FastAPI's handling."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            response = await _fast_start(request)
            return response if response is not None else await handle(request)

        return handler


router.add_api_route(
    "/transfers",
    start_transfer,
    methods=["POST"],
    status_code=201,
    response_model=TransferStart,
    responses=PIN_START,
    summary="Start a transfer: propias are executed at once, the others wait for their PIN",
    route_class_override=_StartTransferRoute,
)


async def _start(
    request: Request,
    state: ServerState,
    member: CurrentMember,
    key: str,
    body: TransferRequest,
    parsed: Any = UNPARSED,
) -> Response:
    """The transfer of a checked request (``parsed``: its JSON body, if at hand)."""
    idem = await member_key(request, state, member, key, parsed=parsed)
    conn = state.connections.acquire()
    try:
        if body.kind is TransferKind.PROPIAS:
            # No PIN, no argon2, one write transaction (effect and its answer). It runs here,
            # on the event loop, not in the threadpool: about a millisecond of SQLite and its
            # fsync, less than the trip between threads and the waits for the GIL at each
            # statement (a thread holding the write lock waited up to 5 ms for it whenever
            # the event loop was busy, and every writer queued behind it). Handing only the
            # COMMIT to a thread cost more CPU than the overlap won. On PostgreSQL each
            # statement is a round trip to another process: waiting for those (and for the
            # writers' lock) on the event loop would stall every other request of the worker.
            # Beside other propias (no keys but the request's own): the plan locks both
            # accounts' rows and the posting's number comes from a sequence on PostgreSQL.
            propias = partial(
                idem.run, conn, partial(_execute_propias, state, conn, member, body), keys=()
            )
            if conn.dialect == "sqlite":
                return propias()
            return await run_in_threadpool(propias)
        clearing: ClearingSettings = request.app.state.clearing
        # internas and interbancarias: stored pendiente_verificacion with a PIN challenge.
        return await run_in_threadpool(
            start_with_pin,
            state,
            clearing,
            conn,
            member,
            idem,
            body,
            operations.prepare_transfer,
            operations.start_transfer,
        )
    finally:
        state.connections.release(conn)


def _execute_propias(
    state: ServerState, conn: Connection, member: CurrentMember, body: TransferRequest
) -> Outcome:
    now = state.clock.now()
    started = operations.start_transfer(
        conn, state.passwords, None, member, now, body, state.pin_limits
    )
    return Outcome(201, started)


@router.get(
    "/transfers",
    response_model=list[Transfer],
    responses=error_responses(422),
    summary="The member's executed transfers (completada, en_proceso, rechazada), newest first",
)
def list_transfers(member: SettledSocio, conn: Conn, limit: ListLimit = 50) -> list[Transfer]:
    return transfers.list_transfers(conn, member, limit)


@router.get(
    "/transfers/{transfer_id:int}",
    response_model=Transfer,
    responses=ONE_RECORD,
    summary="One of the member's transfers (any status): its receipt once executed",
)
def get_transfer(transfer_id: TransferId, member: SettledSocio, conn: Conn) -> Transfer:
    return transfers.get_transfer(conn, member, transfer_id)


@router.get(
    "/limits",
    response_model=TransferLimits,
    summary="Limits on transfers to third parties, and what is left today (Ecuador)",
)
def limits(member: SettledSocio, state: State, conn: Conn) -> TransferLimits:
    return transfer_limits.transfer_limits(conn, member.id, state.clock.now())
