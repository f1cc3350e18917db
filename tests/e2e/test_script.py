"""``sjvirtual saldo`` and ``sjvirtual movimientos`` as a script runs them: a child process
against the server in its own process, stdout read as data, stderr as messages, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from ofxtools.Parser import OFXTree

from sjvirtual_tui import cli, exports, remember, script
from tests.database import execute, rows, scalar
from tests.loopback import ACCOUNTS, ServerProcess, login

ACCOUNT = "00104721"
RANGE = ["--desde", "2026-09-01", "--hasta", "2026-11-30"]


@pytest.fixture
def server(seeded_db) -> Iterator[ServerProcess]:
    with ServerProcess(seeded_db) as process:
        yield process


def run(
    server: ServerProcess | None,
    *args: str,
    password: str | None = "Demo2026",
    user: str | None = "demo",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``sjvirtual ARGS`` in a child process, without a terminal (as from cron)."""
    command = [sys.executable, "-m", "sjvirtual_tui", *args]
    if server is not None:
        command += ["--server", server.url]
    if user is not None:
        command += ["--usuario", user]
    if password is not None:
        command.append("--password-stdin")
    return subprocess.run(
        command,
        input=(password + "\n").encode() if password is not None else None,
        stdin=None if password is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SJV_")},
            "SJV_LANG": "es",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "XDG_STATE_HOME": str(Path(server.db_path).parent if server else "/tmp"),
            **(env or {}),
        },
    )


def open_sessions(db, username: str = "demo") -> int:
    return int(
        scalar(
            db,
            "SELECT count(*) FROM sessions AS s JOIN members AS m ON m.id = s.member_id "
            "WHERE m.username = ? AND s.ended_at IS NULL",
            username,
        )
    )


def api_accounts(server: ServerProcess) -> list[dict[str, object]]:
    with httpx.Client(base_url=server.url) as client:
        headers = login(client, "demo", "Demo2026")
        accounts = client.get(ACCOUNTS, headers=headers).json()
        client.post("/api/v1/auth/logout", headers=headers)
    return accounts


def stored_range(db, start: str, end: str) -> list[tuple[int, int]]:
    """(amount, balance after) of the account's movements in [start, end], Ecuador's days."""
    return [
        (int(amount), int(after))
        for amount, after in rows(
            db,
            "SELECT m.amount_cents, m.balance_after_cents FROM movements AS m "
            "JOIN accounts AS a ON a.id = m.account_id WHERE a.number = ? "
            "AND m.posted_at >= ? AND m.posted_at < ? ORDER BY m.posted_at, m.seq",
            ACCOUNT,
            f"{start}T05:00:00",
            f"{end}T05:00:00",
        )
    ]


def cents(text: str) -> int:
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", text), text
    return int(Decimal(text) * 100)


# --- saldo ---------------------------------------------------------------------------------------


def test_saldo_prints_the_apis_balances_as_a_table_and_as_json(server, seeded_db):
    expected = api_accounts(server)
    table = run(server, "saldo")
    assert table.returncode == 0, table.stderr
    assert table.stderr == b""  # nothing to say when all goes well
    lines = table.stdout.decode().splitlines()
    assert re.fullmatch(r"Cuenta +Tipo +Disponible +Contable", lines[0])
    assert len(lines) == 1 + len(expected)
    for line, account in zip(lines[1:], expected, strict=True):
        number, *_kind, available, accounting = line.split()
        assert number == account["number"]
        assert (cents(available), cents(accounting)) == (
            account["available_cents"],
            account["accounting_cents"],
        )
    # Aligned: every amount column ends in the same place.
    assert len({len(line) for line in lines}) == 1

    as_json = run(server, "saldo", "--formato", "json")
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout, parse_float=lambda _: pytest.fail("a float"))
    assert [(a["cuenta"], cents(a["disponible"]), cents(a["contable"])) for a in document] == [
        (a["number"], a["available_cents"], a["accounting_cents"]) for a in expected
    ]
    assert all(isinstance(a["disponible"], str) for a in document)
    # Each run logged out: no session of the member is left open on the server.
    assert open_sessions(seeded_db) == 0


# --- movimientos: each format --------------------------------------------------------------------


