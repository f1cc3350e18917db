"""The bank as a hypothesis state machine, driven through the real FastAPI app (issue 7).

Each example is a fresh copy of the seeded database (made once per session, with the seeded
users' and the dummy password hashes swapped for cheap ones), the real app built by
``create_app`` over it with a :class:`ManualClock`, and httpx's ``ASGITransport`` on an event
loop of the machine's own (the app's lifespan runs around it; each rule runs its requests to
the end, so rules are plain functions). Two socios, ``demo`` and ``socio2``, log in, add
beneficiaries, transfer (propias, internas, interbancarias), pay bills and cards, confirm with
right, wrong, tampered, expired and reused PINs, replay their requests with the
same and another body, let their sessions idle out, get locked and unlocked by the teller,
reach for each other's objects, pay their loans (a cent, what is due, an instalment, capital
ahead, the payoff, a cent over it; right and wrong PINs) and let days pass (instalments fall
due, mora and the running period's interest accrue).

The model is a plain Python picture of the bank: every account's balance, each member's
failure count, lock and PIN cancellations, the sessions and when each was last used, the
challenges (PIN, amount, payee, tries left, state), the beneficiaries, transfers and payments,
the bills and cards, and every ``Idempotency-Key`` answered with its request and first answer.
Each rule predicts the server's answer from the model (status, ``code`` and ``field``, and the
body of a success) *before* applying the change, and the answer must match. The server's lazy
work is modelled where the server does it: the clearing (settlements after
``CLEARING_DELAY``) and the sweep of expired PINs run in the model exactly on the requests that
run :func:`mock_server.domain.clearing.catch_up` (a read of accounts, transfers, payments or limits;
the start of a transfer to a third party or of a payment; a confirmation; never a replay).

After every step the invariants compare the whole database with the model: balances, the
conserved total, nothing negative, ``ledger_problems()`` empty, transfers, payments, challenges
(state and tries), beneficiaries, bills, cards, loans (every instalment row: capital, interest,
what was paid of each, mora paid; the loan's state) and loan payments, locks, failure counts,
PIN cancellations and sessions (last request, ended or not). A tampered, reused or expired PIN
that succeeded would have to match a model in which it cannot: every success is predicted,
never read back.

``SJV_MODEL_EXAMPLES`` (default 25) and ``SJV_MODEL_STEPS`` (default 50) size the run (the
examples are derandomized: the same on every run; ``SJV_MODEL_RANDOM=1`` draws new ones); ``-s``
prints what ran (examples, steps, each rule and each answer seen).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.domain.ledger import (
    CARTERA_NUMBER,
    COMPENSACION_NUMBER,
    RECAUDACION_NUMBER,
    SALIDAS_NUMBER,
    ledger_problems,
)
from mock_server.domain.security import hash_token
from mock_server.store.meta import from_db
from sjvirtual_tui.models import API_PREFIX, AccountType
from sjvirtual_tui.rules import ECUADOR_TZ, normalise_third_party_account
from tests.api import (
    ACCOUNTS,
    BENEFICIARIES,
    CHALLENGES,
    DEMO_CEDULA,
    LIMITS,
    LOGIN,
    OUTBOX,
    PAYMENTS,
    PIN_LINE,
    STAFF,
    TRANSFERS,
)
from tests.conftest import CHEAP_HASHER, CLOCK_START, SeededDatabases
from tests.database import DB, connect

EXAMPLES = int(os.environ.get("SJV_MODEL_EXAMPLES", "25"))
STEPS = int(os.environ.get("SJV_MODEL_STEPS", "50"))
# The examples are the same on every run (CI); SJV_MODEL_RANDOM=1 explores new ones each run.
RANDOM = os.environ.get("SJV_MODEL_RANDOM", "") not in ("", "0")

ME = f"{API_PREFIX}/me"
LOGOUT = f"{API_PREFIX}/auth/logout"

# The server's rules, as docs/api.md states them (the model does not import them).
IDLE_SECONDS = 300
PIN_SECONDS = 300
PIN_TRIES = 3
MAX_FAILURES = 5
MAX_WRONG_PINS = 5  # wrong PINs in a row, over all the member's operations, lock it
MAX_PENDING = 3  # operations awaiting a PIN at once (unexpired)
PIN_MAILS, PIN_MAIL_WINDOW = 10, 900  # PIN e-mails per member in a sliding window (s)
CLEARING_DELAY = 60

PASSWORDS = {"demo": "Demo2026", "socio2": "Socio2026", "cajero": "Cajero2026"}
MEMBERS = ("demo", "socio2")
# Unknown usernames: their failures count (and lock them) like anyone's.
THROWAWAY = ("nadie.uno", "nadie.dos")

# Cuentas de terceros a member may try to register: (type, number as typed) -> the cartola
# number of the account it names (None: no such account of that type).
INTERNAS: dict[tuple[str, str], str | None] = {
    ("ahorro_vista", "00105349"): "00105349",  # socio2's
    ("ahorro_vista", "1104721"): "00104721",  # demo's, in the registered form
    ("ahorro_personal", "00204722"): "00204722",  # demo's
    ("ahorro_vista", "00107777"): "00107777",  # Luis, a socio without a user
    ("ahorro_vista", "1190001"): "00190001",  # masivo's, registered form
    ("ahorro_vista", "00999999"): None,
    ("ahorro_personal", "00105349"): None,  # socio2's number, but it is an ahorro a la vista
}
# Otras instituciones: (institution code, number). 1050 is the cooperative's own code.
EXTERNAS: tuple[tuple[str, str], ...] = (
    ("0010", "2203456789"),  # demo's seeded Ana Tipán
    ("0036", "02005123456"),  # demo's seeded Diego Andrade: a closed account
    ("0017", "0012345678"),  # closed too
    ("0030", "5551234567"),
    ("1050", "1234567"),
)
CLOSED_EXTERNAL = {("0036", "02005123456"), ("0017", "0012345678")}
# Cards of other institutions: (issuer, number); the clearing refuses the cancelled one.
EXTERNAL_CARDS = {
    "pichincha": ("VISA_PICHINCHA", "4111111111111111"),
    "guayaquil": ("VISA_GUAYAQUIL", "4012888888881881"),
}
CANCELLED_CARDS = {("VISA_GUAYAQUIL", "1881")}
BILL_CHOICES = (1, 4, 7, 10, 15, 16, 999)  # exacto, exacto, paid, parcial, abierto, parcial, none
CARD_CHOICES = (1, 2, 3)  # demo's Visa, demo's Mastercard (nothing due), socio2's Visa

AMOUNT_LABELS = (
    "small",
    "max_tx",
    "over_tx",
    "available",
    "over_available",
    "daily_left",
    "over_daily",
)
PAY_LABELS = ("due", "due_minus", "due_plus", "one", *AMOUNT_LABELS[1:])
# Pólizas (issue 17): the minimum $100,00 (and a cent under it), the term's bounds.
POLIZAS = f"{API_PREFIX}/polizas"
PLAZO_NUMBER = "99000007"
POLIZA_MINIMUM = 10_000
POLIZA_LABELS = ("minimum", "under_minimum", "available", "over_available")
POLIZA_DAYS = (31, 90, 365)

# Préstamos (issue 17): demo's consumo loan (one instalment overdue) and socio2's microcrédito.
# The rules as docs/api.md states them: mora 0,05 % a day on overdue capital; a payment pays
# mora, interest and capital due, the running period's interest accrued by days, then capital
# ahead, after which the instalments left are the French table of the capital left.
LOANS = f"{API_PREFIX}/loans"
CREDITOS_NUMBER = "99000006"
MORA_DAILY = Decimal("0.0005")
LOAN_LABELS = ("one", "due", "due_minus", "instalment", "extra", "payoff", "over_payoff")
DAYS = (1, 12, 19, 31)

# What ran, over the whole test (printed with -s).
STATS: Counter[str] = Counter()
RULES: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()


# --- the model -----------------------------------------------------------------------------------


@dataclass
class Sess:
    token: str
    username: str
    last_seen: datetime
    ended: bool = False  # ended on the server (logout, a lock, or a request that found it idle)


@dataclass
class Mem:
    username: str
    id: int
    email: str
    accounts: tuple[str, ...]
    per_tx: int
    daily: int
    locked: bool = False
    pin_failures: int = 0


@dataclass(frozen=True)
class BenDraft:
    kind: str  # interna / externa
    number: str  # the registered number (interna) or the other institution's
    account: str | None  # interna: the cartola number credited
    institution: str | None  # externa
    closed: bool  # externa: the clearing refuses it

    @property
    def payee(self) -> str:
        if self.kind == "interna":
            return f"interna:{self.number}"
        return f"externa:{self.institution}:{self.number}"


@dataclass
class Ben:
    id: int
    member: str
    draft: BenDraft


@dataclass
class Op:
    """A transfer (``table`` transfers) or a payment (payments)."""

    table: str
    id: int
    member: str
    kind: str
    origin: str
    amount: int
    status: str
    executed_at: datetime | None = None
    destination: str | None = None  # propias, internas: the account credited
    beneficiary: int | None = None
    refused_by_clearing: bool = False  # a closed account, a cancelled card
    bill: int | None = None
    card: int | None = None
    loan: int | None = None

    @property
    def counts_toward_limits(self) -> bool:
        return self.kind in ("internas", "interbancarias", "tarjeta_externa")

    @property
    def cleared(self) -> bool:
        return self.kind in ("interbancarias", "tarjeta_externa")


@dataclass
class Chal:
    id: str
    member: str
    purpose: str
    amount: int | None
    payee: str
    pin: str
    expires_at: datetime
    tries: int = PIN_TRIES
    status: str = "pendiente"
    op: Op | None = None
    draft: BenDraft | None = None


@dataclass
class Bill:
    id: int
    biller: str
    reference: str
    amount: int
    paid: int
    status: str
    rule: str

    def bounds(self) -> tuple[int, int]:
        due = self.amount - self.paid
        if self.rule == "exacto":
            return due, due
        if self.rule == "parcial":
            return 1, due
        return 1, 100_000_000_000


@dataclass
class Card:
    id: int
    member: str | None
    statement_total: int
    paid: int

    @property
    def total(self) -> int:
        return self.statement_total - self.paid


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Stored:
    req: Req
    status: int
    content: bytes


@dataclass
class Expect:
    status: int
    code: str | None = None
    field: str | None = None
    apply: Callable[[httpx.Response], None] | None = None
    says: tuple[str, ...] = ()  # what the message must say (amounts as the model has them)


def _refusal(status: int, code: str, field: str | None = None, *says: str) -> Expect:
    return Expect(status, code, field, None, says)


def dollars(cents: int) -> str:
    """Ecuador's way: ``123456`` -> ``$1.234,56``."""
    whole, rest = divmod(cents, 100)
    return f"${whole:,}".replace(",", ".") + f",{rest:02d}"


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def french(capital: int, monthly: Decimal, count: int) -> list[tuple[int, int]]:
    """(capital, interest) of each instalment: the fixed one to the cent, interest on the
    balance to the cent, the last takes the capital left."""
    growth = (1 + monthly) ** count
    fixed = _half_up(Decimal(capital) * monthly * growth / (growth - 1))
    rows, balance = [], capital
    for number in range(1, count + 1):
        interest = _half_up(Decimal(balance) * monthly)
        part = balance if number == count else min(max(fixed - interest, 0), balance)
        balance -= part
        rows.append((part, interest))
    return rows


