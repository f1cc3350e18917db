"""``sjvirtual-mock-server`` on a database URL, with worker processes, and its 503 (issue 14).

What the process does is tested on a real process (``python -m mock_server ...``): the choice of
database on the command line, a password kept out of what it prints, two workers answering on
one socket with nothing lost, a busy database answered with 503 and ``Retry-After``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server import cli
from mock_server.app import create_app
from mock_server.store import StoreError
from mock_server.store.engine import _WRITE_LOCK_KEY
from sjvirtual_tui.models import API_PREFIX
from tests.conftest import SeededDatabases
from tests.database import DB, connect, counts, rows, scalar, tables
from tests.loopback import (
    ACCOUNTS,
    LOGIN,
    TRANSFERS,
    balances,
    expected_balances,
    ledger_report,
)

MEMBER = {"username": "demo", "password": "Demo2026"}
ACCOUNT_A, ACCOUNT_B = "00104721", "00204722"  # demo's own two accounts: propias, no PIN


class Server:
    """``python -m mock_server ARGS --port 0`` in its own process group, its output in files
    (a chatty server never blocks on a pipe)."""

    def __init__(self, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.out = tmp_path / "server.out"
        self.err = tmp_path / "server.err"
        command = [sys.executable, "-m", "mock_server", "--port", "0", *args]
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # the workers too are ended with the group
            )
        self.url = ""

    def output(self) -> str:
        return self.out.read_text() + self.err.read_text()

    def wait_started(self, workers: int = 1, timeout: float = 90) -> str:
        """The URL once ``/health`` answers (and, with ``workers``, once each worker logged its
        start: that needs ``--log-level info``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r" en (http://\S+) ", self.out.read_text())
            started = self.err.read_text().count("Application startup complete")
            if found and (workers == 1 or started >= workers) and _answers(found.group(1)):
                self.url = found.group(1)
                return self.url
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.output()}")

    def wait_exit(self, timeout: float = 90) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the parent stops its workers
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        # Whatever is left of this server's group (a worker the parent could not stop).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def login(client: httpx.Client) -> dict[str, str]:
    response = client.post(LOGIN, json=MEMBER)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def database_args(db: DB) -> list[str]:
    """How the command line names ``seeded_db``: an SQLite file or a PostgreSQL URL."""
    return ["--db", str(db)] if isinstance(db, Path) else ["--database-url", db]


