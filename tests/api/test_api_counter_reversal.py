"""The reversal of a counter operation on both engines (issue 18, four eyes): a teller asks
with a reason, a supervisor other than the one who asked approves (the reversing journal, the
drawer's cuadre) or rejects (nothing changes); a deposit the socio already spent cannot be
reversed; each step audited; the ledger checks see the reversals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

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
from tests.database import scalar

OPERATIONS = f"{STAFF}/cash/operations"
SOCIO2_ACCOUNT = "00105349"
SOCIO2_CEDULA = "1704567898"
REASON = "El depósito se registró en otra cuenta."


def _audit(db: Path, action: str) -> list[tuple[Any, ...]]:
    return audit_rows(db, action, "a.actor_kind, a.actor, a.outcome, a.reason, a.detail")


async def _deposit(client: httpx.AsyncClient, token: str, cents: int) -> dict[str, Any]:
    answer = await client.post(
        DEPOSITS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": cents, "depositor": "Carlos Pillajo"},
        headers=keyed(token),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _deposited(client: httpx.AsyncClient, token: str, cents: int) -> dict[str, Any]:
    """The teller's drawer opened and a deposit of ``cents`` made in it: the deposit."""
    await open_drawer(client, token)
    return await _deposit(client, token, cents)


async def _withdraw(client: httpx.AsyncClient, token: str, cents: int) -> httpx.Response:
    return await client.post(
        WITHDRAWALS,
        json={"account": SOCIO2_ACCOUNT, "amount_cents": cents, "identification": SOCIO2_CEDULA},
        headers=keyed(token),
    )


async def _ask(
    client: httpx.AsyncClient, token: str, operation_id: int, reason: str = REASON
) -> httpx.Response:
    return await client.post(
        f"{OPERATIONS}/{operation_id}/reversal", json={"reason": reason}, headers=keyed(token)
    )


async def _operations(client: httpx.AsyncClient, token: str) -> dict[str, dict[str, Any]]:
    answer = await client.get(OPERATIONS, headers=auth(token))
    assert answer.status_code == 200, answer.text
    return {op["reference"]: op for op in answer.json()}


async def _supervisor(client: httpx.AsyncClient) -> str:
    return await login_token(client, "supervisor", "Supervisor2026")


async def _supervisor_decides(
    client: httpx.AsyncClient, asked: httpx.Response, body: dict[str, Any] | None = None
) -> httpx.Response:
    """The supervisor approves the reversal ``asked`` for (``body``: the reason, if any)."""
    supervisor = await _supervisor(client)
    return await decide(client, supervisor, asked.json()["approval"]["id"], "approve", body)


def _counts(db: Path) -> tuple[Any, ...]:
    return (
        scalar(db, "SELECT COUNT(*) FROM approvals WHERE kind = 'counter_reversal'"),
        scalar(db, "SELECT COUNT(*) FROM counter_reversals"),
        scalar(db, "SELECT COUNT(*) FROM journal WHERE kind = 'reverso_caja'"),
        scalar(db, "SELECT COUNT(*) FROM movements"),
    )