@dataclass
class Instalment:
    number: int
    due: date
    capital: int
    interest: int
    paid_capital: int
    paid_interest: int
    mora_paid: int

    @property
    def owes(self) -> bool:
        return self.paid_capital < self.capital or self.paid_interest < self.interest

    def mora(self, today: date) -> int:
        late = max((today - self.due).days, 0)
        accrued = _half_up(Decimal(self.capital - self.paid_capital) * MORA_DAILY * late)
        return max(accrued - self.mora_paid, 0)


@dataclass
class LoanM:
    id: int
    member: str
    monthly: Decimal
    disbursed: date
    rows: list[Instalment]
    status: str = "vigente"

    def running(self, today: date) -> tuple[int, date, int, int] | None:
        """(index, the period's first day, capital not yet due, its accrued interest owed)."""
        for index, row in enumerate(self.rows):
            if row.due > today:
                start = self.rows[index - 1].due if index else self.disbursed
                capital = sum(r.capital - r.paid_capital for r in self.rows[index:])
                owed = row.interest - row.paid_interest - self.unearned(capital, start, row, today)
                return index, start, capital, max(owed, 0)
        return None

    def unearned(self, capital: int, start: date, row: Instalment, today: date) -> int:
        days = (row.due - start).days
        return _half_up(Decimal(capital) * self.monthly * (row.due - today).days / days)

    def due_now(self, today: date) -> list[Instalment]:
        return [row for row in self.rows if row.due <= today and row.owes]

    def owed_now(self, today: date) -> int:
        return sum(
            row.mora(today) + row.capital - row.paid_capital + row.interest - row.paid_interest
            for row in self.due_now(today)
        )

    def payoff(self, today: date) -> int:
        run = self.running(today)
        return self.owed_now(today) + (run[2] + run[3] if run else 0)

    @property
    def balance(self) -> int:
        return sum(row.capital - row.paid_capital for row in self.rows)

    def pay(self, amount: int, today: date, *, dry: bool = False) -> tuple[int, int, int, int]:
        """Applies ``amount`` (or only tells, ``dry``): (mora, interest, capital, early)."""
        rows = self.rows if not dry else [Instalment(**vars(row)) for row in self.rows]
        run = self.running(today)
        left, mora, interest, capital = amount, 0, 0, 0
        due = [row for row in rows if row.due <= today and row.owes]
        for row in due:
            part = min(left, row.mora(today))
            row.mora_paid, left, mora = row.mora_paid + part, left - part, mora + part
        for row in due:
            part = min(left, row.interest - row.paid_interest)
            row.paid_interest, left, interest = (
                row.paid_interest + part,
                left - part,
                interest + part,
            )
        for row in due:
            part = min(left, row.capital - row.paid_capital)
            row.paid_capital, left, capital = row.paid_capital + part, left - part, capital + part
        if run is None:
            assert left == 0
            return mora, interest, capital, 0
        index, start, ahead, accrued = run
        current = rows[index]
        part = min(left, accrued)
        current.paid_interest, left, interest = (
            current.paid_interest + part,
            left - part,
            interest + part,
        )
        early = left
        if early:
            later = rows[index:]
            prepaid = sum(row.paid_capital for row in later) + early
            rest = ahead - early
            current.interest = current.paid_interest + self.unearned(rest, start, current, today)
            current.capital = current.paid_capital = prepaid
            if rest == 0:
                del rows[index + 1 :]
            else:
                table = french(rest, self.monthly, len(later))
                current.capital += table[0][0]
                for row, (part_capital, part_interest) in zip(later[1:], table[1:], strict=True):
                    row.capital, row.interest = part_capital, part_interest
                    row.paid_capital = row.paid_interest = 0
        return mora, interest, capital, early


# --- the template database ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_template(engine: str, seeded_databases: SeededDatabases) -> Iterator[DB]:
    """The seeded database with cheap argon2 hashes for the users the machine logs in as and
    for the dummy hash of unknown usernames (a real one costs ~0.2 s per login here)."""
    db = seeded_databases.new(engine)
    with connect(db) as conn:
        for username, password in PASSWORDS.items():
            conn.execute(
                "UPDATE members SET password_hash = ? WHERE username = ?",
                (CHEAP_HASHER.hash(password), username),
            )
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'dummy_password_hash'",
            (CHEAP_HASHER.hash("nobody's password"),),
        )
    # Closed and checkpointed: a plain file copy of it is a whole database.
    assert not (isinstance(db, Path) and Path(f"{db}-wal").exists())
    yield db
    seeded_databases.drop(db)


class _Rows(list[tuple[Any, ...]]):
    """Fetched rows as plain tuples (they compare with the model's), with ``fetchone``."""

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None


# --- the machine ---------------------------------------------------------------------------------


