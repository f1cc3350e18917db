"""Faults under load with two workers: ``kill -9`` of a worker, and PostgreSQL stopped and started.

The server runs as a branch runs it, ``python -m mock_server --workers 2`` in its own process,
over a seeded database (PostgreSQL in a throwaway cluster of this module's own, so stopping it
disturbs no other test; SQLite for the kill cycles too). Client threads send ``propias``
between demo's two accounts, each with an Idempotency-Key recorded with its body before the
first send, and send it again with the same key and body after a timeout, a dropped connection
or a 503, as a client must, until it is answered 2xx. Meanwhile, ``SJV_FAULT_CYCLES`` times
(10 by default, as the issue asks; the three tests took 179–215 s on the 2-core machine
while other suites ran, mostly each new worker's start, so 3 gives a quicker run):

- ``kill -9`` of one of the two workers: uvicorn's supervisor (the server's parent process)
  starts a new one and the load goes on; the parent is never restarted;
- ``pg_ctl stop -m fast`` then ``start``: while PostgreSQL is down a transfer is answered 503
  with ``Retry-After`` (no 500, no hang), and once it is back the same workers serve again,
  without a restart of the server.

Then, on the database: every key the clients sent ends as exactly one transfer (nothing lost:
each was answered 2xx in the end; nothing applied twice: one stored answer, one transfer, one
journal per key, balances equal to what those transfers imply) and the ledger is balanced
(``ledger_problems`` and the per-account checks).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.seed import seed_database
from tests.conftest import CHEAP_HASHER
from tests.database import DB, rows, scalar
from tests.loopback import (
    TRANSFERS,
    ServerProcess,
    balances,
    expected_balances,
    ledger_report,
    login,
)
from tests.postgres import Cluster, PostgresMissing, required, running_cluster

CYCLES = int(os.environ.get("SJV_FAULT_CYCLES", "10"))
THREADS = 4
WORKERS = 2
DEMO_A, DEMO_B = "00104721", "00204722"
# Short: a request held by a dying worker is given up on soon and sent again.
TIMEOUT = httpx.Timeout(10.0, connect=2.0)
# Successes the load must reach between two faults (it is going on) and after each (it is back).
PROGRESS = 5
RECOVERY_SECONDS = 60.0


@dataclass
class Planned:
    key: str
    body: dict[str, Any]
    answers: list[int | str] = field(default_factory=list)  # statuses, or transport errors

    @property
    def move(self) -> tuple[str, str, int]:
        return self.body["from_account"], self.body["to_account"], self.body["amount_cents"]

    @property
    def succeeded(self) -> bool:
        return any(isinstance(a, int) and 200 <= a < 300 for a in self.answers)


class Load:
    """``THREADS`` clients sending transfers until :meth:`finish`; each sends its current one
    again with the same key until it is answered 2xx (the last one too, after ``finish``)."""

    def __init__(self, url: str, auth: dict[str, str]) -> None:
        self.url, self.auth = url, auth
        self.sent: list[Planned] = []
        self.lock = threading.Lock()
        self.successes = 0
        self.unavailable: list[httpx.Response] = []  # every 503, to look at its headers
        self.unexpected: list[str] = []  # answers no fault explains (a 500, a 4xx)
        self.stop = threading.Event()
        self.abort = threading.Event()  # the test failed: not even the last one is retried
        self.threads = [
            threading.Thread(target=self._client, args=(t,), daemon=True) for t in range(THREADS)
        ]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.finish()
        else:  # the test failed already: its error is the one to see, not a slow join
            self.abort.set()
            self.stop.set()

    def _plan(self, thread: int, n: int) -> Planned:
        origin, destination = (DEMO_A, DEMO_B) if (thread + n) % 2 == 0 else (DEMO_B, DEMO_A)
        # Unique amounts: a transfer applied twice would show in the balances as well.
        amount = 100 + n * THREADS + thread
        body = {
            "kind": "propias",
            "from_account": origin,
            "to_account": destination,
            "amount_cents": amount,
            "description": f"Prueba de fallas {thread}-{n}",
        }
        return Planned(f"fault-{thread}-{n}-{uuid.uuid4().hex[:12]}", body)

    def _client(self, thread: int) -> None:
        with httpx.Client(base_url=self.url, timeout=TIMEOUT) as client:
            n = 0
            while not self.stop.is_set():
                planned = self._plan(thread, n)
                n += 1
                with self.lock:
                    self.sent.append(planned)  # before the first send
                deadline = time.monotonic() + RECOVERY_SECONDS * 2
                while not planned.succeeded and time.monotonic() < deadline:
                    if self.abort.is_set():
                        return
                    self._send(client, planned)

    def _send(self, client: httpx.Client, planned: Planned) -> None:
        headers = {**self.auth, "Idempotency-Key": planned.key}
        try:
            response = client.post(TRANSFERS, json=planned.body, headers=headers)
        except httpx.TransportError as exc:  # the worker died under it: the outcome is unknown
            planned.answers.append(type(exc).__name__)
            time.sleep(0.05)
            return
        planned.answers.append(response.status_code)
        if response.status_code == 201:
            with self.lock:
                self.successes += 1
        elif response.status_code == 503:
            with self.lock:
                self.unavailable.append(response)
            time.sleep(0.2)  # Retry-After says 5 s; the test has no time to wait that long
        else:
            with self.lock:
                self.unexpected.append(f"{response.status_code} {response.text[:300]}")
            time.sleep(0.2)

    def progress(self, since: int, *, what: str) -> int:
        """Waits until ``PROGRESS`` more transfers than ``since`` succeeded; the new count."""
        deadline = time.monotonic() + RECOVERY_SECONDS
        while self.successes < since + PROGRESS:
            assert time.monotonic() < deadline, (
                f"no progress {what}: {self.successes - since} transfers in "
                f"{RECOVERY_SECONDS:g} s; unexpected answers: {self.unexpected[-3:]}"
            )
            time.sleep(0.05)
        return self.successes

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=RECOVERY_SECONDS * 2 + 15)
            assert not thread.is_alive(), "a client never got its last transfer through"


def workers_of(server: ServerProcess) -> set[int]:
    """The PIDs of the server's live uvicorn workers (spawned children of its process; a killed
    one stays a zombie until the supervisor notices)."""
    found = set()
    for task in Path(f"/proc/{server.pid}/task").glob("*/children"):
        for pid in task.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue  # gone meanwhile
            spawned = b"multiprocessing.spawn" in command and b"resource_tracker" not in command
            if spawned and state != "Z":
                found.add(int(pid))
    return found


def wait_for_workers(server: ServerProcess, victim: int) -> set[int]:
    """Waits until the server has ``WORKERS`` live workers again, ``victim`` replaced."""
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        current = workers_of(server)
        if len(current) == WORKERS and victim not in current:
            return current
        assert server.process is not None and server.process.poll() is None, server.stderr
        assert time.monotonic() < deadline, f"workers now {current}, {victim} killed"
        time.sleep(0.1)


def kill_cycles(server: ServerProcess, load: Load) -> list[int]:
    """``CYCLES`` times: ``kill -9`` of one worker under load; the PIDs killed."""
    killed = []
    done = load.progress(0, what="before the first kill")
    for cycle in range(CYCLES):
        workers = workers_of(server)
        assert len(workers) == WORKERS, workers
        victim = sorted(workers)[cycle % WORKERS]
        os.kill(victim, 9)
        killed.append(victim)
        wait_for_workers(server, victim)
        done = load.progress(done, what=f"after kill -9 of worker {victim} (cycle {cycle + 1})")
    return killed


def check_database(db: DB, load: Load, before: dict[str, int], journals_before: int) -> None:
    """Nothing lost, nothing applied twice, the ledger balanced."""
    sent = {planned.key: planned for planned in load.sent}
    lost = [key for key, planned in sent.items() if not planned.succeeded]
    assert lost == [], [sent[key].answers for key in lost[:5]]
    assert load.unexpected == []

    stored = {
        key: (status, json.loads(bytes(body)))
        for key, status, body in rows(
            db,
            "SELECT key, status_code, response_body FROM idempotency WHERE key LIKE 'fault-%'",
        )
    }
    assert set(stored) == set(sent)  # one stored answer per key, and no other
    transfer_of = {}
    for key, (status, body) in stored.items():
        assert status == 201, (key, status, body)
        transfer_of[key] = int(body["transfer"]["id"])
    assert len(set(transfer_of.values())) == len(sent)  # no two keys share a transfer
    found = {
        int(row[0]): row[1:]
        for row in rows(
            db,
            """
            SELECT t.id, t.amount_cents, t.status,
                   (SELECT COUNT(*) FROM movements AS m WHERE m.journal_id = t.journal_id)
            FROM transfers AS t WHERE t.description LIKE 'Prueba de fallas %'
            """,
        )
    }
    # Exactly the transfers the keys answered, each once, each with its own two movements.
    assert sorted(found) == sorted(transfer_of.values())
    for key, transfer_id in transfer_of.items():
        amount, status, movements = found[transfer_id]
        assert (int(amount), status, int(movements)) == (
            sent[key].body["amount_cents"],
            "completada",
            2,
        )

    report = ledger_report(db)
    assert report.problems == []
    assert report.statements == []
    assert report.negative == []
    assert report.mismatched == {}
    assert report.journals - journals_before == len(sent)
    assert balances(db) == expected_balances(before, [p.move for p in sent.values()])
    # Shown with -s: how often a request had to be sent again.
    retried = Counter(len(p.answers) > 1 for p in sent.values())
    print(
        f"{len(sent)} transfers, {retried[True]} sent more than once, {len(load.unavailable)} x 503"
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A cluster of this module's own: stopping it must not disturb any other test."""
    try:
        with running_cluster() as started:
            yield started
    except PostgresMissing as exc:
        if required():
            raise
        pytest.skip(str(exc))


