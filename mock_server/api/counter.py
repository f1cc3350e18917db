"""The teller's counter: member search, the member file, cash deposits and withdrawals, and the
cuadre de caja. The rules, the ledger's postings and the audit entries are
:mod:`mock_server.domain.counter`'s."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.access import approval_wire
from mock_server.api.deps import DIGITS, Conn, Staff, State, record_id
from mock_server.api.errors import ONE_RECORD, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.domain import counter
from sjvirtual_tui.models import (
    ApprovalRequested,
    CashDepositRequest,
    CashDrawer,
    CashWithdrawalRequest,
    CounterOperation,
    DrawerCloseRequest,
    DrawerOpenRequest,
    MemberFile,
    MemberSearchResult,
    StaffReason,
)

router = APIRouter(prefix="/staff", tags=["counter"], responses=SESSION_ROUTES)

HolderId = Annotated[int, record_id("socio"), DIGITS]
CounterOpId = Annotated[int, record_id("counter operation"), DIGITS]


def _terminal(request: Request) -> str | None:
    return None if request.client is None else request.client.host


@router.get(
    "/members",
    response_model=MemberSearchResult,
    responses=error_responses(422),
    summary="Find socios by cédula/RUC, name, username, account number or phone",
)
def search_members(
    staff: Staff,
    conn: Conn,
    q: Annotated[str, Query(min_length=2, max_length=80, description="One query box.")],
) -> MemberSearchResult:
    return counter.search(conn, q)


@router.get(
    "/members/{holder_id:int}/file",
    response_model=MemberFile,
    responses=ONE_RECORD,
    summary="A socio's file (read-only); the look is audited with the reason",
)
def member_file(
    holder_id: HolderId,
    staff: Staff,
    state: State,
    conn: Conn,
    request: Request,
    reason: Annotated[
        str | None, Query(max_length=200, description="Why the teller opens the file.")
    ] = None,
) -> MemberFile:
    return counter.open_member_file(
        conn, state.clock.now(), staff, holder_id, reason, _terminal(request)
    )


@router.post(
    "/cash/deposits",
    status_code=201,
    response_model=CounterOperation,
    responses=error_responses(404, 409, 422),
    summary="A cash deposit to a socio's account",
)
def cash_deposit(
    body: Annotated[CashDepositRequest, Body()],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    request: Request,
) -> Response:
    def effect() -> Outcome:
        operation = counter.deposit(conn, state.clock.now(), staff, body, _terminal(request))
        return Outcome(201, operation)

    return idem.run(conn, effect)


@router.post(
    "/cash/withdrawals",
    status_code=201,
    response_model=CounterOperation,
    responses={**error_responses(404, 409, 422), 202: {"model": CounterOperation}},
    summary="A cash withdrawal (the holder's ID checked); above the threshold it awaits "
    "approval (202)",
)
def cash_withdrawal(
    body: Annotated[CashWithdrawalRequest, Body()],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    request: Request,
) -> Response:
    def effect() -> Outcome:
        now = state.clock.now()
        try:
            operation = counter.withdrawal(conn, now, staff, body, _terminal(request))
        except counter.IdentityMismatch as exc:
            # The refusal is recorded, so it commits: nothing else was written.
            counter.record_refusal(
                conn, now, staff, "cash.withdrawal", body.account, exc, _terminal(request)
            )
            return Outcome.refusal(exc)
        return Outcome(202 if operation.status == "pendiente_aprobacion" else 201, operation)

    return idem.run(conn, effect)


@router.post(
    "/cash/drawer/open",
    status_code=201,
    response_model=CashDrawer,
    responses=error_responses(409, 422),
    summary="Open the teller's drawer with its opening float",
)
def open_drawer(
    body: Annotated[DrawerOpenRequest, Body()],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    request: Request,
) -> Response:
    def effect() -> Outcome:
        drawer = counter.open_drawer(
            conn, state.clock.now(), staff, body.opening_float_cents, _terminal(request)
        )
        return Outcome(201, drawer)

    return idem.run(conn, effect)


@router.get(
    "/cash/drawer",
    response_model=CashDrawer,
    responses=error_responses(404),
    summary="The open drawer's cuadre: float, deposits, withdrawals, expected total",
)
def get_drawer(staff: Staff, conn: Conn) -> CashDrawer:
    return counter.drawer(conn, staff)


@router.post(
    "/cash/drawer/close",
    response_model=CashDrawer,
    responses=error_responses(404, 422),
    summary="Close the drawer: the counted total and its difference are recorded",
)
def close_drawer(
    body: Annotated[DrawerCloseRequest, Body()],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    request: Request,
) -> Response:
    def effect() -> Outcome:
        drawer = counter.close_drawer(
            conn, state.clock.now(), staff, body.counted_cents, _terminal(request)
        )
        return Outcome(200, drawer)

    return idem.run(conn, effect)


@router.get(
    "/cash/operations",
    response_model=list[CounterOperation],
    summary="The operations of the teller's open drawer, oldest first (none when it is closed)",
)
def drawer_operations(staff: Staff, conn: Conn) -> list[CounterOperation]:
    return counter.session_operations(conn, staff)


@router.post(
    "/cash/operations/{counter_op_id:int}/reversal",
    status_code=202,
    response_model=ApprovalRequested,
    responses=error_responses(404, 409, 422),
    summary="Ask a supervisor to reverse one of the open drawer's operations (four eyes)",
)
def request_reversal(
    counter_op_id: CounterOpId,
    body: Annotated[StaffReason, Body(openapi_examples=ex.REVERSAL)],
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
    request: Request,
) -> Response:
    def effect() -> Outcome:
        row = counter.request_reversal(
            conn, state.clock.now(), staff, counter_op_id, body.reason, _terminal(request)
        )
        return Outcome(202, ApprovalRequested(approval=approval_wire(row)))

    return idem.run(conn, effect)
