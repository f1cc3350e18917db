"""PRÉSTAMOS: the member's loans, their amortization tables and the simulator (both engines).

The seed's day is CLOCK_START's (2026-11-25 in Ecuador): demo's consumo loan of $5.000,00 at
15 % over 24 months has paid 5 instalments; the 6th fell due on 2026-11-13 and is unpaid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mock_server.domain.clock import ManualClock
from mock_server.domain.pin import PIN_TTL
from mock_server.testing import login_token
from sjvirtual_tui.models import API_PREFIX
from tests.api import (
    DEMO_EMAIL,
    DEMO_PERSONAL,
    auth,
    balances,
    confirm,
    keyed,
    latest_pin,
    ledger_problems_of,
    mails,
    money_state,
    movements_of,
    rows,
    wrong,
)

LOANS = f"{API_PREFIX}/loans"
PRODUCTS = f"{API_PREFIX}/loan-products"
SIMULATE = f"{API_PREFIX}/loans/simulate"
DEMO_LOAN, SOCIO2_LOAN = 1, 2


async def test_the_members_loans(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, teller_token: str
) -> None:
    response = await demo_client.get(LOANS, headers=auth(demo))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": DEMO_LOAN,
            "product": "consumo",
            "product_label": "Crédito de consumo",
            "amount_cents": 500_000,
            "rate": "15.00",
            "months": 24,
            "disbursed_on": "2026-05-13",
            "instalment_cents": 24_243,  # M = P·r(1+r)^n/((1+r)^n−1): $242,43
            "balance_cents": 407_757,  # 500.000 less the capital of the 5 paid
            "next_due_date": "2026-11-13",
            "next_due_cents": 24_243,
            "days_overdue": 12,
            # mora: 191,46 overdue capital × 0,05 % × 12 days = 1,15
            "mora_cents": 115,
            "overdue_cents": 24_358,
            # what is due (243,58), instalment 7's interest accrued in 12 of its 30 days
            # (48,58 - 3.886,11 × 1,25 % × 18/30 = 48,58 - 29,15 = 19,43) and the capital not
            # yet due (3.886,11); its later interest is not charged
            "payoff_cents": 24_358 + 1_943 + 388_611,
            "status": "vigente",
        }
    ]
    theirs = (await demo_client.get(LOANS, headers=auth(socio2))).json()
    assert [(x["id"], x["product"], x["days_overdue"], x["overdue_cents"]) for x in theirs] == [
        (SOCIO2_LOAN, "microcredito", 0, 0)
    ]
    assert theirs[0]["balance_cents"] == 127_020
    teller = await demo_client.get(LOANS, headers=auth(teller_token))
    assert (teller.status_code, teller.json()["code"]) == (403, "forbidden")


async def test_days_overdue_follow_the_clock(
    demo_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    clock.advance(20 * 24 * 3600)  # 2026-12-15: the 7th (due 12-13) is late too
    demo = await login_token(demo_client, "demo", "Demo2026")
    (loan,) = (await demo_client.get(LOANS, headers=auth(demo))).json()
    assert loan["days_overdue"] == 32
    # mora, each instalment's to the cent: 19.146 × 0,0005 × 32 = 306,336 -> 306, and
    # 19.385 × 0,0005 × 2 = 19,385 -> 19
    assert loan["mora_cents"] == 325
    assert loan["overdue_cents"] == 325 + 2 * 24_243


async def test_the_amortization_table(demo_client: httpx.AsyncClient, demo: str) -> None:
    response = await demo_client.get(f"{LOANS}/{DEMO_LOAN}/table", headers=auth(demo))
    assert response.status_code == 200
    body = response.json()
    assert body["loan"]["id"] == DEMO_LOAN
    rows = body["rows"]
    assert len(rows) == 24
    assert rows[0] == {
        "number": 1,
        "payment_cents": 24_243,
        "interest_cents": 6_250,  # 5.000 × 15 % / 12
        "capital_cents": 17_993,
        "balance_cents": 482_007,
        "due_date": "2026-06-13",
        "status": "pagada",
    }
    assert [row["status"] for row in rows[4:7]] == ["pagada", "vencida", "pendiente"]
    assert sum(row["capital_cents"] for row in rows) == 500_000
    assert rows[-1]["balance_cents"] == 0
    assert rows[-1]["due_date"] == "2028-05-13"


async def test_another_members_loan_is_not_found(demo_client: httpx.AsyncClient, demo: str) -> None:
    for loan_id in (SOCIO2_LOAN, 999):
        response = await demo_client.get(f"{LOANS}/{loan_id}/table", headers=auth(demo))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert response.json()["message"] == "Préstamo no encontrado."


async def test_the_products(demo_client: httpx.AsyncClient, demo: str) -> None:
    products = (await demo_client.get(PRODUCTS, headers=auth(demo))).json()
    assert [(p["code"], p["rate"]) for p in products] == [
        ("consumo", "15.00"),
        ("microcredito", "20.00"),
        ("vivienda", "9.00"),
    ]
    english = await demo_client.get(PRODUCTS, headers={**auth(demo), "Accept-Language": "en"})
    assert english.json()[0]["label"] == "Consumer loan"


async def test_the_simulator_draws_the_french_table(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    # $200.000 at 9 % (vivienda) over 360 months: M = P·r(1+r)^n/((1+r)^n−1) = $1.609,25
    # (the published figure for a 200000 loan for 30 years at 9 %, mathondemand.com).
    body = {"product": "vivienda", "amount_cents": 20_000_000, "months": 360}
    response = await demo_client.get(SIMULATE, params=body, headers=auth(demo))
    assert response.status_code == 200
    simulation = response.json()
    assert simulation["rate"] == "9.00"
    assert simulation["instalment_cents"] == 160_925
    assert len(simulation["rows"]) == 360
    assert sum(row["capital_cents"] for row in simulation["rows"]) == 20_000_000
    assert simulation["total_interest_cents"] == sum(
        row["interest_cents"] for row in simulation["rows"]
    )


async def test_the_simulator_refuses_out_of_bounds(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    cases = [
        ({"product": "consumo", "amount_cents": 100, "months": 12}, "amount_cents"),
        ({"product": "consumo", "amount_cents": 500_000, "months": 72}, "months"),
        ({"product": "hipoteca", "amount_cents": 500_000, "months": 12}, "product"),
        ({"product": "consumo", "amount_cents": "12,5", "months": 12}, "amount_cents"),
    ]
    for body, field in cases:
        response = await demo_client.get(SIMULATE, params=body, headers=auth(demo))
        assert response.status_code == 422, body
        assert response.json()["field"] == field, response.json()
    response = await demo_client.get(
        SIMULATE, params=cases[1][0], headers={**auth(demo), "Accept-Language": "en"}
    )
    assert response.json()["message"] == "Term: type a number of months between 3 and 60."


async def test_what_a_payment_covers(demo_client: httpx.AsyncClient, demo: str) -> None:
    """Before the PIN the member sees what an amount pays: mora, interest due, capital due,
    then the running instalment's interest accrued so far (19,43), then capital ahead. Demo
    owes today: mora 1,15 + instalment 6 (interest 50,97, capital 191,46) = 243,58; the capital
    not yet due is 4.077,57 - 191,46 = 3.886,11; the payoff 4.149,12."""
    url = f"{LOANS}/{DEMO_LOAN}/cover"
    cases = {
        100: (100, 0, 0, 0),  # part of the mora only
        2_000: (115, 1_885, 0, 0),
        24_358: (115, 5_097, 19_146, 0),  # exactly what is overdue
        25_000: (115, 5_097 + 642, 19_146, 0),  # and part of the accrued interest
        50_000: (115, 5_097 + 1_943, 19_146, 23_699),  # all of it, and early capital
        414_912: (115, 5_097 + 1_943, 19_146, 388_611),  # the payoff
    }
    for amount, expected in cases.items():
        response = await demo_client.get(url, params={"amount_cents": amount}, headers=auth(demo))
        assert response.status_code == 200, response.text
        body = response.json()
        covered = (
            body["mora_cents"],
            body["interest_cents"],
            body["capital_cents"],
            body["early_capital_cents"],
        )
        assert covered == expected
        assert (body["owed_now_cents"], body["max_cents"]) == (24_358, 414_912)
        assert body["closes"] == (amount == 414_912)
    # 236,92 of capital ahead waives its interest: 18 instalments recomputed (see below)
    ahead = await demo_client.get(url, params={"amount_cents": 50_000}, headers=auth(demo))
    assert ahead.json()["waived_interest_cents"] == 2_794
    too_much = await demo_client.get(url, params={"amount_cents": 414_913}, headers=auth(demo))
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount_cents"
    assert too_much.json()["message"] == (
        "Monto: lo máximo que puede pagar hoy es $4.149,12, el valor que cancela todo el préstamo."
    )
    english = await demo_client.get(
        url, params={"amount_cents": 414_913}, headers={**auth(demo), "Accept-Language": "en"}
    )
    assert english.json()["message"] == (
        "Amount: the most you can pay today is $4.149,12, what pays off the whole loan."
    )
    theirs = await demo_client.get(
        f"{LOANS}/{SOCIO2_LOAN}/cover", params={"amount_cents": 100}, headers=auth(demo)
    )
    assert theirs.status_code == 404


CREDITOS = "99000006"


async def _start_loan_payment(
    client: httpx.AsyncClient, token: str, loan_id: int, amount: int, account: str
) -> httpx.Response:
    return await client.post(
        f"{LOANS}/{loan_id}/payments",
        json={"from_account": account, "amount_cents": amount},
        headers=keyed(token),
    )


async def test_pay_the_overdue_instalment_with_the_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    """The operation pipeline: plan -> pending (nothing moves) -> PIN -> executed, one journal
    from the savings account to Cartera de créditos, the instalment paid, the receipt e-mailed."""
    before = balances(seeded_db)
    started = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 24_358, DEMO_PERSONAL)
    assert started.status_code == 201, started.text
    body: dict[str, Any] = started.json()
    pending = body["loan_payment"]
    assert pending["status"] == "pendiente_verificacion"
    # What it covers, shown before the PIN: the mora, then instalment 6's interest and capital.
    covered = (
        pending["mora_cents"],
        pending["interest_cents"],
        pending["capital_cents"],
        pending["early_capital_cents"],
    )
    assert covered == (115, 5_097, 19_146, 0)
    challenge = body["challenge"]
    assert (challenge["purpose"], challenge["amount_cents"], challenge["payee"]) == (
        "pago_prestamo",
        24_358,
        f"prestamo:{DEMO_LOAN}",
    )
    assert balances(seeded_db) == before  # nothing moves before the PIN
    confirmed = await confirm(
        demo_client, demo, challenge, await latest_pin(demo_client, DEMO_EMAIL)
    )
    assert confirmed.status_code == 200, confirmed.text
    paid = confirmed.json()["loan_payment"]
    assert paid["status"] == "completada"
    reference = paid["reference"]
    assert reference == f"PRE-{paid['id']:07d}"
    after = balances(seeded_db)
    assert after[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 24_358
    assert after[CREDITOS][0] == 24_358
    assert movements_of(seeded_db, reference) == [
        (DEMO_PERSONAL, -24_358, f"Pago préstamo N.º {DEMO_LOAN} · {reference}"),
        (CREDITOS, 24_358, f"{reference} préstamo N.º {DEMO_LOAN} · cta. {DEMO_PERSONAL}"),
    ]
    (loan,) = (await demo_client.get(LOANS, headers=auth(demo))).json()
    assert (loan["days_overdue"], loan["overdue_cents"], loan["mora_cents"]) == (0, 0, 0)
    assert loan["balance_cents"] == 407_757 - 19_146
    assert loan["next_due_date"] == "2026-12-13"
    assert rows(
        seeded_db,
        "SELECT mora_paid_cents, paid_interest_cents, paid_capital_cents FROM loan_instalments"
        " WHERE loan_id = ? AND number = 6",
        DEMO_LOAN,
    ) == [(115, 5_097, 19_146)]
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert receipt["subject"] == f"Comprobante de pago {reference}"
    assert "Pagado a: Crédito de consumo N.º 1" in receipt["body"]
    assert "interés de mora $1,15, interés $50,97, capital $191,46" in receipt["body"]
    assert ledger_problems_of(seeded_db) == []


async def _pay(
    client: httpx.AsyncClient, token: str, amount: int, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A loan payment of demo's loan from the personal account, started and confirmed."""
    started = await client.post(
        f"{LOANS}/{DEMO_LOAN}/payments",
        json={"from_account": DEMO_PERSONAL, "amount_cents": amount},
        headers=headers or keyed(token),
    )
    assert started.status_code == 201, started.text
    challenge = started.json()["challenge"]
    confirmed = await confirm(client, token, challenge, await latest_pin(client, DEMO_EMAIL))
    assert confirmed.status_code == 200, confirmed.text
    paid: dict[str, Any] = confirmed.json()["loan_payment"]
    return paid


