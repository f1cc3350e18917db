"""Object-level authorization, generated from the app's own routes (issue 7).

Every route of ``create_app`` is enumerated and classified by its dependencies: public (no
session), open to any session, for socios only (``require_socio`` / ``socio_context``), for
staff only (``require_staff``). Then, for every authenticated route:

- no token, an unknown token, a logged-out token and an idle-expired token are 401;
- a member's session on a staff route is 403 ``forbidden``, a teller's session on a socio
  route is 403 ``forbidden``, a session still in the PRIMER INGRESO is 403 ``setup_required``
  (outside :data:`mock_server.api.deps.SETUP_ALLOWED`);
- for every route with a path id of something a member owns, member A with member B's real
  ids (made through the API: beneficiaries, transfers, payments, PIN challenges, frequent
  services) and a valid body is 404 ``not_found`` — both ways, demo <-> socio2 — and the
  database is left as it was.

The tables below say how to fill each path parameter, body and required query. A new route
whose parameter, body or query the tables do not know fails ``test_the_matrix_knows_every_route``
(and a new unauthenticated or "any session" route must be added to the lists on purpose).

All cases share one world (one database, one app, one clock), built once for the module: each
case snapshots the state tables before and after its request. The clock never moves after the
world is built, so no session, PIN or clearing changes under the cases' feet.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from mock_server import create_app
from mock_server.api.deps import (
    SETUP_ALLOWED,
    Member,
    current_session,
    require_staff,
    require_supervisor,
)
from mock_server.api.socio import Socio, require_socio, socio_context
from mock_server.api.statuses import api_routes
from mock_server.domain.clock import ManualClock
from mock_server.domain.pin_limits import PinLimits
from sjvirtual_tui.models import API_PREFIX, RejectRequest
from tests.api import (
    BILL_CNEL_DEMO,
    BILL_CNEL_SOCIO2,
    BILL_EPMAPS_DEMO,
    CARD_DEMO_VISA,
    CARD_SOCIO2,
    DEMO_EMAIL,
    DEMO_TO_SOCIO2,
    DEMO_VISTA,
    FREQUENT,
    LUIS,
    SETUP_BODY,
    SOCIO2_EMAIL,
    SOCIO2_TO_DEMO,
    SOCIO2_VISTA,
    TEXTILES,
    TEXTILES_GUAYAQUIL,
    auth,
    card_body,
    confirm,
    consult,
    keyed,
    latest_pin,
    register,
    registration_id,
    service_body,
    setup_session,
    start_beneficiary,
    start_payment,
    transfer_to,
)
from tests.conftest import CHEAP_HASHER, CLOCK_START, SeededDatabases, login_token
from tests.database import DB, connect, tables

# The cases share the module's world, and so its event loop.
in_world = pytest.mark.asyncio(loop_scope="module")

# --- the routes, from the app ---------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    params: tuple[str, ...]  # path parameters, in path order
    access: str  # "public" | "any" | "socio" | "staff" | "supervisor"
    has_body: bool
    required_query: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def routes_of(app: FastAPI) -> list[Route]:
    found = []
    for route in api_routes(app):
        dependant = route.dependant
        calls = set(_calls(dependant))
        if require_supervisor in calls:
            access = "supervisor"
        elif require_staff in calls:
            access = "staff"
        elif require_socio in calls or socio_context in calls:
            access = "socio"
        elif current_session in calls:
            access = "any"
        else:
            access = "public"
        for method in sorted(route.methods):
            found.append(
                Route(
                    method=method,
                    path=route.path_format,  # {id:int} written {id}
                    params=tuple(param.name for param in dependant.path_params),
                    access=access,
                    has_body=bool(dependant.body_params),
                    required_query=frozenset(
                        param.alias
                        for param in dependant.query_params
                        if param.field_info.is_required()
                    ),
                )
            )
    return found


def _collect_routes() -> list[Route]:
    """The routes of the demo app (the one with the most routes), made over a scratch file."""
    scratch = Path(tempfile.mkdtemp(prefix="sjv-authz-"))
    try:
        return routes_of(create_app(scratch / "routes.sqlite", hasher=CHEAP_HASHER, demo=True))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


ROUTES = _collect_routes()

# --- what the routes may be: changed only on purpose ------------------------------------------

P = API_PREFIX
# No session at all: the way in, onboarding, recovery, the demo mailbox, health.
PUBLIC = {
    ("GET", "/health"),
    ("POST", f"{P}/auth/challenge"),
    ("POST", f"{P}/auth/login"),
    ("POST", f"{P}/auth/set-password"),
    ("GET", f"{P}/security-questions"),
    ("POST", f"{P}/auth/recovery"),
    ("POST", f"{P}/auth/recovery/verify"),
    ("POST", f"{P}/auth/recovery/complete"),
    ("POST", f"{P}/registrations"),
    ("GET", f"{P}/demo/outbox"),
}
# Any session, teller included (docs/api.md): the profile, logout, the PRIMER INGRESO and the
# catalogs (the same for everyone, nobody's data). The accounts are socio routes: a teller
# has none, and got a silent 200 [] there (issue 13 B7); now the 403 of every socio route.
ANY_SESSION = {
    ("GET", f"{P}/me"),
    ("POST", f"{P}/auth/logout"),
    ("POST", f"{P}/me/setup"),
    ("GET", f"{P}/institutions"),
    ("GET", f"{P}/billers"),
    ("GET", f"{P}/card-issuers"),
    # --- loans (issue 17) --- the products and the simulator: a catalog and arithmetic.
    ("GET", f"{P}/loan-products"),
    ("GET", f"{P}/loans/simulate"),
}

MEMBERS = ("demo", "socio2")
OTHER = {"demo": "socio2", "socio2": "demo"}


@dataclass(frozen=True)
class Owned:
    """A path parameter naming something a member owns: another member's is 404."""

    labels: tuple[str, ...]  # which of the owner's objects the cases use (World.owned keys)