def test_movimientos_csv_is_the_statement_screens_csv_byte_for_byte(server, seeded_db, tmp_path):
    result = run(server, "movimientos", ACCOUNT, *RANGE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    stored = stored_range(seeded_db, "2026-09-01", "2026-12-01")
    lines = result.stdout.split(b"\r\n")
    assert lines[0] == b"fecha,descripcion,referencia,debito,credito,saldo"
    assert lines[-1] == b""  # RFC 4180: CRLF after every record
    assert len(lines) - 2 == len(stored)
    assert lines[-2].endswith(b"," + exports.plain_amount(stored[-1][1]).encode())

    # The same bytes as F2 writes (the screen's writer, on the same movements).
    async def fetch() -> exports.Statement:
        from datetime import UTC, datetime

        from sjvirtual_tui.backend.http import HttpBackend

        backend = HttpBackend(server.url)
        await backend.login("demo", "Demo2026")
        try:
            account = next(a for a in await backend.accounts() if a.number == ACCOUNT)
            return await exports.fetch_statement(
                backend, account, date(2026, 9, 1), date(2026, 11, 30), now=datetime.now(UTC)
            )
        finally:
            await backend.logout()
            await backend.aclose()

    import asyncio

    statement = asyncio.run(fetch())
    path = tmp_path / exports.export_file_name(ACCOUNT, date(2026, 9, 1), date(2026, 11, 30))
    exports.write_statement_csv(path, statement.movements)
    assert path.read_bytes() == result.stdout


def test_movimientos_ofx_parses_back_with_ofxtools(server, seeded_db):
    result = run(server, "movimientos", ACCOUNT, *RANGE, "--formato", "ofx")
    assert result.returncode == 0, result.stderr
    tree = OFXTree()
    tree.parse(io.BytesIO(result.stdout))
    ofx = tree.convert()
    (statement,) = ofx.statements
    assert statement.account.acctid == ACCOUNT
    assert statement.curdef == "USD"
    stored = stored_range(seeded_db, "2026-09-01", "2026-12-01")
    amounts = [t.trnamt for t in statement.transactions]
    assert all(isinstance(a, Decimal) for a in amounts)
    assert [int(a * 100) for a in amounts] == [amount for amount, _ in stored]
    assert {t.trntype for t in statement.transactions} == {"DEBIT", "CREDIT"}
    assert len({t.fitid for t in statement.transactions}) == len(stored)  # unique ids
    assert int(statement.ledgerbal.balamt * 100) == stored[-1][1]


def test_movimientos_pdf_is_the_statement_with_its_balances(server, seeded_db):
    from pypdf import PdfReader

    from sjvirtual_tui.formatting import money

    result = run(server, "movimientos", ACCOUNT, *RANGE, "--formato", "pdf")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(result.stdout))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "ESTADO DE CUENTA" in text and ACCOUNT in text
    stored = stored_range(seeded_db, "2026-09-01", "2026-12-01")
    assert f"Saldo final {money(stored[-1][1])}" in text


def parse_journal(text: str) -> list[tuple[str, list[tuple[str, int, int | None]]]]:
    """(header, [(account, cents, asserted balance or None)]) for each transaction."""
    transactions: list[tuple[str, list[tuple[str, int, int | None]]]] = []
    for block in text.strip().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith(";")]
        if not lines:
            continue
        postings = []
        for line in lines[1:]:
            match = re.fullmatch(
                r"    (\S.*?)  (-?[0-9]+\.[0-9]{2}) USD(?: = (-?[0-9]+\.[0-9]{2}) USD)?", line
            )
            assert match, line
            asserted = cents(match.group(3)) if match.group(3) else None
            postings.append((match.group(1), cents(match.group(2)), asserted))
        transactions.append((lines[0], postings))
    return transactions


