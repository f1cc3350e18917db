"""Hundreds of transfers at once, over a real loopback server: the ledger stays whole.

16 threads, each with its own keep-alive connection, drive a uvicorn server (in a thread of this
process) over a private seeded SQLite file: ``propias`` between demo's two accounts in both
directions (a few of them sent twice at the same instant with the same Idempotency-Key), and
``internas`` with the verification PIN, demo -> socio2 and socio2 -> demo, among them some over
the balance or over the limit that must be refused. A third member, masivo, reads its accounts
the whole time. Afterwards every answer is checked against what it should have been, and the
file against what the successful transfers imply: each account's balance, the sum of all
balances, one journal of two movements per executed transfer, no negative balance, every
balance equal to its movements, and ``ledger_problems() == []``.
"""

from __future__ import annotations

import random
import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.domain.pin_limits import PinLimits
from mock_server.testing import run_server_in_thread
from sjvirtual_tui.models import API_PREFIX
from tests.conftest import CHEAP_HASHER
from tests.database import connect
from tests.loopback import (
    ACCOUNTS,
    BENEFICIARIES,
    OUTBOX,
    TRANSFERS,
    balances,
    challenge_url,
    expected_balances,
    json_of,
    ledger_report,
    login,
)

CLIENTS = 16
DEMO_A, DEMO_B = "00104721", "00204722"  # ahorro a la vista (with a hold), ahorro personal
SOCIO2 = "00105349"
MASIVO = "00190001"
PASSWORDS = {"demo": "Demo2026", "socio2": "Socio2026", "masivo": "Masivo2026"}
EMAILS = {"demo": "demo@socios.coacsanjose.ec", "socio2": "socio2@socios.coacsanjose.ec"}
SESSIONS_PER_MEMBER = 4
PIN = re.compile(r"PIN de verificación: ([0-9]{4})")

PROPIAS_EACH_WAY = 64
DUPLICATED_PROPIAS = 8  # of those, sent twice at once with one key
OVER_BALANCE_PROPIAS = 8
INTERNAS_EACH_WAY = 36
OVER_BALANCE_INTERNAS = 8  # socio2 -> demo, more than socio2 could ever hold
OVER_LIMIT_INTERNAS = 4  # demo -> socio2, over the per-transaction limit


@dataclass(frozen=True)
class Job:
    member: str
    kind: str  # propias | internas
    origin: str
    destination: str
    amount: int
    expect: str  # "ok", or the refusal's code
    key: str = field(default_factory=lambda: f"conc-{uuid.uuid4().hex}")
    twin: threading.Barrier | None = None  # set: sent twice at once, with the same key


@dataclass
class Result:
    job: Job
    status: int  # of the request that moved the money (or refused it)
    body: Any
    replayed: bool = False
    confirm_status: int | None = None  # internas: the confirmation's

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def executed(self) -> dict[str, Any] | None:
        """The executed transfer, if this job's money moved."""
        if self.job.kind == "propias" and self.status == 201:
            transfer: dict[str, Any] = self.body["transfer"]
            return transfer
        if self.job.kind == "internas" and self.confirm_status == 200:
            transfer = self.body["transfer"]
            return transfer
        return None


