"""CONFIRMAR with the PIN DE VERIFICACIÓN: a new beneficiary, a transfer or a payment.

The argon2 check of the PIN runs before the write transaction (the write lock must not wait for
it); the transaction then checks again that the challenge is still open. Wrong PINs, expiry and
the lock are *answers that keep a change*: they are returned as an :class:`Outcome`, not raised,
so the count commits with the refusal.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.beneficiaries import confirm_beneficiary
from mock_server.api.deps import Conn, State
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.api.idempotency import Idempotency, Outcome, member_idempotency
from mock_server.api.transfers import confirm_transfer
from mock_server.domain import pin
from mock_server.domain.banking import Socio
from mock_server.domain.clearing import Clearing, catch_up
from mock_server.domain.payments import confirm_payment
from mock_server.i18n import _
from sjvirtual_tui.models import (
    ChallengeId,
    ChallengePurpose,
    ConfirmRequest,
    ConfirmResult,
    ErrorBody,
)

router = APIRouter(
    tags=["challenges"],
    responses={401: ERROR_RESPONSE, 403: ERROR_RESPONSE, 500: ERROR_RESPONSE},
)

# The PIN is a secret field: the idempotency record keeps only its argon2 hash.
ConfirmKey = Annotated[Idempotency, Depends(member_idempotency("pin"))]
ChallengeIdPath = Annotated[ChallengeId, Path(description="The id of the Challenge.")]


@router.post(
    "/challenges/{challenge_id}/confirm",
    response_model=ConfirmResult,
    responses={
        404: ERROR_RESPONSE,
        409: ERROR_RESPONSE,
        422: ERROR_RESPONSE,
        423: ERROR_RESPONSE,
    },
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
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    catch_up(conn, state.clock, clearing.delay_seconds)  # funds and limits up to date
    before = pin.load(conn, member.id, challenge_id)
    verified: bool | None = None
    if (
        before is not None
        and before["status"] == "pendiente"
        and not pin.is_expired(before, state.clock.now())
    ):
        verified = pin.verify(state.passwords, before, body)

    def effect() -> Outcome:
        now = state.clock.now()
        row = pin.load(conn, member.id, challenge_id)
        if row is None:
            raise ApiError(404, "not_found", _(pin.NOT_FOUND_MESSAGE))
        if row["status"] == "usado":
            raise ApiError(409, "challenge_used", _(pin.USED_MESSAGE))
        if row["status"] == "caducado":
            raise ApiError(409, "challenge_expired", _(pin.EXPIRED_MESSAGE))
        if row["status"] == "cancelado":
            raise ApiError(409, "challenge_cancelled", _(pin.CLOSED_MESSAGE))
        if pin.is_expired(row, now):
            pin.expire(conn, row["id"], now)
            return Outcome(409, ErrorBody(code="challenge_expired", message=_(pin.EXPIRED_MESSAGE)))
        # Verified above while the challenge was already open; it is still open, and its
        # hash never changes. (Only a clock set back could leave it unverified.)
        ok = verified if verified is not None else pin.verify(state.passwords, row, body)
        if not ok:
            status, error = pin.wrong_pin(conn, row, now)
            return Outcome(status, error)
        purpose = ChallengePurpose(row["purpose"])
        if purpose is ChallengePurpose.BENEFICIARY:
            result = ConfirmResult(
                purpose=purpose, beneficiary=confirm_beneficiary(conn, member, row["payload"], now)
            )
        elif purpose is ChallengePurpose.PAYMENT:
            result = ConfirmResult(
                purpose=purpose, payment=confirm_payment(conn, member, row["payment_id"], now)
            )
        else:
            result = ConfirmResult(
                purpose=purpose, transfer=confirm_transfer(conn, member, row["transfer_id"], now)
            )
        pin.mark_used(conn, row, now)
        return Outcome(200, result)

    return idem.run(conn, effect)
