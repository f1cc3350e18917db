"""PRÉSTAMOS: the French amortization table, the simulator and what a payment covers.

Pure rules (no SQL, no FastAPI). Amounts are int cents, rates ``Decimal`` (a yearly
percentage such as ``Decimal("15.00")``); never a float.

The French system: one fixed instalment ``M = P·r(1+r)^n / ((1+r)^n − 1)``, ``r`` the yearly
rate / 12. Each period's interest is the balance times ``r``, rounded to the cent; its capital
is the instalment less that interest; the last instalment takes whatever capital is left, so
the capital paid sums to the amount lent exactly.

Rounding, once for every figure: to the cent, half up (``ROUND_HALF_UP``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from mock_server.domain import mail
from mock_server.domain.accounts import own_account, require_active, require_funds
from mock_server.domain.errors import Conflict, NotFound
from mock_server.domain.ledger import CREDITOS_NUMBER, Leg, internal_account_id, post_transfer
from mock_server.domain.members import CurrentMember
from mock_server.domain.money import money
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _
from mock_server.store import Connection
from mock_server.store import Row as StoredRow
from mock_server.store import accounts as account_store
from mock_server.store import loans as store
from mock_server.store import operations as operation_store
from mock_server.store.timestamps import from_db
from sjvirtual_tui.models import (
    AmortizationRow,
    InstalmentStatus,
    Loan,
    LoanPayment,
    LoanPaymentCover,
    LoanPaymentRequest,
    LoanProduct,
    LoanProductCode,
    LoanSimulation,
    LoanTable,
)
from sjvirtual_tui.rules import ECUADOR_TZ

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Demo data: the cooperative's loan products and their yearly rates (not the real tariff).
PRODUCTS: dict[str, tuple[str, Decimal, int, int, int, int]] = {
    # code: (label msgid, yearly rate %, min cents, max cents, min months, max months)
    "consumo": (N_("Crédito de consumo"), Decimal("15.00"), 50_000, 3_000_000, 3, 60),
    "microcredito": (N_("Microcrédito"), Decimal("20.00"), 30_000, 2_000_000, 3, 48),
    "vivienda": (N_("Crédito de vivienda"), Decimal("9.00"), 500_000, 20_000_000, 12, 360),
}

# Demo data: the mora (late-payment interest) is a simple daily rate on overdue capital:
# 0,05 % a day (about 18 % a year), charged for each day past the instalment's due date.
MORA_DAILY_RATE = Decimal("0.0005")

AMOUNT_MESSAGE = N_("Monto: escriba un valor entre {low} y {high}.")
TERM_MESSAGE = N_("Plazo: escriba un número de meses entre {low} y {high}.")
PRODUCT_MESSAGE = N_("Producto: elija uno de la lista de créditos.")
LOAN_NOT_FOUND_MESSAGE = N_("Préstamo no encontrado.")
LOAN_PAYMENT_NOT_FOUND_MESSAGE = N_("Pago de préstamo no encontrado.")
LOAN_PAID_MESSAGE = N_("Este préstamo ya está cancelado: no tiene valores por pagar.")


@dataclass(frozen=True)
class Row:
    """One period of the amortization table (cents)."""

    number: int
    payment_cents: int
    interest_cents: int
    capital_cents: int
    balance_cents: int  # what is owed after this period's payment


def to_cents(value: Decimal) -> int:
    """A Decimal amount of dollars to int cents, rounded half up."""
    return int((value * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def monthly_rate(yearly_percent: Decimal) -> Decimal:
    return yearly_percent / HUNDRED / 12


def instalment_cents(amount_cents: int, yearly_percent: Decimal, months: int) -> int:
    """The fixed French instalment, rounded to the cent (half up)."""
    if amount_cents <= 0 or months <= 0:
        raise ValueError("a loan lends a positive amount over at least one month")
    with localcontext() as ctx:
        ctx.prec = 40  # (1+r)^360 needs the digits; the result is rounded to the cent
        r = monthly_rate(yearly_percent)
        principal = Decimal(amount_cents) / HUNDRED
        if r == 0:
            return to_cents(principal / months)
        growth = (1 + r) ** months
        return to_cents(principal * r * growth / (growth - 1))


def amortization(amount_cents: int, yearly_percent: Decimal, months: int) -> list[Row]:
    """The French table: interest per period on the balance, rounded to the cent; the last
    instalment absorbs the remainder, so capital sums exactly to ``amount_cents``."""
    payment = instalment_cents(amount_cents, yearly_percent, months)
    r = monthly_rate(yearly_percent)
    balance = amount_cents
    rows: list[Row] = []
    for number in range(1, months + 1):
        interest = int((Decimal(balance) * r).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        # The last takes what is left; before it, a tiny loan over many months could make the
        # instalment lower than the interest: capital is never negative nor more than owed.
        last = number == months
        capital = balance if last else min(max(payment - interest, 0), balance)
        balance -= capital
        rows.append(Row(number, capital + interest, interest, capital, balance))
    return rows


# --- products and the simulator -----------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    code: str
    label: str
    rate: Decimal
    min_cents: int
    max_cents: int
    min_months: int
    max_months: int


def products() -> list[Product]:
    return [
        Product(code, _(label), rate, low, high, m_low, m_high)
        for code, (label, rate, low, high, m_low, m_high) in PRODUCTS.items()
    ]


def product(code: str) -> Product:
    for item in products():
        if item.code == code:
            return item
    raise invalid("product", _(PRODUCT_MESSAGE))


def simulate(code: str, amount_cents: int, months: int) -> tuple[Product, list[Row]]:
    """The simulator: the product's rate, its bounds checked (Invalid, with the field)."""
    item = product(code)
    if not item.min_cents <= amount_cents <= item.max_cents:
        raise invalid(
            "amount_cents",
            _(AMOUNT_MESSAGE).format(low=money(item.min_cents), high=money(item.max_cents)),
        )
    if not item.min_months <= months <= item.max_months:
        raise invalid("months", _(TERM_MESSAGE).format(low=item.min_months, high=item.max_months))
    return item, amortization(amount_cents, item.rate, months)