@dataclass(frozen=True)
class NotOwned:
    """A path parameter that names nothing a member owns; ``why`` says so."""

    why: str
    value: Callable[[World], str]
    staff_only: bool = False


# Path parameter -> how to get member B's id. Every path parameter of every route must be here.
PARAMS: dict[str, Owned | NotOwned] = {
    "number": Owned(("ahorro a la vista",)),
    "beneficiary_id": Owned(("seeded", "registered through the API")),
    "transfer_id": Owned(("completada", "pendiente_verificacion")),
    "payment_id": Owned(("completada", "pendiente_verificacion")),
    "poliza_id": Owned(("completada", "pendiente_verificacion")),
    "challenge_id": Owned(
        (
            "transfer, pending",
            "payment, pending",
            "beneficiary, pending",
            "transfer, used",
            "poliza, pending",
        )
    ),
    "frequent_id": Owned(("saved",)),
    "loan_id": Owned(("seeded",)),  # loans (issue 17)
    # --- notifications (issue 17) ---
    "notification_id": Owned(("the newest notice",)),
    "biller_code": NotOwned(
        "the billers' catalog: any socio may consult and pay any bill, as at the window",
        lambda world: "CNEL_EP",
    ),
    "registration_id": NotOwned(
        "a teller sees every request",
        lambda world: str(world.registration_id),
        staff_only=True,
    ),
    "username": NotOwned("a teller unlocks any user", lambda world: "bloqueado", staff_only=True),
    # --- certificates (issue 17) ---
    "code": NotOwned(
        "a teller verifies any certificate a member shows",
        lambda world: "CB-SJVD-EM26",  # the seeded one (mock_server.seed.certificates)
        staff_only=True,
    ),
    # --- self-service ---
    "card_id": Owned(("activa",)),
    "change_id": Owned(("pending",)),
    "debit_card_id": NotOwned(
        "a teller unblocks any member's debit card",
        lambda world: world.owned["demo"]["card_id"]["activa"],
        staff_only=True,
    ),
    # --- approvals and audit (issue 18) ---
    "approval_id": NotOwned(
        "a supervisor decides any request (the seeded one)", lambda world: "1", staff_only=True
    ),
    # --- teller counter (issue 18) ---
    "holder_id": NotOwned("a teller opens any socio's file", lambda world: "1", staff_only=True),
    "counter_op_id": NotOwned(
        "a teller reverses an operation of the own open drawer (none in the world: 404)",
        lambda world: "1",
        staff_only=True,
    ),
}

# Route -> a valid body, as member A would send it (``values``: the path's values).
Body = Callable[["World", str, dict[str, str]], dict[str, Any]]


def _confirm_body(world: World, member: str, values: dict[str, str]) -> dict[str, Any]:
    # The owner's own PIN, amount and payee: everything right but the session.
    challenge = world.challenges[values["challenge_id"]]
    return {
        "pin": challenge["pin"],
        "amount_cents": challenge["amount_cents"],
        "payee": challenge["payee"],
    }


