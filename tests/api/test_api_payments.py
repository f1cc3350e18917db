"""PAGO DE SERVICIOS: the catalog, CONSULTAR, paying with the PIN, frequent services, replays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain.clock import ManualClock
from sjvirtual_tui.models import MAX_CENTS
from tests.api import (
    ACCOUNTS,
    BILL_CLARO,
    BILL_CNEL_DEMO,
    BILL_CNEL_LUIS_NEW,
    BILL_CNEL_LUIS_OLD,
    BILL_CNEL_SOCIO2,
    BILL_EPMAPS_DEMO,
    BILL_EPMAPS_PAID,
    BILL_UCE,
    BILL_UE,
    BILLERS,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_VISTA,
    FREQUENT,
    PAYMENTS,
    RECAUDACION,
    SOCIO2_VISTA,
    assert_a_cent_too_much_refused,
    assert_key_mismatch,
    assert_late_hold_refused,
    assert_listed_newest_first,
    assert_replayed,
    auth,
    balances,
    confirm,
    confirmed_once,
    consult,
    keyed,
    latest_pin,
    ledger_problems_after,
    ledger_problems_of,
    mails,
    money_state,
    movements_of,
    pay_with_pin,
    pins,
    refused_changing_nothing,
    rows,
    service_body,
    start_payment,
    wrong,
)
from tests.database import connect


def _bill(db: Path, bill_id: int) -> tuple[Any, ...]:
    """(status, paid_cents, paid_by) of a bill as stored."""
    return rows(db, "SELECT status, paid_cents, paid_by FROM bills WHERE id = ?", bill_id)[0]


# --- the catalog --------------------------------------------------------------------------------


async def test_the_catalog_by_category_and_name(
    demo_client: httpx.AsyncClient, demo: str, teller_token: str
) -> None:
    response = await demo_client.get(BILLERS, headers=auth(demo))
    assert response.status_code == 200
    billers = response.json()
    assert [b["category"] for b in billers] == sorted(
        (b["category"] for b in billers),
        key=["electricidad", "agua", "telefonia", "tv", "impuestos", "educacion"].index,
    )
    cnel = next(b for b in billers if b["code"] == "CNEL_EP")
    assert cnel == {
        "code": "CNEL_EP",
        "name": "CNEL EP",
        "category": "electricidad",
        "reference_label": "Código Único Eléctrico Nacional (CUEN)",
        "reference_hint": "los 10 dígitos del código de su planilla",
        "reference_pattern": "^[0-9]{10}$",
        "amount_rule": "exacto",
    }
    rules = {b["code"]: b["amount_rule"] for b in billers}
    assert (rules["CLARO"], rules["UE_SMJ"], rules["UCE"]) == ("parcial", "parcial", "abierto")
    # Anyone with a session may read the catalog (a teller helps members at the counter).
    assert (await demo_client.get(BILLERS, headers=auth(teller_token))).json() == billers
    assert (await demo_client.get(BILLERS)).status_code == 401


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("agua", ["EPMAPS", "INTERAGUA"]),
        ("ELÉCTRICA", ["EEQ"]),
        ("electrica quito", ["EEQ"]),
        ("educacion", ["UE_SMJ", "UCE"]),  # by name: Unidad, Universidad
        ("Teléfono", ["CLARO", "CNT", "NETLIFE"]),
        ("cnel", ["CNEL_EP"]),
        ("matricula", ["ANT_MATRICULA"]),
        ("  quito ", ["EEQ", "EPMAPS", "MDMQ_PREDIAL"]),
        ("gas", []),
    ],
)
async def test_the_search_ignores_case_and_accents(
    demo_client: httpx.AsyncClient, demo: str, q: str, codes: list[str]
) -> None:
    response = await demo_client.get(BILLERS, params={"q": q}, headers=auth(demo))
    assert response.status_code == 200
    assert [b["code"] for b in response.json()] == codes


@pytest.mark.parametrize("q", ["", "x" * 41])
async def test_a_search_out_of_bounds_is_422(
    demo_client: httpx.AsyncClient, demo: str, q: str
) -> None:
    response = await demo_client.get(BILLERS, params={"q": q}, headers=auth(demo))
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("validation_error", "q")
    assert response.json()["message"].startswith("Búsqueda:")


# --- CONSULTAR ----------------------------------------------------------------------------------


async def test_consult_shows_the_pending_bill(demo_client: httpx.AsyncClient, demo: str) -> None:
    response = await consult(demo_client, demo, "CNEL_EP", "1000123456")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": BILL_CNEL_DEMO,
        "biller_code": "CNEL_EP",
        "biller_name": "CNEL EP",
        "reference": "1000123456",
        "holder_name": "M**** F******* G***** Q*****",
        "period": "Octubre 2026",
        "amount_due_cents": 3_245,
        "due_date": "2026-11-30",
        "amount_rule": "exacto",
        "min_amount_cents": 3_245,
        "max_amount_cents": 3_245,
    }
    # Spaces and dashes as printed on the bill, and lower-case plates, find the same.
    spaced = await consult(demo_client, demo, "CNEL_EP", " 1000-123 456 ")
    assert spaced.json() == response.json()
    plate = await consult(demo_client, demo, "ANT_MATRICULA", "pbx-1234")
    assert (plate.json()["reference"], plate.json()["period"]) == ("PBX1234", "Matrícula 2026")
    # Two periods pending: the older first.
    older = (await consult(demo_client, demo, "CNEL_EP", "1000765432")).json()
    assert (older["id"], older["period"], older["amount_due_cents"]) == (
        BILL_CNEL_LUIS_OLD,
        "Septiembre 2026",
        2_810,
    )
    assert older["holder_name"] == "L*** A****** Y**** C*******"
    # Open and partial amounts.
    uce = (await consult(demo_client, demo, "UCE", "1750123455")).json()
    assert (uce["amount_rule"], uce["min_amount_cents"], uce["max_amount_cents"]) == (
        "abierto",
        1,
        MAX_CENTS,
    )
    claro = (await consult(demo_client, demo, "CLARO", "0991234567")).json()
    assert (claro["min_amount_cents"], claro["max_amount_cents"]) == (1, 3_584)


@pytest.mark.parametrize(
    ("biller", "reference", "status", "code", "field", "message"),
    [
        (
            "CNEL_EP",
            "12345",
            422,
            "validation_error",
            "reference",
            "Código Único Eléctrico Nacional (CUEN): escriba los 10 dígitos del código de su "
            "planilla.",
        ),
        (
            "ANT_MATRICULA",
            "1234ABC",
            422,
            "validation_error",
            "reference",
            "Placa del vehículo: escriba 3 letras y 3 o 4 números, sin guion (PBX1234).",
        ),
        (
            "CNEL_EP",
            "9999999999",
            404,
            "not_found",
            "reference",
            "CNEL EP no tiene registrada la referencia 9999999999. Revísela en su planilla.",
        ),
        (
            "EPMAPS",
            "1234567",
            404,
            "no_pending_bill",
            "reference",
            "La referencia 1234567 no tiene valores pendientes con EPMAPS Agua Quito.",
        ),
        (
            "NO_EXISTE",
            "1234567",
            404,
            "not_found",
            None,
            "No encontramos esa empresa en el catálogo de servicios.",
        ),
        ("cnel-ep", "1000123456", 422, "validation_error", "biller_code", None),
        ("CNEL_EP", "", 422, "validation_error", "reference", None),
    ],
)
async def test_consult_refusals(
    demo_client: httpx.AsyncClient,
    demo: str,
    biller: str,
    reference: str,
    status: int,
    code: str,
    field: str | None,
    message: str | None,
) -> None:
    response = await consult(demo_client, demo, biller, reference)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    if message is not None:
        assert body["message"] == message


async def test_consult_and_payments_are_for_socios(
    demo_client: httpx.AsyncClient, teller_token: str
) -> None:
    for response in (
        await consult(demo_client, teller_token, "CNEL_EP", "1000123456"),
        await demo_client.get(PAYMENTS, headers=auth(teller_token)),
        await demo_client.get(FREQUENT, headers=auth(teller_token)),
        await start_payment(
            demo_client, teller_token, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


# --- paying a bill ------------------------------------------------------------------------------


async def test_pay_an_exact_bill_with_the_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    started = await start_payment(
        demo_client, demo, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    )
    assert started.status_code == 201, started.text
    pending, challenge = started.json()["payment"], started.json()["challenge"]
    assert pending["reference"] == "PAG-0000001"
    assert (pending["kind"], pending["status"]) == ("servicio", "pendiente_verificacion")
    assert (pending["payee_name"], pending["payee_reference"], pending["period"]) == (
        "CNEL EP",
        "1000123456",
        "Octubre 2026",
    )
    assert pending["holder_name"] == "M**** F******* G***** Q*****"
    assert pending["executed_at"] is None
    assert challenge["purpose"] == "pago"
    assert (challenge["amount_cents"], challenge["payee"]) == (
        3_245,
        f"servicio:CNEL_EP:1000123456:{BILL_CNEL_DEMO}",
    )
    assert balances(seeded_db) == before  # no money moves before the PIN
    assert (await demo_client.get(PAYMENTS, headers=auth(demo))).json() == []
    pin_mail = (await mails(demo_client, DEMO_EMAIL))[0]
    assert pin_mail["subject"] == "PIN de verificación"
    assert (
        "Este PIN confirma el pago de $32,45 desde su cuenta 00104721 a CNEL EP por Octubre "
        "2026, Código Único Eléctrico Nacional (CUEN) 1000123456, y nada más."
    ) in pin_mail["body"]

    confirmed = await confirm(
        demo_client, demo, challenge, await latest_pin(demo_client, DEMO_EMAIL)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["purpose"] == "pago"
    assert confirmed.json()["transfer"] is None and confirmed.json()["beneficiary"] is None
    payment = confirmed.json()["payment"]
    assert payment["status"] == "completada" and payment["executed_at"] is not None
    after = balances(seeded_db)
    assert after[DEMO_VISTA][0] == before[DEMO_VISTA][0] - 3_245
    assert after[RECAUDACION][0] == before[RECAUDACION][0] + 3_245 == 3_245
    assert sum(b for b, _h in after.values()) == sum(b for b, _h in before.values())
    assert movements_of(seeded_db, "PAG-0000001") == [
        (DEMO_VISTA, -3_245, "Pago CNEL EP 1000123456 · PAG-0000001"),
        (RECAUDACION, 3_245, "PAG-0000001 CNEL_EP 1000123456 · cta. 00104721"),
    ]
    assert _bill(seeded_db, BILL_CNEL_DEMO) == ("pagada", 3_245, payment["id"])
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert receipt["subject"] == "Comprobante de pago PAG-0000001"
    for words in (
        "Referencia: PAG-0000001",
        "Fecha y hora: 25/11/2026 a las 10:00 (hora de Ecuador)",
        "Cuenta origen: 00104721",
        "Pagado a: CNEL EP",
        "Referencia del pago: 1000123456",
        "Período: Octubre 2026",
        "Monto: $32,45",
        "Estado: COMPLETADO",
    ):
        assert words in receipt["body"], words

    # The statement, the list and the receipt show it.
    page = (
        await demo_client.get(
            f"{ACCOUNTS}/{DEMO_VISTA}/movements", params={"limit": 1}, headers=auth(demo)
        )
    ).json()
    assert page["items"][0]["reference"] == "PAG-0000001"
    assert (await demo_client.get(PAYMENTS, headers=auth(demo))).json() == [payment]
    one = await demo_client.get(f"{PAYMENTS}/{payment['id']}", headers=auth(demo))
    assert one.json() == payment

    # The bill is paid: nothing pending, and paying it again is refused.
    again = await consult(demo_client, demo, "CNEL_EP", "1000123456")
    assert (again.status_code, again.json()["code"]) == (404, "no_pending_bill")
    state = money_state(seeded_db)
    twice = await start_payment(demo_client, demo, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA))
    assert twice.status_code == 409
    assert (twice.json()["code"], twice.json()["field"]) == ("bill_paid", "bill_id")
    assert twice.json()["message"] == (
        "La factura de Octubre 2026 de la referencia 1000123456 con CNEL EP ya está pagada."
    )
    assert money_state(seeded_db) == state
    assert ledger_problems_of(seeded_db) == []


async def test_of_two_payments_of_one_bill_only_the_first_confirmed_goes_through(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    body = service_body(BILL_EPMAPS_DEMO, 1_873, DEMO_VISTA)
    first = await start_payment(demo_client, demo, body)
    second = await start_payment(demo_client, demo, {**body, "from_account": DEMO_PERSONAL})
    assert first.status_code == second.status_code == 201
    second_pin, first_pin = (await pins(demo_client, DEMO_EMAIL))[:2]
    before = balances(seeded_db)
    ok = await confirm(demo_client, demo, second.json()["challenge"], second_pin)
    assert ok.status_code == 200, ok.text
    state = money_state(seeded_db)
    refused = await confirm(demo_client, demo, first.json()["challenge"], first_pin)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "bill_paid"
    assert money_state(seeded_db) == state  # the challenge stays open, nothing moved
    challenge_id = first.json()["challenge"]["id"]
    assert rows(
        seeded_db, "SELECT status, attempts_left FROM challenges WHERE id = ?", challenge_id
    ) == [("pendiente", 3)]
    after = balances(seeded_db)
    assert after[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 1_873
    assert after[DEMO_VISTA] == before[DEMO_VISTA]
    assert _bill(seeded_db, BILL_EPMAPS_DEMO) == ("pagada", 1_873, second.json()["payment"]["id"])
    assert ledger_problems_of(seeded_db) == []


@pytest.mark.parametrize(
    ("bill_id", "amount", "message"),
    [
        (BILL_CNEL_DEMO, 3_244, "El valor a pagar debe ser exactamente $32,45."),
        (BILL_CNEL_DEMO, 3_246, "El valor a pagar debe ser exactamente $32,45."),
        (BILL_CLARO, 3_585, "El valor a pagar debe estar entre $0,01 y $35,84."),
        (BILL_UE, 18_001, "El valor a pagar debe estar entre $0,01 y $180,00."),
    ],
)
async def test_an_amount_off_the_bill_is_refused(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    bill_id: int,
    amount: int,
    message: str,
) -> None:
    before = money_state(seeded_db)
    response = await start_payment(demo_client, demo, service_body(bill_id, amount, DEMO_VISTA))
    assert response.status_code == 422
    assert response.json() == {
        "code": "amount_off_bill",
        "message": message,
        "field": "amount_cents",
    }
    assert money_state(seeded_db) == before


async def test_a_partial_bill_is_paid_in_parts(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    first = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, service_body(BILL_CLARO, 1_000, DEMO_VISTA)
    )
    assert first["status"] == "completada"
    assert _bill(seeded_db, BILL_CLARO) == ("pendiente", 1_000, None)
    left = (await consult(demo_client, demo, "CLARO", "0991234567")).json()
    assert (left["id"], left["amount_due_cents"], left["max_amount_cents"]) == (
        BILL_CLARO,
        2_584,
        2_584,
    )
    over = await start_payment(demo_client, demo, service_body(BILL_CLARO, 2_585, DEMO_VISTA))
    assert over.json()["message"] == "El valor a pagar debe estar entre $0,01 y $25,84."
    rest = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, service_body(BILL_CLARO, 2_584, DEMO_PERSONAL)
    )
    assert _bill(seeded_db, BILL_CLARO) == ("pagada", 3_584, rest["id"])
    gone = await consult(demo_client, demo, "CLARO", "0991234567")
    assert gone.json()["code"] == "no_pending_bill"
    assert balances(seeded_db)[RECAUDACION][0] == 3_584
    assert ledger_problems_of(seeded_db) == []


async def test_an_open_bill_takes_any_amount(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    await pay_with_pin(demo_client, demo, DEMO_EMAIL, service_body(BILL_UCE, 2_000, DEMO_VISTA))
    assert _bill(seeded_db, BILL_UCE) == ("pendiente", 2_000, None)
    suggested = (await consult(demo_client, demo, "UCE", "1750123455")).json()
    assert (suggested["amount_due_cents"], suggested["max_amount_cents"]) == (4_000, MAX_CENTS)
    # More than the suggestion is accepted, and settles the bill.
    more = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, service_body(BILL_UCE, 10_000, DEMO_PERSONAL)
    )
    assert _bill(seeded_db, BILL_UCE) == ("pagada", 12_000, more["id"])
    assert ledger_problems_of(seeded_db) == []


async def test_two_periods_are_paid_oldest_first(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    older = (await consult(demo_client, demo, "CNEL_EP", "1000765432")).json()
    await pay_with_pin(
        demo_client,
        demo,
        DEMO_EMAIL,
        service_body(older["id"], older["amount_due_cents"], DEMO_VISTA),
    )
    newer = (await consult(demo_client, demo, "CNEL_EP", "1000765432")).json()
    assert (newer["id"], newer["period"], newer["amount_due_cents"]) == (
        BILL_CNEL_LUIS_NEW,
        "Octubre 2026",
        3_055,
    )
    assert ledger_problems_of(seeded_db) == []


async def test_insufficient_funds_for_a_payment(
    demo_client: httpx.AsyncClient, socio2: str, seeded_db: Path
) -> None:
    await assert_a_cent_too_much_refused(
        seeded_db,
        lambda cents: start_payment(
            demo_client, socio2, service_body(BILL_UCE, cents, SOCIO2_VISTA)
        ),
    )

    # Checked again at confirmation: a hold appeared meanwhile.
    started = await start_payment(
        demo_client, socio2, service_body(BILL_CNEL_SOCIO2, 1_987, SOCIO2_VISTA)
    )
    await assert_late_hold_refused(demo_client, socio2, seeded_db, started, "balance_cents - 1000")
    assert _bill(seeded_db, BILL_CNEL_SOCIO2) == ("pendiente", 0, None)


async def test_an_account_that_is_not_activa_cannot_pay(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET status = 'bloqueada' WHERE number = ?", (DEMO_VISTA,))
    before = money_state(seeded_db)
    response = await start_payment(
        demo_client, demo, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == (
        "account_unavailable",
        "from_account",
    )
    assert response.json()["message"] == (
        "La cuenta 00104721 está bloqueada: no puede pagar desde ella. Comuníquese con la "
        "cooperativa."
    )
    assert money_state(seeded_db) == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"bill_id": 999}, 404, "not_found", "bill_id"),
        ({"bill_id": BILL_EPMAPS_PAID}, 409, "bill_paid", "bill_id"),
        ({"from_account": SOCIO2_VISTA}, 404, "not_found", None),
        ({"from_account": "99000001"}, 404, "not_found", None),
        ({"amount_cents": 0}, 422, "validation_error", "amount_cents"),
        ({"amount_cents": 32.45}, 422, "validation_error", "amount_cents"),
        ({"bill_id": None}, 422, "validation_error", "bill_id"),
        ({"kind": "luz"}, 422, "validation_error", "kind"),
        ({"card_id": 1}, 422, "validation_error", "card_id"),
    ],
)
async def test_refused_payments_change_nothing(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    payload = {**service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA), **body}
    request = start_payment(demo_client, demo, payload)
    response = await refused_changing_nothing(seeded_db, request, status, code, field)
    if code == "validation_error" and field == "kind":
        assert response.json()["message"].startswith("Tipo de pago:")


async def test_another_members_payment_is_404_and_nothing_changes(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: Path
) -> None:
    paid = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    )
    theirs = await demo_client.get(f"{PAYMENTS}/{paid['id']}", headers=auth(socio2))
    nobody = await demo_client.get(f"{PAYMENTS}/999", headers=auth(socio2))
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.content == nobody.content
    assert (await demo_client.get(PAYMENTS, headers=auth(socio2))).json() == []
    # socio2 cannot confirm demo's payment either.
    started = await start_payment(
        demo_client, demo, service_body(BILL_EPMAPS_DEMO, 1_873, DEMO_VISTA)
    )
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    before = money_state(seeded_db)
    stolen = await confirm(demo_client, socio2, started.json()["challenge"], pin)
    assert stolen.status_code == 404
    assert money_state(seeded_db) == before
    assert ledger_problems_of(seeded_db) == []


async def test_wrong_pins_and_expiry_cancel_a_payment(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    started = await start_payment(
        demo_client, demo, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    )
    challenge, payment = started.json()["challenge"], started.json()["payment"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    answers = [await confirm(demo_client, demo, challenge, wrong(pin)) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 409]
    assert answers[0].json()["message"] == (
        "El PIN de verificación no es correcto. Le quedan 2 intentos."
    )
    assert answers[2].json()["code"] == "challenge_cancelled"
    cancelled = (await demo_client.get(f"{PAYMENTS}/{payment['id']}", headers=auth(demo))).json()
    assert cancelled["status"] == "cancelada"
    assert cancelled["reason"] == "Se ingresó mal el PIN de verificación 3 veces."
    late = await confirm(demo_client, demo, challenge, pin)
    assert (late.status_code, late.json()["code"]) == (409, "challenge_cancelled")
    assert rows(seeded_db, "SELECT pin_failures FROM members WHERE username = 'demo'") == [(3,)]

    # An expired PIN cancels the payment too (swept by the next read).
    again = await start_payment(demo_client, demo, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA))
    clock.advance(5 * 60)
    expired = (
        await demo_client.get(f"{PAYMENTS}/{again.json()['payment']['id']}", headers=auth(demo))
    ).json()
    assert (expired["status"], expired["reason"]) == (
        "cancelada",
        "El PIN de verificación caducó.",
    )
    late = await confirm(
        demo_client, demo, again.json()["challenge"], await latest_pin(demo_client, DEMO_EMAIL)
    )
    assert (late.status_code, late.json()["code"]) == (409, "challenge_expired")
    assert balances(seeded_db) == before
    assert _bill(seeded_db, BILL_CNEL_DEMO) == ("pendiente", 0, None)
    assert (await demo_client.get(PAYMENTS, headers=auth(demo))).json() == []
    assert ledger_problems_of(seeded_db) == []


async def test_a_replayed_payment_moves_money_once(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    body = service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    key = "payment-key-0001"
    started = await start_payment(demo_client, demo, body, key=key)
    restarted = await start_payment(demo_client, demo, body, key=key)
    assert_replayed(started, restarted, 201)
    assert rows(seeded_db, "SELECT COUNT(*) FROM payments") == [(1,)]
    assert rows(seeded_db, "SELECT COUNT(*) FROM challenges") == [(1,)]
    assert len(await pins(demo_client, DEMO_EMAIL)) == 1
    other = await start_payment(demo_client, demo, {**body, "from_account": DEMO_PERSONAL}, key=key)
    assert_key_mismatch(other)

    challenge = started.json()["challenge"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    confirm_key = "confirm-payment-0001"
    await confirmed_once(demo_client, demo, seeded_db, challenge, pin, confirm_key)
    state = money_state(seeded_db)
    assert len(movements_of(seeded_db, "PAG-0000001")) == 2
    # Another key is another confirmation: the challenge is used.
    used = await confirm(demo_client, demo, challenge, pin)
    assert (used.status_code, used.json()["code"]) == (409, "challenge_used")
    mismatch = await confirm(demo_client, demo, challenge, wrong(pin), key=confirm_key)
    assert mismatch.json()["code"] == "idempotency_mismatch"
    assert money_state(seeded_db) == state
    assert ledger_problems_of(seeded_db) == []


async def test_the_list_is_newest_first_and_only_executed(
    demo_client: httpx.AsyncClient, demo: str, clock: ManualClock
) -> None:
    references = []
    for bill_id, amount in ((BILL_CNEL_DEMO, 3_245), (BILL_EPMAPS_DEMO, 1_873)):
        paid = await pay_with_pin(
            demo_client, demo, DEMO_EMAIL, service_body(bill_id, amount, DEMO_VISTA)
        )
        references.append(paid["reference"])
        clock.advance(1)
    pending = await start_payment(demo_client, demo, service_body(BILL_UE, 5_000, DEMO_VISTA))
    assert pending.status_code == 201
    pending_id = pending.json()["payment"]["id"]
    await assert_listed_newest_first(demo_client, demo, PAYMENTS, references, pending_id, limit=1)


async def test_the_ledger_check_sees_broken_payments(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    paid = await pay_with_pin(
        demo_client, demo, DEMO_EMAIL, service_body(BILL_CNEL_DEMO, 3_245, DEMO_VISTA)
    )
    await pay_with_pin(demo_client, demo, DEMO_EMAIL, service_body(BILL_CLARO, 100, DEMO_VISTA))
    problems = ledger_problems_after(
        seeded_db,
        ("UPDATE bills SET paid_cents = paid_cents + 1 WHERE id = ?", (BILL_CLARO,)),
        ("UPDATE payments SET amount_cents = amount_cents + 1 WHERE id = ?", (paid["id"],)),
    )
    assert any(p.startswith("bills whose paid amount") for p in problems)
    assert any(p.startswith("executed payments without their one journal") for p in problems)
    assert any(p.startswith("the collection accounts' balances") for p in problems)
    assert not any(p.startswith("the sum of all balances") for p in problems)


# --- servicios frecuentes -----------------------------------------------------------------------


async def test_frequent_services_are_saved_listed_and_removed(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: Path
) -> None:
    assert (await demo_client.get(FREQUENT, headers=auth(demo))).json() == []
    saved = await demo_client.post(
        FREQUENT,
        json={"biller_code": "CNEL_EP", "reference": "1000-123-456", "alias": "  Luz   casa "},
        headers=keyed(demo),
    )
    assert saved.status_code == 201, saved.text
    luz = saved.json()
    assert {k: v for k, v in luz.items() if k != "id"} == {
        "biller_code": "CNEL_EP",
        "biller_name": "CNEL EP",
        "reference": "1000123456",
        "alias": "Luz casa",
    }
    agua = (
        await demo_client.post(
            FREQUENT,
            json={"biller_code": "EPMAPS", "reference": "4567890", "alias": "Agua"},
            headers=keyed(demo),
        )
    ).json()
    listed = (await demo_client.get(FREQUENT, headers=auth(demo))).json()
    assert listed == [agua, luz]  # by alias
    # Each member sees only its own.
    assert (await demo_client.get(FREQUENT, headers=auth(socio2))).json() == []
    # Paying it again: consult its reference, then pay.
    bill = (await consult(demo_client, demo, luz["biller_code"], luz["reference"])).json()
    assert bill["id"] == BILL_CNEL_DEMO

    before = money_state(seeded_db)
    theirs = await demo_client.delete(f"{FREQUENT}/{luz['id']}", headers=keyed(socio2))
    assert (theirs.status_code, theirs.json()["code"]) == (404, "not_found")
    assert money_state(seeded_db) == before
    removed = await demo_client.delete(f"{FREQUENT}/{luz['id']}", headers=keyed(demo))
    assert removed.status_code == 204
    assert (await demo_client.get(FREQUENT, headers=auth(demo))).json() == [agua]
    gone = await demo_client.delete(f"{FREQUENT}/{luz['id']}", headers=keyed(demo))
    assert gone.status_code == 404
    assert rows(seeded_db, "SELECT reference, alias FROM frequent_services") == [
        ("4567890", "Agua")
    ]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {"biller_code": "CNEL_EP", "reference": "1000 123 456", "alias": "Otra"},
            409,
            "duplicate",
            "reference",
        ),
        ({"biller_code": "CNEL_EP", "reference": "123", "alias": "Luz"}, 422, "validation_error",
         "reference"),
        ({"biller_code": "GAS_QUITO", "reference": "123", "alias": "Gas"}, 422,
         "validation_error", "biller_code"),
        ({"biller_code": "EEQ", "reference": "1523478", "alias": "Luz\nmamá"}, 422,
         "validation_error", "alias"),
        ({"biller_code": "EEQ", "reference": "1523478", "alias": ""}, 422, "validation_error",
         "alias"),
        ({"biller_code": "EEQ", "reference": "1523478", "alias": "x" * 31}, 422,
         "validation_error", "alias"),
    ],
)  # fmt: skip
async def test_frequent_service_refusals(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    first = await demo_client.post(
        FREQUENT,
        json={"biller_code": "CNEL_EP", "reference": "1000123456", "alias": "Luz casa"},
        headers=keyed(demo),
    )
    assert first.status_code == 201
    request = demo_client.post(FREQUENT, json=body, headers=keyed(demo))
    response = await refused_changing_nothing(seeded_db, request, status, code, field)
    if code == "duplicate":
        assert response.json()["message"] == (
            "La referencia 1000123456 de CNEL EP ya está en sus servicios frecuentes como "
            "«Luz casa»."
        )


async def test_saving_a_frequent_service_replays(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    body = {"biller_code": "CNT", "reference": "022345678", "alias": "Teléfono"}
    headers = keyed(demo)
    first = await demo_client.post(FREQUENT, json=body, headers=headers)
    again = await demo_client.post(FREQUENT, json=body, headers=headers)
    assert_replayed(first, again, 201)
    assert rows(seeded_db, "SELECT COUNT(*) FROM frequent_services") == [(1,)]
    missing = await demo_client.post(FREQUENT, json=body, headers=auth(demo))
    assert (missing.status_code, missing.json()["field"]) == (422, "Idempotency-Key")