# --- what a payment covers ----------------------------------------------------------------------
#
# A payment pays, in this order: the mora, the interest and then the capital of the instalments
# due by today (oldest first); then the interest accrued so far of the instalment whose period
# is running (the first not yet due); then capital ahead. Capital ahead is capital: the loan's
# outstanding capital drops and the interest that would have accrued on it is waived. The
# remaining instalments keep their number and due dates and are recomputed (French system) on
# the reduced capital, so each later instalment is smaller: of "keep the count, lower the
# instalment" and "keep the instalment, shorten the term" this is the simpler one (the same
# table function over the instalments left, no row moves). Interest of the running period
# accrues by days: what has not accrued yet on capital C is C × monthly rate × days left / days
# of the period. The capital paid ahead is recorded on the running instalment (its capital and
# paid capital grow by it), so the table's capital still sums to the amount lent. Paying the
# payoff (everything due, the accrued interest and all the capital) leaves no instalment after
# the running one, and the loan is cancelado.


@dataclass(frozen=True)
class Due:
    """One unpaid (or partly paid) instalment: what is still owed of it."""

    number: int
    due_date: date
    interest_cents: int
    capital_cents: int
    mora_paid_cents: int = 0  # mora already paid on it (it is not charged twice)


@dataclass(frozen=True)
class Instalment:
    """One stored row of a loan's table: as scheduled, and what has been paid of it."""

    number: int
    due_date: date
    capital_cents: int
    interest_cents: int
    paid_capital_cents: int = 0
    paid_interest_cents: int = 0
    mora_paid_cents: int = 0

    @property
    def due(self) -> Due | None:
        interest = self.interest_cents - self.paid_interest_cents
        capital = self.capital_cents - self.paid_capital_cents
        if not (interest or capital):
            return None
        return Due(self.number, self.due_date, interest, capital, self.mora_paid_cents)


@dataclass(frozen=True)
class Terms:
    """What the running period's interest needs: the yearly rate and the day it was lent."""

    rate: Decimal
    disbursed_on: date


@dataclass(frozen=True)
class Cover:
    """How a payment is applied, in this order (cents). ``interest_cents`` includes the
    running period's accrued interest (``current_interest_cents`` of it)."""

    mora_cents: int = 0
    interest_cents: int = 0
    capital_cents: int = 0
    early_capital_cents: int = 0
    current_interest_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.mora_cents + self.interest_cents + self.capital_cents + self.early_capital_cents


