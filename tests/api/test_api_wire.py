"""The wire, from outside (issue 13 B3, B4, B5, B7, B8): a real ``sjvirtual-mock-server``
process on a loopback port, spoken to with raw bytes the way each defect was found.

- B3: a lone surrogate escaped in a JSON string, raw bytes that are not UTF-8 (body, query,
  header, path) were 500s or silently replaced: each is a 422 naming the field, in the
  request's language, and nothing is stored;
- B4: ``true``, ``"100"``, ``1e2``, ``100.0`` as an amount were taken as 1 or 100 cents: a 422
  on the field, for every integer a client sends (body ids, query, path);
- B5: two ``Idempotency-Key`` headers were accepted: a 400, nothing executed;
- B7: a teller's session on the accounts got ``200 []``: every socio route is a 403 for it;
- B8: ``Allow`` named one route's methods; ``DELETE /beneficiaries/lookup`` reached the
  DELETE of ``/beneficiaries/{id}``.
"""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mock_server import create_app
from sjvirtual_tui.models import API_PREFIX
from tests.conftest import CHEAP_HASHER, SeededDatabases
from tests.loopback import ServerProcess, count, login

P = API_PREFIX
DEMO_VISTA = "00104721"
DEMO_PERSONAL = "00204722"
# Every state table a refused request must leave alone.
TABLES = ("transfers", "payments", "challenges", "beneficiaries", "idempotency", "registrations")


@pytest.fixture(scope="module")
def server(engine: str, seeded_databases: SeededDatabases) -> Iterator[Any]:
    db = seeded_databases.new(engine)
    with ServerProcess(db) as process:
        yield process
    seeded_databases.drop(db)


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def member(client: httpx.Client) -> dict[str, str]:
    return login(client, "demo", "Demo2026")


@pytest.fixture(scope="module")
def teller(client: httpx.Client) -> dict[str, str]:
    return login(client, "cajero", "Cajero2026")


