"""The demo member's póliza (depósito a plazo fijo), opened at the branch in cash on the
seeding day: its capital comes from the Caja general, so the demo's savings accounts, their
statements and every screen that shows them stay as they were."""

from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.domain import polizas
from mock_server.domain.ledger import CAJA_NUMBER, Leg, internal_account_id, post_transfer
from mock_server.store import Connection
from mock_server.store import operations as operation_store
from mock_server.store import polizas as poliza_store
from mock_server.store.ledger import PLAZO_NUMBER, POLIZA_JOURNAL_KIND
from sjvirtual_tui.models import PolizaRenewal, TransferStatus

# (username, the account its interest is paid to, amount in cents, term in days, instruction)
DEMO_POLIZAS: tuple[tuple[str, str, int, int, PolizaRenewal], ...] = (
    ("demo", "00104721", 500_000, 180, PolizaRenewal.RENOVAR_CAPITAL),
)


def write_polizas(conn: Connection, now: datetime, member_ids: dict[str, int]) -> None:
    """Inside the caller's write transaction, after the books (it posts a journal, a minute
    before ``now``: the seeded history ends before the seeding moment)."""
    at = now - timedelta(minutes=1)
    for username, number, amount, days, renewal in DEMO_POLIZAS:
        account_id = poliza_store.account_id(conn, number)
        sim = polizas.simulate(amount, days, polizas.ecuador_day(now))
        poliza_id = operation_store.insert_awaiting_pin(
            conn,
            "polizas",
            {
                "member_id": member_ids[username],
                "from_account_id": account_id,
                "amount_cents": amount,
                "term_days": days,
                "rate_bp": sim.rate_bp,
                "withholding_bp": sim.withholding_bp,
                "interest_cents": sim.interest_cents,
                "withholding_cents": sim.withholding_cents,
                "start_date": sim.start_date.isoformat(),
                "maturity_date": sim.maturity_date.isoformat(),
                "renewal": renewal.value,
            },
            at,
        )
        reference = operation_store.reference_of("polizas", poliza_id)
        journal_id = post_transfer(
            conn,
            at,
            kind=POLIZA_JOURNAL_KIND,
            description=f"{reference} · Apertura de póliza a {days} días (en ventanilla)",
            reference=reference,
            amount_cents=amount,
            debit=Leg(internal_account_id(conn, CAJA_NUMBER), f"{reference} · en efectivo"),
            credit=Leg(internal_account_id(conn, PLAZO_NUMBER), f"{reference} · cta. {number}"),
        )
        operation_store.mark_executed(
            conn, "polizas", poliza_id, TransferStatus.COMPLETADA.value, at, journal_id
        )
