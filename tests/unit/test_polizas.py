"""The pólizas' rules: rate table, interest on a 360-day year (Decimal, half up), withholding."""

from __future__ import annotations

from datetime import date

import pytest

from mock_server.domain import polizas
from mock_server.domain.errors import Invalid


@pytest.mark.parametrize(
    ("days", "rate_bp"),
    [
        (31, 450),
        (60, 450),
        (61, 525),
        (90, 525),
        (91, 600),
        (180, 600),
        (181, 700),
        (360, 700),
        (361, 750),
        (1800, 750),
    ],
)
def test_the_rate_table(days: int, rate_bp: int) -> None:
    assert polizas.rate_for(days) == rate_bp


@pytest.mark.parametrize("days", [0, 30])
def test_a_term_below_the_table_is_refused_on_its_field(days: int) -> None:
    with pytest.raises(Invalid) as raised:
        polizas.rate_for(days)
    assert raised.value.field == "term_days"


@pytest.mark.parametrize(
    ("amount", "rate_bp", "days", "interest"),
    [
        (100_000, 525, 90, 1_313),  # 13,125 -> 13,13: half up, not to even
        (100_000, 450, 31, 388),  # 3,875 -> 3,88
        (10_000, 450, 31, 39),  # 0,3875 -> 0,39
        (123_456, 525, 61, 1_098),  # 10,9826...
        (500_000, 600, 180, 15_000),  # exact
        (100_000_000_000, 750, 1800, 37_500_000_000),  # the largest amount: no float drift
        (10_000, 0, 90, 0),
    ],
)
def test_interest_is_amount_rate_days_over_360_half_up(
    amount: int, rate_bp: int, days: int, interest: int
) -> None:
    assert polizas.interest_cents(amount, rate_bp, days) == interest


@pytest.mark.parametrize(
    ("interest", "bp", "withheld"),
    [(1_313, 200, 26), (1_325, 200, 27), (15_000, 200, 300), (388, 0, 0), (25, 200, 1)],
)
def test_the_withholding_is_a_parameter_rounded_half_up(
    interest: int, bp: int, withheld: int
) -> None:
    # 1.313 x 2 % = 26,26 -> 26; 1.325 x 2 % = 26,5 -> 27; 25 x 2 % = 0,5 -> 1
    assert polizas.withholding_cents(interest, bp) == withheld


def test_a_simulation_adds_up() -> None:
    sim = polizas.simulate(100_000, 90, date(2026, 12, 5))
    assert (sim.rate_bp, sim.interest_cents, sim.withholding_bp) == (525, 1_313, 200)
    assert sim.net_interest_cents == sim.interest_cents - sim.withholding_cents == 1_287
    assert sim.total_cents == 101_287
    assert sim.maturity_date == date(2027, 3, 5)
    assert polizas.simulate(100_000, 90, date(2026, 12, 5), 0).total_cents == 101_313


def test_the_minimum_amount_is_100_dollars() -> None:
    assert polizas.simulate(10_000, 31, date(2026, 12, 5)).amount_cents == 10_000
    with pytest.raises(Invalid) as raised:
        polizas.simulate(9_999, 31, date(2026, 12, 5))
    assert raised.value.field == "amount_cents"


def test_the_maximum_amount_keeps_the_total_within_bounded_cents() -> None:
    top = polizas.simulate(polizas.MAX_AMOUNT_CENTS, 1800, date(2026, 12, 5))
    assert top.total_cents < 2 * polizas.MAX_AMOUNT_CENTS
    with pytest.raises(Invalid) as raised:
        polizas.simulate(polizas.MAX_AMOUNT_CENTS + 1, 90, date(2026, 12, 5))
    assert (raised.value.code, raised.value.field) == ("amount_too_large", "amount_cents")


@pytest.mark.parametrize(("bp", "text"), [(450, "4,50 %"), (525, "5,25 %"), (1000, "10,00 %")])
def test_rates_are_written_with_a_decimal_comma(bp: int, text: str) -> None:
    assert polizas.rate_text(bp) == text
