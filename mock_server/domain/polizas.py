"""PÓLIZAS (depósitos a plazo fijo): the rate table, the simulator and opening one.

Interest convention (written here because every number on the screen and the receipt follows
from it):

- The rate is a nominal **annual** rate on a **360-day year** ("año comercial"), as the Banco
  Central del Ecuador's rules on interest rates and the cooperatives' own contracts for
  depósitos a plazo state it; the term is counted in calendar days:

      interest = amount x rate x days / 360

  computed in :class:`~decimal.Decimal` (never a float) and rounded **half up** to the cent.
- The **withholding** (retención en la fuente on financial returns, collected by the
  cooperative for the SRI) is a percentage of the interest, a parameter in basis points:
  :data:`DEFAULT_WITHHOLDING_BP` = 200 (2 %), the figure the issue gives for Ecuador. It is a
  parameter because the SRI's percentage changes with the law and with the holder (terms of a
  year or more held by persons have been exempt): the simulator takes it, the póliza stores the
  one it was opened with. Rounded half up to the cent as well.
- At maturity the member receives the amount plus the interest less the withholding.

The rate table (:data:`RATE_TABLE`) is **demo data**, not the cooperative's tariff.

A póliza is opened through the operation pipeline (:mod:`.operations`): planned, stored
``pendiente_verificacion`` with a PIN challenge, and opened by the confirmation: one journal of
two movements from the member's savings account to "Depósitos a plazo" (99000007), the receipt
e-mailed. What happens at maturity (renewal or payment, by the member's instruction) is not
simulated: the póliza stays vigente in this demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from mock_server.domain import mail, reasons
from mock_server.domain.accounts import own_account, require_active, require_funds
from mock_server.domain.errors import Invalid, NotFound
from mock_server.domain.ledger import Leg, internal_account_id, post_transfer
from mock_server.domain.members import CurrentMember
from mock_server.domain.text import day_count
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store import accounts as account_store
from mock_server.store import operations as operation_store
from mock_server.store import polizas as store
from mock_server.store.ledger import PLAZO_NUMBER, POLIZA_JOURNAL_KIND
from mock_server.store.timestamps import from_db
from sjvirtual_tui.formatting import money
from sjvirtual_tui.models import (
    MAX_POLIZA_DAYS,
    MIN_POLIZA_DAYS,
    Poliza,
    PolizaRate,
    PolizaRenewal,
    PolizaRequest,
    PolizaSimulation,
    TransferStatus,
)
from sjvirtual_tui.rules import ECUADOR_TZ

# (from days, to days or None, annual rate in basis points). Demo data.
RATE_TABLE: tuple[tuple[int, int | None, int], ...] = (
    (31, 60, 450),
    (61, 90, 525),
    (91, 180, 600),
    (181, 360, 700),
    (361, None, 750),
)
DEFAULT_WITHHOLDING_BP = 200
MIN_AMOUNT_CENTS = 10_000  # $100.00
# $10.000.000,00: a bound of the demo, so that capital and interest stay far inside the wire's
# bounded cents (MAX_CENTS), whatever the term.
MAX_AMOUNT_CENTS = 1_000_000_000
DAYS_IN_YEAR = 360
_BP = Decimal(10_000)

RENEWAL_LABELS = {
    PolizaRenewal.RENOVAR_TOTAL: N_("Renovar capital e intereses"),
    PolizaRenewal.RENOVAR_CAPITAL: N_("Renovar el capital; intereses a la cuenta"),
    PolizaRenewal.NO_RENOVAR: N_("No renovar: capital e intereses a la cuenta"),
}
POLIZA_NOT_FOUND_MESSAGE = N_("Póliza no encontrada.")


# --- the rules ----------------------------------------------------------------------------------


def rate_for(days: int) -> int:
    """The annual rate (basis points) of a term of ``days``; a term outside the table is an
    Invalid on ``term_days``."""
    for low, high, rate in RATE_TABLE:
        if days >= low and (high is None or days <= high):
            return rate
    raise Invalid(
        "invalid_term",
        _("Plazo: debe ser de {low} a {high}.").format(
            low=MIN_POLIZA_DAYS, high=day_count(MAX_POLIZA_DAYS)
        ),
        "term_days",
    )


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def interest_cents(amount_cents: int, rate_bp: int, days: int) -> int:
    """amount x rate x days / 360, half up to the cent (all in Decimal)."""
    return _cents(Decimal(amount_cents) * Decimal(rate_bp) * Decimal(days) / (_BP * DAYS_IN_YEAR))


def withholding_cents(interest: int, withholding_bp: int) -> int:
    """The withholding on ``interest`` (cents), half up to the cent."""
    return _cents(Decimal(interest) * Decimal(withholding_bp) / _BP)


def rate_text(rate_bp: int) -> str:
    """450 -> ``4,50 %`` (the Ecuadorian decimal comma)."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole},{part:02d} %"


