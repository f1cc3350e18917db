"""The French amortization table, the simulator and what a loan payment covers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.domain import loans
from mock_server.domain.errors import Invalid

# Published monthly payments (source: mathondemand.com, "monthly loan payment on a 200000 loan
# for 30 years with a 6 interest rate" and its sibling pages for 15 years at 6 % and 30 years
# at 5 %; formula M = P·r(1+r)^n / ((1+r)^n − 1), r = yearly rate / 12).
PUBLISHED = [
    (20_000_000, "6", 360, 119_910),  # $200,000, 6 %, 30 years -> $1,199.10
    (20_000_000, "6", 180, 168_771),  # $200,000, 6 %, 15 years -> $1,687.71
    (20_000_000, "5", 360, 107_364),  # $200,000, 5 %, 30 years -> $1,073.64
]


@pytest.mark.parametrize(("amount", "rate", "months", "expected"), PUBLISHED)
def test_instalment_matches_published_examples(
    amount: int, rate: str, months: int, expected: int
) -> None:
    assert loans.instalment_cents(amount, Decimal(rate), months) == expected


@pytest.mark.parametrize(("amount", "rate", "months", "expected"), PUBLISHED)
def test_table_pays_the_published_instalment_and_exactly_the_capital(
    amount: int, rate: str, months: int, expected: int
) -> None:
    rows = loans.amortization(amount, Decimal(rate), months)
    assert len(rows) == months
    assert all(row.payment_cents == expected for row in rows[:-1])
    # The last one absorbs the rounding of the instalment (under half a cent a month, grown by
    # the interest): at most a cent per month away from the others ($200,000 / 360: $1.04).
    assert abs(rows[-1].payment_cents - expected) <= months
    assert sum(row.capital_cents for row in rows) == amount
    assert rows[-1].balance_cents == 0


def test_first_rows_of_the_published_30_year_table() -> None:
    # $200,000 at 6 %: month 1 pays $1,000.00 interest and $199.10 capital (r = 0.005).
    first, second = loans.amortization(20_000_000, Decimal("6"), 360)[:2]
    assert (first.interest_cents, first.capital_cents, first.balance_cents) == (
        100_000,
        19_910,
        19_980_090,
    )
    assert (second.interest_cents, second.capital_cents) == (99_900, 20_010)


def test_zero_rate_divides_the_amount() -> None:
    rows = loans.amortization(10_000, Decimal("0"), 3)
    assert [row.capital_cents for row in rows] == [3_333, 3_333, 3_334]
    assert all(row.interest_cents == 0 for row in rows)


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=2_000_000_000),
    months=st.integers(min_value=1, max_value=360),
    rate=st.decimals(min_value=0, max_value=60, places=2),
)
def test_capital_always_sums_to_the_amount(amount: int, months: int, rate: Decimal) -> None:
    rows = loans.amortization(amount, rate, months)
    assert sum(row.capital_cents for row in rows) == amount
    assert all(row.capital_cents >= 0 and row.interest_cents >= 0 for row in rows)
    assert [row.balance_cents for row in rows] == sorted(
        (row.balance_cents for row in rows), reverse=True
    )
    assert rows[-1].balance_cents == 0


def test_simulator_uses_the_product_rate() -> None:
    product, rows = loans.simulate("consumo", 500_000, 12)
    assert product.rate == Decimal("15.00")
    # $5,000 at 15 % over 12 months: $451.29 a month (same formula).
    assert rows[0].payment_cents == 45_129


@pytest.mark.parametrize(
    ("code", "amount", "months", "field"),
    [
        ("hipoteca", 500_000, 12, "product"),
        ("consumo", 100, 12, "amount_cents"),
        ("consumo", 500_000, 600, "months"),
    ],
)
def test_simulator_refuses_out_of_bounds(code: str, amount: int, months: int, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        loans.simulate(code, amount, months)
    assert caught.value.field == field


DUES = [
    loans.Due(3, date(2026, 11, 5), interest_cents=1_000, capital_cents=9_000),
    loans.Due(4, date(2026, 12, 5), interest_cents=900, capital_cents=9_100),
]


def test_mora_is_daily_on_overdue_capital() -> None:
    # 9,000 cents × 0.0005 × 30 days = 135 cents.
    assert loans.mora_cents(DUES[:1], date(2026, 12, 5)) == 135


# Rows 3 and 4 due (3 is 30 days late), 5's period starts today: 12 % a year, its interest
# 1 % of the 9.200 of capital not yet due; nothing of it has accrued yet.
TERMS = loans.Terms(Decimal(12), date(2026, 8, 5))
ROWS = [
    loans.Instalment(3, date(2026, 11, 5), capital_cents=9_000, interest_cents=1_000),
    loans.Instalment(4, date(2026, 12, 5), capital_cents=9_100, interest_cents=900),
    loans.Instalment(5, date(2027, 1, 5), capital_cents=9_200, interest_cents=92),
]


def test_cover_order_mora_interest_capital_then_early() -> None:
    today = date(2026, 12, 5)  # both instalments due; the first 30 days late
    owed = loans.owed_now(DUES, today)
    assert owed == loans.Cover(135, 1_900, 18_100)
    assert loans.cover(100, ROWS, TERMS, today) == loans.Cover(100, 0, 0, 0)
    assert loans.cover(1_000, ROWS, TERMS, today) == loans.Cover(135, 865, 0, 0)
    assert loans.cover(10_000, ROWS, TERMS, today) == loans.Cover(135, 1_900, 7_965, 0)
    assert loans.cover(25_000, ROWS, TERMS, today) == loans.Cover(135, 1_900, 18_100, 4_865)


def test_cover_refuses_more_than_the_payoff() -> None:
    today = date(2026, 12, 5)
    assert loans.payoff_cents(ROWS, TERMS, today) == 29_335
    assert loans.cover(29_335, ROWS, TERMS, today).early_capital_cents == 9_200
    with pytest.raises(Invalid) as caught:
        loans.cover(29_336, ROWS, TERMS, today)
    assert "$293,35, el valor que cancela todo el préstamo" in caught.value.message


def test_cover_refuses_zero() -> None:
    with pytest.raises(Invalid):
        loans.cover(0, ROWS, TERMS, date(2026, 12, 5))


def test_mora_already_paid_is_not_charged_again() -> None:
    due = loans.Due(3, date(2026, 11, 5), 1_000, 9_000, mora_paid_cents=100)
    assert loans.mora_cents([due], date(2026, 12, 5)) == 35
    assert loans.mora_cents([due], date(2026, 11, 10)) == 0  # 22,5 accrued, 100 paid


def test_settle_splits_a_payment_per_instalment() -> None:
    today = date(2026, 12, 5)
    settled = loans.settle(1_000, ROWS, TERMS, today)  # the oldest's mora and interest first
    assert settled.covered == loans.Cover(135, 865, 0, 0)
    assert settled.rows == [
        loans.Instalment(3, date(2026, 11, 5), 9_000, 1_000, 0, 865, 135),
        *ROWS[1:],
    ]
    assert settled.waived_interest_cents == 0


def test_capital_ahead_recomputes_the_later_instalments() -> None:
    """$10.000 at 12 % over 3 months, the first instalment paid; on day 14 of the second's 28
    days (2026-02-24), 1.033,50 pays its accrued interest (33,50) and 1.000,00 of capital ahead:
    the 2 instalments left are recomputed on the capital left."""
    lent = loans.amortization(1_000_000, Decimal(12), 3)
    terms = loans.Terms(Decimal(12), date(2026, 1, 10))
    due = [date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 10)]
    rows = [
        loans.Instalment(r.number, day, r.capital_cents, r.interest_cents)
        for r, day in zip(lent, due, strict=True)
    ]
    rows[0] = loans.Instalment(
        1, due[0], lent[0].capital_cents, 10_000, lent[0].capital_cents, 10_000
    )
    today = date(2026, 2, 24)
    capital = lent[1].capital_cents + lent[2].capital_cents  # 6.699,67 not yet due
    assert lent[1].interest_cents == 6_700  # 1 % of it
    # half the period has run: 67,00 - 6.699,67 × 1 % × 14/28 (33,50) = 33,50 accrued
    assert loans.payoff_cents(rows, terms, today) == capital + 3_350
    settled = loans.settle(103_350, rows, terms, today)
    assert settled.covered == loans.Cover(0, 3_350, 0, 100_000, 3_350)
    left = capital - 100_000
    table = loans.amortization(left, Decimal(12), 2)  # the same 2 instalments, smaller
    assert settled.rows[0] == rows[0]
    # 2: the capital paid ahead recorded (paid), its interest what accrued plus the rest of
    # its period on the capital left (5.699,67 × 1 % × 14/28 = 28,50)
    assert settled.rows[1] == loans.Instalment(
        2, due[1], 100_000 + table[0].capital_cents, 3_350 + 2_850, 100_000, 3_350
    )
    assert settled.rows[2] == loans.Instalment(
        3, due[2], table[1].capital_cents, table[1].interest_cents
    )
    assert sum(row.capital_cents for row in settled.rows) == 1_000_000
    assert settled.waived_interest_cents == (
        lent[1].interest_cents + lent[2].interest_cents - (3_350 + 2_850 + table[1].interest_cents)
    )
    assert settled.waived_interest_cents > 0
    # The payoff: no row after the running one, all paid.
    payoff = loans.settle(capital + 3_350, rows, terms, today)
    assert payoff.rows[1:] == [loans.Instalment(2, due[1], capital, 3_350, capital, 3_350)]
    assert all(row.due is None for row in payoff.rows)


@settings(max_examples=100, deadline=None)
@given(amount=st.integers(min_value=1, max_value=29_335), days=st.integers(0, 30))
def test_settle_pays_exactly_the_amount(amount: int, days: int) -> None:
    """Whatever the amount and the day: every cent lands on a row, the capital still sums to
    what it did, and what is still owed drops by the capital paid."""
    today = date(2026, 12, 5) + timedelta(days=days)
    payoff = loans.payoff_cents(ROWS, TERMS, today)
    if amount > payoff:
        with pytest.raises(Invalid):
            loans.settle(amount, ROWS, TERMS, today)
        return
    settled = loans.settle(amount, ROWS, TERMS, today)
    assert settled.covered.total_cents == amount

    def paid(rows: list[loans.Instalment]) -> int:
        return sum(r.paid_capital_cents + r.paid_interest_cents + r.mora_paid_cents for r in rows)

    assert paid(settled.rows) - paid(ROWS) == amount
    assert sum(r.capital_cents for r in settled.rows) == sum(r.capital_cents for r in ROWS)
    for row in settled.rows:
        assert 0 <= row.paid_capital_cents <= row.capital_cents
        assert 0 <= row.paid_interest_cents <= row.interest_cents
    assert (amount == payoff) == all(row.due is None for row in settled.rows)
