"""The accounts' history: years of plausible movements of one account, from its own generator.

Everything comes from a ``random.Random`` the caller derives (:mod:`mock_server.seed.build`):
the same amounts and descriptions on every machine, placed in time relative to the seeding
moment so the history always ends "today". The Caja general's side of each movement is the
books' (:mod:`mock_server.seed.books`).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import NamedTuple

from mock_server.seed.errors import SeedError
from sjvirtual_tui.models import AccountType
from sjvirtual_tui.rules import ECUADOR_TZ

# An ahorro account keeps a small minimum; a debit that would go below it does not happen.
MIN_BALANCE_CENTS = 500

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
# Times of day (Ecuador) of the monthly movements.
_INTEREST_AT = (23 * 3600 + 59 * 60) * US_PER_SECOND
_FEE_AT = 5 * 60 * US_PER_SECOND
_SALARY_AT = 8 * 3600 * US_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- what each kind of movement looks like ------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    description: str  # may contain {name}
    prefix: str  # reference prefix, e.g. DEP -> DEP-0001234
    journal_kind: str
    low: int  # amount range in cents
    high: int
    step: int = 1  # amounts are multiples of this (ATMs give $10 notes)
    weight: float = 1.0


_PEOPLE = (
    "Luis Cando",
    "Ana Tipán",
    "Jorge Quishpe",
    "Verónica Salazar",
    "Diego Andrade",
    "Paola Jaramillo",
    "Fernando Toapanta",
    "Gabriela Chicaiza",
    "Patricio Lema",
    "Silvia Morocho",
    "Marco Guerrero",
    "Daniela Yánez",
)
_COMPANIES = (
    "Distribuidora Sierra Norte",
    "Lácteos San Antonio",
    "Textiles Otavalo",
    "Ferretería El Constructor",
    "Agrícola Cotopaxi",
    "Importadora Pichincha",
    "Panificadora La Moderna",
    "Transportes Andinos",
)
_SHOPS = (
    "Supermaxi",
    "Mi Comisariato",
    "Almacenes Tía",
    "Farmacias Fybeca",
    "Kywi",
    "Gasolinera Primax",
    "Pharmacys",
)

_PERSONAL_CREDITS = (
    _Kind("Depósito en efectivo", "DEP", "deposito", 2_000, 40_000, 100, 4),
    _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 1_000, 35_000, 1, 3),
    _Kind("Depósito con cheque", "CHQ", "deposito", 5_000, 60_000, 1, 0.5),
)
_PERSONAL_DEBITS = (
    _Kind("Retiro en ventanilla", "RET", "retiro", 2_000, 30_000, 100, 2),
    _Kind("Retiro en cajero automático", "ATM", "retiro", 1_000, 20_000, 1_000, 4),
    _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 1_000, 25_000, 1, 2.5),
    _Kind("Compra con tarjeta de débito {name}", "POS", "compra", 300, 12_000, 1, 4),
    _Kind("Pago de servicios CNEL EP", "CNEL", "pago", 1_500, 9_000, 1, 1),
    _Kind("Pago EPMAPS Agua Quito", "EPMAPS", "pago", 800, 4_500, 1, 1),
    _Kind("Pago CNT Internet", "CNT", "pago", 2_500, 4_500, 1, 0.8),
    _Kind("Recarga Claro", "CLARO", "pago", 300, 2_000, 100, 1),
)
_COMMERCIAL_CREDITS = (
    _Kind("Depósito de ventas en efectivo", "DEP", "deposito", 5_000, 250_000, 100, 4),
    _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 5_000, 400_000, 1, 3),
    _Kind("Liquidación tarjetas Datafast", "DTF", "deposito", 2_000, 120_000, 1, 3),
)
_COMMERCIAL_DEBITS = (
    _Kind("Pago a proveedor {name}", "TRF", "transferencia", 10_000, 450_000, 1, 4),
    _Kind("Retiro en ventanilla", "RET", "retiro", 5_000, 100_000, 100, 1.5),
    _Kind("Pago de servicios CNEL EP", "CNEL", "pago", 5_000, 40_000, 1, 0.5),
    _Kind("Pago EPMAPS Agua Quito", "EPMAPS", "pago", 2_000, 15_000, 1, 0.3),
    _Kind("Pago CNT Internet", "CNT", "pago", 3_000, 9_000, 1, 0.3),
    _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 5_000, 150_000, 1, 2),
)
_OPENING = _Kind("Depósito de apertura", "DEP", "deposito", 5_000, 50_000, 100)
_INTEREST = _Kind("Interés ganado", "INT", "interes", 1, 1)
_FEE = _Kind("Débito por mantenimiento", "MNT", "comision", 100, 100)
_SALARY = _Kind("Transferencia recibida · Pago de nómina", "NOM", "transferencia", 0, 0)
_ADJUST_IN = _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 0, 0)
_ADJUST_OUT = _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 0, 0)


# --- an account of the seed -----------------------------------------------------------------------


@dataclass(frozen=True)
class SeedAccount:
    number: str
    type: AccountType
    movements: int  # 0: the bulk account (BULK_MOVEMENTS, or SMALL_BULK_MOVEMENTS)
    days: int
    target_low: int  # the final balance lands in [target_low, target_high] (cents)
    target_high: int
    hold_cents: int = 0
    commercial: bool = False
    salary_cents: int = 0  # a monthly pay-roll credit, for a member's main account
    annual_interest: float = 0.015
    monthly_fee: bool = False


# --- movement generation ------------------------------------------------------------------------


class Event(NamedTuple):
    """One member movement (its Caja general counterpart is derived from it)."""

    at_us: int  # microseconds since the epoch, UTC
    description: str
    reference: str
    journal_kind: str
    amount_cents: int
    balance_after_cents: int


def epoch_us(value: datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def db_time(us: int, _days: dict[int, str] = {}) -> str:  # noqa: B006 - a cache on purpose
    """``to_db`` of an epoch time in microseconds, fast enough for 100,000 movements."""
    day, rest = divmod(us, US_PER_DAY)
    prefix = _days.get(day)
    if prefix is None:
        prefix = _days[day] = (EPOCH + timedelta(days=day)).date().isoformat()
    seconds, micro = divmod(rest, US_PER_SECOND)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{prefix}T{hours:02d}:{minutes:02d}:{seconds:02d}.{micro:06d}+00:00"


def _local_midnight_us(day: date) -> int:
    return epoch_us(datetime.combine(day, time(0), tzinfo=ECUADOR_TZ))


def _month_ends(first: date, last: date) -> Iterator[date]:
    """The last day of each month from ``first`` to ``last`` (inclusive)."""
    year, month = first.year, first.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end > last:
            return
        if end >= first:
            yield end
        year, month = nxt.year, nxt.month


class _References:
    """Per-prefix counters that grow like a real core system's (unique, not consecutive)."""

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random
        self._next: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        value = self._next.get(prefix) or 100_000 + int(self._random() * 1_900_000)
        self._next[prefix] = value + 1 + int(self._random() * 9)
        return f"{prefix}-{value:07d}"