def raw_request(
    server: ServerProcess,
    method: str,
    target: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
) -> tuple[int, dict[str, str], Any]:
    """One request written byte for byte (http.client would refuse some of these headers)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + parts.netloc.encode()]
        lines += [name + b": " + value for name, value in headers]
        lines.append(b"Content-Length: " + str(len(body)).encode())
        conn.connect()
        assert conn.sock is not None
        conn.sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        response = http.client.HTTPResponse(conn.sock, method=method)
        response.begin()
        content = response.read()
        answer = {name.lower(): value for name, value in response.getheaders()}
        return response.status, answer, json.loads(content) if content else None
    finally:
        conn.close()


def session_headers(
    token_headers: dict[str, str], *, lang: str = "es"
) -> list[tuple[bytes, bytes]]:
    return [
        (b"Authorization", token_headers["Authorization"].encode()),
        (b"Idempotency-Key", uuid.uuid4().hex.encode()),
        (b"Content-Type", b"application/json"),
        (b"Accept-Language", lang.encode()),
    ]


def propias(description: bytes = b'"ahorro"', amount: bytes = b"100") -> bytes:
    return (
        b'{"kind": "propias", "from_account": "' + DEMO_VISTA.encode() + b'", '
        b'"to_account": "' + DEMO_PERSONAL.encode() + b'", '
        b'"amount_cents": ' + amount + b', "description": ' + description + b"}"
    )


def state(server: ServerProcess) -> dict[str, int]:
    return {table: count(server.db_path, f"SELECT COUNT(*) FROM {table}") for table in TABLES}


# --- B3: text that is not Unicode ----------------------------------------------------------------

# (path, body, the field named): a lone surrogate escaped, or raw bytes that are not UTF-8, in
# a string of each kind of request (public, a session's, PIN-confirmed, onboarding...).
BODIES = [
    pytest.param(f"{P}/auth/challenge", b'{"username": "demo\\ud800"}', "username", id="challenge"),
    pytest.param(
        f"{P}/auth/login", b'{"username": "\\udfff", "password": "x"}', "username", id="login"
    ),
    pytest.param(f"{P}/auth/recovery", b'{"username": "a\xff"}', "username", id="recovery-bytes"),
    pytest.param(
        f"{P}/registrations",
        b'{"kind": "persona", "cedula": "1710034065", "nombres": "Luis\\udc00"}',
        "nombres",
        id="registration",
    ),
    pytest.param(f"{P}/transfers", propias(b'"pago \\ud83d"'), "description", id="transfer"),
    pytest.param(f"{P}/transfers", propias(b'"pago \xc3"'), "description", id="transfer-bytes"),
    pytest.param(
        f"{P}/beneficiaries",
        b'{"kind": "externa", "institution_code": "0010", "account_type": "ahorros", '
        b'"number": "123456", "id_type": "pasaporte", "id_number": "AB12345", '
        b'"name": "Ana \\ud800 Paz"}',
        "name",
        id="beneficiary",
    ),
    pytest.param(
        f"{P}/frequent-services",
        b'{"biller_code": "CNEL_EP", "reference": "1234567890", "alias": "casa\\ud800"}',
        "alias",
        id="frequent",
    ),
    pytest.param(f"{P}/auth/login", b'{"\\ud800": 1, "password": "x"}', "body", id="a-key"),
]


@pytest.mark.parametrize(("path", "body", "field"), BODIES)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_text_that_is_not_unicode_in_a_body_is_a_422_naming_the_field(
    server: ServerProcess, member: dict[str, str], path: str, body: bytes, field: str, lang: str
) -> None:
    before = state(server)
    status, _headers, answer = raw_request(
        server, "POST", path.encode(), session_headers(member, lang=lang), body
    )
    assert status == 422, answer
    assert (answer["code"], answer["field"]) == ("validation_error", field)
    if lang == "es":
        assert "no son texto Unicode válido" in answer["message"]
    else:
        assert "not valid Unicode text" in answer["message"]
    assert state(server) == before


def test_a_surrogate_pair_escaped_is_text(
    server: ServerProcess, member: dict[str, str], client: httpx.Client
) -> None:
    """An emoji written as its two escapes is Unicode: only a lone surrogate is refused."""
    status, _headers, answer = raw_request(
        server,
        "POST",
        f"{P}/transfers".encode(),
        session_headers(member),
        propias(b'"\\ud83d\\ude00"'),
    )
    assert status == 201, answer
    assert answer["transfer"]["description"] == "\N{GRINNING FACE}"


@pytest.mark.parametrize(
    ("target", "headers", "field"),
    [
        pytest.param(f"{P}/transfers?limit=%FF".encode(), [], "limit", id="query-value"),
        pytest.param(f"{P}/transfers?%C3=1".encode(), [], "query", id="query-name"),
        pytest.param(f"{P}/accounts/%ED%A0%80".encode(), [], "path", id="path-surrogate"),
        pytest.param(f"{P}/accounts".encode(), [(b"X-Trace", b"\xff\xfe")], "X-Trace", id="hdr"),
        pytest.param(
            f"{P}/accounts".encode(),
            [(b"Accept-Language", b"es\xc3")],
            "Accept-Language",
            id="lang",
        ),
    ],
)
def test_text_that_is_not_unicode_elsewhere_is_a_422_naming_the_field(
    server: ServerProcess,
    member: dict[str, str],
    target: bytes,
    headers: list[tuple[bytes, bytes]],
    field: str,
) -> None:
    sent = [(b"Authorization", member["Authorization"].encode()), *headers]
    status, _headers, answer = raw_request(server, "GET", target, sent, b"")
    assert status == 422, answer
    assert (answer["code"], answer["field"]) == ("validation_error", field)


def test_raw_bytes_in_the_request_line_never_reach_the_app(
    server: ServerProcess, member: dict[str, str]
) -> None:
    """uvicorn's parser refuses a request line that is not ASCII (its own 400, in plain text):
    no route sees it, so the worst is a 400, never a 500."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.connect()
        assert conn.sock is not None
        conn.sock.sendall(f"GET {P}/accounts/0010".encode() + b"\xff HTTP/1.1\r\nHost: x\r\n\r\n")
        response = http.client.HTTPResponse(conn.sock, method="GET")
        response.begin()
        assert response.status == 400
    finally:
        conn.close()


