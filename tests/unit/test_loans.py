"""The French amortization table, the simulator and what a loan payment covers."""

from __future__ import annotations

from datetime import date
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


def test_cover_order_mora_interest_capital_then_early() -> None:
    today = date(2026, 12, 5)  # both instalments due; the first 30 days late
    owed = loans.owed_now(DUES, today)
    assert owed == loans.Cover(135, 1_900, 18_100)
    assert loans.cover(100, DUES, 50_000, today) == loans.Cover(100, 0, 0, 0)
    assert loans.cover(1_000, DUES, 50_000, today) == loans.Cover(135, 865, 0, 0)
    assert loans.cover(10_000, DUES, 50_000, today) == loans.Cover(135, 1_900, 7_965, 0)
    assert loans.cover(25_000, DUES, 50_000, today) == loans.Cover(135, 1_900, 18_100, 4_865)


def test_cover_refuses_more_than_the_debt() -> None:
    today = date(2026, 12, 5)
    assert loans.cover(52_035, DUES, 50_000, today).early_capital_cents == 31_900
    with pytest.raises(Invalid) as caught:
        loans.cover(52_036, DUES, 50_000, today)
    assert "$520,35" in caught.value.message


def test_cover_refuses_zero() -> None:
    with pytest.raises(Invalid):
        loans.cover(0, DUES, 50_000, date(2026, 12, 5))


def test_mora_already_paid_is_not_charged_again() -> None:
    due = loans.Due(3, date(2026, 11, 5), 1_000, 9_000, mora_paid_cents=100)
    assert loans.mora_cents([due], date(2026, 12, 5)) == 35
    assert loans.mora_cents([due], date(2026, 11, 10)) == 0  # 22,5 accrued, 100 paid


def test_apply_splits_a_payment_per_instalment() -> None:
    today = date(2026, 12, 5)
    later = loans.Due(5, date(2027, 1, 5), interest_cents=800, capital_cents=9_200)
    dues = [*DUES, later]
    covered, applied = loans.apply(25_000, dues, today)
    assert covered == loans.Cover(135, 1_900, 18_100, 4_865)
    assert applied == [
        loans.Applied(3, mora_cents=135, interest_cents=1_000, capital_cents=9_000),
        loans.Applied(4, mora_cents=0, interest_cents=900, capital_cents=9_100),
        loans.Applied(5, mora_cents=0, interest_cents=0, capital_cents=4_865),
    ]
    # A partial payment: the oldest instalment's mora and interest first.
    covered, applied = loans.apply(1_000, dues, today)
    assert applied == [loans.Applied(3, 135, 865, 0)]


@settings(max_examples=100, deadline=None)
@given(amount=st.integers(min_value=1, max_value=29_335))
def test_apply_pays_exactly_the_amount(amount: int) -> None:
    later = loans.Due(5, date(2027, 1, 5), interest_cents=800, capital_cents=9_200)
    dues = [*DUES, later]  # owed today 20.135, then 9.200 more capital not yet due
    covered, applied = loans.apply(amount, dues, date(2026, 12, 5))
    assert covered.total_cents == amount
    assert sum(a.mora_cents + a.interest_cents + a.capital_cents for a in applied) == amount
