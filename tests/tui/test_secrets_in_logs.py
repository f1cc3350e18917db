"""No password, PIN, secret answer, code or token in any log or file written (issue 7).

Every logger at DEBUG — the root logger, ``httpx``, ``httpcore``, ``uvicorn``, ``asyncio``,
``mock_server``, ``sjvirtual_tui`` — into a file, into pytest's ``caplog``, and through the
CLI's own ``setup_logging()`` into its log file, while:

- the TUI (Pilot, 80x24, against the real app in-process) runs the main flows: ESTABLECER
  CONTRASEÑA with the e-mailed code, the PRIMER INGRESO (new password, two secret answers),
  a login that gets a device token (kept in a working keyring, its one legitimate place), a
  statement export, a transfer to a third party and a bill payment each confirmed with the
  PIN, both receipts saved, logout;
- a client talks to the server over a loopback port (so ``httpcore`` and ``uvicorn``, access
  log included, speak too): the same onboarding, recovery (answers, code, new password), a
  wrong password, a login presenting the device token, a wrong PIN then the right one.

Every secret used is collected — the passwords typed (wrong ones too), the answers (as typed
and as the server normalises them), the PINs and codes (read from the outbox, as a member
would), the session and device tokens (from the client: the server keeps only their SHA-256)
— and none may appear in a log record, a log file, or any file under ``tmp_path`` (the export
folder, the log files, the database, its WAL and shared memory).

One exception, on purpose: the demo's ``outbox`` table is the members' mailbox. The PINs and the
codes are *sent* there (that is how a member gets them), so they are expected in
``outbox.body`` and only there. The database is therefore checked twice: its raw bytes (main
file, WAL, shm) for every secret that is never e-mailed, and its rows — every column of every
table but ``outbox.body`` — for the e-mailed ones too. The mailbox itself must hold the mailed
secrets and no other.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import platformdirs
import pytest
from fastapi import FastAPI

import mock_server.domain.pin
from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.testing import run_server_in_thread
from sjvirtual_tui import cli
from sjvirtual_tui.app import build_app
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.models import API_PREFIX, LoginResult
from sjvirtual_tui.rules import normalise_answer
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.services import ServicePaymentScreen
from sjvirtual_tui.screens.statement import StatementScreen
from sjvirtual_tui.screens.transfers import TransferScreen
from sjvirtual_tui.widgets.choice import Tick
from sjvirtual_tui.widgets.image_gallery import ImageGallery
from tests.api import (
    BILL_EPMAPS_DEMO,
    DEMO_EMAIL,
    DEMO_TO_SOCIO2,
    DEMO_VISTA,
    LOGIN,
    LUIS,
    RECOVERY,
    RECOVERY_COMPLETE,
    RECOVERY_VERIFY,
    SETUP,
    approve,
    auth,
    code_in,
    confirm,
    keyed,
    latest_pin,
    mails,
    pay_with_pin,
    recovery_code,
    register,
    registration_id,
    service_body,
    set_password,
    start_transfer,
)
from tests.conftest import CHEAP_HASHER, login_token
from tests.database import connect, tables
from tests.tui import SIZE, MemoryKeyring, settle, table_rows, text_of
from tests.tui.steps import login, press, submit, type_each
from tests.tui.test_tui_onboarding import last_code
from tests.tui.test_tui_payments import consult, enter_pin, open_services, pick_biller
from tests.tui.test_tui_payments import field as form_field
from tests.tui.test_tui_transfers import last_pin, new_transfer, step

# Secrets that no seeded row, e-mail, date or amount could contain by chance.
FIRST_PASSWORD = "Kx9Primera"
NEW_PASSWORD = "Wv4Segunda"
OWN_ANSWER = "Tzaquicha Wambra"
QUESTION_ANSWER = "Xilofono Cayambe"
RECOVERED_PASSWORD = "Qj3Tercera"
# Mistyped secrets are secrets too (a typo is a near miss of the real one).
WRONG_PASSWORD = "Demo2026Zr8"
WRONG_PIN = "5062"
# The PINs the server will issue, in order (mock_server.domain.pin.new_pin is replaced): four digits
# that occur in no seeded file on their own, and that no timestamp can spell (not 19xx/20xx).
PINS = ("7394", "8157")
LOGOUT = f"{API_PREFIX}/auth/logout"
LOGGERS = ("", "httpx", "httpcore", "uvicorn", "asyncio", "mock_server", "sjvirtual_tui")


@dataclass
class Secrets:
    """What was used, by kind; ``mailed``: also sent by e-mail (expected in outbox.body)."""

    kept: dict[str, str] = field(default_factory=dict)
    mailed: dict[str, str] = field(default_factory=dict)

    def all(self) -> dict[str, str]:
        return {**self.kept, **self.mailed}


class RecordingBackend(HttpBackend):
    """The TUI's backend, keeping each LoginResult: its session and device tokens."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logins: list[LoginResult] = []

    async def login(
        self, username: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        result = await super().login(username, password, device_token)
        self.logins.append(result)
        return result


@dataclass
class Logs:
    file: Path  # every record, at DEBUG, with its arguments formatted
    cli_file: Path | None  # where cli.setup_logging() writes
    caplog: pytest.LogCaptureFixture


@pytest.fixture
def debug_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Logs]:
    """Everything at DEBUG into a file, caplog and the CLI's log file; restored afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    # The CLI's path: logging.basicConfig into platformdirs' state folder (here under
    # tmp_path), at the level SJV_LOG_LEVEL asks for. basicConfig does nothing while the root
    # logger has handlers, and pytest's are there.
    monkeypatch.setattr(platformdirs, "user_state_dir", lambda *a, **k: str(tmp_path / "cli-state"))
    monkeypatch.setenv("SJV_LOG_LEVEL", "debug")
    kept_handlers = root.handlers[:]
    kept_level = root.level
    root.handlers = []
    try:
        cli_file = cli.setup_logging()
        cli_handlers = root.handlers[:]
        assert root.level == logging.DEBUG  # SJV_LOG_LEVEL=debug reached the root logger
        assert logging.getLogger("httpx").level == logging.DEBUG
    finally:
        root.handlers = kept_handlers
        root.setLevel(kept_level)
    handler = logging.FileHandler(tmp_path / "debug.log", encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s")
    )
    handler.setLevel(logging.DEBUG)
    for extra in (handler, *cli_handlers):
        extra.setLevel(logging.DEBUG)
        root.addHandler(extra)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    try:
        yield Logs(tmp_path / "debug.log", cli_file, caplog)
    finally:
        for extra in (handler, *cli_handlers):
            root.removeHandler(extra)
            extra.close()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
def fixed_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    issued = iter(PINS)
    monkeypatch.setattr(mock_server.domain.pin, "new_pin", lambda: next(issued))


def tui(server_app: FastAPI, export_dir: Path, clock: ManualClock) -> Any:
    backend = RecordingBackend(
        "http://sjv.test", transport=httpx.ASGITransport(app=server_app), retry_delays=(0.0, 0.0)
    )
    return build_app(Settings(export_dir=export_dir), backend, now=clock.now), backend


# --- the flows ---------------------------------------------------------------------------------


async def onboarding(
    server_app: FastAPI, db: Path, clock: ManualClock, export_dir: Path, secrets: Secrets
) -> None:
    """REGISTRO (through the API), approval, then in the TUI: ESTABLECER CONTRASEÑA with the
    e-mailed code and the PRIMER INGRESO, then logout."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=server_app), base_url="http://sjv.test"
    ) as client:
        teller = await login_token(client, "cajero", "Cajero2026")
        secrets.kept["teller session token"] = teller
        receipt = await register(client, LUIS)
        await approve(client, teller, registration_id(db, receipt["reference"]))
    code = last_code(db, LUIS["email"])
    secrets.mailed["ESTABLECER CONTRASEÑA code"] = code

    app, backend = tui(server_app, export_dir, clock)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        # The code, the password and its repetition.
        await type_each(pilot, code, FIRST_PASSWORD, FIRST_PASSWORD)
        assert step(pilot) == "sp-done"
        await press(pilot, "escape")
        assert isinstance(app.screen, LoginScreen)

        await login(pilot, LUIS["usuario"], FIRST_PASSWORD)
        assert isinstance(app.screen, FirstLoginScreen)
        await type_each(pilot, NEW_PASSWORD, NEW_PASSWORD)
        assert step(pilot) == "fl-image"
        await pilot.press("right", "right", "enter")
        assert app.screen.query_one(ImageGallery).image == "volcan"
        await submit(pilot, "Mi casa en Quito")
        assert step(pilot) == "fl-own"
        await type_each(pilot, "Nombre de mi abuela", OWN_ANSWER)
        assert step(pilot) == "fl-question"
        app.screen.query_one("#question-list").focus()
        await pilot.press("down", "enter")
        await submit(pilot, QUESTION_ANSWER)
        assert step(pilot) == "fl-done"
        await press(pilot, "enter")
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "f9")  # logout
        assert isinstance(app.screen, LoginScreen)
    collect_tokens(backend, "lyanez", secrets)


