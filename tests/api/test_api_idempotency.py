"""Idempotency-Key: one effect per key, the same answer on every retry, refusals included."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import mock_server.domain.mail as mail
from mock_server.api.errors import ApiError
from tests.api import (
    LUIS,
    REGISTRATIONS,
    SET_PASSWORD,
    STAFF,
    STATE_TABLES,
    approved_code,
    auth,
    counts,
    keyed,
    new_key,
    register,
    registration_id,
    rows,
)
from tests.database import raw_files

ALL_TABLES = (*STATE_TABLES, "idempotency")


async def test_a_replay_gets_the_stored_answer_and_changes_nothing(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    headers = keyed()
    first = await demo_client.post(REGISTRATIONS, json=LUIS, headers=headers)
    assert first.status_code == 201
    assert "idempotency-replayed" not in first.headers
    after_first = counts(seeded_db, *ALL_TABLES)

    again = await demo_client.post(REGISTRATIONS, json=LUIS, headers=headers)
    # The same JSON written another way (key order, spacing) is the same request.
    reordered = json.dumps(dict(reversed(list(LUIS.items()))), indent=2).encode()
    respaced = await demo_client.post(
        REGISTRATIONS,
        content=reordered,
        headers={**headers, "Content-Type": "application/json"},
    )
    for replay in (again, respaced):
        assert replay.status_code == 201
        assert replay.content == first.content
        assert replay.headers["idempotency-replayed"] == "true"
    assert counts(seeded_db, *ALL_TABLES) == after_first
    assert rows(seeded_db, "SELECT COUNT(*) FROM registrations WHERE username = 'lyanez'") == [(1,)]


async def test_the_same_key_for_another_request_is_refused(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    headers = keyed()
    assert (await demo_client.post(REGISTRATIONS, json=LUIS, headers=headers)).status_code == 201
    before = counts(seeded_db, *ALL_TABLES)
    other_body = await demo_client.post(
        REGISTRATIONS, json={**LUIS, "celular": "0998887777"}, headers=headers
    )
    other_path = await demo_client.post(
        SET_PASSWORD, json={"code": "ABCD-EFGH-JK", "password": "Clave2026"}, headers=headers
    )
    for refused in (other_body, other_path):
        assert refused.status_code == 422
        body = refused.json()
        assert (body["code"], body["field"]) == ("idempotency_mismatch", "Idempotency-Key")
        assert "otros datos" in body["message"]
    assert counts(seeded_db, *ALL_TABLES) == before


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Idempotency-Key": "corta"},
        {"Idempotency-Key": "con espacios 1"},
        {"Idempotency-Key": "x" * 101},
    ],
    ids=["missing", "short", "spaces", "long"],
)
async def test_a_missing_or_malformed_key_is_refused(
    demo_client: httpx.AsyncClient, seeded_db: Path, headers: dict[str, str]
) -> None:
    before = counts(seeded_db, *ALL_TABLES)
    response = await demo_client.post(REGISTRATIONS, json=LUIS, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("validation_error", "Idempotency-Key")
    assert body["message"].startswith("Clave de la operación:")
    assert counts(seeded_db, *ALL_TABLES) == before


async def test_the_session_is_checked_before_the_key(
    demo_client: httpx.AsyncClient, teller_token: str
) -> None:
    approve = f"{STAFF}/registrations/1/approve"
    stranger = await demo_client.post(approve)
    assert stranger.status_code == 401
    teller = await demo_client.post(approve, headers=auth(teller_token))
    assert teller.status_code == 422
    assert teller.json()["field"] == "Idempotency-Key"


async def test_a_refusal_is_stored_and_replayed(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    headers = keyed()
    taken = {**LUIS, "usuario": "gcisneros"}  # Gabriela's pending request has it
    refused = await demo_client.post(REGISTRATIONS, json=taken, headers=headers)
    assert refused.status_code == 409
    # Gabriela's request is rejected: the username is free now...
    rejected = await demo_client.post(
        f"{STAFF}/registrations/1/reject",
        json={"reason": "Documentos ilegibles"},
        headers=keyed(teller_token),
    )
    assert rejected.status_code == 200
    # ...but a retry of the refused request is the same request: refused the same way.
    replay = await demo_client.post(REGISTRATIONS, json=taken, headers=headers)
    assert (replay.status_code, replay.content) == (409, refused.content)
    fresh = await demo_client.post(REGISTRATIONS, json=taken, headers=keyed())
    assert fresh.status_code == 201


async def _approval_mail_replaced(
    client: httpx.AsyncClient,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    approval_mail: Callable[..., None],
) -> tuple[int, str]:
    """Luis registered, and the approval's e-mail made to run ``approval_mail`` (where it fails,
    the approval's effect is already written): (his registration's id, its approve URL)."""
    reg_id = registration_id(db, (await register(client, LUIS))["reference"])
    monkeypatch.setattr(mail, "approval", approval_mail)
    return reg_id, f"{STAFF}/registrations/{reg_id}/approve"


async def test_a_refusal_undoes_what_the_effect_had_written(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    teller_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        # By the time the e-mail is written, the user and its code were inserted.
        raise ApiError(409, "conflict", "El correo no se pudo preparar.")

    reg_id, approve = await _approval_mail_replaced(demo_client, seeded_db, monkeypatch, refuse)
    before = counts(seeded_db, *STATE_TABLES)
    headers = keyed(teller_token)
    response = await demo_client.post(approve, headers=headers)
    assert response.status_code == 409
    assert counts(seeded_db, *STATE_TABLES) == before
    assert rows(seeded_db, "SELECT status FROM registrations WHERE id = ?", reg_id) == [
        ("pendiente",)
    ]
    # The refusal itself is what was stored for this key.
    ((status, stored),) = rows(
        seeded_db,
        "SELECT status_code, response_body FROM idempotency WHERE key = ?",
        headers["Idempotency-Key"],
    )
    assert (status, bytes(stored)) == (409, response.content)


@pytest.fixture
async def unguarded_client(demo_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Sees a crash as the member would: a 500 answer, not an exception in the test."""
    transport = httpx.ASGITransport(app=demo_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        yield client


async def test_a_server_error_stores_nothing_and_the_retry_runs_again(
    unguarded_client: httpx.AsyncClient,
    seeded_db: Path,
    teller_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_approval = mail.approval

    def crash(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disco lleno")

    _reg_id, approve = await _approval_mail_replaced(
        unguarded_client, seeded_db, monkeypatch, crash
    )
    before = counts(seeded_db, *ALL_TABLES)
    headers = keyed(teller_token)
    crashed = await unguarded_client.post(approve, headers=headers)
    assert crashed.status_code == 500
    assert crashed.json()["code"] == "internal_error"
    assert counts(seeded_db, *ALL_TABLES) == before

    monkeypatch.setattr(mail, "approval", real_approval)
    retried = await unguarded_client.post(approve, headers=headers)
    assert retried.status_code == 200
    assert retried.json()["status"] == "aprobada"
    assert rows(seeded_db, "SELECT COUNT(*) FROM members WHERE username = 'lyanez'") == [(1,)]


async def test_keys_belong_to_their_caller(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    key = new_key()
    registered = await demo_client.post(REGISTRATIONS, json=LUIS, headers=keyed(key=key))
    assert registered.status_code == 201
    # The teller's key space is its own: the same key approves, it does not replay.
    reg_id = registration_id(seeded_db, registered.json()["reference"])
    approved = await demo_client.post(
        f"{STAFF}/registrations/{reg_id}/approve", headers=keyed(teller_token, key)
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "aprobada"
    assert rows(seeded_db, "SELECT scope FROM idempotency WHERE key = ? ORDER BY scope", key) == [
        ("anon",),
        ("member:5",),
    ]


async def test_secrets_in_a_request_reach_no_plain_hash(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    code = await approved_code(demo_client, seeded_db, teller_token)
    headers = keyed()
    body = {"code": code, "password": "Secreta2026"}
    assert (await demo_client.post(SET_PASSWORD, json=body, headers=headers)).status_code == 204
    replay = await demo_client.post(SET_PASSWORD, json=body, headers=headers)
    assert replay.status_code == 204
    assert replay.headers["idempotency-replayed"] == "true"
    other = await demo_client.post(
        SET_PASSWORD, json={**body, "password": "Distinta2026"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"

    ((request_hash, secret_hash),) = rows(
        seeded_db,
        "SELECT request_hash, secret_hash FROM idempotency WHERE key = ?",
        headers["Idempotency-Key"],
    )
    assert secret_hash.startswith("$argon2id$")
    assert len(request_hash) == 64
    raw = b"".join(path.read_bytes() for path in raw_files(seeded_db))
    assert b"Secreta2026" not in raw


def test_the_key_is_a_required_header_of_every_state_changing_route(
    demo_app: FastAPI,
) -> None:
    spec = demo_app.openapi()
    keyed_routes = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if any(
            p["in"] == "header" and p["name"] == "Idempotency-Key" and p["required"]
            for p in operation.get("parameters", [])
        )
    }
    assert keyed_routes == {
        ("POST", "/api/v1/registrations"),
        ("POST", "/api/v1/staff/registrations/{registration_id}/approve"),
        ("POST", "/api/v1/staff/registrations/{registration_id}/reject"),
        ("POST", "/api/v1/staff/members/{username}/unlock"),
        ("POST", "/api/v1/auth/set-password"),
        ("POST", "/api/v1/me/setup"),
        ("POST", "/api/v1/auth/recovery/complete"),
        ("POST", "/api/v1/beneficiaries"),
        ("DELETE", "/api/v1/beneficiaries/{beneficiary_id}"),
        ("POST", "/api/v1/transfers"),
        ("POST", "/api/v1/challenges/{challenge_id}/confirm"),
        ("POST", "/api/v1/frequent-services"),
        ("DELETE", "/api/v1/frequent-services/{frequent_id}"),
        ("POST", "/api/v1/payments"),
        # polizas (issue 17): the simulator changes nothing, but is keyed as every POST
        ("POST", "/api/v1/polizas/simulate"),
        ("POST", "/api/v1/polizas"),
        ("POST", "/api/v1/loans/{loan_id}/payments"),  # loans (issue 17)
        ("POST", "/api/v1/certificates"),  # certificates (issue 17): each one is kept
        # --- notifications (issue 17) ---
        ("POST", "/api/v1/notifications/{notification_id}/read"),
        ("POST", "/api/v1/notifications/read-all"),
        # --- self-service ---
        ("POST", "/api/v1/me/password"),
        ("POST", "/api/v1/me/security"),
        ("POST", "/api/v1/me/contact"),
        ("POST", "/api/v1/me/contact/{change_id}/confirm"),
        ("POST", "/api/v1/debit-cards/{card_id}/block"),
        ("POST", "/api/v1/staff/debit-cards/{debit_card_id}/unblock"),
        # --- approvals and audit (issue 18) ---
        ("POST", "/api/v1/staff/members/{username}/security-reset"),
        ("POST", "/api/v1/staff/members/{username}/resend-approval-code"),
        ("POST", "/api/v1/staff/registrations"),
        ("POST", "/api/v1/staff/approvals/{approval_id}/approve"),
        ("POST", "/api/v1/staff/approvals/{approval_id}/reject"),
        # --- teller counter (issue 18) ---
        ("POST", "/api/v1/staff/cash/deposits"),
        ("POST", "/api/v1/staff/cash/withdrawals"),
        ("POST", "/api/v1/staff/cash/drawer/open"),
        ("POST", "/api/v1/staff/cash/drawer/close"),
        ("POST", "/api/v1/staff/cash/operations/{counter_op_id}/reversal"),
    }
    # Every other POST is one that docs/api.md exempts.
    posts = {
        path
        for path, operations in spec["paths"].items()
        if "post" in operations and ("POST", path) not in keyed_routes
    }
    assert posts == {
        "/api/v1/auth/challenge",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/recovery",
        "/api/v1/auth/recovery/verify",
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