async def test_an_approved_reversal_of_a_deposit_undoes_it(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    before = balance(seeded_db, SOCIO2_ACCOUNT)
    deposit = await _deposited(api_client, teller_token, 2_500)
    cajero = scalar(seeded_db, "SELECT id FROM members WHERE username = 'cajero'")
    drawer_number = f"9901{cajero:04d}"
    drawer_before = balance(seeded_db, drawer_number)
    asked = await _ask(api_client, teller_token, deposit["id"])
    assert asked.status_code == 202, asked.text
    approval = asked.json()["approval"]
    assert approval["kind"] == "counter_reversal"
    assert approval["status"] == "pendiente"
    assert approval["summary"] == (
        f"Reverso del depósito {deposit['reference']}: $25,00, cuenta {SOCIO2_ACCOUNT}"
    )
    assert approval["request_reason"] == REASON
    # Nothing moved yet; the teller's list shows it waiting.
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before + 2_500
    assert (await _operations(api_client, teller_token))[deposit["reference"]][
        "reversal"
    ] == "pendiente"
    supervisor = await _supervisor(api_client)
    queue = await api_client.get(
        f"{STAFF}/approvals", params={"status": "pendiente"}, headers=auth(supervisor)
    )
    (mine,) = [a for a in queue.json() if a["kind"] == "counter_reversal"]
    assert (mine["member"], mine["requested_by"]) == ("socio2", "cajero")
    approved = await decide(api_client, supervisor, mine["id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "aprobada"
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before
    assert balance(seeded_db, drawer_number) == drawer_before + 2_500
    (journal,) = rows(
        seeded_db,
        "SELECT m.amount_cents, a.number FROM movements AS m "
        "JOIN journal AS j ON j.id = m.journal_id JOIN accounts AS a ON a.id = m.account_id "
        "WHERE j.kind = 'reverso_caja' AND m.amount_cents < 0",
    )
    assert journal == (-2_500, SOCIO2_ACCOUNT)
    assert ledger_problems_of(seeded_db) == []
    shown = (await _operations(api_client, teller_token))[deposit["reference"]]
    assert (shown["status"], shown["reversal"], shown["reversed_by"]) == (
        "completada",
        "reversada",
        "supervisor",
    )
    drawer = (await api_client.get(DRAWER, headers=auth(teller_token))).json()
    assert (drawer["deposits_cents"], drawer["reversed_deposits_cents"]) == (2_500, 2_500)
    assert drawer["reversals_count"] == 1
    assert drawer["expected_cents"] == 50_000
    assert [a[:3] for a in _audit(seeded_db, "cash.reversal.request")] == [
        ("teller", "cajero", "ok")
    ]
    assert _audit(seeded_db, "cash.reversal.request")[0][3] == REASON
    assert [a[:2] for a in _audit(seeded_db, "cash.reversal.execute")] == [
        ("supervisor", "supervisor")
    ]
    # Done once: neither the approval nor a new request does it again.
    again = await decide(api_client, supervisor, mine["id"])
    assert again.status_code == 409
    twice = await _ask(api_client, teller_token, deposit["id"])
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_reversed"
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before
    # The drawer closes on the expected total that counts the reversal.
    closed = await api_client.post(
        f"{DRAWER}/close", json={"counted_cents": 50_000}, headers=keyed(teller_token)
    )
    assert closed.json()["difference_cents"] == 0


async def test_an_approved_reversal_of_a_withdrawal_gives_the_money_back(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    await open_drawer(api_client, teller_token)
    before = balance(seeded_db, SOCIO2_ACCOUNT)
    answer = await _withdraw(api_client, teller_token, 4_000)
    assert answer.status_code == 201, answer.text
    withdrawal = answer.json()
    asked = await _ask(api_client, teller_token, withdrawal["id"], "Retiro digitado dos veces.")
    assert asked.status_code == 202, asked.text
    summary = asked.json()["approval"]["summary"]
    assert summary.startswith(f"Reverso del retiro {withdrawal['reference']}: $40,00")
    approved = await _supervisor_decides(api_client, asked, {"reason": "Revisado con el socio."})
    assert approved.status_code == 200, approved.text
    assert balance(seeded_db, SOCIO2_ACCOUNT) == before
    assert ledger_problems_of(seeded_db) == []
    drawer = (await api_client.get(DRAWER, headers=auth(teller_token))).json()
    assert (drawer["withdrawals_cents"], drawer["reversed_withdrawals_cents"]) == (4_000, 4_000)
    assert drawer["expected_cents"] == 50_000


async def test_a_rejected_reversal_leaves_the_operation_as_it_was(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    deposit = await _deposited(api_client, teller_token, 1_200)
    after_deposit = balance(seeded_db, SOCIO2_ACCOUNT)
    movements = scalar(seeded_db, "SELECT COUNT(*) FROM movements")
    asked = await _ask(api_client, teller_token, deposit["id"])
    approval_id = asked.json()["approval"]["id"]
    supervisor = await _supervisor(api_client)
    no_reason = await decide(api_client, supervisor, approval_id, "reject")
    assert no_reason.status_code == 422
    rejected = await decide(
        api_client, supervisor, approval_id, "reject", {"reason": "El socio no firmó el reverso."}
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rechazada"
    assert balance(seeded_db, SOCIO2_ACCOUNT) == after_deposit
    assert scalar(seeded_db, "SELECT COUNT(*) FROM movements") == movements
    assert rows(seeded_db, "SELECT status, journal_id FROM counter_reversals") == [
        ("rechazada", None)
    ]
    shown = (await _operations(api_client, teller_token))[deposit["reference"]]
    assert (shown["status"], shown["reversal"]) == ("completada", None)
    drawer = (await api_client.get(DRAWER, headers=auth(teller_token))).json()
    assert drawer["expected_cents"] == 50_000 + 1_200
    assert [a[:2] for a in _audit(seeded_db, "cash.reversal.reject")] == [
        ("supervisor", "supervisor")
    ]
    assert ledger_problems_of(seeded_db) == []
    # Rejected, it may be asked again.
    assert (await _ask(api_client, teller_token, deposit["id"])).status_code == 202


async def test_the_one_who_asked_cannot_approve_and_a_request_is_not_made_twice(
    api_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    supervisor = await _supervisor(api_client)
    await open_drawer(api_client, supervisor)
    deposit = await _deposit(api_client, supervisor, 900)
    asked = await _ask(api_client, supervisor, deposit["id"])
    assert asked.status_code == 202, asked.text
    twice = await _ask(api_client, supervisor, deposit["id"])
    assert twice.status_code == 409
    assert twice.json()["code"] == "reversal_pending"
    assert "reverso pendiente" in twice.json()["message"]
    approval_id = asked.json()["approval"]["id"]
    refused = await decide(api_client, supervisor, approval_id)
    assert refused.status_code == 403
    assert refused.json()["code"] == "same_person"
    assert rows(seeded_db, "SELECT status FROM counter_reversals") == [("pendiente",)]
    assert scalar(seeded_db, "SELECT COUNT(*) FROM journal WHERE kind = 'reverso_caja'") == 0
    assert [a[:2] for a in _audit(seeded_db, "cash.reversal.request")] == [
        ("supervisor", "supervisor")
    ]


async def test_a_deposit_already_spent_is_not_reversed(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    deposit = await _deposited(api_client, teller_token, 3_000)
    # Asked while the money is there; then the socio takes all but $10,00 of it.
    asked = await _ask(api_client, teller_token, deposit["id"])
    assert asked.status_code == 202
    spend = balance(seeded_db, SOCIO2_ACCOUNT) - 1_000
    supervisor = await _supervisor(api_client)
    taken = await _withdraw(api_client, teller_token, spend)
    if taken.status_code == 202:  # above the threshold: a supervisor approves it
        queue = await api_client.get(
            f"{STAFF}/approvals", params={"status": "pendiente"}, headers=auth(supervisor)
        )
        (big,) = [a for a in queue.json() if a["kind"] == "cash_withdrawal"]
        ok = await decide(api_client, supervisor, big["id"])
        assert ok.status_code == 200, ok.text
    else:
        assert taken.status_code == 201, taken.text
    assert balance(seeded_db, SOCIO2_ACCOUNT) == 1_000
    counts = _counts(seeded_db)
    # The supervisor's approval is refused: nothing moves and the request still waits.
    refused = await decide(api_client, supervisor, asked.json()["approval"]["id"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "already_spent"
    assert refused.json()["message"] == (
        f"No se puede reversar el depósito {deposit['reference']}: la cuenta {SOCIO2_ACCOUNT} "
        "ya no tiene ese dinero (disponible $10,00). No se cambió nada."
    )
    assert _counts(seeded_db) == counts
    assert balance(seeded_db, SOCIO2_ACCOUNT) == 1_000
    assert rows(seeded_db, "SELECT status FROM counter_reversals") == [("pendiente",)]
    assert (
        scalar(
            seeded_db,
            "SELECT status FROM approvals WHERE id = ?",
            asked.json()["approval"]["id"],
        )
        == "pendiente"
    )
    # A new deposit, asked after the money is gone: refused at once, nothing stored.
    second = await _deposit(api_client, teller_token, 5_000)
    await _withdraw(api_client, teller_token, 5_500)
    counts = _counts(seeded_db)
    audited = len(_audit(seeded_db, "cash.reversal.request"))
    late = await _ask(api_client, teller_token, second["id"])
    assert late.status_code == 409
    assert late.json()["code"] == "already_spent"
    assert "ya no tiene ese dinero" in late.json()["message"]
    assert _counts(seeded_db) == counts
    assert len(_audit(seeded_db, "cash.reversal.request")) == audited
    assert ledger_problems_of(seeded_db) == []


async def test_who_may_ask_and_what_is_checked(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    deposit = await _deposited(api_client, teller_token, 800)
    member = await login_token(api_client, "socio2", "Socio2026")
    assert (await _ask(api_client, member, deposit["id"])).status_code == 403
    assert (await api_client.get(OPERATIONS, headers=auth(member))).status_code == 403
    assert (
        await api_client.post(
            f"{OPERATIONS}/{deposit['id']}/reversal", json={"reason": REASON}, headers=keyed()
        )
    ).status_code == 401
    short = await _ask(api_client, teller_token, deposit["id"], "no")
    assert short.status_code == 422
    assert short.json()["field"] == "reason"
    missing = await _ask(api_client, teller_token, 999_999)
    assert missing.status_code == 404
    # Another's drawer: the supervisor at the counter cannot reverse the cajero's operation.
    supervisor = await _supervisor(api_client)
    assert (await _ask(api_client, supervisor, deposit["id"])).status_code == 404
    # A teller asks but never decides.
    asked = await _ask(api_client, teller_token, deposit["id"])
    decided = await decide(api_client, teller_token, asked.json()["approval"]["id"])
    assert decided.status_code == 403
    # A withdrawal still waiting for its approval has nothing to reverse.
    big = await _withdraw(api_client, teller_token, 100_001)
    assert big.status_code == 202, big.text
    waiting = await _ask(api_client, teller_token, big.json()["id"])
    assert waiting.status_code == 409
    assert waiting.json()["code"] == "not_executed"
    # A retried request is one request.
    second = await _deposit(api_client, teller_token, 700)
    headers = keyed(teller_token)
    body = {"reason": REASON}
    first = await api_client.post(
        f"{OPERATIONS}/{second['id']}/reversal", json=body, headers=headers
    )
    again = await api_client.post(
        f"{OPERATIONS}/{second['id']}/reversal", json=body, headers=headers
    )
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert scalar(seeded_db, "SELECT COUNT(*) FROM counter_reversals") == 2


async def test_a_closed_drawer_operations_are_not_reversed(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    deposit = await _deposited(api_client, teller_token, 600)
    asked = await _ask(api_client, teller_token, deposit["id"])
    await api_client.post(
        f"{DRAWER}/close", json={"counted_cents": 50_600}, headers=keyed(teller_token)
    )
    assert (await _operations(api_client, teller_token)) == {}
    refused = await _supervisor_decides(api_client, asked)
    assert refused.status_code == 409
    assert refused.json()["code"] == "drawer_closed"
    assert scalar(seeded_db, "SELECT COUNT(*) FROM journal WHERE kind = 'reverso_caja'") == 0


async def test_the_ledger_checks_catch_a_reversal_that_does_not_undo(
    api_client: httpx.AsyncClient, teller_token: str, seeded_db: Path
) -> None:
    deposit = await _deposited(api_client, teller_token, 1_500)
    asked = await _ask(api_client, teller_token, deposit["id"])
    await _supervisor_decides(api_client, asked)
    # The reversal forgotten (its journal stays): the drawer and the journal's owner are off.
    forgotten = ("UPDATE counter_reversals SET status = 'rechazada', journal_id = NULL", ())
    problems = "\n".join(ledger_problems_after(seeded_db, forgotten))
    assert "counter reversal journals that belong to no reversal" in problems
    assert "drawer accounts whose balance is not their fundings" in problems


def test_migration_0012_goes_down_and_up(seeded_db: Path) -> None:
    """Down to 0011 (the reversals' table goes, the operations stay), then up again."""
    import sqlalchemy as sa
    from alembic import command

    from mock_server.store import Database
    from mock_server.store.migrate import _migration_engine, alembic_config

    database = Database(seeded_db, pooled=False)
    engine = _migration_engine(database)
    try:
        with engine.connect() as conn, conn.begin():
            command.downgrade(alembic_config(conn), "0011")
        assert rows(seeded_db, "SELECT version_num FROM alembic_version") == [("0011",)]
        tables = set(sa.inspect(engine).get_table_names())
        assert "counter_operations" in tables
        assert "counter_reversals" not in tables
        with engine.connect() as conn, conn.begin():
            command.upgrade(alembic_config(conn), "head")
    finally:
        engine.dispose()
        database.dispose()
    assert rows(seeded_db, "SELECT version_num FROM alembic_version") == [("0012",)]
    assert rows(seeded_db, "SELECT COUNT(*) FROM counter_reversals") == [(0,)]
