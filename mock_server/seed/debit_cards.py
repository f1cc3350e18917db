"""Self-service: each demo member's debit card, on its first (savings) account.

Every seeded member's accounts are savings accounts (ahorro a la vista or personal); the card
draws on the first one. The last four digits are fixed per member, so tests and the manual's
examples can name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server.seed.members import MEMBERS


def last4_of(index: int) -> str:
    """The ``index``-th member's card (from 1): 1234 for the first (demo), then others."""
    return f"{(1234 + 1111 * (index - 1)) % 10000:04d}"


def debit_card_rows(
    member_ids: Mapping[str, int], account_ids: Mapping[str, int]
) -> list[dict[str, Any]]:
    """``member_ids``: username -> member id; ``account_ids``: cartola number -> account id."""
    rows: list[dict[str, Any]] = []
    for index, member in enumerate(MEMBERS, start=1):
        if not member.accounts:
            continue
        rows.append(
            {
                "id": len(rows) + 1,
                "member_id": member_ids[member.username],
                "account_id": account_ids[member.accounts[0].number],
                "last4": last4_of(index),
                "status": "activa",
            }
        )
    return rows