def days_overdue(due: date, today: date) -> int:
    return max((today - due).days, 0)


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def due_mora(item: Due, today: date) -> int:
    """The mora still owed on one instalment: its unpaid capital × daily rate × days past due
    (rounded to the cent), less what was paid of it."""
    accrued = Decimal(item.capital_cents) * MORA_DAILY_RATE * days_overdue(item.due_date, today)
    return max(half_up(accrued) - item.mora_paid_cents, 0)


def mora_cents(dues: list[Due], today: date) -> int:
    """The mora owed on these instalments."""
    return sum(due_mora(item, today) for item in dues)


def owed_now(dues: list[Due], today: date) -> Cover:
    """What is due today: mora, and the interest and capital of instalments due by today."""
    due_now = [d for d in dues if d.due_date <= today]
    return Cover(
        mora_cents=mora_cents(due_now, today),
        interest_cents=sum(d.interest_cents for d in due_now),
        capital_cents=sum(d.capital_cents for d in due_now),
    )


def unearned(capital_cents: int, rate: Decimal, start: date, due: date, today: date) -> int:
    """The interest of the period ``start``–``due`` not accrued yet by ``today`` on
    ``capital_cents``: capital × monthly rate × days left / days of the period."""
    days = (due - start).days
    if days <= 0:
        return 0
    left = min(max((due - today).days, 0), days)
    return half_up(Decimal(capital_cents) * monthly_rate(rate) * left / days)


@dataclass(frozen=True)
class Running:
    """The instalment whose period runs today (the first not yet due)."""

    index: int  # in the loan's rows
    start: date  # the period's first day: the previous due date (or the loan's day)
    capital_cents: int  # the capital not yet due: of it and the later ones, unpaid
    accrued_cents: int  # its interest accrued by today and not paid


def running(rows: list[Instalment], terms: Terms, today: date) -> Running | None:
    for index, row in enumerate(rows):
        if row.due_date > today:
            start = rows[index - 1].due_date if index else terms.disbursed_on
            capital = sum(r.capital_cents - r.paid_capital_cents for r in rows[index:])
            not_yet = unearned(capital, terms.rate, start, row.due_date, today)
            owed = row.interest_cents - row.paid_interest_cents - not_yet
            return Running(index, start, capital, max(owed, 0))
    return None


def dues_now(rows: list[Instalment], today: date) -> list[Due]:
    return [due for row in rows if row.due_date <= today and (due := row.due) is not None]


def payoff_cents(rows: list[Instalment], terms: Terms, today: date) -> int:
    """What cancels the loan today: everything due, the running period's interest accrued so
    far and the capital not yet due (the later interest is not charged)."""
    run = running(rows, terms, today)
    ahead = run.accrued_cents + run.capital_cents if run else 0
    return owed_now(dues_now(rows, today), today).total_cents + ahead


PAYOFF_MESSAGE = N_(
    "Monto: lo máximo que puede pagar hoy es {amount}, el valor que cancela todo el préstamo."
)


def cover(amount_cents: int, rows: list[Instalment], terms: Terms, today: date) -> Cover:
    """What ``amount_cents`` pays, in order: mora, interest due, capital due, the running
    period's accrued interest, then capital ahead. More than the payoff is Invalid."""
    if amount_cents <= 0:
        raise invalid("amount_cents", _("Monto: escriba un valor mayor que cero."))
    payoff = payoff_cents(rows, terms, today)
    if amount_cents > payoff:
        raise invalid("amount_cents", _(PAYOFF_MESSAGE).format(amount=money(payoff)))
    now = owed_now(dues_now(rows, today), today)
    run = running(rows, terms, today)
    left = amount_cents
    parts = []
    for owed in (now.mora_cents, now.interest_cents, now.capital_cents):
        part = min(left, owed)
        parts.append(part)
        left -= part
    current = min(left, run.accrued_cents if run else 0)
    left -= current
    return Cover(parts[0], parts[1] + current, parts[2], left, current)


@dataclass(frozen=True)
class Settled:
    """A payment applied: what it covers, the loan's rows after it, the interest waived."""

    covered: Cover
    rows: list[Instalment]
    waived_interest_cents: int


