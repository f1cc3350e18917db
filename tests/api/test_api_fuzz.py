"""Schemathesis against the bundled server's own OpenAPI document (issue 7).

The server is fuzzed in-process (``schemathesis.openapi.from_asgi``) the way the CLI would run
it: schemathesis' engine with its examples, coverage, fuzzing and stateful phases, and only the
checks below, which must all pass. Bounded for CI by a fixed seed and a small example count;
``make fuzz`` runs the same test with many more examples (``SJV_FUZZ_EXAMPLES``).

The fuzzer is a member session (the seeded socio ``demo``), opened through the API:

- the token is sent only to the operations that declare the bearer scheme (``ignored_auth``
  then checks that each of them refuses a request without it, or with a made-up one);
- ``POST /auth/logout`` gets a session of its own, opened for that call, so the fuzzer's
  session is never the one a logout ends; a session ended anyway (an answer 401 to a request
  that carried it, or 423: five operations cancelled by wrong PINs lock the member and end its
  sessions) is opened again before the next call, a locked ``demo`` first unlocked by the
  teller through the API (counted: ``unlocks`` in the summary);
- every state-changing call gets a fresh ``Idempotency-Key`` (a uuid) in place of the
  generated one when that one is well formed: generated keys repeat (hypothesis likes
  ``00000000``), and a repeat with another body is a 422 ``idempotency_mismatch`` that would
  hide the operation. A malformed generated key is kept: its 422 is what the negative cases
  test. Replays are tested on purpose instead: each 2xx answer to a keyed request is sent again
  with the same key and must come back the same, byte for byte, marked as replayed;
- 5 failed logins lock a username, for good until a teller unlocks it. The fuzzer never logs
  in (or completes a recovery) as one of the harness' users: such a username in a generated
  body is replaced by one no seeded user has (``LOCKOUT_DECOY``), so the lockout is fuzzed on
  other names and ``demo`` is never locked by it (asserted: no login failure is recorded for
  ``demo`` or ``cajero``).

PIN-confirmed operations cannot be completed by a fuzzer (it never reads the e-mailed PIN): they
are started, and their confirmation answers 4xx (wrong PIN, unknown challenge...), never 5xx.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import engine
from schemathesis.engine import StopReason, events
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.python import asgi

from mock_server.api.idempotency import KEY_HEADER, KEY_PATTERN, REPLAYED_HEADER
from mock_server.domain.security import normalise_username
from sjvirtual_tui.models import API_PREFIX
from tests.database import connect

# Bounded for CI; `make fuzz` raises it. Fuzzing examples per operation (the coverage phase's
# cases are derived from the schema and do not depend on it).
FUZZ_EXAMPLES = int(os.environ.get("SJV_FUZZ_EXAMPLES", "20"))
SEED = int(os.environ.get("SJV_FUZZ_SEED", "20261125"))
# Calls in one stateful scenario (a chain of linked operations: a start and its confirmation...).
STATEFUL_STEPS = int(os.environ.get("SJV_FUZZ_STATEFUL_STEPS", "10"))

# Every check schemathesis has (issue 13: not 7 chosen ones). positive_data_acceptance
# accepts, besides its defaults, the business refusals of data the schema cannot judge: a
# cédula's or a card's check digit, a wrong e-mailed code or secret answer, a limit (422), a
# locked username (423). Each is an ErrorBody documented for its operation.
BUSINESS_REFUSALS = ["2xx", "3xx", "401", "403", "404", "409", "422", "423", "429", "5xx"]
PHASES = ("examples", "coverage", "fuzzing", "stateful")

MEMBER = ("demo", "Demo2026")
TELLER = ("cajero", "Cajero2026")
# What a generated login of a harness user is sent as instead: no seeded user has this name.
LOCKOUT_DECOY = "fuzz.visitante"
# Operations whose failures count towards the lock of the username in their body.
COUNTED_FAILURES = frozenset(
    f"{API_PREFIX}/auth/{name}" for name in ("login", "recovery/verify", "recovery/complete")
)
LOGOUT = f"{API_PREFIX}/auth/logout"
_KEY = re.compile(KEY_PATTERN)


def fuzz_config(examples: int = FUZZ_EXAMPLES) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Hypothesis' check that generating an example is quick: on a busy 2-core CI machine
            # it fails for the machine, not for the API.
            "suppress-health-check": ["too_slow"],
            # Every failure, not only the first one of each operation.
            "continue-on-failure": True,
            # No example database: a run does not depend on the ones before it.
            "generation": {"max-examples": examples, "database": "none"},
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"expected-statuses": BUSINESS_REFUSALS},
            },
            "phases": {
                **{name: {"enabled": True} for name in PHASES},
                "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
            },
        }
    )


@dataclass
class Harness:
    """The member session the fuzzer calls with, and what the hooks saw."""

    app: FastAPI
    client: Any = field(init=False)
    token: str | None = None
    logins: int = 0
    unlocks: int = 0
    steered: int = 0
    keys_replaced: int = 0
    replays: int = 0
    replay_problems: list[str] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        # The same in-process transport as the fuzzer's (requests over the ASGI app).
        self.client = asgi.get_client(self.app)

    def url(self, path: str) -> str:
        return f"http://{asgi.HOST}{path}"

    def _login(self, username: str, password: str) -> Any:
        self.logins += 1
        return self.client.post(
            self.url(f"{API_PREFIX}/auth/login"), json={"username": username, "password": password}
        )

    def open_session(self) -> str:
        """A new session of ``demo``; a locked ``demo`` is first unlocked by the teller."""
        response = self._login(*MEMBER)
        if response.status_code == 423:
            self._unlock(MEMBER[0])
            response = self._login(*MEMBER)
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def _unlock(self, username: str) -> None:
        teller = self._login(*TELLER)
        assert teller.status_code == 200, teller.text
        response = self.client.post(
            self.url(f"{API_PREFIX}/staff/members/{username}/unlock"),
            headers={
                "Authorization": f"Bearer {teller.json()['token']}",
                KEY_HEADER: uuid.uuid4().hex,
            },
        )
        assert response.status_code == 204, response.text
        self.unlocks += 1

    def member_token(self) -> str:
        if self.token is None:
            self.token = self.open_session()
        return self.token

    # --- hooks -------------------------------------------------------------------------------

    def before_call(self, case: Any) -> None:
        self.calls[case.operation.label] += 1
        headers = case.headers
        if isinstance(headers, dict):
            key = headers.get(KEY_HEADER)
            if isinstance(key, str) and _KEY.fullmatch(key):
                headers[KEY_HEADER] = uuid.uuid4().hex
                self.keys_replaced += 1
        body = case.body
        if case.operation.path in COUNTED_FAILURES and isinstance(body, dict):
            username = body.get("username")
            harness_users = {MEMBER[0], TELLER[0]}
            if isinstance(username, str) and normalise_username(username) in harness_users:
                body["username"] = LOCKOUT_DECOY
                self.steered += 1

    def after_call(self, case: Any, response: Any) -> None:
        request = response.request
        sent = request.headers.get("Authorization")
        if (
            self.token is not None
            and sent == f"Bearer {self.token}"
            and response.status_code in (401, 423)
        ):
            self.token = None  # ended (or its member locked): a new one for the next call
        key = request.headers.get(KEY_HEADER)
        if key and 200 <= response.status_code < 300 and _KEY.fullmatch(key):
            self._replay(request, response)

    def _replay(self, request: Any, response: Any) -> None:
        """A 2xx answer to a keyed request comes back again, the same, for the same request."""
        self.replays += 1
        again = self.client.request(
            request.method, request.url, data=request.body, headers=dict(request.headers)
        )
        label = f"{request.method} {request.path_url}"
        if again.status_code != response.status_code or again.content != response.content:
            self.replay_problems.append(
                f"{label}: {response.status_code} {response.content!r} then "
                f"{again.status_code} {again.content!r}"
            )
        elif again.headers.get(REPLAYED_HEADER) != "true":
            self.replay_problems.append(f"{label}: the replay is not marked {REPLAYED_HEADER}")


@dataclass
class Report:
    operations: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop_reason: StopReason | None = None
    seconds: float = 0.0
    links: int = 0  # transitions between operations the stateful phase followed


def _secured_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    }


@pytest.fixture
def harness(demo_app: FastAPI) -> Iterator[Harness]:
    harness = Harness(demo_app)

    def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
        harness.before_call(case)

    # before_call is a global hook in schemathesis: registered for this test only.
    schemathesis.hook(before_call)
    try:
        yield harness
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
        # Ends the app's lifespan (its pooled connections) that the ASGI transport started.
        asgi.shutdown_lifespans()


def run_schemathesis(app: FastAPI, harness: Harness, examples: int = FUZZ_EXAMPLES) -> Report:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=fuzz_config(examples))
    secured = _secured_routes(app)

    # No caching and no re-login on 401 by schemathesis: the harness keeps the session.
    @schema.auth(refresh_interval=None, retry_on=[])
    class MemberSession:
        def get(self, case: Any, context: Any) -> str | None:
            operation = case.operation
            if (operation.method.upper(), operation.path) not in secured:
                return None
            if operation.path == LOGOUT:
                return harness.open_session()  # a logout ends a session of its own
            return harness.member_token()

        def set(self, case: Any, data: str | None, context: Any) -> None:
            if data is not None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        harness.after_call(case, response)

    report = Report(operations=sum(1 for _ in schema.get_all_operations()))
    started = time.monotonic()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            report.requests[event.phase.value] += len(event.recorder.interactions)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    info = node.failure_info
                    if info is not None:
                        failure = info.failure
                        report.failures.append(
                            f"[{event.phase.value}] {failure.operation}: {failure.title}\n"
                            f"{failure.message}\n{info.code_sample}"
                        )
        elif isinstance(event, events.PhaseStarted) and event.payload is not None:
            report.links = event.payload.transitions_selected
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"[{event.phase}] {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = event.stop_reason
    report.seconds = time.monotonic() - started
    return report


def _login_failures(db: Path, *usernames: str) -> list[tuple[Any, ...]]:
    conn = connect(db)
    try:
        marks = ", ".join("?" for _ in usernames)
        return conn.execute(
            f"SELECT username, count FROM login_failures WHERE username IN ({marks})", usernames
        ).fetchall()
    finally:
        conn.close()


def test_schemathesis_finds_nothing(
    demo_app: FastAPI, harness: Harness, seeded_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run_schemathesis(demo_app, harness)

    summary = (
        f"schemathesis: {report.operations} operations, seed {SEED}, "
        f"{FUZZ_EXAMPLES} fuzzing examples per operation, "
        + ", ".join(f"{phase} {report.requests[phase]}" for phase in PHASES)
        + f" requests ({sum(report.requests.values())} in all) in {report.seconds:.0f} s; "
        f"{report.links} links between operations; "
        f"{harness.keys_replaced} fresh {KEY_HEADER}s, {harness.replays} replays checked, "
        f"{harness.steered} logins steered off the "
        f"harness users, {harness.logins} harness logins, {harness.unlocks} unlocks"
    )
    with capsys.disabled():
        print(f"\n{summary}")

    unique: dict[str, str] = {}
    for failure in report.failures:
        unique.setdefault(failure.split("\n", 1)[0], failure)
    assert not unique, f"{len(report.failures)} failures:\n\n" + "\n\n".join(unique.values())
    assert not report.errors, "\n".join(report.errors)
    assert not harness.replay_problems, "\n".join(harness.replay_problems)
    assert report.stop_reason is StopReason.COMPLETED
    for phase in PHASES:
        assert report.requests[phase] > 0, f"the {phase} phase sent nothing: {summary}"
    assert report.links > 0
    # Every operation of the document was called by the fuzzer.
    assert len(harness.calls) == report.operations, sorted(harness.calls)
    # The fuzzer never failed a login of the harness users (the lockout was fuzzed elsewhere).
    assert _login_failures(seeded_db, MEMBER[0], TELLER[0]) == []


# --- what the document declares (no fuzzing: a quick look at app.openapi()) ---------------------

# State-changing operations that carry no Idempotency-Key (docs/api.md: Idempotency).
UNKEYED = frozenset(
    ("POST", f"{API_PREFIX}/auth/{name}")
    for name in ("challenge", "login", "logout", "recovery", "recovery/verify")
)
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _request_integers(
    document: dict[str, Any], schema: Any, where: str, seen: set[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every integer a client can send inside ``schema``."""
    if isinstance(schema, list):
        for item in schema:
            yield from _request_integers(document, item, where, seen)
        return
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen.add(schema["$ref"])
        yield from _request_integers(document, _resolve(document, schema), where, seen)
        return
    if schema.get("type") == "integer":
        yield where, schema
    for name, value in schema.get("properties", {}).items():
        yield from _request_integers(document, value, f"{where}.{name}", seen)
    for key in ("anyOf", "oneOf", "allOf", "items"):
        if key in schema:
            yield from _request_integers(document, schema[key], where, seen)


