"""REGISTRO DE SOCIOS: what a request stores, and every reason it is refused (storing nothing)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api import (
    DEMO_CEDULA,
    LUIS,
    REGISTRATIONS,
    STAFF,
    STATE_TABLES,
    TEXTILES,
    auth,
    counts,
    keyed,
    register,
    registration_id,
    rows,
)
from tests.conftest import CLOCK_START

ACCOUNT_MISMATCH = (
    "No encontramos una cuenta con ese número a nombre de esa identificación. Revise el número "
    "como aparece en su cartola y la identificación."
)


def _stored(db: Path, reference: str) -> tuple[Any, ...]:
    return rows(
        db,
        "SELECT kind, identification, username, status, request_json, created_at, decided_at "
        "FROM registrations WHERE reference = ?",
        reference,
    )[0]


@pytest.mark.parametrize(
    ("payload", "identification"),
    [(LUIS, "1710034065"), (TEXTILES, "1792060346001")],
    ids=["persona", "empresa"],
)
async def test_a_request_is_stored_pending_with_its_receipt(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    teller_token: str,
    payload: dict[str, Any],
    identification: str,
) -> None:
    before = counts(seeded_db, "registrations", "members", "outbox")
    response = await demo_client.post(REGISTRATIONS, json=payload, headers=keyed())
    assert response.status_code == 201
    receipt = response.json()
    # The seed already holds SOL-000001 (Gabriela's pending request).
    assert receipt == {
        "reference": "SOL-000002",
        "status": "pendiente",
        "created_at": receipt["created_at"],
    }
    assert datetime.fromisoformat(receipt["created_at"]) == CLOCK_START

    kind, stored_id, username, status, request_json, created_at, decided_at = _stored(
        seeded_db, "SOL-000002"
    )
    assert (kind, stored_id, username, status) == (
        payload["kind"],
        identification,
        payload["usuario"],
        "pendiente",
    )
    assert json.loads(request_json) == payload
    assert datetime.fromisoformat(created_at) == CLOCK_START and decided_at is None
    # A request creates no user and sends no e-mail: that waits for the teller.
    after = counts(seeded_db, "registrations", "members", "outbox")
    assert after == {**before, "registrations": before["registrations"] + 1}

    # The teller sees exactly what was sent.
    queued = await demo_client.get(
        f"{STAFF}/registrations/{registration_id(seeded_db, 'SOL-000002')}",
        headers=auth(teller_token),
    )
    assert queued.json()["request"] == payload
    assert queued.json()["status"] == "pendiente"


async def test_the_account_number_may_omit_its_leading_zeros(
    demo_client: httpx.AsyncClient,
) -> None:
    assert (await register(demo_client, {**LUIS, "cuenta": "107777"}))["status"] == "pendiente"


def _persona(**changes: Any) -> dict[str, Any]:
    return {**LUIS, **changes}


def _empresa(**changes: Any) -> dict[str, Any]:
    return {**TEXTILES, **changes}


async def refused(
    client: httpx.AsyncClient,
    db: Path,
    payload: dict[str, Any],
    status: int,
    code: str,
    field: str,
    says: str,
) -> dict[str, Any]:
    """The registration ``payload`` is refused with ``status`` and ``code``, its message names
    ``field`` and says ``says``, and nothing is stored. Returns the answer's body."""
    before = counts(db, *STATE_TABLES)
    response = await client.post(REGISTRATIONS, json=payload, headers=keyed())
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["field"] == field
    assert says in body["message"]
    assert counts(db, *STATE_TABLES) == before
    return body


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        (_persona(cedula="1710034066"), "cedula", "último dígito"),
        (_persona(cedula="17100340"), "cedula", "10 dígitos"),
        (_persona(cedula="9910034065"), "cedula", "no es válida"),  # no such province
        (_empresa(ruc="1792060347001"), "ruc", "RUC no es válido"),  # check digit
        (_empresa(ruc="179206034600"), "ruc", "13 dígitos"),
        (_empresa(representante_cedula="1710034066"), "representante_cedula", "último dígito"),
        (_persona(fecha_nacimiento="2008-11-26"), "fecha_nacimiento", "mayor de 18"),  # 17 today
        (_persona(fecha_nacimiento="2027-01-01"), "fecha_nacimiento", "no puede ser futura"),
        (_persona(fecha_nacimiento="15/03/1985"), "fecha_nacimiento", "AAAA-MM-DD"),
        (_persona(email="luis@"), "email", "correo válido"),
        (_empresa(email="gerencia.textiles.ec"), "email", "correo válido"),
        (_persona(celular="12345"), "celular", "09"),
        (_persona(celular="0891234567"), "celular", "09"),
        (_empresa(telefono="12"), "telefono", "código de área"),
        (_persona(usuario="Luis Y"), "usuario", "minúsculas"),
        (_persona(usuario="lu"), "usuario", "de 4 a 30"),
        (_persona(usuario="1luis"), "usuario", "empiece con una letra"),
        (_persona(nombres="Luis 2"), "nombres", "solo con letras"),
        (_persona(apellidos="Y"), "apellidos", "sus apellidos"),
        (_empresa(representante_nombre="Luis_Yánez"), "representante_nombre", "solo con letras"),
        (_persona(direccion="     "), "direccion", "dirección"),
        (_persona(cuenta="00104721"), "cuenta", ACCOUNT_MISMATCH),  # demo's account
        (_persona(cuenta="00999999"), "cuenta", ACCOUNT_MISMATCH),  # nobody's
        (_persona(cuenta="00108888"), "cuenta", ACCOUNT_MISMATCH),  # Gabriela's
        (_persona(cuenta="99000001"), "cuenta", ACCOUNT_MISMATCH),  # the Caja general
        (_persona(cuenta="00190077"), "cuenta", ACCOUNT_MISMATCH),  # a company's
        (_empresa(cuenta="00107777"), "cuenta", ACCOUNT_MISMATCH),  # a person's
        (_persona(cuenta="0010-7777"), "cuenta", "formato"),
        ({k: v for k, v in LUIS.items() if k != "celular"}, "celular", "falta"),
        (_persona(kind="sociedad"), "kind", "persona o empresa"),
        (_persona(extra="dato"), "extra", "no se esperaba"),
    ],
)
async def test_each_refusal_names_its_field_and_stores_nothing(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    payload: dict[str, Any],
    field: str,
    says: str,
) -> None:
    body = await refused(demo_client, seeded_db, payload, 422, "validation_error", field, says)
    assert "Input" not in body["message"] and "String" not in body["message"]