def ecuador_day(now: datetime) -> date:
    return now.astimezone(ECUADOR_TZ).date()


def simulate(
    amount_cents: int, term_days: int, start: date, withholding_bp: int | None = None
) -> PolizaSimulation:
    """What a póliza of ``amount_cents`` for ``term_days`` from ``start`` pays at maturity."""
    if amount_cents < MIN_AMOUNT_CENTS:
        raise Invalid(
            "amount_too_small",
            _("Monto: el mínimo de una póliza es {minimum}.").format(
                minimum=money(MIN_AMOUNT_CENTS)
            ),
            "amount_cents",
        )
    if amount_cents > MAX_AMOUNT_CENTS:
        raise Invalid(
            "amount_too_large",
            _("Monto: el máximo de una póliza es {maximum}.").format(
                maximum=money(MAX_AMOUNT_CENTS)
            ),
            "amount_cents",
        )
    rate = rate_for(term_days)
    withholding_bp = DEFAULT_WITHHOLDING_BP if withholding_bp is None else withholding_bp
    interest = interest_cents(amount_cents, rate, term_days)
    withheld = withholding_cents(interest, withholding_bp)
    return PolizaSimulation(
        amount_cents=amount_cents,
        term_days=term_days,
        rate_bp=rate,
        interest_cents=interest,
        withholding_bp=withholding_bp,
        withholding_cents=withheld,
        net_interest_cents=interest - withheld,
        total_cents=amount_cents + interest - withheld,
        start_date=start,
        maturity_date=start + timedelta(days=term_days),
    )


def rates() -> list[PolizaRate]:
    return [PolizaRate(min_days=low, max_days=high, rate_bp=rate) for low, high, rate in RATE_TABLE]


# --- opening one through the pipeline -----------------------------------------------------------


@dataclass(frozen=True)
class PolizaPlan:
    """A checked póliza request, ready to be stored (and opened after its PIN)."""

    origin: Row
    simulation: PolizaSimulation
    renewal: PolizaRenewal
    amount_cents: int
    payee: str  # what the PIN is bound to: origin, term and instruction
    confirms: Callable[[], str]


def plan_poliza(
    conn: Connection, member: CurrentMember, now: datetime, body: PolizaRequest
) -> PolizaPlan:
    """Checks a PolizaRequest in the order of the form: amount and term, then the origin
    (NotFound, account_unavailable, funds)."""
    simulation = simulate(body.amount_cents, body.term_days, ecuador_day(now))
    origin = own_account(conn, member, body.from_account)
    check_origin(origin, body.amount_cents)
    return PolizaPlan(
        origin=origin,
        simulation=simulation,
        renewal=body.renewal,
        amount_cents=body.amount_cents,
        payee=f"poliza:{origin['number']}:{body.term_days}:{body.renewal.value}",
        confirms=partial(_confirms, body.amount_cents, body.term_days, origin["number"]),
    )


def _confirms(amount_cents: int, days: int, origin: str) -> str:
    return _("la apertura de una póliza de {amount} a {days} desde su cuenta {origin}").format(
        amount=money(amount_cents), days=day_count(days), origin=origin
    )


def check_origin(origin: Row, amount_cents: int) -> None:
    """What the start checks and the confirmation checks again: status and funds."""
    require_active(origin, origin=True, action="pagar")
    require_funds(origin, amount_cents)


def insert_poliza(conn: Connection, member: CurrentMember, plan: PolizaPlan, now: datetime) -> int:
    """Stores the plan as a póliza pendiente_verificacion; returns its id."""
    sim = plan.simulation
    return operation_store.insert_awaiting_pin(
        conn,
        "polizas",
        {
            "member_id": member.id,
            "from_account_id": plan.origin["id"],
            "amount_cents": sim.amount_cents,
            "term_days": sim.term_days,
            "rate_bp": sim.rate_bp,
            "withholding_bp": sim.withholding_bp,
            "interest_cents": sim.interest_cents,
            "withholding_cents": sim.withholding_cents,
            "start_date": sim.start_date.isoformat(),
            "maturity_date": sim.maturity_date.isoformat(),
            "renewal": plan.renewal.value,
        },
        now,
    )