def _seeded(engine: str, tmp_path: Path, cluster: Cluster | None) -> DB:
    db: DB
    if engine == "sqlite":
        db = tmp_path / "faults.sqlite"
    else:
        assert cluster is not None
        name = f"faults_{uuid.uuid4().hex[:8]}"
        cluster.admin(f'CREATE DATABASE "{name}"')
        db = cluster.url(name)
    # Seeded now: the server runs on the system clock, after the seeded history.
    seed_database(db, now=datetime.now(UTC), bulk=False, hasher=CHEAP_HASHER)  # type: ignore[arg-type]
    return db


@pytest.fixture
def postgresql_db(cluster: Cluster, tmp_path: Path) -> DB:
    return _seeded("postgresql", tmp_path, cluster)


def _run_kill_cycles(db: DB) -> None:
    before = balances(db)
    journals_before = ledger_report(db).journals
    with ServerProcess(db, "--workers", str(WORKERS), start_timeout=60) as server:
        parent = server.pid
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            auth = login(client, "demo", "Demo2026")
        with Load(server.url, auth) as load:
            killed = kill_cycles(server, load)
        assert len(set(killed)) == CYCLES  # each cycle killed a worker that was serving
        assert server.pid == parent and server.process is not None
        assert server.process.poll() is None, server.stderr
    check_database(db, load, before, journals_before)


