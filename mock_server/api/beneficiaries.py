"""Productos de terceros (REGISTRO DE CUENTAS): institutions, lookup, beneficiaries.

A new beneficiary is started here (``POST /beneficiaries`` answers a PIN challenge) and exists
once ``POST /challenges/{id}/confirm`` confirms it
(:func:`mock_server.domain.beneficiaries.confirm_beneficiary`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, NO_CONTENT, Conn, Member, State, record_id
from mock_server.api.errors import ONE_RECORD, PIN_START, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.api.socio import Socio
from mock_server.domain import beneficiaries
from mock_server.domain.pin import PreparedPin
from sjvirtual_tui.models import (
    AccountLookup,
    AccountType,
    Beneficiary,
    Challenge,
    ExternalBeneficiaryRequest,
    Institution,
    InternalBeneficiaryRequest,
    InternalNumber,
)

router = APIRouter(tags=["beneficiaries"], responses=SESSION_ROUTES)

BeneficiaryBody = Annotated[
    InternalBeneficiaryRequest | ExternalBeneficiaryRequest,
    Body(discriminator="kind", openapi_examples=ex.BENEFICIARY),
]
BeneficiaryId = Annotated[int, record_id("beneficiary"), DIGITS]


@router.get(
    "/institutions",
    response_model=list[Institution],
    summary="Otras instituciones financieras, by name",
)
def institutions(member: Member, conn: Conn) -> list[Institution]:
    return beneficiaries.list_institutions(conn)


@router.get(
    "/beneficiaries/lookup",
    response_model=AccountLookup,
    responses=error_responses(404, 422),
    summary="A cooperative account to register as a cuenta de terceros (holder partly masked)",
)
def lookup(
    member: Socio,
    conn: Conn,
    account_type: Annotated[AccountType, Query(description="ahorro_vista or ahorro_personal.")],
    number: Annotated[
        InternalNumber,
        Query(description="00105349 (cartola) or 1105349.", openapi_examples=ex.LOOKUP_NUMBER),
    ],
) -> AccountLookup:
    return beneficiaries.lookup(conn, member, account_type, number)


@router.get(
    "/beneficiaries",
    response_model=list[Beneficiary],
    summary="The session member's Productos de terceros, by name",
)
def get_beneficiaries(member: Socio, conn: Conn) -> list[Beneficiary]:
    return beneficiaries.list_beneficiaries(conn, member)


# --- AGREGAR -------------------------------------------------------------------------------------


@router.post(
    "/beneficiaries",
    status_code=201,
    response_model=Challenge,
    responses=PIN_START,
    summary="AGREGAR: start registering a beneficiary; the PIN is e-mailed",
)
def add_beneficiary(
    body: BeneficiaryBody, member: Socio, idem: MemberKey, state: State, conn: Conn
) -> Response:
    def prepare() -> PreparedPin | None:
        # The PIN's argon2 hash is made before the write lock, for a request that can succeed.
        return beneficiaries.prepare_beneficiary(conn, state.passwords, member, body)

    def effect(prepared: PreparedPin | None) -> Outcome:
        challenge = beneficiaries.start_beneficiary(
            conn, state.passwords, prepared, member, state.clock.now(), body, state.pin_limits
        )
        return Outcome(201, challenge)

    return idem.run_prepared(conn, prepare, effect)


@router.delete(
    "/beneficiaries/{beneficiary_id:int}",
    **NO_CONTENT,
    responses=ONE_RECORD,
    summary="Remove a beneficiary (past transfers keep their copy of the payee)",
)
def delete_beneficiary(
    beneficiary_id: BeneficiaryId,
    member: Socio,
    idem: MemberKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        beneficiaries.delete_beneficiary(conn, member, beneficiary_id, state.clock.now())
        return Outcome(204)

    return idem.run(conn, effect)
