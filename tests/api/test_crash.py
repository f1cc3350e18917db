"""``kill -9`` in the middle of a run of transfers: nothing committed is lost, nothing doubles.

The server runs as its own process (``python -m mock_server --db FILE``) over a seeded file.
Several threads send ``propias`` between demo's two accounts, each with an Idempotency-Key that is
recorded, with its body, before the first send. Once enough have succeeded the server gets a
``SIGKILL`` while requests are in flight: their outcome is unknown to the client. The file is
checked as the crash left it, the server is started again on it, and every unknown transfer is
sent again with its original key and body, as a client must. Then, on the file: the integrity
check, the ledger's invariants, exactly one transfer with exactly one journal of two movements
for each key that got a 201 (the first time or on the retry), no other transfer, and balances
equal to what those transfers imply. A retry is a replay exactly when its first send had
committed before the kill.

SQLite only (no ``engine``): what it checks is the SQLite file a killed writer leaves behind (the
integrity check, the write-ahead log recovered on the next open).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from mock_server.seed import seed_database
from tests.conftest import CHEAP_HASHER
from tests.loopback import (
    TRANSFERS,
    ServerProcess,
    balances,
    count,
    expected_balances,
    ledger_report,
    login,
    read_only,
)

THREADS = 6
PLANNED_PER_THREAD = 400  # far more than are sent before the kill
ROUNDS = 3  # kill -9, restart, retry
KILL_AFTER = 40  # successes in a round before its SIGKILL
DEMO_A, DEMO_B = "00104721", "00204722"
TIMEOUT = httpx.Timeout(10.0, connect=2.0)


@dataclass(frozen=True)
class Planned:
    key: str
    body: dict[str, Any]

    @property
    def move(self) -> tuple[str, str, int]:
        return self.body["from_account"], self.body["to_account"], self.body["amount_cents"]


@dataclass
class Outcome:
    status: int | None = None  # None: unknown (no answer)
    body: Any = None
    replayed: bool = False
    error: str = ""


def _plan(thread: int) -> list[Planned]:
    plan = []
    for i in range(PLANNED_PER_THREAD):
        origin, destination = (DEMO_A, DEMO_B) if (thread + i) % 2 == 0 else (DEMO_B, DEMO_A)
        body = {
            "kind": "propias",
            "from_account": origin,
            "to_account": destination,
            # Unique amounts: a transfer executed twice would show in the balances too.
            "amount_cents": 100 + thread * PLANNED_PER_THREAD + i,
            "description": f"Prueba de caída {thread}-{i}",
        }
        plan.append(Planned(f"crash-{thread}-{i}-{uuid.uuid4().hex[:12]}", body))
    return plan


def _send(client: httpx.Client, auth: dict[str, str], planned: Planned) -> Outcome:
    try:
        response = client.post(
            TRANSFERS, json=planned.body, headers={**auth, "Idempotency-Key": planned.key}
        )
    except httpx.TransportError as exc:  # timeout, reset, refused: the outcome is unknown
        return Outcome(error=f"{type(exc).__name__}: {exc}")
    return Outcome(
        response.status_code,
        response.json(),
        replayed=response.headers.get("Idempotency-Replayed") == "true",
    )


def _run_until_killed(
    server: ServerProcess,
    auth: dict[str, str],
    plans: list[Iterator[Planned]],
    sent: dict[str, Planned],
) -> dict[str, Outcome]:
    """Every thread sends its next planned transfers until the server is killed under it.

    Returns the first outcome of each transfer sent in this round; each thread ends at its
    first unanswered request (the server is gone).
    """
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()
    succeeded = threading.Semaphore(0)

    def worker(plan: Iterator[Planned]) -> None:
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            for planned in plan:
                with lock:
                    sent[planned.key] = planned  # before the first send
                outcome = _send(client, auth, planned)
                with lock:
                    outcomes[planned.key] = outcome
                if outcome.status is None:
                    return
                succeeded.release()

    threads = [threading.Thread(target=worker, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for _ in range(KILL_AFTER):
        assert succeeded.acquire(timeout=30), "the transfers did not get going"
    server.kill()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    return outcomes


def test_kill_9_mid_run_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "crash.sqlite"
    # Seeded now: the server runs on the system clock, after the seeded history.
    seed_database(db_path, now=datetime.now(UTC), bulk=False, hasher=CHEAP_HASHER)
    money_before = balances(db_path)
    journals_before = ledger_report(db_path).journals
    transfers_before = count(db_path, "SELECT COALESCE(MAX(id), 0) FROM transfers")
    server = ServerProcess(db_path)
    plans = [iter(_plan(thread)) for thread in range(THREADS)]
    sent: dict[str, Planned] = {}  # every key, recorded with its body before the first send
    answered: dict[str, Outcome] = {}  # keys answered the first time
    retried: dict[str, Outcome] = {}  # keys whose first send went unanswered, after the retry
    replays = 0
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            auth = login(client, "demo", "Demo2026")
        for _round in range(ROUNDS):
            outcomes = _run_until_killed(server, auth, plans, sent)
            unknown = [key for key, outcome in outcomes.items() if outcome.status is None]
            assert 1 <= len(unknown) <= THREADS, [outcomes[k].error for k in unknown]
            for key, outcome in outcomes.items():
                if outcome.status is not None:
                    assert (outcome.status, outcome.replayed) == (201, False), outcome
                    answered[key] = outcome

            # The file as the crash left it (opening it recovers the write-ahead log, as a
            # start would): whole, balanced, holding every transfer that was answered 201.
            crashed = ledger_report(db_path, writable=True)
            assert (crashed.integrity, crashed.problems, crashed.mismatched) == ("ok", [], {})
            assert crashed.negative == []
            committed = _stored_keys(db_path)
            assert set(answered) | set(retried) <= committed <= set(sent)

            # Started again on the same file: the session survived; every unknown is retried
            # with its key and body, and is a replay exactly when its first send had committed.
            server.start()
            with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
                for key in unknown:
                    outcome = _send(client, auth, sent[key])
                    assert outcome.status == 201, (key, outcome)
                    assert outcome.replayed == (key in committed), key
                    replays += outcome.replayed
                    retried[key] = outcome
        # Any key sent again later is a replay of its first answer.
        with (
            httpx.Client(base_url=server.url, timeout=TIMEOUT) as client,
            ThreadPoolExecutor(8) as pool,
        ):
            keys = [*answered, *retried]
            again = dict(
                zip(keys, pool.map(lambda k: _send(client, auth, sent[k]), keys), strict=True)
            )
    finally:
        server.stop()

    for key, outcome in again.items():
        assert (outcome.status, outcome.replayed) == (201, True)
        assert outcome.body == (answered.get(key) or retried[key]).body
    # Shown with -s: how often the kill fell between a COMMIT and its answer.
    print(f"{len(sent)} sent, {len(retried)} unknown after kill -9, {replays} had committed")

    final = {**answered, **retried}
    assert set(final) == set(sent)
    transfer_of = {key: int(outcome.body["transfer"]["id"]) for key, outcome in final.items()}
    assert len(set(transfer_of.values())) == len(final)  # no two keys share a transfer

    after = ledger_report(db_path)
    assert after.integrity == "ok"
    assert after.problems == []
    assert after.negative == []
    assert after.mismatched == {}
    assert after.journals - journals_before == len(final)
    assert balances(db_path) == expected_balances(money_before, [p.move for p in sent.values()])

    conn = read_only(db_path)
    try:
        stored = {
            row["key"]: (row["status_code"], json.loads(row["response_body"]))
            for row in conn.execute("SELECT key, status_code, response_body FROM idempotency")
        }
        rows = conn.execute(
            """
            SELECT t.id, t.amount_cents, t.status, t.journal_id,
                   (SELECT COUNT(*) FROM movements AS m WHERE m.journal_id = t.journal_id) AS n,
                   (SELECT COUNT(*) FROM transfers AS u WHERE u.journal_id = t.journal_id) AS uses
            FROM transfers AS t WHERE t.id > ?
            """,
            (transfers_before,),
        ).fetchall()
    finally:
        conn.close()
    # Every transfer in the file belongs to exactly one key, and every key has exactly one.
    by_id = {row["id"]: row for row in rows}
    assert sorted(by_id) == sorted(transfer_of.values())
    for key, transfer_id in transfer_of.items():
        status, body = stored[key]
        assert (status, body["transfer"]["id"]) == (201, transfer_id)
        row = by_id[transfer_id]
        assert row["amount_cents"] == sent[key].body["amount_cents"]
        assert (row["status"], row["n"], row["uses"]) == ("completada", 2, 1)
        assert row["journal_id"] is not None


def _stored_keys(db_path: Path) -> set[str]:
    """The Idempotency-Keys whose effect committed (their answer is stored with it)."""
    conn = read_only(db_path, writable=True)
    try:
        rows = conn.execute("SELECT key FROM idempotency WHERE key LIKE 'crash-%'")
        return {row[0] for row in rows}
    finally:
        conn.close()
