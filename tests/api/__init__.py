"""Helpers for the API tests of registration, staff, onboarding and idempotency."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sjvirtual_tui.formatting import money
from sjvirtual_tui.models import API_PREFIX
from tests.conftest import login_token
from tests.database import DB, connect, counts, rows
from tests.database import ledger_problems_of as ledger_problems_of  # the tests' import

REGISTRATIONS = f"{API_PREFIX}/registrations"
STAFF = f"{API_PREFIX}/staff"
SET_PASSWORD = f"{API_PREFIX}/auth/set-password"
SETUP = f"{API_PREFIX}/me/setup"
RECOVERY = f"{API_PREFIX}/auth/recovery"
RECOVERY_VERIFY = f"{API_PREFIX}/auth/recovery/verify"
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
    "direccion": "Av. Atahualpa 12-40, Otavalo",
    "usuario": "textiles",
    "cuenta": "00190077",
}
# The seeded demo member's identification and its secret answers.
DEMO_CEDULA = "1712345675"

FIRST_PASSWORD = "Primera2026"
SETUP_BODY: dict[str, Any] = {
    "new_password": "Segunda2027",
    "image": "volcan",
    "own_question": "¿Nombre de mi abuela?",
    "own_answer": "Rosa",
    "question_id": 2,
    "answer": "Guayaquil",
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """POST /auth/login with a username and password; the answer as it came."""
    return await client.post(LOGIN, json={"username": username, "password": password})


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def keyed(token: str | None = None, key: str | None = None) -> dict[str, str]:
    """Headers with a fresh Idempotency-Key (or ``key``) and, given a token, the session."""
    return {**(auth(token) if token else {}), "Idempotency-Key": key or new_key()}


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


# The subject of the e-mail a login from a new terminal (no or an unknown device token) sends.
NEW_TERMINAL_SUBJECT = "Nuevo ingreso desde un terminal nuevo"


async def mails(
    client: httpx.AsyncClient, to: str, *, new_terminal: bool = False
) -> list[dict[str, Any]]:
    """The e-mails to ``to`` in the demo outbox, newest first.

    The tests' logins present no device token, so most send a new-terminal notice: those are
    left out unless ``new_terminal`` (tests/api/test_api_devices.py looks at them).
    """
    response = await client.get(OUTBOX)
    assert response.status_code == 200, response.text
    return [
        message
        for message in response.json()
        if message["to"] == to and (new_terminal or message["subject"] != NEW_TERMINAL_SUBJECT)
    ]


RECOVERY_SUBJECT = "Código para recuperar su contraseña"


async def recovery_code(client: httpx.AsyncClient, to: str, *, seen: int = 0) -> str:
    """The code of the newest recovery e-mail to ``to``, once more than ``seen`` came: the
    server sends it after its answer (at once in-process, a moment later over a socket)."""
    for _ in range(200):
        found = [m for m in await mails(client, to) if m["subject"] == RECOVERY_SUBJECT]
        if len(found) > seen:
            return code_in(found[0]["body"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no recovery e-mail to {to}")


async def complete_recovery(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    """The last step of a password recovery: the answers, the e-mailed code, the new password."""
    return await client.post(RECOVERY_COMPLETE, json=fields, headers=keyed())


async def register(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(REGISTRATIONS, json=payload, headers=keyed())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def registration_id(db: DB, reference: str) -> int:
    return int(rows(db, "SELECT id FROM registrations WHERE reference = ?", reference)[0][0])


async def approve(client: httpx.AsyncClient, teller_token: str, reg_id: int) -> dict[str, Any]:
    response = await client.post(
        f"{STAFF}/registrations/{reg_id}/approve", headers=keyed(teller_token)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def approved_code(
    client: httpx.AsyncClient, db: DB, teller_token: str, payload: dict[str, Any] = LUIS
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
    client: httpx.AsyncClient, db: DB, teller_token: str, payload: dict[str, Any] = LUIS
) -> str:
    """A session of a new user who set the password and has the PRIMER INGRESO pending."""
    code = await approved_code(client, db, teller_token, payload)
    assert (await set_password(client, code, FIRST_PASSWORD)).status_code == 204
    return await login_token(client, payload["usuario"], FIRST_PASSWORD)


async def active_user(
    client: httpx.AsyncClient, db: DB, teller_token: str, payload: dict[str, Any] = LUIS
) -> str:
    """A new user through the whole onboarding (cheap hashes); a session of it."""
    token = await setup_session(client, db, teller_token, payload)
    response = await client.post(SETUP, json=SETUP_BODY, headers=keyed(token))
    assert response.status_code == 200, response.text
    return token


# --- Productos de terceros, transfers and the verification PIN ----------------------------------

INSTITUTIONS = f"{API_PREFIX}/institutions"
BENEFICIARIES = f"{API_PREFIX}/beneficiaries"
LOOKUP = f"{API_PREFIX}/beneficiaries/lookup"
TRANSFERS = f"{API_PREFIX}/transfers"
LIMITS = f"{API_PREFIX}/limits"
CHALLENGES = f"{API_PREFIX}/challenges"

DEMO_EMAIL = "demo@socios.coacsanjose.ec"
SOCIO2_EMAIL = "socio2@socios.coacsanjose.ec"
# The seeded accounts and Productos de terceros (mock_server.seed).
DEMO_VISTA, DEMO_PERSONAL, SOCIO2_VISTA = "00104721", "00204722", "00105349"
CAJA, COMPENSACION, SALIDAS = "99000001", "99000002", "99000003"
DEMO_TO_SOCIO2 = 1  # demo's interna: socio2's 00105349, registered 1105349
DEMO_PICHINCHA = 2  # demo's externa at Banco Pichincha (0010), 2203456789
DEMO_PRODUBANCO = 3  # demo's externa at Produbanco (0036), 02005123456: a closed account
SOCIO2_TO_DEMO = 4  # socio2's interna: demo's 00104721, registered 1104721

# A company's account at Banco Guayaquil (0017), as a member registers it (the name as typed,
# spaces and all).
TEXTILES_GUAYAQUIL: dict[str, Any] = {
    "kind": "externa",
    "institution_code": "0017",
    "account_type": "corriente",
    "number": "0098765432",
    "id_type": "ruc",
    "id_number": "1792060346001",
    "name": "  Textiles   Otavalo S.A. ",
    "email": "pagos@textiles.ec",
}

# The line of the PIN e-mail that carries the PIN.
PIN_LINE = re.compile(r"^PIN de verificación: ([0-9]{4})$", re.MULTILINE)

# A stand-in that means "echo what the challenge says".
ECHO: Any = object()


async def latest_pin(client: httpx.AsyncClient, email: str) -> str:
    """The PIN of the newest PIN e-mail to ``email`` in the demo outbox."""
    found = await pins(client, email)
    assert found, f"no PIN e-mail to {email}"
    return found[0]


async def pins(client: httpx.AsyncClient, email: str) -> list[str]:
    """Every PIN e-mailed to ``email``, newest first."""
    found = [PIN_LINE.search(message["body"]) for message in await mails(client, email)]
    return [match.group(1) for match in found if match]


def wrong(pin: str) -> str:
    """A PIN that is not ``pin``."""
    return f"{(int(pin) + 1) % 10_000:04d}"


async def start_transfer(
    client: httpx.AsyncClient,
    token: str,
    *,
    kind: str,
    from_account: str,
    amount_cents: int,
    to_account: str | None = None,
    beneficiary_id: int | None = None,
    description: str = "Pago de prueba",
    key: str | None = None,
) -> httpx.Response:
    """POST /transfers (with a fresh Idempotency-Key unless ``key``)."""
    body: dict[str, Any] = {
        "kind": kind,
        "from_account": from_account,
        "amount_cents": amount_cents,
        "description": description,
    }
    if to_account is not None:
        body["to_account"] = to_account
    if beneficiary_id is not None:
        body["beneficiary_id"] = beneficiary_id
    return await client.post(TRANSFERS, json=body, headers=keyed(token, key))


async def transfer_to(
    client: httpx.AsyncClient,
    token: str,
    kind: str,
    from_account: str,
    to: str | int,
    amount_cents: int,
    **more: Any,
) -> httpx.Response:
    """A transfer of ``kind`` started: ``to`` is the account for propias (executed at once), the
    beneficiary's id for internas and interbancarias (they wait for the PIN)."""
    target = "to_account" if kind == "propias" else "beneficiary_id"
    return await start_transfer(
        client,
        token,
        kind=kind,
        from_account=from_account,
        amount_cents=amount_cents,
        **{target: to},
        **more,
    )