BODIES: dict[tuple[str, str], Body] = {
    ("POST", f"{P}/transfers"): lambda w, m, v: {
        "kind": "internas",
        "from_account": w.accounts[m],
        "beneficiary_id": w.seeded_beneficiary[m],
        "amount_cents": 1_00,
        "description": "Matriz de autorización",
    },
    ("POST", f"{P}/beneficiaries"): lambda w, m, v: {
        "kind": "interna",
        "account_type": "ahorro_vista",
        "number": "1107777",
    },
    # Any member may pay any bill: demo's electricity bill stays pending in the world.
    ("POST", f"{P}/payments"): lambda w, m, v: service_body(BILL_CNEL_DEMO, 3_245, w.accounts[m]),
    ("POST", f"{P}/frequent-services"): lambda w, m, v: {
        "biller_code": "CLARO",
        "reference": "0991234567",
        "alias": "Celular",
    },
    ("POST", f"{P}/challenges/{{challenge_id}}/confirm"): _confirm_body,
    ("POST", f"{P}/polizas"): lambda w, m, v: {
        "from_account": w.accounts[m],
        "amount_cents": 10_000,
        "term_days": 90,
        "renewal": "no_renovar",
    },
    ("POST", f"{P}/polizas/simulate"): lambda w, m, v: {"amount_cents": 10_000, "term_days": 90},
    # --- loans (issue 17) ---
    ("POST", f"{P}/loans/{{loan_id}}/payments"): lambda w, m, v: {
        "from_account": w.accounts[m],
        "amount_cents": 1_00,
    },
    ("POST", f"{P}/me/setup"): lambda w, m, v: dict(SETUP_BODY),
    ("POST", f"{P}/staff/registrations/{{registration_id}}/reject"): lambda w, m, v: {
        "reason": "Documentos incompletos."
    },
    # --- certificates (issue 17) ---
    ("POST", f"{P}/certificates"): lambda w, m, v: {"account_number": w.accounts[m]},
    # --- self-service ---
    ("POST", f"{P}/me/password"): lambda w, m, v: {
        "current_password": "Demo2026" if m == "demo" else "Socio2026",
        "new_password": "Matriz2027x",
        "confirm_password": "Matriz2027x",
    },
    ("POST", f"{P}/me/security"): lambda w, m, v: {
        "current_password": "Demo2026" if m == "demo" else "Socio2026",
        "image": "colibri",
        "own_question": "¿Color de mi primer auto?",
        "own_answer": "Azul",
        "question_id": 3,
        "answer": "Cuenca",
    },
    ("POST", f"{P}/me/contact"): lambda w, m, v: {"phone": "0991112233"},
    ("POST", f"{P}/me/contact/{{change_id}}/confirm"): lambda w, m, v: {"code": "123456"},
    ("POST", f"{P}/staff/debit-cards/{{debit_card_id}}/unblock"): lambda w, m, v: {
        "reason": "Cédula presentada en agencia."
    },
    # --- approvals and audit (issue 18) ---
    ("POST", f"{P}/staff/members/{{username}}/security-reset"): lambda w, m, v: {
        "reason": "Olvidó sus respuestas."
    },
    ("POST", f"{P}/staff/registrations"): lambda w, m, v: dict(LUIS),
    ("POST", f"{P}/staff/approvals/{{approval_id}}/approve"): lambda w, m, v: {},
    ("POST", f"{P}/staff/approvals/{{approval_id}}/reject"): lambda w, m, v: {
        "reason": "No corresponde."
    },
    # --- teller counter (issue 18) ---
    ("POST", f"{P}/staff/cash/deposits"): lambda w, m, v: {
        "account": w.accounts[m],
        "amount_cents": 1_00,
        "depositor": "Matriz de autorización",
    },
    ("POST", f"{P}/staff/cash/withdrawals"): lambda w, m, v: {
        "account": w.accounts[m],
        "amount_cents": 1_00,
        "identification": "1712345675",
    },
    ("POST", f"{P}/staff/cash/drawer/open"): lambda w, m, v: {"opening_float_cents": 10_000},
    ("POST", f"{P}/staff/cash/drawer/close"): lambda w, m, v: {"counted_cents": 10_000},
    ("POST", f"{P}/staff/cash/operations/{{counter_op_id}}/reversal"): lambda w, m, v: {
        "reason": "Depósito en otra cuenta."
    },
}