def settle(amount_cents: int, rows: list[Instalment], terms: Terms, today: date) -> Settled:
    """:func:`cover`, row by row: mora, then interest, then capital of the instalments due by
    today, oldest first; the running instalment's accrued interest; then capital ahead, after
    which the running and later instalments are recomputed on the capital left."""
    covered = cover(amount_cents, rows, terms, today)
    new = {row.number: row for row in rows}
    due_now = dues_now(rows, today)

    def take(budget: int, owed: list[tuple[int, int]], field: str) -> None:
        for number, cents in owed:
            part = min(budget, cents)
            budget -= part
            if part:
                row = new[number]
                new[number] = replace(row, **{field: getattr(row, field) + part})

    take(covered.mora_cents, [(d.number, due_mora(d, today)) for d in due_now], "mora_paid_cents")
    due_interest = covered.interest_cents - covered.current_interest_cents
    take(due_interest, [(d.number, d.interest_cents) for d in due_now], "paid_interest_cents")
    take(
        covered.capital_cents, [(d.number, d.capital_cents) for d in due_now], "paid_capital_cents"
    )
    result = [new[row.number] for row in rows]
    run = running(rows, terms, today)
    if run is not None:
        current = result[run.index]
        current = replace(
            current,
            paid_interest_cents=current.paid_interest_cents + covered.current_interest_cents,
        )
        result[run.index] = current
        early = covered.early_capital_cents
        if early:
            result = result[: run.index] + _reschedule(
                result[run.index :], run, early, terms, today
            )
    waived = sum(r.interest_cents for r in rows) - sum(r.interest_cents for r in result)
    return Settled(covered, result, waived)


def _reschedule(
    later: list[Instalment], run: Running, early: int, terms: Terms, today: date
) -> list[Instalment]:
    """The running and later instalments after ``early`` cents of capital paid ahead today:
    the running one's interest is what it has paid (all accrued so far) plus the rest of its
    period's on the capital left; the later ones are the French table of the capital left over
    the same count of instalments. Nothing left: the running one is the last row."""
    current = later[0]
    prepaid = sum(row.paid_capital_cents for row in later) + early
    left = run.capital_cents - early
    rest = unearned(left, terms.rate, run.start, current.due_date, today)
    head = replace(
        current,
        capital_cents=prepaid,
        paid_capital_cents=prepaid,
        interest_cents=current.paid_interest_cents + rest,
    )
    if left == 0:
        return [head]
    table = amortization(left, terms.rate, len(later))
    head = replace(head, capital_cents=prepaid + table[0].capital_cents)
    return [head] + [
        replace(
            row,
            capital_cents=line.capital_cents,
            interest_cents=line.interest_cents,
            paid_capital_cents=0,
            paid_interest_cents=0,
        )
        for row, line in zip(later[1:], table[1:], strict=True)
    ]


# --- dates --------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")  # pragma: no cover


def rate_text(rate_bp: int) -> str:
    """Basis points as the wire's Decimal string: 1500 -> "15.00"."""
    return str((Decimal(rate_bp) / 100).quantize(CENT))


def rate_bp(rate: Decimal) -> int:
    return int((rate * 100).to_integral_value(rounding=ROUND_HALF_UP))


# --- the member's loans -------------------------------------------------------------------------


def row_model(row: Row) -> AmortizationRow:
    return AmortizationRow(
        number=row.number,
        payment_cents=row.payment_cents,
        interest_cents=row.interest_cents,
        capital_cents=row.capital_cents,
        balance_cents=row.balance_cents,
    )


def product_model(item: Product) -> LoanProduct:
    return LoanProduct(
        code=LoanProductCode(item.code),
        label=item.label,
        rate=str(item.rate.quantize(CENT)),
        min_amount_cents=item.min_cents,
        max_amount_cents=item.max_cents,
        min_months=item.min_months,
        max_months=item.max_months,
    )


def list_products() -> list[LoanProduct]:
    return [product_model(item) for item in products()]


def simulation(code: str, amount_cents: int, months: int) -> LoanSimulation:
    item, rows = simulate(code, amount_cents, months)
    return LoanSimulation(
        product=LoanProductCode(item.code),
        rate=str(item.rate.quantize(CENT)),
        amount_cents=amount_cents,
        months=months,
        instalment_cents=rows[0].payment_cents,
        total_interest_cents=sum(row.interest_cents for row in rows),
        rows=[row_model(row) for row in rows],
    )


