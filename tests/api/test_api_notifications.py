"""AVISOS (issue 17): the member's inbox, and the e-mails written from the same event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server.domain import mail, notifications
from mock_server.domain.clock import ManualClock
from mock_server.store import Database, write_transaction
from sjvirtual_tui.models import API_PREFIX
from tests.api import (
    DEMO_EMAIL,
    DEMO_TO_SOCIO2,
    DEMO_VISTA,
    SOCIO2_EMAIL,
    SOCIO2_VISTA,
    auth,
    keyed,
    post_login,
    transfer_with_pin,
)
from tests.conftest import CHEAP_HASHER, login_token
from tests.database import DB, rows, scalar

NOTIFICATIONS = f"{API_PREFIX}/notifications"


async def inbox(client: httpx.AsyncClient, token: str, **query: Any) -> dict[str, Any]:
    response = await client.get(NOTIFICATIONS, params=query, headers=auth(token))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def read(client: httpx.AsyncClient, token: str, notification_id: int) -> httpx.Response:
    return await client.post(f"{NOTIFICATIONS}/{notification_id}/read", headers=keyed(token))


def event_of_mail(db: DB, subject: str) -> int:
    """The event id the newest e-mail of ``subject`` was written from."""
    found = scalar(db, "SELECT event_id FROM outbox WHERE subject = ? ORDER BY id DESC", subject)
    assert found is not None, subject
    return int(found)


async def test_the_demo_member_has_notices_some_unread(
    demo_client: httpx.AsyncClient, demo: str, socio2: str
) -> None:
    page = await inbox(demo_client, demo)
    items = page["items"]
    # This login's new terminal (the tests present no device token), then the seed's five.
    assert items[0]["kind"] == "new_terminal" and items[0]["read_at"] is None
    seeded = {(item["kind"], item["read_at"] is None) for item in items[1:]}
    assert sorted(item["kind"] for item in items[1:]) == [
        "failed_login",
        "new_terminal",
        "transfer_in",
        "transfer_in",
        "transfer_out",
    ]
    assert seeded == {
        ("failed_login", True),
        ("transfer_in", True),
        ("transfer_out", False),
        ("new_terminal", False),
    }
    assert page["total"] == 6
    assert page["unread"] == 4
    times = [item["created_at"] for item in page["items"]]
    assert times == sorted(times, reverse=True)
    (failed,) = [item for item in items if item["kind"] == "failed_login"]
    assert failed["title"] == "Intento de ingreso fallido"
    assert "usuario demo" in failed["body"]
    # socio2's inbox is its own: only its login's notice.
    other = await inbox(demo_client, socio2)
    assert [item["kind"] for item in other["items"]] == ["new_terminal"]


async def test_a_transfer_tells_sender_and_receiver_from_one_event_each(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: DB
) -> None:
    before = (await inbox(demo_client, socio2))["unread"]
    socio2_mails = scalar(
        seeded_db, "SELECT COUNT(*) FROM outbox WHERE to_address = ?", SOCIO2_EMAIL
    )
    transfer = await transfer_with_pin(
        demo_client,
        demo,
        DEMO_EMAIL,
        kind="internas",
        from_account=DEMO_VISTA,
        beneficiary_id=DEMO_TO_SOCIO2,
        amount_cents=12_345,
        description="Cuota del paseo",
    )
    reference = transfer["reference"]

    # The sender: the receipt e-mail and the inbox's notice are one event.
    sent = (await inbox(demo_client, demo))["items"][0]
    subject = f"Comprobante de transferencia {reference}"
    assert sent["kind"] == "transfer_out"
    assert sent["title"] == subject
    assert sent["id"] == event_of_mail(seeded_db, subject)
    assert "$123,45" in sent["body"] and "Cuota del paseo" in sent["body"]
    assert not sent["body"].startswith("Estimado")  # no greeting in the inbox
    ((mail_body,),) = rows(seeded_db, "SELECT body FROM outbox WHERE event_id = ?", sent["id"])
    assert sent["body"] in mail_body

    # The PIN e-mail has its event too, kept out of the inbox and without the PIN.
    pin_event = event_of_mail(seeded_db, "PIN de verificación")
    ((in_inbox, body),) = rows(
        seeded_db, "SELECT in_inbox, body FROM notifications WHERE id = ?", pin_event
    )
    assert (in_inbox, body) == (0, "")
    assert all(
        item["kind"] != "verification_pin" for item in (await inbox(demo_client, demo))["items"]
    )

    # The receiver: a notice of the credit, unread, and no e-mail.
    page = await inbox(demo_client, socio2)
    received = page["items"][0]
    assert received["kind"] == "transfer_in"
    assert received["title"] == f"Transferencia recibida {reference}"
    assert "$123,45" in received["body"] and SOCIO2_VISTA in received["body"]
    assert received["read_at"] is None
    assert page["unread"] == before + 1
    assert (
        scalar(seeded_db, "SELECT COUNT(*) FROM outbox WHERE to_address = ?", SOCIO2_EMAIL)
        == socio2_mails
    )


async def test_a_transfer_between_own_accounts_tells_no_one_else(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: DB
) -> None:
    events = scalar(seeded_db, "SELECT COUNT(*) FROM notifications WHERE kind = 'transfer_in'")
    response = await demo_client.post(
        f"{API_PREFIX}/transfers",
        json={
            "kind": "propias",
            "from_account": DEMO_VISTA,
            "to_account": "00204722",
            "amount_cents": 1_00,
            "description": "Ahorro",
        },
        headers=keyed(demo),
    )
    assert response.status_code == 201, response.text
    assert (
        scalar(seeded_db, "SELECT COUNT(*) FROM notifications WHERE kind = 'transfer_in'") == events
    )
    assert (await inbox(demo_client, demo))["items"][0]["kind"] == "transfer_out"


async def test_a_wrong_password_tells_the_member_an_unknown_name_tells_nobody(
    demo_client: httpx.AsyncClient, socio2: str, seeded_db: DB
) -> None:
    before = await inbox(demo_client, socio2)
    wrong = await post_login(demo_client, "socio2", "Equivocada1")
    assert wrong.status_code == 401
    after = await inbox(demo_client, socio2)
    assert after["unread"] == before["unread"] + 1
    assert after["items"][0]["kind"] == "failed_login"
    assert "socio2" in after["items"][0]["body"]
    # No e-mail for it.
    assert (
        scalar(seeded_db, "SELECT COUNT(*) FROM outbox WHERE event_id = ?", after["items"][0]["id"])
        == 0
    )

    events = scalar(seeded_db, "SELECT COUNT(*) FROM notifications")
    unknown = await post_login(demo_client, "nadie.aqui", "Equivocada1")
    assert unknown.status_code == 401
    assert scalar(seeded_db, "SELECT COUNT(*) FROM notifications") == events


async def test_mark_read_one_then_all_idempotent_and_only_own(
    demo_client: httpx.AsyncClient, demo: str, socio2: str, seeded_db: DB
) -> None:
    page = await inbox(demo_client, demo)
    first = page["items"][0]
    assert first["read_at"] is None

    response = await read(demo_client, demo, first["id"])
    assert response.status_code == 200, response.text
    assert response.json() == {"unread": page["unread"] - 1}
    again = await read(demo_client, demo, first["id"])
    assert again.json() == {"unread": page["unread"] - 1}
    stored = scalar(seeded_db, "SELECT read_at FROM notifications WHERE id = ?", first["id"])
    assert stored is not None
    after = await inbox(demo_client, demo)
    assert after["unread"] == page["unread"] - 1
    assert after["items"][0]["read_at"] is not None

    # Another member's notice, and one that does not exist: 404, nothing changed.
    unread_before = (await inbox(demo_client, demo))["unread"]
    theirs = (await inbox(demo_client, socio2))["items"][0]
    refused = await read(demo_client, demo, theirs["id"])
    assert refused.status_code == 404, refused.text
    assert refused.json()["code"] == "not_found"
    assert scalar(seeded_db, "SELECT read_at FROM notifications WHERE id = ?", theirs["id"]) is None
    assert (await read(demo_client, demo, 999_999)).status_code == 404
    assert (await inbox(demo_client, demo))["unread"] == unread_before

    # Read all: the member's own only.
    socio2_unread = (await inbox(demo_client, socio2))["unread"]
    response = await demo_client.post(f"{NOTIFICATIONS}/read-all", headers=keyed(demo))
    assert response.status_code == 200, response.text
    assert response.json() == {"unread": 0}
    assert (await inbox(demo_client, demo))["unread"] == 0
    assert (await inbox(demo_client, socio2))["unread"] == socio2_unread
    response = await demo_client.post(f"{NOTIFICATIONS}/read-all", headers=keyed(demo))
    assert response.json() == {"unread": 0}


async def test_pages_newest_first_with_a_cursor(demo_client: httpx.AsyncClient, demo: str) -> None:
    whole = await inbox(demo_client, demo)
    seen: list[int] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = await inbox(demo_client, demo, **query)
        assert len(page["items"]) <= 2
        assert page["total"] == whole["total"]
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in whole["items"]]
    bad = await demo_client.get(
        NOTIFICATIONS, params={"cursor": "bm90LWFuLWlk"}, headers=auth(demo)
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "cursor"


async def test_a_teller_has_no_inbox(demo_client: httpx.AsyncClient, teller_token: str) -> None:
    response = await demo_client.get(NOTIFICATIONS, headers=auth(teller_token))
    assert response.status_code == 403


@pytest.mark.parametrize("kind", [notifications.CARD_BLOCKED, notifications.INSTALMENT_DUE])
@pytest.mark.parametrize("email", [False, True])
async def test_notify_for_other_areas(
    demo_client: httpx.AsyncClient, demo: str, seeded_db: DB, kind: str, email: bool
) -> None:
    """What debit cards and loans call: one event, and its e-mail when asked, from it."""
    database = Database(seeded_db, pooled=False)
    try:
        with database.connection() as conn, write_transaction(conn):
            member_id = scalar(seeded_db, "SELECT id FROM members WHERE username = 'demo'")
            with mail.writing_to(conn, member_id):
                event_id = notifications.notify(
                    conn,
                    member_id,
                    kind,
                    "Aviso de prueba",
                    "Texto del aviso.",
                    datetime.now(UTC),
                    email=email,
                )
    finally:
        database.dispose()
    first = (await inbox(demo_client, demo))["items"][0]
    assert (first["id"], first["kind"], first["title"]) == (event_id, kind, "Aviso de prueba")
    assert first["body"] == "Texto del aviso."
    sent = rows(
        seeded_db, "SELECT to_address, subject, body FROM outbox WHERE event_id = ?", event_id
    )
    if email:
        ((to, subject, body),) = sent
        assert (to, subject) == (DEMO_EMAIL, "Aviso de prueba")
        assert body.startswith("Estimado(a) María Fernanda Guamán Quispe:\n\nTexto del aviso.")
    else:
        assert sent == []


def test_e_mails_stored_before_0008_are_kept_without_an_event(seeded_db: Path | str) -> None:
    """Revision 0008 on a database of 0007 with e-mails: kept, their event_id NULL."""
    from alembic import command

    from mock_server.store.migrate import _migration_engine, alembic_config, init_db

    undone = Database(seeded_db, pooled=False)
    migrations = _migration_engine(undone)
    try:
        with migrations.begin() as conn:
            command.downgrade(alembic_config(conn), "0007")  # 0008's own downgrade
    finally:
        migrations.dispose()
        undone.dispose()
    database = Database(seeded_db, pooled=False)
    try:
        with database.connection() as conn:
            conn.execute(
                "INSERT INTO outbox (to_address, member_id, subject, body, created_at)"
                " VALUES ('demo@socios.coacsanjose.ec', 1, 'Antiguo', 'x',"
                " '2026-12-01T10:00:00.000000+00:00')"
            )
        init_db(database, CHEAP_HASHER)
    finally:
        database.dispose()
    assert rows(seeded_db, "SELECT subject, event_id FROM outbox WHERE subject = 'Antiguo'") == [
        ("Antiguo", None)
    ]
    # The downgrade dropped the seeded notices with their table: the inbox starts empty.
    assert scalar(seeded_db, "SELECT COUNT(*) FROM notifications") == 0


async def test_an_instalment_falling_due_is_told_at_login_once(
    demo_client: httpx.AsyncClient, clock: ManualClock
) -> None:
    """Issue 17: "instalment due in 3 days". The demo's 7th instalment is due on 13/12/2026;
    the overdue 6th is PRÉSTAMOS' to show, not a notice."""

    async def due_notices() -> list[dict[str, Any]]:
        token = await login_token(demo_client, "demo", "Demo2026")
        items = (await inbox(demo_client, token, limit=50))["items"]
        return [item for item in items if item["kind"] == notifications.INSTALMENT_DUE]

    clock.advance(13 * 24 * 3600)  # 08/12 at 10:00 in Ecuador: five days before
    assert await due_notices() == []
    clock.advance(2 * 24 * 3600)  # 10/12: three days before
    (notice,) = await due_notices()
    assert notice["title"] == "Cuota por vencer"
    assert notice["read_at"] is None
    assert notice["body"].startswith(
        "Cuota 7 de su crédito N.º 1: $242,43, vence el 13/12/2026.\nPuede pagarla en PRÉSTAMOS"
    )
    clock.advance(3600)  # another login the same day
    assert len(await due_notices()) == 1
    clock.advance(2 * 24 * 3600)  # 12/12, the window of the same instalment
    assert len(await due_notices()) == 1
    clock.advance(32 * 24 * 3600)  # 13/01/2027: the 8th, due on 13/01, is new
    told = await due_notices()
    assert len(told) == 2
    assert "Cuota 8 de su crédito N.º 1" in told[0]["body"]
    assert "vence el 13/01/2027" in told[0]["body"]