def _jobs(
    demo_start: dict[str, int], socio2_start: int, per_transaction: int, rng: random.Random
) -> list[Job]:
    """The workload, with amounts chosen so that every expected answer is certain."""
    propias = [
        Job("demo", "propias", *pair, 1_000 + 2 * i + n, "ok")
        for i in range(PROPIAS_EACH_WAY)
        for n, pair in enumerate(((DEMO_A, DEMO_B), (DEMO_B, DEMO_A)))
    ]
    demo_to_socio2 = [
        Job("demo", "internas", (DEMO_A, DEMO_B)[i % 2], SOCIO2, 500 + i, "ok")
        for i in range(INTERNAS_EACH_WAY)
    ]
    socio2_to_demo = [
        Job("socio2", "internas", SOCIO2, DEMO_A, 700 + i, "ok") for i in range(INTERNAS_EACH_WAY)
    ]
    # More than the account could hold at any moment of the run, whatever the order.
    inflow_socio2 = sum(job.amount for job in demo_to_socio2)
    inflow_demo = sum(job.amount for job in socio2_to_demo)
    too_much_socio2 = socio2_start + inflow_socio2 + 1
    assert too_much_socio2 <= per_transaction, "the seed changed: pick other amounts"
    too_much_demo = sum(demo_start.values()) + inflow_demo + 1
    refused = [
        *(
            Job("demo", "propias", *pair, too_much_demo + i, "insufficient_funds")
            for i, pair in enumerate([(DEMO_A, DEMO_B), (DEMO_B, DEMO_A)] * 4)
        ),
        *(
            Job("socio2", "internas", SOCIO2, DEMO_A, too_much_socio2 + i, "insufficient_funds")
            for i in range(OVER_BALANCE_INTERNAS)
        ),
        *(
            Job("demo", "internas", DEMO_B, SOCIO2, per_transaction + 1 + i, "limit_exceeded")
            for i in range(OVER_LIMIT_INTERNAS)
        ),
    ]
    assert len(refused) == OVER_BALANCE_PROPIAS + OVER_BALANCE_INTERNAS + OVER_LIMIT_INTERNAS
    # Every successful debit is covered by the origin's available balance at the start alone.
    out = Counter[str]()
    for job in propias + demo_to_socio2 + socio2_to_demo:
        out[job.origin] += job.amount
    assert out[SOCIO2] <= socio2_start
    assert all(out[n] <= demo_start[n] for n in (DEMO_A, DEMO_B))

    units: list[list[Job]] = [[job] for job in propias[DUPLICATED_PROPIAS:]]
    for job in propias[:DUPLICATED_PROPIAS]:
        twin = replace(job, twin=threading.Barrier(2, timeout=60))
        units.append([twin, twin])  # adjacent: two workers pick them up together
    units += [[job] for job in demo_to_socio2 + socio2_to_demo + refused]
    rng.shuffle(units)
    return [job for unit in units for job in unit]


