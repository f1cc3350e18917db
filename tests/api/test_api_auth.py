"""INGRESAR: security challenge, login, lock-out, idle sessions, what the store keeps."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from sjvirtual_tui.models import SecurityImageId
from sjvirtual_tui.rules import ECUADOR_TZ
from tests.api import auth as _auth
from tests.api import post_login as _login
from tests.conftest import CHEAP_HASHER, CLOCK_START, login_token
from tests.database import connect, raw_files

CHALLENGE = "/api/v1/auth/challenge"
LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"
LOCKED = {
    "code": "locked",
    "message": (
        "Usuario bloqueado por intentos fallidos. "
        "Comuníquese con la cooperativa para desbloquearlo."
    ),
    "field": None,
}
INVALID = {
    "code": "invalid_credentials",
    "message": "Usuario o contraseña incorrectos.",
    "field": None,
}


def _query(db_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = connect(db_path)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


# --- the security challenge ---------------------------------------------------------------------


async def _logged_in(
    client: httpx.AsyncClient, username: str, password: str, full_name: str, role: str
) -> dict[str, Any]:
    """A login that succeeds: its answer, which names the user (in lower case), and its role."""
    response = await _login(client, username, password)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["member"] == {"username": username.lower(), "full_name": full_name, "role": role}
    return body


async def test_challenge_shows_the_members_image_only(api_client: httpx.AsyncClient) -> None:
    response = await api_client.post(CHALLENGE, json={"username": "Demo"})
    assert response.status_code == 200
    assert response.json() == {"username": "demo", "image": "colibri"}


async def test_unknown_username_gets_a_stable_decoy_of_the_same_shape(
    api_client: httpx.AsyncClient, seeded_db: Path, clock: ManualClock
) -> None:
    known = (await api_client.post(CHALLENGE, json={"username": "socio2"})).json()
    first = await api_client.post(CHALLENGE, json={"username": "pedro.perez"})
    again = await api_client.post(CHALLENGE, json={"username": "PEDRO.PEREZ"})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    decoy = first.json()
    assert decoy.keys() == known.keys()
    assert decoy["username"] == "pedro.perez"
    assert decoy["image"] in set(SecurityImageId)

    # Different names get different decoys (not one constant answer that would give them away).
    images = {
        (await api_client.post(CHALLENGE, json={"username": f"nadie{i}"})).json()["image"]
        for i in range(12)
    }
    assert len(images) > 3

    # The secret lives in the database: a restarted server shows the same decoy.
    restarted = create_app(seeded_db, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=restarted), base_url="http://sjv.test"
    ) as client:
        after_restart = await client.post(CHALLENGE, json={"username": "pedro.perez"})
    assert after_restart.content == first.content


async def test_blank_username_is_a_validation_error(api_client: httpx.AsyncClient) -> None:
    for body in ({"username": "   "}, {"username": ""}, {}):
        response = await api_client.post(CHALLENGE, json=body)
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert response.json()["field"] == "username"
        assert response.json()["message"].startswith("Usuario:")


# --- login ----------------------------------------------------------------------------------


async def test_login_returns_the_previous_login_and_a_session(
    api_client: httpx.AsyncClient, clock: ManualClock, seeded_db: Path
) -> None:
    # The username is found whatever its case.
    body = await _logged_in(
        api_client, "DEMO", "Demo2026", "María Fernanda Guamán Quispe", "member"
    )
    assert body["idle_timeout_seconds"] == 300
    assert len(body["token"]) >= 43  # 256 bits, urlsafe base64
    # Seeded as yesterday 18:42 in Ecuador.
    previous = datetime.fromisoformat(body["last_login_at"])
    assert previous == datetime(2026, 11, 24, 18, 42, tzinfo=ECUADOR_TZ)

    clock.advance(3600)
    second = (await _login(api_client, "demo", "Demo2026")).json()
    assert datetime.fromisoformat(second["last_login_at"]) == CLOCK_START
    assert second["token"] != body["token"]
    stored = _query(seeded_db, "SELECT last_login_at FROM members WHERE username = 'demo'")
    assert datetime.fromisoformat(str(stored[0][0])) == CLOCK_START + timedelta(hours=1)


async def test_wrong_password_and_unknown_user_answer_the_same_bytes(
    api_client: httpx.AsyncClient,
) -> None:
    wrong = await _login(api_client, "demo", "Demo2025")
    unknown = await _login(api_client, "nadie", "Demo2026")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    assert wrong.json() == INVALID


async def test_fifth_failure_in_a_row_locks_even_the_right_password(
    api_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    for _ in range(4):
        assert (await _login(api_client, "socio2", "incorrecta")).status_code == 401
    fifth = await _login(api_client, "socio2", "incorrecta")
    assert fifth.status_code == 423
    assert fifth.json() == LOCKED
    right = await _login(api_client, "socio2", "Socio2026")
    assert right.status_code == 423
    assert right.json() == LOCKED
    assert _query(seeded_db, "SELECT locked_at IS NOT NULL FROM members WHERE username = 'socio2'")[
        0
    ] == (1,)


async def test_a_success_resets_the_failure_count(api_client: httpx.AsyncClient) -> None:
    for _ in range(4):
        assert (await _login(api_client, "demo", "incorrecta")).status_code == 401
    assert (await _login(api_client, "demo", "Demo2026")).status_code == 200
    for _ in range(4):
        assert (await _login(api_client, "demo", "incorrecta")).status_code == 401
    assert (await _login(api_client, "demo", "Demo2026")).status_code == 200


async def test_unknown_usernames_lock_the_same_way(
    api_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    answers = [await _login(api_client, "fantasma", "Clave2026") for _ in range(6)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 423, 423]
    assert answers[4].json() == answers[5].json() == LOCKED
    # The seeded locked member gets the very same answer: the lock tells nothing either.
    bloqueado = await _login(api_client, "bloqueado", "Bloqueado2026")
    assert bloqueado.status_code == 423
    assert bloqueado.content == answers[5].content
    assert _query(seeded_db, "SELECT count FROM login_failures WHERE username = 'fantasma'") == [
        (5,)
    ]


async def test_a_teller_logs_in_with_its_role(api_client: httpx.AsyncClient) -> None:
    body = await _logged_in(api_client, "cajero", "Cajero2026", "Jorge Luis Paredes", "teller")
    assert body["last_login_at"] is None
    assert body["setup_required"] is False
    # Staff hold no accounts: the socios' routes refuse them (issue 13 B7), not an empty list.
    accounts = await api_client.get("/api/v1/accounts", headers=_auth(body["token"]))
    assert accounts.status_code == 403
    assert accounts.json()["code"] == "forbidden"


async def test_simultaneous_logins_all_succeed_while_the_hash_is_upgraded(
    seeded_db: Path, clock: ManualClock
) -> None:
    # The seeded hashes use argon2's default parameters; this server hashes with others, so
    # the first login rehashes the password. The logins verifying the old hash meanwhile
    # must not take the new one for a changed password.
    before = _query(seeded_db, "SELECT password_hash FROM members WHERE username = 'demo'")
    app = create_app(seeded_db, clock=clock, hasher=CHEAP_HASHER)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        responses = await asyncio.gather(*(_login(client, "demo", "Demo2026") for _ in range(6)))
        assert [response.status_code for response in responses] == [200] * 6
        assert len({response.json()["token"] for response in responses}) == 6
        # Rehashed once, to the server's parameters, and the new hash is the same password.
        after = _query(seeded_db, "SELECT password_hash FROM members WHERE username = 'demo'")
        assert after != before
        assert not CHEAP_HASHER.check_needs_rehash(str(after[0][0]))
        assert CHEAP_HASHER.verify(str(after[0][0]), "Demo2026")
        again = await _login(client, "demo", "Demo2026")
        assert again.status_code == 200
        assert (
            _query(seeded_db, "SELECT password_hash FROM members WHERE username = 'demo'") == after
        )
        # Nothing counted as a failure, and a wrong password is still refused.
        assert _query(seeded_db, "SELECT count FROM login_failures WHERE username = 'demo'") == []
        assert (await _login(client, "demo", "Otra2026")).status_code == 401


# --- sessions -------------------------------------------------------------------------------


async def test_session_expires_after_five_idle_minutes(
    api_client: httpx.AsyncClient, clock: ManualClock, seeded_db: Path
) -> None:
    token = await login_token(api_client, "demo", "Demo2026")
    clock.advance(299)
    assert (await api_client.get(ME, headers=_auth(token))).status_code == 200
    clock.advance(299)  # 598 s after login, but only 299 s after the last request
    me = await api_client.get(ME, headers=_auth(token))
    assert me.status_code == 200
    assert me.json()["username"] == "demo"
    clock.advance(300.001)
    expired = await api_client.get("/api/v1/accounts", headers=_auth(token))
    assert expired.status_code == 401
    assert expired.json() == {
        "code": "session_expired",
        "message": "Su sesión terminó por inactividad. Ingrese nuevamente.",
        "field": None,
    }
    assert expired.headers["www-authenticate"] == "Bearer"
    # Ended for good: turning the clock back does not revive it, and it still says why.
    clock.advance(-250)
    assert (await api_client.get(ME, headers=_auth(token))).content == expired.content
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    assert _query(
        seeded_db, "SELECT ended_at IS NOT NULL FROM sessions WHERE token_hash = ?", token_hash
    ) == [(1,)]


async def test_logout_ends_the_session(api_client: httpx.AsyncClient) -> None:
    token = await login_token(api_client, "demo", "Demo2026")
    response = await api_client.post(LOGOUT, headers=_auth(token))
    assert response.status_code == 204
    assert response.content == b""
    after = await api_client.get(ME, headers=_auth(token))
    assert after.status_code == 401
    assert after.json() == {
        "code": "session_expired",
        "message": "Su sesión terminó. Ingrese nuevamente.",
        "field": None,
    }
    again = await api_client.post(LOGOUT, headers=_auth(token))
    assert again.status_code == 401
    assert again.json()["code"] == "session_expired"


async def test_missing_or_unknown_token_is_not_authenticated(
    api_client: httpx.AsyncClient,
) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer no-such-token"},
        {"Authorization": "Basic ZGVtbzpEZW1vMjAyNg=="},
    ):
        response = await api_client.get("/api/v1/accounts", headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "message": "Ingrese con su usuario y contraseña.",
            "field": None,
        }


# --- what the store keeps -------------------------------------------------------------------


async def test_tokens_are_stored_only_as_sha256(
    api_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    token = await login_token(api_client, "demo", "Demo2026")
    # The raw bytes of the database and its write-ahead log: the token is nowhere.
    raw = b"".join(path.read_bytes() for path in raw_files(seeded_db))
    assert token.encode() not in raw
    hashes = [row[0] for row in _query(seeded_db, "SELECT token_hash FROM sessions")]
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]


def test_passwords_are_argon2id_hashes(seeded_db: Path) -> None:
    rows = _query(seeded_db, "SELECT username, password_hash FROM members ORDER BY username")
    assert [row[0] for row in rows] == [
        "bloqueado",
        "cajero",
        "demo",
        "masivo",
        "socio2",
        "supervisor",
    ]
    for _username, password_hash in rows:
        assert str(password_hash).startswith("$argon2id$")
        assert "2026" not in str(password_hash).split("$")[-1]
    demo_hash = dict(rows)["demo"]
    assert PasswordHasher().verify(str(demo_hash), "Demo2026")


# --- errors ---------------------------------------------------------------------------------


async def test_an_unexpected_error_is_a_generic_500(server_app: FastAPI) -> None:
    def boom() -> None:
        raise RuntimeError("secreto interno: /var/lib/sjv.sqlite")

    server_app.add_api_route("/api/v1/boom", boom)
    transport = httpx.ASGITransport(app=server_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        response = await client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "code": "internal_error",
        "message": "Ocurrió un error en el servidor. Intente nuevamente en unos minutos.",
        "field": None,
    }
    assert b"secreto" not in response.content
    assert b"Traceback" not in response.content


async def test_unknown_route_and_method_answer_error_bodies(api_client: httpx.AsyncClient) -> None:
    missing = await api_client.get("/api/v1/no-existe")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = await api_client.delete("/api/v1/accounts")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"
    not_json = await api_client.post(
        LOGIN, content=b"{usuario", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert not_json.json()["field"] == "body"


def test_manual_clock_refuses_naive_times() -> None:
    naive = datetime(2026, 11, 25, 10, 0)
    try:
        ManualClock(naive)
    except ValueError:
        pass
    else:
        raise AssertionError("a naive start was accepted")
    clock = ManualClock(datetime(2026, 11, 25, 10, 0, tzinfo=ECUADOR_TZ))
    assert clock.now() == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC
