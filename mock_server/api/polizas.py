"""PÓLIZAS (depósitos a plazo fijo): the rate table, the simulator, the member's pólizas and
opening one.

A póliza is started here, stored ``pendiente_verificacion`` with a PIN challenge, and opened by
``POST /challenges/{id}/confirm`` (:func:`mock_server.domain.polizas.confirm_poliza`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from mock_server.api.deps import DIGITS, Conn, State, record_id
from mock_server.api.errors import ONE_RECORD, PIN_START, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.api.pin_start import start_with_pin
from mock_server.api.socio import Clearing, SettledSocio, Socio
from mock_server.domain import operations, polizas
from sjvirtual_tui.models import (
    Poliza,
    PolizaRate,
    PolizaRequest,
    PolizaSimulation,
    PolizaSimulationRequest,
    PolizaStart,
)

router = APIRouter(tags=["polizas"], responses=SESSION_ROUTES)

PolizaId = Annotated[int, record_id("póliza"), DIGITS]


@router.get(
    "/polizas/rates",
    response_model=list[PolizaRate],
    summary="The annual rates by term (basis points; demo data)",
)
def rates(member: Socio) -> list[PolizaRate]:
    return polizas.rates()


@router.post(
    "/polizas/simulate",
    response_model=PolizaSimulation,
    responses=error_responses(422),
    summary="Interest, withholding and total at maturity of an amount and a term (no change)",
)
def simulate(
    body: Annotated[
        PolizaSimulationRequest,
        Body(
            openapi_examples={
                "noventa": {
                    "summary": "$1.000,00 for 90 days",
                    "value": {"amount_cents": 100000, "term_days": 90},
                }
            }
        ),
    ],
    member: Socio,
    idem: MemberKey,
    state: State,
    conn: Conn,
) -> Response:
    # It changes nothing; keyed as every POST is (a retry gets the same answer, same date).
    def effect() -> Outcome:
        simulation = polizas.simulate(
            body.amount_cents,
            body.term_days,
            polizas.ecuador_day(state.clock.now()),
            body.withholding_bp,
        )
        return Outcome(200, simulation)

    return idem.run(conn, effect)


@router.post(
    "/polizas",
    status_code=201,
    response_model=PolizaStart,
    responses=PIN_START,
    summary="Start opening a póliza from a savings account; PIN e-mailed",
)
def start_poliza(
    body: Annotated[
        PolizaRequest,
        Body(
            openapi_examples={
                "noventa": {
                    "summary": "$1.000,00 for 90 days",
                    "value": {
                        "from_account": "00105349",
                        "amount_cents": 100000,
                        "term_days": 90,
                        "renewal": "no_renovar",
                    },
                }
            }
        ),
    ],
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
        body,
        operations.prepare_poliza,
        operations.start_poliza,
    )


@router.get(
    "/polizas",
    response_model=list[Poliza],
    summary="The member's opened pólizas, the next to mature first",
)
def list_polizas(member: SettledSocio, conn: Conn) -> list[Poliza]:
    return polizas.list_polizas(conn, member)


@router.get(
    "/polizas/{poliza_id:int}",
    response_model=Poliza,
    responses=ONE_RECORD,
    summary="One of the member's pólizas (any status): its receipt once opened",
)
def get_poliza(poliza_id: PolizaId, member: SettledSocio, conn: Conn) -> Poliza:
    return polizas.get_poliza(conn, member, poliza_id)
