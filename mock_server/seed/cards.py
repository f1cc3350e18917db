"""Pago de tarjetas: the members' cooperative credit cards and the other institutions' cards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sjvirtual_tui.models import CardBrand


@dataclass(frozen=True)
class SeedCard:
    """A cooperative credit card of a member, at its last cut-off."""

    username: str
    brand: CardBrand
    last4: str
    credit_limit_cents: int
    statement_total_cents: int
    statement_minimum_cents: int
    unbilled_cents: int  # purchases after the cut-off
    due_in_days: int


SeedIssuer = tuple[str, str, CardBrand, str]

# Ids follow this order (1, 2, 3).
CARDS: tuple[SeedCard, ...] = (
    SeedCard("demo", CardBrand.VISA, "4521", 250_000, 84_530, 4_227, 12_000, 10),
    SeedCard("demo", CardBrand.MASTERCARD, "8830", 100_000, 0, 0, 3_520, 10),  # nothing due
    SeedCard("socio2", CardBrand.VISA, "7702", 150_000, 31_245, 2_500, 0, 12),
)


def _visa_and_mastercard(bank: str, name: str, institution: str) -> tuple[SeedIssuer, ...]:
    """A bank that issues both: ``VISA_<bank>`` and ``MC_<bank>``, named after the brand."""
    return (
        (f"VISA_{bank}", f"Visa {name}", CardBrand.VISA, institution),
        (f"MC_{bank}", f"Mastercard {name}", CardBrand.MASTERCARD, institution),
    )


# Cards of other institutions (mock codes): code, name, brand, institution. Diners Club del
# Ecuador belongs to Banco Pichincha.
CARD_ISSUERS: tuple[SeedIssuer, ...] = (
    *_visa_and_mastercard("PICHINCHA", "Banco Pichincha", "0010"),
    ("DINERS_CLUB", "Diners Club del Ecuador", CardBrand.DINERS, "0010"),
    *_visa_and_mastercard("PRODUBANCO", "Produbanco", "0036"),
    *_visa_and_mastercard("GUAYAQUIL", "Banco Guayaquil", "0017"),
    *_visa_and_mastercard("PACIFICO", "Banco del Pacífico", "0030"),
    *_visa_and_mastercard("BOLIVARIANO", "Banco Bolivariano", "0037"),
    *_visa_and_mastercard("INTERNACIONAL", "Banco Internacional", "0032"),
)

# External cards the simulated clearing refuses as cancelled (issuer, last 4): a payment to
# Visa Banco Guayaquil 4012 8888 8888 1881 ends rechazada.
CLOSED_EXTERNAL_CARDS: tuple[tuple[str, str], ...] = (("VISA_GUAYAQUIL", "1881"),)


def card_rows(today: date, holders: Mapping[str, tuple[int, str]]) -> list[dict[str, Any]]:
    """The ``cards``; ``holders``: a member's username -> (its holder id, its full name)."""
    rows = []
    for card_id, card in enumerate(CARDS, start=1):
        holder_id, holder_name = holders[card.username]
        rows.append(
            {
                "id": card_id,
                "holder_id": holder_id,
                "brand": card.brand.value,
                "last4": card.last4,
                "holder_name": holder_name,
                "credit_limit_cents": card.credit_limit_cents,
                "statement_total_cents": card.statement_total_cents,
                "statement_minimum_cents": card.statement_minimum_cents,
                "unbilled_cents": card.unbilled_cents,
                "due_date": (today + timedelta(days=card.due_in_days)).isoformat(),
            }
        )
    return rows


def issuer_rows() -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "brand": brand.value, "institution_code": institution}
        for code, name, brand, institution in CARD_ISSUERS
    ]


def closed_card_rows() -> list[dict[str, Any]]:
    return [{"issuer_code": issuer, "last4": last4} for issuer, last4 in CLOSED_EXTERNAL_CARDS]
