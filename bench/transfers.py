"""Transfers benchmark: transfers per second over real HTTP, beside the server's bare /health.

Starts the bundled server as members run it (``python -m mock_server`` in its own process, so it
shares no GIL with the clients) on a loopback port over a fresh seeded database, logs in one
session per client, and drives it with N concurrent keep-alive connections (a minimal HTTP/1.1
client on asyncio streams, so the clients cost the server's cores as little as possible):

1. ``GET /health`` (no database, no session): the ceiling of the HTTP stack on this machine;
2. ``GET /api/v1/accounts`` (a session, a read): what a session and a connection cost;
3. ``POST /api/v1/transfers`` ``propias``, each with a fresh Idempotency-Key, alternating
   direction between two accounts of one member so that funds never run out. ``--pairs
   spread`` (the default): each client is a member of its own, as a branch's clients are,
   moving money between its own two accounts (the benchmark adds these members and their
   accounts, funded from demo's, before it measures); ``--pairs same``: every client is demo
   (a session each) and all move money between demo's two accounts, the seed's only member
   with two accounts of its own: every transfer touches the same two rows.

Engines: ``sqlite`` (``--fresh --db FILE``: a copy of the day's seed template) and
``postgresql`` (a throwaway cluster this script starts as an unprivileged user and removes at
the end, as the tests' tests/postgres.py does, reached over its unix socket; durable: fsync and
synchronous_commit on, so every COMMIT waits for the disk as SQLite's ``synchronous=FULL``
does; the server seeds its empty database itself). By default both run, one after the other
in this one run: SQLite in one process, PostgreSQL with ``--workers`` (2) uvicorn workers.

Printed for each: requests/s, each rate as a share of /health measured on the same server,
p50 and p99 latency, and the CPU time per request and share of one core of the server's
processes (its workers, and for PostgreSQL the database's own processes too: a server far from
busy while its clients wait is held up by something other than work). Then the ledger, read
from the database afterwards (``ledger_problems``, the double-entry invariants, every
statement's running balance chaining in posting order, one journal per 201).
Targets (issue 14), each printed PASS or FAIL: SQLite in one process, transfers/s >= 50% of
/health and p99 < 50 ms; PostgreSQL with 2 workers, transfers/s >= SQLite's in the same run and
p99 < 50 ms.

    .venv/bin/python bench/transfers.py [--engine both|sqlite|postgresql] [--workers N]
                                        [--clients 16] [--seconds 5] [--pairs spread|same]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.loopback

from mock_server.domain.ledger import Leg, post_transfer
from mock_server.store import Database, write_transaction
from tests.loopback import (
    ACCOUNTS,
    TRANSFERS,
    LedgerReport,
    ServerProcess,
    balances,
    ledger_report,
    login,
)
from tests.postgres import SUPERUSER, Cluster, PostgresMissing, running_cluster

# The member whose two accounts the transfers go between (propias: no PIN, no limits).
MEMBER = ("demo", "Demo2026")
ACCOUNT_A, ACCOUNT_B = "00104721", "00204722"
AMOUNT_CENTS = 100
# --pairs spread: what each added member's accounts get from demo's before the load.
FUND_CENTS = 10_000
PAIR_MODES = ("spread", "same")

TARGET_RATIO = 0.50  # SQLite, one process: transfers/s over /health's
TARGET_P99_MS = 50.0
ENGINES = ("sqlite", "postgresql")
DEFAULT_WORKERS = {"sqlite": 1, "postgresql": 2}


class RawConnection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for uvicorn's answers."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        reader, writer = await self._open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            content = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                content += chunk[:-2]
        else:
            content = await reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Phase:
    """What one load phase measured."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, one per counted request
    statuses: Counter[int] = field(default_factory=Counter)
    all_statuses: Counter[int] = field(default_factory=Counter)  # warm-up and tail included
    errors: list[str] = field(default_factory=list)
    refusals: dict[int, bytes] = field(default_factory=dict)  # an answer of each status >= 300
    server_cpu: float | None = None  # CPU seconds the server's processes used in the window
    database_cpu: float | None = None  # of those, PostgreSQL's own processes

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