def test_movimientos_ledger_journal_balances_and_asserts_the_banks_balances(server, seeded_db):
    result = run(server, "movimientos", ACCOUNT, *RANGE, "--formato", "ledger")
    assert result.returncode == 0, result.stderr
    transactions = parse_journal(result.stdout.decode())
    stored = stored_range(seeded_db, "2026-09-01", "2026-12-01")
    assert len(transactions) == 1 + len(stored)  # the opening balance, then each movement
    bank = "Activos:Cooperativa San José:Ahorro a la vista 00104721"
    running = 0
    for (header, postings), index in zip(transactions, range(-1, len(stored)), strict=True):
        assert re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2} \* ", header), header
        assert sum(amount for _, amount, _ in postings) == 0  # every transaction balances
        (mine,) = [p for p in postings if p[0] == bank]
        running += mine[1]
        if index >= 0:
            assert mine[1] == stored[index][0]
            assert mine[2] == running == stored[index][1]  # the assertion hledger checks
    assert transactions[0][0].endswith("Saldo inicial")


# CI installs hledger and sets SJV_REQUIRE_TOOLS=1 (.ci/run): there a missing hledger fails.
@pytest.mark.skipif(
    shutil.which("hledger") is None and os.environ.get("SJV_REQUIRE_TOOLS") != "1",
    reason="hledger is not installed",
)
def test_hledger_checks_the_journal(server, tmp_path):
    result = run(server, "movimientos", ACCOUNT, "--formato", "ledger")
    assert result.returncode == 0, result.stderr
    journal = tmp_path / "sjv.journal"
    journal.write_bytes(result.stdout)
    check = subprocess.run(["hledger", "-f", str(journal), "check"], capture_output=True)
    assert check.returncode == 0, check.stderr  # the balance assertions hold
    balance = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "Activos"],
        capture_output=True,
        text=True,
    )
    (account,) = [a for a in api_accounts(server) if a["number"] == ACCOUNT]
    assert f"{exports.plain_amount(int(account['accounting_cents']))} USD" in balance.stdout


def test_the_cli_knows_the_script_commands_without_importing_them():
    assert set(script.COMMANDS) == cli.SCRIPT_COMMANDS


def test_movimientos_json_has_exact_amounts_as_strings(server, seeded_db):
    result = run(server, "movimientos", ACCOUNT, *RANGE, "--formato", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout, parse_float=lambda _: pytest.fail("a float"))
    stored = stored_range(seeded_db, "2026-09-01", "2026-12-01")
    movements = document["movimientos"]
    assert [(cents(m["importe"]), cents(m["saldo"])) for m in movements] == stored
    assert cents(document["saldo_inicial"]) + sum(cents(m["importe"]) for m in movements) == (
        cents(document["saldo_final"])
    )
    assert (document["desde"], document["hasta"]) == ("2026-09-01", "2026-11-30")


def test_the_account_is_found_as_the_member_writes_it(server):
    wanted = run(server, "movimientos", ACCOUNT, *RANGE, "--formato", "json").stdout
    # Without the zeros, or in the registered form of the manual's rule (prefix 1 + digits).
    for typed in ("104721", "1104721", "0010-4721"):
        result = run(server, "movimientos", typed, *RANGE, "--formato", "json")
        assert result.returncode == 0, (typed, result.stderr)
        assert result.stdout == wanted
    other = run(server, "movimientos", "00999999", *RANGE)
    assert other.returncode == 1
    assert other.stdout == b""
    assert b"no es una de sus cuentas (00104721, 00204722)" in other.stderr


# --- exit codes ----------------------------------------------------------------------------------


def test_authentication_failures_exit_3_with_nothing_on_stdout(server, seeded_db):
    wrong = run(server, "saldo", password="Equivocada2026")
    assert wrong.returncode == 3
    assert wrong.stdout == b""
    assert wrong.stderr.decode().startswith("sjvirtual: Usuario o contraseña incorrectos.")

    locked = run(server, "saldo", user="bloqueado", password="Bloqueado2026")
    assert locked.returncode == 3
    assert b"bloqueado" in locked.stderr.lower()
    assert locked.stdout == b""

    # PRIMER INGRESO pending: the login succeeds, but nothing else may be asked; logged out.
    execute(seeded_db, "UPDATE members SET status = 'setup' WHERE username = 'socio2'")
    pending = run(server, "saldo", user="socio2", password="Socio2026")
    assert pending.returncode == 3, pending.stderr
    assert b"PRIMER INGRESO" in pending.stderr
    assert pending.stdout == b""
    assert open_sessions(seeded_db, "socio2") == 0

    # No password anywhere and no terminal to ask on (cron): said, not waited for.
    none = run(server, "saldo", password=None)
    assert none.returncode == 3
    assert b"--password-stdin" in none.stderr


