"""The statement's running balance stays in order when the clearing races other transfers.

Found from outside (issue 13, B.2): the interbank clearing took its timestamp before it held the
write lock, so a transfer that committed while the clearing waited for the lock carried a later
time than the settlement posted after it, and the statement (ordered by time) showed a running
balance that jumped. Here a real server process settles two interbank transfers of demo (one
returned by the clearing: its money comes back to the member's account) while a second client
of demo posts a transfer from the same account; the statement read over HTTP must chain.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.domain.ledger import Leg, ledger_problems, post_transfer, statement_problems
from mock_server.store import Database, write_transaction
from mock_server.store.meta import meta_value, to_db
from mock_server.store.migrate import SCHEMA_VERSION
from mock_server.testing import CLEARING_PAUSE_ENV, login_token
from tests.api import ledger_problems_of
from tests.conftest import CHEAP_HASHER, CLOCK_START
from tests.database import DB, connect
from tests.loopback import (
    ACCOUNTS,
    TRANSFERS,
    ServerProcess,
    challenge_url,
    latest_pin,
    ledger_report,
    login,
)
from tests.schema_files import as_schema_5

DEMO_VISTA, DEMO_PERSONAL = "00104721", "00204722"
DEMO_PICHINCHA = 2  # demo's externa at Banco Pichincha: the clearing completes it
DEMO_PRODUBANCO = 3  # demo's externa at Produbanco: a closed account, the clearing returns it

CLEARING_DELAY = 2  # seconds (small, but both transfers are confirmed before the first is due)
PAUSE = 1.5  # seconds the clearing waits before each settlement's write lock


def _keyed(session: dict[str, str]) -> dict[str, str]:
    return {**session, "Idempotency-Key": f"order-{uuid.uuid4().hex}"}


def _interbank(
    client: httpx.Client, session: dict[str, str], db_path: Path, beneficiary: int, amount: int
) -> tuple[str, dict[str, Any]]:
    """Starts an interbank transfer from DEMO_PERSONAL; its challenge id and confirm body."""
    body = {
        "kind": "interbancarias",
        "from_account": DEMO_PERSONAL,
        "beneficiary_id": beneficiary,
        "amount_cents": amount,
        "description": "Pago externo",
    }
    started = client.post(TRANSFERS, json=body, headers=_keyed(session))
    assert started.status_code == 201, started.text
    challenge = started.json()["challenge"]
    confirm = {
        "pin": latest_pin(db_path),
        "amount_cents": challenge["amount_cents"],
        "payee": challenge["payee"],
    }
    return challenge["id"], confirm


def chain_breaks(items: list[dict[str, Any]], balance: int) -> list[str]:
    """Where a statement page (oldest first) does not chain: each running balance is the one
    before plus the movement's amount, and the newest is the account's balance."""
    breaks = [
        f"{row['reference']} {row['description']!r}: {before['balance_after_cents']} "
        f"{row['amount_cents']:+d} shown as {row['balance_after_cents']}"
        for before, row in itertools.pairwise(items)
        if before["balance_after_cents"] + row["amount_cents"] != row["balance_after_cents"]
    ]
    if items and items[-1]["balance_after_cents"] != balance:
        breaks.append(f"newest running balance {items[-1]['balance_after_cents']} != {balance}")
    return breaks


def test_clearing_racing_a_transfer_keeps_the_running_balance(seeded_db: Path) -> None:
    args = ("--clearing-delay", str(CLEARING_DELAY))
    server = ServerProcess(seeded_db, *args, env={CLEARING_PAUSE_ENV: str(PAUSE)})
    with (
        server,
        httpx.Client(base_url=server.url, timeout=30) as first,
        httpx.Client(base_url=server.url, timeout=30) as second,
    ):
        session_a = login(first, "demo", "Demo2026")
        session_b = login(second, "demo", "Demo2026")
        # Both started (and their PINs read) first, then confirmed back to back: both are
        # executed well within the clearing delay, and nothing settles before the race.
        returned = _interbank(first, session_a, seeded_db, DEMO_PRODUBANCO, 1_000)
        completed = _interbank(first, session_a, seeded_db, DEMO_PICHINCHA, 2_000)
        for challenge_id, body in (returned, completed):
            confirmed = first.post(
                challenge_url(challenge_id), json=body, headers=_keyed(session_a)
            )
            assert confirmed.status_code == 200, confirmed.text
            assert confirmed.json()["transfer"]["status"] == "en_proceso"
        time.sleep(CLEARING_DELAY + 0.3)

        # Client A reads its accounts: that request settles both transfers (and waits
        # PAUSE before each settlement's write lock). Meanwhile client B, the same member
        # on another terminal, moves money out of the account the return goes back to.
        answers: dict[str, httpx.Response] = {}
        reader = threading.Thread(
            target=lambda: answers.update(a=first.get(ACCOUNTS, headers=session_a))
        )
        reader.start()
        time.sleep(PAUSE / 4)
        own = {
            "kind": "propias",
            "from_account": DEMO_PERSONAL,
            "to_account": DEMO_VISTA,
            "amount_cents": 777,
            "description": "Entre mis cuentas",
        }
        posted = second.post(TRANSFERS, json=own, headers=_keyed(session_b))
        assert posted.status_code == 201, posted.text
        reader.join(timeout=30)
        assert answers["a"].status_code == 200, answers["a"].text

        balance = next(
            a["accounting_cents"] for a in answers["a"].json() if a["number"] == DEMO_PERSONAL
        )
        page = second.get(
            f"{ACCOUNTS}/{DEMO_PERSONAL}/movements",
            params={"order": "desc", "limit": 10},
            headers=session_b,
        )
        assert page.status_code == 200, page.text
        items = list(reversed(page.json()["items"]))
        transfers = second.get(TRANSFERS, headers=session_b).json()

    statuses = {t["status"] for t in transfers if t["kind"] == "interbancarias"}
    assert {"rechazada", "completada"} <= statuses
    # The member's statement: the return of the refused transfer is there, and every running
    # balance follows from the one before; the newest is the balance the member was shown.
    assert any(row["amount_cents"] == 1_000 for row in items[-2:]), items
    assert chain_breaks(items, balance) == []
    # The file: every account's statement chains, and the posting sequence and times agree.
    report = ledger_report(seeded_db)
    assert report.ok, report


# --- the check itself, and the posting it holds ------------------------------------------


def _two_journals(path: DB) -> tuple[int, int]:
    """Two transfers from DEMO_PERSONAL to DEMO_VISTA, a second apart, through the ledger."""
    conn = connect(path)
    try:
        journals = []
        for n, seconds in enumerate((1, 2)):
            with write_transaction(conn):
                journals.append(
                    post_transfer(
                        conn,
                        CLOCK_START + timedelta(seconds=seconds),
                        kind="deposito",  # not a transfer journal: no transfer row needed
                        description="Prueba",
                        reference=f"TST-{n}",
                        amount_cents=500 + n,
                        debit=Leg(_account_id(conn, DEMO_PERSONAL), "Prueba"),
                        credit=Leg(_account_id(conn, DEMO_VISTA), "Prueba"),
                    )
                )
        return journals[0], journals[1]
    finally:
        conn.close()


def _account_id(conn: Any, number: str) -> int:
    return int(conn.execute("SELECT id FROM accounts WHERE number = ?", (number,)).fetchone()[0])


def test_the_check_finds_a_movement_posted_out_of_order(seeded_db: Path) -> None:
    _first, second = _two_journals(seeded_db)
    conn = connect(seeded_db)
    try:
        assert statement_problems(conn) == []
        # What the old clearing wrote: the later journal stamped with a time from before the
        # earlier one (taken before the write lock), its running balances computed after it.
        conn.execute(
            "UPDATE movements SET posted_at = ? WHERE journal_id = ?",
            (to_db(CLOCK_START + timedelta(milliseconds=500)), second),
        )
        problems = statement_problems(conn)
        assert ledger_problems(conn) == problems  # part of the ledger check
    finally:
        conn.close()
    # The running balances jump, the newest shown is not the balance, and the sequence and
    # the times disagree.
    assert len(problems) == 3, problems
    chain, last, order = problems
    assert chain.startswith("statements whose running balance does not chain")
    assert DEMO_PERSONAL in chain and DEMO_VISTA in chain
    assert last.startswith("accounts whose balance is not the running balance of their last")
    assert DEMO_PERSONAL in last and DEMO_VISTA in last
    assert order.startswith("statements not in posting order")


def test_the_check_finds_a_running_balance_that_jumps(seeded_db: Path) -> None:
    first, _second = _two_journals(seeded_db)
    conn = connect(seeded_db)
    try:
        # A running balance that does not follow from the one before (in the right order).
        conn.execute(
            "UPDATE movements SET balance_after_cents = balance_after_cents + 1 "
            "WHERE journal_id = ? AND amount_cents > 0",
            (first,),
        )
        problems = statement_problems(conn)
    finally:
        conn.close()
    assert len(problems) == 1, problems
    assert problems[0].startswith("statements whose running balance does not chain")
    assert DEMO_VISTA in problems[0] and DEMO_PERSONAL not in problems[0]


def test_a_posting_never_goes_back_in_time(seeded_db: Path) -> None:
    """A ``now`` older than the last movement (a clock set back, a time read before the lock)
    posts at the last movement's time, after it in the sequence."""
    _first, second = _two_journals(seeded_db)
    conn = connect(seeded_db)
    try:
        last_seq, last_at = conn.execute(
            "SELECT seq, posted_at FROM movements WHERE journal_id = ? ORDER BY seq DESC",
            (second,),
        ).fetchone()
        with write_transaction(conn):
            late = post_transfer(
                conn,
                CLOCK_START - timedelta(hours=1),
                kind="deposito",  # not a transfer journal: no transfer row needed
                description="Prueba",
                reference="TST-late",
                amount_cents=300,
                debit=Leg(_account_id(conn, DEMO_VISTA), "Prueba"),
                credit=Leg(_account_id(conn, DEMO_PERSONAL), "Prueba"),
            )
        posted = conn.execute(
            "SELECT seq, posted_at FROM movements WHERE journal_id = ? ORDER BY seq", (late,)
        ).fetchall()
        assert [tuple(row) for row in posted] == [(last_seq + 1, last_at), (last_seq + 2, last_at)]
        assert ledger_problems(conn) == []
    finally:
        conn.close()