# (method, path, headers, body) for the n-th request of client c.
RequestMaker = Callable[[int, int], tuple[str, str, dict[str, str], bytes]]


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far; None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it (uvicorn's workers; PostgreSQL's backends)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(child) for child in task.read_text().split()]
    return found


def tree_cpu(roots: Sequence[int]) -> dict[int, float]:
    """CPU seconds so far of every process under ``roots``, by PID."""
    cpu = {}
    for root in roots:
        for pid in descendants(root):
            used = process_cpu(pid)
            if used is not None:
                cpu[pid] = used
    return cpu


async def run_phase(
    name: str,
    url: str,
    clients: int,
    seconds: float,
    warmup: float,
    make: RequestMaker,
    server_pids: Sequence[int],
) -> Phase:
    """``clients`` connections, each sending its next request as soon as the last answered.

    Requests that end within the measured window (after ``warmup``) are counted.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    phase = Phase(name)
    begin = time.perf_counter()
    start, end = begin + warmup, begin + warmup + seconds

    async def client(c: int) -> None:
        conn = RawConnection(host, port)
        n = 0
        try:
            while time.perf_counter() < end:
                method, path, headers, body = make(c, n)
                n += 1
                sent = time.perf_counter()
                try:
                    status, content = await conn.request(method, path, headers, body)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    phase.errors.append(f"{type(exc).__name__}: {exc}")
                    await conn.close()
                    continue
                done = time.perf_counter()
                phase.all_statuses[status] += 1
                if status >= 300:
                    phase.refusals.setdefault(status, content[:300])
                if start <= done <= end:
                    phase.latencies.append(done - sent)
                    phase.statuses[status] += 1
        finally:
            await conn.close()

    async def measure_cpu() -> None:
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        cpu_start = [tree_cpu([pid]) for pid in server_pids]
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        cpu_end = [tree_cpu([pid]) for pid in server_pids]
        # A process that started inside the window counts from zero; one that ended, not.
        used = [
            sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
            for before, after in zip(cpu_start, cpu_end, strict=True)
            if before and after
        ]
        if len(used) == len(server_pids):
            phase.server_cpu = sum(used)
            if len(used) > 1:
                phase.database_cpu = sum(used[1:])

    await asyncio.gather(measure_cpu(), *(client(c) for c in range(clients)))
    phase.seconds = seconds
    return phase


@dataclass(frozen=True)
class Pair:
    """A member (who logs in) and two accounts of theirs the transfers go between."""

    username: str
    password: str
    first: str
    second: str


def add_members(db: str | Path, count: int) -> list[Pair]:
    """``count`` members like demo (demo's password, security image and answers), each with two
    accounts of its own, each funded with FUND_CENTS from demo's (one journal each, so the
    ledger stays whole): for ``--pairs spread``."""
    database = Database(db, pooled=False)
    pairs = []
    now = datetime.now(UTC)
    stamp = now.isoformat()
    try:
        with database.connection() as conn, write_transaction(conn):
            demo_account = conn.execute(
                "SELECT id FROM accounts WHERE number = ?", (ACCOUNT_A,)
            ).fetchone()[0]
            for i in range(count):
                username = f"bench{i:03d}"
                holder = conn.execute(
                    "INSERT INTO holders (identification, kind, name) VALUES (?, 'persona', ?) "
                    "RETURNING id",
                    (f"99{i:08d}", f"Socio de prueba {i}"),
                ).fetchone()[0]
                conn.execute(
                    """
                    INSERT INTO members (username, holder_id, status, password_hash, full_name,
                        email, role, security_image, security_phrase, own_question,
                        own_answer_hash, question_id, answer_hash, language, created_at)
                    SELECT ?, ?, 'active', password_hash, ?, ?, 'member', security_image,
                        security_phrase, own_question, own_answer_hash, question_id, answer_hash,
                        language, created_at
                    FROM members WHERE username = ?
                    """,
                    (username, holder, f"Socio de prueba {i}", f"{username}@example.ec", MEMBER[0]),
                )
                numbers = (f"9{i:03d}0001", f"9{i:03d}0002")
                ids = [
                    conn.execute(
                        "INSERT INTO accounts (number, holder_id, kind, type, opened_at) "
                        "VALUES (?, ?, 'member', 'ahorro_vista', ?) RETURNING id",
                        (number, holder, stamp),
                    ).fetchone()[0]
                    for number in numbers
                ]
                for number, account in zip(numbers, ids, strict=True):
                    post_transfer(
                        conn,
                        now,
                        kind="deposito",  # not a transfer's kind: no transfers row goes with it
                        description="Fondos de la prueba de carga",
                        reference=f"BENCH-{number}",
                        amount_cents=FUND_CENTS,
                        debit=Leg(demo_account, f"Fondos para {number}"),
                        credit=Leg(account, f"Fondos desde {ACCOUNT_A}"),
                    )
                pairs.append(Pair(username, MEMBER[1], *numbers))
    finally:
        database.dispose()
    return pairs


def transfer_maker(tokens: list[str], pairs: list[Pair]) -> RequestMaker:
    """propias between client c's two accounts, alternating direction; a fresh key for each."""

    def make(c: int, n: int) -> tuple[str, str, dict[str, str], bytes]:
        pair = pairs[c % len(pairs)]
        first, second = pair.first, pair.second
        origin, destination = (first, second) if (c + n) % 2 == 0 else (second, first)
        body = json.dumps(
            {
                "kind": "propias",
                "from_account": origin,
                "to_account": destination,
                "amount_cents": AMOUNT_CENTS,
                "description": f"Bench {c}-{n}",
            }
        ).encode()
        headers = {
            "Authorization": f"Bearer {tokens[c]}",
            "Idempotency-Key": f"bench-{uuid.uuid4().hex}",
        }
        return "POST", TRANSFERS, headers, body

    return make


