"""The teller's counter on both engines: member search by each kind of query, the audited
member file, cash deposits and withdrawals through the ledger and the teller's drawer, the
four-eyes threshold, idempotent retries and the cuadre de caja."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mock_server.domain import counter
from mock_server.testing import login_token
from tests.api import (
    DEPOSITS,
    DRAWER,
    STAFF,
    WITHDRAWALS,
    audit_rows,
    auth,
    balance,
    decide,
    keyed,
    ledger_problems_after,
    ledger_problems_of,
    open_drawer,
    rows,
)
from tests.database import connect, scalar

MEMBERS = f"{STAFF}/members"

DEMO_HOLDER = 1  # María Fernanda Guamán Quispe, 1712345675, 00104721 (vista), 00204722
SOCIO2_ACCOUNT = "00105349"
SOCIO2_CEDULA = "1704567898"


async def _search(client: httpx.AsyncClient, token: str, q: str) -> dict[str, Any]:
    answer = await client.get(MEMBERS, params={"q": q}, headers=auth(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [hit["name"] for hit in body["results"]]


def _audit(db: Path, action: str) -> list[tuple[Any, ...]]:
    return audit_rows(
        db, action, "a.actor_kind, a.actor, a.member_id, a.reason, a.outcome, a.detail"
    )


async def test_search_by_every_kind_of_query(
    api_client: httpx.AsyncClient, teller_token: str
) -> None:
    demo = "María Fernanda Guamán Quispe"
    cedula = await _search(api_client, teller_token, "1712345675")
    assert _names(cedula) == [demo]
    assert "cedula" in cedula["read_as"]
    assert cedula["results"][0]["accounts"] == ["00104721", "00204722"]
    ruc = await _search(api_client, teller_token, "1791234561001")
    assert _names(ruc) == ["Comercial Andina Cía. Ltda."]
    assert ruc["read_as"] == ["ruc"]
    # The account: as in the cartola, without its zeros, or with the 1/9 prefix rule.
    for typed in ("00104721", "104721", "1104721", "9204722"):
        assert _names(await _search(api_client, teller_token, typed)) == [demo], typed
    # 9 is ahorro personal: 00104721 is a vista account, so 9104721 names none.
    assert _names(await _search(api_client, teller_token, "9104721")) == []
    # A phone (the seed's, 09 and 8 digits); a 09… of 10 digits is read both ways.
    phone = await _search(api_client, teller_token, "0907919331")
    assert _names(phone) == [demo]
    assert phone["read_as"] == ["cedula", "telefono"]
    gabriela = await _search(api_client, teller_token, "0926687856")
    assert _names(gabriela) == ["Gabriela Cisneros Mora"]
    # Names: any part, without accents or case.
    assert _names(await _search(api_client, teller_token, "guaman")) == [demo]
    assert _names(await _search(api_client, teller_token, "MARÍA fernanda")) == [demo]
    assert _names(await _search(api_client, teller_token, "yanez cev")) == [
        "Luis Alberto Yánez Cevallos"
    ]
    # A username, from its start.
    by_user = await _search(api_client, teller_token, "socio2")
    assert _names(by_user) == ["Carlos Andrés Pillajo Tituaña"]
    assert by_user["results"][0]["username"] == "socio2"
    assert _names(await _search(api_client, teller_token, "nadie-asi")) == []


async def test_search_and_file_are_for_tellers_only(
    api_client: httpx.AsyncClient, teller_token: str
) -> None:
    member = await login_token(api_client, "socio2", "Socio2026")
    for path in (f"{MEMBERS}?q=guaman", f"{MEMBERS}/1/file?reason=Consulta%20de%20saldo"):
        assert (await api_client.get(path, headers=auth(member))).status_code == 403
        assert (await api_client.get(path)).status_code == 401
    short = await api_client.get(MEMBERS, params={"q": "a"}, headers=auth(teller_token))
    assert short.status_code == 422


async def test_member_file_needs_a_reason_and_is_audited(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    path = f"{MEMBERS}/{DEMO_HOLDER}/file"
    refused = await api_client.get(path, headers=auth(teller_token))
    assert refused.status_code == 422
    assert refused.json()["field"] == "reason"
    assert _audit(seeded_db, "member.view") == []
    answer = await api_client.get(
        path, params={"reason": "Socio en ventanilla pide saldo"}, headers=auth(teller_token)
    )
    assert answer.status_code == 200, answer.text
    file = answer.json()
    assert file["identification"] == "1712345675"
    assert [a["number"] for a in file["accounts"]] == ["00104721", "00204722"]
    assert file["accounts"][0]["accounting_cents"] == balance(seeded_db, "00104721")
    assert len(file["movements"]) == 10
    assert file["online"]["state"] == "activo"
    assert file["online"]["username"] == "demo"
    demo_id = scalar(seeded_db, "SELECT id FROM members WHERE username = 'demo'")
    assert _audit(seeded_db, "member.view") == [
        ("teller", "cajero", demo_id, "Socio en ventanilla pide saldo", "ok", "socio 1")
    ]
    locked = await api_client.get(
        f"{MEMBERS}/4/file",
        params={"reason": "Socio no puede ingresar"},
        headers=auth(teller_token),
    )
    assert locked.json()["online"]["state"] == "bloqueado"
    missing = await api_client.get(
        f"{MEMBERS}/999999/file", params={"reason": "Consulta general"}, headers=auth(teller_token)
    )
    assert missing.status_code == 404


async def test_deposit_and_withdrawal_move_the_ledger_and_the_drawer(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    before = balance(seeded_db, SOCIO2_ACCOUNT)
    body = {"account": "1105349", "amount_cents": 2_500, "depositor": "Carlos Pillajo"}
    closed = await api_client.post(DEPOSITS, json=body, headers=keyed(teller_token))
    assert closed.status_code == 409
    assert closed.json()["code"] == "drawer_closed"
    await open_drawer(api_client, teller_token)
    deposit = await api_client.post(DEPOSITS, json=body, headers=keyed(teller_token))
    assert deposit.status_code == 201, deposit.text
    receipt = deposit.json()
    assert receipt["account"] == SOCIO2_ACCOUNT
    assert receipt["status"] == "completada"
    assert receipt["reference"].startswith("CAJ-")
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before + 2_500
    withdrawal = await api_client.post(
        WITHDRAWALS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": 1_000, "identification": SOCIO2_CEDULA},
        headers=keyed(teller_token),
    )
    assert withdrawal.status_code == 201, withdrawal.text
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before + 1_500
    cajero = scalar(seeded_db, "SELECT id FROM members WHERE username = 'cajero'")
    drawer_number = f"9901{cajero:04d}"
    # The drawer was funded from the Caja general, gave 2500 and took 1000 back.
    assert (
        scalar(
            seeded_db,
            "SELECT COUNT(*) FROM journal WHERE kind IN ('deposito_caja', 'retiro_caja')",
        )
        == 2
    )
    funded = scalar(
        seeded_db,
        "SELECT SUM(m.amount_cents) FROM movements AS m JOIN journal AS j ON j.id = m.journal_id "
        "JOIN accounts AS a ON a.id = m.account_id WHERE j.kind = 'dotacion_caja' "
        "AND a.number = ?",
        drawer_number,
    )
    assert balance(seeded_db, drawer_number) == funded - 2_500 + 1_000
    assert ledger_problems_of(seeded_db) == []
    assert [a[1] for a in _audit(seeded_db, "cash.deposit")] == ["cajero"]
    assert [a[4] for a in _audit(seeded_db, "cash.withdrawal")] == ["ok"]
    drawer = (await api_client.get(DRAWER, headers=auth(teller_token))).json()
    assert drawer["deposits_cents"] == 2_500
    assert drawer["withdrawals_cents"] == 1_000
    assert drawer["expected_cents"] == 50_000 + 2_500 - 1_000


async def test_withdrawal_with_the_wrong_id_moves_nothing_and_is_audited(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    before = balance(seeded_db, SOCIO2_ACCOUNT)
    answer = await api_client.post(
        WITHDRAWALS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": 1_000, "identification": "1712345675"},
        headers=keyed(teller_token),
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "identification"
    assert "no es la del titular" in answer.json()["message"]
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before
    assert scalar(seeded_db, "SELECT COUNT(*) FROM counter_operations") == 0
    refused = _audit(seeded_db, "cash.withdrawal")
    assert [(a[1], a[4]) for a in refused] == [("cajero", "refused")]
    assert ledger_problems_of(seeded_db) == []


async def _ask_big_withdrawal(
    client: httpx.AsyncClient, token: str, amount_cents: int = 100_001
) -> dict[str, Any]:
    answer = await client.post(
        WITHDRAWALS,
        json={"account": "00104721", "amount_cents": amount_cents, "identification": "1712345675"},
        headers=keyed(token),
    )
    assert answer.status_code == 202, answer.text
    pending: dict[str, Any] = answer.json()
    assert pending["status"] == "pendiente_aprobacion"
    return pending


async def _approval_of(client: httpx.AsyncClient, supervisor: str, reference: str) -> int:
    queue = await client.get(
        f"{STAFF}/approvals", params={"status": "pendiente"}, headers=auth(supervisor)
    )
    assert queue.status_code == 200, queue.text
    (mine,) = [a for a in queue.json() if a["kind"] == "cash_withdrawal"]
    assert mine["payload"]["reference"] == reference
    assert mine["summary"] == (f"Retiro en efectivo {reference}: $1.000,01 de la cuenta 00104721")
    assert (mine["member"], mine["requested_by"]) == ("demo", "cajero")
    return int(mine["id"])


async def test_withdrawal_above_the_threshold_waits_for_approval(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    before = balance(seeded_db, "00104721")
    pending = await _ask_big_withdrawal(api_client, teller_token)
    assert balance(seeded_db, "00104721") == before
    assert scalar(seeded_db, "SELECT COUNT(*) FROM journal WHERE kind = 'retiro_caja'") == 0
    assert ledger_problems_of(seeded_db) == []
    # The supervisor's approval (the four-eyes executor "cash_withdrawal") moves it.
    supervisor = await login_token(api_client, "supervisor", "Supervisor2026")
    approval_id = await _approval_of(api_client, supervisor, pending["reference"])
    approved = await decide(api_client, supervisor, approval_id)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "aprobada"
    (done,) = rows(
        seeded_db,
        "SELECT status, approved_by FROM counter_operations WHERE reference = ?",
        pending["reference"],
    )
    assert done == ("completada", "supervisor")
    assert balance(seeded_db, "00104721") == before - 100_001
    assert ledger_problems_of(seeded_db) == []
    drawer = (await api_client.get(DRAWER, headers=auth(teller_token))).json()
    assert drawer["withdrawals_cents"] == 100_001
    assert [a[1] for a in _audit(seeded_db, "cash.withdrawal.execute")] == ["supervisor"]


async def test_a_rejected_withdrawal_moves_nothing(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    before = balance(seeded_db, "00104721")
    pending = await _ask_big_withdrawal(api_client, teller_token)
    supervisor = await login_token(api_client, "supervisor", "Supervisor2026")
    approval_id = await _approval_of(api_client, supervisor, pending["reference"])
    rejected = await decide(
        api_client,
        supervisor,
        approval_id,
        "reject",
        {"reason": "El socio no presentó su libreta."},
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rechazada"
    (row,) = rows(
        seeded_db,
        "SELECT status, journal_id FROM counter_operations WHERE reference = ?",
        pending["reference"],
    )
    assert row == ("rechazada", None)
    assert balance(seeded_db, "00104721") == before
    assert [a[1] for a in _audit(seeded_db, "cash.withdrawal.reject")] == ["supervisor"]
    assert ledger_problems_of(seeded_db) == []


async def test_a_supervisor_at_the_counter_cannot_approve_its_own_withdrawal(
    api_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    supervisor = await login_token(api_client, "supervisor", "Supervisor2026")
    await open_drawer(api_client, supervisor)
    pending = await _ask_big_withdrawal(api_client, supervisor)
    queue = await api_client.get(
        f"{STAFF}/approvals", params={"status": "pendiente"}, headers=auth(supervisor)
    )
    (mine,) = [a for a in queue.json() if a["kind"] == "cash_withdrawal"]
    assert mine["requested_by"] == "supervisor"
    refused = await decide(api_client, supervisor, mine["id"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "same_person"
    (row,) = rows(
        seeded_db,
        "SELECT status FROM counter_operations WHERE reference = ?",
        pending["reference"],
    )
    assert row == ("pendiente_aprobacion",)
    # Supervisors work at the counter too: the request is audited as the supervisor's own.
    assert [a[:2] for a in _audit(seeded_db, "cash.withdrawal.request")] == [
        ("supervisor", "supervisor")
    ]


async def test_a_retried_deposit_is_one_operation(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    before = balance(seeded_db, SOCIO2_ACCOUNT)
    headers = keyed(teller_token)
    body = {"account": SOCIO2_ACCOUNT, "amount_cents": 700, "depositor": "Carlos Pillajo"}
    first = await api_client.post(DEPOSITS, json=body, headers=headers)
    again = await api_client.post(DEPOSITS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert scalar(seeded_db, "SELECT COUNT(*) FROM counter_operations") == 1
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before + 700


async def test_cuadre_records_the_difference(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token, 30_000)
    again = await api_client.post(
        f"{DRAWER}/open", json={"opening_float_cents": 1}, headers=keyed(teller_token)
    )
    assert again.status_code == 409
    await api_client.post(
        DEPOSITS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": 12_345, "depositor": "Ana León"},
        headers=keyed(teller_token),
    )
    closed = await api_client.post(
        f"{DRAWER}/close", json={"counted_cents": 42_000}, headers=keyed(teller_token)
    )
    assert closed.status_code == 200, closed.text
    cuadre = closed.json()
    assert cuadre["expected_cents"] == 42_345
    assert cuadre["counted_cents"] == 42_000
    assert cuadre["difference_cents"] == -345
    assert rows(
        seeded_db,
        "SELECT opening_float_cents, expected_cents, counted_cents, difference_cents "
        "FROM cash_drawer_sessions",
    ) == [(30_000, 42_345, 42_000, -345)]
    assert (await api_client.get(DRAWER, headers=auth(teller_token))).status_code == 404
    assert [a[5] for a in _audit(seeded_db, "cash_drawer.close")] == [
        "esperado $423,45 contado $420,00 diferencia -$3,45"
    ]
    assert ledger_problems_of(seeded_db) == []


async def test_the_ledger_checks_catch_a_drawer_that_does_not_add_up(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    answer = await api_client.post(
        DEPOSITS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": 900, "depositor": "Ana León"},
        headers=keyed(teller_token),
    )
    assert answer.status_code == 201
    # An operation whose recorded amount is not what its journal moved.
    changed = ("UPDATE counter_operations SET amount_cents = 901", ())
    problems = "\n".join(ledger_problems_after(seeded_db, changed))
    assert "executed counter operations without their one journal" in problems
    assert "drawer accounts whose balance is not their fundings" in problems


def test_migration_0011_goes_down_and_up(seeded_db: Path) -> None:
    """Down to 0010 (the counter's tables go, the four-eyes requests stay), then up: the
    directory is made again from the holders, each name folded for search."""
    import sqlalchemy as sa
    from alembic import command

    from mock_server.store import Database
    from mock_server.store.migrate import _migration_engine, alembic_config

    holders = rows(seeded_db, "SELECT id, name FROM holders ORDER BY id")
    database = Database(seeded_db, pooled=False)
    engine = _migration_engine(database)
    try:
        with engine.connect() as conn, conn.begin():
            command.downgrade(alembic_config(conn), "0010")
        assert rows(seeded_db, "SELECT version_num FROM alembic_version") == [("0010",)]
        assert rows(seeded_db, "SELECT COUNT(*) FROM approvals") == [(1,)]
        tables = set(sa.inspect(engine).get_table_names())
        assert "approvals" in tables
        assert not tables & {"member_directory", "cash_drawer_sessions", "counter_operations"}
        with engine.connect() as conn, conn.begin():
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()
        database.dispose()
    directory = dict(rows(seeded_db, "SELECT holder_id, name_key FROM member_directory"))
    assert directory == {holder_id: counter.fold(name) for holder_id, name in holders}
    assert directory[DEMO_HOLDER] == "maria fernanda guaman quispe"
    assert rows(seeded_db, "SELECT COUNT(*) FROM counter_operations") == [(0,)]


async def test_cash_beyond_a_drawer_is_refused_and_a_full_drawer_still_reads(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    """Found by schemathesis from outside: a float of $1.000 millones and deposits made the
    cuadre's expected total larger than any amount, and GET and close answered 500."""
    too_much = await api_client.post(
        f"{DRAWER}/open",
        json={"opening_float_cents": 10_000_001},
        headers=keyed(teller_token),
    )
    assert (too_much.status_code, too_much.json()["field"]) == (422, "opening_float_cents")
    assert scalar(seeded_db, "SELECT COUNT(*) FROM cash_drawer_sessions") == 0
    opened = await api_client.post(
        f"{DRAWER}/open", json={"opening_float_cents": 10_000_000}, headers=keyed(teller_token)
    )
    assert opened.status_code == 201
    before = balance(seeded_db, "00104721")
    deposit = {"account": "00104721", "depositor": "María Guamán"}
    refused = await api_client.post(
        DEPOSITS,
        json=deposit | {"amount_cents": 10_000_001},
        headers=keyed(teller_token),
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "amount_cents")
    assert balance(seeded_db, "00104721") == before
    # The sums of a day are not bounded by one operation's maximum: a float stored as large as
    # any amount, and one deposit more, still read and close.
    with connect(seeded_db) as conn:
        conn.execute("UPDATE cash_drawer_sessions SET opening_float_cents = 100000000000")
    more = await api_client.post(
        DEPOSITS, json=deposit | {"amount_cents": 100}, headers=keyed(teller_token)
    )
    assert more.status_code == 201
    shown = await api_client.get(DRAWER, headers=auth(teller_token))
    assert (shown.status_code, shown.json()["expected_cents"]) == (200, 100_000_000_100)
    closed = await api_client.post(
        f"{DRAWER}/close", json={"counted_cents": 0}, headers=keyed(teller_token)
    )
    assert (closed.status_code, closed.json()["difference_cents"]) == (200, -100_000_000_100)