@contextlib.contextmanager
def write_lock_held(db: DB) -> Iterator[None]:
    """Another program holds the database's write lock (SQLite: the file's; PostgreSQL: the
    advisory lock every writer of the server takes) until the block ends."""
    if isinstance(db, Path):
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with connect(db) as conn:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (_WRITE_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("ROLLBACK")


def transfer_body(n: int) -> dict[str, object]:
    origin, destination = (ACCOUNT_A, ACCOUNT_B) if n % 2 == 0 else (ACCOUNT_B, ACCOUNT_A)
    return {
        "kind": "propias",
        "from_account": origin,
        "to_account": destination,
        "amount_cents": 100 + n % 7,
        "description": f"Prueba {n}",
    }


# --- choosing the database ----------------------------------------------------------------------


def test_db_and_database_url_together_are_refused(tmp_path: Path, servers: list[Server]) -> None:
    server = Server(
        tmp_path, "--db", str(tmp_path / "a.sqlite"), "--database-url", "sqlite:///x.sqlite"
    )
    servers.append(server)
    assert server.wait_exit() == 2
    assert "use --db RUTA o --database-url URL, no los dos" in server.err.read_text()
    assert not (tmp_path / "a.sqlite").exists()


def test_database_url_from_the_environment_and_db_over_it(tmp_path: Path) -> None:
    env = {cli.DATABASE_URL_ENV: f"sqlite:///{tmp_path}/from-env.sqlite"}
    assert cli._chosen_url(cli.parse_args([]), env).database == str(tmp_path / "from-env.sqlite")
    # The command line wins over the environment.
    args = cli.parse_args(["--db", str(tmp_path / "flag.sqlite")])
    assert cli._chosen_url(args, env).database == str(tmp_path / "flag.sqlite")
    args = cli.parse_args(["--database-url", f"sqlite:///{tmp_path}/url.sqlite"])
    assert cli._chosen_url(args, env).database == str(tmp_path / "url.sqlite")
    # Neither: the SQLite file of always.
    assert cli._chosen_url(cli.parse_args([]), {}).database == str(cli.default_db_path())


def test_fresh_on_postgresql_needs_the_database_name_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://sjv:s3cret-pw@127.0.0.1:5432/branch"
    for extra in ([], ["--confirm-wipe", "other"]):
        with pytest.raises(SystemExit) as exit_:
            cli.parse_args(["--database-url", url, "--fresh", *extra])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert "--confirm-wipe branch" in err
        assert "s3cret-pw" not in err
    args = cli.parse_args(["--database-url", url, "--fresh", "--confirm-wipe", "branch"])
    assert args.fresh and args.url.database == "branch"
    with pytest.raises(SystemExit):
        cli.parse_args(["--db", "x.sqlite", "--confirm-wipe", "x"])
    with pytest.raises(SystemExit):
        cli.parse_args(["--workers", "0"])


def test_db_with_a_url_is_refused_not_made_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.parse_args(["--db", "postgresql://sjv@127.0.0.1:5432/branch"])
    assert exit_.value.code == 2
    assert "para una URL use --database-url" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_postgresql_is_a_sentence_without_the_password(
    tmp_path: Path, servers: list[Server]
) -> None:
    with socket_closed_port() as port:
        url = f"postgresql://sjv:s3cret-pw@127.0.0.1:{port}/branch"
        server = Server(tmp_path, "--database-url", url)
        servers.append(server)
        assert server.wait_exit() == 1
    output = server.output()
    assert "no se pudo conectar con la base de datos postgresql://sjv:***@127.0.0.1" in output
    assert "s3cret-pw" not in output
    assert "Traceback" not in output


class socket_closed_port:
    """A loopback port nothing listens on (bound, not listening, for the test's duration)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_migrate_only_makes_the_schema_and_seeds_nothing(
    tmp_path: Path, servers: list[Server]
) -> None:
    path = tmp_path / "empty.sqlite"
    server = Server(tmp_path, "--db", str(path), "--migrate-only")
    servers.append(server)
    assert server.wait_exit() == 0, server.output()
    assert f"esquema al día en {path}" in server.output()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 0
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        conn.close()


# --- the first staff user of a new database ----------------------------------------------------

STAFF_LOGIN = {"username": "supervisora", "password": "Sucursal2026"}


def create_staff(db: DB, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """``python -m mock_server --create-staff ...`` on ``db``, the password on its stdin."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *database_args(db), "--create-staff", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_create_staff_makes_the_first_teller_of_a_new_database(
    engine: str, seeded_databases: SeededDatabases, tmp_path: Path, servers: list[Server]
) -> None:
    db = seeded_databases.empty(engine)
    try:
        # A password outside the policy: refused before the database is touched.
        for weak, missing in (("corta1A", "al menos 8 caracteres"), ("sinnumeroS", "un número")):
            done = create_staff(db, "Supervisora", "--password-stdin", stdin=f"{weak}\n")
            assert done.returncode == 1, done.stderr
            assert f"La contraseña debe tener {missing}." in done.stderr
            assert "No se creó el usuario" in done.stderr and "Traceback" not in done.stderr
        assert (not db.exists()) if isinstance(db, Path) else tables(db) == []
        # No terminal to ask on and no --password-stdin: said so, nothing made.
        done = create_staff(db, "supervisora", stdin="Sucursal2026\n")
        assert done.returncode == 1
        assert "use --password-stdin" in done.stderr

        done = create_staff(
            db,
            " Supervisora ",
            "--full-name",
            "Ana Lucía Supervisora",
            "--email",
            "ana@coacsanjose.ec",
            "--password-stdin",
            stdin="Sucursal2026\n",
        )
        assert done.returncode == 0, done.stderr
        assert "usuario del personal supervisora creado en" in done.stdout
        assert "Sucursal2026" not in done.stdout + done.stderr
        # The schema and the teller: no demo data, no holder, an argon2 hash.
        assert counts(db, "holders", "accounts", "movements") == {
            "holders": 0,
            "accounts": 0,
            "movements": 0,
        }
        ((username, role, status, holder, name, email, hashed),) = rows(
            db,
            "SELECT username, role, status, holder_id, full_name, email, password_hash "
            "FROM members",
        )
        assert (username, role, status, holder) == ("supervisora", "teller", "active", None)
        assert (name, email) == ("Ana Lucía Supervisora", "ana@coacsanjose.ec")
        assert str(hashed).startswith("$argon2id$")

        # The same username again: refused, nothing changed (the first password still works).
        done = create_staff(db, "supervisora", "--password-stdin", stdin="OtraClave2026\n")
        assert done.returncode == 1
        assert "el usuario supervisora ya existe en" in done.stderr
        assert scalar(db, "SELECT password_hash FROM members") == hashed

        # The server started on it seeds nothing (it has tables), and the teller works.
        server = Server(tmp_path, *database_args(db))
        servers.append(server)
        with httpx.Client(base_url=server.wait_started(), timeout=30) as client:
            response = client.post(LOGIN, json=STAFF_LOGIN)
            assert response.status_code == 200, response.text
            assert response.json()["member"]["role"] == "teller"
            headers = {"Authorization": f"Bearer {response.json()['token']}"}
            pending = client.get(f"{API_PREFIX}/staff/registrations", headers=headers)
            assert pending.status_code == 200 and pending.json() == []
            assert client.post(LOGIN, json=MEMBER).status_code == 401  # no demo member here
        server.stop()
    finally:
        seeded_databases.drop(db)


