"""Posición consolidada and estado de cuenta over the seeded store."""

from __future__ import annotations

import base64
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.store.meta import to_db
from sjvirtual_tui.rules import ECUADOR_TZ
from tests.api import auth as _auth
from tests.conftest import login_token
from tests.database import connect

ACCOUNTS = "/api/v1/accounts"


def _stored_balances(db_path: Path) -> dict[str, tuple[int, int]]:
    with connect(db_path) as conn:
        rows = conn.execute("SELECT number, balance_cents, hold_cents FROM accounts").fetchall()
    return {number: (balance, hold) for number, balance, hold in rows}


@pytest.fixture
async def demo(api_client: httpx.AsyncClient) -> dict[str, str]:
    return _auth(await login_token(api_client, "demo", "Demo2026"))


async def _walk(
    client: httpx.AsyncClient, headers: dict[str, str], number: str, **params: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of a statement: (all items in page order, the pages' bodies)."""
    items: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{ACCOUNTS}/{number}/movements", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert len(pages) < 100, "the cursor does not advance"


async def test_demo_sees_exactly_its_two_accounts(
    api_client: httpx.AsyncClient, demo: dict[str, str], seeded_db: Path
) -> None:
    response = await api_client.get(ACCOUNTS, headers=demo)
    assert response.status_code == 200
    accounts = response.json()
    assert [a["number"] for a in accounts] == ["00104721", "00204722"]
    assert [a["type"] for a in accounts] == ["ahorro_vista", "ahorro_personal"]
    stored = _stored_balances(seeded_db)
    for account in accounts:
        balance, hold = stored[account["number"]]
        assert account["accounting_cents"] == balance
        assert account["available_cents"] == balance - hold
        assert account["currency"] == "USD"
        assert account["status"] == "activa"
    vista = accounts[0]
    assert vista["available_cents"] == vista["accounting_cents"] - 15_000
    one = await api_client.get(f"{ACCOUNTS}/00104721", headers=demo)
    assert one.status_code == 200
    assert one.json() == vista


async def test_another_members_account_is_the_same_404_as_none(
    api_client: httpx.AsyncClient,
) -> None:
    socio2 = _auth(await login_token(api_client, "socio2", "Socio2026"))
    not_found = {"code": "not_found", "message": "Cuenta no encontrada.", "field": None}
    answers = [
        await api_client.get(f"{ACCOUNTS}/00104721", headers=socio2),  # demo's
        await api_client.get(f"{ACCOUNTS}/00104721/movements", headers=socio2),
        await api_client.get(f"{ACCOUNTS}/00000001", headers=socio2),  # nobody's
        await api_client.get(f"{ACCOUNTS}/00000001/movements", headers=socio2),
        await api_client.get(f"{ACCOUNTS}/99000001/movements", headers=socio2),  # Caja general
    ]
    assert {a.status_code for a in answers} == {404}
    assert {a.content for a in answers} == {answers[0].content}
    assert answers[0].json() == not_found
    own = await api_client.get(ACCOUNTS, headers=socio2)
    assert [a["number"] for a in own.json()] == ["00105349"]


async def test_pages_walk_the_range_without_gaps_or_repeats(
    api_client: httpx.AsyncClient, demo: dict[str, str]
) -> None:
    days = {"date_from": "2026-05-01", "date_to": "2026-11-25"}
    desc, pages = await _walk(api_client, demo, "00104721", limit=37, **days)
    ids = [item["id"] for item in desc]
    assert len(ids) == len(set(ids))
    assert {page["total"] for page in pages} == {len(ids)}
    assert 200 < len(ids) < 500
    assert all(len(page["items"]) == 37 for page in pages[:-1])
    assert {page["order"] for page in pages} == {"desc"}
    keys = [(item["posted_at"], item["id"]) for item in desc]
    assert keys == sorted(keys, key=lambda k: (datetime.fromisoformat(k[0]), k[1]), reverse=True)

    one_page = await api_client.get(
        f"{ACCOUNTS}/00104721/movements",
        params={"order": "asc", "limit": 500, **days},
        headers=demo,
    )
    asc = one_page.json()
    assert asc["next_cursor"] is None
    assert asc["items"] == list(reversed(desc))

    # The whole history, in the largest pages: as many as the account holds.
    everything, big_pages = await _walk(api_client, demo, "00104721", limit=500)
    assert len(big_pages) == 3
    assert len({item["id"] for item in everything}) == len(everything) == 1200


async def test_balance_after_is_the_running_sum(
    api_client: httpx.AsyncClient, demo: dict[str, str], seeded_db: Path
) -> None:
    items, _pages = await _walk(api_client, demo, "00104721", order="asc", limit=500)
    running = 0
    for item in items:
        running += item["amount_cents"]
        assert item["balance_after_cents"] == running
        assert running >= 0
    assert running == _stored_balances(seeded_db)["00104721"][0]


def _post_at(db_path: Path, number: str, when: datetime, amount: int) -> int:
    """Adds a deposit at ``when`` (a journal with its Caja general pair); returns its id.

    Only the date filter is looked at here, so later movements' balances are not rewritten.
    """
    stamp = to_db(when)
    with connect(db_path) as conn:
        account_id, balance = conn.execute(
            "SELECT id, balance_cents FROM accounts WHERE number = ?", (number,)
        ).fetchone()
        caja_id, caja_balance = conn.execute(
            "SELECT id, balance_cents FROM accounts WHERE number = '99000001'"
        ).fetchone()
        journal_id = conn.execute(
            "INSERT INTO journal (created_at, kind, description) "
            "VALUES (?, 'deposito', 'Prueba') RETURNING id",
            (stamp,),
        ).fetchone()[0]
        insert = """
            INSERT INTO movements (journal_id, account_id, posted_at, description, reference,
                amount_cents, balance_after_cents, seq)
            VALUES (?, ?, ?, 'Depósito en efectivo', 'DEP-9999999', ?, ?,
                (SELECT MAX(seq) + 1 FROM movements))
            RETURNING id
        """
        movement_id = conn.execute(
            insert, (journal_id, account_id, stamp, amount, balance + amount)
        ).fetchone()[0]
        conn.execute(insert, (journal_id, caja_id, stamp, -amount, caja_balance - amount))
    assert movement_id is not None
    return movement_id


async def test_dates_are_ecuador_days(
    api_client: httpx.AsyncClient, demo: dict[str, str], seeded_db: Path
) -> None:
    def local(*args: int) -> datetime:
        return datetime(*args, tzinfo=ECUADOR_TZ)

    before = _post_at(seeded_db, "00104721", local(2026, 11, 23, 23, 59, 59, 999_999), 101)
    first = _post_at(seeded_db, "00104721", local(2026, 11, 24, 0, 0), 102)
    late = _post_at(seeded_db, "00104721", local(2026, 11, 24, 23, 30), 103)  # 04:30 UTC 25th
    after = _post_at(seeded_db, "00104721", local(2026, 11, 25, 0, 0), 104)

    response = await api_client.get(
        f"{ACCOUNTS}/00104721/movements",
        params={"date_from": "2026-11-24", "date_to": "2026-11-24", "limit": 500},
        headers=demo,
    )
    assert response.status_code == 200
    page = response.json()
    ids = {item["id"] for item in page["items"]}
    assert {first, late} <= ids
    assert not {before, after} & ids
    assert page["date_from"] == page["date_to"] == "2026-11-24"
    days = {
        datetime.fromisoformat(i["posted_at"]).astimezone(ECUADOR_TZ).date() for i in page["items"]
    }
    assert days == {date(2026, 11, 24)}

    # The total is every movement of that Ecuador day, counted independently here.
    with connect(seeded_db) as conn:
        stamps = conn.execute(
            "SELECT posted_at FROM movements WHERE account_id = "
            "(SELECT id FROM accounts WHERE number = '00104721')"
        ).fetchall()
    expected = sum(
        1
        for (stamp,) in stamps
        if datetime.fromisoformat(stamp).astimezone(ECUADOR_TZ).date() == date(2026, 11, 24)
    )
    assert page["total"] == len(page["items"]) == expected

    # Open-ended ranges.
    since = await api_client.get(
        f"{ACCOUNTS}/00104721/movements", params={"date_from": "2026-11-25"}, headers=demo
    )
    since_ids = {item["id"] for item in since.json()["items"]}
    assert after in since_ids and late not in since_ids
    until = await api_client.get(
        f"{ACCOUNTS}/00104721/movements",
        params={"date_to": "2026-11-23", "limit": 1},
        headers=demo,
    )
    assert until.json()["items"][0]["id"] == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "no es un cursor!"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"hola|1").decode().rstrip("=")}, "cursor"),
        (
            {"cursor": base64.urlsafe_b64encode(b"2026-02-30T00:00:00.000000+00:00|5").decode()},
            "cursor",
        ),
        ({"date_from": "2026-11-25", "date_to": "2026-11-24"}, "date_from"),
        ({"date_from": "25/11/2026"}, "date_from"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "diez"}, "limit"),
        ({"order": "newest"}, "order"),
    ],
)
async def test_bad_statement_queries_say_which_field(
    api_client: httpx.AsyncClient, demo: dict[str, str], params: dict[str, Any], field: str
) -> None:
    response = await api_client.get(f"{ACCOUNTS}/00104721/movements", params=params, headers=demo)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == field
    assert body["message"]
    assert "Input" not in body["message"]  # Spanish, not pydantic's English


