"""Hooks for schemathesis' CLI run against a real server (``SCHEMATHESIS_HOOKS=tests.fuzz_hooks``).

The same rules as the in-suite run (tests/api/test_api_fuzz.py), over HTTP to ``SJV_FUZZ_URL``:

- a real login of the seeded socio ``demo`` (its token is sent to the operations that declare
  the bearer scheme; the staff operations get a session of the teller ``cajero``, so they are
  fuzzed past their 403); a session ended (401) or a member locked (423) is opened again before the
  next call, a locked ``demo`` first unlocked by the teller through the API;
- ``POST /auth/logout`` gets a session of its own, so the fuzzer's is never the one it ends;
- every well-formed generated ``Idempotency-Key`` is replaced by a fresh one (a repeated key
  with another body is a 422 that would hide the operation);
- a generated login or recovery of ``demo`` or ``cajero`` is sent as an unknown username, so the
  lockout is fuzzed on other names.

Counters are appended to ``SJV_FUZZ_STATS`` (one JSON line per event kind) for the test to read.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any

import httpx
import schemathesis

BASE = os.environ.get("SJV_FUZZ_URL", "http://127.0.0.1:8765")
STATS = os.environ.get("SJV_FUZZ_STATS")
PREFIX = "/api/v1"
MEMBER = ("demo", "Demo2026")
TELLER = ("cajero", "Cajero2026")
LOCKOUT_DECOY = "fuzz.visitante"
COUNTED_FAILURES = frozenset({f"{PREFIX}/auth/login", f"{PREFIX}/auth/recovery/complete"})
KEY_HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")

_token: list[str] = []
_teller: list[str] = []


def _note(kind: str) -> None:
    if STATS:
        with open(STATS, "a", encoding="utf-8") as out:
            out.write(json.dumps({"event": kind}) + "\n")


def _login(username: str, password: str) -> httpx.Response:
    _note("login")
    return httpx.post(
        f"{BASE}{PREFIX}/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )


def open_session() -> str:
    response = _login(*MEMBER)
    if response.status_code == 423:
        teller = _login(*TELLER).json()["token"]
        unlocked = httpx.post(
            f"{BASE}{PREFIX}/staff/members/{MEMBER[0]}/unlock",
            headers={"Authorization": f"Bearer {teller}", KEY_HEADER: uuid.uuid4().hex},
            timeout=30,
        )
        assert unlocked.status_code == 204, unlocked.text
        _note("unlock")
        response = _login(*MEMBER)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _secured(case: Any) -> bool:
    return bool(case.operation.definition.raw.get("security"))


@schemathesis.auth(refresh_interval=None, retry_on=[])
class MemberSession:
    def get(self, case: Any, context: Any) -> str | None:
        if not _secured(case):
            return None
        if case.operation.path == f"{PREFIX}/auth/logout":
            return open_session()
        if case.operation.path.startswith(f"{PREFIX}/staff/"):
            if not _teller:
                _teller.append(_login(*TELLER).json()["token"])
            return _teller[0]
        if not _token:
            _token.append(open_session())
        return _token[0]

    def set(self, case: Any, data: str | None, context: Any) -> None:
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers
    if isinstance(headers, dict):
        key = headers.get(KEY_HEADER)
        if isinstance(key, str) and _KEY.fullmatch(key):
            headers[KEY_HEADER] = uuid.uuid4().hex
            _note("fresh_key")
    body = case.body
    if case.operation.path in COUNTED_FAILURES and isinstance(body, dict):
        username = body.get("username")
        if isinstance(username, str) and username.strip().lower() in {MEMBER[0], TELLER[0]}:
            body["username"] = LOCKOUT_DECOY


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    _note("request")
    sent = response.request.headers.get("Authorization")
    if _token and sent == f"Bearer {_token[0]}" and response.status_code in (401, 423):
        _token.clear()  # ended, or its member locked: a new session for the next call
    if _teller and sent == f"Bearer {_teller[0]}" and response.status_code == 401:
        _teller.clear()