def test_usage_errors_exit_2_before_any_request(server, seeded_db):
    for args in (
        ["movimientos", ACCOUNT, "--desde", "01/09/2026"],  # not AAAA-MM-DD
        ["movimientos", ACCOUNT, "--desde", "2026-11-30", "--hasta", "2026-09-01"],
        ["movimientos", "00a04721"],
        ["movimientos", ACCOUNT, "--formato", "xls"],
        ["saldo", "--formato", "csv"],
    ):
        result = run(server, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == b""
        assert result.stderr.startswith(b"uso: sjvirtual"), result.stderr
    no_server = run(None, "saldo")
    assert no_server.returncode == 2
    assert b"--server URL" in no_server.stderr
    no_user = run(server, "saldo", user=None)
    assert no_user.returncode == 2
    assert b"--usuario" in no_user.stderr
    # None of them reached the server as a login.
    assert open_sessions(seeded_db) == 0
    assert scalar(seeded_db, "SELECT count(*) FROM sessions") == 0


def test_an_unreachable_server_exits_1(tmp_path):
    result = subprocess.run(
        [
            *(sys.executable, "-m", "sjvirtual_tui", "saldo"),
            *("--server", "http://127.0.0.1:9", "--usuario", "demo", "--password-stdin"),
        ],
        input=b"Demo2026\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "SJV_LANG": "es", "XDG_STATE_HOME": str(tmp_path)}
        | {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"No se pudo conectar con el servidor" in result.stderr


def test_english_messages_and_help(server):
    wrong = run(server, "saldo", password="Equivocada2026", env={"SJV_LANG": "en"})
    assert wrong.returncode == 3
    assert b"sjvirtual: " in wrong.stderr
    assert "contraseña".encode() not in wrong.stderr
    helped = run(None, "movimientos", "--help", user=None, password=None, env={"SJV_LANG": "en"})
    assert helped.returncode == 0
    text = helped.stdout.decode()
    assert text.startswith("usage: sjvirtual movimientos")
    assert "positional arguments" in text
    assert "desde esta fecha" not in text


# --- the keyring ---------------------------------------------------------------------------------


def test_the_user_and_password_the_member_kept_in_the_keyring(
    server, seeded_db, memory_keyring, capsys, monkeypatch
):
    monkeypatch.setenv("SJV_SERVER_URL", server.url)
    remember.remember_username(server.url, "demo")
    memory_keyring.set_password(
        remember.SERVICE, remember.password_key(server.url, "demo"), "Demo2026"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # nothing read from stdin
    assert script.main(["saldo", "--formato", "json"]) == 0
    out, err = capsys.readouterr()
    assert [a["cuenta"] for a in json.loads(out)] == ["00104721", "00204722"]
    assert err == ""
    # The terminal's device token was kept: the next login sends no new-terminal e-mail.
    assert remember.device_token(server.url, "demo")
    assert open_sessions(seeded_db) == 0


def test_demo_starts_the_bundled_server_and_no_secret_reaches_the_log(tmp_path):
    state = tmp_path / "state"
    result = run(
        None,
        "saldo",
        "--demo",
        "--db",
        str(tmp_path / "demo.sqlite"),
        env={"XDG_STATE_HOME": str(state), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.decode().splitlines()[1:]] == [
        "00104721",
        "00204722",
    ]
    assert b"servidor de demostraci" in result.stderr  # said on stderr, not in the data
    logs = list(state.rglob("*.log"))
    assert logs  # the run logged (to the state dir), and never the password
    assert all("Demo2026" not in path.read_text(encoding="utf-8") for path in logs)


def test_only_a_script_command_in_command_position_leaves_the_tui():
    assert script.wanted(["saldo"])
    assert script.wanted(["--lang", "en", "movimientos", "00104721"])
    assert script.wanted(["--demo", "saldo"])
    assert not script.wanted(["--server", "saldo"])  # a URL, not the command
    assert not script.wanted(["set-password", "ABCD"])
    assert not script.wanted(["--demo"])
