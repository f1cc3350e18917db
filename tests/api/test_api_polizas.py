"""PÓLIZAS: the rates, the simulator, opening one with the PIN, refusals, replays, the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy

from sjvirtual_tui.models import API_PREFIX
from tests.api import (
    CAJA,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_VISTA,
    auth,
    available,
    balances,
    confirm,
    keyed,
    latest_pin,
    ledger_problems_of,
    mails,
    money_state,
    movements_of,
    pins,
    rows,
    wrong,
)
from tests.conftest import SeededDatabases

POLIZAS = f"{API_PREFIX}/polizas"
PLAZO = "99000007"


def _body(amount_cents: int = 100_000, term_days: int = 90, **extra: Any) -> dict[str, Any]:
    return {
        "from_account": DEMO_VISTA,
        "amount_cents": amount_cents,
        "term_days": term_days,
        "renewal": "no_renovar",
        **extra,
    }


async def _start(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    return await client.post(POLIZAS, json=body, headers=keyed(token, key))


async def test_the_demo_member_has_a_poliza(demo_client: httpx.AsyncClient, demo: str) -> None:
    listed = (await demo_client.get(POLIZAS, headers=auth(demo))).json()
    assert len(listed) == 1
    poliza = listed[0]
    assert poliza["reference"] == "POL-0000001"
    assert (poliza["amount_cents"], poliza["term_days"], poliza["rate_bp"]) == (500_000, 180, 600)
    # 5.000,00 x 6 % x 180 / 360 = 150,00; 2 % of it withheld = 3,00
    assert (poliza["interest_cents"], poliza["withholding_cents"]) == (15_000, 300)
    assert poliza["total_cents"] == 514_700
    assert poliza["renewal"] == "renovar_capital"
    assert poliza["status"] == "completada"


async def test_the_simulator_computes_interest_withholding_and_total(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    simulated = await demo_client.post(
        f"{POLIZAS}/simulate",
        json={"amount_cents": 123_456, "term_days": 61, "withholding_bp": 0},
        headers=keyed(demo),
    )
    assert simulated.status_code == 200, simulated.text
    result = simulated.json()
    # 1.234,56 x 5,25 % x 61 / 360 = 10,9826... -> 10,98
    assert (result["rate_bp"], result["interest_cents"], result["withholding_cents"]) == (
        525,
        1_098,
        0,
    )
    assert result["total_cents"] == 124_554
    rates = (await demo_client.get(f"{POLIZAS}/rates", headers=auth(demo))).json()
    assert [r["rate_bp"] for r in rates] == [450, 525, 600, 700, 750]


async def test_the_simulator_refuses_a_small_amount_or_a_short_term(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    small = await demo_client.post(
        f"{POLIZAS}/simulate", json={"amount_cents": 9_999, "term_days": 90}, headers=keyed(demo)
    )
    assert (small.status_code, small.json()["field"]) == (422, "amount_cents")
    assert "100,00" in small.json()["message"]
    short = await demo_client.post(
        f"{POLIZAS}/simulate", json={"amount_cents": 10_000, "term_days": 30}, headers=keyed(demo)
    )
    assert (short.status_code, short.json()["field"]) == (422, "term_days")


async def test_opening_a_poliza_moves_the_capital_once_with_its_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = available(seeded_db, DEMO_VISTA)
    plazo_before = balances(seeded_db)[PLAZO][0]
    key = "poliza-key-0001"
    started = await _start(demo_client, demo, _body(), key=key)
    assert started.status_code == 201, started.text
    poliza, challenge = started.json()["poliza"], started.json()["challenge"]
    assert (poliza["status"], poliza["reference"]) == ("pendiente_verificacion", "POL-0000002")
    assert challenge["purpose"] == "poliza"
    # Nothing moved before the PIN.
    assert available(seeded_db, DEMO_VISTA) == before
    # The same key replays the start: one póliza, one PIN.
    replayed = await _start(demo_client, demo, _body(), key=key)
    assert replayed.content == started.content
    assert replayed.headers["idempotency-replayed"] == "true"
    assert rows(seeded_db, "SELECT COUNT(*) FROM polizas") == [(2,)]
    assert len(await pins(demo_client, DEMO_EMAIL)) == 1
    other = await _start(demo_client, demo, _body(amount_cents=200_000), key=key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_mismatch")

    pin = await latest_pin(demo_client, DEMO_EMAIL)
    confirmed = await confirm(demo_client, demo, challenge, pin, key="poliza-confirm-1")
    assert confirmed.status_code == 200, confirmed.text
    opened = confirmed.json()["poliza"]
    assert opened["status"] == "completada"
    # 1.000,00 x 5,25 % x 90 / 360 = 13,125 -> 13,13 (half up); 2 % = 0,2626 -> 0,26
    assert (opened["interest_cents"], opened["withholding_cents"]) == (1_313, 26)
    assert opened["total_cents"] == 101_287
    state = money_state(seeded_db)
    again = await confirm(demo_client, demo, challenge, pin, key="poliza-confirm-1")
    assert again.content == confirmed.content
    assert money_state(seeded_db) == state
    assert available(seeded_db, DEMO_VISTA) == before - 100_000
    assert balances(seeded_db)[PLAZO][0] == plazo_before + 100_000
    assert [m[:2] for m in movements_of(seeded_db, "POL-0000002")] == [
        (DEMO_VISTA, -100_000),
        (PLAZO, 100_000),
    ]
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    assert receipt["subject"] == "Comprobante de póliza POL-0000002"
    assert "Total al vencimiento: $1.012,87" in receipt["body"]
    listed = (await demo_client.get(POLIZAS, headers=auth(demo))).json()
    assert [p["reference"] for p in listed] == ["POL-0000002", "POL-0000001"]
    assert ledger_problems_of(seeded_db) == []


async def test_insufficient_funds_is_refused_and_changes_nothing(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    state = money_state(seeded_db)
    too_much = available(seeded_db, DEMO_PERSONAL) + 1
    refused = await _start(
        demo_client, demo, _body(amount_cents=max(too_much, 10_000), from_account=DEMO_PERSONAL)
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_funds")
    assert refused.json()["field"] == "amount_cents"
    assert money_state(seeded_db) == state
    assert rows(seeded_db, "SELECT COUNT(*) FROM polizas") == [(1,)]


async def test_three_wrong_pins_cancel_the_poliza(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    started = await _start(demo_client, demo, _body(amount_cents=50_000, term_days=365))
    challenge, poliza = started.json()["challenge"], started.json()["poliza"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)
    answers = [await confirm(demo_client, demo, challenge, wrong(pin)) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 409]
    cancelled = (await demo_client.get(f"{POLIZAS}/{poliza['id']}", headers=auth(demo))).json()
    assert cancelled["status"] == "cancelada"
    late = await confirm(demo_client, demo, challenge, pin)
    assert (late.status_code, late.json()["code"]) == (409, "challenge_cancelled")
    assert balances(seeded_db) == before
    assert balances(seeded_db)[CAJA] == before[CAJA]
    assert ledger_problems_of(seeded_db) == []


async def test_another_members_poliza_is_not_found(
    demo_client: httpx.AsyncClient, socio2: str
) -> None:
    assert (await demo_client.get(POLIZAS, headers=auth(socio2))).json() == []
    found = await demo_client.get(f"{POLIZAS}/1", headers=auth(socio2))
    assert found.status_code == 404
    foreign = await _start(demo_client, socio2, _body())
    assert foreign.status_code == 404


def test_a_database_of_revision_0003_gets_the_polizas(
    engine: str, seeded_databases: SeededDatabases
) -> None:
    """Revision 0005 on a database of 0003 with data: the challenges kept, their CHECKs
    rebuilt to admit a póliza's (and only with its poliza_id), the account 99000007 opened;
    back to 0003 while no póliza is stored, and up again."""
    from alembic import command

    from mock_server.store import Database
    from mock_server.store.migrate import _migration_engine, alembic_config

    target = seeded_databases.empty(engine)
    database = Database(target, pooled=False)
    migrations = _migration_engine(database)
    try:
        with migrations.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
            conn.exec_driver_sql(
                "INSERT INTO accounts (number, kind, name, balance_cents, hold_cents, status,"
                " opened_at) VALUES ('99000001', 'internal', 'Caja general', 0, 0, 'activa',"
                " '2026-01-01T00:00:00.000000Z')"
            )
            conn.exec_driver_sql(
                "INSERT INTO members (id, username, status, full_name, email, role, created_at,"
                " password_hash) VALUES (1, 'cajero', 'setup', 'C', 'c@x.ec', 'teller', 'x', 'h')"
            )
            conn.exec_driver_sql(
                "INSERT INTO challenges (id, member_id, purpose, payee, pin_hash, payload,"
                " created_at, expires_at, attempts_left, status) VALUES ('a234567890123456', 1,"
                " 'beneficiario', 'p', 'h', '{}', 'x', 'y', 3, 'pendiente')"
            )
        with migrations.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with migrations.connect() as conn:
            kept = conn.exec_driver_sql("SELECT id, purpose, poliza_id FROM challenges").all()
            assert [tuple(row) for row in kept] == [("a234567890123456", "beneficiario", None)]
            plazo = conn.exec_driver_sql(
                "SELECT name, balance_cents FROM accounts WHERE number = '99000007'"
            ).all()
            assert [tuple(row) for row in plazo] == [("Depósitos a plazo", 0)]
        orphan = (
            "INSERT INTO challenges (id, member_id, purpose, amount_cents, payee, pin_hash,"
            " created_at, expires_at, attempts_left, status) VALUES ('b234567890123456', 1,"
            " 'poliza', 100, 'p', 'h', 'x', 'y', 3, 'pendiente')"
        )
        with pytest.raises(sqlalchemy.exc.IntegrityError), migrations.begin() as conn:
            conn.exec_driver_sql(orphan)  # a póliza's challenge without its póliza
        with migrations.connect() as conn, conn.begin() as attempt:
            # With its póliza it is admitted (rolled back: the downgrade needs none stored).
            conn.exec_driver_sql(
                "INSERT INTO polizas (id, reference, member_id, status, from_account_id,"
                " amount_cents, term_days, rate_bp, withholding_bp, interest_cents,"
                " withholding_cents, start_date, maturity_date, renewal, created_at) VALUES"
                " (1, 'POL-0000001', 1, 'pendiente_verificacion', 1, 10000, 90, 525, 200, 131,"
                " 3, '2026-12-05', '2027-03-05', 'no_renovar', 'x')"
            )
            conn.exec_driver_sql(
                orphan.replace("status)", "status, poliza_id)").replace(
                    "'pendiente')", "'pendiente', 1)"
                )
            )
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM challenges").scalar() == 2
            attempt.rollback()
        with migrations.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        with migrations.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM challenges").scalar() == 1
    finally:
        migrations.dispose()
        database.dispose()