async def interbancaria_with_pin(
    client: httpx.AsyncClient, token: str, from_account: str, beneficiary_id: int, amount_cents: int
) -> dict[str, Any]:
    """The demo's transfer to another bank, confirmed with its PIN: the Transfer (en_proceso
    until the clearing settles it)."""
    return await transfer_with_pin(
        client,
        token,
        DEMO_EMAIL,
        kind="interbancarias",
        from_account=from_account,
        beneficiary_id=beneficiary_id,
        amount_cents=amount_cents,
    )


async def confirm(
    client: httpx.AsyncClient,
    token: str,
    challenge: dict[str, Any],
    pin: str,
    *,
    amount_cents: Any = ECHO,
    payee: Any = ECHO,
    key: str | None = None,
) -> httpx.Response:
    """POST /challenges/{id}/confirm, echoing the challenge's amount and payee by default."""
    body = {
        "pin": pin,
        "amount_cents": challenge["amount_cents"] if amount_cents is ECHO else amount_cents,
        "payee": challenge["payee"] if payee is ECHO else payee,
    }
    return await client.post(
        f"{CHALLENGES}/{challenge['id']}/confirm", json=body, headers=keyed(token, key)
    )


async def transfer_with_pin(
    client: httpx.AsyncClient, token: str, email: str, **body: Any
) -> dict[str, Any]:
    """A transfer to a third party, started and confirmed with the e-mailed PIN: the Transfer."""
    started = await start_transfer(client, token, **body)
    return await confirmed_with_pin(client, token, email, started, "transfer")