# --- files of schema 5 -------------------------------------------------------------------


def _as_schema_5_with_a_late_settlement(path: Path) -> tuple[int, str]:
    """``path`` as the previous server left it (movements without seq), with the defect's
    damage: a return posted (id order) after a transfer but stamped a second before it.
    Returns the return's movement id and the transfer's time."""
    conn = sqlite3.connect(path)
    try:
        debit_id = _account_id(conn, DEMO_PERSONAL)
        credit_id = _account_id(conn, DEMO_VISTA)
        (balance,) = conn.execute(
            "SELECT balance_cents FROM accounts WHERE id = ?", (debit_id,)
        ).fetchone()
        (other,) = conn.execute(
            "SELECT balance_cents FROM accounts WHERE id = ?", (credit_id,)
        ).fetchone()
        later = to_db(CLOCK_START + timedelta(seconds=2))
        earlier = to_db(CLOCK_START + timedelta(seconds=1))
        as_schema_5(conn)
        moves = [(later, debit_id, credit_id, 700), (earlier, credit_id, debit_id, 200)]
        returned_id = 0
        for stamp, origin, destination, amount in moves:
            journal = conn.execute(
                "INSERT INTO journal (created_at, kind, description) VALUES (?, 'prueba', 'x')",
                (stamp,),
            ).lastrowid
            balance, other = (
                (balance - amount, other + amount)
                if origin == debit_id
                else (balance + amount, other - amount)
            )
            rows = [
                (origin, -amount, balance if origin == debit_id else other),
                (destination, amount, balance if destination == debit_id else other),
            ]
            for account, signed, after in rows:
                returned_id = int(
                    conn.execute(
                        """
                        INSERT INTO movements (journal_id, account_id, posted_at, description,
                            reference, amount_cents, balance_after_cents)
                        VALUES (?, ?, ?, 'Prueba', 'TST-1', ?, ?)
                        """,
                        (journal, account, stamp, signed, after),
                    ).lastrowid
                    or 0
                )
                conn.execute(
                    "UPDATE accounts SET balance_cents = balance_cents + ? WHERE id = ?",
                    (signed, account),
                )
        conn.commit()
    finally:
        conn.close()
    return returned_id, later