async def member_day(
    server_app: FastAPI, db: Path, clock: ManualClock, export_dir: Path, secrets: Secrets
) -> None:
    """demo: login (remembered, with a device token), statement export, a transfer to a third
    party and a bill payment with the PIN, the receipt saved, logout."""
    app, backend = tui(server_app, export_dir, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#remember", Tick).value = True  # the keyring works here
        await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
        assert app.session is not None
        secrets.kept["demo session token (app.session)"] = app.session.token

        await press(pilot, "enter")  # the first account's statement, exported
        assert isinstance(app.screen, StatementScreen)
        await pilot.press("f2")
        await settle(pilot, rounds=8)
        assert app.screen.last_export is not None
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)

        await new_transfer(pilot, "internas", "00104721", "1105349", "40", "Préstamo")
        assert step(pilot) == "tr-confirm"
        await press(pilot, "enter")
        assert step(pilot) == "tr-pin"
        pin = last_pin(db, "demo")  # from the outbox, as the member reads it
        assert pin == PINS[0]
        secrets.mailed["transfer PIN"] = pin
        await submit(pilot, pin)
        assert step(pilot) == "tr-done"
        await pilot.press("f2")  # the receipt as a file
        assert isinstance(app.screen, TransferScreen)
        assert Path(app.screen.receipt_path).parent == export_dir
        await press(pilot, "enter")
        assert isinstance(app.screen, DashboardScreen)

        await open_services(pilot)
        await pick_biller(pilot, "epmaps", "EPMAPS Agua Quito")
        await consult(pilot, "4567890", save_as="Agua casa")
        assert form_field(pilot, "#sv-field-amount-cents").value == "18,73"
        await press(pilot, "enter")
        assert step(pilot) == "sv-confirm"
        await press(pilot, "enter")
        assert step(pilot) == "sv-pin"
        assert last_pin(db, "demo") == PINS[1]
        secrets.mailed["payment PIN"] = PINS[1]
        await enter_pin(pilot, db)
        assert step(pilot) == "sv-done"
        assert "Completada" in text_of(pilot, "#sv-receipt")
        await pilot.press("f2")
        assert isinstance(app.screen, ServicePaymentScreen)
        assert Path(app.screen.receipt_path).parent == export_dir
        await press(pilot, "enter")
        assert isinstance(app.screen, DashboardScreen)
        assert table_rows(pilot, "#accounts")

        await press(pilot, "f9")
        assert isinstance(app.screen, LoginScreen)
    collect_tokens(backend, "demo", secrets)