# --- workers ----------------------------------------------------------------------------------


def test_two_workers_both_answer_and_nothing_is_lost(
    seeded_db: DB, tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, *database_args(seeded_db), "--workers", "2", "--log-level", "info")
    servers.append(server)
    url = server.wait_started(workers=2)
    assert ", 2 procesos)" in server.out.read_text()
    worker_pids = set(re.findall(r"Started server process \[(\d+)\]", server.err.read_text()))
    assert len(worker_pids) == 2 and str(server.process.pid) not in worker_pids
    before = balances(seeded_db)

    moves: list[tuple[str, str, int]] = []

    def served_by() -> set[str]:
        return set(re.findall(r"\[(\d+)\] 127\.0\.0\.1:\d+ - \"POST /api", server.out.read_text()))

    # A new connection for each request: the kernel hands each accept to either worker. Which
    # one is its choice (a busy machine may give one worker a long run of them): the transfers
    # go on, 20 at a time, until both have answered, 300 at most.
    with httpx.Client(
        base_url=url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)
    ) as client:
        headers = login(client)
        for n in range(300):
            if n >= 60 and n % 20 == 0:
                time.sleep(0.5)  # the access log line follows the answer
                if served_by() == worker_pids:
                    break
            body = transfer_body(n)
            response = client.post(
                TRANSFERS, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
            )
            assert response.status_code == 201, response.text
            moves.append(
                (str(body["from_account"]), str(body["to_account"]), int(str(body["amount_cents"])))
            )
            # The session made on one worker is known to the other (it lives in the database).
            assert client.get(ACCOUNTS, headers=headers).status_code == 200
    time.sleep(0.5)  # the access log line follows the answer
    assert served_by() == worker_pids, server.output()

    server.stop()
    assert balances(seeded_db) == expected_balances(before, moves)
    report = ledger_report(seeded_db, writable=True)
    assert report.ok, report


# --- a busy database is a 503 ------------------------------------------------------------------


def test_a_write_that_waits_past_the_lock_timeout_is_503_and_can_be_sent_again(
    seeded_db: DB, tmp_path: Path, servers: list[Server]
) -> None:
    server = Server(tmp_path, *database_args(seeded_db), "--lock-timeout", "0.5")
    servers.append(server)
    url = server.wait_started()
    with httpx.Client(base_url=url, timeout=30) as client:
        headers = login(client)
        key = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        before = balances(seeded_db)
        # Another program holds the write lock longer than the server waits.
        with write_lock_held(seeded_db):
            started = time.monotonic()
            response = client.post(TRANSFERS, json=transfer_body(0), headers=key)
            waited = time.monotonic() - started
            english = client.post(
                TRANSFERS, json=transfer_body(0), headers={**key, "Accept-Language": "en"}
            )
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        assert response.json() == {
            "code": "unavailable",
            "message": "El servidor está ocupado o no puede llegar a su base de datos. "
            "Intente nuevamente en unos segundos.",
            "field": None,
        }
        assert 0.4 < waited < 5
        assert english.status_code == 503
        assert english.json()["message"] == (
            "The server is busy or cannot reach its database. Try again in a few seconds."
        )
        assert balances(seeded_db) == before
        # Nothing of it was kept, the key neither: the same request now goes through, once.
        again = client.post(TRANSFERS, json=transfer_body(0), headers=key)
        assert again.status_code == 201, again.text
        replay = client.post(TRANSFERS, json=transfer_body(0), headers=key)
        assert replay.json() == again.json()
    assert balances(seeded_db) == expected_balances(before, [(ACCOUNT_A, ACCOUNT_B, 100)])


async def test_any_other_store_error_is_a_500_without_sql(seeded_db: DB) -> None:
    app = create_app(seeded_db)

    @app.get("/broken")
    def broken() -> None:
        raise StoreError('no such column: "secret" in SELECT secret FROM members')

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "SELECT" not in response.text and "secret" not in response.text
    assert "Retry-After" not in response.headers
    app.state.server.database.dispose()