def rows_of(instalments: list[StoredRow]) -> list[Instalment]:
    """The stored rows as the payment rules read them."""
    return [
        Instalment(
            row["number"],
            date.fromisoformat(row["due_date"]),
            row["capital_cents"],
            row["interest_cents"],
            row["paid_capital_cents"],
            row["paid_interest_cents"],
            row["mora_paid_cents"],
        )
        for row in instalments
    ]


def dues_of(instalments: list[StoredRow]) -> list[Due]:
    """What is still owed of each instalment not paid in full."""
    return [due for row in rows_of(instalments) if (due := row.due) is not None]


def terms_of(loan: StoredRow) -> Terms:
    return Terms(Decimal(loan["rate_bp"]) / 100, date.fromisoformat(loan["disbursed_on"]))


def fixed_instalment(rows: list[Instalment]) -> int:
    """The table's fixed instalment as it stands: the one before the last (the last absorbs
    the rounding; after capital paid ahead, the later instalments are the recomputed ones)."""
    row = rows[-2] if len(rows) >= 2 else rows[-1]
    return row.capital_cents + row.interest_cents


def loan_model(loan: StoredRow, instalments: list[StoredRow], today: date) -> Loan:
    dues = dues_of(instalments)
    owed = owed_now(dues, today)
    rows = rows_of(instalments)
    overdue = [d for d in dues if d.due_date < today]
    upcoming = dues[0] if dues else None
    return Loan(
        id=loan["id"],
        product=LoanProductCode(loan["product"]),
        product_label=_(PRODUCTS[loan["product"]][0]),
        amount_cents=loan["amount_cents"],
        rate=rate_text(loan["rate_bp"]),
        months=loan["months"],
        disbursed_on=date.fromisoformat(loan["disbursed_on"]),
        instalment_cents=fixed_instalment(rows),
        balance_cents=sum(d.capital_cents for d in dues),
        next_due_date=upcoming.due_date if upcoming else None,
        next_due_cents=upcoming.capital_cents + upcoming.interest_cents if upcoming else 0,
        days_overdue=days_overdue(overdue[0].due_date, today) if overdue else 0,
        overdue_cents=owed.mora_cents + sum(d.interest_cents + d.capital_cents for d in overdue),
        mora_cents=owed.mora_cents,
        payoff_cents=payoff_cents(rows, terms_of(loan), today) if dues else 0,
        status=loan["status"],
    )


def list_loans(conn: Connection, member: CurrentMember, today: date) -> list[Loan]:
    loans = store.loans_of_holder(conn, member.holder_id)
    instalments = store.instalments_of_loans(conn, [row["id"] for row in loans])
    return [loan_model(row, instalments[row["id"]], today) for row in loans]


def own_loan(conn: Connection, member: CurrentMember, loan_id: int) -> StoredRow:
    """The member's loan; anyone else's (or none) is the same NotFound."""
    row = store.loan_of_holder(conn, member.holder_id, loan_id)
    if row is None:
        raise NotFound("not_found", _(LOAN_NOT_FOUND_MESSAGE), "loan_id")
    return row


def loan_table(conn: Connection, member: CurrentMember, loan_id: int, today: date) -> LoanTable:
    """The loan's amortization table as it stands (recomputed after capital paid ahead; the
    running instalment's row holds that capital), each row with its due date and state."""
    loan = own_loan(conn, member, loan_id)
    instalments = store.instalments(conn, loan_id)
    rows = []
    balance = loan["amount_cents"]
    for row in instalments:
        balance -= row["capital_cents"]
        paid = (
            row["paid_capital_cents"] == row["capital_cents"]
            and row["paid_interest_cents"] == row["interest_cents"]
        )
        due = date.fromisoformat(row["due_date"])
        status = (
            InstalmentStatus.PAGADA
            if paid
            else InstalmentStatus.VENCIDA
            if due < today
            else InstalmentStatus.PENDIENTE
        )
        rows.append(
            AmortizationRow(
                number=row["number"],
                payment_cents=row["capital_cents"] + row["interest_cents"],
                interest_cents=row["interest_cents"],
                capital_cents=row["capital_cents"],
                balance_cents=balance,
                due_date=due,
                status=status,
            )
        )
    return LoanTable(loan=loan_model(loan, instalments, today), rows=rows)


