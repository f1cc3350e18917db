"""REGISTRO DE SOCIOS: a socio of the cooperative asks for a S.J. Virtual user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import Conn, State
from mock_server.api.errors import error_responses
from mock_server.api.idempotency import Outcome, PublicKey
from mock_server.domain import registration
from sjvirtual_tui.models import EmpresaRegistration, PersonaRegistration, RegistrationReceipt

router = APIRouter(tags=["registration"], responses=error_responses(500))

RegistrationBody = Annotated[
    PersonaRegistration | EmpresaRegistration,
    Body(discriminator="kind", openapi_examples=ex.REGISTRATION),
]


@router.post(
    "/registrations",
    status_code=201,
    response_model=RegistrationReceipt,
    responses=error_responses(409, 422),
    summary="CONFIRMAR: file a registration request (REGISTRO DE SOCIOS)",
)
def register(body: RegistrationBody, idem: PublicKey, state: State, conn: Conn) -> Response:
    def effect() -> Outcome:
        return Outcome(201, registration.register(conn, state.clock.now(), body))

    return idem.run(conn, effect)
