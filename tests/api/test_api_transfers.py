"""TRANSFERENCIAS: the three kinds end to end, the clearing, limits, funds, replays, the ledger."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain import clearing
from mock_server.domain.clock import ManualClock
from mock_server.domain.money import money as server_money
from sjvirtual_tui.formatting import money
from tests.api import (
    ACCOUNTS,
    CAJA,
    COMPENSACION,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_PICHINCHA,
    DEMO_PRODUBANCO,
    DEMO_TO_SOCIO2,
    DEMO_VISTA,
    LIMITS,
    SALIDAS,
    SOCIO2_TO_DEMO,
    SOCIO2_VISTA,
    TRANSFERS,
    assert_a_cent_too_much_refused,
    assert_key_mismatch,
    assert_late_hold_refused,
    assert_listed_newest_first,
    assert_replayed,
    assert_returned_to_demo,
    auth,
    balances,
    confirm,
    confirmed_once,
    interbancaria_with_pin,
    keyed,
    latest_pin,
    ledger_problems_after,
    ledger_problems_of,
    mails,
    money_state,
    pins,
    refused_changing_nothing,
    rows,
    start_transfer,
    transfer_to,
    transfer_with_pin,
    wrong,
)
from tests.api import movements_of as _movements
from tests.conftest import login_token
from tests.database import connect


async def test_propias_is_executed_at_once(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    response = await start_transfer(
        demo_client,
        demo,
        kind="propias",
        from_account=DEMO_PERSONAL,
        to_account=DEMO_VISTA,
        amount_cents=123_456,  # above the limits: propias have none
        description="Ahorro del mes",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["challenge"] is None
    transfer = body["transfer"]
    assert transfer["reference"] == "TRF-0000001"
    assert (transfer["kind"], transfer["status"]) == ("propias", "completada")
    assert (transfer["from_account"], transfer["to_account"]) == (DEMO_PERSONAL, DEMO_VISTA)
    assert transfer["to_name"] == "María Fernanda Guamán Quispe"
    assert transfer["executed_at"] is not None and transfer["settled_at"] is None

    after = balances(seeded_db)
    assert after[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 123_456
    assert after[DEMO_VISTA][0] == before[DEMO_VISTA][0] + 123_456
    assert _movements(seeded_db, "TRF-0000001") == [
        (DEMO_PERSONAL, -123_456, "Transferencia a cuenta propia 00104721 · TRF-0000001"),
        (DEMO_VISTA, 123_456, "Transferencia desde cuenta propia 00204722 · TRF-0000001"),
    ]
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert receipt["subject"] == "Comprobante de transferencia TRF-0000001"
    for words in (
        "$1.234,56",
        "Cuenta origen: 00204722",
        "Cuenta propia 00104721",
        "25/11/2026 a las 10:00",
        "COMPLETADA",
        "Ahorro del mes",
    ):
        assert words in receipt["body"]
    # The statement and the accounts show it.
    page = (
        await demo_client.get(
            f"{ACCOUNTS}/{DEMO_VISTA}/movements", params={"limit": 1}, headers=auth(demo)
        )
    ).json()
    assert page["items"][0]["reference"] == "TRF-0000001"
    assert page["items"][0]["balance_after_cents"] == after[DEMO_VISTA][0]
    listed = (await demo_client.get(TRANSFERS, headers=auth(demo))).json()
    assert listed == [transfer]
    assert ledger_problems_of(seeded_db) == []


async def test_internas_moves_money_to_the_other_socio(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    started = await transfer_to(
        demo_client,
        demo,
        "internas",
        DEMO_VISTA,
        DEMO_TO_SOCIO2,
        25_050,
        description="Arriendo noviembre",
    )
    assert started.status_code == 201, started.text
    pending, challenge = started.json()["transfer"], started.json()["challenge"]
    assert pending["status"] == "pendiente_verificacion" and pending["executed_at"] is None
    assert (pending["to_account"], pending["to_name"]) == (
        "1105349",
        "C***** A***** P****** T******",
    )
    assert challenge["purpose"] == "transferencia"
    assert (challenge["amount_cents"], challenge["payee"]) == (25_050, "transferencia:1:1105349")
    assert balances(seeded_db) == before  # no money moves before the PIN
    assert (await demo_client.get(TRANSFERS, headers=auth(demo))).json() == []
    pin_mail = (await mails(demo_client, DEMO_EMAIL))[0]
    assert "$250,50" in pin_mail["body"] and "1105349" in pin_mail["body"]

    confirmed = await confirm(
        demo_client, demo, challenge, await latest_pin(demo_client, DEMO_EMAIL)
    )
    assert confirmed.status_code == 200, confirmed.text
    transfer = confirmed.json()["transfer"]
    assert transfer["status"] == "completada" and transfer["executed_at"] is not None
    after = balances(seeded_db)
    assert after[DEMO_VISTA][0] == before[DEMO_VISTA][0] - 25_050
    assert after[SOCIO2_VISTA][0] == before[SOCIO2_VISTA][0] + 25_050
    reference = transfer["reference"]
    assert _movements(seeded_db, reference) == [
        (DEMO_VISTA, -25_050, f"Transferencia a Carlos P. · {reference}"),
        (SOCIO2_VISTA, 25_050, f"Transferencia de María G. · {reference}"),
    ]
    # socio2 reads it in its own statement.
    statement = (
        await demo_client.get(
            f"{ACCOUNTS}/{SOCIO2_VISTA}/movements", params={"limit": 1}, headers=auth(socio2)
        )
    ).json()
    assert statement["items"][0]["description"] == f"Transferencia de María G. · {reference}"
    assert (await mails(demo_client, DEMO_EMAIL))[0]["subject"] == (
        f"Comprobante de transferencia {reference}"
    )
    assert ledger_problems_of(seeded_db) == []


async def test_interbancaria_is_en_proceso_until_the_clearing_settles(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    transfer = await interbancaria_with_pin(
        demo_client, demo, DEMO_PERSONAL, DEMO_PICHINCHA, 80_000
    )
    assert transfer["status"] == "en_proceso"
    assert (transfer["to_institution"], transfer["to_account"]) == ("Banco Pichincha", "2203456789")
    held = balances(seeded_db)
    assert held[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 80_000
    assert held[COMPENSACION][0] == 80_000
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert "EN PROCESO" in receipt["body"] and "Banco Pichincha" in receipt["body"]
    assert ledger_problems_of(seeded_db) == []

    clock.advance(59)
    same = await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))
    assert same.json()["status"] == "en_proceso"
    clock.advance(2)
    settled = (await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))).json()
    assert settled["status"] == "completada"
    assert settled["settled_at"] is not None and settled["reason"] is None
    after = balances(seeded_db)
    assert after[COMPENSACION][0] == 0
    assert after[SALIDAS][0] == 80_000
    assert after[DEMO_PERSONAL][0] == before[DEMO_PERSONAL][0] - 80_000
    assert sum(b for b, _h in after.values()) == sum(b for b, _h in before.values())
    notice = (await mails(demo_client, DEMO_EMAIL))[0]
    assert notice["subject"] == f"Transferencia {transfer['reference']} acreditada"
    # Settled once: more reads change nothing.
    journals = rows(seeded_db, "SELECT COUNT(*) FROM journal")
    await demo_client.get(TRANSFERS, headers=auth(demo))
    await demo_client.get(ACCOUNTS, headers=auth(demo))
    assert rows(seeded_db, "SELECT COUNT(*) FROM journal") == journals
    assert len(_movements(seeded_db, transfer["reference"])) == 4
    assert ledger_problems_of(seeded_db) == []


async def test_a_closed_account_is_rechazada_and_the_money_returns(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    before = balances(seeded_db)
    transfer = await interbancaria_with_pin(demo_client, demo, DEMO_VISTA, DEMO_PRODUBANCO, 10_000)
    assert transfer["status"] == "en_proceso"
    limits = (await demo_client.get(LIMITS, headers=auth(demo))).json()
    assert limits["used_today_cents"] == 10_000
    clock.advance(60)
    accounts = (await demo_client.get(ACCOUNTS, headers=auth(demo))).json()  # settles it
    vista = next(a for a in accounts if a["number"] == DEMO_VISTA)
    assert vista["accounting_cents"] == before[DEMO_VISTA][0]
    returned = (await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))).json()
    assert returned["status"] == "rechazada"
    assert returned["reason"] == (
        "Produbanco rechazó la transferencia: la cuenta destino está cerrada."
    )
    assert balances(seeded_db) == before
    reference = transfer["reference"]
    subject = f"Transferencia {reference} rechazada: dinero devuelto"
    await assert_returned_to_demo(demo_client, demo, seeded_db, reference, subject)


async def test_two_settlers_move_the_money_once(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    transfers = [
        await interbancaria_with_pin(demo_client, demo, DEMO_PERSONAL, beneficiary, amount)
        for beneficiary, amount in [(DEMO_PICHINCHA, 1_000), (DEMO_PRODUBANCO, 2_000)]
    ]
    now = clock.now()
    clock.advance(61)
    settled: list[int] = []
    barrier = threading.Barrier(4)

    def settle() -> None:
        conn = connect(seeded_db)
        try:
            barrier.wait()
            settled.append(clearing.settle_due(conn, clock, 60))
        finally:
            conn.close()

    threads = [threading.Thread(target=settle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(settled) == 2
    statuses = rows(seeded_db, "SELECT reference, status FROM transfers ORDER BY id")
    assert statuses == [
        (transfers[0]["reference"], "completada"),
        (transfers[1]["reference"], "rechazada"),
    ]
    assert len(_movements(seeded_db, transfers[0]["reference"])) == 4
    assert len(_movements(seeded_db, transfers[1]["reference"])) == 4
    assert now < clock.now()
    assert ledger_problems_of(seeded_db) == []


async def test_limits_per_transaction_and_per_day(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    limits = (await demo_client.get(LIMITS, headers=auth(demo))).json()
    assert limits == {
        "per_transaction_cents": 200_000,
        "daily_cents": 500_000,
        "used_today_cents": 0,
        "available_today_cents": 500_000,
    }
    before = money_state(seeded_db)
    over = await transfer_to(demo_client, demo, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, 200_001)
    assert over.status_code == 422
    assert over.json() == {
        "code": "limit_exceeded",
        "message": "El monto supera su límite por transacción de $2.000,00. "
        "Hoy le quedan $5.000,00.",
        "field": "amount_cents",
    }
    assert money_state(seeded_db) == before

    for beneficiary in (DEMO_TO_SOCIO2, DEMO_PICHINCHA):
        await transfer_with_pin(
            demo_client,
            demo,
            DEMO_EMAIL,
            kind="internas" if beneficiary == DEMO_TO_SOCIO2 else "interbancarias",
            from_account=DEMO_PERSONAL,
            beneficiary_id=beneficiary,
            amount_cents=200_000,
        )
    # propias do not count.
    own = await transfer_to(demo_client, demo, "propias", DEMO_VISTA, DEMO_PERSONAL, 50_000)
    assert own.status_code == 201
    limits = (await demo_client.get(LIMITS, headers=auth(demo))).json()
    assert (limits["used_today_cents"], limits["available_today_cents"]) == (400_000, 100_000)

    daily = await transfer_to(demo_client, demo, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, 100_001)
    assert daily.status_code == 422
    assert daily.json()["message"] == (
        "El monto supera su límite diario de $5.000,00. Hoy le quedan $1.000,00."
    )
    # Two transfers that each fit, started before either is confirmed: the second is
    # refused at confirmation, and its challenge stays open.
    first, second = [
        await transfer_to(demo_client, demo, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, 60_000)
        for _ in range(2)
    ]
    second_pin, first_pin = (await pins(demo_client, DEMO_EMAIL))[:2]
    ok = await confirm(demo_client, demo, second.json()["challenge"], second_pin)
    assert ok.status_code == 200
    refused = await confirm(demo_client, demo, first.json()["challenge"], first_pin)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "limit_exceeded"
    assert "Hoy le quedan $400,00." in refused.json()["message"]
    challenge_id = first.json()["challenge"]["id"]
    assert rows(
        seeded_db, "SELECT status, attempts_left FROM challenges WHERE id = ?", challenge_id
    ) == [("pendiente", 3)]
    assert rows(
        seeded_db, "SELECT status FROM transfers WHERE id = ?", first.json()["transfer"]["id"]
    ) == [("pendiente_verificacion",)]

    # The next day in Ecuador (00:00 is 05:00 UTC) starts with the whole daily limit.
    clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))
    token = await login_token(demo_client, "demo", "Demo2026")
    limits = (await demo_client.get(LIMITS, headers=auth(token))).json()
    assert (limits["used_today_cents"], limits["available_today_cents"]) == (0, 500_000)
    assert ledger_problems_of(seeded_db) == []


async def test_insufficient_funds_names_the_account_and_its_available_balance(
    demo_client: httpx.AsyncClient, socio2: str, seeded_db: Path
) -> None:
    available_now = await assert_a_cent_too_much_refused(
        seeded_db,
        lambda cents: transfer_to(
            demo_client, socio2, "internas", SOCIO2_VISTA, SOCIO2_TO_DEMO, cents
        ),
    )

    # Funds are checked again at confirmation: spent meanwhile, the confirmation is refused.
    started = await transfer_to(
        demo_client, socio2, "internas", SOCIO2_VISTA, SOCIO2_TO_DEMO, available_now
    )
    # A hold appears (a cheque deposit, say).
    await assert_late_hold_refused(demo_client, socio2, seeded_db, started, "100")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"kind": "propias", "from_account": DEMO_PERSONAL}, 422, "validation_error", "to_account"),
        (
            {"kind": "propias", "from_account": DEMO_PERSONAL, "to_account": DEMO_PERSONAL},
            422,
            "validation_error",
            "to_account",
        ),
        (
            {
                "kind": "propias",
                "from_account": DEMO_PERSONAL,
                "to_account": DEMO_VISTA,
                "beneficiary_id": 1,
            },
            422,
            "validation_error",
            "beneficiary_id",
        ),
        (
            {"kind": "internas", "from_account": DEMO_PERSONAL},
            422,
            "validation_error",
            "beneficiary_id",
        ),
        (
            {"kind": "internas", "from_account": DEMO_PERSONAL, "beneficiary_id": DEMO_PICHINCHA},
            422,
            "validation_error",
            "beneficiary_id",
        ),
        (
            {
                "kind": "interbancarias",
                "from_account": DEMO_PERSONAL,
                "beneficiary_id": DEMO_TO_SOCIO2,
            },
            422,
            "validation_error",
            "beneficiary_id",
        ),
        (
            {
                "kind": "internas",
                "from_account": DEMO_PERSONAL,
                "beneficiary_id": 1,
                "to_account": DEMO_VISTA,
            },
            422,
            "validation_error",
            "to_account",
        ),
        (
            {
                "kind": "internas",
                "from_account": DEMO_PERSONAL,
                "beneficiary_id": 1,
                "description": "Pago\r\nextra",
            },
            422,
            "validation_error",
            "description",
        ),
        (
            {
                "kind": "internas",
                "from_account": DEMO_PERSONAL,
                "beneficiary_id": 1,
                "description": "   ",
            },
            422,
            "validation_error",
            "description",
        ),
        ({"kind": "otra", "from_account": DEMO_PERSONAL}, 422, "validation_error", "kind"),
        (
            {
                "kind": "propias",
                "from_account": DEMO_PERSONAL,
                "to_account": DEMO_VISTA,
                "amount_cents": 0,
            },
            422,
            "validation_error",
            "amount_cents",
        ),
        (
            {
                "kind": "propias",
                "from_account": DEMO_PERSONAL,
                "to_account": DEMO_VISTA,
                "amount_cents": 12.5,
            },
            422,
            "validation_error",
            "amount_cents",
        ),
        # Not the member's: the same 404 as nobody's.
        (
            {"kind": "propias", "from_account": SOCIO2_VISTA, "to_account": DEMO_VISTA},
            404,
            "not_found",
            None,
        ),
        (
            {"kind": "propias", "from_account": DEMO_PERSONAL, "to_account": SOCIO2_VISTA},
            404,
            "not_found",
            None,
        ),
        (
            {"kind": "propias", "from_account": DEMO_PERSONAL, "to_account": CAJA},
            404,
            "not_found",
            None,
        ),
        (
            {"kind": "internas", "from_account": DEMO_PERSONAL, "beneficiary_id": SOCIO2_TO_DEMO},
            404,
            "not_found",
            None,
        ),
        (
            {"kind": "internas", "from_account": DEMO_PERSONAL, "beneficiary_id": 999},
            404,
            "not_found",
            None,
        ),
    ],
)
async def test_refused_transfers_change_nothing(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    payload = {"amount_cents": 1_000, "description": "Prueba", **body}
    request = demo_client.post(TRANSFERS, json=payload, headers=keyed(demo))
    await refused_changing_nothing(seeded_db, request, status, code, field)


async def test_kind_is_labelled_for_transfers(demo_client: httpx.AsyncClient, demo: str) -> None:
    response = await demo_client.post(
        TRANSFERS,
        json={"kind": "otra", "from_account": DEMO_PERSONAL, "amount_cents": 1, "description": "x"},
        headers=keyed(demo),
    )
    assert response.json()["message"].startswith("Tipo de transferencia:")


async def test_an_account_that_is_not_activa_is_unavailable(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET status = 'bloqueada' WHERE number = ?", (DEMO_PERSONAL,))
    before = money_state(seeded_db)
    origin = await transfer_to(demo_client, demo, "propias", DEMO_PERSONAL, DEMO_VISTA, 1_000)
    destination = await transfer_to(demo_client, demo, "propias", DEMO_VISTA, DEMO_PERSONAL, 1_000)
    for response in (origin, destination):
        assert response.status_code == 409
        assert response.json()["code"] == "account_unavailable"
    assert "00204722 está bloqueada" in origin.json()["message"]
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET status = 'bloqueada' WHERE number = ?", (SOCIO2_VISTA,))
    third_party = await transfer_to(
        demo_client, demo, "internas", DEMO_VISTA, DEMO_TO_SOCIO2, 1_000
    )
    assert third_party.status_code == 409
    assert third_party.json()["code"] == "account_unavailable"
    assert money_state(seeded_db) == before


async def test_another_members_transfer_is_404(
    demo_client: httpx.AsyncClient, demo: str, socio2: str
) -> None:
    done = await transfer_to(demo_client, demo, "propias", DEMO_PERSONAL, DEMO_VISTA, 1_000)
    transfer_id = done.json()["transfer"]["id"]
    theirs = await demo_client.get(f"{TRANSFERS}/{transfer_id}", headers=auth(socio2))
    nobody = await demo_client.get(f"{TRANSFERS}/999", headers=auth(socio2))
    assert theirs.status_code == nobody.status_code == 404
    assert theirs.content == nobody.content
    assert (await demo_client.get(TRANSFERS, headers=auth(socio2))).json() == []


async def test_a_replayed_transfer_moves_money_once(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    body = {
        "kind": "propias",
        "from_account": DEMO_PERSONAL,
        "to_account": DEMO_VISTA,
        "amount_cents": 7_777,
        "description": "Una sola vez",
    }
    headers = keyed(demo)
    first = await demo_client.post(TRANSFERS, json=body, headers=headers)
    after = money_state(seeded_db)
    again = await demo_client.post(TRANSFERS, json=body, headers=headers)
    assert_replayed(first, again, 201)
    assert money_state(seeded_db) == after
    other = await demo_client.post(TRANSFERS, json={**body, "amount_cents": 7_778}, headers=headers)
    assert_key_mismatch(other)
    assert money_state(seeded_db) == after
    assert len(_movements(seeded_db, first.json()["transfer"]["reference"])) == 2

    # A third-party transfer: the start and the confirmation replay alike.
    headers = keyed(demo)
    start_body = {
        "kind": "internas",
        "from_account": DEMO_PERSONAL,
        "beneficiary_id": DEMO_TO_SOCIO2,
        "amount_cents": 3_000,
        "description": "Replay",
    }
    started = await demo_client.post(TRANSFERS, json=start_body, headers=headers)
    restarted = await demo_client.post(TRANSFERS, json=start_body, headers=headers)
    assert_replayed(started, restarted, 201)
    assert rows(seeded_db, "SELECT COUNT(*) FROM challenges") == [(1,)]
    challenge = started.json()["challenge"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    key = "confirm-key-0001"
    confirmed = await confirmed_once(demo_client, demo, seeded_db, challenge, pin, key)
    assert len(_movements(seeded_db, confirmed.json()["transfer"]["reference"])) == 2
    # The same key with another PIN is another request.
    mismatch = await confirm(demo_client, demo, challenge, wrong(pin), key=key)
    assert mismatch.status_code == 422
    assert mismatch.json()["code"] == "idempotency_mismatch"
    assert ledger_problems_of(seeded_db) == []


async def test_the_list_is_newest_first_and_only_executed(
    demo_client: httpx.AsyncClient, demo: str, clock: ManualClock
) -> None:
    references = []
    for amount in (1_000, 2_000, 3_000):
        done = await transfer_to(demo_client, demo, "propias", DEMO_PERSONAL, DEMO_VISTA, amount)
        references.append(done.json()["transfer"]["reference"])
        clock.advance(1)
    pending = await transfer_to(demo_client, demo, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, 4_000)
    assert pending.status_code == 201
    pending_id = pending.json()["transfer"]["id"]
    await assert_listed_newest_first(demo_client, demo, TRANSFERS, references, pending_id, limit=2)


async def test_the_ledger_check_sees_broken_transfers(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    await interbancaria_with_pin(demo_client, demo, DEMO_PERSONAL, DEMO_PICHINCHA, 5_000)
    done = await transfer_to(demo_client, demo, "propias", DEMO_PERSONAL, DEMO_VISTA, 1_000)
    problems = ledger_problems_after(
        seeded_db,
        ("UPDATE transfers SET amount_cents = amount_cents + 1 WHERE id = 1", ()),
        ("DELETE FROM transfers WHERE id = ?", (done.json()["transfer"]["id"],)),
    )
    assert any(p.startswith("the settlement account's balance") for p in problems)
    assert any(p.startswith("executed transfers without their one journal") for p in problems)
    assert any(p.startswith("transfer journals that belong to no transfer") for p in problems)
    assert not any(p.startswith("the sum of all balances") for p in problems)


def test_the_servers_money_is_the_tuis() -> None:
    # The server formats amounts (receipts, refusals) without babel's per-call parsing; the
    # text must stay the TUI's, byte for byte.
    amounts = [*range(-1_000, 1_000), *(10**k + d for k in range(2, 16) for d in (-1, 0, 1))]
    amounts += [-a for a in amounts] + [123_456, 500_000, 2**53]
    assert [server_money(a) for a in amounts] == [money(a) for a in amounts]
    assert server_money(123_456) == "$1.234,56"
    assert server_money(-1_250) == "-$12,50"