def test_kill_9_of_a_worker_on_postgresql(postgresql_db: DB) -> None:
    _run_kill_cycles(postgresql_db)


def test_kill_9_of_a_worker_on_sqlite(tmp_path: Path) -> None:
    _run_kill_cycles(_seeded("sqlite", tmp_path, None))


def test_postgresql_stopped_and_started_under_load(cluster: Cluster, postgresql_db: DB) -> None:
    before = balances(postgresql_db)
    journals_before = ledger_report(postgresql_db).journals
    with ServerProcess(postgresql_db, "--workers", str(WORKERS), start_timeout=60) as server:
        with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
            auth = login(client, "demo", "Demo2026")
        workers = workers_of(server)
        assert len(workers) == WORKERS
        with (
            Load(server.url, auth) as load,
            httpx.Client(base_url=server.url, timeout=TIMEOUT) as probe,
        ):
            done = load.progress(0, what="before the first stop")
            for cycle in range(CYCLES):
                cluster.stop_server("fast")
                try:
                    # While it is down: 503 with Retry-After, for a write and for a read, from
                    # either worker (several requests: each may land on either).
                    for n in range(4):
                        answer = probe.post(
                            TRANSFERS,
                            json={
                                "kind": "propias",
                                "from_account": DEMO_A,
                                "to_account": DEMO_B,
                                "amount_cents": 1,
                                "description": "sonda",
                            },
                            headers={**auth, "Idempotency-Key": f"probe-{cycle}-{n}"},
                        )
                        assert answer.status_code == 503, (cycle, answer.text)
                        assert int(answer.headers["Retry-After"]) > 0
                        read = probe.get("/api/v1/accounts", headers=auth)
                        assert read.status_code == 503, (cycle, read.text)
                        assert int(read.headers["Retry-After"]) > 0
                finally:
                    cluster.start_server()
                done = load.progress(done, what=f"after PostgreSQL came back (cycle {cycle + 1})")
        # The same two workers served throughout: recovered without a restart.
        assert workers_of(server) == workers
        assert server.process is not None and server.process.poll() is None, server.stderr
    assert load.unavailable, "no client request met the database down"
    for response in load.unavailable:
        assert int(response.headers["Retry-After"]) > 0
    assert scalar(postgresql_db, "SELECT COUNT(*) FROM idempotency WHERE key LIKE 'probe-%'") == 0
    check_database(postgresql_db, load, before, journals_before)
