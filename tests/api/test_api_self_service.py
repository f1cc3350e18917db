"""ADMINISTRACIÓN › Mi perfil y seguridad: each route's success and refusals (nothing changed),
the audit entries, the e-mails (the old address told), other sessions ended, and the debit
card's block (idempotent, no PIN) and a teller's unblock. Both engines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.testing import login_token
from sjvirtual_tui.models import API_PREFIX
from tests.api import ACCOUNTS, DEMO_EMAIL, audit_rows, auth, keyed, mails, post_login, rows
from tests.database import DB

ME = f"{API_PREFIX}/me"
PASSWORD = f"{API_PREFIX}/me/password"
SECURITY = f"{API_PREFIX}/me/security"
CONTACT = f"{API_PREFIX}/me/contact"
DEBIT_CARDS = f"{API_PREFIX}/debit-cards"
STAFF_CARDS = f"{API_PREFIX}/staff/debit-cards"
SIX_DIGITS = re.compile(r"\b([0-9]{6})\b")

NEW_PASSWORD = {
    "current_password": "Demo2026",
    "new_password": "Nueva2027x",
    "confirm_password": "Nueva2027x",
}
SECURITY_BODY = {
    "current_password": "Demo2026",
    "image": "colibri",
    "own_question": "¿Color de mi primer auto?",
    "own_answer": "Azul",
    "question_id": 3,
    "answer": "Cuenca",
}


def _audit(db: DB, action: str) -> list[tuple[Any, ...]]:
    return audit_rows(db, action, "a.actor_kind, a.actor, a.member_id, a.outcome, a.reason")


def member_row(db: DB, username: str) -> tuple[Any, ...]:
    return rows(
        db,
        "SELECT id, password_hash, security_image, own_question, email FROM members "
        "WHERE username = ?",
        username,
    )[0]


# --- Cambiar contraseña ---------------------------------------------------------------------------


async def test_a_password_change_ends_the_other_sessions_and_is_told(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    mine = await login_token(demo_client, "demo", "Demo2026")
    other = await login_token(demo_client, "demo", "Demo2026")
    response = await demo_client.post(PASSWORD, json=NEW_PASSWORD, headers=keyed(mine))
    assert response.status_code == 204, response.text
    # This session goes on; the other one ended.
    assert (await demo_client.get(ME, headers=auth(mine))).status_code == 200
    assert (await demo_client.get(ME, headers=auth(other))).status_code == 401
    assert (await post_login(demo_client, "demo", "Demo2026")).status_code == 401
    assert (await post_login(demo_client, "demo", "Nueva2027x")).status_code == 200
    subjects = [m["subject"] for m in await mails(demo_client, DEMO_EMAIL)]
    assert "Contraseña cambiada" in subjects
    member_id = member_row(seeded_db, "demo")[0]
    assert _audit(seeded_db, "password.change") == [("member", "demo", member_id, "ok", None)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"new_password": "corta1", "confirm_password": "corta1"}, "new_password"),
        ({"new_password": "sinnumeroS", "confirm_password": "sinnumeroS"}, "new_password"),
        ({"confirm_password": "Otra2027x"}, "confirm_password"),
        ({"new_password": "Demo2026", "confirm_password": "Demo2026"}, "new_password"),
    ],
)
async def test_a_new_password_against_the_policy_changes_nothing(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str, change: dict[str, str], field: str
) -> None:
    before = member_row(seeded_db, "demo")
    response = await demo_client.post(
        PASSWORD, json={**NEW_PASSWORD, **change}, headers=keyed(demo)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert member_row(seeded_db, "demo") == before
    assert _audit(seeded_db, "password.change") == []
    assert rows(seeded_db, "SELECT count FROM login_failures WHERE username = 'demo'") in (
        [(0,)],
        [],
    )


async def test_a_wrong_current_password_is_counted_audited_and_changes_nothing(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    before = member_row(seeded_db, "demo")
    body = {**NEW_PASSWORD, "current_password": "Equivocada1"}
    response = await demo_client.post(PASSWORD, json=body, headers=keyed(demo))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "current_password"
    assert "contraseña actual no es correcta" in response.json()["message"]
    assert member_row(seeded_db, "demo") == before
    assert _audit(seeded_db, "password.change") == [("member", "demo", before[0], "refused", None)]
    assert rows(seeded_db, "SELECT count FROM login_failures WHERE username = 'demo'") == [(1,)]
    assert (await demo_client.get(ME, headers=auth(demo))).status_code == 200


async def test_five_wrong_current_passwords_lock_the_user_and_end_its_sessions(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    body = {**NEW_PASSWORD, "current_password": "Equivocada1"}
    statuses = [
        (await demo_client.post(PASSWORD, json=body, headers=keyed(demo))).status_code
        for _ in range(5)
    ]
    assert statuses == [422, 422, 422, 422, 423]
    assert (await demo_client.get(ME, headers=auth(demo))).status_code == 401
    assert (await post_login(demo_client, "demo", "Demo2026")).status_code == 423
    assert len(_audit(seeded_db, "password.change")) == 5


# --- Cambiar imagen y preguntas -------------------------------------------------------------------


async def test_a_security_change_stores_the_new_image_and_questions(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    before = member_row(seeded_db, "demo")
    response = await demo_client.post(SECURITY, json=SECURITY_BODY, headers=keyed(demo))
    assert response.status_code == 204, response.text
    after = member_row(seeded_db, "demo")
    assert after[1] == before[1]  # the password stays
    assert after[2:4] == ("colibri", "¿Color de mi primer auto?")
    challenge = await demo_client.post(f"{API_PREFIX}/auth/challenge", json={"username": "demo"})
    assert challenge.json()["image"] == "colibri"
    subjects = [m["subject"] for m in await mails(demo_client, DEMO_EMAIL)]
    assert "Imagen y preguntas de seguridad cambiadas" in subjects
    assert _audit(seeded_db, "security.change") == [("member", "demo", before[0], "ok", None)]


@pytest.mark.parametrize(
    ("change", "field", "audited"),
    [
        # A wrong password is audited as a refused change...
        pytest.param({"current_password": "Equivocada1"}, "current_password", ["refused"], id="pw"),
        # ...a short answer is refused in its field before anything is checked or audited.
        pytest.param({"own_answer": " a  "}, "own_answer", [], id="short-answer"),
    ],
)
async def test_a_refused_security_change_changes_nothing(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    demo: str,
    change: dict[str, str],
    field: str,
    audited: list[str],
) -> None:
    before = member_row(seeded_db, "demo")
    response = await demo_client.post(
        SECURITY, json={**SECURITY_BODY, **change}, headers=keyed(demo)
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert member_row(seeded_db, "demo") == before
    assert [r[3] for r in _audit(seeded_db, "security.change")] == audited


# --- Actualizar correo y teléfono ---------------------------------------------------------------


async def _code_to(client: httpx.AsyncClient, to: str) -> str:
    found = await mails(client, to)
    assert found, f"nothing sent to {to}"
    match = SIX_DIGITS.search(found[0]["body"])
    assert match, found[0]["body"]
    return match.group(1)


async def _start_contact(
    client: httpx.AsyncClient, token: str, body: dict[str, str]
) -> dict[str, Any]:
    """A contact change asked for: the change, waiting for its code."""
    response = await client.post(CONTACT, json=body, headers=keyed(token))
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


async def _confirm_contact(
    client: httpx.AsyncClient, token: str, change_id: int, code: str
) -> httpx.Response:
    return await client.post(
        f"{CONTACT}/{change_id}/confirm", json={"code": code}, headers=keyed(token)
    )


async def test_an_email_change_applies_with_the_code_and_tells_the_old_address(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    response = await demo_client.post(
        CONTACT, json={"email": "nuevo@correo.ec", "phone": "0991112233"}, headers=keyed(demo)
    )
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["sent_to"] == ["nuevo@correo.ec", "0991112233"]
    code = await _code_to(demo_client, "nuevo@correo.ec")
    sms = await mails(demo_client, "0991112233")
    assert sms[0]["subject"] == "SMS" and code in sms[0]["body"]
    assert member_row(seeded_db, "demo")[4] == DEMO_EMAIL  # nothing yet
    confirm = await _confirm_contact(demo_client, demo, started["id"], code)
    assert confirm.status_code == 200, confirm.text
    assert confirm.json() == {"email": "nuevo@correo.ec", "phone": "0991112233"}
    assert member_row(seeded_db, "demo")[4] == "nuevo@correo.ec"
    told = await mails(demo_client, DEMO_EMAIL)
    assert told[0]["subject"] == "Sus datos de contacto cambiaron"
    assert "nuevo@correo.ec" in told[0]["body"]
    contact = await demo_client.get(CONTACT, headers=auth(demo))
    assert contact.json() == {"email": "nuevo@correo.ec", "phone": "0991112233"}
    member_id = member_row(seeded_db, "demo")[0]
    assert _audit(seeded_db, "contact.change.request") == [
        ("member", "demo", member_id, "ok", None)
    ]
    assert _audit(seeded_db, "contact.change.confirm") == [
        ("member", "demo", member_id, "ok", None)
    ]
    # The code is spent: the same change cannot be confirmed again.
    again = await _confirm_contact(demo_client, demo, started["id"], code)
    assert again.status_code == 409


async def test_wrong_codes_are_limited_and_change_nothing(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    started = await _start_contact(demo_client, demo, {"phone": "0998887766"})
    code = await _code_to(demo_client, "0998887766")
    wrong = "000000" if code != "000000" else "111111"
    answers = [await _confirm_contact(demo_client, demo, started["id"], wrong) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert answers[0].json()["field"] == "code"
    assert "2 intentos" in answers[0].json()["message"]
    assert answers[2].json()["code"] == "code_spent"
    # Even the right code is refused now: a new one must be asked for.
    late = await _confirm_contact(demo_client, demo, started["id"], code)
    assert late.status_code == 409
    assert (await demo_client.get(CONTACT, headers=auth(demo))).json()["phone"] is None
    assert [r[3] for r in _audit(seeded_db, "contact.change.confirm")] == ["refused"] * 3


async def test_a_contact_change_of_another_member_is_not_found(
    demo_client: httpx.AsyncClient, demo: str, socio2: str
) -> None:
    started = await _start_contact(demo_client, demo, {"email": "x@correo.ec"})
    code = await _code_to(demo_client, "x@correo.ec")
    response = await _confirm_contact(demo_client, socio2, started["id"], code)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "email"), ({"email": DEMO_EMAIL}, "email"), ({"phone": "12345"}, None)],
)
async def test_a_contact_request_without_a_new_address_is_refused(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    demo: str,
    body: dict[str, str],
    field: str | None,
) -> None:
    response = await demo_client.post(CONTACT, json=body, headers=keyed(demo))
    assert response.status_code == 422, response.text
    if field is not None:
        assert response.json()["field"] == field
    assert rows(seeded_db, "SELECT COUNT(*) FROM contact_changes") == [(0,)]


# --- debit cards ---------------------------------------------------------------------------------


async def test_a_member_blocks_its_debit_card_at_once_and_again_gets_the_same(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    cards = (await demo_client.get(DEBIT_CARDS, headers=auth(demo))).json()
    assert len(cards) == 1
    card = cards[0]
    assert card["number"] == "**** **** **** 1234" and card["status"] == "activa"
    accounts = (await demo_client.get(ACCOUNTS, headers=auth(demo))).json()
    assert card["account"] in [a["number"] for a in accounts]
    first = await demo_client.post(f"{DEBIT_CARDS}/{card['id']}/block", headers=keyed(demo))
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "bloqueada"
    second = await demo_client.post(f"{DEBIT_CARDS}/{card['id']}/block", headers=keyed(demo))
    assert second.status_code == 200
    assert second.json() == first.json()
    blocked = [
        m for m in await mails(demo_client, DEMO_EMAIL) if m["subject"] == "Tarjeta bloqueada"
    ]
    assert len(blocked) == 1 and "****1234" in blocked[0]["body"]
    member_id = member_row(seeded_db, "demo")[0]
    assert _audit(seeded_db, "debit_card.block") == [("member", "demo", member_id, "ok", None)]


async def test_a_member_cannot_block_another_members_card(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str, socio2: str
) -> None:
    theirs = (await demo_client.get(DEBIT_CARDS, headers=auth(socio2))).json()[0]
    response = await demo_client.post(f"{DEBIT_CARDS}/{theirs['id']}/block", headers=keyed(demo))
    assert response.status_code == 404
    assert rows(seeded_db, "SELECT status FROM debit_cards WHERE id = ?", theirs["id"]) == [
        ("activa",)
    ]


async def test_only_a_teller_unblocks_and_with_a_reason(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str, teller_token: str
) -> None:
    card = (await demo_client.get(DEBIT_CARDS, headers=auth(demo))).json()[0]
    unblock = f"{STAFF_CARDS}/{card['id']}/unblock"
    reason = {"reason": "Socio presentó su cédula en agencia"}
    # Not blocked yet: nothing to unblock.
    assert (
        await demo_client.post(unblock, json=reason, headers=keyed(teller_token))
    ).status_code == 409
    await demo_client.post(f"{DEBIT_CARDS}/{card['id']}/block", headers=keyed(demo))
    by_member = await demo_client.post(unblock, json=reason, headers=keyed(demo))
    assert by_member.status_code == 403
    no_reason = await demo_client.post(unblock, json={"reason": "   "}, headers=keyed(teller_token))
    assert no_reason.status_code == 422
    assert rows(seeded_db, "SELECT status FROM debit_cards WHERE id = ?", card["id"]) == [
        ("bloqueada",)
    ]
    done = await demo_client.post(unblock, json=reason, headers=keyed(teller_token))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "activa"
    member_id = member_row(seeded_db, "demo")[0]
    assert _audit(seeded_db, "debit_card.unblock") == [
        ("teller", "cajero", member_id, "ok", "Socio presentó su cédula en agencia")
    ]
    subjects = [m["subject"] for m in await mails(demo_client, DEMO_EMAIL)]
    assert "Tarjeta desbloqueada" in subjects


async def test_a_teller_finds_a_members_debit_cards(
    demo_client: httpx.AsyncClient, teller_token: str, demo: str
) -> None:
    found = await demo_client.get(
        f"{API_PREFIX}/staff/members/demo/debit-cards", headers=auth(teller_token)
    )
    assert found.status_code == 200, found.text
    assert found.json() == (await demo_client.get(DEBIT_CARDS, headers=auth(demo))).json()
    unknown = await demo_client.get(
        f"{API_PREFIX}/staff/members/nadie/debit-cards", headers=auth(teller_token)
    )
    assert unknown.status_code == 404
    by_member = await demo_client.get(
        f"{API_PREFIX}/staff/members/demo/debit-cards", headers=auth(demo)
    )
    assert by_member.status_code == 403