class Members:
    """Sessions (several per member), beneficiaries, and one connection per worker thread."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.local = threading.local()
        self.clients: list[httpx.Client] = []
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0  # jobs under way at once
        # A member's PIN e-mail is told apart from its others by order: one start at a time.
        self.start_locks = {name: threading.Lock() for name in EMAILS}
        with httpx.Client(base_url=base_url, timeout=30) as client:
            # One after another: a login that rehashes the password (the seed's hashes are
            # dearer than this server's) makes a parallel login of the same user fail.
            self.sessions = {
                name: [login(client, name, pw) for _ in range(SESSIONS_PER_MEMBER)]
                for name, pw in PASSWORDS.items()
            }
            self.beneficiary = {
                "demo": self._beneficiary(client, "demo", "1105349"),
                "socio2": self._beneficiary(client, "socio2", "1104721"),
            }

    def _beneficiary(self, client: httpx.Client, member: str, number: str) -> int:
        response = client.get(BENEFICIARIES, headers=self.sessions[member][0])
        assert response.status_code == 200, response.text
        (found,) = [b for b in response.json() if b["kind"] == "interna" and b["number"] == number]
        return int(found["id"])

    def client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client(base_url=self.base_url, timeout=60)
            with self.lock:
                self.clients.append(client)
        return client

    def auth(self, member: str, key: str) -> dict[str, str]:
        session = self.sessions[member][hash(key) % SESSIONS_PER_MEMBER]
        return {**session, "Idempotency-Key": key}

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _run(members: Members, job: Job) -> Result:
    with members.lock:
        members.in_flight += 1
        members.most_in_flight = max(members.most_in_flight, members.in_flight)
    try:
        return _send(members, job)
    finally:
        with members.lock:
            members.in_flight -= 1


def _send(members: Members, job: Job) -> Result:
    client = members.client()
    if job.kind == "propias":
        body = {
            "kind": "propias",
            "from_account": job.origin,
            "to_account": job.destination,
            "amount_cents": job.amount,
            "description": "Entre mis cuentas",
        }
        if job.twin is not None:
            job.twin.wait()
        response = client.post(TRANSFERS, json=body, headers=members.auth(job.member, job.key))
        return Result(
            job,
            response.status_code,
            json_of(response),
            replayed=response.headers.get("Idempotency-Replayed") == "true",
        )
    body = {
        "kind": "internas",
        "from_account": job.origin,
        "beneficiary_id": members.beneficiary[job.member],
        "amount_cents": job.amount,
        "description": "Pago a un socio",
    }
    with members.start_locks[job.member]:
        started = client.post(TRANSFERS, json=body, headers=members.auth(job.member, job.key))
        if started.status_code != 201:
            return Result(job, started.status_code, json_of(started))
        challenge = started.json()["challenge"]
        mails = client.get(OUTBOX).json()
    (pin,) = next(
        PIN.findall(m["body"])
        for m in mails
        if m["to"] == EMAILS[job.member] and PIN.search(m["body"])
    )
    confirm = {"pin": pin, "amount_cents": challenge["amount_cents"], "payee": challenge["payee"]}
    response = client.post(
        challenge_url(challenge["id"]),
        json=confirm,
        headers=members.auth(job.member, f"{job.key}-confirm"),
    )
    return Result(job, started.status_code, json_of(response), confirm_status=response.status_code)


def _watch_masivo(members: Members, done: threading.Event, seen: list[int]) -> None:
    """A member not involved in any transfer: its balance never moves, its reads never fail."""
    with httpx.Client(base_url=members.base_url, timeout=60) as client:
        while not done.is_set():
            response = client.get(ACCOUNTS, headers=members.sessions["masivo"][0])
            assert response.status_code == 200, response.text
            seen.extend(a["accounting_cents"] for a in response.json() if a["number"] == MASIVO)


def _transfer_statuses(db_path: Path) -> Counter[str]:
    conn = connect(db_path)
    try:
        return Counter(
            dict(conn.execute("SELECT status, COUNT(*) FROM transfers GROUP BY status").fetchall())
        )
    finally:
        conn.close()


def test_concurrent_transfers_keep_the_ledger(seeded_db: Path, clock: ManualClock) -> None:
    # One member's 40 PIN transfers in one frozen instant, up to 8 awaiting their PIN at once:
    # past what a member may have on the way (3 pending, 10 PIN e-mails in 15 minutes; their
    # own tests are tests/api/test_pin_limits.py). This test is about the ledger, so they are wider.
    limits = PinLimits(max_pending=CLIENTS, mails=10_000)
    app = create_app(seeded_db, clock=clock, hasher=CHEAP_HASHER, demo=True, pin_limits=limits)
    before = ledger_report(seeded_db)
    assert before.ok, before
    transfers_before = _transfer_statuses(seeded_db)
    money_before = balances(seeded_db)
    with run_server_in_thread(app) as base_url:
        members = Members(base_url)
        try:
            with httpx.Client(base_url=base_url) as client:
                demo_accounts = client.get(ACCOUNTS, headers=members.sessions["demo"][0]).json()
                limits = client.get(
                    f"{API_PREFIX}/limits", headers=members.sessions["socio2"][0]
                ).json()
            available = {a["number"]: a["available_cents"] for a in demo_accounts}
            jobs = _jobs(
                available,
                money_before[SOCIO2],
                limits["per_transaction_cents"],
                random.Random(2026),
            )
            done = threading.Event()
            seen: list[int] = []
            watcher = threading.Thread(target=_watch_masivo, args=(members, done, seen))
            watcher.start()
            try:
                with ThreadPoolExecutor(CLIENTS) as pool:
                    results = list(pool.map(lambda job: _run(members, job), jobs))
            finally:
                done.set()
                watcher.join(timeout=60)
            with httpx.Client(base_url=base_url) as client:
                demo_after = client.get(ACCOUNTS, headers=members.sessions["demo"][0]).json()
        finally:
            members.close()

    assert members.most_in_flight == CLIENTS  # all 16 workers were sending at the same time

    # --- every answer is the one it had to be ---------------------------------------------
    wrong: list[tuple[Any, ...]] = []
    for result in results:
        job = result.job
        if job.expect == "ok":
            transfer = result.executed
            if transfer is None or transfer["status"] != "completada":
                wrong.append((job, result.status, result.confirm_status, result.body))
            elif transfer["amount_cents"] != job.amount or transfer["kind"] != job.kind:
                wrong.append((job, transfer))
        else:
            status = {"insufficient_funds": 409, "limit_exceeded": 422}[job.expect]
            if (result.status, result.code) != (status, job.expect):
                wrong.append((job, result.status, result.body))
            elif result.body.get("field") != "amount_cents":
                wrong.append((job, result.body))
    assert wrong == []
    assert (
        len(results)
        == len(jobs)
        == 2 * PROPIAS_EACH_WAY
        + DUPLICATED_PROPIAS
        + 2 * (INTERNAS_EACH_WAY)
        + OVER_BALANCE_PROPIAS
        + OVER_BALANCE_INTERNAS
        + OVER_LIMIT_INTERNAS
    )

    # The twins: one transfer, answered twice (once for real, once replayed).
    by_key: dict[str, list[Result]] = {}
    for result in results:
        by_key.setdefault(result.job.key, []).append(result)
    twins = [pair for pair in by_key.values() if len(pair) > 1]
    assert len(twins) == DUPLICATED_PROPIAS
    for first, second in twins:
        assert first.body == second.body
        assert sorted([first.replayed, second.replayed]) == [False, True]

    # --- the file matches exactly what the successes imply --------------------------------
    executed = {key: rs[0].executed for key, rs in by_key.items() if rs[0].executed is not None}
    assert len(executed) == 2 * PROPIAS_EACH_WAY + 2 * INTERNAS_EACH_WAY
    moves = [
        (r[0].job.origin, r[0].job.destination, r[0].job.amount)
        for r in by_key.values()
        if r[0].executed is not None
    ]
    money_after = balances(seeded_db)
    assert money_after == expected_balances(money_before, moves)
    assert sum(money_after.values()) == sum(money_before.values())

    after = ledger_report(seeded_db)
    assert after.integrity == "ok"
    assert after.problems == []
    assert after.negative == []
    assert after.mismatched == {}
    assert after.total_cents == before.total_cents
    assert after.journals - before.journals == len(executed)
    assert after.movements - before.movements == 2 * len(executed)

    # Each executed transfer: its own journal of exactly two movements, -amount and +amount,
    # on its origin and destination; the transfers that were refused left no row at all.
    conn = connect(seeded_db)
    # The one aggregate the two engines spell differently.
    concat = "GROUP_CONCAT({}, ' ')" if conn.dialect == "sqlite" else "string_agg({}, ' ')"
    legs = concat.format("a.number || ':' || m.amount_cents")
    try:
        ids = sorted(int(t["id"]) for t in executed.values())
        rows = conn.execute(
            f"""
            SELECT t.id, t.status, t.amount_cents, t.journal_id,
                   {legs} AS legs, COUNT(m.id) AS n
            FROM transfers AS t
            JOIN movements AS m ON m.journal_id = t.journal_id
            JOIN accounts AS a ON a.id = m.account_id
            WHERE t.id IN ({",".join("?" * len(ids))})
            GROUP BY t.id ORDER BY t.id
            """,
            ids,
        ).fetchall()
        assert [row["id"] for row in rows] == ids
        assert len({row["journal_id"] for row in rows}) == len(ids)
        wanted = {int(t["id"]): key for key, t in executed.items()}
        for row in rows:
            job = by_key[wanted[row["id"]]][0].job
            assert (row["status"], row["amount_cents"], row["n"]) == ("completada", job.amount, 2)
            assert sorted(row["legs"].split()) == sorted(
                [f"{job.origin}:{-job.amount}", f"{job.destination}:{job.amount}"]
            )
    finally:
        conn.close()
    # New rows: one per success, nothing pending left over (a refusal at the start stores none).
    new = _transfer_statuses(seeded_db) - transfers_before
    assert dict(new) == {"completada": len(executed)}

    # What the API shows is the file; masivo never saw its balance move.
    assert {a["number"]: a["accounting_cents"] for a in demo_after} == {
        n: money_after[n] for n in (DEMO_A, DEMO_B)
    }
    assert len(seen) > 0 and set(seen) == {money_before[MASIVO]}
