"""What schemathesis found in the server (tests/api/test_api_fuzz.py), each pinned by a plain test.

- An id in a body larger than SQLite's integers (``beneficiary_id``, ``bill_id``, ``card_id``,
  ``question_id``) passed the model and overflowed in the store: a 500. Ids are now 1..2^62,
  like the path ids, and anything else is a 422 on the field.
- A JSON body that is not UTF-8, or nested deeper than the parser goes, was FastAPI's 400
  ("There was an error parsing the body", in English, not an ErrorBody of the documented
  codes): now the 422 ``validation_error`` on ``body`` of any malformed JSON body.
- ``date_from`` / ``date_to`` took a number as a Unix time (``date_to=0`` was 1970-01-01):
  only ``YYYY-MM-DD`` is a day, as the OpenAPI document (``format: date``) says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from sjvirtual_tui.models import API_PREFIX, MAX_ID
from tests.api import (
    ACCOUNTS,
    DEMO_VISTA,
    LOGIN,
    PAYMENTS,
    SETUP,
    SETUP_BODY,
    TRANSFERS,
    auth,
    card_body,
    counts,
    keyed,
    service_body,
)

TOO_BIG = 2**70  # no SQLite integer holds it


def _internas(beneficiary_id: int) -> dict[str, Any]:
    return {
        "kind": "internas",
        "from_account": DEMO_VISTA,
        "beneficiary_id": beneficiary_id,
        "amount_cents": 100,
        "description": "Prueba",
    }


ID_BODIES = [
    pytest.param(TRANSFERS, _internas, "beneficiary_id", id="transfer-beneficiary"),
    pytest.param(
        PAYMENTS, lambda value: service_body(value, 100, DEMO_VISTA), "bill_id", id="bill"
    ),
    pytest.param(PAYMENTS, lambda value: card_body(value, 100, DEMO_VISTA), "card_id", id="card"),
    pytest.param(SETUP, lambda value: {**SETUP_BODY, "question_id": value}, "question_id", id="q"),
]


@pytest.mark.parametrize(("path", "body", "field"), ID_BODIES)
async def test_an_id_out_of_range_is_a_422_on_its_field(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, path: str, body: Any, field: str
) -> None:
    before = counts(seeded_db, "transfers", "payments", "challenges", "idempotency")
    for value in (TOO_BIG, -TOO_BIG, MAX_ID + 1, 0, -1):
        response = await demo_client.post(path, json=body(value), headers=keyed(demo))
        assert response.status_code == 422, (value, response.text)
        assert response.json()["code"] == "validation_error"
        assert response.json()["field"] == field
    assert counts(seeded_db, "transfers", "payments", "challenges", "idempotency") == before


async def test_the_largest_id_is_only_unknown(demo_client: httpx.AsyncClient, demo: str) -> None:
    response = await demo_client.post(
        PAYMENTS, json=service_body(MAX_ID, 100, DEMO_VISTA), headers=keyed(demo)
    )
    assert response.status_code == 404, response.text
    assert response.json()["field"] == "bill_id"


# (A JSON body that is not UTF-8 inside a string names that field: tests/api/test_api_wire.py.)
UNREADABLE_BODIES = (
    b"\xa9\x1b" * 5,  # what the fuzzer sent
    b"[" * 100_000 + b"]" * 100_000,  # nested deeper than the parser goes
)


@pytest.mark.parametrize(
    ("path", "lang", "message"),
    [
        (LOGIN, "es", "Solicitud: el cuerpo de la solicitud no es un JSON válido."),
        (TRANSFERS, "en", "Request: the request body is not valid JSON."),
        (f"{API_PREFIX}/registrations", "es", "Solicitud: el cuerpo"),
    ],
)
async def test_an_unreadable_json_body_is_a_422_on_the_body(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, path: str, lang: str, message: str
) -> None:
    before = counts(seeded_db, "transfers", "registrations", "idempotency", "login_failures")
    headers = {**keyed(demo), "Content-Type": "application/json", "Accept-Language": lang}
    for content in UNREADABLE_BODIES:
        response = await demo_client.post(path, content=content, headers=headers)
        assert response.status_code == 422, (content[:20], response.text)
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert (body["code"], body["field"]) == ("validation_error", "body")
        assert body["message"].startswith(message)
    assert (
        counts(seeded_db, "transfers", "registrations", "idempotency", "login_failures") == before
    )


async def test_a_statement_day_is_only_yyyy_mm_dd(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    for name, label in (("date_from", "Fecha desde"), ("date_to", "Fecha hasta")):
        for value in ("0", "1764000000", "20261125", "2026-11-25T00:00:00", "2026-13-01", ""):
            response = await demo_client.get(
                f"{ACCOUNTS}/{DEMO_VISTA}/movements", params={name: value}, headers=auth(demo)
            )
            assert response.status_code == 422, (name, value, response.text)
            assert response.json() == {
                "code": "validation_error",
                "message": f"{label}: escriba la fecha como AAAA-MM-DD.",
                "field": name,
            }


async def test_a_statement_day_as_yyyy_mm_dd_still_works(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    response = await demo_client.get(
        f"{ACCOUNTS}/{DEMO_VISTA}/movements",
        params={"date_from": "2026-11-01", "date_to": "2026-11-25", "limit": 1},
        headers=auth(demo),
    )
    assert response.status_code == 200, response.text
    assert (response.json()["date_from"], response.json()["date_to"]) == (
        "2026-11-01",
        "2026-11-25",
    )
