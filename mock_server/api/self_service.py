"""ADMINISTRACIÓN › Mi perfil y seguridad: password, security image and questions, e-mail and
phone, debit cards (block), and the teller's unblock.

The rules (and every audit entry) are :mod:`mock_server.domain.self_service`'s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from mock_server.api.deps import DIGITS, NO_CONTENT, Conn, Session, Staff, State, record_id
from mock_server.api.errors import ONE_RECORD, SECRET_CHECK, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import Idempotency, MemberKey, Outcome, member_idempotency
from mock_server.api.socio import Socio
from mock_server.domain import self_service as desk
from sjvirtual_tui.models import (
    ContactChangeRequest,
    ContactChangeStarted,
    ContactCode,
    DebitCard,
    DebitCardStatus,
    DebitCardUnblock,
    MemberContact,
    PasswordChange,
    SecurityChange,
)

router = APIRouter(tags=["self-service"], responses=SESSION_ROUTES)

# The secret fields of each body are compared through argon2id, never a plain hash.
PasswordKey = Annotated[
    Idempotency,
    Depends(member_idempotency("current_password", "new_password", "confirm_password")),
]
SecurityKey = Annotated[
    Idempotency, Depends(member_idempotency("current_password", "own_answer", "answer"))
]
CodeKey = Annotated[Idempotency, Depends(member_idempotency("code"))]
CardId = Annotated[int, record_id("debit card"), DIGITS]
ChangeId = Annotated[int, record_id("contact change"), DIGITS]
UsernamePath = Annotated[str, Path(min_length=1, max_length=64)]


def _card(card: desk.DebitCard) -> DebitCard:
    return DebitCard(
        id=card.id,
        number=f"**** **** **** {card.last4}",
        last4=card.last4,
        account=card.account_number,
        status=DebitCardStatus(card.status),
        blocked_at=card.blocked_at,
    )


@router.post(
    "/me/password",
    **NO_CONTENT,
    responses={**SECRET_CHECK, **error_responses(409, 423)},
    summary="Cambiar contraseña: the current one, a new one by the policy, and its repetition",
)
def change_password(
    body: PasswordChange,
    member: Socio,
    session: Session,
    idem: PasswordKey,
    state: State,
    conn: Conn,
) -> Response:
    token_hash = session[0]

    def prepare() -> desk.PreparedPassword:
        return desk.prepare_password(conn, state.passwords, member.id, body)

    def effect(prepared: desk.PreparedPassword) -> Outcome:
        refused = desk.change_password(conn, state.clock.now(), member, token_hash, prepared)
        return Outcome(204) if refused is None else Outcome.refusal(refused)

    return idem.run_prepared(conn, prepare, effect)


@router.post(
    "/me/security",
    **NO_CONTENT,
    responses={**SECRET_CHECK, **error_responses(409, 423)},
    summary="Cambiar imagen y preguntas: with the current password, as at the PRIMER INGRESO",
)
def change_security(
    body: SecurityChange, member: Socio, idem: SecurityKey, state: State, conn: Conn
) -> Response:
    def prepare() -> desk.PreparedSecurity:
        return desk.prepare_security(conn, state.passwords, member.id, body)

    def effect(prepared: desk.PreparedSecurity) -> Outcome:
        refused = desk.change_security(conn, state.clock.now(), member, body, prepared)
        return Outcome(204) if refused is None else Outcome.refusal(refused)

    return idem.run_prepared(conn, prepare, effect)


@router.get(
    "/me/contact",
    response_model=MemberContact,
    summary="The member's e-mail and mobile phone",
)
def get_contact(member: Socio, conn: Conn) -> MemberContact:
    email, phone = desk.contact(conn, member.id)
    return MemberContact(email=email, phone=phone)


@router.post(
    "/me/contact",
    status_code=201,
    response_model=ContactChangeStarted,
    responses=error_responses(422, 429),
    summary="A new e-mail and/or phone: a 6-digit code goes to the new address",
)
def request_contact_change(
    body: ContactChangeRequest, member: Socio, idem: MemberKey, state: State, conn: Conn
) -> Response:
    def effect() -> Outcome:
        started = desk.request_contact_change(conn, state.clock.now(), member, body)
        return Outcome(
            201,
            ContactChangeStarted(
                id=started.change_id,
                sent_to=started.sent_to,
                code_valid_minutes=int(desk.CONTACT_CODE_TTL.total_seconds() // 60),
            ),
        )

    return idem.run(conn, effect)


@router.post(
    "/me/contact/{change_id:int}/confirm",
    response_model=MemberContact,
    responses=error_responses(404, 409, 422),
    summary="The code of the new address: the change is applied, the old e-mail is told",
)
def confirm_contact_change(
    change_id: ChangeId,
    body: ContactCode,
    member: Socio,
    idem: CodeKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        done = desk.confirm_contact_change(conn, state.clock.now(), member, change_id, body.code)
        if isinstance(done, desk.DomainError):
            return Outcome.refusal(done)
        email, phone = done
        return Outcome(200, MemberContact(email=email, phone=phone))

    return idem.run(conn, effect)


@router.get(
    "/debit-cards",
    response_model=list[DebitCard],
    summary="The member's own debit cards: masked number, account, status",
)
def debit_cards(member: Socio, conn: Conn) -> list[DebitCard]:
    return [_card(card) for card in desk.debit_cards(conn, member.id)]


@router.post(
    "/debit-cards/{card_id:int}/block",
    response_model=DebitCard,
    responses=ONE_RECORD,
    summary="Block one's own debit card at once (no PIN); a blocked card answers the same",
)
def block_debit_card(
    card_id: CardId, member: Socio, idem: MemberKey, state: State, conn: Conn
) -> Response:
    def effect() -> Outcome:
        return Outcome(200, _card(desk.block_debit_card(conn, state.clock.now(), member, card_id)))

    return idem.run(conn, effect)


@router.get(
    "/staff/members/{username}/debit-cards",
    response_model=list[DebitCard],
    responses=error_responses(404, 422),
    summary="A teller looks up a member's debit cards (to unblock one)",
    tags=["staff"],
)
def member_debit_cards(username: UsernamePath, staff: Staff, conn: Conn) -> list[DebitCard]:
    return [_card(card) for card in desk.member_debit_cards(conn, username)]


@router.post(
    "/staff/debit-cards/{debit_card_id:int}/unblock",
    response_model=DebitCard,
    responses=error_responses(404, 409, 422),
    summary="A teller unblocks a member's debit card, with the reason",
    tags=["staff"],
)
def unblock_debit_card(
    debit_card_id: CardId,
    body: DebitCardUnblock,
    staff: Staff,
    idem: MemberKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        card = desk.unblock_debit_card(conn, state.clock.now(), staff, debit_card_id, body.reason)
        return Outcome(200, _card(card))

    return idem.run(conn, effect)
