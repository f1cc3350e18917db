"""Productos de terceros (REGISTRO DE CUENTAS): institutions, lookup, AGREGAR with PIN, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api import (
    BENEFICIARIES,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_PICHINCHA,
    DEMO_TO_SOCIO2,
    INSTITUTIONS,
    LOOKUP,
    SOCIO2_TO_DEMO,
    TEXTILES_GUAYAQUIL,
    TRANSFERS,
    add_beneficiary,
    assert_replayed,
    auth,
    confirm,
    keyed,
    latest_pin,
    ledger_problems_of,
    mails,
    money_state,
    pins,
    rows,
    start_beneficiary,
    transfer_to,
    transfer_with_pin,
)
from tests.database import connect

# Luis Yánez is a socio without a S.J. Virtual user: anyone may register his account.
LUIS_INTERNA: dict[str, Any] = {
    "kind": "interna",
    "account_type": "ahorro_vista",
    "number": "00107777",
}


async def test_institutions_are_the_seeded_list_by_name(
    demo_client: httpx.AsyncClient, demo: str
) -> None:
    response = await demo_client.get(INSTITUTIONS, headers=auth(demo))
    assert response.status_code == 200
    institutions = response.json()
    names = [i["name"] for i in institutions]
    assert names == sorted(names)
    by_name = {i["name"]: (i["code"], i["kind"]) for i in institutions}
    assert by_name["Banco Pichincha"] == ("0010", "banco")
    assert by_name["Produbanco"] == ("0036", "banco")
    assert by_name["Cooperativa JEP"][1] == "cooperativa"
    assert by_name["Mutualista Pichincha"][1] == "mutualista"
    assert len({i["code"] for i in institutions}) == len(institutions) >= 20
    assert (await demo_client.get(INSTITUTIONS)).status_code == 401


@pytest.mark.parametrize("number", ["00105349", "105349", "1105349"])
async def test_lookup_by_cartola_or_registered_number(
    demo_client: httpx.AsyncClient, demo: str, number: str
) -> None:
    response = await demo_client.get(
        LOOKUP, params={"account_type": "ahorro_vista", "number": number}, headers=auth(demo)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "registered_number": "1105349",
        "account_type": "ahorro_vista",
        "holder_name": "C***** A***** P****** T******",  # Carlos Andrés Pillajo Tituaña
    }


async def test_lookup_refuses_own_unknown_and_wrong_type(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    async def lookup(account_type: str, number: str) -> httpx.Response:
        return await demo_client.get(
            LOOKUP, params={"account_type": account_type, "number": number}, headers=auth(demo)
        )

    own = await lookup("ahorro_personal", "9204722")  # demo's own 00204722
    assert own.status_code == 422
    assert (own.json()["code"], own.json()["field"]) == ("own_account", "number")
    assert "cuentas propias" in own.json()["message"]
    for account_type, number in [
        ("ahorro_vista", "00999999"),  # nobody's
        ("ahorro_personal", "00105349"),  # socio2's is ahorro a la vista
        ("ahorro_vista", "99000001"),  # Caja general is no socio's account
    ]:
        missing = await lookup(account_type, number)
        assert missing.status_code == 404, number
        assert missing.json()["code"] == "not_found"
    # An account that was closed is not found either.
    assert (await lookup("ahorro_vista", "1107777")).status_code == 200
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET status = 'cerrada' WHERE number = '00107777'")
    assert (await lookup("ahorro_vista", "1107777")).status_code == 404
    bad = await lookup("ahorro_vista", "12a")
    assert (bad.status_code, bad.json()["field"]) == (422, "number")


async def test_each_member_sees_only_its_beneficiaries(
    demo_client: httpx.AsyncClient, demo: str, socio2: str
) -> None:
    mine = (await demo_client.get(BENEFICIARIES, headers=auth(demo))).json()
    assert [b["id"] for b in mine] == [2, 1, 3]  # by name: Ana..., C*****..., Diego...
    interna = next(b for b in mine if b["id"] == DEMO_TO_SOCIO2)
    assert interna["kind"] == "interna" and interna["number"] == "1105349"
    assert interna["institution_name"] == "Cooperativa San José S.J."
    assert interna["id_number"] is None
    pichincha = next(b for b in mine if b["id"] == DEMO_PICHINCHA)
    assert (pichincha["institution_code"], pichincha["number"]) == ("0010", "2203456789")
    assert pichincha["id_type"] == "cedula"
    theirs = (await demo_client.get(BENEFICIARIES, headers=auth(socio2))).json()
    assert [(b["id"], b["number"], b["name"]) for b in theirs] == [
        (SOCIO2_TO_DEMO, "1104721", "M**** F******* G***** Q*****")
    ]


async def test_a_teller_has_no_productos_de_terceros(
    demo_client: httpx.AsyncClient, teller_token: str
) -> None:
    for response in (
        await demo_client.get(BENEFICIARIES, headers=auth(teller_token)),
        await start_beneficiary(demo_client, teller_token, LUIS_INTERNA),
        await demo_client.get(
            LOOKUP,
            params={"account_type": "ahorro_vista", "number": "1105349"},
            headers=auth(teller_token),
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


async def test_add_an_interna_with_the_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    started = await start_beneficiary(demo_client, demo, LUIS_INTERNA)
    assert started.status_code == 201, started.text
    challenge = started.json()
    assert challenge["purpose"] == "beneficiario"
    assert challenge["amount_cents"] is None
    assert challenge["payee"] == "interna:1107777"
    assert challenge["sent_to"] == "d****@socios.coacsanjose.ec"
    assert challenge["attempts_left"] == 3
    # Nothing is registered before the PIN.
    assert rows(seeded_db, "SELECT COUNT(*) FROM beneficiaries WHERE number = '1107777'") == [(0,)]
    pin_mail = (await mails(demo_client, DEMO_EMAIL))[0]
    assert pin_mail["subject"] == "PIN de verificación"
    assert "1107777" in pin_mail["body"] and "L*** A****** Y**** C*******" in pin_mail["body"]

    pin = await latest_pin(demo_client, DEMO_EMAIL)
    confirmed = await confirm(demo_client, demo, challenge, pin)
    assert confirmed.status_code == 200, confirmed.text
    result = confirmed.json()
    assert result["purpose"] == "beneficiario" and result["transfer"] is None
    beneficiary = result["beneficiary"]
    assert {k: beneficiary[k] for k in ("kind", "number", "account_type", "name")} == {
        "kind": "interna",
        "number": "1107777",
        "account_type": "ahorro_vista",
        "name": "L*** A****** Y**** C*******",
    }
    stored = rows(
        seeded_db,
        "SELECT b.member_id, b.kind, b.number, a.number FROM beneficiaries AS b "
        "JOIN accounts AS a ON a.id = b.account_id WHERE b.id = ?",
        beneficiary["id"],
    )
    assert stored == [(1, "interna", "1107777", "00107777")]
    assert rows(seeded_db, "SELECT status FROM challenges WHERE id = ?", challenge["id"]) == [
        ("usado",)
    ]
    notice = (await mails(demo_client, DEMO_EMAIL))[0]
    assert notice["subject"] == "Nueva cuenta registrada"
    assert "1107777" in notice["body"]
    listed = (await demo_client.get(BENEFICIARIES, headers=auth(demo))).json()
    assert beneficiary in listed


async def test_add_an_externa_with_the_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    started = await start_beneficiary(demo_client, demo, TEXTILES_GUAYAQUIL)
    assert started.status_code == 201, started.text
    assert started.json()["payee"] == "externa:0017:0098765432"
    beneficiary = await add_beneficiary(demo_client, demo, DEMO_EMAIL, TEXTILES_GUAYAQUIL)
    assert beneficiary["name"] == "Textiles Otavalo S.A."  # spaces tidied
    assert (beneficiary["institution_code"], beneficiary["institution_name"]) == (
        "0017",
        "Banco Guayaquil",
    )
    assert (beneficiary["id_type"], beneficiary["id_number"]) == ("ruc", "1792060346001")
    assert beneficiary["email"] == "pagos@textiles.ec"
    assert rows(
        seeded_db,
        "SELECT kind, institution_code, number, account_type, name FROM beneficiaries WHERE id = ?",
        beneficiary["id"],
    ) == [("externa", "0017", "0098765432", "corriente", "Textiles Otavalo S.A.")]
    # The first challenge is still open (two starts, one confirmed); it can no longer add a
    # second copy: 409 duplicate at confirm, and it stays open.
    stale = started.json()
    again = await confirm(demo_client, demo, stale, (await pins(demo_client, DEMO_EMAIL))[-1])
    assert again.status_code == 409, again.text
    assert (again.json()["code"], again.json()["field"]) == ("duplicate", "number")
    assert rows(
        seeded_db, "SELECT status, attempts_left FROM challenges WHERE id = ?", stale["id"]
    ) == [("pendiente", 3)]
    assert rows(seeded_db, "SELECT COUNT(*) FROM beneficiaries WHERE number = '0098765432'") == [
        (1,)
    ]


@pytest.mark.parametrize(
    ("body", "field", "code", "words"),
    [
        (
            {"kind": "interna", "account_type": "ahorro_vista", "number": "1105349"},
            "number",
            "duplicate",
            "ya está",
        ),
        (
            {"kind": "interna", "account_type": "ahorro_vista", "number": "00105349"},
            "number",
            "duplicate",
            "ya está",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "institution_code": "0010", "number": "2203456789"},
            "number",
            "duplicate",
            "Banco Pichincha",
        ),
        (
            {"kind": "interna", "account_type": "ahorro_personal", "number": "9204722"},
            "number",
            "own_account",
            "suya",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "institution_code": "9999"},
            "institution_code",
            "validation_error",
            "lista",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "institution_code": "1050"},
            "institution_code",
            "validation_error",
            "lista",
        ),  # the cooperative itself: that is a cuenta de terceros
        (
            {**TEXTILES_GUAYAQUIL, "id_type": "cedula", "id_number": "1710034066"},
            "id_number",
            "validation_error",
            "último dígito",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "id_type": "cedula", "id_number": "17100340"},
            "id_number",
            "validation_error",
            "10 dígitos",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "id_number": "1792060347001"},
            "id_number",
            "validation_error",
            "RUC no es válido",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "id_type": "pasaporte", "id_number": "AB12"},
            "id_number",
            "validation_error",
            "Número de identificación",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "name": "Textiles\x07 Otavalo"},
            "name",
            "validation_error",
            "control",
        ),
        (
            {**TEXTILES_GUAYAQUIL, "name": "Textiles\nOtavalo"},
            "name",
            "validation_error",
            "control",
        ),
        ({**TEXTILES_GUAYAQUIL, "email": "pagos@"}, "email", "validation_error", "correo"),
        ({**TEXTILES_GUAYAQUIL, "number": "12"}, "number", "validation_error", "Número de cuenta"),
        (
            {**TEXTILES_GUAYAQUIL, "kind": "otra"},
            "kind",
            "validation_error",
            "Tipo de cuenta de terceros: use interna o externa.",
        ),
        (
            {"kind": "interna", "account_type": "ahorro_vista", "number": "00999999"},
            "number",
            "not_found",
            "No encontramos",
        ),
    ],
)
async def test_refused_starts_change_nothing(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    body: dict[str, Any],
    field: str,
    code: str,
    words: str,
) -> None:
    before = money_state(seeded_db)
    response = await start_beneficiary(demo_client, demo, body)
    assert response.status_code in {404, 409, 422}, response.text
    answer = response.json()
    assert (answer["code"], answer["field"]) == (code, field)
    assert words in answer["message"]
    assert money_state(seeded_db) == before


async def test_a_passport_is_letters_and_digits(demo_client: httpx.AsyncClient, demo: str) -> None:
    beneficiary = await add_beneficiary(
        demo_client,
        demo,
        DEMO_EMAIL,
        {**TEXTILES_GUAYAQUIL, "id_type": "pasaporte", "id_number": "AB123456", "email": None},
    )
    assert (beneficiary["id_type"], beneficiary["id_number"], beneficiary["email"]) == (
        "pasaporte",
        "AB123456",
        None,
    )


async def test_delete_keeps_past_transfers_and_cancels_pending_ones(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: Path
) -> None:
    done = await transfer_with_pin(
        demo_client,
        demo,
        DEMO_EMAIL,
        kind="internas",
        from_account=DEMO_PERSONAL,
        beneficiary_id=DEMO_TO_SOCIO2,
        amount_cents=1_500,
    )
    pending = await transfer_to(demo_client, demo, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, 2_500)
    assert pending.status_code == 201
    pending_challenge = pending.json()["challenge"]
    pin = await latest_pin(demo_client, DEMO_EMAIL)

    # Another member cannot delete it: the same 404 as an unknown id, and nothing changes.
    before = money_state(seeded_db)
    for token, beneficiary_id in [(socio2, DEMO_TO_SOCIO2), (demo, 999)]:
        refused = await demo_client.delete(
            f"{BENEFICIARIES}/{beneficiary_id}", headers=keyed(token)
        )
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
    assert money_state(seeded_db) == before

    key = keyed(demo)
    deleted = await demo_client.delete(f"{BENEFICIARIES}/{DEMO_TO_SOCIO2}", headers=key)
    assert deleted.status_code == 204
    replay = await demo_client.delete(f"{BENEFICIARIES}/{DEMO_TO_SOCIO2}", headers=key)
    assert replay.status_code == 204 and replay.headers["idempotency-replayed"] == "true"
    listed = (await demo_client.get(BENEFICIARIES, headers=auth(demo))).json()
    assert DEMO_TO_SOCIO2 not in [b["id"] for b in listed]

    kept = await demo_client.get(f"{TRANSFERS}/{done['id']}", headers=auth(demo))
    assert kept.status_code == 200
    assert kept.json() == done  # its copy of the payee is intact
    cancelled = (
        await demo_client.get(f"{TRANSFERS}/{pending.json()['transfer']['id']}", headers=auth(demo))
    ).json()
    assert cancelled["status"] == "cancelada"
    assert "eliminó" in cancelled["reason"]
    late = await confirm(demo_client, demo, pending_challenge, pin)
    assert late.status_code == 409
    assert late.json()["code"] == "challenge_cancelled"
    assert rows(seeded_db, "SELECT beneficiary_id FROM transfers ORDER BY id") == [
        (None,),
        (None,),
    ]
    # The account can be registered again.
    again = await add_beneficiary(
        demo_client,
        demo,
        DEMO_EMAIL,
        {"kind": "interna", "account_type": "ahorro_vista", "number": "1105349"},
    )
    assert again["id"] != DEMO_TO_SOCIO2
    assert ledger_problems_of(seeded_db) == []


async def test_a_start_is_replayed_with_its_key(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    headers = keyed(demo)
    first = await demo_client.post(BENEFICIARIES, json=LUIS_INTERNA, headers=headers)
    after = money_state(seeded_db)
    again = await demo_client.post(BENEFICIARIES, json=LUIS_INTERNA, headers=headers)
    assert_replayed(first, again, 201)
    assert money_state(seeded_db) == after  # no second challenge, no second PIN e-mail
    other = await demo_client.post(
        BENEFICIARIES, json={**LUIS_INTERNA, "number": "1107777"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"