def test_the_document_declares_what_the_server_does(demo_app: FastAPI) -> None:
    document = demo_app.openapi()
    problems: list[str] = []
    for method, path, operation in _operations(document):
        label = f"{method} {path}"
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        keys = [p for p in parameters if p["in"] == "header" and p["name"] == KEY_HEADER]
        if method in {"POST", "DELETE"} and (method, path) not in UNKEYED:
            if not (keys and keys[0]["required"] and keys[0]["schema"]["pattern"] == KEY_PATTERN):
                problems.append(f"{label}: no required {KEY_HEADER} header")
        elif keys:
            problems.append(f"{label}: an {KEY_HEADER} it does not need")
        if operation.get("security") and "401" not in responses:
            problems.append(f"{label}: a session's route without its 401")
        if (parameters or "requestBody" in operation) and "422" not in responses:
            problems.append(f"{label}: takes input but declares no 422")
        for status, response in responses.items():
            content = response.get("content")
            if status == "204" and content:
                problems.append(f"{label}: a 204 with a body")
            if status.startswith(("4", "5")) and (
                content is None or content["application/json"]["schema"] != ERROR_BODY
            ):
                problems.append(f"{label}: its {status} is not an ErrorBody")
        sent: list[tuple[str, Any]] = [(f"{p['in']} {p['name']}", p["schema"]) for p in parameters]
        if "requestBody" in operation:
            sent.append(("body", operation["requestBody"]["content"]["application/json"]["schema"]))
        for where, schema in sent:
            for name, integer in _request_integers(document, schema, where, set()):
                if "minimum" not in integer or "maximum" not in integer:
                    problems.append(f"{label}: {name} is an unbounded integer")
    assert problems == []