def payment_cover(
    conn: Connection, member: CurrentMember, loan_id: int, amount_cents: int, today: date
) -> LoanPaymentCover:
    """What a payment would cover today (changes nothing): shown before the PIN."""
    loan = own_loan(conn, member, loan_id)
    rows = rows_of(store.instalments(conn, loan_id))
    terms = terms_of(loan)
    settled = settle(amount_cents, rows, terms, today)
    covered = settled.covered
    return LoanPaymentCover(
        loan_id=loan_id,
        amount_cents=amount_cents,
        mora_cents=covered.mora_cents,
        interest_cents=covered.interest_cents,
        capital_cents=covered.capital_cents,
        early_capital_cents=covered.early_capital_cents,
        owed_now_cents=owed_now(dues_now(rows, today), today).total_cents,
        max_cents=payoff_cents(rows, terms, today),
        waived_interest_cents=settled.waived_interest_cents,
        closes=not any(row.due for row in settled.rows),
    )


# --- paying a loan (the operation pipeline: plan -> pending -> PIN -> execute / cancel) ---------


@dataclass(frozen=True)
class LoanPaymentBody:
    """POST /loans/{loan_id}/payments: the path's loan and the body."""

    loan_id: int
    request: LoanPaymentRequest


@dataclass(frozen=True)
class LoanPaymentPlan:
    """A checked loan payment, ready to be stored (and executed after its PIN)."""

    loan_id: int
    origin: StoredRow
    covered: Cover
    amount_cents: int
    payee: str  # what the PIN is bound to
    confirms: Callable[[], str]


def _today(now: datetime) -> date:
    return now.astimezone(ECUADOR_TZ).date()


def _payee_text(loan: StoredRow) -> str:
    return _("{product} N.º {id}").format(product=_(PRODUCTS[loan["product"]][0]), id=loan["id"])


def _stored(row: Instalment) -> store.InstalmentRow:
    return store.InstalmentRow(
        row.number,
        row.capital_cents,
        row.interest_cents,
        row.paid_capital_cents,
        row.paid_interest_cents,
        row.mora_paid_cents,
    )


def check_payment(
    conn: Connection, loan: StoredRow, origin: StoredRow, amount: int, now: datetime
) -> Settled:
    """What the start checks and the confirmation checks again: the loan still owes, what the
    amount covers (at most the whole debt), the origin's status and funds."""
    if loan["status"] != "vigente":
        raise Conflict("loan_paid", _(LOAN_PAID_MESSAGE), "loan_id")
    rows = rows_of(store.instalments(conn, loan["id"]))
    settled = settle(amount, rows, terms_of(loan), _today(now))
    require_active(origin, origin=True, action="pagar")
    require_funds(origin, amount)
    return settled


def plan_loan_payment(
    conn: Connection, member: CurrentMember, now: datetime, body: LoanPaymentBody
) -> LoanPaymentPlan:
    """Checks a loan payment in the order of the form: the loan, the amount, the origin."""
    loan = own_loan(conn, member, body.loan_id)
    origin = own_account(conn, member, body.request.from_account)
    amount = body.request.amount_cents
    covered = check_payment(conn, loan, origin, amount, now).covered

    def confirms() -> str:
        return _("el pago de {amount} a su {loan} desde la cuenta {number}").format(
            amount=money(amount), loan=_payee_text(loan), number=origin["number"]
        )

    return LoanPaymentPlan(
        loan_id=loan["id"],
        origin=origin,
        covered=covered,
        amount_cents=amount,
        payee=f"prestamo:{loan['id']}",
        confirms=confirms,
    )


def insert_loan_payment(
    conn: Connection, member: CurrentMember, plan: LoanPaymentPlan, now: datetime
) -> int:
    """Stores the plan pendiente_verificacion, with what it covers; returns its id."""
    return operation_store.insert_awaiting_pin(
        conn,
        "loan_payments",
        {
            "member_id": member.id,
            "loan_id": plan.loan_id,
            "from_account_id": plan.origin["id"],
            "amount_cents": plan.amount_cents,
            "mora_cents": plan.covered.mora_cents,
            "interest_cents": plan.covered.interest_cents,
            "capital_cents": plan.covered.capital_cents,
            "early_capital_cents": plan.covered.early_capital_cents,
        },
        now,
    )


