"""Device tokens: the server tells a known terminal from a new one, and e-mails about new ones."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.store.meta import from_db
from mock_server.store.migrate import SCHEMA_VERSION
from tests.api import (
    DEMO_EMAIL,
    LOGIN,
    LUIS,
    NEW_TERMINAL_SUBJECT,
    SOCIO2_EMAIL,
    mails,
    rows,
    setup_session,
)
from tests.conftest import CHEAP_HASHER
from tests.database import dump
from tests.schema_files import as_schema_4, old_server_file

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
TELLER_EMAIL = "cajero@coacsanjose.ec"


async def _login(
    client: httpx.AsyncClient,
    username: str,
    password: str,
    device_token: str | None = None,
    **headers: str,
) -> httpx.Response:
    body: dict[str, Any] = {"username": username, "password": password}
    if device_token is not None:
        body["device_token"] = device_token
    return await client.post(LOGIN, json=body, headers=headers)


async def _notices(client: httpx.AsyncClient, to: str) -> list[dict[str, Any]]:
    every = await mails(client, to, new_terminal=True)
    return [message for message in every if message["subject"] == NEW_TERMINAL_SUBJECT]


def _device_token(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    token = response.json()["device_token"]
    assert isinstance(token, str) and TOKEN.match(token), token
    return token


async def test_a_new_terminal_gets_a_token_and_the_member_one_email(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    before = rows(seeded_db, "SELECT COUNT(*) FROM device_tokens")[0][0]
    token = _device_token(await _login(demo_client, "demo", "Demo2026"))
    (notice,) = await _notices(demo_client, DEMO_EMAIL)
    assert notice["subject"] == "Nuevo ingreso desde un terminal nuevo"
    # CLOCK_START is 15:00 UTC: 10:00 in Ecuador.
    assert "desde un terminal nuevo el 25/11/2026 a las 10:00 (hora de Ecuador)" in notice["body"]
    assert (
        "Si no fue usted, cambie su contraseña y comuníquese con la cooperativa."
        in (notice["body"])
    )
    assert token not in notice["body"]
    stored = rows(seeded_db, "SELECT member_id, token_hash FROM device_tokens")
    assert len(stored) == before + 1
    assert stored[-1] == (1, hashlib.sha256(token.encode()).hexdigest())


async def test_the_same_token_again_is_a_known_terminal(
    demo_client: httpx.AsyncClient, seeded_db: Path, clock: ManualClock
) -> None:
    token = _device_token(await _login(demo_client, "demo", "Demo2026"))
    clock.advance(3600)
    again = await _login(demo_client, "demo", "Demo2026", token)
    assert again.status_code == 200, again.text
    assert again.json()["device_token"] is None
    assert len(await _notices(demo_client, DEMO_EMAIL)) == 1
    ((created, seen),) = rows(seeded_db, "SELECT created_at, last_seen_at FROM device_tokens")
    assert from_db(seen) == clock.now() != from_db(created)
    # Known for good: no new token, no new e-mail.
    third = await _login(demo_client, "demo", "Demo2026", token)
    assert third.json()["device_token"] is None
    assert len(await _notices(demo_client, DEMO_EMAIL)) == 1


async def test_an_unknown_token_is_a_new_terminal(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    unknown = "u" * 43
    token = _device_token(await _login(demo_client, "demo", "Demo2026", unknown))
    assert token != unknown
    assert len(await _notices(demo_client, DEMO_EMAIL)) == 1
    stored = {hash_ for (hash_,) in rows(seeded_db, "SELECT token_hash FROM device_tokens")}
    assert hashlib.sha256(unknown.encode()).hexdigest() not in stored


@pytest.mark.parametrize("malformed", ["corto", "a" * 129, "x" * 40 + "!", "x" * 40 + "\n", ""])
async def test_a_malformed_token_is_a_422_on_its_field(
    demo_client: httpx.AsyncClient, seeded_db: Path, malformed: str
) -> None:
    before = rows(seeded_db, "SELECT COUNT(*) FROM sessions")
    response = await _login(demo_client, "demo", "Demo2026", malformed)
    assert response.status_code == 422
    assert response.json()["field"] == "device_token"
    assert response.json()["message"].startswith("Identificador del terminal: ")
    assert rows(seeded_db, "SELECT COUNT(*) FROM sessions") == before
    assert rows(seeded_db, "SELECT COUNT(*) FROM device_tokens") == [(0,)]
    assert await _notices(demo_client, DEMO_EMAIL) == []


async def test_another_members_token_is_not_recognised(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    socio2_token = _device_token(await _login(demo_client, "socio2", "Socio2026"))
    response = await _login(demo_client, "demo", "Demo2026", socio2_token)
    demo_token = _device_token(response)
    assert demo_token != socio2_token
    assert len(await _notices(demo_client, DEMO_EMAIL)) == 1
    # socio2's token is still socio2's, and still works for socio2 only.
    owners = dict(rows(seeded_db, "SELECT token_hash, member_id FROM device_tokens"))
    assert owners[hashlib.sha256(socio2_token.encode()).hexdigest()] == 2
    assert (await _login(demo_client, "socio2", "Socio2026", socio2_token)).json()[
        "device_token"
    ] is None
    assert len(await _notices(demo_client, SOCIO2_EMAIL)) == 1


async def test_failed_logins_issue_nothing(demo_client: httpx.AsyncClient, seeded_db: Path) -> None:
    token = _device_token(await _login(demo_client, "demo", "Demo2026"))
    outbox = rows(seeded_db, "SELECT COUNT(*) FROM outbox")
    for device in (None, token, "n" * 43):
        wrong = await _login(demo_client, "demo", "Mala2026", device)
        assert wrong.status_code == 401
        assert "device_token" not in wrong.json()
    unknown = await _login(demo_client, "nadie", "Mala2026", "n" * 43)
    assert unknown.status_code == 401
    assert rows(seeded_db, "SELECT COUNT(*) FROM device_tokens") == [(1,)]
    assert rows(seeded_db, "SELECT COUNT(*) FROM outbox") == outbox


async def test_no_email_on_the_very_first_login(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    await setup_session(demo_client, seeded_db, teller_token)  # LUIS's first login ever
    assert await _notices(demo_client, LUIS["email"]) == []
    (member_id,) = rows(seeded_db, "SELECT id FROM members WHERE username = 'lyanez'")[0]
    assert rows(seeded_db, "SELECT COUNT(*) FROM device_tokens WHERE member_id = ?", member_id) == [
        (1,)
    ]
    # The next login without that terminal's token is from a new terminal.
    second = await _login(demo_client, "lyanez", "Primera2026")
    _device_token(second)
    assert len(await _notices(demo_client, LUIS["email"])) == 1


async def test_tellers_get_device_tokens_too(
    demo_client: httpx.AsyncClient, teller_token: str
) -> None:
    # teller_token was the teller's first login ever: a token, no e-mail.
    assert await _notices(demo_client, TELLER_EMAIL) == []
    token = _device_token(await _login(demo_client, "cajero", "Cajero2026"))
    assert len(await _notices(demo_client, TELLER_EMAIL)) == 1
    known = await _login(demo_client, "cajero", "Cajero2026", token)
    assert known.json()["device_token"] is None
    assert len(await _notices(demo_client, TELLER_EMAIL)) == 1


async def test_the_database_keeps_only_hashes(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    issued = [
        _device_token(await _login(demo_client, name, password))
        for name, password in (("demo", "Demo2026"), ("socio2", "Socio2026"))
    ]
    stored = dump(seeded_db)
    for token in issued:
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored


@pytest.mark.sqlite_only("schema 4 is an SQLite file of the previous server, migrated on open")
async def test_a_schema_4_file_is_migrated(
    seeded_db: Path, tmp_path: Path, clock: ManualClock
) -> None:
    old = old_server_file(seeded_db, tmp_path / "old.sqlite", as_schema_4)
    app = create_app(old, clock=clock, hasher=CHEAP_HASHER, demo=True)
    assert rows(old, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    assert set(rows(old, "SELECT DISTINCT language FROM members")) == {("es",)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        token = _device_token(await _login(client, "demo", "Demo2026"))
        again = await _login(client, "demo", "Demo2026", token)
        assert again.json()["device_token"] is None
    # Opening it again changes nothing more.
    create_app(old, clock=clock, hasher=CHEAP_HASHER)
    assert rows(old, "SELECT COUNT(*) FROM device_tokens") == [(1,)]
