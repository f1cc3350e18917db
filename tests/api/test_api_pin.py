"""The PIN DE VERIFICACIÓN: one-time, bound to amount and payee, 3 tries, 5 minutes, the lock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain.clock import ManualClock
from tests.api import (
    ACCOUNTS,
    BENEFICIARIES,
    CHALLENGES,
    DEMO_EMAIL,
    DEMO_PERSONAL,
    DEMO_PICHINCHA,
    DEMO_TO_SOCIO2,
    LOGIN,
    RECOVERY,
    STAFF,
    TRANSFERS,
    add_beneficiary,
    auth,
    balances,
    complete_recovery,
    confirm,
    keyed,
    latest_pin,
    ledger_problems_of,
    mails,
    money_state,
    pins,
    recovery_code,
    rows,
    start_beneficiary,
    start_transfer,
    transfer_to,
    wrong,
)
from tests.conftest import CHEAP_HASHER, login_token
from tests.database import columns

LUIS_INTERNA: dict[str, Any] = {
    "kind": "interna",
    "account_type": "ahorro_vista",
    "number": "1107777",
}


async def _pending_transfer(
    client: httpx.AsyncClient, token: str, amount_cents: int = 12_345
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(transfer, challenge, PIN) of an internas transfer waiting for its PIN."""
    started = await transfer_to(
        client, token, "internas", DEMO_PERSONAL, DEMO_TO_SOCIO2, amount_cents
    )
    assert started.status_code == 201, started.text
    body = started.json()
    return body["transfer"], body["challenge"], await latest_pin(client, DEMO_EMAIL)


def _challenge(db: Path, challenge_id: str) -> tuple[Any, ...]:
    return rows(db, "SELECT status, attempts_left FROM challenges WHERE id = ?", challenge_id)[0]


async def test_the_pin_e_mail_and_what_is_stored(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    message = (await mails(demo_client, DEMO_EMAIL))[0]
    assert message["subject"] == "PIN de verificación"
    lines = message["body"].splitlines()
    assert f"PIN de verificación: {pin}" in lines
    for words in ("$123,45", "C***** A***** P****** T******", "1105349", "5 minutos", "10:05"):
        assert words in message["body"]
    assert challenge["expires_at"] == "2026-11-25T15:05:00Z"
    assert challenge["sent_to"] == "d****@socios.coacsanjose.ec"
    # Only a hash bound to this challenge, amount and payee is stored.
    ((pin_hash,),) = rows(seeded_db, "SELECT pin_hash FROM challenges")
    assert pin not in pin_hash
    material = f"{pin}|{challenge['id']}|{challenge['amount_cents']}|{challenge['payee']}"
    assert CHEAP_HASHER.verify(pin_hash, material)
    assert pin_hash.startswith("$argon2id$")

    key = "confirm-secret-01"
    assert (await confirm(demo_client, demo, challenge, pin, key=key)).status_code == 200
    ((request_hash, secret_hash),) = rows(
        seeded_db, "SELECT request_hash, secret_hash FROM idempotency WHERE key = ?", key
    )
    assert pin not in request_hash and secret_hash.startswith("$argon2id$")
    assert transfer["status"] == "pendiente_verificacion"


async def test_wrong_pins_count_down_and_the_third_cancels(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    before = balances(seeded_db)
    transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    first = await confirm(demo_client, demo, challenge, wrong(pin))
    assert first.status_code == 422
    assert first.json() == {
        "code": "pin_incorrect",
        "message": "El PIN de verificación no es correcto. Le quedan 2 intentos.",
        "field": "pin",
    }
    assert _challenge(seeded_db, challenge["id"]) == ("pendiente", 2)
    second = await confirm(demo_client, demo, challenge, wrong(wrong(pin)))
    assert second.json()["message"].endswith("Le queda 1 intento.")
    third = await confirm(demo_client, demo, challenge, wrong(pin))
    assert third.status_code == 409
    assert third.json()["code"] == "challenge_cancelled"
    assert "3 veces" in third.json()["message"]
    assert _challenge(seeded_db, challenge["id"]) == ("cancelado", 0)
    stored = (await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))).json()
    assert stored["status"] == "cancelada" and "3 veces" in stored["reason"]
    # Now even the right PIN confirms nothing.
    late = await confirm(demo_client, demo, challenge, pin)
    assert late.status_code == 409 and late.json()["code"] == "challenge_cancelled"
    assert balances(seeded_db) == before
    # Three wrong PINs in a row for the member (5 lock it).
    assert rows(seeded_db, "SELECT pin_failures FROM members WHERE username = 'demo'") == [(3,)]
    assert ledger_problems_of(seeded_db) == []