def load_loan_payment(conn: Connection, member_id: int, payment_id: int) -> StoredRow:
    row = operation_store.of_member(conn, "loan_payments", member_id, payment_id)
    if row is None:
        raise NotFound("not_found", _(LOAN_PAYMENT_NOT_FOUND_MESSAGE))
    return row


def loan_payment_model(conn: Connection, row: StoredRow) -> LoanPayment:
    loan = store.loan(conn, row["loan_id"])
    return LoanPayment(
        id=row["id"],
        reference=row["reference"],
        loan_id=row["loan_id"],
        product_label=_(PRODUCTS[loan["product"]][0]),
        status=row["status"],
        from_account=row["from_number"],
        amount_cents=row["amount_cents"],
        mora_cents=row["mora_cents"],
        interest_cents=row["interest_cents"],
        capital_cents=row["capital_cents"],
        early_capital_cents=row["early_capital_cents"],
        created_at=from_db(row["created_at"]),
        executed_at=from_db(row["executed_at"]) if row["executed_at"] else None,
        reason=_(row["reason"]) if row["reason"] else None,
    )


def get_loan_payment(conn: Connection, member: CurrentMember, payment_id: int) -> LoanPayment:
    return loan_payment_model(conn, load_loan_payment(conn, member.id, payment_id))


def confirm_loan_payment(
    conn: Connection, member: CurrentMember, payment_id: int, now: datetime
) -> LoanPayment:
    """Executes a confirmed loan payment: checks again (time has passed: funds, the loan),
    applies it instalment by instalment, moves the money in one journal from the member's
    account to "Cartera de créditos" and e-mails the receipt."""
    row = load_loan_payment(conn, member.id, payment_id)
    loan = own_loan(conn, member, row["loan_id"])
    origin = account_store.for_move(conn, [row["from_account_id"]])[row["from_account_id"]]
    amount = row["amount_cents"]
    settled = check_payment(conn, loan, origin, amount, now)
    covered = settled.covered
    reference, number = row["reference"], row["from_number"]
    journal_id = post_transfer(
        conn,
        now,
        kind="pago_prestamo",
        description=f"{reference} · Pago de préstamo N.º {loan['id']}",
        reference=reference,
        amount_cents=amount,
        debit=Leg(row["from_account_id"], f"Pago préstamo N.º {loan['id']} · {reference}"),
        credit=Leg(
            internal_account_id(conn, CREDITOS_NUMBER),
            f"{reference} préstamo N.º {loan['id']} · cta. {number}",
        ),
    )
    store.rewrite_instalments(conn, loan["id"], [_stored(row) for row in settled.rows])
    store.close_if_paid(conn, loan["id"])
    store.set_cover(
        conn,
        payment_id,
        covered.mora_cents,
        covered.interest_cents,
        covered.capital_cents,
        covered.early_capital_cents,
    )
    operation_store.mark_executed(conn, "loan_payments", payment_id, "completada", now, journal_id)
    with mail.to_member(conn, member.id) as whom:
        mail.payment_receipt(
            conn,
            now,
            **whom,
            reference=reference,
            executed_at=now,
            origin=number,
            payee=_payee_text(loan),
            payee_reference=_(
                "interés de mora {mora}, interés {interest}, capital {capital}, "
                "capital anticipado {early}"
            ).format(
                mora=money(covered.mora_cents),
                interest=money(covered.interest_cents),
                capital=money(covered.capital_cents),
                early=money(covered.early_capital_cents),
            ),
            holder=whom["name"],
            period=None,
            amount=money(amount),
            status=_("COMPLETADO"),
        )
    return get_loan_payment(conn, member, payment_id)


def cancel_loan_payment(conn: Connection, payment_id: int, reason: str) -> None:
    """A loan payment that awaited its PIN is cancelada (the PIN expired, was wrong 3 times...)."""
    operation_store.cancel(conn, "loan_payments", payment_id, reason)