INSTALMENTS = (
    "SELECT number, capital_cents, interest_cents, paid_capital_cents, paid_interest_cents"
    " FROM loan_instalments WHERE loan_id = ? ORDER BY number"
)


async def test_capital_ahead_lowers_the_later_interest(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    """50,00 pays what is due (243,58), instalment 7's accrued interest (19,43) and 236,99 of
    capital ahead: the capital left, 3.886,11 - 236,99 = 3.649,12, is the French table over
    the same 18 instalments (227,65 each, was 242,43); instalment 7's interest is what accrued
    (19,43) plus its 18 days left on the capital left (3.649,12 × 1,25 % × 18/30 = 27,37)."""
    before = rows(seeded_db, INSTALMENTS, DEMO_LOAN)
    paid = await _pay(demo_client, demo, 50_000)
    assert (paid["interest_cents"], paid["early_capital_cents"]) == (5_097 + 1_943, 23_699)
    after = rows(seeded_db, INSTALMENTS, DEMO_LOAN)
    assert after[:5] == before[:5]
    assert after[5] == (6, 19_146, 5_097, 19_146, 5_097)
    # 7: the capital paid ahead is recorded on it (paid), and 182,04 of the new table to come
    assert after[6] == (7, 23_699 + 18_204, 1_943 + 2_737, 23_699, 1_943)
    assert after[7] == (8, 18_431, 4_334, 0, 0)  # 3.649,12 - 182,04 = 3.467,08 × 1,25 % = 43,34
    assert after[-1] == (24, 22_484, 281, 0, 0)
    assert len(after) == 24
    assert sum(row[1] for row in after) == 500_000  # the capital still sums to the loan
    later_interest = [row[2] for row in after[7:]]
    assert all(new < old for new, (*_, old, _p, _q) in zip(later_interest, before[7:], strict=True))
    # 2.794 cents of interest are not charged any more
    assert sum(row[2] for row in before) - sum(row[2] for row in after) == 2_794
    (loan,) = (await demo_client.get(LOANS, headers=auth(demo))).json()
    assert loan["balance_cents"] == 388_611 - 23_699
    assert loan["instalment_cents"] == 22_765
    assert (loan["next_due_date"], loan["next_due_cents"]) == ("2026-12-13", 18_204 + 2_737)
    assert loan["payoff_cents"] == 364_912  # the interest accrued so far is paid
    table = (await demo_client.get(f"{LOANS}/{DEMO_LOAN}/table", headers=auth(demo))).json()
    assert [row["status"] for row in table["rows"][5:8]] == ["pagada", "pendiente", "pendiente"]
    assert table["rows"][6]["balance_cents"] == 364_912 - 18_204
    assert table["rows"][-1]["balance_cents"] == 0
    assert ledger_problems_of(seeded_db) == []


async def test_the_payoff_cancels_the_loan(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    paid = await _pay(demo_client, demo, 414_912)
    assert (paid["status"], paid["early_capital_cents"]) == ("completada", 388_611)
    after = rows(seeded_db, INSTALMENTS, DEMO_LOAN)
    # 7 is the last: its capital is all that was ahead, its interest what accrued; no 8..24
    assert after[6:] == [(7, 388_611, 1_943, 388_611, 1_943)]
    assert all(row[1:3] == row[3:5] for row in after)
    assert sum(row[1] for row in after) == 500_000
    assert rows(seeded_db, "SELECT status FROM loans WHERE id = ?", DEMO_LOAN) == [("cancelado",)]
    (loan,) = (await demo_client.get(LOANS, headers=auth(demo))).json()
    assert (loan["status"], loan["balance_cents"], loan["payoff_cents"]) == ("cancelado", 0, 0)
    assert (loan["next_due_date"], loan["overdue_cents"]) == (None, 0)
    table = (await demo_client.get(f"{LOANS}/{DEMO_LOAN}/table", headers=auth(demo))).json()
    assert {row["status"] for row in table["rows"]} == {"pagada"}
    assert balances(seeded_db)[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 414_912
    assert balances(seeded_db)[CREDITOS][0] == 414_912
    again = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 100, DEMO_PERSONAL)
    assert (again.status_code, again.json()["code"]) == (409, "loan_paid")
    assert ledger_problems_of(seeded_db) == []


async def test_a_payoff_replayed_is_one_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    """The same Idempotency-Key after the payoff: the first answer, not a refusal of a loan
    now cancelled; one payment, one journal."""
    headers = keyed(demo)
    body = {"from_account": DEMO_PERSONAL, "amount_cents": 414_912}
    url = f"{LOANS}/{DEMO_LOAN}/payments"
    first = await demo_client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    confirmed = await confirm(demo_client, demo, first.json()["challenge"], pin)
    assert confirmed.status_code == 200, confirmed.text
    state = money_state(seeded_db)
    again = await demo_client.post(url, json=body, headers=headers)
    assert (again.status_code, again.headers["idempotency-replayed"]) == (201, "true")
    assert again.content == first.content
    replayed = await confirm(demo_client, demo, first.json()["challenge"], pin)
    assert (replayed.status_code, replayed.json()["code"]) == (409, "challenge_used")
    assert money_state(seeded_db) == state
    assert rows(seeded_db, "SELECT COUNT(*), MIN(status) FROM loan_payments") == [(1, "completada")]
    assert ledger_problems_of(seeded_db) == []


async def test_bad_loan_payments_change_nothing(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = money_state(seeded_db)
    instalments = rows(seeded_db, INSTALMENTS, DEMO_LOAN)
    too_much = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 414_913, DEMO_PERSONAL)
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount_cents"
    assert "$4.149,12, el valor que cancela todo el préstamo" in too_much.json()["message"]
    theirs = await _start_loan_payment(demo_client, demo, SOCIO2_LOAN, 1_000, DEMO_PERSONAL)
    assert theirs.status_code == 404
    poor = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 400_000, "00104721")
    assert poor.status_code == 409, poor.text
    assert poor.json()["code"] == "insufficient_funds"
    assert money_state(seeded_db) == before
    assert rows(seeded_db, INSTALMENTS, DEMO_LOAN) == instalments
    assert rows(seeded_db, "SELECT COUNT(*) FROM loan_payments") == [(0,)]
    assert rows(seeded_db, "SELECT COUNT(*) FROM challenges") == [(0,)]


async def test_a_wrong_pin_three_times_cancels_the_loan_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    started = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 10_000, DEMO_PERSONAL)
    challenge = started.json()["challenge"]
    right = await latest_pin(demo_client, DEMO_EMAIL)
    for bad in (wrong(right), wrong(wrong(right)), wrong(right)):
        assert (await confirm(demo_client, demo, challenge, bad)).status_code in (409, 422)
    assert rows(seeded_db, "SELECT status FROM loan_payments") == [("cancelada",)]
    late = await confirm(demo_client, demo, challenge, right)
    assert late.status_code == 409
    assert balances(seeded_db) == before
    assert ledger_problems_of(seeded_db) == []


