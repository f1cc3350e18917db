"""ESTABLECER CONTRASEÑA, PRIMER INGRESO and recovery, and the whole way from REGISTRARSE to
the accounts."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mock_server.api.deps import SETUP_ALLOWED
from mock_server.domain.clock import ManualClock
from mock_server.store.meta import SECURITY_QUESTIONS
from tests.api import (
    ACCOUNTS,
    CHALLENGE,
    DEMO_EMAIL,
    FIRST_PASSWORD,
    LUIS,
    OUTBOX,
    RECOVERY,
    RECOVERY_SUBJECT,
    RECOVERY_VERIFY,
    REGISTRATIONS,
    SETUP,
    SETUP_BODY,
    STAFF,
    STATE_TABLES,
    TEXTILES,
    active_user,
    approved_code,
    auth,
    code_in,
    complete_recovery,
    counts,
    keyed,
    mails,
    rows,
    set_password,
    setup_session,
)
from tests.api import post_login as _login
from tests.conftest import CHEAP_HASHER, login_token
from tests.database import connect

SETUP_REQUIRED = {
    "code": "setup_required",
    "message": "Complete la configuración de su primer ingreso.",
    "field": None,
}
RECOVERY_FAILED = {
    "code": "recovery_failed",
    "message": "Los datos de recuperación no son correctos.",
    "field": None,
}
DEMO_MAIL = "demo@socios.coacsanjose.ec"


# --- ESTABLECER CONTRASEÑA -----------------------------------------------------------------------


async def test_the_code_sets_the_password_once(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    code = await approved_code(demo_client, seeded_db, teller_token)
    # Typed the way people do: lower case, spaces instead of dashes.
    typed = code.lower().replace("-", " ")
    response = await set_password(demo_client, typed, FIRST_PASSWORD)
    assert response.status_code == 204
    assert response.content == b""
    ((status, used),) = rows(
        seeded_db,
        "SELECT m.status, c.used_at IS NOT NULL FROM members AS m "
        "JOIN codes AS c ON c.member_id = m.id WHERE m.username = 'lyanez'",
    )
    assert (status, used) == ("setup", 1)
    newest = (await mails(demo_client, LUIS["email"]))[0]
    assert newest["subject"] == "Contraseña establecida"
    assert "PRIMER INGRESO" in newest["body"]

    login = await _login(demo_client, "lyanez", FIRST_PASSWORD)
    assert login.status_code == 200
    assert login.json()["setup_required"] is True
    assert login.json()["last_login_at"] is None

    reused = await set_password(demo_client, code, "Otra2026x")
    unknown = await set_password(demo_client, "ABCD-EFGH-JK", "Otra2026x")
    for refused in (reused, unknown):
        assert refused.status_code == 422
        assert refused.json()["field"] == "code"
        assert refused.json()["code"] == "invalid_code"
    assert reused.content == unknown.content  # a used code tells nothing more than a wrong one
    assert "ya fue usado" in reused.json()["message"]
    assert (await _login(demo_client, "lyanez", FIRST_PASSWORD)).status_code == 200


async def test_an_expired_code_says_so(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, clock: ManualClock
) -> None:
    code = await approved_code(demo_client, seeded_db, teller_token)
    clock.advance(24 * 3600 + 1)
    before = counts(seeded_db, *STATE_TABLES)
    response = await set_password(demo_client, code, FIRST_PASSWORD)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("code_expired", "code")
    assert "venció" in body["message"]
    assert counts(seeded_db, *STATE_TABLES) == before
    assert rows(seeded_db, "SELECT status FROM members WHERE username = 'lyanez'") == [
        ("pending_password",)
    ]


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("Corta1A", "al menos 8 caracteres"),
        ("SinNumeros", "un número"),
        ("sinmayuscula1", "una letra mayúscula"),
        ("todomal", "al menos 8 caracteres, un número y una letra mayúscula"),
    ],
)
async def test_the_password_policy(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    teller_token: str,
    password: str,
    says: str,
) -> None:
    code = await approved_code(demo_client, seeded_db, teller_token)
    response = await set_password(demo_client, code, password)
    assert response.status_code == 422
    assert response.json()["field"] == "password"
    assert says in response.json()["message"]
    # The code is still good for a password that meets the policy.
    assert (await set_password(demo_client, code, FIRST_PASSWORD)).status_code == 204


# --- PRIMER INGRESO ------------------------------------------------------------------------------


def _example_path(path: str) -> str:
    values = {
        "number": "00107777",
        "registration_id": "1",
        "username": "demo",
        "beneficiary_id": "1",
        "transfer_id": "1",
        "challenge_id": "x" * 24,
        "biller_code": "CNEL_EP",
        "frequent_id": "1",
        "payment_id": "1",
        "code": "SJV-0000-0000",
        "poliza_id": "1",
        "loan_id": "1",
        "notification_id": "1",  # --- notifications (issue 17) ---
        # --- self-service ---
        "card_id": "1",
        "change_id": "1",
        "debit_card_id": "1",
        "approval_id": "1",
        "holder_id": "1",  # --- teller counter (issue 18) ---
        "counter_op_id": "1",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


async def test_a_setup_session_reaches_only_the_first_login(
    demo_app: FastAPI, demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    token = await setup_session(demo_client, seeded_db, teller_token)
    headers = keyed(token)
    # Every route behind a session (its OpenAPI operation needs the bearer token), present
    # and future, except the allow-list.
    gated = [
        (method.upper(), path)
        for path, operations in demo_app.openapi()["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") and (method.upper(), path) not in SETUP_ALLOWED
    ]
    assert ("GET", "/api/v1/accounts") in gated
    assert ("POST", "/api/v1/staff/registrations/{registration_id}/approve") in gated
    before = counts(seeded_db, *STATE_TABLES)
    for method, path in gated:
        response = await demo_client.request(method, _example_path(path), headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.json() == SETUP_REQUIRED
    assert counts(seeded_db, *STATE_TABLES) == before

    me = await demo_client.get("/api/v1/me", headers=headers)
    assert me.json() == {
        "username": "lyanez",
        "full_name": "Luis Alberto Yánez Cevallos",
        "role": "member",
    }
    questions = await demo_client.get("/api/v1/security-questions", headers=headers)
    assert [q["text"] for q in questions.json()] == list(SECURITY_QUESTIONS)
    assert [q["id"] for q in questions.json()] == list(range(1, 9))
    # Logout works too, and is the end of that session.
    assert (await demo_client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await demo_client.get("/api/v1/me", headers=headers)).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"new_password": FIRST_PASSWORD}, "new_password", "distinta de la actual"),
        ({"new_password": "segunda2027"}, "new_password", "una letra mayúscula"),
        ({"image": "pingüino"}, "image", "use uno de estos valores"),
        ({"own_question": "  ¿?   "}, "own_question", "al menos 5"),
        ({"own_answer": "a"}, "own_answer", "al menos 2"),
        ({"own_answer": " á  "}, "own_answer", "al menos 2"),
        ({"question_id": 99}, "question_id", "de la lista"),
        ({"answer": "  -  "}, "answer", "al menos 2"),
    ],
)
async def test_first_login_refusals_name_the_field(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    teller_token: str,
    changes: dict[str, Any],
    field: str,
    says: str,
) -> None:
    token = await setup_session(demo_client, seeded_db, teller_token)
    before = rows(seeded_db, "SELECT * FROM members WHERE username = 'lyanez'")
    response = await demo_client.post(SETUP, json={**SETUP_BODY, **changes}, headers=keyed(token))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert says in response.json()["message"]
    assert rows(seeded_db, "SELECT * FROM members WHERE username = 'lyanez'") == before


async def test_first_login_makes_the_account_ready(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    token = await setup_session(demo_client, seeded_db, teller_token)
    response = await demo_client.post(SETUP, json=SETUP_BODY, headers=keyed(token))
    assert response.status_code == 200
    assert response.json() == {
        "username": "lyanez",
        "full_name": "Luis Alberto Yánez Cevallos",
        "role": "member",
    }
    # The same session now reaches the holder's accounts.
    accounts = await demo_client.get(ACCOUNTS, headers=auth(token))
    assert accounts.status_code == 200
    assert [a["number"] for a in accounts.json()] == ["00107777"]

    ready = (await mails(demo_client, LUIS["email"]))[0]
    assert ready["subject"] == "Su cuenta está lista"
    assert "cuenta está lista" in ready["body"]

    challenge = (await demo_client.post(CHALLENGE, json={"username": "lyanez"})).json()
    assert challenge == {"username": "lyanez", "image": "volcan"}
    assert (await _login(demo_client, "lyanez", FIRST_PASSWORD)).status_code == 401
    login = await _login(demo_client, "lyanez", SETUP_BODY["new_password"])
    assert login.json()["setup_required"] is False

    # Stored as argon2id hashes of the normalised answers.
    ((status, own_question, own_hash, question_id, answer_hash),) = rows(
        seeded_db,
        "SELECT status, own_question, own_answer_hash, question_id, answer_hash FROM members "
        "WHERE username = 'lyanez'",
    )
    assert (status, own_question, question_id) == ("active", "¿Nombre de mi abuela?", 2)
    assert own_hash.startswith("$argon2id$") and answer_hash.startswith("$argon2id$")
    assert CHEAP_HASHER.verify(own_hash, "rosa")
    assert CHEAP_HASHER.verify(answer_hash, "guayaquil")

    again = await demo_client.post(SETUP, json=SETUP_BODY, headers=keyed(token))
    assert again.status_code == 409
    assert again.json()["code"] == "setup_done"


# --- recovery ------------------------------------------------------------------------------------


async def test_recovery_with_both_answers_and_the_code(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    old_session = auth(await login_token(demo_client, "demo", "Demo2026"))
    for _ in range(3):  # failures before the recovery are cleared by it
        assert (await _login(demo_client, "demo", "Mala2026")).status_code == 401

    start = await demo_client.post(RECOVERY, json={"username": " Demo "})
    assert start.status_code == 202
    assert start.json() == {"username": "demo", "code_valid_minutes": 15}
    (mail,) = await mails(demo_client, DEMO_MAIL)
    assert "15 minutos" in mail["body"]
    code = code_in(mail["body"])
    assert rows(seeded_db, "SELECT purpose FROM codes") == [("recovery",)]
    # The questions, for the code (typed as the member may type it).
    verified = await demo_client.post(
        RECOVERY_VERIFY, json={"username": "demo", "code": code.lower().replace("-", " ")}
    )
    assert verified.status_code == 200, verified.text
    assert verified.json() == {
        "username": "demo",
        "own_question": "¿Cuál es mi volcán favorito?",
        "security_question": "¿Cuál es el nombre de su primera mascota?",
    }

    answers = {"own_answer": "  COTOPAXÍ ", "security_answer": "firulais", "code": code}
    response = await complete_recovery(
        demo_client, username="demo", new_password="Nueva2026", **answers
    )
    assert response.status_code == 204, response.text

    # Every old session ended, the old password is gone, the new one works.
    ended = await demo_client.get(ACCOUNTS, headers=old_session)
    assert ended.status_code == 401
    assert ended.json()["code"] == "session_expired"
    assert (await _login(demo_client, "demo", "Demo2026")).status_code == 401
    assert (await _login(demo_client, "demo", "Nueva2026")).status_code == 200
    assert rows(seeded_db, "SELECT count FROM login_failures WHERE username = 'demo'") == []
    changed = (await mails(demo_client, DEMO_MAIL))[0]
    assert changed["subject"] == "Su contraseña fue cambiada"
    assert "sesiones" in changed["body"]

    # The code served once.
    reused = await complete_recovery(
        demo_client, username="demo", new_password="Otra2026x", **answers
    )
    assert reused.status_code == 401
    assert reused.json() == RECOVERY_FAILED


async def test_wrong_answers_lock_like_wrong_passwords(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    await active_user(demo_client, seeded_db, teller_token)
    await demo_client.post(RECOVERY, json={"username": "lyanez"})
    code = code_in((await mails(demo_client, LUIS["email"]))[0]["body"])
    right = {"own_answer": "rosa", "security_answer": "guayaquil", "code": code}
    wrong_tries = [
        {**right, "own_answer": "Margarita"},
        {**right, "security_answer": "Quito"},
        {**right, "code": "ABCD-EFGH-JK"},
        {**right, "own_answer": "x y"},
    ]
    for fields in wrong_tries:
        response = await complete_recovery(
            demo_client, username="lyanez", new_password="Nueva2026", **fields
        )
        assert response.status_code == 401
        assert response.json() == RECOVERY_FAILED
    fifth = await complete_recovery(
        demo_client, username="lyanez", new_password="Nueva2026", **wrong_tries[0]
    )
    assert fifth.status_code == 423
    assert fifth.json()["code"] == "locked"
    # Locked for logins too, and for the right answers.
    login = await _login(demo_client, "lyanez", SETUP_BODY["new_password"])
    assert login.status_code == 423
    assert login.content == fifth.content
    again = await complete_recovery(
        demo_client, username="lyanez", new_password="Nueva2026", **right
    )
    assert again.status_code == 423
    locked = await demo_client.get(f"{STAFF}/locked-members", headers=auth(teller_token))
    assert "lyanez" in [m["username"] for m in locked.json()]


async def test_a_bad_new_password_is_not_a_failed_attempt(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    response = await complete_recovery(
        demo_client,
        username="demo",
        own_answer="Cotopaxi",
        security_answer="Firulais",
        code="ABCD-EFGH-JK",
        new_password="corta",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "new_password"
    assert rows(seeded_db, "SELECT COUNT(*) FROM login_failures WHERE username = 'demo'") == [(0,)]


async def test_a_new_request_replaces_the_code_and_codes_expire(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, clock: ManualClock
) -> None:
    await active_user(demo_client, seeded_db, teller_token)
    right = {"username": "lyanez", "own_answer": "Rosa", "security_answer": "Guayaquil"}
    await demo_client.post(RECOVERY, json={"username": "lyanez"})
    first = code_in((await mails(demo_client, LUIS["email"]))[0]["body"])
    await demo_client.post(RECOVERY, json={"username": "lyanez"})
    second = code_in((await mails(demo_client, LUIS["email"]))[0]["body"])
    assert first != second
    replaced = await complete_recovery(demo_client, code=first, new_password="Nueva2026", **right)
    assert replaced.status_code == 401
    clock.advance(15 * 60 + 1)
    expired = await complete_recovery(demo_client, code=second, new_password="Nueva2026", **right)
    assert expired.status_code == 401
    await demo_client.post(RECOVERY, json={"username": "lyanez"})
    third = code_in((await mails(demo_client, LUIS["email"]))[0]["body"])
    fresh = await complete_recovery(demo_client, code=third, new_password="Nueva2026", **right)
    assert fresh.status_code == 204


async def test_recovery_start_is_alike_for_every_name_and_only_members_get_a_code(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    mail_count = counts(seeded_db, "outbox", "codes", "recovery_requests")
    first = await demo_client.post(RECOVERY, json={"username": "pedro.perez"})
    again = await demo_client.post(RECOVERY, json={"username": "PEDRO.PEREZ"})
    assert first.status_code == again.status_code == 202
    assert first.content == again.content
    assert first.json() == {"username": "pedro.perez", "code_valid_minutes": 15}
    # A user who has not done the PRIMER INGRESO has no questions yet: no code either.
    await setup_session(demo_client, seeded_db, teller_token)
    setup_user = await demo_client.post(RECOVERY, json={"username": "lyanez"})
    assert setup_user.json() == {"username": "lyanez", "code_valid_minutes": 15}
    # A locked member: the same answer, but no code is sent (recovery does not unlock).
    locked = await demo_client.post(RECOVERY, json={"username": "bloqueado"})
    assert (locked.status_code, locked.json()["username"]) == (202, "bloqueado")
    after = counts(seeded_db, "outbox", "codes", "recovery_requests")
    # Only the approval of lyanez (and its set-password e-mail) wrote outbox and codes; every
    # request was recorded alike.
    assert after["outbox"] == mail_count["outbox"] + 2
    assert after["codes"] == mail_count["codes"] + 1
    assert after["recovery_requests"] == mail_count["recovery_requests"] + 4

    # Without a code there are no questions: the same counted refusal for every name.
    refusals = [
        await demo_client.post(RECOVERY_VERIFY, json={"username": name, "code": "ABCD-EFGH-JK"})
        for name in ("pedro.perez", "demo")
    ]
    assert [r.status_code for r in refusals] == [401, 401]
    assert refusals[0].json() == refusals[1].json()
    assert refusals[0].json()["field"] == "code"
    assert rows(
        seeded_db,
        "SELECT username, count FROM login_failures WHERE username IN ('demo', 'pedro.perez') "
        "ORDER BY username",
    ) == [("demo", 1), ("pedro.perez", 1)]
    with connect(seeded_db) as conn:
        conn.execute("DELETE FROM login_failures WHERE username = 'pedro.perez'")

    fields = {
        "username": "pedro.perez",
        "own_answer": "Cotopaxi",
        "security_answer": "Firulais",
        "code": "ABCD-EFGH-JK",
        "new_password": "Nueva2026",
    }
    refused = await complete_recovery(demo_client, **fields)
    assert refused.status_code == 401
    assert refused.json() == RECOVERY_FAILED
    assert rows(seeded_db, "SELECT count FROM login_failures WHERE username = 'pedro.perez'") == [
        (1,)
    ]
    # Three more failures (as above) would cost three more argon2 checks; the count is the same.
    with connect(seeded_db) as conn:
        conn.execute("UPDATE login_failures SET count = 4 WHERE username = 'pedro.perez'")
    assert (await complete_recovery(demo_client, **fields)).status_code == 423
    assert (await _login(demo_client, "pedro.perez", "Nueva2026")).status_code == 423


# --- the demo outbox and the whole way -----------------------------------------------------------


async def test_the_outbox_exists_only_in_the_demo(
    api_client: httpx.AsyncClient, demo_client: httpx.AsyncClient
) -> None:
    assert (await api_client.get(OUTBOX)).status_code == 404
    await demo_client.post(RECOVERY, json={"username": "demo"})
    await demo_client.post(RECOVERY, json={"username": "socio2"})
    messages = (await demo_client.get(OUTBOX)).json()
    assert [m["to"] for m in messages] == ["socio2@socios.coacsanjose.ec", DEMO_MAIL]
    assert messages[0]["id"] > messages[1]["id"]
    assert set(messages[0]) == {"id", "to", "subject", "body", "created_at"}
    assert datetime.fromisoformat(messages[0]["created_at"]).tzinfo is not None


async def test_from_registration_to_the_accounts(demo_client: httpx.AsyncClient) -> None:
    """REGISTRARSE -> the teller approves -> the code from the e-mail -> ESTABLECER
    CONTRASEÑA -> PRIMER INGRESO -> INGRESAR -> posición consolidada, all over the API."""
    receipt = await demo_client.post(REGISTRATIONS, json=TEXTILES, headers=keyed())
    assert receipt.status_code == 201

    teller = await login_token(demo_client, "cajero", "Cajero2026")
    queue = await demo_client.get(
        f"{STAFF}/registrations", params={"status": "pendiente"}, headers=auth(teller)
    )
    (request,) = [r for r in queue.json() if r["reference"] == receipt.json()["reference"]]
    approved = await demo_client.post(
        f"{STAFF}/registrations/{request['id']}/approve", headers=keyed(teller)
    )
    assert approved.json()["status"] == "aprobada"

    (approval,) = await mails(demo_client, TEXTILES["email"])
    code = code_in(approval["body"])
    assert (await set_password(demo_client, code, "Telar2026")).status_code == 204

    first = await _login(demo_client, "textiles", "Telar2026")
    assert first.json()["setup_required"] is True
    token = first.json()["token"]
    questions = (await demo_client.get("/api/v1/security-questions")).json()
    setup = {
        "new_password": "Telar2027",
        "image": "guitarra",
        "own_question": "¿Cuál fue nuestro primer telar?",
        "own_answer": "El de pedal",
        "question_id": questions[-1]["id"],
        "answer": "Alfonso",
    }
    assert (await demo_client.post(SETUP, json=setup, headers=keyed(token))).status_code == 200

    login = await _login(demo_client, "textiles", "Telar2027")
    assert login.json()["setup_required"] is False
    assert login.json()["member"]["full_name"] == "Textiles Otavalo S.A."
    accounts = await demo_client.get(ACCOUNTS, headers=auth(login.json()["token"]))
    assert [(a["number"], a["type"]) for a in accounts.json()] == [("00190077", "ahorro_vista")]
    assert accounts.json()[0]["available_cents"] > 0


async def test_asking_again_and_again_does_not_flood_the_members_mailbox(
    demo_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    """Anyone may ask for a name's recovery: past 5 codes an hour the answer stays the same,
    but no more e-mail goes to the member until the hour has passed."""

    async def recovery_mails() -> int:
        return sum(
            1 for m in await mails(demo_client, DEMO_EMAIL) if m["subject"] == RECOVERY_SUBJECT
        )

    answers = [
        (await demo_client.post(RECOVERY, json={"username": "demo"})).json() for _ in range(8)
    ]
    assert answers == [{"username": "demo", "code_valid_minutes": 15}] * 8
    assert await recovery_mails() == 5
    clock.advance(3601)
    assert (await demo_client.post(RECOVERY, json={"username": "demo"})).status_code == 202
    assert await recovery_mails() == 6