async def test_someone_elses_account_and_no_account_read_the_same(
    demo_client: httpx.AsyncClient,
) -> None:
    answers = [
        await demo_client.post(REGISTRATIONS, json=_persona(cuenta=number), headers=keyed())
        for number in ("00104721", "00999999")
    ]
    assert answers[0].content == answers[1].content


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        # Gabriela's seeded request is pending.
        (
            _persona(
                cedula="0926687856",
                nombres="Gabriela",
                apellidos="Cisneros Mora",
                cuenta="00108888",
                usuario="gcisneros2",
            ),
            "cedula",
            "SOL-000001",
        ),
        (_persona(usuario="gcisneros"), "usuario", "«gcisneros» ya está en uso"),  # pending
        (_persona(usuario="demo"), "usuario", "«demo» ya está en uso"),  # a user
        (_persona(usuario="cajero"), "usuario", "ya está en uso"),  # staff too
        (
            _persona(
                cedula=DEMO_CEDULA,
                nombres="María Fernanda",
                apellidos="Guamán Quispe",
                cuenta="00104721",
                usuario="mfguaman",
            ),
            "cedula",
            "ya tiene un usuario",
        ),
        (
            _empresa(ruc="1791234561001", cuenta="00190001", usuario="andina"),  # "masivo"
            "ruc",
            "ya tiene un usuario",
        ),
    ],
    ids=[
        "pending-identification",
        "pending-username",
        "member-username",
        "staff-username",
        "holder-has-user",
        "company-has-user",
    ],
)
async def test_duplicates_are_refused_with_a_reason(
    demo_client: httpx.AsyncClient,
    seeded_db: Path,
    payload: dict[str, Any],
    field: str,
    says: str,
) -> None:
    await refused(demo_client, seeded_db, payload, 409, "duplicate", field, says)


async def test_an_approved_holder_cannot_ask_again_a_rejected_one_can(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    luis = await register(demo_client, LUIS)
    approved = await demo_client.post(
        f"{STAFF}/registrations/{registration_id(seeded_db, luis['reference'])}/approve",
        headers=keyed(teller_token),
    )
    assert approved.status_code == 200
    again = await demo_client.post(REGISTRATIONS, json=_persona(usuario="lyanez2"), headers=keyed())
    assert again.status_code == 409
    assert again.json()["field"] == "cedula"
    assert "ya tiene un usuario" in again.json()["message"]
    # Gabriela's request is rejected: her identification and username are free again.
    rejected = await demo_client.post(
        f"{STAFF}/registrations/1/reject",
        json={"reason": "La firma no coincide con la registrada."},
        headers=keyed(teller_token),
    )
    assert rejected.status_code == 200
    ((request_json,),) = rows(seeded_db, "SELECT request_json FROM registrations WHERE id = 1")
    gabriela = json.loads(request_json)
    assert (await register(demo_client, gabriela))["reference"] == "SOL-000003"