async def confirmed_with_pin(
    client: httpx.AsyncClient, token: str, email: str, started: httpx.Response, what: str
) -> dict[str, Any]:
    """Confirms the operation ``started`` (a 201) with the PIN e-mailed to ``email``: the
    confirmation's ``what`` (the Transfer, Payment or Beneficiary). A beneficiary's start answers
    with the challenge itself, a transfer's or payment's with it under ``challenge``."""
    assert started.status_code == 201, started.text
    challenge = started.json().get("challenge", started.json())
    confirmed = await confirm(client, token, challenge, await latest_pin(client, email))
    assert confirmed.status_code == 200, confirmed.text
    operation: dict[str, Any] = confirmed.json()[what]
    return operation


async def start_beneficiary(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    return await client.post(BENEFICIARIES, json=body, headers=keyed(token, key))


async def add_beneficiary(
    client: httpx.AsyncClient, token: str, email: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A beneficiary registered with the e-mailed PIN: the Beneficiary."""
    started = await start_beneficiary(client, token, body)
    return await confirmed_with_pin(client, token, email, started, "beneficiary")


def balances(db: DB) -> dict[str, tuple[int, int]]:
    """(balance, hold) of every account, by number."""
    return {
        str(number): (int(balance), int(hold))
        for number, balance, hold in rows(
            db, "SELECT number, balance_cents, hold_cents FROM accounts"
        )
    }


def balance(db: DB, number: str) -> int:
    """The accounting balance of the account ``number``."""
    return balances(db)[number][0]


def audit_rows(db: DB, action: str, columns: str) -> list[tuple[Any, ...]]:
    """``columns`` of the audit log's rows for ``action``, oldest first: ``a`` is the row,
    ``m`` the member it names (if any)."""
    return rows(
        db,
        f"SELECT {columns} FROM audit_log AS a LEFT JOIN members AS m ON m.id = a.member_id "
        "WHERE a.action = ? ORDER BY a.id",
        action,
    )


def available(db: DB, number: str) -> int:
    balance, hold = balances(db)[number]
    return balance - hold


def assert_insufficient_funds(response: httpx.Response, number: str, available_cents: int) -> None:
    """Refused for funds: the message names the account and what it has available."""
    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_funds",
        "message": f"Saldo insuficiente: la cuenta {number} tiene {money(available_cents)} "
        "disponibles.",
        "field": "amount_cents",
    }


async def assert_a_cent_too_much_refused(
    db: DB, start: Callable[[int], Awaitable[httpx.Response]]
) -> int:
    """``start`` (an operation from socio2's 00105349, for the amount it is given) asked for a
    cent more than the account has available: refused for funds, and nothing changes. What the
    account has available."""
    available_now = available(db, SOCIO2_VISTA)
    before = money_state(db)
    assert_insufficient_funds(await start(available_now + 1), SOCIO2_VISTA, available_now)
    assert money_state(db) == before
    return available_now


async def assert_late_hold_refused(
    client: httpx.AsyncClient, token: str, db: DB, started: httpx.Response, hold: str
) -> None:
    """Funds are checked again at confirmation: a hold put on socio2's 00105349 after the start
    (``hold``: the SQL of its hold_cents) refuses the confirmation, and nothing moves."""
    assert started.status_code == 201
    with connect(db) as conn:
        conn.execute(f"UPDATE accounts SET hold_cents = {hold} WHERE number = ?", (SOCIO2_VISTA,))
    before = money_state(db)
    pin = await latest_pin(client, SOCIO2_EMAIL)
    late = await confirm(client, token, started.json()["challenge"], pin)
    assert late.status_code == 409
    assert late.json()["code"] == "insufficient_funds"
    assert money_state(db) == before  # the challenge stays open, nothing moved


def ledger_problems_after(db: DB, *changes: tuple[str, tuple[Any, ...]]) -> list[str]:
    """The ledger is sound; then ``changes`` (SQL statements and their parameters) break the
    stored data behind its back: what the ledger check finds."""
    assert ledger_problems_of(db) == []
    with connect(db) as conn:
        for sql, params in changes:
            conn.execute(sql, params)
    return ledger_problems_of(db)


# Every table a beneficiary, transfer or PIN step could write to (idempotency records aside:
# a refusal is stored for its key).
MONEY_TABLES = ("beneficiaries", "transfers", "challenges", "journal", "movements", "outbox")


def money_state(db: DB) -> dict[str, Any]:
    """What a refused request must leave as it was: rows, balances, challenges, transfers,
    payments, bills and cards."""
    return {
        "counts": counts(db, *MONEY_TABLES, "payments", "frequent_services"),
        "balances": balances(db),
        "challenges": rows(db, "SELECT id, status, attempts_left FROM challenges ORDER BY id"),
        "transfers": rows(db, "SELECT id, status FROM transfers ORDER BY id"),
        "payments": rows(db, "SELECT id, status FROM payments ORDER BY id"),
        "bills": rows(db, "SELECT id, status, paid_cents, paid_by FROM bills ORDER BY id"),
        "cards": rows(db, "SELECT id, paid_cents FROM cards ORDER BY id"),
        "members": rows(
            db, "SELECT id, locked_at, lock_reason, pin_failures FROM members ORDER BY id"
        ),
    }


async def decide(
    client: httpx.AsyncClient,
    token: str,
    approval_id: int,
    verdict: str = "approve",
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    """A staff decision on an approval: ``verdict`` is approve or reject, ``body`` its reason."""
    return await client.post(
        f"{STAFF}/approvals/{approval_id}/{verdict}", json=body or {}, headers=keyed(token)
    )


# --- the counter (caja) -------------------------------------------------------------------------

DEPOSITS = f"{STAFF}/cash/deposits"
WITHDRAWALS = f"{STAFF}/cash/withdrawals"
DRAWER = f"{STAFF}/cash/drawer"


async def open_drawer(client: httpx.AsyncClient, token: str, float_cents: int = 50_000) -> None:
    """The teller's cash drawer opened with ``float_cents`` from the vault."""
    answer = await client.post(
        f"{DRAWER}/open", json={"opening_float_cents": float_cents}, headers=keyed(token)
    )
    assert answer.status_code == 201, answer.text


# --- pago de servicios and pago de tarjetas -----------------------------------------------------

BILLERS = f"{API_PREFIX}/billers"
FREQUENT = f"{API_PREFIX}/frequent-services"
PAYMENTS = f"{API_PREFIX}/payments"
CARDS = f"{API_PREFIX}/cards"
CARD_ISSUERS = f"{API_PREFIX}/card-issuers"
RECAUDACION, CARTERA = "99000004", "99000005"

# The seeded bills (mock_server.seed.BILLS), by id: (biller, reference, amount due, rule).
BILL_CNEL_DEMO = 1  # CNEL_EP 1000123456, $32,45 exacto, Octubre 2026
BILL_CNEL_LUIS_OLD = 2  # CNEL_EP 1000765432, $28,10, Septiembre 2026 (the older of two)
BILL_CNEL_LUIS_NEW = 3  # CNEL_EP 1000765432, $30,55, Octubre 2026
BILL_CNEL_SOCIO2 = 4  # CNEL_EP 1000555777, $19,87
BILL_EPMAPS_DEMO = 6  # EPMAPS 4567890, $18,73
BILL_EPMAPS_PAID = 7  # EPMAPS 1234567: paid at a branch, nothing pending
BILL_CLARO = 10  # CLARO 0991234567, $35,84 parcial
BILL_UCE = 15  # UCE 1750123455, $60,00 abierto
BILL_UE = 16  # UE_SMJ 004521, $180,00 parcial
# The seeded cards (mock_server.seed.CARDS).
CARD_DEMO_VISA = 1  # **** 4521: total $845,30, minimum $42,27, limit $2.500,00
CARD_DEMO_MC = 2  # **** 8830: nothing due
CARD_SOCIO2 = 3  # **** 7702: total $312,45, minimum $25,00
# Luhn-valid card numbers of other institutions.
VISA_NUMBER = "4111111111111111"
MASTERCARD_NUMBER = "5555555555554444"
DINERS_NUMBER = "36227206271667"
CLOSED_VISA_GUAYAQUIL = "4012888888881881"  # the clearing refuses it (cancelled card)


async def consult(
    client: httpx.AsyncClient, token: str, biller: str, reference: str
) -> httpx.Response:
    """CONSULTAR: GET /billers/{biller}/bills?reference=..."""
    return await client.get(
        f"{BILLERS}/{biller}/bills", params={"reference": reference}, headers=auth(token)
    )


def service_body(bill_id: int, amount_cents: int, from_account: str) -> dict[str, Any]:
    return {
        "kind": "servicio",
        "bill_id": bill_id,
        "from_account": from_account,
        "amount_cents": amount_cents,
    }


def card_body(card_id: int, amount_cents: int, from_account: str) -> dict[str, Any]:
    return {
        "kind": "tarjeta",
        "card_id": card_id,
        "from_account": from_account,
        "amount_cents": amount_cents,
    }


def external_card_body(
    amount_cents: int,
    from_account: str,
    *,
    issuer_code: str = "VISA_PICHINCHA",
    card_number: str = VISA_NUMBER,
    holder_name: str = "Ana Lucía Tipán Morales",
) -> dict[str, Any]:
    return {
        "kind": "tarjeta_externa",
        "issuer_code": issuer_code,
        "card_number": card_number,
        "holder_name": holder_name,
        "from_account": from_account,
        "amount_cents": amount_cents,
    }


async def start_payment(
    client: httpx.AsyncClient, token: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    """POST /payments (with a fresh Idempotency-Key unless ``key``)."""
    return await client.post(PAYMENTS, json=body, headers=keyed(token, key))


async def pay_with_pin(
    client: httpx.AsyncClient, token: str, email: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A payment started and confirmed with the e-mailed PIN: the Payment."""
    started = await start_payment(client, token, body)
    return await confirmed_with_pin(client, token, email, started, "payment")


def movements_of(db: DB, reference: str) -> list[tuple[Any, ...]]:
    """(account number, amount, description) of an operation's movements, in order."""
    return rows(
        db,
        "SELECT a.number, m.amount_cents, m.description FROM movements AS m "
        "JOIN accounts AS a ON a.id = m.account_id WHERE m.reference = ? ORDER BY m.id",
        reference,
    )


# --- what every kind of operation shares ---------------------------------------------------------


async def refused_changing_nothing(
    db: DB, request: Awaitable[httpx.Response], status: int, code: str, field: str | None
) -> httpx.Response:
    """``request`` (not yet sent) is refused with ``status``, ``code`` on ``field`` and a message,
    and changes nothing stored: its answer."""
    before = money_state(db)
    response = await request
    assert response.status_code == status, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["message"]
    assert money_state(db) == before
    return response


def assert_replayed(first: httpx.Response, again: httpx.Response, status: int) -> None:
    """``again``, sent with ``first``'s Idempotency-Key and body, is ``first``'s answer replayed."""
    assert first.status_code == again.status_code == status
    assert again.content == first.content
    assert again.headers["idempotency-replayed"] == "true"


def assert_key_mismatch(response: httpx.Response) -> None:
    """The same Idempotency-Key with another body is another request: refused on the key."""
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "idempotency_mismatch",
        "Idempotency-Key",
    )


async def confirmed_once(
    client: httpx.AsyncClient, token: str, db: DB, challenge: dict[str, Any], pin: str, key: str
) -> httpx.Response:
    """Confirms ``challenge`` twice with the Idempotency-Key ``key``: the second answer is the
    first replayed and moves nothing. The first answer."""
    confirmed = await confirm(client, token, challenge, pin, key=key)
    assert confirmed.status_code == 200
    state = money_state(db)
    reconfirmed = await confirm(client, token, challenge, pin, key=key)
    assert_replayed(confirmed, reconfirmed, 200)
    assert money_state(db) == state
    return confirmed


async def assert_listed_newest_first(
    client: httpx.AsyncClient,
    token: str,
    path: str,
    references: list[str],
    pending_id: int,
    *,
    limit: int,
) -> None:
    """The list at ``path`` holds the executed operations ``references``, newest first; ``limit``
    cuts it and a limit of 0 is refused on its field; the operation ``pending_id`` (not in the
    list: it waits for its PIN) is still shown by its id."""
    listed = (await client.get(path, headers=auth(token))).json()
    assert [op["reference"] for op in listed] == list(reversed(references))
    cut = (await client.get(path, params={"limit": limit}, headers=auth(token))).json()
    assert cut == listed[:limit]
    bad = await client.get(path, params={"limit": 0}, headers=auth(token))
    assert (bad.status_code, bad.json()["field"]) == (422, "limit")
    shown = await client.get(f"{path}/{pending_id}", headers=auth(token))
    assert shown.json()["status"] == "pendiente_verificacion"


async def assert_returned_to_demo(
    client: httpx.AsyncClient, token: str, db: DB, reference: str, subject: str
) -> None:
    """$100,00 of the demo's 00104721 went out through the clearing account and came back: the
    four movements, a notice with ``subject``, nothing counted against the daily limit, a sound
    ledger."""
    assert [(n, a) for n, a, _d in movements_of(db, reference)] == [
        (DEMO_VISTA, -10_000),
        (COMPENSACION, 10_000),
        (COMPENSACION, -10_000),
        (DEMO_VISTA, 10_000),
    ]
    notice = (await mails(client, DEMO_EMAIL))[0]
    assert notice["subject"] == subject
    assert "Devolvimos $100,00 a su cuenta 00104721" in notice["body"]
    limits = (await client.get(LIMITS, headers=auth(token))).json()
    assert limits["used_today_cents"] == 0  # a returned operation does not count
    assert ledger_problems_of(db) == []
