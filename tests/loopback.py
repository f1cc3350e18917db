"""The bundled server as a separate process on a loopback port, and the ledger read from its file.

Used by the crash test (``tests/api/test_crash.py``), the concurrency test and the transfers
benchmark (``bench/transfers.py``): the server runs as members run it,
``python -m mock_server --db PATH``, in its own process (its own GIL, a real ``kill -9``), and
everything checked afterwards is read straight from the SQLite file.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mock_server.domain.ledger import ledger_problems, statement_problems
from sjvirtual_tui.models import API_PREFIX
from tests.database import DB, connect, dialect, rows, scalar, server_args

TRANSFERS = f"{API_PREFIX}/transfers"
LOGIN = f"{API_PREFIX}/auth/login"
OUTBOX = f"{API_PREFIX}/demo/outbox"
BENEFICIARIES = f"{API_PREFIX}/beneficiaries"
ACCOUNTS = f"{API_PREFIX}/accounts"


def challenge_url(challenge_id: str) -> str:
    return f"{API_PREFIX}/challenges/{challenge_id}/confirm"


class ServerProcess:
    """``python -m mock_server --db PATH --port 0`` as a child process; its base URL once up.

    ``start()`` reads the URL the server prints and waits until ``/health`` answers (the socket
    is bound before the print but listens only once uvicorn runs). ``kill()`` is a ``SIGKILL``:
    no shutdown code of the server runs.
    """

    def __init__(
        self,
        db_path: DB,
        *args: str,
        env: dict[str, str] | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        # An SQLite file's path, or a PostgreSQL URL (``seeded_db`` of either engine).
        self.db_path: DB = (
            db_path if isinstance(db_path, str) and "://" in db_path else Path(db_path)
        )
        self.args = args
        self.env = env
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._stderr: list[str] = []

    def start(self) -> str:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is already running")
        self._stderr = []
        command = [sys.executable, "-m", "mock_server", *server_args(self.db_path), "--port", "0"]
        self.process = subprocess.Popen(
            [*command, *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            # Its console lines in Spanish whatever the machine's LANG (a test may ask otherwise).
            env={**os.environ, "SJV_LANG": "es", **(self.env or {})},
        )
        # Drained in the background: a server that logs a lot must never block on a full pipe.
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.first_line = line
        found = re.search(r"http://\S+", line)
        if found is None:
            self.process.wait(timeout=10)
            raise RuntimeError(f"the server did not start: {line!r} {''.join(self._stderr)}")
        self.url = found.group(0)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self.url
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server never answered: {''.join(self._stderr)}")
            time.sleep(0.05)

    def _drain_stderr(self) -> None:
        process = self.process
        if process is not None and process.stderr is not None:
            for line in process.stderr:
                self._stderr.append(line)

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def kill(self) -> None:
        """``kill -9``: the process dies wherever it is, in the middle of a COMMIT or not."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """A clean stop (SIGTERM, as Ctrl+C); a kill if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    """Logs in; the Authorization header of the new session."""
    response = client.post(LOGIN, json={"username": username, "password": password})
    assert response.status_code == 200, f"login of {username}: {response.text}"
    return {"Authorization": f"Bearer {response.json()['token']}"}


# --- the ledger, read from the file ----------------------------------------------------------


def read_only(db_path: Path, *, writable: bool = False) -> sqlite3.Connection:
    """A connection to the file that can change nothing (the server may still be running).

    ``writable=True`` is for a file a killed server left: opening it may have to recover the
    write-ahead log, as the server's next start would.
    """
    if writable:
        conn = sqlite3.connect(Path(db_path))
    else:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def balances(db_path: DB) -> dict[str, int]:
    """Every account's accounting balance (members' and the cooperative's own), by number."""
    return {
        str(number): int(balance)
        for number, balance in rows(db_path, "SELECT number, balance_cents FROM accounts")
    }


def count(db_path: DB, sql: str, *params: object) -> int:
    return int(scalar(db_path, sql, *params))


@dataclass
class LedgerReport:
    """What the ledger looks like now, and what is wrong with it (``problems``)."""

    integrity: str
    problems: list[str]  # ledger_problems(): the statements' included
    statements: list[str]  # statement_problems() alone: running balances that do not chain
    total_cents: int
    accounts: int
    negative: list[str]
    journals: int
    movements: int
    # number -> (balance, sum of its movements, balance_after of its last movement)
    mismatched: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.integrity == "ok"
            and not self.problems
            and not self.statements
            and not self.negative
            and not self.mismatched
        )


def ledger_report(db_path: DB, *, writable: bool = False) -> LedgerReport:
    """Integrity check, :func:`ledger_problems` and the per-account checks, spelled out."""
    conn: Any
    if dialect(db_path) == "sqlite":
        conn = read_only(Path(db_path), writable=writable)
        integrity = ", ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    else:
        # PostgreSQL has no PRAGMA integrity_check: its pages are its own to keep whole (a
        # killed client cannot tear them); the ledger's rules below are checked the same.
        conn = connect(db_path)
        integrity = "ok"
    try:
        mismatched: dict[str, tuple[int, int, int]] = {}
        accounts = conn.execute(
            """
            SELECT a.number, a.balance_cents,
                COALESCE((SELECT SUM(m.amount_cents) FROM movements AS m
                          WHERE m.account_id = a.id), 0) AS total,
                COALESCE((SELECT m.balance_after_cents FROM movements AS m
                          WHERE m.account_id = a.id
                          ORDER BY m.posted_at DESC, m.seq DESC LIMIT 1), 0) AS last_after
            FROM accounts AS a
            """
        ).fetchall()
        for row in accounts:
            if not row["balance_cents"] == row["total"] == row["last_after"]:
                mismatched[row["number"]] = (
                    row["balance_cents"],
                    row["total"],
                    row["last_after"],
                )
        negative = [
            str(row[0])
            for row in conn.execute(
                """
                SELECT number FROM accounts WHERE balance_cents < 0 OR hold_cents > balance_cents
                UNION ALL SELECT 'movement ' || id FROM movements WHERE balance_after_cents < 0
                """
            )
        ]
        return LedgerReport(
            integrity=integrity,
            problems=ledger_problems(conn),
            statements=statement_problems(conn),
            total_cents=int(conn.execute("SELECT SUM(balance_cents) FROM accounts").fetchone()[0]),
            accounts=len(accounts),
            negative=negative,
            journals=int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]),
            movements=int(conn.execute("SELECT COUNT(*) FROM movements").fetchone()[0]),
            mismatched=mismatched,
        )
    finally:
        conn.close()


def expected_balances(
    before: dict[str, int], moves: Sequence[tuple[str, str, int]]
) -> dict[str, int]:
    """``before`` with each (from, to, amount) applied: what the successes imply."""
    after = dict(before)
    for origin, destination, amount in moves:
        after[origin] -= amount
        after[destination] += amount
    return after


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


DEMO_EMAIL = "demo@socios.coacsanjose.ec"
PIN_LINE = re.compile(r"^PIN de verificación: ([0-9]{4})$", re.MULTILINE)


def latest_pin(db_path: DB, to: str = DEMO_EMAIL) -> str:
    """The PIN of the newest PIN e-mail to ``to`` (demo), read from the server's outbox table."""
    for (body,) in rows(
        db_path, "SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC", to
    ):
        match = PIN_LINE.search(body)
        if match:
            return match.group(1)
    raise AssertionError(f"no PIN e-mail to {to}")
