"""PRÉSTAMOS: the French amortization table, the simulator and what a payment covers.

Pure rules (no SQL, no FastAPI). Amounts are int cents, rates ``Decimal`` (a yearly
percentage such as ``Decimal("15.00")``); never a float.

The French system: one fixed instalment ``M = P·r(1+r)^n / ((1+r)^n − 1)``, ``r`` the yearly
rate / 12. Each period's interest is the balance times ``r``, rounded to the cent; its capital
is the instalment less that interest; the last instalment takes whatever capital is left, so
the capital paid sums to the amount lent exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Due:
    """One unpaid (or partly paid) instalment: what is still owed of it."""

    number: int
    due_date: date
    interest_cents: int
    capital_cents: int
    mora_paid_cents: int = 0  # mora already paid on it (it is not charged twice)


@dataclass(frozen=True)
class Cover:
    """How a payment is applied, in this order (cents)."""

    mora_cents: int = 0
    interest_cents: int = 0
    capital_cents: int = 0
    early_capital_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.mora_cents + self.interest_cents + self.capital_cents + self.early_capital_cents


def days_overdue(due: date, today: date) -> int:
    return max((today - due).days, 0)


def due_mora(item: Due, today: date) -> int:
    """The mora still owed on one instalment: its unpaid capital × daily rate × days past due
    (rounded to the cent), less what was paid of it."""
    accrued = Decimal(item.capital_cents) * MORA_DAILY_RATE * days_overdue(item.due_date, today)
    cents = int(accrued.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(cents - item.mora_paid_cents, 0)


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


def cover(amount_cents: int, dues: list[Due], balance_cents: int, today: date) -> Cover:
    """What ``amount_cents`` pays, in order: mora, interest due, capital due, then early
    capital (of the balance not yet due). More than the whole debt is Invalid."""
    if amount_cents <= 0:
        raise invalid("amount_cents", _("Monto: escriba un valor mayor que cero."))
    now = owed_now(dues, today)
    left = amount_cents
    parts = []
    for owed in (now.mora_cents, now.interest_cents, now.capital_cents):
        part = min(left, owed)
        parts.append(part)
        left -= part
    not_due = balance_cents - now.capital_cents
    if left > not_due:
        raise invalid(
            "amount_cents",
            _("Monto: lo máximo que puede pagar hoy es {amount}.").format(
                amount=money(now.total_cents + not_due)
            ),
        )
    return Cover(parts[0], parts[1], parts[2], left)


@dataclass(frozen=True)
class Applied:
    """What a payment pays of one instalment (cents)."""

    number: int
    mora_cents: int
    interest_cents: int
    capital_cents: int


def apply(amount_cents: int, dues: list[Due], today: date) -> tuple[Cover, list[Applied]]:
    """:func:`cover`, instalment by instalment: mora, then interest, then capital of the
    instalments due by today, oldest first; then early capital of the next ones, in order (their
    interest stays as the table says, due on their dates: a simplification of the demo)."""
    balance = sum(item.capital_cents for item in dues)
    covered = cover(amount_cents, dues, balance, today)
    due_now = [item for item in dues if item.due_date <= today]
    later = [item for item in dues if item.due_date > today]
    paid: dict[int, list[int]] = {item.number: [0, 0, 0] for item in dues}

    def take(budget: int, owed: list[tuple[int, int]], slot: int) -> None:
        for number, cents in owed:
            part = min(budget, cents)
            paid[number][slot] += part
            budget -= part

    take(covered.mora_cents, [(d.number, due_mora(d, today)) for d in due_now], 0)
    take(covered.interest_cents, [(d.number, d.interest_cents) for d in due_now], 1)
    take(covered.capital_cents, [(d.number, d.capital_cents) for d in due_now], 2)
    take(covered.early_capital_cents, [(d.number, d.capital_cents) for d in later], 2)
    applied = [Applied(number, *parts) for number, parts in paid.items() if any(parts)]
    return covered, applied


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


def dues_of(instalments: list[StoredRow]) -> list[Due]:
    """What is still owed of each instalment not paid in full."""
    dues = []
    for row in instalments:
        interest = row["interest_cents"] - row["paid_interest_cents"]
        capital = row["capital_cents"] - row["paid_capital_cents"]
        if interest or capital:
            due = date.fromisoformat(row["due_date"])
            dues.append(Due(row["number"], due, interest, capital, row["mora_paid_cents"]))
    return dues


def loan_model(loan: StoredRow, instalments: list[StoredRow], today: date) -> Loan:
    dues = dues_of(instalments)
    owed = owed_now(dues, today)
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
        instalment_cents=instalments[0]["capital_cents"] + instalments[0]["interest_cents"],
        balance_cents=sum(d.capital_cents for d in dues),
        next_due_date=upcoming.due_date if upcoming else None,
        next_due_cents=upcoming.capital_cents + upcoming.interest_cents if upcoming else 0,
        days_overdue=days_overdue(overdue[0].due_date, today) if overdue else 0,
        overdue_cents=owed.mora_cents + sum(d.interest_cents + d.capital_cents for d in overdue),
        mora_cents=owed.mora_cents,
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
    """The loan's amortization table as lent, each row with its due date and state."""
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
    own_loan(conn, member, loan_id)
    dues = dues_of(store.instalments(conn, loan_id))
    covered, _applied = apply(amount_cents, dues, today)
    owed = owed_now(dues, today)
    balance = sum(item.capital_cents for item in dues)
    return LoanPaymentCover(
        loan_id=loan_id,
        amount_cents=amount_cents,
        mora_cents=covered.mora_cents,
        interest_cents=covered.interest_cents,
        capital_cents=covered.capital_cents,
        early_capital_cents=covered.early_capital_cents,
        owed_now_cents=owed.total_cents,
        max_cents=owed.total_cents + balance - owed.capital_cents,
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


def check_payment(
    conn: Connection, loan: StoredRow, origin: StoredRow, amount: int, now: datetime
) -> Cover:
    """What the start checks and the confirmation checks again: the loan still owes, what the
    amount covers (at most the whole debt), the origin's status and funds."""
    if loan["status"] != "vigente":
        raise Conflict("loan_paid", _(LOAN_PAID_MESSAGE), "loan_id")
    covered, _applied = apply(amount, dues_of(store.instalments(conn, loan["id"])), _today(now))
    require_active(origin, origin=True, action="pagar")
    require_funds(origin, amount)
    return covered


def plan_loan_payment(
    conn: Connection, member: CurrentMember, now: datetime, body: LoanPaymentBody
) -> LoanPaymentPlan:
    """Checks a loan payment in the order of the form: the loan, the amount, the origin."""
    loan = own_loan(conn, member, body.loan_id)
    origin = own_account(conn, member, body.request.from_account)
    amount = body.request.amount_cents
    covered = check_payment(conn, loan, origin, amount, now)

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
    check_payment(conn, loan, origin, amount, now)
    covered, applied = apply(amount, dues_of(store.instalments(conn, loan["id"])), _today(now))
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
    for part in applied:
        store.pay_instalment(
            conn, loan["id"], part.number, part.mora_cents, part.interest_cents, part.capital_cents
        )
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
