"""Helpers for the API tests of registration, staff, onboarding and idempotency."""

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx

from sjvirtual_tui.models import API_PREFIX
from tests.conftest import login_token

REGISTRATIONS = f"{API_PREFIX}/registrations"
STAFF = f"{API_PREFIX}/staff"
SET_PASSWORD = f"{API_PREFIX}/auth/set-password"
SETUP = f"{API_PREFIX}/me/setup"
RECOVERY = f"{API_PREFIX}/auth/recovery"
RECOVERY_COMPLETE = f"{API_PREFIX}/auth/recovery/complete"
LOGIN = f"{API_PREFIX}/auth/login"
CHALLENGE = f"{API_PREFIX}/auth/challenge"
OUTBOX = f"{API_PREFIX}/demo/outbox"
ACCOUNTS = f"{API_PREFIX}/accounts"

# How a code appears in an e-mail (no 0/O/1/I), as the TUI's tests read it too.
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})\b")

# Seeded holders without a user: REGISTRO DE SOCIOS for them succeeds.
LUIS: dict[str, Any] = {
    "kind": "persona",
    "cedula": "1710034065",
    "nombres": "Luis Alberto",
    "apellidos": "Yánez Cevallos",
    "fecha_nacimiento": "1985-03-15",
    "email": "luis.yanez@correo.ec",
    "celular": "0991234567",
    "direccion": "Calle Sucre 123, Quito",
    "usuario": "lyanez",
    "cuenta": "00107777",
}
TEXTILES: dict[str, Any] = {
    "kind": "empresa",
    "ruc": "1792060346001",
    "razon_social": "Textiles Otavalo S.A.",
    "representante_cedula": "1710034065",
    "representante_nombre": "Luis Yánez",
    "email": "gerencia@textiles.ec",
    "telefono": "062920123",
    "usuario": "textiles",
    "cuenta": "00190077",
}
# The seeded demo member's identification and its secret answers.
DEMO_CEDULA = "1712345675"

FIRST_PASSWORD = "Primera2026"
SETUP_BODY: dict[str, Any] = {
    "new_password": "Segunda2027",
    "image": "volcan",
    "phrase": "Mi casa en Quito",
    "own_question": "¿Nombre de mi abuela?",
    "own_answer": "Rosa",
    "question_id": 2,
    "answer": "Guayaquil",
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def keyed(token: str | None = None, key: str | None = None) -> dict[str, str]:
    """Headers with a fresh Idempotency-Key (or ``key``) and, given a token, the session."""
    return {**(auth(token) if token else {}), "Idempotency-Key": key or new_key()}


def rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def counts(db: Path, *tables: str) -> dict[str, int]:
    """Rows per table: what a refused request must leave as it was."""
    return {table: rows(db, f"SELECT COUNT(*) FROM {table}")[0][0] for table in tables}


# Every table a registration, approval or onboarding step could write to.
STATE_TABLES = (
    "registrations",
    "members",
    "outbox",
    "codes",
    "staff_actions",
    "sessions",
    "login_failures",
)


def code_in(body: str) -> str:
    match = CODE.search(body)
    assert match, body
    return match.group(1)


async def mails(client: httpx.AsyncClient, to: str) -> list[dict[str, Any]]:
    """The e-mails to ``to`` in the demo outbox, newest first."""
    response = await client.get(OUTBOX)
    assert response.status_code == 200, response.text
    return [message for message in response.json() if message["to"] == to]


async def register(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(REGISTRATIONS, json=payload, headers=keyed())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def registration_id(db: Path, reference: str) -> int:
    return int(rows(db, "SELECT id FROM registrations WHERE reference = ?", reference)[0][0])


async def approve(client: httpx.AsyncClient, teller_token: str, reg_id: int) -> dict[str, Any]:
    response = await client.post(
        f"{STAFF}/registrations/{reg_id}/approve", headers=keyed(teller_token)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def approved_code(
    client: httpx.AsyncClient, db: Path, teller_token: str, payload: dict[str, Any] = LUIS
) -> str:
    """Registers ``payload``, has the teller approve it; the ESTABLECER CONTRASEÑA code."""
    receipt = await register(client, payload)
    await approve(client, teller_token, registration_id(db, receipt["reference"]))
    return code_in((await mails(client, payload["email"]))[0]["body"])


async def set_password(client: httpx.AsyncClient, code: str, password: str) -> httpx.Response:
    return await client.post(
        SET_PASSWORD, json={"code": code, "password": password}, headers=keyed()
    )


async def setup_session(
    client: httpx.AsyncClient, db: Path, teller_token: str, payload: dict[str, Any] = LUIS
) -> str:
    """A session of a new user who set the password and has the PRIMER INGRESO pending."""
    code = await approved_code(client, db, teller_token, payload)
    assert (await set_password(client, code, FIRST_PASSWORD)).status_code == 204
    return await login_token(client, payload["usuario"], FIRST_PASSWORD)


async def active_user(
    client: httpx.AsyncClient, db: Path, teller_token: str, payload: dict[str, Any] = LUIS
) -> str:
    """A new user through the whole onboarding (cheap hashes); a session of it."""
    token = await setup_session(client, db, teller_token, payload)
    response = await client.post(SETUP, json=SETUP_BODY, headers=keyed(token))
    assert response.status_code == 200, response.text
    return token
