"""PAGO DE SERVICIOS (catalog, CONSULTAR, servicios frecuentes) and the payments themselves.

A payment (a service, a cooperative card or a card of another institution) is started here,
stored ``pendiente_verificacion`` with a PIN challenge, and executed by
``POST /challenges/{id}/confirm`` (:func:`mock_server.domain.payments.confirm_payment`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import (
    DIGITS,
    NO_CONTENT,
    Conn,
    ListLimit,
    Member,
    State,
    record_id,
)
from mock_server.api.errors import ONE_RECORD, PIN_START, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import Idempotency, MemberKey, Outcome, member_idempotency
from mock_server.api.pin_start import start_with_pin
from mock_server.api.socio import Clearing, SettledSocio, Socio
from mock_server.domain import operations, payments
from sjvirtual_tui.models import (
    Bill,
    Biller,
    BillerCode,
    CardPaymentRequest,
    ExternalCardPaymentRequest,
    FrequentService,
    FrequentServiceRequest,
    Payment,
    PaymentStart,
    Reference,
    ServicePaymentRequest,
)

router = APIRouter(tags=["payments"], responses=SESSION_ROUTES)

# The number of a card of another institution is a secret field: the idempotency record keeps
# only an argon2 hash of it (the payment itself keeps its last 4 digits).
PaymentKey = Annotated[Idempotency, Depends(member_idempotency("card_number"))]
PaymentBody = Annotated[
    ServicePaymentRequest | CardPaymentRequest | ExternalCardPaymentRequest,
    Body(discriminator="kind", openapi_examples=ex.PAYMENT),
]
PaymentId = Annotated[int, record_id("payment"), DIGITS]
FrequentId = Annotated[int, record_id("frequent service"), DIGITS]
BillerCodePath = Annotated[
    BillerCode,
    Path(description="The biller's code, e.g. CNEL_EP.", openapi_examples=ex.BILLER_CODE),
]


# --- the catalog and CONSULTAR -------------------------------------------------------------------


@router.get(
    "/billers",
    response_model=list[Biller],
    responses=error_responses(422),
    summary="The billers, by category and name; q matches name, code or category",
)
def billers(
    member: Member,
    conn: Conn,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=40,
            description="Words to find, without case or accents.",
            openapi_examples=ex.BILLER_QUERY,
        ),
    ] = None,
) -> list[Biller]:
    return payments.list_billers(conn, q)


@router.get(
    "/billers/{biller_code}/bills",
    response_model=Bill,
    responses=error_responses(404, 422),
    summary="CONSULTAR: the oldest pending bill of a reference (holder partly masked)",
)
def consult(
    biller_code: BillerCodePath,
    member: Socio,
    conn: Conn,
    reference: Annotated[
        Reference,
        Query(
            description="As the biller's reference_label says.",
            openapi_examples=ex.BILL_REFERENCE,
        ),
    ],
) -> Bill:
    return payments.consult(conn, biller_code, reference)


# --- servicios frecuentes ------------------------------------------------------------------------


@router.get(
    "/frequent-services",
    response_model=list[FrequentService],
    summary="The member's saved services (biller + reference), by alias",
)
def get_frequent_services(member: Socio, conn: Conn) -> list[FrequentService]:
    return payments.list_frequent(conn, member.id)


@router.post(
    "/frequent-services",
    status_code=201,
    response_model=FrequentService,
    responses=error_responses(409, 422),
    summary="Save a biller + reference with an alias (no PIN: it moves no money)",
)
def add_frequent_service(
    body: Annotated[FrequentServiceRequest, Body(openapi_examples=ex.FREQUENT_SERVICE)],
    member: Socio,
    idem: MemberKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        saved = payments.add_frequent(
            conn,
            member,
            state.clock.now(),
            biller_code=body.biller_code,
            reference=body.reference,
            alias=body.alias,
        )
        return Outcome(201, saved)

    return idem.run(conn, effect)


@router.delete(
    "/frequent-services/{frequent_id:int}",
    **NO_CONTENT,
    responses=ONE_RECORD,
    summary="Remove a saved service",
)
def delete_frequent_service(
    frequent_id: FrequentId, member: Socio, idem: MemberKey, conn: Conn
) -> Response:
    def effect() -> Outcome:
        payments.delete_frequent(conn, member, frequent_id)
        return Outcome(204)

    return idem.run(conn, effect)


# --- payments -------------------------------------------------------------------------------------


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentStart,
    responses=PIN_START,
    summary="Start a payment (service, own card, card of another institution); PIN e-mailed",
)
def start_payment(
    body: PaymentBody,
    member: Socio,
    idem: PaymentKey,
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
        body,
        operations.prepare_payment,
        operations.start_payment,
    )


@router.get(
    "/payments",
    response_model=list[Payment],
    responses=error_responses(422),
    summary="The member's executed payments (completada, en_proceso, rechazada), newest first",
)
def list_payments(member: SettledSocio, conn: Conn, limit: ListLimit = 50) -> list[Payment]:
    return payments.list_payments(conn, member, limit)


@router.get(
    "/payments/{payment_id:int}",
    response_model=Payment,
    responses=ONE_RECORD,
    summary="One of the member's payments (any status): its receipt once executed",
)
def get_payment(payment_id: PaymentId, member: SettledSocio, conn: Conn) -> Payment:
    return payments.get_payment(conn, member, payment_id)
