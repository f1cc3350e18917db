"""Issue 13, B1: PIN guessing is bounded per member, across operations, over a real server.

The attacker holds the password and guesses PINs: before, two wrong PINs per operation and a
new operation went on for ever (80 wrong PINs over 40 operations locked nothing). Now the wrong
PINs in a row are counted per member in the database (5 lock it), at most 3 operations wait for
a PIN at once, and PIN e-mails are rate limited. These tests speak HTTP to
``python -m mock_server`` in its own process and read what it stored from its file.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import create_app
from mock_server.seed import seed_database
from sjvirtual_tui.models import API_PREFIX
from tests.conftest import CHEAP_HASHER, SeededDatabases
from tests.database import connect
from tests.loopback import (
    ACCOUNTS,
    BENEFICIARIES,
    DEMO_EMAIL,
    LOGIN,
    TRANSFERS,
    ServerProcess,
    balances,
    challenge_url,
    count,
    latest_pin,
    login,
)
from tests.schema_files import as_schema_5, old_server_file

PAYMENTS = f"{API_PREFIX}/payments"
DEMO_PERSONAL = "00204722"
DEMO_TO_SOCIO2 = 1  # demo's interna (mock_server.seed)
BILL_CNEL_DEMO = 1  # CNEL_EP, $32,45 exacto
LOCKED_SUBJECT = "Su usuario de S.J. Virtual fue bloqueado"


@pytest.fixture
def server(engine: str, seeded_databases: SeededDatabases) -> Iterator[ServerProcess]:
    db_path = seeded_databases.empty(engine)
    # Seeded now: the server runs on the system clock, after the seeded history.
    seed_database(db_path, now=datetime.now(UTC), bulk=False, hasher=CHEAP_HASHER)
    with ServerProcess(db_path) as process:
        yield process
    seeded_databases.drop(db_path)


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key or uuid.uuid4().hex}


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10_000:04d}"


def start_transfer(
    client: httpx.Client, headers: dict[str, str], amount_cents: int = 100, key: str | None = None
) -> httpx.Response:
    body = {
        "kind": "internas",
        "from_account": DEMO_PERSONAL,
        "beneficiary_id": DEMO_TO_SOCIO2,
        "amount_cents": amount_cents,
        "description": "Prueba de PIN",
    }
    return client.post(TRANSFERS, json=body, headers=keyed(headers, key))


def confirm(
    client: httpx.Client, headers: dict[str, str], challenge: dict[str, Any], pin: str
) -> httpx.Response:
    body = {"pin": pin, "amount_cents": challenge["amount_cents"], "payee": challenge["payee"]}
    return client.post(challenge_url(challenge["id"]), json=body, headers=keyed(headers))


def started_challenge(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body.get("challenge") or body  # a beneficiary's start answers the Challenge itself


def pin_failures(db_path: Path) -> int:
    return count(db_path, "SELECT pin_failures FROM members WHERE username = 'demo'")


def test_guessing_two_pins_per_operation_locks_the_member_at_the_fifth(
    server: ServerProcess, client: httpx.Client
) -> None:
    money_before = balances(server.db_path)
    headers = login(client, "demo", "Demo2026")
    other_session = login(client, "demo", "Demo2026")
    answers: list[int] = []
    # The attacker's loop: a new operation, two wrong PINs, again, until something stops it.
    for _operation in range(40):
        challenge = started_challenge(start_transfer(client, headers))
        pin = latest_pin(server.db_path)
        for guess in (wrong(pin), wrong(wrong(pin))):
            answer = confirm(client, headers, challenge, guess)
            answers.append(answer.status_code)
            if answer.status_code != 422:
                break
        if answers[-1] != 422:
            break
    assert answers == [422, 422, 422, 422, 423], answers
    locked = answer.json()
    assert locked["code"] == "locked"
    assert "5 veces seguidas" in locked["message"]
    # Every session ended, the password no longer logs in, the member was told by e-mail.
    for session in (headers, other_session):
        ended = client.get(ACCOUNTS, headers=session)
        assert ended.status_code == 401 and ended.json()["code"] == "session_expired"
    refused = client.post(LOGIN, json={"username": "demo", "password": "Demo2026"})
    assert refused.status_code == 423
    conn = connect(server.db_path)
    try:
        (mail,) = conn.execute(
            "SELECT subject, body FROM outbox WHERE to_address = ? AND subject = ?",
            (DEMO_EMAIL, LOCKED_SUBJECT),
        ).fetchall()
        member = conn.execute(
            "SELECT locked_at, lock_reason, pin_failures FROM members WHERE username = 'demo'"
        ).fetchone()
        statuses = conn.execute("SELECT status FROM challenges ORDER BY created_at").fetchall()
        transfers = conn.execute(
            "SELECT status, reason FROM transfers WHERE status = 'pendiente_verificacion' "
            "OR reason LIKE '%5 veces%'"
        ).fetchall()
    finally:
        conn.close()
    assert "5 veces seguidas" in mail["body"] and "¿Olvidó su contraseña?" in mail["body"]
    assert member["locked_at"] is not None and member["lock_reason"] == "pin"
    assert member["pin_failures"] == 5
    # The three operations the attacker left waiting are cancelled; no money moved.
    assert [row["status"] for row in statuses] == ["cancelado"] * 3
    assert [row["status"] for row in transfers] == ["cancelada"] * 3
    assert balances(server.db_path) == money_before


def test_a_fourth_operation_awaiting_its_pin_is_409_until_one_is_confirmed(
    server: ServerProcess, client: httpx.Client
) -> None:
    headers = login(client, "demo", "Demo2026")
    first = started_challenge(start_transfer(client, headers))
    first_pin = latest_pin(server.db_path)
    payment = {
        "kind": "servicio",
        "bill_id": BILL_CNEL_DEMO,
        "from_account": DEMO_PERSONAL,
        "amount_cents": 3245,
    }
    started_challenge(client.post(PAYMENTS, json=payment, headers=keyed(headers)))
    beneficiary = {"kind": "interna", "account_type": "ahorro_vista", "number": "1107777"}
    started_challenge(client.post(BENEFICIARIES, json=beneficiary, headers=keyed(headers)))

    key = uuid.uuid4().hex
    fourth = start_transfer(client, headers, key=key)
    assert fourth.status_code == 409, fourth.text
    assert fourth.json()["code"] == "too_many_pending"
    assert fourth.json()["message"].startswith(
        "Tiene 3 operaciones esperando su PIN de verificación. Confírmelas"
    )
    assert "minutos." in fourth.json()["message"]
    assert 240 <= int(fourth.headers["Retry-After"]) <= 300
    english = client.post(
        TRANSFERS,
        json={
            "kind": "internas",
            "from_account": DEMO_PERSONAL,
            "beneficiary_id": DEMO_TO_SOCIO2,
            "amount_cents": 100,
            "description": "Prueba de PIN",
        },
        headers={**keyed(headers), "Accept-Language": "en"},
    )
    assert english.status_code == 409
    assert english.json()["message"].startswith("You have 3 operations awaiting")
    assert count(server.db_path, "SELECT COUNT(*) FROM challenges") == 3
    # The refused starts left nothing behind (the first transfer is the only one waiting).
    pending = "SELECT COUNT(*) FROM transfers WHERE status = 'pendiente_verificacion'"
    assert count(server.db_path, pending) == 1

    # One confirmed: the same request, with the same key, now starts (the 409 was not kept).
    assert confirm(client, headers, first, first_pin).status_code == 200
    again = start_transfer(client, headers, key=key)
    assert again.status_code == 201, again.text
    assert count(server.db_path, "SELECT COUNT(*) FROM challenges WHERE status = 'pendiente'") == 3


def test_a_right_pin_starts_the_count_over(server: ServerProcess, client: httpx.Client) -> None:
    headers = login(client, "demo", "Demo2026")
    answers = []
    for _ in range(2):
        challenge = started_challenge(start_transfer(client, headers))
        pin = latest_pin(server.db_path)
        answers += [confirm(client, headers, challenge, wrong(pin)) for _ in range(2)]
    assert [a.status_code for a in answers] == [422] * 4
    assert answers[-1].json()["message"] == (
        "El PIN de verificación no es correcto. Le queda 1 intento antes de que su usuario "
        "se bloquee."
    )
    assert pin_failures(server.db_path) == 4
    assert confirm(client, headers, challenge, pin).status_code == 200
    assert pin_failures(server.db_path) == 0
    for _ in range(2):
        challenge = started_challenge(start_transfer(client, headers))
        pin = latest_pin(server.db_path)
        for _ in range(2):
            assert confirm(client, headers, challenge, wrong(pin)).status_code == 422
    # 4 wrong, 1 right, 4 wrong: not locked.
    assert pin_failures(server.db_path) == 4
    assert client.get(ACCOUNTS, headers=headers).status_code == 200
    assert client.post(LOGIN, json={"username": "demo", "password": "Demo2026"}).is_success


def test_pin_e_mails_are_limited_to_10_in_15_minutes(
    server: ServerProcess, client: httpx.Client
) -> None:
    headers = login(client, "demo", "Demo2026")
    for _ in range(10):
        challenge = started_challenge(start_transfer(client, headers))
        assert confirm(client, headers, challenge, latest_pin(server.db_path)).status_code == 200
    mails_before = count(server.db_path, "SELECT COUNT(*) FROM outbox")
    eleventh = start_transfer(client, headers)
    assert eleventh.status_code == 429, eleventh.text
    assert eleventh.json()["code"] == "too_many_pins"
    assert "10 PIN de verificación en 15 minutos" in eleventh.json()["message"]
    assert "Podrá intentarlo de nuevo en 15 minutos." in eleventh.json()["message"]
    assert 840 <= int(eleventh.headers["Retry-After"]) <= 900
    # Nothing stored, nothing sent: no transfer, no challenge, no e-mail.
    assert count(server.db_path, "SELECT COUNT(*) FROM outbox") == mails_before
    assert count(server.db_path, "SELECT COUNT(*) FROM challenges") == 10


@pytest.mark.sqlite_only("schema 5 is an SQLite file of the previous server, migrated on open")
def test_a_schema_5_file_is_migrated(seeded_db: Path, tmp_path: Path) -> None:
    """Schema 6 counts wrong PINs, not cancelled operations: the old count starts over, and a
    lock set before (by failed logins or PINs, which only a teller lifted) stays teller-only."""
    old = old_server_file(
        seeded_db,
        tmp_path / "schema5.sqlite",
        as_schema_5,
        """
        UPDATE members SET pin_cancellations = 4 WHERE username = 'demo';
        UPDATE members SET locked_at = '2026-11-01T10:00:00.000000+00:00'
            WHERE username = 'socio2';
        """,
    )
    create_app(old, hasher=CHEAP_HASHER)
    with sqlite3.connect(old) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        members = conn.execute(
            "SELECT username, pin_failures, lock_reason FROM members "
            "WHERE username IN ('demo', 'socio2') ORDER BY username"
        ).fetchall()
        indexes = [row[1] for row in conn.execute("PRAGMA index_list(challenges)")]
    conn.close()
    assert version == ("6",)
    assert members == [("demo", 0, None), ("socio2", 0, "login")]
    assert "challenges_member" in indexes