def collect_tokens(backend: RecordingBackend, who: str, secrets: Secrets) -> None:
    assert backend.logins, "no login went through the backend"
    for n, result in enumerate(backend.logins):
        secrets.kept[f"{who} session token {n}"] = result.token
        if result.device_token:
            secrets.kept[f"{who} device token {n}"] = result.device_token


# --- where secrets must not be -------------------------------------------------------------------


def needles(secret: str) -> set[str]:
    """How a secret could be written: as is, and normalised like an answer."""
    return {secret, normalise_answer(secret)}


# What a written-out PIN is not part of: a longer number, a hex digest (SHA-256 of a token,
# an object's address), a base64 or URL-safe token (argon2 salts and hashes, challenge ids).
# A PIN written out in a log or a file ("PIN: 7394", '"pin": "7394"', "pin=7394") has other
# neighbours, and the random strings cannot make a false match.
_TOKEN_CHARACTER = "[0-9A-Za-z_+/-]"


def pattern(secret: str) -> re.Pattern[str]:
    if secret.isdigit():  # a PIN: four digits, only a PIN on their own
        return re.compile(rf"(?<!{_TOKEN_CHARACTER}){secret}(?!{_TOKEN_CHARACTER})")
    return re.compile("|".join(re.escape(n) for n in sorted(needles(secret))), re.IGNORECASE)