# --- B4: integers are integers ------------------------------------------------------------------


def refused_amount(server: ServerProcess, member: dict[str, str], amount: bytes) -> Any:
    """A transfer started with ``amount`` as its raw JSON is refused on the amount, and nothing
    changes. Returns the answer."""
    before = state(server)
    status, _headers, answer = raw_request(
        server, "POST", f"{P}/transfers".encode(), session_headers(member), propias(amount=amount)
    )
    assert status == 422, answer
    assert answer["field"] == "amount_cents"
    assert state(server) == before
    return answer


@pytest.mark.parametrize("amount", [b"true", b"false", b'"100"', b"1e2", b"100.0", b"1.5", b"null"])
def test_an_amount_that_is_not_an_integer_is_refused(
    server: ServerProcess, member: dict[str, str], amount: bytes
) -> None:
    answer = refused_amount(server, member, amount)
    assert answer["message"] == "Monto: escriba un número entero."


@pytest.mark.parametrize("amount", [b"0", b"-5", b"100000000001", b"99999999999999999999999"])
def test_an_amount_out_of_range_is_refused(
    server: ServerProcess, member: dict[str, str], amount: bytes
) -> None:
    refused_amount(server, member, amount)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param(
            f"{P}/payments",
            b'{"kind": "tarjeta", "card_id": true, "from_account": "00104721", '
            b'"amount_cents": 100}',
            "card_id",
            id="card_id",
        ),
        pytest.param(
            f"{P}/payments",
            b'{"kind": "servicio", "bill_id": "1", "from_account": "00104721", "amount_cents": 1}',
            "bill_id",
            id="bill_id",
        ),
        pytest.param(
            f"{P}/transfers",
            b'{"kind": "internas", "from_account": "00104721", "beneficiary_id": 1e0, '
            b'"amount_cents": 100, "description": "x"}',
            "beneficiary_id",
            id="beneficiary_id",
        ),
        pytest.param(
            f"{P}/challenges/{'a' * 20}/confirm",
            b'{"pin": "1234", "amount_cents": 1.0, "payee": "x"}',
            "amount_cents",
            id="confirm",
        ),
    ],
)
def test_an_id_that_is_not_an_integer_is_refused(
    server: ServerProcess, member: dict[str, str], path: str, body: bytes, field: str
) -> None:
    before = state(server)
    status, _headers, answer = raw_request(
        server, "POST", path.encode(), session_headers(member), body
    )
    assert status == 422, answer
    assert answer["field"] == field
    assert state(server) == before


@pytest.mark.parametrize("value", ["1e2", "true", "+5", "%205", "1_0", "10.0", "-1", "0"])
def test_an_integer_in_a_query_is_decimal_digits(
    client: httpx.Client, member: dict[str, str], value: str
) -> None:
    for path in (f"{P}/transfers", f"{P}/payments", f"{P}/accounts/{DEMO_VISTA}/movements"):
        response = client.get(f"{path}?limit={value}", headers=member)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["field"] == "limit"
    assert client.get(f"{P}/transfers?limit=007", headers=member).status_code == 200


@pytest.mark.parametrize("value", ["1e2", "+1", "1.0", "true"])
def test_an_id_in_a_path_is_decimal_digits(
    client: httpx.Client, member: dict[str, str], value: str
) -> None:
    response = client.get(f"{P}/transfers/{value}", headers=member)
    assert response.status_code == 404, response.text  # no route has such a path
    assert response.json()["code"] == "not_found"


# --- B5: one Idempotency-Key ----------------------------------------------------------------------