async def test_a_retried_start_is_one_loan_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    """The same Idempotency-Key sent again gets the first answer: one payment, one PIN."""
    headers = keyed(demo)
    body = {"from_account": DEMO_PERSONAL, "amount_cents": 10_000}
    url = f"{LOANS}/{DEMO_LOAN}/payments"
    first = await demo_client.post(url, json=body, headers=headers)
    again = await demo_client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json()
    assert rows(seeded_db, "SELECT COUNT(*) FROM loan_payments") == [(1,)]
    other = await demo_client.post(url, json={**body, "amount_cents": 10_001}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_mismatch")


async def test_an_expired_pin_cancels_the_loan_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    started = await _start_loan_payment(demo_client, demo, DEMO_LOAN, 10_000, DEMO_PERSONAL)
    challenge = started.json()["challenge"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    clock.advance(PIN_TTL.total_seconds() + 1)
    demo = await login_token(demo_client, "demo", "Demo2026")  # the idle session ended too
    late = await confirm(demo_client, demo, challenge, pin)
    assert (late.status_code, late.json()["code"]) == (409, "challenge_expired")
    assert rows(seeded_db, "SELECT status, reason IS NOT NULL FROM loan_payments") == [
        ("cancelada", True)
    ]
    assert balances(seeded_db) == before
    assert ledger_problems_of(seeded_db) == []
