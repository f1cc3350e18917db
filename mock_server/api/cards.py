"""PAGO DE TARJETAS: the member's own cooperative cards, and the issuers of other cards.

The payments themselves are ``POST /payments`` (kinds ``tarjeta`` and ``tarjeta_externa``,
:mod:`mock_server.api.payments`).
"""

from __future__ import annotations

from fastapi import APIRouter

from mock_server.api.deps import Conn, Member
from mock_server.api.errors import SESSION_ROUTES
from mock_server.api.socio import Socio
from mock_server.domain.payments import list_cards, list_issuers
from sjvirtual_tui.models import CardIssuer, CreditCard

router = APIRouter(tags=["cards"], responses=SESSION_ROUTES)


@router.get(
    "/cards",
    response_model=list[CreditCard],
    summary="The member's own cooperative credit cards: dues, due date, available credit",
)
def cards(member: Socio, conn: Conn) -> list[CreditCard]:
    return list_cards(conn, member)


@router.get(
    "/card-issuers",
    response_model=list[CardIssuer],
    summary="Cards of other institutions: brand + issuing bank, by name",
)
def card_issuers(member: Member, conn: Conn) -> list[CardIssuer]:
    return list_issuers(conn)
