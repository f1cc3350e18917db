"""Certificados bancarios: a member asks for one; the server keeps its code for a teller."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from mock_server.domain.clock import ManualClock
from mock_server.seed.certificates import DEMO_CODE
from sjvirtual_tui.models import API_PREFIX
from sjvirtual_tui.rules import ECUADOR_TZ
from tests.api import DEMO_VISTA, SOCIO2_VISTA, STAFF, auth, keyed, new_key
from tests.database import connect, rows

CERTIFICATES = f"{API_PREFIX}/certificates"


def _expected_band(db: Path | str, number: str, today: date) -> tuple[int, str]:
    """The rule worked out here from the stored movements, day by day (90 days, today in)."""
    ((account_id, opened_at),) = rows(
        db, "SELECT id, opened_at FROM accounts WHERE number = ?", number
    )
    first = max(
        today - timedelta(days=89),
        datetime.fromisoformat(opened_at).astimezone(ECUADOR_TZ).date(),
    )
    movements = rows(
        db,
        "SELECT posted_at, balance_after_cents FROM movements WHERE account_id = ? "
        "ORDER BY posted_at, seq",
        account_id,
    )
    closing: dict[date, int] = {}
    balance = 0
    for posted_at, after in movements:
        day = datetime.fromisoformat(posted_at).astimezone(ECUADOR_TZ).date()
        if day < first:
            balance = after
        closing[day] = after
    total, days, day = 0, 0, first
    while day <= today:
        balance = closing.get(day, balance)
        total += balance
        days += 1
        day += timedelta(days=1)
    dollars = str(total // days // 100)
    lead = int(dollars[0])
    return len(dollars), "altos" if lead >= 7 else "medios" if lead >= 4 else "bajos"


async def test_a_member_gets_a_certificate_and_its_code_is_kept(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str, clock: ManualClock
) -> None:
    response = await demo_client.post(
        CERTIFICATES, json={"account_number": DEMO_VISTA}, headers=keyed(demo)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["holder_name"] == "María Fernanda Guamán Quispe"
    assert body["identification"] == "1712345675"
    assert body["account_number"] == DEMO_VISTA
    assert body["account_type"] == "ahorro_vista"
    assert body["window_days"] == 90
    assert "average_cents" not in body  # the paper says the band, never the amount
    today = clock.now().astimezone(ECUADOR_TZ).date()
    assert (body["average_digits"], body["average_level"]) == _expected_band(
        seeded_db, DEMO_VISTA, today
    )
    stored = rows(
        seeded_db,
        "SELECT c.average_digits, c.average_level, a.number, m.username FROM certificates AS c "
        "JOIN accounts AS a ON a.id = c.account_id JOIN members AS m ON m.id = c.member_id "
        "WHERE c.code = ?",
        body["code"],
    )
    assert stored == [(body["average_digits"], body["average_level"], DEMO_VISTA, "demo")]


async def test_a_retry_with_the_same_key_gets_the_same_certificate(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    key = new_key()
    first = await demo_client.post(
        CERTIFICATES, json={"account_number": DEMO_VISTA}, headers=keyed(demo, key)
    )
    again = await demo_client.post(
        CERTIFICATES, json={"account_number": DEMO_VISTA}, headers=keyed(demo, key)
    )
    assert again.status_code == first.status_code == 201
    assert again.json()["code"] == first.json()["code"]
    assert again.headers.get("Idempotency-Replayed") == "true"
    other = await demo_client.post(
        CERTIFICATES, json={"account_number": "00204722"}, headers=keyed(demo, key)
    )
    assert other.status_code == 422
    assert rows(seeded_db, "SELECT COUNT(*) FROM certificates WHERE code <> ?", DEMO_CODE) == [(1,)]


async def test_no_certificate_of_another_members_or_a_closed_account(
    demo_client: httpx.AsyncClient, seeded_db: Path, demo: str
) -> None:
    before = rows(seeded_db, "SELECT COUNT(*) FROM certificates")
    for number, status, field in (
        (SOCIO2_VISTA, 404, "account_number"),
        ("00999999", 404, "account_number"),
        ("12ab", 422, "account_number"),
    ):
        response = await demo_client.post(
            CERTIFICATES, json={"account_number": number}, headers=keyed(demo)
        )
        assert response.status_code == status, number
        assert response.json()["field"] == field
    with connect(seeded_db) as conn:
        conn.execute("UPDATE accounts SET status = 'cerrada' WHERE number = '00204722'")
    closed = await demo_client.post(
        CERTIFICATES, json={"account_number": "00204722"}, headers=keyed(demo)
    )
    assert closed.status_code == 409
    assert "cerrada" in closed.json()["message"]
    assert rows(seeded_db, "SELECT COUNT(*) FROM certificates") == before
    assert (
        await demo_client.post(CERTIFICATES, json={"account_number": DEMO_VISTA})
    ).status_code in (
        400,
        401,
        422,
    )


async def test_a_teller_verifies_a_code(
    demo_client: httpx.AsyncClient, demo: str, teller_token: str
) -> None:
    issued = (
        await demo_client.post(
            CERTIFICATES, json={"account_number": DEMO_VISTA}, headers=keyed(demo)
        )
    ).json()
    # As typed from the paper, in lower case.
    response = await demo_client.get(
        f"{STAFF}/certificates/{issued['code'].lower()}", headers=auth(teller_token)
    )
    assert response.status_code == 200, response.text
    check = response.json()
    assert check["code"] == issued["code"]
    assert check["holder_name"] == "María Fernanda Guamán Quispe"
    assert check["account_masked"] == "****4721"
    assert (check["average_digits"], check["average_level"]) == (
        issued["average_digits"],
        issued["average_level"],
    )
    assert datetime.fromisoformat(check["issued_at"]) == datetime.fromisoformat(issued["issued_at"])
    unknown = await demo_client.get(
        f"{STAFF}/certificates/CB-2222-2222", headers=auth(teller_token)
    )
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "code"
    # Members cannot look codes up (their own or anyone's).
    denied = await demo_client.get(f"{STAFF}/certificates/{issued['code']}", headers=auth(demo))
    assert denied.status_code == 403


async def test_the_seeded_certificate_is_there_to_verify(
    demo_client: httpx.AsyncClient, teller_token: str
) -> None:
    response = await demo_client.get(
        f"{STAFF}/certificates/{DEMO_CODE}", headers=auth(teller_token)
    )
    assert response.status_code == 200
    check = response.json()
    assert check["account_masked"] == "****4721"
    assert datetime.fromisoformat(check["issued_at"]) < datetime.now(UTC)


async def test_a_teller_cannot_issue_one(demo_client: httpx.AsyncClient, teller_token: str) -> None:
    response = await demo_client.post(
        CERTIFICATES, json={"account_number": DEMO_VISTA}, headers=keyed(teller_token)
    )
    assert response.status_code == 403