def load_poliza(conn: Connection, member_id: int, poliza_id: int) -> Row:
    row = operation_store.of_member(conn, "polizas", member_id, poliza_id)
    if row is None:
        raise NotFound("not_found", _(POLIZA_NOT_FOUND_MESSAGE))
    return row


def get_poliza(conn: Connection, member: CurrentMember, poliza_id: int) -> Poliza:
    return poliza_model(load_poliza(conn, member.id, poliza_id))


def list_polizas(conn: Connection, member: CurrentMember) -> list[Poliza]:
    """The member's opened pólizas, the next to mature first."""
    return [poliza_model(row) for row in store.opened_of_member(conn, member.id)]


def poliza_model(row: Row) -> Poliza:
    interest, withheld = row["interest_cents"], row["withholding_cents"]
    return Poliza(
        id=row["id"],
        reference=row["reference"],
        status=TransferStatus(row["status"]),
        from_account=row["from_number"],
        amount_cents=row["amount_cents"],
        rate_bp=row["rate_bp"],
        term_days=row["term_days"],
        start_date=date.fromisoformat(row["start_date"]),
        maturity_date=date.fromisoformat(row["maturity_date"]),
        interest_cents=interest,
        withholding_bp=row["withholding_bp"],
        withholding_cents=withheld,
        net_interest_cents=interest - withheld,
        total_cents=row["amount_cents"] + interest - withheld,
        renewal=PolizaRenewal(row["renewal"]),
        created_at=from_db(row["created_at"]),
        executed_at=from_db(row["executed_at"]) if row["executed_at"] else None,
        reason=reasons.shown(row["reason"]),
    )


def confirm_poliza(
    conn: Connection, member: CurrentMember, poliza_id: int, now: datetime
) -> Poliza:
    """Opens the póliza of a confirmed challenge after checking the origin again."""
    row = load_poliza(conn, member.id, poliza_id)
    origin = account_store.for_move(conn, [row["from_account_id"]])[row["from_account_id"]]
    check_origin(origin, row["amount_cents"])
    return poliza_model(open_poliza(conn, member.id, poliza_id, now))


def open_poliza(conn: Connection, member_id: int, poliza_id: int, now: datetime) -> Row:
    """Moves the capital to "Depósitos a plazo" (one journal), marks the póliza completada
    and e-mails its receipt. Also the seed's way to open the demo member's póliza."""
    row = load_poliza(conn, member_id, poliza_id)
    reference, origin = row["reference"], row["from_number"]
    journal_id = post_transfer(
        conn,
        now,
        kind=POLIZA_JOURNAL_KIND,
        description=f"{reference} · Apertura de póliza a {row['term_days']} días",
        reference=reference,
        amount_cents=row["amount_cents"],
        debit=Leg(row["from_account_id"], f"Apertura póliza {reference}"),
        credit=Leg(internal_account_id(conn, PLAZO_NUMBER), f"{reference} · cta. {origin}"),
    )
    operation_store.mark_executed(
        conn, "polizas", poliza_id, TransferStatus.COMPLETADA.value, now, journal_id
    )
    row = load_poliza(conn, member_id, poliza_id)
    poliza = poliza_model(row)
    with mail.to_member(conn, member_id) as whom:
        mail.poliza_receipt(
            conn,
            now,
            **whom,
            reference=reference,
            executed_at=now,
            origin=origin,
            amount=money(poliza.amount_cents),
            rate=rate_text(poliza.rate_bp),
            days=poliza.term_days,
            start=poliza.start_date,
            maturity=poliza.maturity_date,
            interest=money(poliza.interest_cents),
            withholding=money(poliza.withholding_cents),
            total=money(poliza.total_cents),
            renewal=_(RENEWAL_LABELS[poliza.renewal]),
        )
    return row


def cancel_poliza(conn: Connection, poliza_id: int, reason: str) -> None:
    """A póliza that awaited its PIN is cancelada (the PIN expired, was wrong 3 times...)."""
    operation_store.cancel(conn, "polizas", poliza_id, reason)