async def test_a_wrong_pin_then_the_right_one(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    assert (await confirm(demo_client, demo, challenge, wrong(pin))).status_code == 422
    ok = await confirm(demo_client, demo, challenge, pin)
    assert ok.status_code == 200
    assert ok.json()["transfer"]["status"] == "completada"
    assert _challenge(seeded_db, challenge["id"]) == ("usado", 2)


@pytest.mark.parametrize(
    ("amount_cents", "payee"),
    [
        (12_346, None),  # one cent more
        (1_234_500, None),
        (None, "transferencia:2:2203456789"),  # another payee of the member
        (None, "transferencia:1:1105349 "),
    ],
)
async def test_a_tampered_echo_is_a_wrong_pin(
    demo_client: httpx.AsyncClient,
    demo: str,
    seeded_db: Path,
    amount_cents: int | None,
    payee: str | None,
) -> None:
    before = balances(seeded_db)
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    tampered = await confirm(
        demo_client,
        demo,
        challenge,
        pin,  # the right PIN
        amount_cents=amount_cents if amount_cents is not None else challenge["amount_cents"],
        payee=payee if payee is not None else challenge["payee"],
    )
    assert tampered.status_code == 422
    assert tampered.json()["code"] == "pin_incorrect"
    assert _challenge(seeded_db, challenge["id"]) == ("pendiente", 2)
    assert balances(seeded_db) == before


async def test_the_pin_of_another_challenge_is_wrong(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    _first, first_challenge, first_pin = await _pending_transfer(demo_client, demo, 1_000)
    _second, second_challenge, second_pin = await _pending_transfer(demo_client, demo, 1_000)
    if first_pin == second_pin:  # 1 in 10,000: the binding is what is under test
        pytest.skip("both PINs happen to be equal")
    crossed = await confirm(demo_client, demo, second_challenge, first_pin)
    assert crossed.status_code == 422 and crossed.json()["code"] == "pin_incorrect"
    assert _challenge(seeded_db, second_challenge["id"]) == ("pendiente", 2)
    assert _challenge(seeded_db, first_challenge["id"]) == ("pendiente", 3)
    assert (await confirm(demo_client, demo, second_challenge, second_pin)).status_code == 200


async def test_an_expired_pin_cancels_the_operation_without_counting(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    clock.advance(200)
    assert (await demo_client.get(ACCOUNTS, headers=auth(demo))).status_code == 200  # awake
    clock.advance(99)
    still = await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))
    assert still.json()["status"] == "pendiente_verificacion"
    clock.advance(1)  # exactly 5 minutes
    expired = await confirm(demo_client, demo, challenge, pin)
    assert expired.status_code == 409
    assert expired.json()["code"] == "challenge_expired"
    assert "caducó" in expired.json()["message"]
    assert _challenge(seeded_db, challenge["id"]) == ("caducado", 3)
    stored = (await demo_client.get(f"{TRANSFERS}/{transfer['id']}", headers=auth(demo))).json()
    assert stored["status"] == "cancelada" and "caducó" in stored["reason"]
    again = await confirm(demo_client, demo, challenge, pin)
    assert again.json()["code"] == "challenge_expired"
    assert rows(seeded_db, "SELECT pin_failures FROM members WHERE username = 'demo'") == [(0,)]


async def test_an_expired_pin_is_swept_by_the_next_read(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    started = await start_beneficiary(demo_client, demo, LUIS_INTERNA)
    transfer, challenge, _pin = await _pending_transfer(demo_client, demo)
    clock.advance(299)
    assert (await demo_client.get(ACCOUNTS, headers=auth(demo))).status_code == 200
    assert _challenge(seeded_db, challenge["id"]) == ("pendiente", 3)
    clock.advance(1)
    assert (await demo_client.get(ACCOUNTS, headers=auth(demo))).status_code == 200
    assert _challenge(seeded_db, challenge["id"]) == ("caducado", 3)
    assert _challenge(seeded_db, started.json()["id"]) == ("caducado", 3)
    assert rows(seeded_db, "SELECT status FROM transfers WHERE id = ?", transfer["id"]) == [
        ("cancelada",)
    ]


async def test_a_used_pin_cannot_confirm_again(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    assert (await confirm(demo_client, demo, challenge, pin)).status_code == 200
    state = money_state(seeded_db)
    reused = await confirm(demo_client, demo, challenge, pin)  # a new Idempotency-Key
    assert reused.status_code == 409
    assert reused.json()["code"] == "challenge_used"
    assert money_state(seeded_db) == state


async def test_another_members_challenge_is_404_and_untouched(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    socio2 = await login_token(demo_client, "socio2", "Socio2026")
    before = money_state(seeded_db)
    for attempt in (pin, wrong(pin)):
        theirs = await confirm(demo_client, socio2, challenge, attempt)
        assert theirs.status_code == 404
        assert theirs.json()["code"] == "not_found"
    unknown = await confirm(demo_client, demo, {**challenge, "id": "x" * 24}, pin)
    assert unknown.status_code == 404
    assert unknown.json() == theirs.json()
    malformed = await demo_client.post(
        f"{CHALLENGES}/no!/confirm",
        json={"pin": pin, "amount_cents": 1, "payee": "x"},
        headers=keyed(demo),
    )
    assert malformed.status_code in {404, 422}
    bad_pin = await confirm(demo_client, demo, challenge, "12a4")
    assert (bad_pin.status_code, bad_pin.json()["field"]) == (422, "pin")
    assert money_state(seeded_db) == before
    assert (await confirm(demo_client, demo, challenge, pin)).status_code == 200


async def _wrong_pins(client: httpx.AsyncClient, token: str, n: int) -> list[httpx.Response]:
    """Starts a beneficiary and enters ``n`` wrong PINs: the answers."""
    started = await start_beneficiary(client, token, LUIS_INTERNA)
    assert started.status_code == 201, started.text
    challenge = started.json()
    pin = await latest_pin(client, DEMO_EMAIL)
    return [await confirm(client, token, challenge, wrong(pin)) for _ in range(n)]


def _pin_failures(db: Path) -> int:
    ((count,),) = rows(db, "SELECT pin_failures FROM members WHERE username = 'demo'")
    return int(count)


async def test_the_fifth_wrong_pin_that_is_also_the_operations_third_locks_the_member(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    """Found by the bank's model: the lock wrote the operation's last try down while it was
    still pending (the table's CHECK refused it: a 500 and nothing locked)."""
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    firsts = [await confirm(demo_client, demo, challenge, wrong(pin)) for _ in range(2)]
    others = await _wrong_pins(demo_client, demo, 2)
    assert [a.status_code for a in (*firsts, *others)] == [422] * 4
    fifth = await confirm(demo_client, demo, challenge, wrong(pin))
    assert fifth.status_code == 423, fifth.text
    assert fifth.json()["code"] == "locked"
    statuses = rows(
        seeded_db, "SELECT status, attempts_left FROM challenges WHERE id = ?", challenge["id"]
    )
    assert statuses == [("cancelado", 0)]
    assert _pin_failures(seeded_db) == 5


async def test_five_wrong_pins_in_a_row_lock_the_member_whatever_the_operations(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, teller_token: str
) -> None:
    other_session = await login_token(demo_client, "demo", "Demo2026")
    waiting, _challenge_of_it, _pin = await _pending_transfer(demo_client, demo)
    first = await _wrong_pins(demo_client, demo, 3)
    assert [a.status_code for a in first] == [422, 422, 409]
    assert _pin_failures(seeded_db) == 3
    second = await _wrong_pins(demo_client, demo, 2)
    assert second[0].status_code == 422
    assert second[0].json()["message"] == (
        "El PIN de verificación no es correcto. Le queda 1 intento antes de que su usuario se "
        "bloquee."
    )
    fifth = second[1]
    assert fifth.status_code == 423
    assert fifth.json()["code"] == "locked"
    assert "5 veces seguidas" in fifth.json()["message"]
    ((locked_at, reason, count),) = rows(
        seeded_db,
        "SELECT locked_at, lock_reason, pin_failures FROM members WHERE username = 'demo'",
    )
    assert locked_at is not None and reason == "pin" and count == 5
    # Every session of the member ended; logging in again is refused; the member is told.
    for token in (demo, other_session):
        ended = await demo_client.get(ACCOUNTS, headers=auth(token))
        assert ended.status_code == 401
        assert ended.json()["code"] == "session_expired"
    refused = await demo_client.post(LOGIN, json={"username": "demo", "password": "Demo2026"})
    assert refused.status_code == 423
    told = (await mails(demo_client, DEMO_EMAIL))[0]
    assert told["subject"] == "Su usuario de S.J. Virtual fue bloqueado"
    # The transfer left waiting is cancelled with the others, and says why.
    assert rows(seeded_db, "SELECT status FROM challenges") == [("cancelado",)] * 3
    assert rows(seeded_db, "SELECT status, reason FROM transfers WHERE id = ?", waiting["id"]) == [
        (
            "cancelada",
            "Se bloqueó el usuario: el PIN de verificación se ingresó mal 5 veces seguidas.",
        )
    ]
    assert rows(seeded_db, "SELECT COUNT(*) FROM beneficiaries WHERE number = '1107777'") == [(0,)]

    # A teller sees and lifts the lock and the count, as for failed logins.
    locked = await demo_client.get(f"{STAFF}/locked-members", headers=auth(teller_token))
    assert "demo" in [m["username"] for m in locked.json()]
    unlocked = await demo_client.post(f"{STAFF}/members/demo/unlock", headers=keyed(teller_token))
    assert unlocked.status_code == 204
    assert rows(
        seeded_db, "SELECT locked_at, lock_reason, pin_failures FROM members WHERE id = 1"
    ) == [(None, None, 0)]
    token = await login_token(demo_client, "demo", "Demo2026")
    assert (await demo_client.get(BENEFICIARIES, headers=auth(token))).status_code == 200
    # The count starts over: one wrong PIN is one, not the sixth.
    assert [a.status_code for a in await _wrong_pins(demo_client, token, 1)] == [422]
    assert _pin_failures(seeded_db) == 1


async def test_a_confirmed_operation_resets_the_count(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    assert [a.status_code for a in await _wrong_pins(demo_client, demo, 3)] == [422, 422, 409]
    _transfer, challenge, pin = await _pending_transfer(demo_client, demo)
    assert (await confirm(demo_client, demo, challenge, wrong(pin))).status_code == 422
    assert _pin_failures(seeded_db) == 4
    assert (await confirm(demo_client, demo, challenge, pin)).status_code == 200
    assert _pin_failures(seeded_db) == 0
    assert [a.status_code for a in await _wrong_pins(demo_client, demo, 3)] == [422, 422, 409]
    assert rows(seeded_db, "SELECT locked_at FROM members WHERE username = 'demo'") == [(None,)]


async def test_an_expired_operation_does_not_count_toward_the_lock(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    for _ in range(2):
        assert [a.status_code for a in await _wrong_pins(demo_client, demo, 2)] == [422, 422]
    started = await start_beneficiary(demo_client, demo, LUIS_INTERNA)
    clock.advance(301)
    token = await login_token(demo_client, "demo", "Demo2026")
    expired = await confirm(demo_client, token, started.json(), wrong("0000"))
    assert expired.json()["code"] == "challenge_expired"
    assert _pin_failures(seeded_db) == 4


async def test_recovery_lifts_the_lock_of_wrong_pins(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    for n in (3, 2):
        await _wrong_pins(demo_client, demo, n)
    assert rows(seeded_db, "SELECT lock_reason FROM members WHERE id = 1") == [("pin",)]
    # The password the guesser had no longer logs in; the member's own recovery does.
    assert (await demo_client.post(RECOVERY, json={"username": "demo"})).status_code == 202
    code = await recovery_code(demo_client, DEMO_EMAIL)
    recovered = await complete_recovery(
        demo_client,
        username="demo",
        own_answer="Cotopaxi",
        security_answer="Firulais",
        code=code,
        new_password="Nueva2026",
    )
    assert recovered.status_code == 204, recovered.text
    assert rows(
        seeded_db, "SELECT locked_at, lock_reason, pin_failures FROM members WHERE id = 1"
    ) == [(None, None, 0)]
    token = await login_token(demo_client, "demo", "Nueva2026")
    assert [a.status_code for a in await _wrong_pins(demo_client, token, 1)] == [422]
    assert _pin_failures(seeded_db) == 1


async def test_expired_operations_do_not_count_as_pending(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    for _ in range(3):
        assert (await start_beneficiary(demo_client, demo, LUIS_INTERNA)).status_code == 201
    assert (await start_beneficiary(demo_client, demo, LUIS_INTERNA)).status_code == 409
    clock.advance(300)  # the three are past their 5 minutes, swept or not
    token = await login_token(demo_client, "demo", "Demo2026")
    fourth = await start_beneficiary(demo_client, token, LUIS_INTERNA)
    assert fourth.status_code == 201, fourth.text


async def test_the_pin_e_mail_window_slides(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path, clock: ManualClock
) -> None:
    for _ in range(10):
        # The one it adds is deleted again (its id: SQLite reuses the last id, PostgreSQL's
        # sequence does not).
        added = await add_beneficiary(demo_client, demo, DEMO_EMAIL, LUIS_INTERNA)
        deleted = await demo_client.delete(f"{BENEFICIARIES}/{added['id']}", headers=keyed(demo))
        assert deleted.is_success
        clock.advance(60)
    refused = await start_beneficiary(demo_client, demo, LUIS_INTERNA)
    assert refused.status_code == 429
    # The first of the 10 was sent 10 minutes ago: it leaves the window in 5.
    assert refused.headers["Retry-After"] == "300"
    assert refused.json()["message"].endswith("Podrá intentarlo de nuevo en 5 minutos.")
    clock.advance(299)
    token = await login_token(demo_client, "demo", "Demo2026")
    assert (await start_beneficiary(demo_client, token, LUIS_INTERNA)).status_code == 429
    clock.advance(1)
    assert (await start_beneficiary(demo_client, token, LUIS_INTERNA)).status_code == 201


async def test_each_start_sends_its_own_pin(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: Path
) -> None:
    for _ in range(3):
        await start_transfer(
            demo_client,
            demo,
            kind="interbancarias",
            from_account=DEMO_PERSONAL,
            beneficiary_id=DEMO_PICHINCHA,
            amount_cents=500,
        )
    sent = await pins(demo_client, DEMO_EMAIL)
    assert len(sent) == 3 and all(len(p) == 4 and p.isdigit() for p in sent)
    ids = rows(seeded_db, "SELECT id FROM challenges")
    assert len({i for (i,) in ids}) == 3
    assert "pin" not in columns(seeded_db, "challenges")