@dataclass
class Run:
    """One engine's server, measured: its phases and its ledger before and after."""

    engine: str
    workers: int
    clients: int
    pairs: list[Pair]
    phases: list[Phase]
    before: LedgerReport
    after: LedgerReport
    moved: dict[str, int]  # account -> cents it changed by

    @property
    def label(self) -> str:
        processes = "one process" if self.workers == 1 else f"{self.workers} workers"
        return f"{'SQLite' if self.engine == 'sqlite' else 'PostgreSQL'}, {processes}"

    @property
    def transfers(self) -> Phase:
        return self.phases[-1]

    @property
    def health(self) -> Phase:
        return self.phases[0]


@contextlib.contextmanager
def database(engine: str, tmp: Path) -> Iterator[tuple[str | Path, list[str], Cluster | None]]:
    """A fresh database of ``engine``: what names it, the server's arguments for it, and the
    PostgreSQL cluster it lives in (None for SQLite)."""
    if engine == "sqlite":
        yield tmp / "bench.sqlite", ["--fresh"], None
        return
    with running_cluster(durable=True) as cluster:
        cluster.admin('CREATE DATABASE "bench"')
        # Over its unix socket, as docs/deploy.md has a branch's server on the database's host
        # connect (TCP on loopback cost ~25% more per transfer here). Empty: the server seeds it.
        url = f"postgresql://{SUPERUSER}@/bench?host={cluster.base}&port={cluster.port}"
        yield url, [], cluster


def postmaster_pid(cluster: Cluster) -> int:
    return int((cluster.data / "postmaster.pid").read_text().split()[0])