async def test_limits_at_the_edges_are_accepted(
    api_client: httpx.AsyncClient, demo: dict[str, str]
) -> None:
    for limit, expected in ((1, 1), (500, 500)):
        response = await api_client.get(
            f"{ACCOUNTS}/00104721/movements", params={"limit": limit}, headers=demo
        )
        assert response.status_code == 200
        assert len(response.json()["items"]) == expected


async def test_a_malformed_account_number_is_a_validation_error(
    api_client: httpx.AsyncClient, demo: dict[str, str]
) -> None:
    response = await api_client.get(f"{ACCOUNTS}/00104721x", headers=demo)
    assert response.status_code == 422
    assert response.json()["field"] == "number"


async def test_accounts_need_a_session(api_client: httpx.AsyncClient) -> None:
    for path in (ACCOUNTS, f"{ACCOUNTS}/00104721", f"{ACCOUNTS}/00104721/movements"):
        response = await api_client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


async def test_openapi_and_health(api_client: httpx.AsyncClient) -> None:
    health = await api_client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}

    response = await api_client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "S.J. Virtual mock server"
    paths = spec["paths"]
    assert set(paths) >= {
        "/api/v1/auth/challenge",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/accounts",
        "/api/v1/accounts/{number}",
        "/api/v1/accounts/{number}/movements",
        "/health",
    }
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    login = paths["/api/v1/auth/login"]["post"]["responses"]
    assert {"200", "401", "422", "423"} <= set(login)
    movements = paths["/api/v1/accounts/{number}/movements"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(movements)
    for status in ("401", "404", "422"):
        assert movements[status]["content"]["application/json"]["schema"] == error_ref
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "204" in paths["/api/v1/auth/logout"]["post"]["responses"]
