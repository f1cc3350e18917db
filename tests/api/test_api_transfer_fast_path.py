"""POST /transfers: the fast path answers exactly what FastAPI's own handling answers.

The route takes the common request (a JSON body that validates, one well-formed key) without
FastAPI's parameter machinery, and leaves every other request to FastAPI. The same sequence of
requests, good and bad, is sent to two servers over copies of one database: one as it runs,
one with the fast path switched off. Every answer, and what each server stored, must be the
same byte for byte.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from mock_server import create_app
from mock_server.api import transfers
from mock_server.api.errors import ApiError
from mock_server.domain.clock import ManualClock
from mock_server.domain.errors import DomainError
from tests.api import DEMO_PERSONAL, DEMO_VISTA, LOGIN, TRANSFERS, auth, rows
from tests.conftest import CHEAP_HASHER, CLOCK_START, SeededDatabases

JSON = {"Content-Type": "application/json"}
PROPIAS = (
    b'{"kind": "propias", "from_account": "'
    + DEMO_PERSONAL.encode()
    + b'", "to_account": "'
    + DEMO_VISTA.encode()
    + b'", "amount_cents": 1000, "description": "Ahorro"}'
)
# What each server stored, compared at the end.
STORED = (
    "SELECT * FROM transfers ORDER BY id",
    "SELECT * FROM journal ORDER BY id DESC LIMIT 20",
    "SELECT * FROM movements ORDER BY id DESC LIMIT 40",
    "SELECT to_address, subject, body, created_at FROM outbox ORDER BY id",
    "SELECT scope, key, method, path, request_hash, status_code, response_body FROM idempotency "
    "ORDER BY scope, key",
    "SELECT number, balance_cents FROM accounts ORDER BY id",
    # (No rowid in PostgreSQL: the rows compared are ordered by all they show.)
    "SELECT last_seen_at, ended_at FROM sessions ORDER BY created_at, last_seen_at, ended_at",
)

Answer = tuple[int, bytes, str | None]


async def _scenario(client: httpx.AsyncClient, clock: ManualClock) -> list[Answer]:
    """A sequence of requests to POST /transfers; the answers (status, body, replay header)."""

    async def login(username: str, password: str) -> str:
        response = await client.post(LOGIN, json={"username": username, "password": password})
        assert response.status_code == 200
        token: str = response.json()["token"]
        return token

    demo = await login("demo", "Demo2026")
    staff = await login("cajero", "Cajero2026")
    answers: list[Answer] = []

    async def post(body: bytes, headers: dict[str, str]) -> None:
        response = await client.post(TRANSFERS, content=body, headers=headers)
        answers.append(
            (response.status_code, response.content, response.headers.get("Idempotency-Replayed"))
        )

    def keyed(token: str | None, key: str | None = "clave-0001", **extra: str) -> dict[str, str]:
        headers = {**JSON, **extra}
        if token is not None:
            headers.update(auth(token))
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    await post(PROPIAS, keyed(demo))  # executed
    await post(PROPIAS, keyed(demo))  # replayed
    await post(PROPIAS.replace(b"1000", b"2000"), keyed(demo))  # the key with another body
    await post(PROPIAS, keyed(None, "clave-0002"))  # no session
    await post(PROPIAS, keyed("no-es-un-token", "clave-0002"))
    await post(PROPIAS, {**keyed(None, "clave-0002"), "Authorization": "Basic abc"})
    await post(PROPIAS, keyed(staff, "clave-0002"))  # staff: 403
    await post(PROPIAS, keyed(demo, None))  # no key
    await post(PROPIAS, keyed(demo, "corta"))  # malformed key
    await post(PROPIAS, keyed(demo, "clave con espacios"))
    await post(PROPIAS, keyed(None, None))  # no key and no session: 401 first
    await post(b'{"kind": "propias",', keyed(demo, "clave-0003"))  # not JSON
    await post(b'{"kind": "propias",', keyed(None, "clave-0003"))  # not JSON, no session
    await post(b"", keyed(demo, "clave-0003"))  # no body
    await post(b"[1, 2]", keyed(demo, "clave-0003"))
    await post(b"\xff\xfe", keyed(demo, "clave-0003"))
    await post(PROPIAS.replace(b"1000", b"0"), keyed(demo, "clave-0003"))  # invalid amount
    await post(PROPIAS.replace(b"1000", b"0"), keyed(demo, None))  # and no key: the key first
    await post(PROPIAS.replace(b"1000", b"0"), keyed(None, None))  # and no session
    await post(PROPIAS.replace(b'"propias"', b'"otra"'), keyed(demo, "clave-0004"))
    await post(PROPIAS, {**keyed(demo, "clave-0005"), "Content-Type": "text/plain"})
    await post(
        PROPIAS, {**keyed(demo, "clave-0006"), "Content-Type": "application/json; charset=utf-8"}
    )
    await post(PROPIAS.replace(b"1000", b"999999999"), keyed(demo, "clave-0007"))  # no funds
    await post(
        PROPIAS.replace(DEMO_VISTA.encode(), DEMO_PERSONAL.encode()), keyed(demo, "clave-0008")
    )
    await post(PROPIAS.replace(b"Ahorro", b"Ahorro\\nextra"), keyed(demo, "clave-0009"))
    await post(PROPIAS, keyed(demo, "clave-0010"))  # executed
    clock.advance(0.5)  # within a second of the last recorded request: the session is only read
    await post(PROPIAS, keyed(demo, "clave-0011"))
    clock.advance(301)  # idle: the session ends
    await post(PROPIAS, keyed(demo, "clave-0012"))
    await post(PROPIAS, keyed(demo, "clave-0012"))
    demo = await login("demo", "Demo2026")
    await post(PROPIAS, keyed(demo, "clave-0013"))
    return answers


async def _run(db: Path, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> list[Answer]:
    taken: list[str] = []
    original: Callable[[Request], Awaitable[Response | None]] = transfers._fast_start

    async def counted(request: Request) -> Response | None:
        if not fast:
            taken.append("declined")
            return None
        try:
            response = await original(request)
        except (ApiError, DomainError):
            taken.append("refused")  # 401 / 403, or the key's mismatch
            raise
        taken.append("declined" if response is None else "answered")
        return response

    monkeypatch.setattr(transfers, "_fast_start", counted)
    clock = ManualClock(CLOCK_START)
    app = create_app(db, clock=clock, hasher=CHEAP_HASHER)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        answers = await _scenario(client, clock)
    if fast:
        # The well-formed requests were the fast path's, refused or not; the others FastAPI's.
        assert taken.count("answered") == 8, taken
        assert taken.count("refused") == 7, taken
    return answers


async def test_the_fast_path_answers_as_fastapi_does(
    engine: str, seeded_databases: SeededDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_db, fastapi_db = seeded_databases.new(engine), seeded_databases.new(engine)

    fast = await _run(fast_db, fast=True, monkeypatch=monkeypatch)
    reference = await _run(fastapi_db, fast=False, monkeypatch=monkeypatch)

    assert len(fast) == len(reference)
    for index, (mine, theirs) in enumerate(zip(fast, reference, strict=True)):
        assert mine == theirs, f"request {index}: {mine!r} != {theirs!r}"
    statuses = [status for status, _body, _replayed in fast]
    assert statuses == [
        *(201, 201, 422, 401, 401, 401, 403),
        *(422, 422, 422, 401, 422, 422, 422, 422, 422, 422, 422, 401, 422, 422),
        *(201, 409, 422, 422, 201, 201, 401, 401, 201),
    ]
    for query in STORED:
        stored: list[tuple[Any, ...]] = rows(fast_db, query)
        assert stored == rows(fastapi_db, query), query