def found_in_text(text: str, secrets: dict[str, str]) -> list[str]:
    return [what for what, secret in secrets.items() if pattern(secret).search(text)]


def found_in_bytes(data: bytes, secrets: dict[str, str]) -> list[str]:
    text = data.decode("latin-1")  # byte for byte: UTF-8 secrets are searched as their bytes
    encoded = {what: secret.encode("utf-8").decode("latin-1") for what, secret in secrets.items()}
    return found_in_text(text, encoded)


def database_columns(db: Path) -> dict[str, str]:
    """Every column of every table as one text ("table.column" -> its values, a line each),
    but outbox.body: the members' mailbox."""
    conn = connect(db)
    try:
        columns: dict[str, list[str]] = {}
        for table in tables(db):
            cursor: Any = conn.execute(f"SELECT * FROM {table}")
            names = [column[0] for column in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if (table, name) == ("outbox", "body") or value is None:
                        continue
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    columns.setdefault(f"{table}.{name}", []).append(str(value))
        return {column: "\n".join(values) for column, values in columns.items()}
    finally:
        conn.close()


def record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.msg), str(record.__dict__)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


# --- the checks --------------------------------------------------------------------------------


def assert_nothing_leaked(tmp_path: Path, db: Path, secrets: Secrets, logs: Logs) -> None:
    """No secret in a log record, in any file under ``tmp_path``, or in the database's rows
    (outbox.body aside); the mailbox holds exactly the mailed ones."""
    every = secrets.all()
    # 1. Log records, with their arguments, exceptions and extras.
    records = logs.caplog.records
    texts = [record_text(record) for record in records]
    leaks: dict[str, set[str]] = {}
    if found_in_text("\n".join(texts), every):  # then say which records
        for record, text in zip(records, texts, strict=True):
            if found := found_in_text(text, every):
                leaks.setdefault(f"{record.name}:{record.lineno}", set()).update(found)
    assert leaks == {}
    # 2. Every file under tmp_path: the log files (ours and the CLI's), the exports, the
    # database with its WAL and shared memory.
    assert logs.cli_file is not None and logs.cli_file.is_relative_to(tmp_path)
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert {db, logs.file, logs.cli_file} <= set(files)
    database_files = {db, Path(f"{db}-wal"), Path(f"{db}-shm")}
    file_leaks = {}
    for path in files:
        # The database's bytes hold the mailbox (outbox.body): only the never-mailed secrets.
        found = found_in_bytes(path.read_bytes(), secrets.kept if path in database_files else every)
        if found:
            file_leaks[str(path.relative_to(tmp_path))] = found
    assert file_leaks == {}
    # 3. The database's rows: every column but outbox.body, the mailed secrets included.
    # Hashes only: tokens as SHA-256, passwords, answers, PINs and codes as argon2id.
    column_leaks = {
        column: found
        for column, text in database_columns(db).items()
        if (found := found_in_text(text, every))
    }
    assert column_leaks == {}
    # 4. The mailbox holds what it is for, the PINs and codes, and no other secret.
    conn = connect(db)
    try:
        mailbox = "\n".join(body for (body,) in conn.execute("SELECT body FROM outbox"))
    finally:
        conn.close()
    assert sorted(found_in_text(mailbox, every)) == sorted(secrets.mailed)