def test_two_idempotency_keys_are_refused_and_nothing_runs(
    server: ServerProcess, member: dict[str, str]
) -> None:
    before = state(server)
    for lang, words in (("es", "envíe una sola"), ("en", "send only one")):
        headers = [
            *session_headers(member, lang=lang),
            (b"Idempotency-Key", uuid.uuid4().hex.encode()),
        ]
        status, _headers, answer = raw_request(
            server, "POST", f"{P}/transfers".encode(), headers, propias()
        )
        assert status == 400, answer
        assert (answer["code"], answer["field"]) == ("duplicate_idempotency_key", "Idempotency-Key")
        assert words in answer["message"]
    # The same key twice is still two headers.
    key = uuid.uuid4().hex.encode()
    headers = [h for h in session_headers(member) if h[0] != b"Idempotency-Key"]
    headers += [(b"Idempotency-Key", key), (b"Idempotency-Key", key)]
    status, _headers, answer = raw_request(
        server, "POST", f"{P}/transfers".encode(), headers, propias()
    )
    assert status == 400, answer
    assert state(server) == before


def test_two_idempotency_keys_on_a_public_route(server: ServerProcess) -> None:
    headers = [
        (b"Content-Type", b"application/json"),
        (b"Idempotency-Key", b"k" * 10),
        (b"Idempotency-Key", b"j" * 10),
    ]
    body = b'{"code": "AAAA-BBBB-CC", "password": "Nueva2026x"}'
    status, _headers, answer = raw_request(
        server, "POST", f"{P}/auth/set-password".encode(), headers, body
    )
    assert status == 400, answer
    assert answer["code"] == "duplicate_idempotency_key"


# --- B7: a teller on the socios' routes -----------------------------------------------------------


def _socio_gets() -> list[str]:
    """Every GET route for socios only, from the app's own dependencies (the authz matrix's
    classification), with its path parameters filled."""
    from tests.api.test_api_authz_matrix import routes_of

    fill = {"number": DEMO_VISTA, "transfer_id": "1", "payment_id": "1", "biller_code": "CNEL_EP"}
    fill["loan_id"] = "1"  # loans (issue 17)
    fill["poliza_id"] = "1"  # pólizas (issue 17)
    scratch = Path(tempfile.mkdtemp(prefix="sjv-wire-"))
    try:
        routes = routes_of(create_app(scratch / "routes.sqlite", hasher=CHEAP_HASHER))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [
        route.path.format(**{name: fill[name] for name in route.params})
        for route in routes
        if route.access == "socio" and route.method == "GET"
    ]


def test_a_teller_is_refused_every_socio_route(
    client: httpx.Client, teller: dict[str, str], member: dict[str, str]
) -> None:
    paths = _socio_gets()
    assert f"{P}/accounts" in paths and f"{P}/accounts/{DEMO_VISTA}/movements" in paths
    params = {"account_type": "ahorro_vista", "number": DEMO_VISTA, "reference": "1234567890"}
    for path in paths:
        response = client.get(path, headers=teller, params=params)
        assert (response.status_code, response.json()["code"]) == (403, "forbidden"), path
    # The same routes answer the member.
    assert client.get(f"{P}/accounts", headers=member).json() != []


# --- B8: 405 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", f"{P}/transfers", "GET, POST"),
        ("DELETE", f"{P}/payments", "GET, POST"),
        ("PATCH", f"{P}/beneficiaries", "GET, POST"),
        ("DELETE", f"{P}/beneficiaries/lookup", "GET"),
        ("POST", f"{P}/beneficiaries/lookup", "GET"),
        ("GET", f"{P}/beneficiaries/7", "DELETE"),
        ("PUT", f"{P}/frequent-services", "GET, POST"),
    ],
)
def test_405_names_every_method_of_the_path(
    client: httpx.Client, member: dict[str, str], method: str, path: str, allow: str
) -> None:
    response = client.request(method, path, headers=member)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert response.json()["code"] == "method_not_allowed"