def generate_events(
    spec: SeedAccount, count: int, now: datetime, rng: random.Random
) -> list[Event]:
    """``count`` movements of one account over ``spec.days`` days, ending on the seeding day.

    Walks forward in time: credits become likelier when the balance is below the target band
    and debits when above, a debit that would leave less than the minimum balance becomes a
    credit, and the last movement (on the seeding day) lands the balance inside the band.
    """
    if count < 2:
        raise SeedError("an account needs at least an opening and a last movement")
    now_us = epoch_us(now)
    today = now.astimezone(ECUADOR_TZ).date()
    first_day = today - timedelta(days=spec.days)
    today_us = _local_midnight_us(today)

    # Scheduled, monthly: pay-roll (the 15th), fee (the 1st), interest (the month's last day).
    scheduled: list[tuple[int, _Kind | None]] = []
    for end in _month_ends(first_day + timedelta(days=1), today - timedelta(days=1)):
        scheduled.append((_local_midnight_us(end) + _INTEREST_AT, _INTEREST))
        start = end + timedelta(days=1)
        if spec.monthly_fee and start < today:
            scheduled.append((_local_midnight_us(start) + _FEE_AT, _FEE))
        payday = end.replace(day=15)
        if spec.salary_cents and payday > first_day:
            scheduled.append((_local_midnight_us(payday) + _SALARY_AT, _SALARY))
    # Keep the scheduled share to a third at most, whatever the count: the latest ones stay.
    keep = (count - 2) // 3
    scheduled = sorted(scheduled)[max(0, len(scheduled) - keep) :] if keep else []

    # The other movements fall on random days between the opening and yesterday, in branch,
    # ATM and app hours (06:30 to 22:30, Ecuador time).
    # (rng.random() rather than randrange: this loop runs 100,000 times for "masivo".)
    rnd = rng.random
    first_us = _local_midnight_us(first_day + timedelta(days=1))
    span_days = spec.days - 1
    timeline: list[tuple[int, _Kind | None]] = [
        (
            first_us
            + int(rnd() * span_days) * US_PER_DAY
            + (23_400 + int(rnd() * 57_600)) * US_PER_SECOND
            + int(rnd() * US_PER_SECOND),
            None,
        )
        for _ in range(count - 2 - len(scheduled))
    ]
    timeline.extend(scheduled)
    timeline.sort(key=lambda item: item[0])
    opening_us = _local_midnight_us(first_day) + rng.randrange(32_400, 57_600) * US_PER_SECOND
    # The last movement: earlier on the seeding day (Ecuador), before the seeding moment.
    elapsed = max(0, now_us - today_us)
    last_us = today_us + int(elapsed * (0.2 + 0.7 * rnd()))

    credits = _COMMERCIAL_CREDITS if spec.commercial else _PERSONAL_CREDITS
    debits = _COMMERCIAL_DEBITS if spec.commercial else _PERSONAL_DEBITS
    credit_weights = list(accumulate(k.weight for k in credits))
    debit_weights = list(accumulate(k.weight for k in debits))
    credit_total, debit_total = credit_weights[-1], debit_weights[-1]
    names = _COMPANIES if spec.commercial else _PEOPLE
    refs = _References(rng)
    target = (spec.target_low + spec.target_high) // 2
    width = spec.target_high - spec.target_low
    pull_scale = width / 2

    events: list[Event] = []
    balance = 0

    def post(at_us: int, kind: _Kind, amount: int) -> None:
        nonlocal balance
        balance += amount
        description = kind.description
        if "{name}" in description:
            pool = _SHOPS if kind.prefix == "POS" else names
            description = description.format(name=pool[int(rnd() * len(pool))])
        events.append(
            Event(at_us, description, refs.next(kind.prefix), kind.journal_kind, amount, balance)
        )

    def amount_of(kind: _Kind) -> int:
        low, high = kind.low // kind.step, kind.high // kind.step
        return (low + int(rnd() * (high - low + 1))) * kind.step

    def random_credit(at_us: int) -> None:
        kind = credits[bisect(credit_weights, rnd() * credit_total)]
        post(at_us, kind, amount_of(kind))

    def random_debit() -> _Kind:
        return debits[bisect(debit_weights, rnd() * debit_total)]

    post(opening_us, _OPENING, amount_of(_OPENING))
    for at_us, scheduled_kind in timeline:
        if scheduled_kind is _INTEREST:
            post(at_us, _INTEREST, max(1, round(balance * spec.annual_interest / 12)))
        elif scheduled_kind is _SALARY:
            post(at_us, _SALARY, spec.salary_cents + int(rnd() * 5_000))
        elif scheduled_kind is _FEE and balance - _FEE.low >= MIN_BALANCE_CENTS:
            post(at_us, _FEE, -_FEE.low)
        elif scheduled_kind is _FEE:
            random_credit(at_us)  # no fee on an account at its minimum
        else:
            # Mean reversion toward the target band keeps years of history plausible.
            if rnd() < 0.5 + 0.45 * math.tanh((target - balance) / pull_scale):
                random_credit(at_us)
                continue
            kind = random_debit()
            amount = amount_of(kind)
            if balance - amount >= MIN_BALANCE_CENTS:
                post(at_us, kind, -amount)
            else:
                random_credit(at_us)  # never below the minimum balance

    # Today's movement: an ordinary debit when it keeps the balance inside the target band,
    # otherwise a transfer that brings the balance there (wherever the walk drifted).
    kind = random_debit()
    amount = amount_of(kind)
    if spec.target_low <= balance - amount <= spec.target_high:
        post(last_us, kind, -amount)
    else:
        wanted = spec.target_low + rng.randrange(width)
        if wanted == balance:
            wanted += 1 if wanted < spec.target_high else -1
        post(last_us, _ADJUST_IN if wanted > balance else _ADJUST_OUT, wanted - balance)
    return events