def test_every_amount_is_bounded_integer_cents(demo_app: FastAPI) -> None:
    document = demo_app.openapi()
    amounts = 0
    for name, schema in document["components"]["schemas"].items():
        for field_name, prop in schema.get("properties", {}).items():
            if not field_name.endswith("_cents"):
                continue
            amounts += 1
            variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
            assert len(variants) == 1, (name, field_name)
            (amount,) = variants
            assert amount["type"] == "integer", (name, field_name)
            assert {"minimum", "maximum"} <= amount.keys(), (name, field_name)
    assert amounts >= 20


# --- every status a route answers is in the document (issue 13 B8) ------------------------------


def test_the_statuses_come_from_the_code(demo_app: FastAPI) -> None:
    """The document's statuses are derived from each route's code (mock_server.api.statuses): the
    ones the domain raises deep down are there, with the HTTP layer's own."""
    document = demo_app.openapi()
    expected = {
        ("post", f"{API_PREFIX}/challenges/{{challenge_id}}/confirm"): {
            "400",
            "401",
            "403",
            "404",
            "409",
            "422",
            "423",
            "500",
        },
        ("post", f"{API_PREFIX}/transfers"): {"400", "401", "403", "404", "409", "422", "500"},
        ("post", f"{API_PREFIX}/auth/login"): {"401", "422", "423", "500"},
        ("get", f"{API_PREFIX}/accounts"): {"401", "403", "422", "500"},
        ("delete", f"{API_PREFIX}/beneficiaries/{{beneficiary_id}}"): {
            "400",
            "401",
            "403",
            "404",
            "422",
            "500",
        },
        ("get", "/health"): {"422", "500"},
    }
    for (method, path), statuses in expected.items():
        documented = set(document["paths"][path][method]["responses"])
        assert statuses <= documented, (method, path, statuses - documented)
    # Every state-changing operation with a key can answer 400 (two keys).
    for method, path, operation in _operations(document):
        names = [p["name"] for p in operation.get("parameters", [])]
        if KEY_HEADER in names:
            assert "400" in operation["responses"], (method, path)