class BankMachine(RuleBasedStateMachine):
    template: DB  # set by the test: an SQLite file or a PostgreSQL database, copied per example
    databases: SeededDatabases

    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        self.db_path = self.databases.copy(self.template)
        self.clock = ManualClock(CLOCK_START)
        app = create_app(
            self.db_path,
            clock=self.clock,
            hasher=CHEAP_HASHER,
            demo=True,
            idle_timeout_seconds=IDLE_SECONDS,
            clearing_delay_seconds=CLEARING_DELAY,
        )
        # httpx's ASGITransport on an event loop of the machine's own, with the app's lifespan
        # (the connection pool) run around it; each request is run to its end by a rule.
        self._loop = asyncio.Runner()
        self._lifespan = app.router.lifespan_context(app)
        self._loop.run(self._lifespan.__aenter__())
        self._http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sjv.test"
        )
        self._app = app
        self.conn = connect(self.db_path)
        self._keys = 0
        self._rule = "init"
        self._load_model()
        for username in MEMBERS:
            assert self.login(username, PASSWORDS[username]) is not None

    def teardown(self) -> None:
        self.conn.close()
        self._loop.run(self._http.aclose())
        self._loop.run(self._lifespan.__aexit__(None, None, None))
        self._loop.close()
        self._app.state.server.database.dispose()
        self.databases.drop(self.db_path)
        if isinstance(self.db_path, Path):  # an example's file, not needed after it
            shutil.rmtree(self.db_path.parent, ignore_errors=True)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> _Rows:
        return _Rows(tuple(row) for row in self.conn.execute(sql, params).fetchall())

    def request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self._loop.run(self._http.request(method, path, json=json, headers=headers))

    # --- the model's start, read once from the seeded database ----------------------------------

    def _load_model(self) -> None:
        q = self.query
        self.balances: dict[str, int] = {}
        self.holds: dict[str, int] = {}
        holder_accounts: dict[int, list[str]] = {}
        for number, balance, hold, holder in q(
            "SELECT number, balance_cents, hold_cents, holder_id FROM accounts ORDER BY number"
        ):
            self.balances[number] = balance
            self.holds[number] = hold
            if holder is not None:
                holder_accounts.setdefault(holder, []).append(number)
        self.capital = sum(self.balances.values())
        self.members: dict[str, Mem] = {}
        self.member_by_id: dict[int, str] = {}
        for member_id, username, holder, email, per_tx, daily in q(
            """
            SELECT m.id, m.username, m.holder_id, m.email, l.per_transaction_cents, l.daily_cents
            FROM members AS m JOIN transfer_limits AS l ON l.member_id = m.id
            WHERE m.username IN (?, ?)
            """,
            MEMBERS,
        ):
            accounts = tuple(holder_accounts[holder])
            self.members[username] = Mem(username, member_id, email, accounts, per_tx, daily)
            self.member_by_id[member_id] = username
        self.failures: dict[str, int] = dict(q("SELECT username, count FROM login_failures"))
        self.institutions = {code for (code,) in q("SELECT code FROM institutions")}
        assert set(q("SELECT institution_code, number FROM closed_external_accounts")) == (
            CLOSED_EXTERNAL
        )
        assert set(q("SELECT issuer_code, last4 FROM closed_external_cards")) == CANCELLED_CARDS
        self.bens: dict[int, Ben] = {}
        for ben_id, member_id, kind, number, account, institution in q(
            """
            SELECT b.id, b.member_id, b.kind, b.number, a.number, b.institution_code
            FROM beneficiaries AS b LEFT JOIN accounts AS a ON a.id = b.account_id
            """
        ):
            draft = BenDraft(
                kind,
                number,
                account,
                institution,
                (institution, number) in CLOSED_EXTERNAL,
            )
            self.bens[ben_id] = Ben(ben_id, self.member_by_id[member_id], draft)
        self.bills = {
            row[0]: Bill(*row)
            for row in q(
                """
                SELECT b.id, b.biller_code, b.reference, b.amount_cents, b.paid_cents, b.status,
                       r.amount_rule
                FROM bills AS b JOIN billers AS r ON r.code = b.biller_code
                """
            )
        }
        by_holder = {
            holder: username
            for username, holder in q("SELECT username, holder_id FROM members")
            if holder is not None
        }
        self.cards = {
            card_id: Card(card_id, by_holder.get(holder), total, paid)
            for card_id, holder, total, paid in q(
                "SELECT id, holder_id, statement_total_cents, paid_cents FROM cards"
            )
        }
        self.transfers: dict[int, Op] = {}
        self.payments: dict[int, Op] = {}
        assert q("SELECT COUNT(*) FROM transfers").fetchone()[0] == 0
        assert q("SELECT COUNT(*) FROM payments").fetchone()[0] == 0
        self.polizas: dict[int, Op] = {}
        self.seeded_polizas = q("SELECT COUNT(*) FROM polizas").fetchone()[0]
        self.loans: dict[int, LoanM] = {}
        for loan_id, username, rate_bp, disbursed in q(
            """
            SELECT l.id, m.username, l.rate_bp, l.disbursed_on
            FROM loans AS l JOIN members AS m ON m.holder_id = l.holder_id ORDER BY l.id
            """
        ):
            rows = [
                Instalment(number, date.fromisoformat(due), *rest)
                for number, due, *rest in q(
                    """
                    SELECT number, due_date, capital_cents, interest_cents, paid_capital_cents,
                           paid_interest_cents, mora_paid_cents
                    FROM loan_instalments WHERE loan_id = ? ORDER BY number
                    """,
                    (loan_id,),
                )
            ]
            monthly = Decimal(rate_bp) / 10_000 / 12
            self.loans[loan_id] = LoanM(
                loan_id, username, monthly, date.fromisoformat(disbursed), rows
            )
        assert {loan.member for loan in self.loans.values()} == set(MEMBERS)
        self.loan_payments: dict[int, Op] = {}
        self.challenges: dict[str, Chal] = {}
        self.sessions: list[Sess] = []
        self.current: dict[str, Sess | None] = dict.fromkeys(MEMBERS)
        self.stored: dict[tuple[str, str], Stored] = {}
        self.successes = 0  # confirmations that went through

    # --- small helpers ---------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return self.now.astimezone(ECUADOR_TZ).date()

    def new_key(self) -> str:
        self._keys += 1
        return f"model-{self._keys:08d}"

    def step(self, name: str) -> None:
        STATS["steps"] += 1
        RULES[name] += 1
        self._rule = name

    def seen(self, what: str, response: httpx.Response) -> None:
        code = ""
        if response.status_code >= 400:
            code = response.json().get("code", "")
        outcome = f"{self._rule}: {what} {response.status_code} {code}".rstrip()
        OUTCOMES[outcome] += 1
        event(outcome)

    def other(self, username: str) -> str:
        return MEMBERS[1 - MEMBERS.index(username)]

    def available(self, number: str) -> int:
        return self.balances[number] - self.holds[number]

    def used_today(self, username: str) -> int:
        today = self.now.astimezone(ECUADOR_TZ).date()
        return sum(
            op.amount
            for op in [*self.transfers.values(), *self.payments.values()]
            if op.member == username
            and op.counts_toward_limits
            and op.status in ("completada", "en_proceso")
            and op.executed_at is not None
            and op.executed_at.astimezone(ECUADOR_TZ).date() == today
        )

    def daily_left(self, username: str) -> int:
        return max(0, self.members[username].daily - self.used_today(username))

    def amount_for(self, label: str, username: str, origin: str, small: int = 1_000) -> int:
        member = self.members[username]
        available = self.available(origin) if origin in self.balances else 0
        left = self.daily_left(username)
        amount = {
            "small": small,
            "max_tx": member.per_tx,
            "over_tx": member.per_tx + 1,
            "available": available,
            "over_available": available + 1,
            "daily_left": min(left, member.per_tx),
            "over_daily": left + 1,
        }[label]
        return max(1, amount)

    def move(self, source: str, target: str, amount: int) -> None:
        assert self.balances[source] - self.holds[source] >= amount, "the model overdrew"
        self.balances[source] -= amount
        self.balances[target] += amount

    def latest_pin(self, email: str) -> str:
        response = self.request("GET", OUTBOX)
        assert response.status_code == 200, response.text
        for message in response.json():
            if message["to"] == email:
                match = PIN_LINE.search(message["body"])
                if match:
                    return match.group(1)
        raise AssertionError(f"no PIN e-mail to {email}")

    # --- sessions --------------------------------------------------------------------------------

    def alive(self, sess: Sess) -> bool:
        return not sess.ended and self.now - sess.last_seen <= timedelta(seconds=IDLE_SECONDS)

    def authenticate(self, sess: Sess) -> bool:
        """What the server does with a request's bearer token (applied to the model)."""
        if sess.ended:
            return False
        if self.now - sess.last_seen > timedelta(seconds=IDLE_SECONDS):
            sess.ended = True  # the request that finds it idle ends it for good
            return False
        sess.last_seen = self.now
        return True

    def check_auth(self, sess: Sess, response: httpx.Response) -> bool:
        """Checks the answer of a request made with ``sess``; False when it was a 401."""
        if self.authenticate(sess):
            assert response.status_code != 401, response.text
            return True
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "session_expired", response.text
        self.seen("dead session", response)
        return False

    def login(self, username: str, password: str) -> str | None:
        """POST /auth/login as the model expects it to go; the token, or None if refused."""
        response = self.request("POST", LOGIN, json={"username": username, "password": password})
        member = self.members.get(username)
        count = self.failures.get(username, 0)
        if count >= MAX_FAILURES or (member is not None and member.locked):
            assert response.status_code == 423, response.text
            assert response.json()["code"] == "locked"
            return None
        if member is not None and password == PASSWORDS[username]:
            assert response.status_code == 200, response.text
            self.failures.pop(username, None)
            sess = Sess(response.json()["token"], username, self.now)
            self.sessions.append(sess)
            self.current[username] = sess
            return sess.token
        count += 1
        self.failures[username] = count
        if count >= MAX_FAILURES:
            assert response.status_code == 423, response.text
            assert response.json()["code"] == "locked"
            if member is not None:
                member.locked = True
        else:
            assert response.status_code == 401, response.text
            assert response.json()["code"] == "invalid_credentials"
        return None

    def session_of(self, username: str) -> Sess | None:
        """The member's live session: its dead one is shown to be 401 first, then a new login."""
        sess = self.current[username]
        if sess is not None and self.alive(sess):
            return sess
        if sess is not None:
            response = self.request("GET", ME, headers={"Authorization": f"Bearer {sess.token}"})
            assert not self.check_auth(sess, response)
        if self.login(username, PASSWORDS[username]) is None:
            RULES["(locked out)"] += 1
            return None
        return self.current[username]

    # --- requests --------------------------------------------------------------------------------

    def get(self, sess: Sess, path: str, *, settles: bool) -> httpx.Response | None:
        """A GET; None when the session was dead (checked). ``settles``: the route catches up."""
        response = self.request("GET", path, headers={"Authorization": f"Bearer {sess.token}"})
        if not self.check_auth(sess, response):
            return None
        if settles:
            self.catch_up()
        return response

    def send(self, sess: Sess, req: Req, key: str | None = None) -> httpx.Response | None:
        """A keyed request checked against the model; the answer when it was the first one."""
        key = key or self.new_key()
        headers = {"Authorization": f"Bearer {sess.token}", "Idempotency-Key": key}
        response = self.request(req.method, req.path, json=req.body, headers=headers)
        if not self.check_auth(sess, response):
            return None
        stored = self.stored.get((sess.username, key))
        if stored is not None:
            if stored.req == req:
                assert response.status_code == stored.status, response.text
                assert response.content == stored.content  # byte for byte
                assert response.headers.get("Idempotency-Replayed") == "true"
                self.seen("replay", response)
            else:
                assert response.status_code == 422, response.text
                assert response.json()["code"] == "idempotency_mismatch", response.text
                assert response.json()["field"] == "Idempotency-Key"
                self.seen("mismatch", response)
            return None
        expect = self.predict(sess.username, req)
        body = response.json() if response.content else None
        assert response.status_code == expect.status, (
            f"{req} expected {expect.status} {expect.code}, got {response.status_code} "
            f"{response.text}"
        )
        assert "Idempotency-Replayed" not in response.headers
        if expect.status >= 400:
            assert body is not None
            assert (body["code"], body["field"]) == (expect.code, expect.field), body
            for words in expect.says:
                assert words in body["message"], (words, body)
            if body["code"] == "limit_exceeded":
                what = "diario" if "diario" in body["message"] else "por transacción"
                OUTCOMES[f"{self._rule}: limit_exceeded ({what})"] += 1
        if expect.apply is not None:
            expect.apply(response)
        if expect.code in ("too_many_pending", "too_many_pins"):
            # refused for now, not kept with the key: the same key later is carried out
            assert int(response.headers["Retry-After"]) >= 1
        else:
            self.stored[(sess.username, key)] = Stored(req, response.status_code, response.content)
        self.seen(f"{req.method} {req.path.split('/')[3]}", response)
        return response

    def predict(self, username: str, req: Req) -> Expect:
        body = req.body or {}
        parts = req.path.split("/")
        if req.path == TRANSFERS:
            if body["kind"] == "propias":
                return self.predict_propias(username, body)
            self.catch_up()
            return self.predict_transfer(username, body)
        if req.path == PAYMENTS:
            self.catch_up()
            return self.predict_payment(username, body)
        if req.path == BENEFICIARIES:
            return self.predict_beneficiary(username, body)
        if req.path == POLIZAS:
            self.catch_up()
            return self.predict_poliza(username, body)
        if req.path.startswith(LOANS) and parts[-1] == "payments":
            self.catch_up()
            return self.predict_loan_payment(username, int(parts[-2]), body)
        if req.method == "DELETE":
            return self.predict_delete(username, int(parts[-1]))
        assert req.path.startswith(CHALLENGES) and parts[-1] == "confirm", req
        self.catch_up()
        return self.predict_confirm(username, parts[-2], body)

    # --- the server's lazy work ------------------------------------------------------------------

    def catch_up(self) -> None:
        """Settlements due after the clearing delay, then PINs past their time."""
        cutoff = self.now - timedelta(seconds=CLEARING_DELAY)
        for ops in (self.transfers, self.payments):
            for op in ops.values():
                if op.status == "en_proceso" and op.executed_at and op.executed_at <= cutoff:
                    if op.refused_by_clearing:
                        op.status = "rechazada"
                        self.move(COMPENSACION_NUMBER, op.origin, op.amount)
                    else:
                        op.status = "completada"
                        self.move(COMPENSACION_NUMBER, SALIDAS_NUMBER, op.amount)
        for chal in self.challenges.values():
            if chal.status == "pendiente" and chal.expires_at <= self.now:
                self.close(chal, "caducado")

    def close(self, chal: Chal, status: str) -> None:
        chal.status = status
        if chal.op is not None and chal.op.status == "pendiente_verificacion":
            chal.op.status = "cancelada"

    # --- predictions: what each request must answer, and what it changes ----------------------

    def _origin_checks(
        self, username: str, origin: str, amount: int, limits: bool
    ) -> Expect | None:
        if origin not in self.members[username].accounts:
            return _refusal(404, "not_found")
        return self._funds_checks(username, origin, amount, limits)

    def _funds_checks(self, username: str, origin: str, amount: int, limits: bool) -> Expect | None:
        member = self.members[username]
        left = self.daily_left(username)
        if limits and amount > member.per_tx:
            return _refusal(
                422,
                "limit_exceeded",
                "amount_cents",
                f"límite por transacción de {dollars(member.per_tx)}",
                f"Hoy le quedan {dollars(left)}.",
            )
        if limits and amount > left:
            return _refusal(
                422,
                "limit_exceeded",
                "amount_cents",
                f"límite diario de {dollars(member.daily)}",
                f"Hoy le quedan {dollars(left)}.",
            )
        if amount > self.available(origin):
            return _refusal(
                409,
                "insufficient_funds",
                "amount_cents",
                f"la cuenta {origin} tiene {dollars(self.available(origin))} disponibles.",
            )
        return None

    def _challenge(
        self, response: httpx.Response, username: str, purpose: str, amount: int | None, payee: str
    ) -> Chal:
        """The challenge of a 201 start, checked, with the PIN that was e-mailed for it."""
        body = response.json()
        challenge = body.get("challenge", body)
        assert challenge["purpose"] == purpose
        assert challenge["amount_cents"] == amount
        assert challenge["payee"] == payee
        assert challenge["attempts_left"] == PIN_TRIES
        expires_at = self.now + timedelta(seconds=PIN_SECONDS)
        assert datetime.fromisoformat(challenge["expires_at"]) == expires_at
        assert challenge["id"] not in self.challenges
        pin = self.latest_pin(self.members[username].email)
        chal = Chal(challenge["id"], username, purpose, amount, payee, pin, expires_at)
        self.challenges[chal.id] = chal
        return chal

    def _admit(self, username: str) -> Expect | None:
        """A new challenge: 409 with 3 awaiting their PIN, 429 past the PIN e-mails' window."""
        mine = [chal for chal in self.challenges.values() if chal.member == username]
        pending = [c for c in mine if c.status == "pendiente" and c.expires_at > self.now]
        if len(pending) >= MAX_PENDING:
            return _refusal(409, "too_many_pending", None, "Tiene 3 operaciones")
        window_start = self.now - timedelta(seconds=PIN_MAIL_WINDOW)
        sent = [c for c in mine if c.expires_at - timedelta(seconds=PIN_SECONDS) > window_start]
        if len(sent) >= PIN_MAILS:
            return _refusal(429, "too_many_pins", None, "Podrá intentarlo de nuevo en")
        return None

    def predict_propias(self, username: str, body: dict[str, Any]) -> Expect:
        member = self.members[username]
        origin, target, amount = body["from_account"], body["to_account"], body["amount_cents"]
        if origin not in member.accounts or target not in member.accounts:
            return _refusal(404, "not_found")
        if origin == target:
            return _refusal(422, "validation_error", "to_account")
        refusal = self._funds_checks(username, origin, amount, limits=False)
        if refusal is not None:
            return refusal
        transfer_id = len(self.transfers) + 1

        def apply(response: httpx.Response) -> None:
            answer = response.json()
            assert answer["challenge"] is None
            transfer = answer["transfer"]
            assert (transfer["id"], transfer["status"], transfer["amount_cents"]) == (
                transfer_id,
                "completada",
                amount,
            )
            self.move(origin, target, amount)
            self.transfers[transfer_id] = Op(
                "transfers",
                transfer_id,
                username,
                "propias",
                origin,
                amount,
                "completada",
                self.now,
                destination=target,
            )

        return Expect(201, apply=apply)

    def _pending(self, answer: str, ops: dict[int, Op], op: Op, purpose: str, payee: str) -> Expect:
        """The 201 of a start that waits for its PIN (a transfer, payment or póliza): the answer's
        ``answer`` shows the model's id, status and amount; then ``op`` is recorded in ``ops``
        with its challenge."""

        def apply(response: httpx.Response) -> None:
            started = response.json()[answer]
            assert (started["id"], started["status"], started["amount_cents"]) == (
                op.id,
                op.status,
                op.amount,
            )
            ops[op.id] = op
            self._challenge(response, op.member, purpose, op.amount, payee).op = op

        return Expect(201, apply=apply)

    def predict_transfer(self, username: str, body: dict[str, Any]) -> Expect:
        origin, amount, kind = body["from_account"], body["amount_cents"], body["kind"]
        if origin not in self.members[username].accounts:
            return _refusal(404, "not_found")
        ben = self.bens.get(body["beneficiary_id"])
        if ben is None or ben.member != username:
            return _refusal(404, "not_found")
        if ben.draft.kind != ("interna" if kind == "internas" else "externa"):
            return _refusal(422, "validation_error", "beneficiary_id")
        refusal = self._funds_checks(username, origin, amount, limits=True) or self._admit(username)
        if refusal is not None:
            return refusal
        op = Op(
            "transfers",
            len(self.transfers) + 1,
            username,
            kind,
            origin,
            amount,
            "pendiente_verificacion",
            destination=ben.draft.account,
            beneficiary=ben.id,
            refused_by_clearing=ben.draft.closed,
        )
        payee = f"transferencia:{ben.id}:{ben.draft.number}"
        return self._pending("transfer", self.transfers, op, "transferencia", payee)

    def predict_payment(self, username: str, body: dict[str, Any]) -> Expect:
        kind, amount, origin = body["kind"], body["amount_cents"], body["from_account"]
        bill_id = card_id = None
        refused = False
        if kind == "servicio":
            bill = self.bills.get(body["bill_id"])
            if bill is None:
                return _refusal(404, "not_found", "bill_id")
            if bill.status == "pagada":
                return _refusal(409, "bill_paid", "bill_id")
            low, high = bill.bounds()
            if not low <= amount <= high:
                return _refusal(422, "amount_off_bill", "amount_cents")
            bill_id = bill.id
            payee = f"servicio:{bill.biller}:{bill.reference}:{bill.id}"
        elif kind == "tarjeta":
            card = self.cards.get(body["card_id"])
            if card is None or card.member != username:
                return _refusal(404, "not_found", "card_id")
            if card.total <= 0 or amount > card.total:
                return _refusal(422, "amount_off_bill", "amount_cents")
            card_id = card.id
            payee = f"tarjeta:{card.id}"
        else:
            issuer, last4 = body["issuer_code"], body["card_number"][-4:]
            refused = (issuer, last4) in CANCELLED_CARDS
            payee = f"tarjeta_externa:{issuer}:{last4}"
        refusal = self._origin_checks(
            username, origin, amount, limits=kind == "tarjeta_externa"
        ) or self._admit(username)
        if refusal is not None:
            return refusal
        op = Op(
            "payments",
            len(self.payments) + 1,
            username,
            kind,
            origin,
            amount,
            "pendiente_verificacion",
            refused_by_clearing=refused,
            bill=bill_id,
            card=card_id,
        )
        return self._pending("payment", self.payments, op, "pago", payee)

    def predict_poliza(self, username: str, body: dict[str, Any]) -> Expect:
        """The amount (at least $100,00), then the origin, its funds, then the PIN's limits."""
        amount, origin = body["amount_cents"], body["from_account"]
        if amount < POLIZA_MINIMUM:
            return _refusal(422, "amount_too_small", "amount_cents", "$100,00")
        refusal = self._origin_checks(username, origin, amount, limits=False) or self._admit(
            username
        )
        if refusal is not None:
            return refusal
        poliza_id = len(self.polizas) + self.seeded_polizas + 1
        payee = f"poliza:{origin}:{body['term_days']}:{body['renewal']}"
        op = Op("polizas", poliza_id, username, "poliza", origin, amount, "pendiente_verificacion")
        return self._pending("poliza", self.polizas, op, "poliza", payee)

    def _loan_checks(self, loan: LoanM, amount: int) -> Expect | None:
        """What the start and the confirmation check of the loan: still owed, the payoff."""
        if loan.status != "vigente":
            return _refusal(409, "loan_paid", "loan_id")
        payoff = loan.payoff(self.today)
        if amount > payoff:
            return _refusal(
                422,
                "validation_error",
                "amount_cents",
                f"{dollars(payoff)}, el valor que cancela todo el préstamo",
            )
        return None

    def predict_loan_payment(self, username: str, loan_id: int, body: dict[str, Any]) -> Expect:
        """The loan (404 for the other member's), the origin, the loan still owed, the amount
        (up to the payoff), the funds, then the PIN's limits. Before the PIN it tells what the
        amount covers, as the model applies it."""
        amount, origin = body["amount_cents"], body["from_account"]
        loan = self.loans.get(loan_id)
        if loan is None or loan.member != username:
            return _refusal(404, "not_found", "loan_id")
        if origin not in self.members[username].accounts:
            return _refusal(404, "not_found")
        refusal = (
            self._loan_checks(loan, amount)
            or self._funds_checks(username, origin, amount, limits=False)
            or self._admit(username)
        )
        if refusal is not None:
            return refusal
        payment_id = len(self.loan_payments) + 1
        covers = loan.pay(amount, self.today, dry=True)

        def apply(response: httpx.Response) -> None:
            payment = response.json()["loan_payment"]
            shown = (
                payment["mora_cents"],
                payment["interest_cents"],
                payment["capital_cents"],
                payment["early_capital_cents"],
            )
            assert (payment["id"], payment["status"], shown) == (
                payment_id,
                "pendiente_verificacion",
                covers,
            ), payment
            op = Op(
                "loan_payments",
                payment_id,
                username,
                "prestamo",
                origin,
                amount,
                "pendiente_verificacion",
                loan=loan_id,
            )
            self.loan_payments[payment_id] = op
            chal = self._challenge(
                response, username, "pago_prestamo", amount, f"prestamo:{loan_id}"
            )
            chal.op = op

        return Expect(201, apply=apply)

    def _duplicate(self, username: str, draft: BenDraft) -> bool:
        return any(
            ben.member == username
            and ben.draft.kind == draft.kind
            and ben.draft.number == draft.number
            and ben.draft.institution == draft.institution
            for ben in self.bens.values()
        )

    def predict_beneficiary(self, username: str, body: dict[str, Any]) -> Expect:
        if body["kind"] == "interna":
            account = INTERNAS[(body["account_type"], body["number"])]
            if account is None:
                return _refusal(404, "not_found", "number")
            if account in self.members[username].accounts:
                return _refusal(422, "own_account", "number")
            number = normalise_third_party_account(account, AccountType(body["account_type"]))
            draft = BenDraft("interna", number, account, None, False)
        else:
            code, number = body["institution_code"], body["number"]
            if code not in self.institutions:
                return _refusal(422, "validation_error", "institution_code")
            draft = BenDraft("externa", number, None, code, (code, number) in CLOSED_EXTERNAL)
        if self._duplicate(username, draft):
            return _refusal(409, "duplicate", "number")
        refusal = self._admit(username)
        if refusal is not None:
            return refusal

        def apply(response: httpx.Response) -> None:
            self._challenge(response, username, "beneficiario", None, draft.payee).draft = draft

        return Expect(201, apply=apply)

    def predict_delete(self, username: str, ben_id: int) -> Expect:
        ben = self.bens.get(ben_id)
        if ben is None or ben.member != username:
            return _refusal(404, "not_found")

        def apply(response: httpx.Response) -> None:
            del self.bens[ben_id]
            for chal in self.challenges.values():
                op = chal.op
                if op is not None and op.beneficiary == ben_id and chal.status == "pendiente":
                    self.close(chal, "cancelado")
            for op in self.transfers.values():
                if op.beneficiary == ben_id and op.status == "pendiente_verificacion":
                    op.status = "cancelada"

        return Expect(204, apply=apply)

    def predict_confirm(self, username: str, challenge_id: str, body: dict[str, Any]) -> Expect:
        chal = self.challenges.get(challenge_id)
        if chal is None or chal.member != username:
            return _refusal(404, "not_found")
        closed = {
            "usado": "challenge_used",
            "caducado": "challenge_expired",
            "cancelado": "challenge_cancelled",
        }
        if chal.status in closed:
            return _refusal(409, closed[chal.status])
        assert self.now < chal.expires_at  # swept by the catch-up before
        right = (body["pin"], body["amount_cents"], body["payee"]) == (
            chal.pin,
            chal.amount,
            chal.payee,
        )
        if not right:
            return self._wrong_pin(chal)
        refusal = self._recheck(chal)
        if refusal is not None:
            return refusal

        def apply(response: httpx.Response) -> None:
            self._execute(chal, response.json())

        return Expect(200, apply=apply)

    def _wrong_pin(self, chal: Chal) -> Expect:
        member = self.members[chal.member]
        wrong = member.pin_failures + 1
        if wrong >= MAX_WRONG_PINS:

            def lock(response: httpx.Response) -> None:
                member.pin_failures = wrong
                chal.tries -= 1
                member.locked = True
                # every operation of the member awaiting its PIN is cancelled with the lock
                for other in self.challenges.values():
                    if other.member == chal.member and other.status == "pendiente":
                        self.close(other, "cancelado")
                for sess in self.sessions:
                    if sess.username == chal.member:
                        sess.ended = True

            return Expect(423, "locked", None, lock, ("5 veces seguidas",))

        def count(response: httpx.Response) -> None:
            member.pin_failures = wrong
            chal.tries -= 1

        if chal.tries > 1:
            before_lock = MAX_WRONG_PINS - wrong
            if before_lock <= chal.tries - 1:
                left = (
                    f"Le queda {before_lock} intento antes"
                    if before_lock == 1
                    else f"Le quedan {before_lock} intentos antes"
                )
            else:
                left = "Le queda 1 intento." if chal.tries == 2 else f"Le quedan {chal.tries - 1} "
            return Expect(422, "pin_incorrect", "pin", count, (left,))

        def cancel(response: httpx.Response) -> None:
            count(response)
            self.close(chal, "cancelado")

        return Expect(409, "challenge_cancelled", "pin", cancel)

    def _recheck(self, chal: Chal) -> Expect | None:
        """What the confirmation checks again; a refusal leaves the challenge open."""
        if chal.draft is not None:
            return (
                _refusal(409, "duplicate", "number")
                if self._duplicate(chal.member, chal.draft)
                else None
            )
        op = chal.op
        assert op is not None
        if op.bill is not None:
            bill = self.bills[op.bill]
            if bill.status == "pagada":
                return _refusal(409, "bill_paid", "bill_id")
            low, high = bill.bounds()
            if not low <= op.amount <= high:
                return _refusal(422, "amount_off_bill", "amount_cents")
        if op.card is not None:
            card = self.cards[op.card]
            if card.total <= 0 or op.amount > card.total:
                return _refusal(422, "amount_off_bill", "amount_cents")
        if op.loan is not None:
            refusal = self._loan_checks(self.loans[op.loan], op.amount)
            if refusal is not None:
                return refusal
        return self._funds_checks(chal.member, op.origin, op.amount, op.counts_toward_limits)

    def _execute(self, chal: Chal, answer: dict[str, Any]) -> None:
        chal.status = "usado"
        self.members[chal.member].pin_failures = 0
        self.successes += 1
        assert answer["purpose"] == chal.purpose
        if chal.draft is not None:
            beneficiary = answer["beneficiary"]
            assert (beneficiary["kind"], beneficiary["number"]) == (
                chal.draft.kind,
                chal.draft.number,
            )
            assert beneficiary["id"] not in self.bens
            self.bens[beneficiary["id"]] = Ben(beneficiary["id"], chal.member, chal.draft)
            return
        op = chal.op
        assert op is not None
        op.executed_at = self.now
        if op.cleared:
            op.status = "en_proceso"
            self.move(op.origin, COMPENSACION_NUMBER, op.amount)
        else:
            op.status = "completada"
            if op.kind == "internas":
                assert op.destination is not None
                self.move(op.origin, op.destination, op.amount)
            elif op.kind == "servicio":
                assert op.bill is not None
                self.move(op.origin, RECAUDACION_NUMBER, op.amount)
                bill = self.bills[op.bill]
                bill.paid += op.amount
                if bill.paid >= bill.amount:
                    bill.status = "pagada"
            elif op.kind == "poliza":
                self.move(op.origin, PLAZO_NUMBER, op.amount)
            elif op.kind == "prestamo":
                assert op.loan is not None
                loan = self.loans[op.loan]
                covers = loan.pay(op.amount, self.today)
                if not any(row.owes for row in loan.rows):
                    loan.status = "cancelado"
                    OUTCOMES["loan payment: the payoff, loan cancelado"] += 1
                elif covers[3]:
                    OUTCOMES["loan payment: capital ahead, instalments recomputed"] += 1
                self.move(op.origin, CREDITOS_NUMBER, op.amount)
                shown = answer["loan_payment"]
                assert (
                    shown["mora_cents"],
                    shown["interest_cents"],
                    shown["capital_cents"],
                    shown["early_capital_cents"],
                ) == covers
            else:
                assert op.card is not None
                self.move(op.origin, CARTERA_NUMBER, op.amount)
                self.cards[op.card].paid += op.amount
        keys = {"transfers": "transfer", "payments": "payment", "loan_payments": "loan_payment"}
        result = answer[keys.get(op.table, "poliza")]
        assert (result["id"], result["status"]) == (op.id, op.status)

    # --- rule helpers ----------------------------------------------------------------------------

    def confirm_req(self, chal: Chal, variant: str = "right", pin: str | None = None) -> Req:
        body: dict[str, Any] = {
            "pin": pin or chal.pin,
            "amount_cents": chal.amount,
            "payee": chal.payee,
        }
        if variant == "wrong":
            body["pin"] = f"{(int(chal.pin) + 1) % 10_000:04d}"
        elif variant == "tamper_amount":
            body["amount_cents"] = (chal.amount or 0) + 1
        elif variant == "tamper_payee":
            body["payee"] = chal.payee.replace(":", ":9", 1)
        return Req("POST", f"{CHALLENGES}/{chal.id}/confirm", body)

    def start_and_maybe_confirm(self, sess: Sess, req: Req, confirm: bool) -> None:
        response = self.send(sess, req)
        if not confirm or response is None or response.status_code != 201:
            return
        answer = response.json()
        challenge = answer.get("challenge", answer)
        if challenge is None:  # propias: executed at once
            return
        self.send(sess, self.confirm_req(self.challenges[challenge["id"]]))

    def transfer_req(
        self, username: str, kind: str, origin: str, amount: int, target: str | int
    ) -> Req:
        body: dict[str, Any] = {
            "kind": kind,
            "from_account": origin,
            "amount_cents": amount,
            "description": "Prueba del modelo",
        }
        body["to_account" if kind == "propias" else "beneficiary_id"] = target
        return Req("POST", TRANSFERS, body)

    def payment_req(self, origin: str, kind: str, target: Any, amount: int) -> Req:
        body: dict[str, Any] = {"kind": kind, "from_account": origin, "amount_cents": amount}
        if kind == "servicio":
            body["bill_id"] = target
        elif kind == "tarjeta":
            body["card_id"] = target
        else:
            issuer, number = EXTERNAL_CARDS[target]
            body.update(issuer_code=issuer, card_number=number, holder_name="Ana Tipán")
        return Req("POST", PAYMENTS, body)

    def beneficiary_req(self, candidate: tuple[str, str], *, interna: bool, name: str = "") -> Req:
        if interna:
            body = {"kind": "interna", "account_type": candidate[0], "number": candidate[1]}
        else:
            body = {
                "kind": "externa",
                "institution_code": candidate[0],
                "account_type": "ahorros",
                "number": candidate[1],
                "id_type": "cedula",
                "id_number": DEMO_CEDULA,
                "name": name or "Ana Prueba",
            }
        return Req("POST", BENEFICIARIES, body)

    def pay_amount(self, label: str, username: str, kind: str, target: Any, origin: str) -> int:
        if kind == "servicio" and target in self.bills:
            due = self.bills[target].amount - self.bills[target].paid
        elif kind == "tarjeta" and target in self.cards:
            due = self.cards[target].total
        else:
            due = 5_000
        special = {"due": due, "due_minus": due - 1, "due_plus": due + 1, "one": 1}
        if label in special:
            return max(1, special[label])
        return self.amount_for(label, username, origin)

    # --- rules -----------------------------------------------------------------------------------

    @rule(username=st.sampled_from(MEMBERS))
    def login_good(self, username: str) -> None:
        self.step("login_good")
        self.login(username, PASSWORDS[username])

    @rule(username=st.sampled_from(MEMBERS + THROWAWAY), times=st.integers(1, 5))
    def login_bad(self, username: str, times: int) -> None:
        """Wrong passwords in a row: the 5th locks the username (423 from then on)."""
        self.step("login_bad")
        for _ in range(times):
            self.login(username, "Equivocada2026")

    @rule(username=st.sampled_from(MEMBERS))
    def teller_unlocks(self, username: str) -> None:
        self.step("teller_unlocks")
        response = self.request(
            "POST", LOGIN, json={"username": "cajero", "password": PASSWORDS["cajero"]}
        )
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        response = self.request(
            "POST",
            f"{STAFF}/members/{username}/unlock",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": self.new_key()},
        )
        assert response.status_code == 204, response.text
        member = self.members[username]
        member.locked = False
        member.pin_failures = 0
        self.failures.pop(username, None)
        self.seen("unlock", response)

    @rule(username=st.sampled_from(MEMBERS))
    def logout(self, username: str) -> None:
        self.step("logout")
        sess = self.current[username]
        assert sess is not None
        response = self.request("POST", LOGOUT, headers={"Authorization": f"Bearer {sess.token}"})
        if self.check_auth(sess, response):
            assert response.status_code == 204, response.text
            sess.ended = True
            self.seen("logout", response)

    @rule(seconds=st.sampled_from((1, 5, 30, 59, 61, 90, 150, 200, 301)))
    def advance_clock(self, seconds: int) -> None:
        """Time passes: the clearing settles after 60 s, PINs expire at 300 s, sessions idle
        out past 300 s without a request (each seen by the next request that looks). Mostly
        short steps: sessions used now and then stay alive."""
        self.step("advance_clock")
        self.clock.advance(seconds)

    @rule(
        username=st.sampled_from(MEMBERS),
        kind=st.sampled_from(("propias", "internas", "interbancarias")),
        label=st.sampled_from(AMOUNT_LABELS),
        small=st.integers(1, 5_000),
        confirm=st.booleans(),
        data=st.data(),
    )
    def transfer(
        self,
        username: str,
        kind: str,
        label: str,
        small: int,
        confirm: bool,
        data: st.DataObject,
    ) -> None:
        """A transfer of any kind and an amount at or over the balance and the limits;
        ``confirm``: its PIN entered right away."""
        self.step("transfer")
        self._transfer(username, kind, label, small, confirm, data)

    def _transfer(
        self,
        username: str,
        kind: str,
        label: str,
        small: int,
        confirm: bool,
        data: st.DataObject,
    ) -> None:
        sess = self.session_of(username)
        if sess is None:
            return
        accounts = self.members[username].accounts
        origin = data.draw(st.sampled_from(accounts), label="origin")
        amount = self.amount_for(label, username, origin, small)
        target: str | int
        if kind == "propias":
            others = [number for number in accounts if number != origin] or [origin]
            target = others[0]
        else:
            want = "interna" if kind == "internas" else "externa"
            own = [ben for ben in self.bens.values() if ben.member == username]
            fitting = [ben for ben in own if ben.draft.kind == want]
            of_its_kind: bool = data.draw(st.booleans(), label="of its kind")
            if fitting and of_its_kind:
                own = fitting
            ids = sorted(ben.id for ben in own) or [999]
            target = data.draw(st.sampled_from(ids), label="beneficiary")
        self.start_and_maybe_confirm(
            sess, self.transfer_req(username, kind, origin, amount, target), confirm
        )

    @rule(
        username=st.sampled_from(MEMBERS),
        kind=st.sampled_from(("propias", "internas", "interbancarias")),
        label=st.sampled_from(AMOUNT_LABELS),
        small=st.integers(1, 5_000),
        data=st.data(),
    )
    def transfer_with_pin(
        self, username: str, kind: str, label: str, small: int, data: st.DataObject
    ) -> None:
        """A transfer and its right PIN at once (how limits and balances run out)."""
        self.step("transfer_with_pin")
        self._transfer(username, kind, label, small, True, data)

    @rule(
        username=st.sampled_from(MEMBERS),
        kind=st.sampled_from(("servicio", "tarjeta", "tarjeta_externa")),
        label=st.sampled_from(PAY_LABELS),
        confirm=st.booleans(),
        data=st.data(),
    )
    def payment(
        self, username: str, kind: str, label: str, confirm: bool, data: st.DataObject
    ) -> None:
        """A bill (exact, partial, open, paid, unknown), a card (own or the other member's, with
        or without something due) or a card of another institution (one the clearing refuses)."""
        self.step("payment")
        self._payment(username, kind, label, confirm, data)

    @rule(
        username=st.sampled_from(MEMBERS),
        kind=st.sampled_from(("servicio", "tarjeta", "tarjeta_externa")),
        label=st.sampled_from(PAY_LABELS),
        data=st.data(),
    )
    def pay_with_pin(self, username: str, kind: str, label: str, data: st.DataObject) -> None:
        """A payment and its right PIN at once (how bills and cards get paid)."""
        self.step("pay_with_pin")
        self._payment(username, kind, label, True, data)

    def _payment(
        self, username: str, kind: str, label: str, confirm: bool, data: st.DataObject
    ) -> None:
        sess = self.session_of(username)
        if sess is None:
            return
        origin = data.draw(st.sampled_from(self.members[username].accounts), label="origin")
        choices: tuple[Any, ...] = {
            "servicio": BILL_CHOICES,
            "tarjeta": CARD_CHOICES,
            "tarjeta_externa": tuple(EXTERNAL_CARDS),
        }[kind]
        target = data.draw(st.sampled_from(choices), label="payee")
        amount = self.pay_amount(label, username, kind, target, origin)
        self.start_and_maybe_confirm(sess, self.payment_req(origin, kind, target, amount), confirm)

    @rule(
        username=st.sampled_from(MEMBERS),
        label=st.sampled_from(POLIZA_LABELS),
        days=st.sampled_from(POLIZA_DAYS),
        confirm=st.booleans(),
        data=st.data(),
    )
    def open_poliza(
        self, username: str, label: str, days: int, confirm: bool, data: st.DataObject
    ) -> None:
        """A póliza from one of the member's accounts: the minimum, a cent under it, all that
        is available or a cent more; confirmed with its PIN or left waiting."""
        self.step("open_poliza")
        sess = self.session_of(username)
        if sess is None:
            return
        origin = data.draw(st.sampled_from(self.members[username].accounts), label="origin")
        available = self.available(origin)
        amount = {
            "minimum": POLIZA_MINIMUM,
            "under_minimum": POLIZA_MINIMUM - 1,
            "available": max(POLIZA_MINIMUM, available),
            "over_available": max(POLIZA_MINIMUM, available + 1),
        }[label]
        body = {
            "from_account": origin,
            "amount_cents": amount,
            "term_days": days,
            "renewal": "no_renovar",
        }
        self.start_and_maybe_confirm(sess, Req("POST", POLIZAS, body), confirm)

    @rule(
        username=st.sampled_from(MEMBERS),
        label=st.sampled_from(LOAN_LABELS),
        pin=st.sampled_from(("right", "right", "wrong", "none")),
        data=st.data(),
    )
    def pay_loan(self, username: str, label: str, pin: str, data: st.DataObject) -> None:
        """A loan payment: a cent, what is due today (or a cent less), the next instalment,
        something extra (capital ahead), the payoff or a cent over it; the other member's loan
        now and then. Before it, GET /loans shows the model's balance, payoff and state."""
        self.step("pay_loan")
        sess = self.session_of(username)
        if sess is None:
            return
        response = self.get(sess, LOANS, settles=False)
        if response is None:
            return
        assert response.status_code == 200, response.text
        today = self.today
        mine = [loan for loan in self.loans.values() if loan.member == username]
        shown = [
            (x["id"], x["status"], x["balance_cents"], x["payoff_cents"]) for x in response.json()
        ]
        assert shown == [
            (
                loan.id,
                loan.status,
                loan.balance,
                loan.payoff(today) if loan.status == "vigente" else 0,
            )
            for loan in mine
        ]
        self.seen("loans", response)
        theirs: bool = data.draw(st.sampled_from((False, False, False, True)), label="theirs")
        loan = mine[0] if not theirs else self.loans[3 - mine[0].id]
        origin = data.draw(st.sampled_from(self.members[username].accounts), label="origin")
        payoff = loan.payoff(today) if loan.status == "vigente" else 100
        owed = loan.owed_now(today) if loan.status == "vigente" else 100
        run = loan.running(today) if loan.status == "vigente" else None
        nxt = next((row for row in loan.rows if row.owes and row.due > today), None)
        instalment = owed + (nxt.capital - nxt.paid_capital + nxt.interest if nxt else 0)
        extra = owed + (run[3] if run else 0) + data.draw(st.integers(1, 60_000), label="extra")
        amount = {
            "one": 1,
            "due": owed,
            "due_minus": owed - 1,
            "instalment": instalment,
            "extra": min(extra, payoff),
            "payoff": payoff,
            "over_payoff": payoff + 1,
        }[label]
        req = Req(
            "POST",
            f"{LOANS}/{loan.id}/payments",
            {"from_account": origin, "amount_cents": max(1, amount)},
        )
        answer = self.send(sess, req)
        if pin == "none" or answer is None or answer.status_code != 201:
            return
        chal = self.challenges[answer.json()["challenge"]["id"]]
        self.send(sess, self.confirm_req(chal, pin))

    @rule(days=st.sampled_from(DAYS))
    def days_pass(self, days: int) -> None:
        """Days pass: instalments fall due, mora accrues, the running period's interest accrues
        (and every session idles out, every PIN expires, the daily limits start again)."""
        self.step("days_pass")
        self.clock.advance(days * 86_400)

    @rule(username=st.sampled_from(MEMBERS), confirm=st.booleans(), data=st.data())
    def add_beneficiary(self, username: str, confirm: bool, data: st.DataObject) -> None:
        self.step("add_beneficiary")
        sess = self.session_of(username)
        if sess is None:
            return
        interna = data.draw(st.booleans(), label="interna")
        candidates = list(INTERNAS) if interna else list(EXTERNAS)
        candidate = data.draw(st.sampled_from(candidates), label="candidate")
        self.start_and_maybe_confirm(
            sess, self.beneficiary_req(candidate, interna=interna), confirm
        )

    @rule(username=st.sampled_from(MEMBERS), data=st.data())
    def delete_beneficiary(self, username: str, data: st.DataObject) -> None:
        """Deleting a beneficiary cancels the transfers to it still waiting for their PIN."""
        self.step("delete_beneficiary")
        own = sorted(ben.id for ben in self.bens.values() if ben.member == username)
        if len(own) <= 2:  # keep some to transfer to
            return
        sess = self.session_of(username)
        if sess is None:
            return
        ben_id = data.draw(st.sampled_from(own), label="beneficiary")
        self.send(sess, Req("DELETE", f"{BENEFICIARIES}/{ben_id}"))

    @rule(
        username=st.sampled_from(MEMBERS),
        variant=st.sampled_from(
            ("right", "right", "wrong", "tamper_amount", "tamper_payee", "other_pin")
        ),
        data=st.data(),
    )
    def confirm(self, username: str, variant: str, data: st.DataObject) -> None:
        """A PIN for one of the member's challenges, in any state (a used one: reused)."""
        self.step("confirm")
        mine = [chal for chal in self.challenges.values() if chal.member == username]
        if not mine:
            return
        open_ = [chal for chal in mine if chal.status == "pendiente"]
        open_one: bool = data.draw(st.booleans(), label="open one")
        pool = open_ if open_ and open_one else mine
        chal = data.draw(st.sampled_from(pool), label="challenge")
        pin = None
        if variant == "other_pin":
            others = [other.pin for other in self.challenges.values() if other is not chal]
            pin = others[-1] if others else None
        sess = self.session_of(username)
        if sess is None:
            return
        self.send(sess, self.confirm_req(chal, variant, pin))

    @rule(username=st.sampled_from(MEMBERS), wait=st.sampled_from((299, 300)))
    def confirm_at_the_edge(self, username: str, wait: int) -> None:
        """A PIN is good 299 s after its start and expired at 300 s (the session, used at the
        start, is still alive at 300 s: it ends only past 300 s idle)."""
        self.step("confirm_at_the_edge")
        sess = self.session_of(username)
        if sess is None:
            return
        number = f"77{len(self.challenges):08d}"
        response = self.send(sess, self.beneficiary_req(("0030", number), interna=False))
        if response is None or response.status_code != 201:
            return
        chal = self.challenges[response.json()["id"]]
        self.clock.advance(wait)
        sess = self.session_of(username)
        if sess is not None:
            self.send(sess, self.confirm_req(chal))

    @rule(
        username=st.sampled_from(MEMBERS),
        kind=st.sampled_from(
            ("internas", "interbancarias", "servicio", "tarjeta", "tarjeta_externa")
        ),
        count=st.integers(2, 3),
        data=st.data(),
    )
    def pile_up(self, username: str, kind: str, count: int, data: st.DataObject) -> None:
        """Several operations started, each fine on its own, then all confirmed: nothing is
        held or counted before its PIN, so the later ones meet the limits, the balance, the
        paid bill or the card's total at their confirmation (the challenge stays open)."""
        self.step("pile_up")
        sess = self.session_of(username)
        if sess is None:
            return
        member = self.members[username]
        origin = data.draw(st.sampled_from(member.accounts), label="origin")
        big = max(1, min(member.per_tx, self.daily_left(username), self.available(origin)))
        if kind in ("internas", "interbancarias"):
            want = "interna" if kind == "internas" else "externa"
            fitting = sorted(
                ben.id
                for ben in self.bens.values()
                if ben.member == username and ben.draft.kind == want
            )
            if not fitting:
                return
            target: Any = data.draw(st.sampled_from(fitting), label="beneficiary")
            req = self.transfer_req(username, kind, origin, big, target)
        elif kind == "tarjeta_externa":
            req = self.payment_req(origin, kind, "pichincha", big)
        else:
            if kind == "servicio":
                choices = [bill.id for bill in self.bills.values() if bill.status == "pendiente"]
            else:
                choices = [
                    card.id
                    for card in self.cards.values()
                    if card.member == username and card.total > 0
                ]
            if not choices:
                return
            target = data.draw(st.sampled_from(sorted(choices)), label="payee")
            amount = self.pay_amount("due", username, kind, target, origin)
            req = self.payment_req(origin, kind, target, amount)
        started: list[Chal] = []
        for _ in range(count):
            response = self.send(sess, req)
            if response is None or response.status_code != 201:
                break
            started.append(self.challenges[response.json()["challenge"]["id"]])
        for chal in started:
            if self.send(sess, self.confirm_req(chal)) is None:
                return

    @rule(
        username=st.sampled_from(MEMBERS),
        operations=st.integers(1, 5),
        per_operation=st.integers(1, PIN_TRIES),
    )
    def wrong_pin_burst(self, username: str, operations: int, per_operation: int) -> None:
        """The guesser: operations each given 1 to 3 wrong PINs (3 cancel one); the 5th wrong
        PIN in a row, whatever the operations, locks the member; a 4th operation waiting for
        its PIN is refused (409), and so are PIN e-mails past 10 in 15 minutes (429)."""
        self.step("wrong_pin_burst")
        for _ in range(operations):
            sess = self.session_of(username)
            if sess is None:
                return
            number = f"88{len(self.challenges):08d}"
            response = self.send(sess, self.beneficiary_req(("0030", number), interna=False))
            if response is None or response.status_code != 201:
                return
            chal = self.challenges[response.json()["id"]]
            for _try in range(per_operation):
                if self.send(sess, self.confirm_req(chal, "wrong")) is None:
                    return

    @rule(other_member=st.booleans(), data=st.data())
    def replay(self, other_member: bool, data: st.DataObject) -> None:
        """A request sent again with its Idempotency-Key (a retry after a timeout): the first
        answer again, byte for byte, and nothing changes. The other member's keys are its own:
        there the same key and body are a new request."""
        self.step("replay")
        found = self._stored_request(data)
        if found is None:
            return
        username, key, req = found
        sess = self.session_of(self.other(username) if other_member else username)
        if sess is not None:
            self.send(sess, req, key)

    @rule(other_path=st.booleans(), data=st.data())
    def replay_changed(self, other_path: bool, data: st.DataObject) -> None:
        """A key used again for another request: 422 idempotency_mismatch, nothing changes."""
        self.step("replay_changed")
        found = self._stored_request(data)
        if found is None:
            return
        username, key, req = found
        sess = self.session_of(username)
        if sess is not None:
            self.send(sess, self.mutated(req, other_path=other_path), key)

    def _stored_request(self, data: st.DataObject) -> tuple[str, str, Req] | None:
        """A request answered before (often the latest: a retry), with its member and key."""
        if not self.stored:
            return None
        keys = list(self.stored)
        if data.draw(st.booleans(), label="the latest"):
            username, key = keys[-1]
        else:
            username, key = data.draw(st.sampled_from(keys), label="key")
        return username, key, self.stored[(username, key)].req

    def mutated(self, req: Req, *, other_path: bool) -> Req:
        """``req`` with another body, or (a DELETE, a confirmation) another path."""
        if req.body is None:  # a DELETE: another beneficiary
            return Req(req.method, f"{req.path}0", None)
        if other_path and req.path.endswith("/confirm"):  # another challenge
            return Req(req.method, req.path.replace("/confirm", "x/confirm"), req.body)
        body = dict(req.body)
        if "amount_cents" in body and body.get("kind") != "interna" and "pin" not in body:
            body["amount_cents"] += 1
        elif "pin" in body:
            body["pin"] = f"{(int(body['pin']) + 1) % 10_000:04d}"
        else:
            body["number"] = body["number"] + "1"
        return Req(req.method, req.path, body)

    @rule(
        username=st.sampled_from(MEMBERS),
        reach=st.sampled_from(
            (
                "transfer",
                "payment",
                "challenge",
                "beneficiary_transfer",
                "beneficiary_delete",
                "card",
                "origin",
                "account",
            )
        ),
        data=st.data(),
    )
    def cross_member(self, username: str, reach: str, data: st.DataObject) -> None:
        """A member reaches for the other's objects: 404, and nothing changes (the invariants
        compare the whole database with the model)."""
        self.step("cross_member")
        other = self.other(username)
        sess = self.session_of(username)
        if sess is None:
            return
        mine = self.members[username].accounts
        if reach in ("transfer", "payment"):
            ops = self.transfers if reach == "transfer" else self.payments
            theirs = sorted(op.id for op in ops.values() if op.member == other)
            target = data.draw(st.sampled_from(theirs or [10_000]), label="id")
            path = f"{TRANSFERS if reach == 'transfer' else PAYMENTS}/{target}"
            response = self.get(sess, path, settles=True)
            if response is not None:
                assert response.status_code == 404, response.text
                assert response.json()["code"] == "not_found"
                self.seen(reach, response)
        elif reach == "challenge":
            theirs_c = [chal for chal in self.challenges.values() if chal.member == other]
            if theirs_c:
                chal = data.draw(st.sampled_from(theirs_c), label="challenge")
                self.send(sess, self.confirm_req(chal))
        elif reach in ("beneficiary_transfer", "beneficiary_delete"):
            theirs_b = sorted(ben.id for ben in self.bens.values() if ben.member == other)
            if not theirs_b:
                return
            ben = self.bens[data.draw(st.sampled_from(theirs_b), label="beneficiary")]
            if reach == "beneficiary_delete":
                self.send(sess, Req("DELETE", f"{BENEFICIARIES}/{ben.id}"))
            else:
                kind = "internas" if ben.draft.kind == "interna" else "interbancarias"
                self.send(sess, self.transfer_req(username, kind, mine[0], 100, ben.id))
        elif reach == "card":
            card = next(card for card in self.cards.values() if card.member == other)
            self.send(sess, self.payment_req(mine[0], "tarjeta", card.id, 100))
        elif reach == "origin":
            theirs_a = self.members[other].accounts[0]
            kind = data.draw(st.sampled_from(("propias", "servicio")), label="what")
            if kind == "propias":
                self.send(sess, self.transfer_req(username, "propias", theirs_a, 100, mine[0]))
            else:
                self.send(sess, self.payment_req(theirs_a, "servicio", 15, 100))
        else:
            theirs_a = self.members[other].accounts[0]
            response = self.get(sess, f"{ACCOUNTS}/{theirs_a}", settles=True)
            if response is not None:
                assert response.status_code == 404, response.text
                assert response.json()["code"] == "not_found"
                self.seen(reach, response)

    @rule(username=st.sampled_from(MEMBERS))
    def read_accounts_and_limits(self, username: str) -> None:
        """GET /accounts and /limits show the model's balances and what is left today."""
        self.step("read_accounts_and_limits")
        sess = self.session_of(username)
        if sess is None:
            return
        response = self.get(sess, ACCOUNTS, settles=True)
        if response is None:
            return
        assert response.status_code == 200, response.text
        shown = [
            (account["number"], account["available_cents"], account["accounting_cents"])
            for account in response.json()
        ]
        member = self.members[username]
        assert shown == [
            (number, self.available(number), self.balances[number]) for number in member.accounts
        ]
        self.seen("accounts", response)
        response = self.get(sess, LIMITS, settles=True)
        if response is None:  # pragma: no cover - the same instant as the read above
            return
        used = self.used_today(username)
        assert response.json() == {
            "per_transaction_cents": member.per_tx,
            "daily_cents": member.daily,
            "used_today_cents": used,
            "available_today_cents": max(0, member.daily - used),
        }
        self.seen("limits", response)

    @rule(username=st.sampled_from(MEMBERS), data=st.data())
    def read_own_operation(self, username: str, data: st.DataObject) -> None:
        """GET /transfers/{id} or /payments/{id}: its state is the model's."""
        self.step("read_own_operation")
        ops = [
            op
            for op in [*self.transfers.values(), *self.payments.values()]
            if op.member == username
        ]
        if not ops:
            return
        op = data.draw(st.sampled_from(ops), label="operation")
        sess = self.session_of(username)
        if sess is None:
            return
        path = f"{TRANSFERS if op.table == 'transfers' else PAYMENTS}"
        response = self.get(sess, f"{path}/{op.id}", settles=True)
        if response is None:
            return
        assert response.status_code == 200, response.text
        shown = response.json()
        assert (shown["status"], shown["amount_cents"], shown["from_account"]) == (
            op.status,
            op.amount,
            op.origin,
        )
        self.seen(op.table, response)
        # The list: the executed ones, newest first.
        response = self.get(sess, f"{path}?limit=200", settles=True)
        assert response is not None and response.status_code == 200
        table = self.transfers if op.table == "transfers" else self.payments
        executed = [
            each
            for each in table.values()
            if each.member == username and each.status in ("completada", "en_proceso", "rechazada")
        ]
        executed.sort(key=lambda each: (each.executed_at, each.id), reverse=True)
        listed = [(each["id"], each["status"]) for each in response.json()]
        assert listed == [(each.id, each.status) for each in executed]

    @rule(data=st.data())
    def stale_session(self, data: st.DataObject) -> None:
        """A session that ended (logout, a lock) or idled out moves no money: 401."""
        self.step("stale_session")
        dead = [sess for sess in self.sessions if not self.alive(sess)]
        if not dead:
            return
        sess = data.draw(st.sampled_from(dead), label="session")
        member = self.members[sess.username]
        origin = member.accounts[0]
        others = self.bens.values()
        ben = next((b.id for b in others if b.member == sess.username), 999)
        req = self.transfer_req(sess.username, "internas", origin, 100, ben)
        assert self.send(sess, req) is None

    # --- invariants: the whole database is the model -------------------------------------------

    @invariant()
    def the_database_is_the_model(self) -> None:
        STATS["checks"] += 1
        q = self.query
        balances = dict(q("SELECT number, balance_cents FROM accounts"))
        assert balances == self.balances
        assert sum(balances.values()) == self.capital
        assert min(balances.values()) >= 0
        assert ledger_problems(self.conn) == []
        assert dict(q("SELECT id, status FROM transfers")) == {
            op.id: op.status for op in self.transfers.values()
        }
        assert dict(q("SELECT id, status FROM payments")) == {
            op.id: op.status for op in self.payments.values()
        }
        assert dict(q("SELECT id, status FROM polizas WHERE id > ?", (self.seeded_polizas,))) == {
            op.id: op.status for op in self.polizas.values()
        }
        assert dict(q("SELECT id, status FROM loan_payments")) == {
            op.id: op.status for op in self.loan_payments.values()
        }
        for loan in self.loans.values():
            stored = q(
                """
                SELECT number, due_date, capital_cents, interest_cents, paid_capital_cents,
                       paid_interest_cents, mora_paid_cents
                FROM loan_instalments WHERE loan_id = ? ORDER BY number
                """,
                (loan.id,),
            )
            assert stored == [
                (
                    r.number,
                    r.due.isoformat(),
                    r.capital,
                    r.interest,
                    r.paid_capital,
                    r.paid_interest,
                    r.mora_paid,
                )
                for r in loan.rows
            ]
            status = q("SELECT status FROM loans WHERE id = ?", (loan.id,)).fetchone()
            assert status == (loan.status,)
        assert {
            row[0]: (row[1], row[2])
            for row in q("SELECT id, status, attempts_left FROM challenges")
        } == {chal.id: (chal.status, chal.tries) for chal in self.challenges.values()}
        # A PIN succeeded only where the model says a right, unused, unexpired one was entered.
        used = q("SELECT COUNT(*) FROM challenges WHERE status = 'usado'").fetchone()[0]
        assert used == self.successes
        assert dict(q("SELECT id, member_id FROM beneficiaries")) == {
            ben.id: self.members[ben.member].id for ben in self.bens.values()
        }
        assert {
            row[0]: (row[1], row[2]) for row in q("SELECT id, status, paid_cents FROM bills")
        } == {bill.id: (bill.status, bill.paid) for bill in self.bills.values()}
        assert dict(q("SELECT id, paid_cents FROM cards")) == {
            card.id: card.paid for card in self.cards.values()
        }
        failures = dict(q("SELECT username, count FROM login_failures"))
        assert failures == {name: count for name, count in self.failures.items() if count}
        for username, member in self.members.items():
            locked, wrong_pins = q(
                "SELECT locked_at IS NOT NULL, pin_failures FROM members WHERE id = ?",
                (member.id,),
            ).fetchone()
            assert (bool(locked), wrong_pins) == (member.locked, member.pin_failures)
            assert wrong_pins <= MAX_WRONG_PINS
            # The lock follows the failures: 5 in a row always lock (a teller's unlock clears
            # both; 5 wrong PINs in a row lock without failed logins).
            if self.failures.get(username, 0) >= MAX_FAILURES or wrong_pins >= MAX_WRONG_PINS:
                assert member.locked
        stored = {
            row[0]: (row[1], row[2])
            for row in q("SELECT token_hash, last_seen_at, ended_at IS NOT NULL FROM sessions")
        }
        for sess in self.sessions:
            last_seen, ended = stored[hash_token(sess.token)]
            assert (from_db(last_seen), bool(ended)) == (sess.last_seen, sess.ended)


