"""PRÉSTAMOS: the member's loans, their amortization tables and the loan simulator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from mock_server.api.deps import DIGITS, Conn, Member, State, record_id
from mock_server.api.errors import ONE_RECORD, PIN_START, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey
from mock_server.api.pin_start import start_with_pin
from mock_server.api.socio import Clearing, Socio
from mock_server.domain import loans, operations
from sjvirtual_tui.models import (
    MAX_CENTS,
    Loan,
    LoanPaymentCover,
    LoanPaymentRequest,
    LoanPaymentStart,
    LoanProduct,
    LoanProductCode,
    LoanSimulation,
    LoanTable,
)
from sjvirtual_tui.rules import ECUADOR_TZ

router = APIRouter(tags=["loans"], responses=SESSION_ROUTES)

LoanId = Annotated[int, record_id("loan"), DIGITS]


@router.get(
    "/loans",
    response_model=list[Loan],
    summary="The member's loans: balance, next instalment, days overdue",
)
def get_loans(member: Socio, state: State, conn: Conn) -> list[Loan]:
    return loans.list_loans(conn, member, state.clock.now().astimezone(ECUADOR_TZ).date())


@router.get(
    "/loans/{loan_id:int}/table",
    response_model=LoanTable,
    responses=ONE_RECORD,
    summary="A loan's amortization table (French system), each instalment with its state",
)
def get_loan_table(loan_id: LoanId, member: Socio, state: State, conn: Conn) -> LoanTable:
    today = state.clock.now().astimezone(ECUADOR_TZ).date()
    return loans.loan_table(conn, member, loan_id, today)


@router.get(
    "/loan-products",
    response_model=list[LoanProduct],
    summary="The cooperative's loan products (demo data): rate, amounts and terms",
)
def get_loan_products(member: Member) -> list[LoanProduct]:
    return loans.list_products()


@router.get(
    "/loans/simulate",
    response_model=LoanSimulation,
    responses=error_responses(422),
    summary="The loan simulator: the product's rate, the French table (a read: changes nothing)",
)
def simulate(
    product: Annotated[LoanProductCode, Query(description="consumo, microcredito, vivienda")],
    amount_cents: Annotated[int, Query(ge=1, le=MAX_CENTS), DIGITS],
    months: Annotated[int, Query(ge=1, le=600), DIGITS],
    member: Member,
) -> LoanSimulation:
    return loans.simulation(product.value, amount_cents, months)


@router.get(
    "/loans/{loan_id:int}/cover",
    response_model=LoanPaymentCover,
    responses=ONE_RECORD,
    summary="What a payment of this amount would cover today: mora, interest, capital, early",
)
def get_payment_cover(
    loan_id: LoanId,
    amount_cents: Annotated[int, Query(ge=1, le=MAX_CENTS), DIGITS],
    member: Socio,
    state: State,
    conn: Conn,
) -> LoanPaymentCover:
    today = state.clock.now().astimezone(ECUADOR_TZ).date()
    return loans.payment_cover(conn, member, loan_id, amount_cents, today)


@router.post(
    "/loans/{loan_id:int}/payments",
    status_code=201,
    response_model=LoanPaymentStart,
    responses=PIN_START,
    summary="Start paying a loan from a savings account (what it covers shown); PIN e-mailed",
)
def start_loan_payment(
    loan_id: LoanId,
    body: LoanPaymentRequest,
    member: Socio,
    idem: MemberKey,
    state: State,
    clearing: Clearing,
    conn: Conn,
) -> Response:
    return start_with_pin(
        state,
        clearing,
        conn,
        member,
        idem,
        loans.LoanPaymentBody(loan_id, body),
        operations.prepare_loan_payment,
        operations.start_loan_payment,
    )