# Route -> its required query parameters.
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", f"{P}/billers/{{biller_code}}/bills"): {"reference": "1000555777"},
    ("GET", f"{P}/beneficiaries/lookup"): {"account_type": "ahorro_vista", "number": "1107777"},
    # --- loans (issue 17) ---
    ("GET", f"{P}/loans/{{loan_id}}/cover"): {"amount_cents": "10000"},
    ("GET", f"{P}/loans/simulate"): {
        "product": "consumo",
        "amount_cents": "500000",
        "months": "12",
    },
    # --- teller counter (issue 18) ---
    ("GET", f"{P}/staff/members"): {"q": "guaman"},
}

# --- the world: two members' real objects ---------------------------------------------------


@dataclass
class World:
    client: httpx.AsyncClient
    db: DB
    clock: ManualClock
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    seeded_beneficiary: dict[str, int] = field(default_factory=dict)
    # owner -> param -> label -> id
    owned: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    # challenge id -> its pin, amount_cents and payee
    challenges: dict[str, dict[str, Any]] = field(default_factory=dict)
    registration_id: int = 0

    def own(self, owner: str, param: str, label: str, value: object) -> None:
        self.owned.setdefault(owner, {}).setdefault(param, {})[label] = str(value)


async def _challenge(
    world: World, owner: str, started: httpx.Response, email: str
) -> dict[str, Any]:
    assert started.status_code == 201, started.text
    body: dict[str, Any] = started.json()
    challenge: dict[str, Any] = body.get("challenge") or body
    world.challenges[challenge["id"]] = {
        "pin": await latest_pin(world.client, email),
        "amount_cents": challenge["amount_cents"],
        "payee": challenge["payee"],
    }
    return body