def run_engine(engine: str, workers: int, args: argparse.Namespace) -> Run:
    with (
        tempfile.TemporaryDirectory(prefix="sjv-bench-") as tmp,
        database(engine, Path(tmp)) as (db, extra, cluster),
    ):
        server = ServerProcess(db, *extra, "--workers", str(workers), start_timeout=120)
        url = server.start()
        try:
            if args.pairs == "spread":
                pairs = add_members(db, args.clients)
            else:
                pairs = [Pair(*MEMBER, ACCOUNT_A, ACCOUNT_B)]
            with httpx.Client(base_url=url, timeout=30) as client:
                tokens = [
                    login(client, pair.username, pair.password)["Authorization"].split()[1]
                    for pair in (pairs[c % len(pairs)] for c in range(args.clients))
                ]
            before = ledger_report(db)
            money_before = balances(db)
            pids = [server.pid] + ([postmaster_pid(cluster)] if cluster is not None else [])

            def health(c: int, n: int) -> tuple[str, str, dict[str, str], bytes]:
                return "GET", "/health", {}, b""

            def accounts(c: int, n: int) -> tuple[str, str, dict[str, str], bytes]:
                return "GET", ACCOUNTS, {"Authorization": f"Bearer {tokens[c]}"}, b""

            phases = [
                asyncio.run(
                    run_phase(name, url, args.clients, args.seconds, args.warmup, maker, pids)
                )
                for name, maker in (
                    ("GET /health", health),
                    ("GET /api/v1/accounts", accounts),
                    ("POST /api/v1/transfers", transfer_maker(tokens, pairs)),
                )
            ]
        finally:
            server.stop()
        # The ledger after the run, read once the server has stopped.
        after = ledger_report(db)
        money_after = balances(db)
    moved = {n: money_after[n] - money_before[n] for n in money_before}
    return Run(engine, workers, args.clients, pairs, phases, before, after, moved)