def _report() -> str:
    lines = [
        f"bank model: {STATS['examples']} examples, {STATS['steps']} steps, "
        f"{STATS['checks']} invariant checks",
        "rules: " + ", ".join(f"{name} {count}" for name, count in sorted(RULES.items())),
        "answers:",
        *(f"  {count:5d}  {outcome}" for outcome, count in sorted(OUTCOMES.items())),
    ]
    return "\n".join(lines)


RULE_NAMES = (
    "login_good",
    "login_bad",
    "teller_unlocks",
    "logout",
    "advance_clock",
    "transfer",
    "transfer_with_pin",
    "payment",
    "pay_with_pin",
    "pay_loan",
    "days_pass",
    "add_beneficiary",
    "delete_beneficiary",
    "confirm",
    "confirm_at_the_edge",
    "pile_up",
    "wrong_pin_burst",
    "replay",
    "replay_changed",
    "cross_member",
    "read_accounts_and_limits",
    "read_own_operation",
    "stale_session",
)


def test_the_bank_behaves_like_its_model(
    model_template: DB, seeded_databases: SeededDatabases
) -> None:
    for counter in (STATS, RULES, OUTCOMES):
        counter.clear()

    class Machine(BankMachine):
        template = model_template
        databases = seeded_databases

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=not RANDOM,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(_report())
    assert set(RULE_NAMES) <= set(RULES), sorted(set(RULE_NAMES) - set(RULES))