@pytest.mark.sqlite_only("schema 5 is an SQLite file of the previous server, migrated on open")
async def test_a_schema_5_file_gets_the_sequence(
    seeded_db: Path, tmp_path: Path, clock: ManualClock
) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copyfile(seeded_db, old)
    returned_id, transfer_at = _as_schema_5_with_a_late_settlement(old)
    app = create_app(old, clock=clock, hasher=CHEAP_HASHER)
    database = Database(old, pooled=False)
    conn = database.connect()
    try:
        assert meta_value(conn, "schema_version") == str(SCHEMA_VERSION)
        # Every movement has its place in the sequence, in id (commit) order; the late
        # return's time was raised to the transfer's, before which it can no longer sort.
        ids = [row[0] for row in conn.execute("SELECT id FROM movements ORDER BY seq")]
        assert ids == sorted(ids)
        returned = conn.execute(
            "SELECT seq = (SELECT COUNT(*) FROM movements), posted_at FROM movements WHERE id = ?",
            (returned_id,),
        ).fetchone()
        assert tuple(returned) == (1, transfer_at)
        assert ledger_problems(conn) == []
        columns = [row[2] for row in conn.execute("PRAGMA index_info(movements_statement)")]
        assert columns == ["account_id", "posted_at", "seq"]
    finally:
        conn.close()
        database.dispose()
    # And the member's statement, over the API, chains.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        token = await login_token(client, "demo", "Demo2026")
        headers = {"Authorization": f"Bearer {token}"}
        page = await client.get(
            f"{ACCOUNTS}/{DEMO_PERSONAL}/movements", params={"limit": 5}, headers=headers
        )
        accounts = (await client.get(ACCOUNTS, headers=headers)).json()
    balance = next(a["accounting_cents"] for a in accounts if a["number"] == DEMO_PERSONAL)
    items = list(reversed(page.json()["items"]))
    assert [row["amount_cents"] for row in items[-2:]] == [-700, 200]
    assert chain_breaks(items, balance) == []
    # Opened again: nothing more to migrate.
    create_app(old, clock=clock, hasher=CHEAP_HASHER)
    assert ledger_problems_of(old) == []
