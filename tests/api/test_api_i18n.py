"""The server speaks the request's language (Accept-Language: es, the default, or en), and writes
each e-mail in its addressee's language (the registration's, then each login's)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI

from mock_server.domain.clock import ManualClock
from mock_server.i18n import language
from sjvirtual_tui.formatting import money
from tests import ROOT, i18n_tools
from tests.api import (
    ACCOUNTS,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_PRODUBANCO,
    DEMO_TO_SOCIO2,
    DEMO_VISTA,
    LOGIN,
    LUIS,
    REGISTRATIONS,
    SOCIO2_EMAIL,
    STAFF,
    TEXTILES,
    TRANSFERS,
    auth,
    available,
    code_in,
    confirm,
    keyed,
    mails,
    register,
    registration_id,
    set_password,
    start_transfer,
    transfer_to,
)
from tests.conftest import login_token

EN = {"Accept-Language": "en"}
# The PIN line of the PIN e-mail, in either language.
PIN_LINE = re.compile(r"^(?:PIN de verificación|Verification PIN): ([0-9]{4})$", re.MULTILINE)


async def _login_as(client: httpx.AsyncClient, username: str, password: str, lang: str) -> str:
    response = await client.post(
        LOGIN,
        json={"username": username, "password": password},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def _pin(client: httpx.AsyncClient, email: str) -> tuple[dict[str, Any], str]:
    """The newest PIN e-mail to ``email`` and its PIN."""
    for message in await mails(client, email):
        found = PIN_LINE.search(message["body"])
        if found:
            return message, found.group(1)
    raise AssertionError(f"no PIN e-mail to {email}")


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "spanish", "english"),
    [
        pytest.param(
            {"username": "demo", "password": "Mala2026"},
            401,
            "Usuario o contraseña incorrectos.",
            {
                "code": "invalid_credentials",
                "message": "Incorrect username or password.",
                "field": None,
            },
            id="wrong-password",
        ),
        # A validation message names the field in the request's language.
        pytest.param(
            {"username": "", "password": "x"},
            422,
            "Usuario: no puede estar vacío.",
            {
                "code": "validation_error",
                "message": "Username: cannot be empty.",
                "field": "username",
            },
            id="empty-username",
        ),
    ],
)
async def test_a_refused_login_answers_in_the_requests_language(
    demo_client: httpx.AsyncClient,
    body: dict[str, str],
    status: int,
    spanish: str,
    english: dict[str, Any],
) -> None:
    in_spanish = await demo_client.post(LOGIN, json=body)
    assert in_spanish.status_code == status
    assert in_spanish.json() == {**english, "message": spanish}
    in_english = await demo_client.post(LOGIN, json=body, headers=EN)
    assert in_english.status_code == status
    assert in_english.json() == english


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("en", "Incorrect username or password."),
        ("en-US,en;q=0.9", "Incorrect username or password."),
        ("fr-FR, en-GB;q=0.8", "Incorrect username or password."),
        ("es-EC,es;q=0.9,en;q=0.5", "Usuario o contraseña incorrectos."),
        ("fr", "Usuario o contraseña incorrectos."),
        ("", "Usuario o contraseña incorrectos."),
    ],
)
async def test_accept_language_picks_the_first_supported_language(
    demo_client: httpx.AsyncClient, header: str, message: str
) -> None:
    response = await demo_client.post(
        LOGIN,
        json={"username": "nadie", "password": "Mala2026"},
        headers={"Accept-Language": header},
    )
    assert response.json()["message"] == message


async def test_query_validation_messages_name_the_field_in_the_requests_language(
    demo_client: httpx.AsyncClient,
) -> None:
    token = await login_token(demo_client, "demo", "Demo2026")
    movements = f"{ACCOUNTS}/{DEMO_VISTA}/movements"
    page = await demo_client.get(movements, params={"limit": 0}, headers={**auth(token), **EN})
    assert (page.json()["field"], page.json()["message"]) == (
        "limit",
        "Items per page: must be at least 1.",
    )
    order = await demo_client.get(movements, params={"order": "up"}, headers={**auth(token), **EN})
    assert order.json()["message"] == "Order: use one of these values: 'asc' or 'desc'."
    spanish_order = await demo_client.get(movements, params={"order": "up"}, headers=auth(token))
    assert spanish_order.json()["message"] == "Orden: use uno de estos valores: 'asc' o 'desc'."


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
async def test_insufficient_funds_in_english_on_both_paths_of_post_transfers(
    demo_client: httpx.AsyncClient, seeded_db: Path, content_type: str
) -> None:
    # application/json takes the fast path of POST /transfers; anything else FastAPI's own.
    token = await login_token(demo_client, "demo", "Demo2026")
    left = available(seeded_db, DEMO_VISTA)
    body = json.dumps(
        {
            "kind": "propias",
            "from_account": DEMO_VISTA,
            "to_account": DEMO_PERSONAL,
            "amount_cents": left + 1,
            "description": "Ahorro",
        }
    )
    headers = {**keyed(token), "Content-Type": content_type}
    english = await demo_client.post(TRANSFERS, content=body, headers={**headers, **EN})
    assert english.status_code == 409
    assert english.json() == {
        "code": "insufficient_funds",
        "message": f"Insufficient funds: account {DEMO_VISTA} has {money(left)} available.",
        "field": "amount_cents",
    }
    # A retry with the same key replays the stored answer byte for byte, in its language.
    replayed = await demo_client.post(TRANSFERS, content=body, headers=headers)
    assert replayed.headers["Idempotency-Replayed"] == "true"
    assert replayed.json() == english.json()
    spanish = await demo_client.post(
        TRANSFERS, content=body, headers={**keyed(token), "Content-Type": content_type}
    )
    assert spanish.json()["message"] == (
        f"Saldo insuficiente: la cuenta {DEMO_VISTA} tiene {money(left)} disponibles."
    )


async def test_not_found_in_the_requests_language(demo_client: httpx.AsyncClient) -> None:
    token = await login_token(demo_client, "demo", "Demo2026")
    # GET /accounts/{number} is a plain def: FastAPI runs it in its threadpool.
    english = await demo_client.get(f"{ACCOUNTS}/99999999", headers={**auth(token), **EN})
    assert english.status_code == 404
    assert english.json()["message"] == "Account not found."
    spanish = await demo_client.get(f"{ACCOUNTS}/99999999", headers=auth(token))
    assert spanish.json()["message"] == "Cuenta no encontrada."
    # Starlette's own 404 (no such route) and 401 (no session) too.
    nowhere = await demo_client.get("/api/v1/nowhere", headers=EN)
    assert nowhere.json() == {
        "code": "not_found",
        "message": "What you are looking for does not exist.",
        "field": None,
    }
    anonymous = await demo_client.get(ACCOUNTS, headers=EN)
    assert anonymous.json()["message"] == "Log in with your username and password."


def _language_routes(app: FastAPI) -> None:
    def sync_dependency() -> str:
        return language()

    async def async_endpoint(dependency: str = Depends(sync_dependency)) -> dict[str, str]:
        return {"endpoint": language(), "dependency": dependency}

    def sync_endpoint() -> dict[str, str]:
        return {"endpoint": language()}

    def broken() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test/async", async_endpoint)
    app.add_api_route("/test/sync", sync_endpoint)
    app.add_api_route("/test/broken", broken)


async def test_the_language_reaches_the_threadpool_and_the_outermost_handler(
    demo_app: FastAPI,
) -> None:
    _language_routes(demo_app)
    outside = language()
    # raise_app_exceptions=False: the 500 answer is what the client gets (Starlette raises the
    # error again after sending it, for the server's log).
    transport = httpx.ASGITransport(app=demo_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        for lang in ("en", "es"):
            headers = {"Accept-Language": lang}
            assert (await client.get("/test/sync", headers=headers)).json() == {"endpoint": lang}
            assert (await client.get("/test/async", headers=headers)).json() == {
                "endpoint": lang,
                "dependency": lang,
            }
        broken = await client.get("/test/broken", headers=EN)
        assert broken.status_code == 500
        assert broken.json()["message"] == (
            "A server error occurred. Please try again in a few minutes."
        )
        spanish = await client.get("/test/broken")
        assert spanish.json()["message"] == (
            "Ocurrió un error en el servidor. Intente nuevamente en unos minutos."
        )
    assert language() == outside  # nothing leaked out of the requests


async def test_stored_reasons_and_reference_data_are_shown_in_the_requests_language(
    demo_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    token = await login_token(demo_client, "demo", "Demo2026")
    started = await transfer_to(demo_client, token, "internas", DEMO_VISTA, DEMO_TO_SOCIO2, 1_000)
    transfer_id = started.json()["transfer"]["id"]
    clock.advance(301)  # the PIN expires: the transfer is cancelada with a stored reason
    token = await login_token(demo_client, "demo", "Demo2026")  # the session timed out too
    url = f"{TRANSFERS}/{transfer_id}"
    spanish = (await demo_client.get(url, headers=auth(token))).json()
    assert (spanish["status"], spanish["reason"]) == ("cancelada", "El PIN de verificación caducó.")
    english = (await demo_client.get(url, headers={**auth(token), **EN})).json()
    assert english["reason"] == "The verification PIN expired."
    questions = (await demo_client.get("/api/v1/security-questions", headers=EN)).json()
    assert questions[0] == {"id": 1, "text": "What was your first pet's name?"}


# --- e-mails ------------------------------------------------------------------------------------


async def test_emails_are_in_the_language_of_the_members_last_login(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    token = await _login_as(demo_client, "demo", "Demo2026", "en")
    (notice,) = await mails(demo_client, DEMO_EMAIL, new_terminal=True)
    assert notice["subject"] == "New login from a new terminal"
    assert notice["body"].startswith("Dear María Fernanda Guamán Quispe,\n\n")
    assert "from a new terminal on 25/11/2026 at 10:00 (Ecuador time)." in notice["body"]
    assert (
        "If it was not you, change your password and contact the cooperative." in (notice["body"])
    )
    assert "Sincerely,\nCooperativa de Ahorro y Crédito San José S.J." in notice["body"]

    # This request asks for nothing (Spanish): its refusals would be Spanish, but the PIN
    # e-mail is read by the member, in the member's language.
    started = await transfer_to(demo_client, token, "internas", DEMO_VISTA, DEMO_TO_SOCIO2, 1_500)
    assert started.status_code == 201, started.text
    pin_mail, pin = await _pin(demo_client, DEMO_EMAIL)
    assert pin_mail["subject"] == "Verification PIN"
    assert f"Verification PIN: {pin}\n" in pin_mail["body"]
    assert (
        "This PIN confirms the transfer of $15,00 from your account 00104721 to "
        in (pin_mail["body"])
    )
    assert "It is valid for 5 minutes (until 25/11/2026 at 10:05)" in pin_mail["body"]
    wrong = f"{(int(pin) + 1) % 10_000:04d}"
    refused = await confirm(demo_client, token, started.json()["challenge"], wrong)
    assert refused.json()["message"] == (
        "El PIN de verificación no es correcto. Le quedan 2 intentos."
    )
    confirmed = await confirm(demo_client, token, started.json()["challenge"], pin)
    assert confirmed.status_code == 200, confirmed.text
    receipt = (await mails(demo_client, DEMO_EMAIL))[0]
    reference = confirmed.json()["transfer"]["reference"]
    assert receipt["subject"] == f"Transfer receipt {reference}"
    assert "TRANSFER RECEIPT" in receipt["body"] and "Status: COMPLETED" in receipt["body"]
    assert "Amount: $15,00" in receipt["body"]

    # Back in Spanish: from this login on, the e-mails are Spanish again.
    await _login_as(demo_client, "demo", "Demo2026", "es")
    newest = (await mails(demo_client, DEMO_EMAIL, new_terminal=True))[0]
    assert newest["subject"] == "Nuevo ingreso desde un terminal nuevo"


async def test_the_clearing_writes_to_each_member_in_its_own_language(
    demo_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    demo = await _login_as(demo_client, "demo", "Demo2026", "en")
    started = await start_transfer(
        demo_client,
        demo,
        kind="interbancarias",
        from_account=DEMO_VISTA,
        beneficiary_id=DEMO_PRODUBANCO,
        amount_cents=10_000,
    )
    _pin_mail, pin = await _pin(demo_client, DEMO_EMAIL)
    confirmed = await confirm(demo_client, demo, started.json()["challenge"], pin)
    assert confirmed.json()["transfer"]["status"] == "en_proceso"
    reference = confirmed.json()["transfer"]["reference"]
    clock.advance(60)
    # Another member's Spanish request settles it.
    socio2 = await _login_as(demo_client, "socio2", "Socio2026", "es")
    assert (await demo_client.get(ACCOUNTS, headers=auth(socio2))).status_code == 200
    notice = (await mails(demo_client, DEMO_EMAIL))[0]
    assert notice["subject"] == f"Transfer {reference} rejected: money returned"
    assert (
        "Reason: Produbanco rejected the transfer: the destination account is closed."
        in (notice["body"])
    )
    assert (
        "We returned $100,00 to your account 00104721 on 25/11/2026 at 10:01." in (notice["body"])
    )
    assert "Status: REJECTED" in notice["body"]
    assert all("Transfer" not in m["subject"] for m in await mails(demo_client, SOCIO2_EMAIL))
    url = f"{TRANSFERS}/{confirmed.json()['transfer']['id']}"
    assert (await demo_client.get(url, headers={**auth(demo), **EN})).json()["reason"] == (
        "Produbanco rejected the transfer: the destination account is closed."
    )
    assert (await demo_client.get(url, headers=auth(demo))).json()["reason"] == (
        "Produbanco rechazó la transferencia: la cuenta destino está cerrada."
    )


async def test_the_approval_is_written_in_the_language_of_the_registration(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    filed = await demo_client.post(REGISTRATIONS, json=LUIS, headers={**keyed(), **EN})
    assert filed.status_code == 201, filed.text
    # The teller works in Spanish; the applicant registered in English.
    reg_id = registration_id(seeded_db, filed.json()["reference"])
    approved = await demo_client.post(
        f"{STAFF}/registrations/{reg_id}/approve", headers=keyed(teller_token)
    )
    assert approved.status_code == 200, approved.text
    (approval,) = await mails(demo_client, LUIS["email"])
    assert approval["subject"] == "Request approved: SET PASSWORD"
    assert approval["body"].startswith("Dear Luis Alberto Yánez Cevallos,\n\n")
    assert "Your username: lyanez\n" in approval["body"]
    code = code_in(approval["body"])
    assert f"\n\n    sjvirtual set-password {code}\n\n" in approval["body"]
    # Set with a Spanish request: still the member's language.
    assert (await set_password(demo_client, code, "Primera2026")).status_code == 204
    assert (await mails(demo_client, LUIS["email"]))[0]["subject"] == "Password set"

    # A Spanish request, rejected by a teller working in English: the e-mail is Spanish, the
    # teller's own refusals English.
    receipt = await register(demo_client, TEXTILES)
    reg_id = registration_id(seeded_db, receipt["reference"])
    reject = f"{STAFF}/registrations/{reg_id}/reject"
    short = await demo_client.post(
        reject, json={"reason": "a      b"}, headers={**keyed(teller_token), **EN}
    )
    assert short.json()["message"] == (
        "Reason: write at least 5 characters; the applicant will read it in their e-mail."
    )
    rejected = await demo_client.post(
        reject, json={"reason": "Faltan documentos"}, headers={**keyed(teller_token), **EN}
    )
    assert rejected.status_code == 200, rejected.text
    (rejection,) = await mails(demo_client, TEXTILES["email"])
    assert rejection["subject"] == "Solicitud de registro no aprobada"
    assert "Motivo: Faltan documentos" in rejection["body"]


# --- the catalog ---------------------------------------------------------------------------------

SERVER_FILES = sorted(
    [*(ROOT / "mock_server").glob("*.py"), *(ROOT / "mock_server" / "routers").glob("*.py")]
)


def test_every_server_message_has_an_english_translation() -> None:
    assert i18n_tools.untranslated([*SERVER_FILES, ROOT / "sjvirtual_tui" / "models.py"]) == []


def test_the_translations_keep_their_placeholders() -> None:
    from babel.messages.pofile import read_po

    field = re.compile(r"\{(\w*)\}")
    path = ROOT / "mock_server" / "locale" / "en" / "LC_MESSAGES" / "mock_server.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    checked = 0
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert sorted(field.findall(str(message.string))) == sorted(
                field.findall(message.id)
            ), message.id
            checked += 1
    assert checked > 200