def test_a_new_error_cannot_be_forgotten() -> None:
    """A status raised anywhere a route's code reaches (a helper of another module, a closure,
    a method called on an object) is found without being declared."""
    from http import HTTPStatus

    from fastapi import APIRouter
    from starlette import status

    from mock_server.api.errors import ApiError
    from mock_server.api.idempotency import Idempotency, Outcome
    from mock_server.api.statuses import route_statuses
    from mock_server.domain import lockout

    router = APIRouter()

    @router.post("/x/{item:int}")
    def endpoint(item: int, idem: Idempotency) -> object:
        def effect() -> Outcome:
            if item == 1:
                raise ApiError(429, "too_many", "slow down")
            if item == 2:
                raise ApiError(status.HTTP_413_CONTENT_TOO_LARGE, "big", "too big")
            if item == 3:
                raise ApiError(HTTPStatus.GONE, "gone", "gone")
            raise lockout.locked_error()

        return idem.run(None, effect)  # type: ignore[arg-type]

    (route,) = router.routes
    found = route_statuses(route)
    # 429, 413 and 410 in the closure (a literal, a module's constant, an enum's), 423 in
    # lockout, 422 of idempotency's mismatch (Idempotency.run -> _replay), 404 for a path id
    # that is not a number, 500.
    assert {404, 410, 413, 422, 423, 429, 500} <= found, found
