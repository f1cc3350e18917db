"""Certificados bancarios: issued to a member for one of their accounts, verified by a teller.

The paper (drawn by the client, :mod:`sjvirtual_tui.pdf`) says who holds which account since
when, and how large its balances are as a *band*, never as an amount: Ecuadorian banks write
"mantiene saldos promedios de cuatro cifras medias". The band is
:func:`balance_band` of :func:`average_daily_balance`; both are pure, the rule written once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from mock_server.domain.accounts import ACCOUNT_NOT_FOUND_MESSAGE, day_start
from mock_server.domain.errors import Conflict, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store import certificates as store
from mock_server.store.timestamps import from_db
from sjvirtual_tui.models import (
    AccountType,
    BalanceLevel,
    Certificate,
    CertificateCheck,
)
from sjvirtual_tui.rules import ECUADOR_TZ

# The days the average covers: the last 90, the day of issue included.
WINDOW_DAYS = 90
CODE_PREFIX = "CB-"
# No 0/O, 1/I/L: a code read aloud or typed from paper cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CERTIFICATE_NOT_FOUND_MESSAGE = N_("Código de verificación: no hay un certificado con ese código.")


def average_daily_balance(
    opening_cents: int, closings: Iterable[tuple[date, int]], first_day: date, last_day: date
) -> int:
    """The average daily balance, in whole cents (rounded down), of the days from
    ``first_day`` to ``last_day`` inclusive.

    Each day counts with its *closing* balance: the balance after its last movement, or, on a
    day without movements, the one it started with. ``opening_cents`` is the balance before
    ``first_day``; ``closings`` are (day, balance after) of the movements in order (a later
    movement of the same day replaces an earlier one). Integers only: the sum of the days'
    cents divided by the number of days, floored.
    """
    if last_day < first_day:
        raise ValueError("the window has no day")
    by_day: dict[date, int] = {}
    for day, balance in closings:
        by_day[day] = balance
    balance, total, day = opening_cents, 0, first_day
    while day <= last_day:
        balance = by_day.get(day, balance)
        total += balance
        day += timedelta(days=1)
    return total // ((last_day - first_day).days + 1)


def balance_band(average_cents: int) -> tuple[int, BalanceLevel]:
    """The band of an average: (digits, level) of its whole dollars.

    * digits: how many digits the integer part in dollars has ($2.345,67 -> 4; under $10,
      $0 included, -> 1): "saldos promedios de 4 cifras";
    * level, by the leading digit: 1-3 **bajos**, 4-6 **medios**, 7-9 **altos** (a leading 0,
      an average under $1, is bajos): $2.345 -> 4 cifras bajas, $5.000 -> 4 medias,
      $980 -> 3 altas.
    """
    if average_cents < 0:
        raise ValueError("an average balance is never below zero")
    dollars = str(average_cents // 100)
    lead = int(dollars[0])
    if lead >= 7:
        level = BalanceLevel.ALTOS
    elif lead >= 4:
        level = BalanceLevel.MEDIOS
    else:
        level = BalanceLevel.BAJOS
    return len(dollars), level


def new_code() -> str:
    """``CB-7K2M-9XQ4``: 40 random bits, enough that a code cannot be guessed at a counter."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{CODE_PREFIX}{raw[:4]}-{raw[4:]}"


def account_average(conn: Connection, account_id: int, opened_at: datetime, now: datetime) -> int:
    """:func:`average_daily_balance` of the account's last :data:`WINDOW_DAYS` days (from its
    opening day on, if it is younger), read from its movements."""
    last_day = now.astimezone(ECUADOR_TZ).date()
    first_day = max(
        last_day - timedelta(days=WINDOW_DAYS - 1), opened_at.astimezone(ECUADOR_TZ).date()
    )
    since = day_start(first_day)
    opening = store.balance_before(conn, account_id, since) or 0
    closings = (
        (from_db(row["posted_at"]).astimezone(ECUADOR_TZ).date(), int(row["balance_after_cents"]))
        for row in store.balances_since(conn, account_id, since)
    )
    return average_daily_balance(opening, closings, first_day, last_day)


def _certificate(row: Row, code: str, issued_at: datetime, digits: int, level: str) -> Certificate:
    return Certificate(
        code=code,
        holder_name=row["holder_name"],
        identification=row["identification"],
        account_number=row["number"],
        account_type=AccountType(row["type"]),
        opened_on=from_db(row["opened_at"]).astimezone(ECUADOR_TZ).date(),
        issued_at=issued_at,
        average_digits=digits,
        average_level=BalanceLevel(level),
        window_days=WINDOW_DAYS,
    )


def issue(
    conn: Connection,
    member: CurrentMember,
    number: str,
    now: datetime,
    *,
    code: str | None = None,
) -> Certificate:
    """A certificate for the member's account ``number`` (inside the caller's write
    transaction); its code is kept so that a teller can verify it. A closed account gets
    none (it certifies nothing); another member's account is NotFound, as for statements.
    ``code``: the demo's known one (the seed); a new random one otherwise."""
    row = store.account_of_holder(conn, member.holder_id, number)
    if row is None:
        raise NotFound("not_found", _(ACCOUNT_NOT_FOUND_MESSAGE), "account_number")
    if row["status"] == "cerrada":
        raise Conflict(
            "account_unavailable",
            _("La cuenta {number} está cerrada: no se emiten certificados de ella.").format(
                number=row["number"]
            ),
            "account_number",
        )
    average = account_average(conn, row["id"], from_db(row["opened_at"]), now)
    digits, level = balance_band(average)
    if code is None:
        code = new_code()
        while store.code_taken(conn, code):  # 40 bits: all but never
            code = new_code()
    store.insert(
        conn,
        code=code,
        member_id=member.id,
        account_id=row["id"],
        issued_at=now,
        average_cents=average,
        average_digits=digits,
        average_level=level.value,
        window_days=WINDOW_DAYS,
    )
    return _certificate(row, code, now, digits, level.value)


def mask_account(number: str) -> str:
    """``00105349`` -> ``****5349``: enough for a teller to match the paper."""
    return "****" + number[-4:]


def verify(conn: Connection, code: str) -> CertificateCheck:
    """The certificate a teller was shown, by its code as typed (spaces, lower case)."""
    wanted = code.strip().upper()
    row = store.by_code(conn, wanted)
    if row is None:
        raise NotFound("not_found", _(CERTIFICATE_NOT_FOUND_MESSAGE), "code")
    return CertificateCheck(
        code=row["code"],
        holder_name=row["holder_name"],
        account_masked=mask_account(row["number"]),
        account_type=AccountType(row["type"]),
        issued_at=from_db(row["issued_at"]),
        average_digits=row["average_digits"],
        average_level=BalanceLevel(row["average_level"]),
    )