def print_run(run: Run, args: argparse.Namespace) -> bool:
    """The run's table and its ledger; whether the ledger is whole."""
    print(
        f"{run.label}: {run.clients} concurrent keep-alive clients on loopback, "
        f"{args.seconds:g} s measured per phase after {args.warmup:g} s of warm-up"
    )
    print(
        f"transfers: --pairs {args.pairs}: "
        + (
            f"{len(run.pairs)} members, each client between its own two accounts"
            if args.pairs == "spread"
            else f"every client between {ACCOUNT_A} and {ACCOUNT_B} (demo's), the same two rows"
        )
    )
    print(
        f"{'request':<24}{'req/s':>7}{'x health':>9}{'p50':>9}{'p99':>9}{'server CPU':>12}"
        f"{'busy':>6}   answers"
    )
    for phase in run.phases:
        answers = ", ".join(f"{n} x {s}" for s, n in sorted(phase.statuses.items()))
        cpu = (
            f"{phase.server_cpu / len(phase.latencies) * 1000:>7.2f}ms/req"
            f"{phase.server_cpu / phase.seconds:>6.0%}"
            if phase.server_cpu is not None and phase.latencies
            else f"{'?':>12}{'?':>6}"
        )
        print(
            f"{phase.name:<24}{phase.rate:>7.0f}{phase.rate / run.health.rate:>8.2f}x"
            f"{phase.percentile_ms(50):>7.1f}ms{phase.percentile_ms(99):>7.1f}ms{cpu}   {answers}"
        )
        if phase.errors:
            print(f"{'':<26}{len(phase.errors)} transport errors, e.g. {phase.errors[0]}")
        for status, content in sorted(phase.refusals.items()):
            print(f"{'':<26}{status}, e.g.: {content.decode(errors='replace')}")
        if phase.database_cpu is not None and phase.latencies:
            print(
                f"{'':<26}of which PostgreSQL's processes: "
                f"{phase.database_cpu / len(phase.latencies) * 1000:.2f}ms/req"
            )
    before, after, moved = run.before, run.after, run.moved
    created = after.journals - before.journals
    sum_ok = after.total_cents == before.total_cents
    used = {number for pair in run.pairs for number in (pair.first, pair.second)}
    others = {n: d for n, d in moved.items() if d and n not in used}
    pair_ok = all(moved[pair.first] + moved[pair.second] == 0 for pair in run.pairs) and not others
    # Every 201 (warm-up included) is one journal; a request lost in transport may or may not be.
    succeeded = run.transfers.all_statuses[201]
    journals_ok = succeeded <= created <= succeeded + len(run.transfers.errors)
    ok = after.ok and sum_ok and pair_ok and journals_ok
    print(
        f"ledger after the run: {created} new journals for {succeeded} transfers answered 201 "
        f"(warm-up included): {'one each' if journals_ok else 'MISMATCH'}"
    )
    if run.engine == "sqlite":
        print(f"  PRAGMA integrity_check: {after.integrity}")
    print(f"  ledger_problems: {after.problems or 'none'}")
    print(
        "  statements (running balance = previous + amount, newest = balance; posting "
        f"sequence and times agree): {after.statements or 'all accounts chain'}"
    )
    print(f"  negative balances: {after.negative or 'none'}")
    print(
        f"  balance = sum of movements = last balance_after: {after.mismatched or 'all accounts'}"
    )
    print(
        f"  sum of all balances: {before.total_cents} -> {after.total_cents} "
        f"({'unchanged' if sum_ok else 'CHANGED'})"
    )
    shown = ", ".join(
        f"{pair.first} {moved[pair.first]:+d}, {pair.second} {moved[pair.second]:+d}"
        for pair in run.pairs[:2]
    )
    more = f" ({len(run.pairs)} pairs, each summing to 0: {pair_ok})" if len(run.pairs) > 2 else ""
    print(f"  {shown} cents{more}; other accounts changed: {others or 'none'}")
    print(f"ledger: {'OK' if ok else 'BROKEN'} ({run.label})")
    if run.transfers.statuses and set(run.transfers.statuses) != {201}:
        print("note: some transfers were not 201 (see answers above)")
    print()
    return ok


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_targets(runs: dict[str, Run]) -> None:
    sqlite, postgresql = runs.get("sqlite"), runs.get("postgresql")
    if sqlite is not None:
        ratio = sqlite.transfers.rate / sqlite.health.rate
        p99 = sqlite.transfers.percentile_ms(99)
        if sqlite.workers == 1:
            print(
                f"target {sqlite.label}: transfers/s >= {TARGET_RATIO:.0%} of /health: "
                f"{verdict(ratio >= TARGET_RATIO)} ({sqlite.transfers.rate:.0f} of "
                f"{sqlite.health.rate:.0f}, {ratio:.0%})"
            )
        print(
            f"target {sqlite.label}: transfers p99 < {TARGET_P99_MS:g} ms at {sqlite.clients} "
            f"clients: {verdict(p99 < TARGET_P99_MS)} ({p99:.1f} ms)"
        )
    if postgresql is not None:
        p99 = postgresql.transfers.percentile_ms(99)
        if sqlite is not None:
            rate, base = postgresql.transfers.rate, sqlite.transfers.rate
            print(
                f"target {postgresql.label}: transfers/s >= SQLite's ({sqlite.label}) in this "
                f"run: {verdict(rate >= base)} ({rate:.0f} vs {base:.0f}, {rate / base:.2f}x)"
            )
        print(
            f"target {postgresql.label}: transfers p99 < {TARGET_P99_MS:g} ms at "
            f"{postgresql.clients} clients: {verdict(p99 < TARGET_P99_MS)} ({p99:.1f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--engine",
        choices=["both", *ENGINES],
        default="both",
        help="both (the default): SQLite in one process, then PostgreSQL with --workers, "
        "compared in one run",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server worker processes (default: 1 on SQLite, 2 on PostgreSQL; with --engine "
        "both, PostgreSQL's: SQLite's target is for one process)",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument(
        "--pairs",
        choices=PAIR_MODES,
        default="spread",
        help="spread (the default): each client a member of its own, between its own two "
        "accounts; same: every client demo, between the same two accounts",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=1.0, help="uncounted seconds per phase")
    args = parser.parse_args()

    engines = ENGINES if args.engine == "both" else (args.engine,)
    runs: dict[str, Run] = {}
    missing = ""
    for engine in engines:
        workers = args.workers or DEFAULT_WORKERS[engine]
        if args.engine == "both" and engine == "sqlite":
            workers = 1
        try:
            runs[engine] = run_engine(engine, workers, args)
        except PostgresMissing as exc:
            if args.engine != "both":
                raise SystemExit(f"bench/transfers.py: {exc}") from exc
            missing = str(exc)  # SQLite is measured all the same; PostgreSQL's targets fail
    ok = [print_run(run, args) for run in runs.values()]
    print_targets(runs)
    if "postgresql" in engines and "postgresql" not in runs:
        print(f"target PostgreSQL, 2 workers: FAIL (not measured: {missing})")
    if not all(ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
