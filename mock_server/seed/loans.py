"""PRÉSTAMOS: the demo members' loans (demo data), placed in time relative to the seed's day.

``demo`` has a consumo loan with its instalments paid up to one that fell due 12 days ago and
is still unpaid (it is overdue, with mora); ``socio2`` a microcrédito up to date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mock_server.domain import loans


@dataclass(frozen=True)
class SeedLoan:
    username: str
    product: str
    amount_cents: int
    months: int
    paid: int  # instalments paid in full
    # The due date of the first unpaid instalment, in days from the seed's day (negative: it
    # is overdue by that many days).
    next_due_in_days: int


# Ids follow this order (1, 2).
LOANS: tuple[SeedLoan, ...] = (
    SeedLoan("demo", "consumo", 500_000, 24, 5, -12),
    SeedLoan("socio2", "microcredito", 150_000, 12, 2, 9),
)


def _disbursed_on(loan: SeedLoan, today: date) -> date:
    """The day it was lent: its first unpaid instalment (number paid + 1) falls due on
    ``today + next_due_in_days``; instalments fall due monthly from the loan's day."""
    target = today + timedelta(days=loan.next_due_in_days)
    return loans.add_months(target, -(loan.paid + 1))


def loan_rows(
    today: date, holders: Mapping[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``loans`` and their ``loan_instalments``; ``holders``: username -> holder id."""
    loan_rows, instalment_rows = [], []
    for loan_id, loan in enumerate(LOANS, start=1):
        rate = loans.PRODUCTS[loan.product][1]
        disbursed = _disbursed_on(loan, today)
        loan_rows.append(
            {
                "id": loan_id,
                "holder_id": holders[loan.username],
                "product": loan.product,
                "amount_cents": loan.amount_cents,
                "rate_bp": loans.rate_bp(rate),
                "months": loan.months,
                "disbursed_on": disbursed.isoformat(),
                "status": "vigente",
            }
        )
        for row in loans.amortization(loan.amount_cents, rate, loan.months):
            paid = row.number <= loan.paid
            instalment_rows.append(
                {
                    "loan_id": loan_id,
                    "number": row.number,
                    "due_date": loans.add_months(disbursed, row.number).isoformat(),
                    "capital_cents": row.capital_cents,
                    "interest_cents": row.interest_cents,
                    "paid_capital_cents": row.capital_cents if paid else 0,
                    "paid_interest_cents": row.interest_cents if paid else 0,
                }
            )
    return loan_rows, instalment_rows
