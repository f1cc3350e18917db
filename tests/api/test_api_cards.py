"""PAGO DE TARJETAS: the member's cooperative cards and cards of other institutions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain.clock import ManualClock
from tests.api import (
    CARD_DEMO_MC,
    CARD_DEMO_VISA,
    CARD_ISSUERS,
    CARD_SOCIO2,
    CARDS,
    CARTERA,
    CLOSED_VISA_GUAYAQUIL,
    COMPENSACION,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_PICHINCHA,
    DEMO_VISTA,
    DINERS_NUMBER,
    LIMITS,
    MASTERCARD_NUMBER,
    PAYMENTS,
    SALIDAS,
    SOCIO2_VISTA,
    VISA_NUMBER,
    assert_insufficient_funds,
    assert_replayed,
    assert_returned_to_demo,
    auth,
    balances,
    card_body,
    confirm,
    external_card_body,
    interbancaria_with_pin,
    latest_pin,
    ledger_problems_of,
    mails,
    money_state,
    movements_of,
    pay_with_pin,
    rows,
    start_payment,
)
from tests.database import connect, dump


async def _card(client: httpx.AsyncClient, token: str, card_id: int) -> dict[str, Any]:
    cards = (await client.get(CARDS, headers=auth(token))).json()
    card: dict[str, Any] = next(c for c in cards if c["id"] == card_id)
    return card


# --- the cards and the issuers ------------------------------------------------------------------


async def test_the_members_own_cards(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, teller_token: str
) -> None:
    response = await demo_client.get(CARDS, headers=auth(demo))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": CARD_DEMO_VISA,
            "brand": "visa",
            "masked_number": "**** **** **** 4521",
            "holder_name": "María Fernanda Guamán Quispe",
            "credit_limit_cents": 250_000,
            "total_due_cents": 84_530,
            "minimum_due_cents": 4_227,
            "due_date": "2026-12-05",
            "available_credit_cents": 153_470,  # limit - total due - purchases after the cut
        },
        {
            "id": CARD_DEMO_MC,
            "brand": "mastercard",
            "masked_number": "**** **** **** 8830",
            "holder_name": "María Fernanda Guamán Quispe",
            "credit_limit_cents": 100_000,
            "total_due_cents": 0,
            "minimum_due_cents": 0,
            "due_date": "2026-12-05",
            "available_credit_cents": 96_480,
        },
    ]
    theirs = (await demo_client.get(CARDS, headers=auth(socio2))).json()
    assert [(c["id"], c["masked_number"], c["total_due_cents"]) for c in theirs] == [
        (CARD_SOCIO2, "**** **** **** 7702", 31_245)
    ]
    teller = await demo_client.get(CARDS, headers=auth(teller_token))
    assert (teller.status_code, teller.json()["code"]) == (403, "forbidden")


async def test_the_card_issuers(demo_client: httpx.AsyncClient, demo: str) -> None:
    issuers = (await demo_client.get(CARD_ISSUERS, headers=auth(demo))).json()
    names = [issuer["name"] for issuer in issuers]
    assert names == sorted(names)
    by_code = {issuer["code"]: issuer for issuer in issuers}
    assert by_code["VISA_PICHINCHA"] == {
        "code": "VISA_PICHINCHA",
        "name": "Visa Banco Pichincha",
        "brand": "visa",
        "institution_code": "0010",
    }
    assert by_code["DINERS_CLUB"]["brand"] == "diners"
    assert by_code["MC_PRODUBANCO"]["institution_code"] == "0036"
    assert {issuer["brand"] for issuer in issuers} == {"visa", "mastercard", "diners"}


# --- paying a cooperative card ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "total", "minimum"),
    [
        (4_227, 80_303, 0),  # the minimum
        (84_530, 0, 0),  # the total
        (1_000, 83_530, 3_227),  # another amount, below the minimum
        (50_000, 34_530, 0),  # another amount, above the minimum
    ],
)
async def test_pay_the_own_card(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    amount: int,
    total: int,
    minimum: int,
) -> None:
    before = balances(seeded_db)
    card_before = await _card(demo_client, demo, CARD_DEMO_VISA)
    started = await start_payment(
        demo_client, demo, card_body(CARD_DEMO_VISA, amount, DEMO_PERSONAL)
    )
    assert started.status_code == 201, started.text
    challenge = started.json()["challenge"]
    assert (challenge["payee"], challenge["amount_cents"]) == (f"tarjeta:{CARD_DEMO_VISA}", amount)
    assert await _card(demo_client, demo, CARD_DEMO_VISA) == card_before  # not before the PIN
    confirmed = await confirm(
        demo_client, demo, challenge, await latest_pin(demo_client, DEMO_EMAIL)
    )
    assert confirmed.status_code == 200, confirmed.text
    payment = confirmed.json()["payment"]
    assert (payment["kind"], payment["status"]) == ("tarjeta", "completada")
    assert (payment["payee_name"], payment["payee_reference"], payment["holder_name"]) == (
        "Visa Cooperativa San José S.J.",
        "**** **** **** 4521",
        "María Fernanda Guamán Quispe",
    )
    card = await _card(demo_client, demo, CARD_DEMO_VISA)
    assert (card["total_due_cents"], card["minimum_due_cents"]) == (total, minimum)
    assert card["total_due_cents"] == card_before["total_due_cents"] - amount
    assert card["available_credit_cents"] == card_before["available_credit_cents"] + amount
    after = balances(seeded_db)
    assert after[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - amount
    assert after[CARTERA][0] == amount
    reference = payment["reference"]
    assert movements_of(seeded_db, reference) == [
        (
            DEMO_PERSONAL,
            -amount,
            f"Pago tarjeta Visa Cooperativa San José S.J. **** 4521 · {reference}",
        ),
        (CARTERA, amount, f"{reference} tarjeta **** 4521 · cta. 00204722"),
    ]
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert receipt["subject"] == f"Comprobante de pago {reference}"
    assert "Referencia del pago: **** **** **** 4521" in receipt["body"]
    assert "Período:" not in receipt["body"]
    assert rows(seeded_db, "SELECT paid_cents FROM cards WHERE id = ?", CARD_DEMO_VISA) == [
        (amount,)
    ]
    assert ledger_problems_of(seeded_db) == []


async def test_over_the_total_is_refused(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = money_state(seeded_db)
    over = await start_payment(demo_client, demo, card_body(CARD_DEMO_VISA, 84_531, DEMO_PERSONAL))
    assert over.status_code == 422
    assert over.json() == {
        "code": "amount_off_bill",
        "message": "Puede pagar hasta $845,30, el total de su tarjeta.",
        "field": "amount_cents",
    }
    nothing_due = await start_payment(demo_client, demo, card_body(CARD_DEMO_MC, 100, DEMO_VISTA))
    assert nothing_due.status_code == 422
    assert nothing_due.json()["message"] == "Su tarjeta no tiene valores por pagar."
    assert money_state(seeded_db) == before

    # Paid in full meanwhile, a second payment started before is refused at confirmation.
    first = await start_payment(demo_client, demo, card_body(CARD_DEMO_VISA, 84_530, DEMO_PERSONAL))
    first_pin = await latest_pin(demo_client, DEMO_EMAIL)
    second = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, card_body(CARD_DEMO_VISA, 84_530, DEMO_VISTA)
    )
    assert second["status"] == "completada"
    state = money_state(seeded_db)
    late = await confirm(demo_client, demo, first.json()["challenge"], first_pin)
    assert (late.status_code, late.json()["code"]) == (422, "amount_off_bill")
    assert money_state(seeded_db) == state
    card = await _card(demo_client, demo, CARD_DEMO_VISA)
    assert (card["total_due_cents"], card["available_credit_cents"]) == (0, 238_000)
    assert ledger_problems_of(seeded_db) == []


async def test_another_members_card_is_404_and_nothing_changes(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: Path
) -> None:
    card = await _card(demo_client, demo, CARD_DEMO_VISA)
    before = money_state(seeded_db)
    theirs = await start_payment(
        demo_client, socio2, card_body(CARD_DEMO_VISA, 1_000, SOCIO2_VISTA)
    )
    nobody = await start_payment(demo_client, socio2, card_body(999, 1_000, SOCIO2_VISTA))
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.content == nobody.content
    assert theirs.json()["field"] == "card_id"
    # Nor from another member's account to one's own card.
    account = await start_payment(demo_client, demo, card_body(CARD_DEMO_VISA, 1_000, SOCIO2_VISTA))
    assert (account.status_code, account.json()["code"]) == (404, "not_found")
    assert money_state(seeded_db) == before
    assert await _card(demo_client, demo, CARD_DEMO_VISA) == card


async def test_insufficient_funds_for_a_card(
    demo_client: httpx.AsyncClient, socio2: str, seeded_db: Path
) -> None:
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET hold_cents = balance_cents - 500 WHERE number = ?",
                     (SOCIO2_VISTA,))  # fmt: skip
    before = money_state(seeded_db)
    response = await start_payment(demo_client, socio2, card_body(CARD_SOCIO2, 501, SOCIO2_VISTA))
    assert_insufficient_funds(response, "00105349", 500)
    assert money_state(seeded_db) == before


# --- cards of other institutions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"card_number": "4111111111111112"}, "card_number",
         "Número de tarjeta: no es válido; revise los dígitos."),
        ({"card_number": MASTERCARD_NUMBER}, "card_number",
         "Número de tarjeta: no es de una tarjeta Visa; revise el número o el emisor."),
        ({"issuer_code": "DINERS_CLUB"}, "card_number",
         "Número de tarjeta: no es de una tarjeta Diners Club; revise el número o el emisor."),
        ({"card_number": "4111 1111 1111 1111"}, "card_number",
         "Número de tarjeta: escriba sus 13 a 19 dígitos, sin espacios ni guiones."),
        ({"issuer_code": "AMEX_GUAYAQUIL"}, "issuer_code",
         "Emisor: elija uno de la lista de tarjetas de otras instituciones."),
        ({"holder_name": "Ana\tTipán"}, "holder_name",
         "Titular de la tarjeta: quite los caracteres de control (saltos de línea...)."),
        ({"holder_name": "A"}, "holder_name", None),
    ],
)  # fmt: skip
async def test_a_card_number_that_fails_is_refused(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    changes: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    before = money_state(seeded_db)
    body = {**external_card_body(1_000, DEMO_VISTA), **changes}
    response = await start_payment(demo_client, demo, body)
    assert response.status_code == 422, response.text
    assert (response.json()["code"], response.json()["field"]) == ("validation_error", field)
    if message is not None:
        assert response.json()["message"] == message
    assert money_state(seeded_db) == before


@pytest.mark.parametrize(
    ("issuer", "number"),
    [
        ("MC_PRODUBANCO", MASTERCARD_NUMBER),
        ("MC_PACIFICO", "2223003122003222"),  # the 2-series
        ("DINERS_CLUB", DINERS_NUMBER),
        ("DINERS_CLUB", "30569309025904"),
        ("VISA_BOLIVARIANO", "4222222222222"),  # 13 digits
    ],
)
async def test_each_brand_takes_its_numbers(
    demo_client: httpx.AsyncClient, demo: str, issuer: str, number: str
) -> None:
    body = external_card_body(1_000, DEMO_VISTA, issuer_code=issuer, card_number=number)
    response = await start_payment(demo_client, demo, body)
    assert response.status_code == 201, response.text
    assert response.json()["challenge"]["payee"] == f"tarjeta_externa:{issuer}:{number[-4:]}"


async def test_an_external_card_is_en_proceso_until_the_clearing_settles(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    started = await start_payment(demo_client, demo, external_card_body(25_000, DEMO_PERSONAL))
    assert started.status_code == 201, started.text
    pending, challenge = started.json()["payment"], started.json()["challenge"]
    assert (pending["payee_name"], pending["payee_reference"], pending["holder_name"]) == (
        "Visa Banco Pichincha",
        "**** **** **** 1111",
        "Ana Lucía Tipán Morales",
    )
    assert challenge["payee"] == "tarjeta_externa:VISA_PICHINCHA:1111"
    pin_mail = (await mails(demo_client, DEMO_EMAIL))[0]
    assert (
        "el pago de $250,00 desde su cuenta 00204722 a la tarjeta Visa Banco Pichincha "
        "**** **** **** 1111 de Ana Lucía Tipán Morales"
    ) in pin_mail["body"]
    confirmed = await confirm(
        demo_client, demo, challenge, await latest_pin(demo_client, DEMO_EMAIL)
    )
    payment = confirmed.json()["payment"]
    assert (payment["kind"], payment["status"]) == ("tarjeta_externa", "en_proceso")
    held = balances(seeded_db)
    assert held[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 25_000
    assert held[COMPENSACION][0] == 25_000
    reference = payment["reference"]
    assert movements_of(seeded_db, reference) == [
        (DEMO_PERSONAL, -25_000, f"Pago tarjeta Visa Banco Pichincha **** 1111 · {reference}"),
        (
            COMPENSACION,
            25_000,
            f"{reference} a Banco Pichincha · tarjeta **** 1111 · cta. 00204722",
        ),
    ]
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert "EN PROCESO" in receipt["body"] and "Visa Banco Pichincha" in receipt["body"]
    assert ledger_problems_of(seeded_db) == []

    clock.advance(59)
    same = (await demo_client.get(f"{PAYMENTS}/{payment['id']}", headers=auth(demo))).json()
    assert same["status"] == "en_proceso"
    clock.advance(2)
    settled = (await demo_client.get(f"{PAYMENTS}/{payment['id']}", headers=auth(demo))).json()
    assert settled["status"] == "completada"
    assert settled["settled_at"] is not None and settled["reason"] is None
    after = balances(seeded_db)
    assert (after[COMPENSACION][0], after[SALIDAS][0]) == (0, 25_000)
    assert sum(b for b, _h in after.values()) == sum(b for b, _h in before.values())
    notice = (await mails(demo_client, DEMO_EMAIL))[0]
    assert notice["subject"] == f"Pago {reference} acreditado"
    assert len(movements_of(seeded_db, reference)) == 4
    # Only the last 4 digits are kept, anywhere in the file.
    assert VISA_NUMBER not in dump(seeded_db)
    assert rows(seeded_db, "SELECT card_last4, issuer_code FROM payments") == [
        ("1111", "VISA_PICHINCHA")
    ]
    assert ledger_problems_of(seeded_db) == []


async def test_a_cancelled_external_card_is_rechazada_and_the_money_returns(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    payment = await pay_with_pin(
        demo_client,
        demo,
        DEMO_EMAIL,
        external_card_body(
            10_000, DEMO_VISTA, issuer_code="VISA_GUAYAQUIL", card_number=CLOSED_VISA_GUAYAQUIL
        ),
    )
    assert payment["status"] == "en_proceso"
    limits = (await demo_client.get(LIMITS, headers=auth(demo))).json()
    assert limits["used_today_cents"] == 10_000
    clock.advance(60)
    await demo_client.get(f"{PAYMENTS}", headers=auth(demo))  # settles it
    returned = (await demo_client.get(f"{PAYMENTS}/{payment['id']}", headers=auth(demo))).json()
    assert returned["status"] == "rechazada"
    assert (
        returned["reason"]
        == "Banco Guayaquil rechazó el pago: la tarjeta **** 1881 está cancelada."
    )
    assert balances(seeded_db) == before
    reference = payment["reference"]
    subject = f"Pago {reference} rechazado: dinero devuelto"
    await assert_returned_to_demo(demo_client, demo, seeded_db, reference, subject)


async def test_external_cards_count_toward_the_transfer_limits(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = money_state(seeded_db)
    over = await start_payment(demo_client, demo, external_card_body(200_001, DEMO_PERSONAL))
    assert over.status_code == 422
    assert over.json() == {
        "code": "limit_exceeded",
        "message": "El monto supera su límite por transacción de $2.000,00. "
        "Hoy le quedan $5.000,00.",
        "field": "amount_cents",
    }
    assert money_state(seeded_db) == before
    await interbancaria_with_pin(demo_client, demo, DEMO_PERSONAL, DEMO_PICHINCHA, 200_000)
    await pay_with_pin(demo_client, demo, DEMO_EMAIL, external_card_body(200_000, DEMO_PERSONAL))
    # Services and the member's own cards do not count.
    await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, card_body(CARD_DEMO_VISA, 84_530, DEMO_PERSONAL)
    )
    limits = (await demo_client.get(LIMITS, headers=auth(demo))).json()
    assert (limits["used_today_cents"], limits["available_today_cents"]) == (400_000, 100_000)
    daily = await start_payment(demo_client, demo, external_card_body(100_001, DEMO_PERSONAL))
    assert daily.json()["message"] == (
        "El monto supera su límite diario de $5.000,00. Hoy le quedan $1.000,00."
    )
    assert ledger_problems_of(seeded_db) == []


async def test_a_replayed_external_card_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    body = external_card_body(5_000, DEMO_VISTA)
    key = "card-payment-0001"
    first = await start_payment(demo_client, demo, body, key=key)
    again = await start_payment(demo_client, demo, body, key=key)
    assert_replayed(first, again, 201)
    # The number is a secret field of the key's record: another number is another request.
    other = await start_payment(
        demo_client,
        demo,
        {**body, "card_number": "4000056655665556"},
        key=key,
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_mismatch")
    assert rows(seeded_db, "SELECT COUNT(*) FROM payments") == [(1,)]
    stored = rows(seeded_db, "SELECT request_hash, secret_hash FROM idempotency WHERE key = ?", key)
    assert stored[0][1] is not None and VISA_NUMBER not in str(stored)