async def _confirmed(world: World, owner: str, challenge: dict[str, Any]) -> dict[str, Any]:
    token = world.tokens[owner]
    response = await confirm(
        world.client, token, challenge, world.challenges[challenge["id"]]["pin"]
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _build_objects(world: World, owner: str) -> None:
    """Through the API: what ``owner`` has that the other member must not reach."""
    client, token = world.client, world.tokens[owner]
    email = DEMO_EMAIL if owner == "demo" else SOCIO2_EMAIL
    account = world.accounts[owner]
    world.own(owner, "number", "ahorro a la vista", account)
    world.own(owner, "beneficiary_id", "seeded", world.seeded_beneficiary[owner])
    # --- loans (issue 17) --- the seed's loans: demo's is 1, socio2's 2.
    world.own(owner, "loan_id", "seeded", 1 if owner == "demo" else 2)

    # A beneficiary registered with the PIN, and one waiting for its PIN.
    externa = {**TEXTILES_GUAYAQUIL, "name": "Textiles Otavalo S.A."}
    started = await _challenge(world, owner, await start_beneficiary(client, token, externa), email)
    beneficiary = (await _confirmed(world, owner, started))["beneficiary"]
    world.own(owner, "beneficiary_id", "registered through the API", beneficiary["id"])
    pending = {**externa, "number": "0098765433"}
    started = await _challenge(world, owner, await start_beneficiary(client, token, pending), email)
    world.own(owner, "challenge_id", "beneficiary, pending", started["id"])

    # A transfer confirmed with the PIN (its challenge is used), and one waiting for its PIN.
    beneficiary_id = world.seeded_beneficiary[owner]
    response = await transfer_to(client, token, "internas", account, beneficiary_id, 1_500)
    started = await _challenge(world, owner, response, email)
    transfer = (await _confirmed(world, owner, started["challenge"]))["transfer"]
    assert transfer["status"] == "completada", transfer
    world.own(owner, "transfer_id", "completada", transfer["id"])
    world.own(owner, "challenge_id", "transfer, used", started["challenge"]["id"])
    response = await transfer_to(client, token, "internas", account, beneficiary_id, 2_500)
    started = await _challenge(world, owner, response, email)
    world.own(owner, "transfer_id", "pendiente_verificacion", started["transfer"]["id"])
    world.own(owner, "challenge_id", "transfer, pending", started["challenge"]["id"])

    # A bill paid with the PIN, and a card payment waiting for its PIN.
    biller, reference = ("EPMAPS", "4567890") if owner == "demo" else ("CNEL_EP", "1000555777")
    bill = (await consult(client, token, biller, reference)).json()
    assert bill["id"] == (BILL_EPMAPS_DEMO if owner == "demo" else BILL_CNEL_SOCIO2), bill
    amount = min(bill["amount_due_cents"], bill["max_amount_cents"])
    response = await start_payment(client, token, service_body(bill["id"], amount, account))
    started = await _challenge(world, owner, response, email)
    payment = (await _confirmed(world, owner, started["challenge"]))["payment"]
    assert payment["status"] == "completada", payment
    world.own(owner, "payment_id", "completada", payment["id"])
    card = CARD_DEMO_VISA if owner == "demo" else CARD_SOCIO2
    response = await start_payment(client, token, card_body(card, 1_000, account))
    started = await _challenge(world, owner, response, email)
    world.own(owner, "payment_id", "pendiente_verificacion", started["payment"]["id"])
    world.own(owner, "challenge_id", "payment, pending", started["challenge"]["id"])

    # A póliza opened with the PIN, and one waiting for its PIN.
    poliza = {"from_account": account, "amount_cents": 10_000, "term_days": 90}
    response = await client.post(f"{P}/polizas", json=poliza, headers=keyed(token))
    started = await _challenge(world, owner, response, email)
    opened = (await _confirmed(world, owner, started["challenge"]))["poliza"]
    assert opened["status"] == "completada", opened
    world.own(owner, "poliza_id", "completada", opened["id"])
    response = await client.post(
        f"{P}/polizas", json={**poliza, "term_days": 120}, headers=keyed(token)
    )
    started = await _challenge(world, owner, response, email)
    world.own(owner, "poliza_id", "pendiente_verificacion", started["poliza"]["id"])
    world.own(owner, "challenge_id", "poliza, pending", started["challenge"]["id"])

    # A frequent service.
    saved = await client.post(
        FREQUENT,
        json={"biller_code": biller, "reference": reference, "alias": "Servicio de casa"},
        headers=keyed(token),
    )
    assert saved.status_code == 201, saved.text
    world.own(owner, "frequent_id", "saved", saved.json()["id"])

    # --- notifications (issue 17) --- the newest notice of the owner's inbox.
    notices = await client.get(f"{P}/notifications", headers=auth(token))
    assert notices.status_code == 200, notices.text
    world.own(owner, "notification_id", "the newest notice", notices.json()["items"][0]["id"])
    # --- self-service: the member's debit card, and a contact change awaiting its code.
    cards = await client.get(f"{P}/debit-cards", headers=auth(token))
    assert cards.status_code == 200, cards.text
    world.own(owner, "card_id", "activa", cards.json()[0]["id"])
    change = await client.post(
        f"{P}/me/contact", json={"phone": "0990001122"}, headers=keyed(token)
    )
    assert change.status_code == 201, change.text
    world.own(owner, "change_id", "pending", change.json()["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(engine: str, seeded_databases: SeededDatabases) -> AsyncIterator[World]:
    db = seeded_databases.new(engine)
    clock = ManualClock(CLOCK_START)
    # Four operations awaiting their PIN per member (a beneficiary, a transfer, a payment, a
    # póliza): one more than a member may have by default.
    app = create_app(
        db, clock=clock, hasher=CHEAP_HASHER, demo=True, pin_limits=PinLimits(max_pending=4)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        w = World(client=client, db=db, clock=clock)
        # A session that ends by idle time, and one that is logged out.
        w.tokens["expired"] = await login_token(client, "demo", "Demo2026")
        w.tokens["logged out"] = await login_token(client, "socio2", "Socio2026")
        out = await client.post(f"{P}/auth/logout", headers=auth(w.tokens["logged out"]))
        assert out.status_code == 204, out.text
        clock.advance(301)  # past the idle timeout (300 s)
        gone = await client.get(f"{P}/me", headers=auth(w.tokens["expired"]))
        assert gone.json()["code"] == "session_expired", gone.text  # now marked as ended
        w.tokens["unknown"] = "x" * 43

        w.tokens["demo"] = await login_token(client, "demo", "Demo2026")
        w.tokens["socio2"] = await login_token(client, "socio2", "Socio2026")
        w.tokens["teller"] = await login_token(client, "cajero", "Cajero2026")
        w.tokens["supervisor"] = await login_token(client, "supervisor", "Supervisor2026")
        # A new user with the PRIMER INGRESO still to do (LUIS), and a pending request.
        w.tokens["setup"] = await setup_session(client, db, w.tokens["teller"])
        w.registration_id = registration_id(db, (await register(client, TEXTILES))["reference"])

        w.accounts = {"demo": DEMO_VISTA, "socio2": SOCIO2_VISTA}
        w.seeded_beneficiary = {"demo": DEMO_TO_SOCIO2, "socio2": SOCIO2_TO_DEMO}
        for owner in MEMBERS:
            await _build_objects(w, owner)
            for param, kind in PARAMS.items():
                if isinstance(kind, Owned):
                    assert set(w.owned[owner][param]) == set(kind.labels), (owner, param)
        yield w
    app.state.server.database.dispose()
    seeded_databases.drop(db)


# --- requests and the state they must leave alone ---------------------------------------------

# The idempotency records are left out: a refusal is stored under its key, on purpose.
UNSNAPSHOTTED = {"idempotency"}


def snapshot(db: DB) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every state table, in one order (sorted: PostgreSQL has no rowid)."""
    with connect(db) as conn:
        return {
            table: sorted(
                (tuple(row) for row in conn.execute(f"SELECT * FROM {table}").fetchall()),
                key=repr,
            )
            for table in tables(db)
            if table not in UNSNAPSHOTTED and not table.startswith("sqlite_")
        }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per changed table, the rows that went and the rows that came."""
    return {
        table: {
            "gone": [row for row in rows if row not in after.get(table, [])],
            "new": [row for row in after.get(table, []) if row not in rows],
        }
        for table, rows in before.items()
        if rows != after.get(table)
    }


def _values(world: World, route: Route, owner: str, label: str | None) -> dict[str, str]:
    """The route's path values: ``owner``'s objects (``label`` for its owned parameter)."""
    values = {}
    for param in route.params:
        kind = PARAMS[param]
        if isinstance(kind, NotOwned):
            values[param] = kind.value(world)
        else:
            values[param] = world.owned[owner][param][label or kind.labels[0]]
    return values


async def send(
    world: World,
    route: Route,
    token: str | None,
    *,
    caller: str = "demo",
    owner: str = "socio2",
    label: str | None = None,
) -> httpx.Response:
    """``route`` filled with ``owner``'s ids and a valid body of ``caller``, with ``token``."""
    values = _values(world, route, owner, label)
    headers = auth(token) if token else {}
    if route.method != "GET":
        headers = {**headers, **keyed()}
    body = BODIES[route.key](world, caller, values) if route.has_body else None
    return await world.client.request(
        route.method,
        route.path.format(**values),
        json=body,
        params=QUERIES.get(route.key),
        headers=headers,
    )


async def assert_refused(world: World, response_of: Any, status: int, code: str) -> None:
    """Awaits ``response_of`` (a request not sent yet): refused with ``code``, nothing changed."""
    before = snapshot(world.db)
    response = await response_of
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert _changes(before, snapshot(world.db)) == {}


# --- the matrix -------------------------------------------------------------------------------

AUTHENTICATED = [route for route in ROUTES if route.access != "public"]

# Tokens that are not a session: (case, token name or None, code).
NO_SESSION = [
    ("no token", None, "not_authenticated"),
    ("unknown token", "unknown", "not_authenticated"),
    ("logged-out token", "logged out", "session_expired"),
    ("expired token", "expired", "session_expired"),
]


def _auth_cases() -> Iterator[Any]:
    for route in AUTHENTICATED:
        for case, token, code in NO_SESSION:
            yield pytest.param(route, token, 401, code, id=f"{route} - {case}")
        if route.access in ("staff", "supervisor"):
            yield pytest.param(route, "demo", 403, "forbidden", id=f"{route} - member token")
        if route.access == "supervisor":
            yield pytest.param(route, "teller", 403, "forbidden", id=f"{route} - teller token")
        if route.access == "socio":
            yield pytest.param(route, "teller", 403, "forbidden", id=f"{route} - teller token")
            yield pytest.param(
                route, "supervisor", 403, "forbidden", id=f"{route} - supervisor token"
            )
        if route.key not in SETUP_ALLOWED:
            yield pytest.param(
                route, "setup", 403, "setup_required", id=f"{route} - PRIMER INGRESO pending"
            )


def _cross_cases() -> Iterator[Any]:
    for route in AUTHENTICATED:
        owned = [param for param in route.params if isinstance(PARAMS.get(param), Owned)]
        if not owned:
            continue
        kind = PARAMS[owned[0]]
        assert isinstance(kind, Owned)
        for caller in MEMBERS:
            owner = OTHER[caller]
            for label in kind.labels:
                yield pytest.param(
                    route, caller, owner, label, id=f"{route} - {caller} with {owner}'s {label}"
                )


def matrix_gaps(routes: list[Route]) -> list[str]:
    """What the tables above do not know about ``routes``: each a sentence saying what to add."""
    gaps = []
    by_key = {route.key: route for route in routes}
    for access, expected in (("public", PUBLIC), ("any", ANY_SESSION)):
        found = {key for key, route in by_key.items() if route.access == access}
        gaps += [f"{m} {p}: {access} route not listed in the matrix" for m, p in found - expected]
        gaps += [f"{m} {p}: listed as {access}, but it is not" for m, p in expected - found]
    for route in routes:
        for param in route.params:
            kind = PARAMS.get(param)
            if kind is None:
                gaps.append(f"{route}: add {{{param}}} to PARAMS (how to get member B's id)")
            elif isinstance(kind, Owned) and route.access not in {"any", "socio"}:
                gaps.append(f"{route}: a member's id on a {route.access} route")
            elif (
                isinstance(kind, NotOwned)
                and kind.staff_only
                and route.access not in ("staff", "supervisor")
            ):
                gaps.append(f"{route}: {{{param}}} is staff only, the route is {route.access}")
        if sum(isinstance(PARAMS.get(p), Owned) for p in route.params) > 1:
            gaps.append(f"{route}: two owned ids; teach _cross_cases to combine them")
        if route.access == "public":
            continue
        if route.has_body and route.key not in BODIES:
            gaps.append(f"{route}: add a valid body to BODIES")
        if not route.required_query <= set(QUERIES.get(route.key, {})):
            gaps.append(f"{route}: add its required query to QUERIES")
    # No stale entries either.
    gaps += [f"{m} {p}: in BODIES, no such route" for m, p in set(BODIES) - set(by_key)]
    gaps += [f"{m} {p}: in QUERIES, no such route" for m, p in set(QUERIES) - set(by_key)]
    used = {param for route in routes for param in route.params}
    gaps += [f"{{{param}}}: in PARAMS, no route has it" for param in set(PARAMS) - used]
    return gaps


def test_the_matrix_knows_every_route() -> None:
    """A new route must be classified, and its parameters, body and query filled, on purpose."""
    assert matrix_gaps(ROUTES) == []


def test_a_new_id_route_is_a_gap(tmp_path: Path) -> None:
    """The check above bites: a route with an id the matrix cannot fill is reported."""
    app = create_app(tmp_path / "gap.sqlite", hasher=CHEAP_HASHER, demo=True)

    async def get_widget(widget_id: int, member: Member) -> None:  # pragma: no cover
        return None

    async def post_note(body: RejectRequest, member: Socio) -> None:  # pragma: no cover
        return None

    app.add_api_route(f"{P}/widgets/{{widget_id}}", get_widget, methods=["GET"])
    app.add_api_route(f"{P}/notes", post_note, methods=["POST"])
    assert sorted(matrix_gaps(routes_of(app))) == [
        f"GET {P}/widgets/{{widget_id}}: add {{widget_id}} to PARAMS (how to get member B's id)",
        f"GET {P}/widgets/{{widget_id}}: any route not listed in the matrix",
        f"POST {P}/notes: add a valid body to BODIES",
    ]


@in_world
@pytest.mark.parametrize(("route", "token", "status", "code"), list(_auth_cases()))
async def test_without_the_right_session(
    world: World, route: Route, token: str | None, status: int, code: str
) -> None:
    await assert_refused(
        world, send(world, route, world.tokens[token] if token else None), status, code
    )


@in_world
@pytest.mark.parametrize(("route", "caller", "owner", "label"), list(_cross_cases()))
async def test_another_members_id_is_not_found(
    world: World, route: Route, caller: str, owner: str, label: str
) -> None:
    response = send(world, route, world.tokens[caller], caller=caller, owner=owner, label=label)
    await assert_refused(world, response, 404, "not_found")


# Ids in bodies: what the start of a transfer or payment names must be the member's too.
def matrix_transfer(kind: str, from_account: str, **to: Any) -> dict[str, Any]:
    """The start of a $1,00 transfer of ``kind`` from ``from_account`` to ``to``."""
    return {
        "kind": kind,
        "from_account": from_account,
        **to,
        "amount_cents": 100,
        "description": "Matriz",
    }


BODY_ID_CASES: list[tuple[str, str, Callable[[World, str, str], dict[str, Any]]]] = [
    (
        "POST /transfers propias from the other's account",
        "transfers",
        lambda w, me, other: matrix_transfer(
            "propias", w.accounts[other], to_account=w.accounts[me]
        ),
    ),
    (
        "POST /transfers propias to the other's account",
        "transfers",
        lambda w, me, other: matrix_transfer(
            "propias", w.accounts[me], to_account=w.accounts[other]
        ),
    ),
    (
        "POST /transfers internas to the other's beneficiary",
        "transfers",
        lambda w, me, other: matrix_transfer(
            "internas", w.accounts[me], beneficiary_id=w.seeded_beneficiary[other]
        ),
    ),
    (
        "POST /transfers internas from the other's account",
        "transfers",
        lambda w, me, other: matrix_transfer(
            "internas", w.accounts[other], beneficiary_id=w.seeded_beneficiary[me]
        ),
    ),
    (
        "POST /payments for the other's card",
        "payments",
        lambda w, me, other: card_body(
            CARD_SOCIO2 if other == "socio2" else CARD_DEMO_VISA, 100, w.accounts[me]
        ),
    ),
    (
        "POST /payments from the other's account",
        "payments",
        lambda w, me, other: service_body(BILL_CNEL_DEMO, 3_245, w.accounts[other]),
    ),
    (
        "POST /polizas from the other's account",
        "polizas",
        lambda w, me, other: {
            "from_account": w.accounts[other],
            "amount_cents": 10_000,
            "term_days": 90,
        },
    ),
]


@in_world
@pytest.mark.parametrize(
    ("path", "body_of", "caller"),
    [
        pytest.param(path, body_of, caller, id=f"{case} - {caller}")
        for case, path, body_of in BODY_ID_CASES
        for caller in MEMBERS
    ],
)
async def test_another_members_id_in_a_body_is_not_found(
    world: World, path: str, body_of: Any, caller: str
) -> None:
    body = body_of(world, caller, OTHER[caller])
    response = world.client.post(f"{P}/{path}", json=body, headers=keyed(world.tokens[caller]))
    await assert_refused(world, response, 404, "not_found")


@in_world
async def test_a_teller_is_refused_the_accounts(world: World) -> None:
    """Accounts are socio routes: a teller's session is refused, not shown an empty list."""
    teller = world.tokens["teller"]
    listed = await world.client.get(f"{P}/accounts", headers=auth(teller))
    assert (listed.status_code, listed.json()["code"]) == (403, "forbidden")
    routes = [r for r in ROUTES if "number" in r.params and r.path.startswith(f"{P}/accounts")]
    assert routes and all(route.access == "socio" for route in routes)
    for route in routes:
        for owner in MEMBERS:
            await assert_refused(world, send(world, route, teller, owner=owner), 403, "forbidden")


@in_world
async def test_each_owner_reaches_its_own_ids(world: World) -> None:
    """The ids of the cross-member cases are real: their owner reads them (GET routes)."""
    for route in AUTHENTICATED:
        owned = [p for p in route.params if isinstance(PARAMS.get(p), Owned)]
        if route.method != "GET" or not owned:
            continue
        kind = PARAMS[owned[0]]
        assert isinstance(kind, Owned)
        for owner in MEMBERS:
            for label in kind.labels:
                response = await send(
                    world, route, world.tokens[owner], caller=owner, owner=owner, label=label
                )
                assert response.status_code == 200, (str(route), owner, label, response.text)


# The lists of a member's things, and the key of each item that names it.
LISTS = {
    f"{P}/accounts": ("number", "number"),
    f"{P}/beneficiaries": ("id", "beneficiary_id"),
    f"{P}/transfers": ("id", "transfer_id"),
    f"{P}/payments": ("id", "payment_id"),
    f"{P}/frequent-services": ("id", "frequent_id"),
    f"{P}/polizas": ("id", "poliza_id"),
}


@in_world
async def test_lists_show_only_the_members_own(world: World) -> None:
    for caller in MEMBERS:
        owner = OTHER[caller]
        for path, (key, param) in LISTS.items():
            listed = await world.client.get(path, headers=auth(world.tokens[caller]))
            assert listed.status_code == 200, listed.text
            theirs = set(world.owned[owner][param].values())
            mine = set(world.owned[caller][param].values())
            shown = {str(item[key]) for item in listed.json()}
            assert not shown & theirs, (caller, path)
            # Executed ones only: pending transfers and payments are not listed.
            assert shown & mine, (caller, path)
        cards = await world.client.get(f"{P}/cards", headers=auth(world.tokens[caller]))
        other_card = CARD_SOCIO2 if owner == "socio2" else CARD_DEMO_VISA
        assert other_card not in {card["id"] for card in cards.json()}