def assert_fresh(db: Path) -> None:
    """The chosen secrets occur nowhere before the flows (else finding them proves nothing)."""
    chosen = {
        "pin 1": PINS[0],
        "pin 2": PINS[1],
        "first": FIRST_PASSWORD,
        "new": NEW_PASSWORD,
        "recovered": RECOVERED_PASSWORD,
        "own answer": OWN_ANSWER,
        "answer": QUESTION_ANSWER,
        "demo": "Demo2026",
        "teller": "Cajero2026",
        "wrong password": WRONG_PASSWORD,
        "wrong pin": WRONG_PIN,
    }
    assert found_in_bytes(db.read_bytes(), chosen) == []


def typed_secrets() -> Secrets:
    return Secrets(
        kept={
            "demo password": "Demo2026",
            "teller password": "Cajero2026",
            "first password": FIRST_PASSWORD,
            "new password": NEW_PASSWORD,
            "own secret answer": OWN_ANSWER,
            "secret question answer": QUESTION_ANSWER,
        }
    )


# --- the tests -----------------------------------------------------------------------------------


async def test_the_tuis_main_flows_leave_no_secret_in_logs_or_files(
    demo_app: FastAPI,
    seeded_db: Path,
    clock: ManualClock,
    tmp_path: Path,
    debug_logs: Logs,
    memory_keyring: MemoryKeyring,
    fixed_pins: None,
) -> None:
    assert_fresh(seeded_db)
    export_dir = tmp_path / "export"
    secrets = typed_secrets()
    await onboarding(demo_app, seeded_db, clock, export_dir, secrets)
    await member_day(demo_app, seeded_db, clock, export_dir, secrets)

    # The flows did run: tokens were issued, the keyring keeps demo's device token (its one
    # place), files were written, and the loggers spoke.
    assert sum("session token" in what for what in secrets.kept) >= 4
    kept_device = memory_keyring.entries[("sjvirtual-tui", "dispositivo@demo/demo")]
    assert kept_device in secrets.kept.values()
    assert len(list(export_dir.iterdir())) == 3  # the statement and two receipts
    assert sum(r.name == "httpx" for r in debug_logs.caplog.records) >= 20
    assert debug_logs.file.read_text(encoding="utf-8").count("HTTP Request:") >= 20
    assert debug_logs.cli_file is not None
    assert "HTTP Request:" in debug_logs.cli_file.read_text(encoding="utf-8")
    assert_nothing_leaked(tmp_path, seeded_db, secrets, debug_logs)


async def test_over_real_sockets_httpcore_and_uvicorn_log_no_secret(
    seeded_db: Path, clock: ManualClock, tmp_path: Path, debug_logs: Logs, fixed_pins: None
) -> None:
    """The same secrets through the API on a loopback port: httpx's transport (httpcore) and
    the server (uvicorn, its access log) at DEBUG too. Adds recovery and a known terminal."""
    assert_fresh(seeded_db)
    secrets = typed_secrets()
    secrets.kept["recovered password"] = RECOVERED_PASSWORD
    app = create_app(seeded_db, clock=clock, hasher=CHEAP_HASHER, demo=True)
    with run_server_in_thread(app) as base_url:
        # uvicorn.Config set its loggers to the server's level: back to DEBUG.
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
            debug_logs.caplog.set_level(logging.DEBUG, logger=name)
        async with httpx.AsyncClient(base_url=base_url) as client:
            await _api_flows(client, seeded_db, secrets)
    names = {record.name for record in debug_logs.caplog.records}
    assert {"httpcore.connection", "httpcore.http11", "uvicorn.access"} <= names, names
    assert_nothing_leaked(tmp_path, seeded_db, secrets, debug_logs)


