"""PAGO DE SERVICIOS (catalog, CONSULTAR, servicios frecuentes) and the payments themselves.

A payment (a service, a cooperative card or a card of another institution) is started here,
stored ``pendiente_verificacion`` with a PIN challenge, and executed by
``POST /challenges/{id}/confirm`` (:func:`mock_server.domain.payments.confirm_payment`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, Conn, Member, State
from mock_server.api.errors import ERROR_RESPONSE
from mock_server.api.idempotency import Idempotency, Outcome, member_idempotency
from mock_server.api.socio import Clearing, SettledSocio, Socio
from mock_server.domain import operations, payments
from sjvirtual_tui.models import (
    MAX_ID,
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

router = APIRouter(
    tags=["payments"],
    responses={401: ERROR_RESPONSE, 403: ERROR_RESPONSE, 500: ERROR_RESPONSE},
)

# The number of a card of another institution is a secret field: the idempotency record keeps
# only an argon2 hash of it (the payment itself keeps its last 4 digits).
PaymentKey = Annotated[Idempotency, Depends(member_idempotency("card_number"))]
FrequentKey = Annotated[Idempotency, Depends(member_idempotency())]
PaymentBody = Annotated[
    ServicePaymentRequest | CardPaymentRequest | ExternalCardPaymentRequest,
    Body(discriminator="kind", openapi_examples=ex.PAYMENT),
]
PaymentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The payment's id."), DIGITS]
FrequentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The frequent service's id."), DIGITS]
BillerCodePath = Annotated[
    BillerCode,
    Path(description="The biller's code, e.g. CNEL_EP.", openapi_examples=ex.BILLER_CODE),
]
MAX_LIST = 200


# --- the catalog and CONSULTAR -------------------------------------------------------------------


@router.get(
    "/billers",
    response_model=list[Biller],
    responses={422: ERROR_RESPONSE},
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
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
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
    responses={409: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Save a biller + reference with an alias (no PIN: it moves no money)",
)
def add_frequent_service(
    body: Annotated[FrequentServiceRequest, Body(openapi_examples=ex.FREQUENT_SERVICE)],
    member: Socio,
    idem: FrequentKey,
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
    status_code=204,
    response_class=Response,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Remove a saved service",
)
def delete_frequent_service(
    frequent_id: FrequentId, member: Socio, idem: FrequentKey, conn: Conn
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
    responses={404: ERROR_RESPONSE, 409: ERROR_RESPONSE, 422: ERROR_RESPONSE, 429: ERROR_RESPONSE},
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
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    operations.catch_up(conn, state.clock, clearing.delay_seconds)  # funds and limits
    prepared = operations.prepare_payment(conn, state.passwords, member, state.clock.now(), body)

    def effect() -> Outcome:
        started = operations.start_payment(
            conn, state.passwords, prepared, member, state.clock.now(), body, state.pin_limits
        )
        return Outcome(201, started)

    return idem.run(conn, effect)


@router.get(
    "/payments",
    response_model=list[Payment],
    responses={422: ERROR_RESPONSE},
    summary="The member's executed payments (completada, en_proceso, rechazada), newest first",
)
def list_payments(
    member: SettledSocio,
    conn: Conn,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST), DIGITS] = 50,
) -> list[Payment]:
    return payments.list_payments(conn, member, limit)


@router.get(
    "/payments/{payment_id:int}",
    response_model=Payment,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="One of the member's payments (any status): its receipt once executed",
)
def get_payment(payment_id: PaymentId, member: SettledSocio, conn: Conn) -> Payment:
    return payments.get_payment(conn, member, payment_id)
