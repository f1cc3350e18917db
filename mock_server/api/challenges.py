"""CONFIRMAR with the PIN DE VERIFICACIÓN: a new beneficiary, a transfer or a payment.

The pipeline's confirmation is :func:`mock_server.domain.operations.confirm`: the argon2 check
of the PIN runs before the write transaction (the write lock must not wait for it), the
transaction then checks again that the challenge is still open. Wrong PINs, expiry and the lock
are *answers that keep a change*: the domain returns them, and they are answered as an
:class:`Outcome`, not raised, so the count commits with the refusal.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import Conn, State
from mock_server.api.errors import SESSION_ROUTES, error_responses, status_of
from mock_server.api.idempotency import Idempotency, Outcome, member_idempotency
from mock_server.api.socio import Clearing, Socio
from mock_server.domain import operations
from mock_server.domain.errors import DomainError
from sjvirtual_tui.models import ChallengeId, ConfirmRequest, ConfirmResult, ErrorBody

router = APIRouter(tags=["challenges"], responses=SESSION_ROUTES)

# The PIN is a secret field: the idempotency record keeps only its argon2 hash.
ConfirmKey = Annotated[Idempotency, Depends(member_idempotency("pin"))]
ChallengeIdPath = Annotated[ChallengeId, Path(description="The id of the Challenge.")]


@router.post(
    "/challenges/{challenge_id}/confirm",
    response_model=ConfirmResult,
    responses=error_responses(404, 409, 422, 423),
    summary="CONFIRMAR: the e-mailed PIN, with the challenge's amount and payee echoed",
)
def confirm(
    challenge_id: ChallengeIdPath,
    body: Annotated[ConfirmRequest, Body(openapi_examples=ex.CONFIRM)],
    member: Socio,
    idem: ConfirmKey,
    state: State,
    clearing: Clearing,
    conn: Conn,
) -> Response:
    def prepare() -> bool | None:
        operations.catch_up(conn, state.clock, clearing.delay_seconds)  # funds and limits
        return operations.verify_before(
            conn, state.passwords, member, challenge_id, body, state.clock.now()
        )

    def effect(verified: bool | None) -> Outcome:
        answer = operations.confirm(
            conn, state.passwords, member, challenge_id, body, state.clock.now(), verified
        )
        if isinstance(answer, DomainError):
            # A refusal that keeps its change (a wrong PIN counted, an expiry): committed.
            error = ErrorBody(code=answer.code, message=answer.message, field=answer.field)
            return Outcome(status_of(type(answer)), error)
        return Outcome(200, answer)

    keys = operations.confirm_keys(conn, member, challenge_id)
    return idem.run_prepared(conn, prepare, effect, keys=keys)