async def _api_flows(client: httpx.AsyncClient, db: Path, secrets: Secrets) -> None:
    def token_of(response: httpx.Response, who: str) -> str:
        assert response.status_code == 200, response.text
        body = response.json()
        secrets.kept[f"{who} session token"] = body["token"]
        if body["device_token"]:
            secrets.kept[f"{who} device token"] = body["device_token"]
        return str(body["token"])

    teller = token_of(
        await client.post(LOGIN, json={"username": "cajero", "password": "Cajero2026"}), "teller"
    )
    receipt = await register(client, LUIS)
    await approve(client, teller, registration_id(db, receipt["reference"]))
    code = code_in((await mails(client, LUIS["email"]))[0]["body"])
    secrets.mailed["ESTABLECER CONTRASEÑA code"] = code
    assert (await set_password(client, code, FIRST_PASSWORD)).status_code == 204
    credentials = {"username": LUIS["usuario"], "password": FIRST_PASSWORD}
    luis = token_of(await client.post(LOGIN, json=credentials), "lyanez")
    setup = {
        "new_password": NEW_PASSWORD,
        "image": "volcan",
        "own_question": "¿Nombre de mi abuela?",
        "own_answer": OWN_ANSWER,
        "question_id": 2,
        "answer": QUESTION_ANSWER,
    }
    done = await client.post(SETUP, json=setup, headers=keyed(luis))
    assert done.status_code == 200, done.text
    assert (await client.post(LOGOUT, headers=auth(luis))).status_code == 204

    # Recovery: the e-mailed code, then both answers and a new password.
    asked = await client.post(RECOVERY, json={"username": LUIS["usuario"]})
    assert asked.status_code == 202, asked.text
    code_of_mail = await recovery_code(client, LUIS["email"])
    secrets.mailed["recovery code"] = code_of_mail
    check = {"username": LUIS["usuario"], "code": code_of_mail}
    assert (await client.post(RECOVERY_VERIFY, json=check)).status_code == 200
    completion = {
        "username": LUIS["usuario"],
        "own_answer": OWN_ANSWER.upper(),  # compared normalised
        "security_answer": QUESTION_ANSWER,
        "code": code_of_mail,
        "new_password": RECOVERED_PASSWORD,
    }
    recovered = await client.post(RECOVERY_COMPLETE, json=completion, headers=keyed())
    assert recovered.status_code == 204, recovered.text

    # A wrong password first (refused, logged as a failure, never written down).
    secrets.kept["wrong password"] = WRONG_PASSWORD
    wrong = await client.post(LOGIN, json={"username": "demo", "password": WRONG_PASSWORD})
    assert wrong.json()["code"] == "invalid_credentials", wrong.text
    # demo from a new terminal, then from the same one (presenting its device token); a
    # transfer to a third party and a payment, each with the e-mailed PIN.
    first = await client.post(LOGIN, json={"username": "demo", "password": "Demo2026"})
    token_of(first, "demo (new terminal)")
    device = first.json()["device_token"]
    assert device
    again = {"username": "demo", "password": "Demo2026", "device_token": device}
    demo = token_of(await client.post(LOGIN, json=again), "demo (known terminal)")
    started = await start_transfer(
        client,
        demo,
        kind="internas",
        from_account=DEMO_VISTA,
        beneficiary_id=DEMO_TO_SOCIO2,
        amount_cents=1_000,
    )
    assert started.status_code == 201, started.text
    challenge = started.json()["challenge"]
    assert await latest_pin(client, DEMO_EMAIL) == PINS[0]
    secrets.mailed["transfer PIN"] = PINS[0]
    secrets.kept["wrong PIN"] = WRONG_PIN
    refused = await confirm(client, demo, challenge, WRONG_PIN)
    assert refused.json()["code"] == "pin_incorrect", refused.text
    confirmed = await confirm(client, demo, challenge, PINS[0])
    assert confirmed.json()["transfer"]["status"] == "completada", confirmed.text
    payment = await pay_with_pin(
        client, demo, DEMO_EMAIL, service_body(BILL_EPMAPS_DEMO, 1_873, DEMO_VISTA)
    )
    assert payment["status"] == "completada"
    secrets.mailed["payment PIN"] = PINS[1]
    for token in (demo, teller):
        assert (await client.post(LOGOUT, headers=auth(token))).status_code == 204
