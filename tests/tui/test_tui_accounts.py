"""Pilot walks at 80x24: dashboard -> statement -> paging -> CSV export, logout and expiry."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from textual.widgets import DataTable, Input

from sjvirtual_tui.formatting import count, money
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.statement import StatementScreen
from tests.database import rows
from tests.tui import SIZE, FakeMonotonic, make_app, running, settle, table_rows, text_of
from tests.tui.steps import demo_logged_in, login, open_as_demo, press


def stored_accounts(db: Path, username: str) -> dict[str, tuple[int, int]]:
    """(available, accounting) cents per account, read straight from the server's SQLite file."""
    stored = rows(
        db,
        "SELECT a.number, a.balance_cents - a.hold_cents, a.balance_cents FROM accounts a "
        "JOIN members m ON m.holder_id = a.holder_id WHERE m.username = ? ORDER BY a.number",
        username,
    )
    return {number: (available, accounting) for number, available, accounting in stored}


async def test_dashboard_shows_the_stored_balances_in_dollars(
    server_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        stored = stored_accounts(seeded_db, "demo")
        rows = table_rows(pilot, "#accounts")
        assert [row[0] for row in rows] == ["00104721", "00204722"]
        assert rows[0][1] == "Ahorro a la vista"
        assert rows[1][1] == "Ahorro personal"
        for number, _kind, available, accounting in rows:
            assert (available, accounting) == tuple(money(c) for c in stored[number])
        assert "María Fernanda Guamán Quispe" in text_of(pilot, "#member-line")
        # The previous login, in Ecuador's time (seeded as yesterday at 18:42).
        assert "Último ingreso: 24/11/2026 18:42" in text_of(pilot, "#member-line")
        total = sum(available for available, _ in stored.values())
        assert f"Total disponible: {money(total)}" in text_of(pilot, "#accounts-total")


async def test_statement_pages_as_you_scroll_and_exports_csv(
    server_app, seeded_db, clock, tmp_path
):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "enter")  # the first account
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        assert screen.account.number == "00104721"
        table = screen.query_one("#movements", DataTable)
        # The default range is the last 90 days: more than one page of 100 in the seed.
        assert screen.total > 100
        assert table.row_count == 100
        assert text_of(pilot, "#statement-status").startswith(
            f"Movimiento 1 de {count(screen.total)}"
        )
        # Newest first, each row's balance is the stored running balance.
        first = screen.movements[0]
        assert table.get_row_at(0)[5].plain == money(first.balance_after_cents)
        await press(pilot, "end")  # to the last loaded row: the next page comes
        assert table.row_count == min(200, screen.total)
        ids = [m.id for m in screen.movements]
        assert len(ids) == len(set(ids))

        await pilot.press("f2")
        await settle(pilot, rounds=8)
        assert screen.last_export is not None
        assert screen.last_export.parent == tmp_path
        assert str(screen.last_export) in text_of(pilot, "#statement-status")
        with screen.last_export.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    assert len(rows) == screen.total
    assert [r["fecha"] for r in rows] == sorted(r["fecha"] for r in rows)  # chronological
    # The CSV's last balance is the newest movement's stored balance.
    with sqlite3.connect(seeded_db) as conn:
        (newest_balance,) = conn.execute(
            "SELECT m.balance_after_cents FROM movements m JOIN accounts a ON a.id = m.account_id "
            "WHERE a.number = '00104721' ORDER BY m.posted_at DESC, m.seq DESC LIMIT 1"
        ).fetchone()
    whole, cents = divmod(newest_balance, 100)
    assert rows[-1]["saldo"] == f"{whole}.{cents:02d}"


async def test_statement_refuses_a_bad_range_where_it_was_typed(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        before = len(screen.movements)
        date_from = screen.query_one("#date-from", Input)
        for typed, expected in (
            ("31/02/2026", "Desde: Esa fecha no existe."),
            ("2026-01-01", "Desde: Escriba la fecha como dd/mm/aaaa."),
            ("[red]1[/]", "Desde: Escriba la fecha como dd/mm/aaaa."),
            ("01/01/2030", "«Desde» debe ser anterior o igual a «Hasta»."),
        ):
            date_from.value = typed
            date_from.focus()
            await press(pilot, "enter")
            assert text_of(pilot, "#range-error") == expected
            assert len(screen.movements) == before  # nothing changed
        # A valid narrower range replaces the rows.
        date_from.value = "20/11/2026"
        screen.query_one("#date-to", Input).value = "25/11/2026"
        await press(pilot, "enter")
        assert text_of(pilot, "#range-error") == ""
        assert 0 < screen.total < before


async def test_logout_from_the_statement_ends_the_server_session(
    server_app, api_client, clock, tmp_path
):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        assert app.session is not None
        token = app.session.token
        await press(pilot, "enter")
        await press(pilot, "f9")
        assert isinstance(app.screen, LoginScreen)
        assert "Sesión cerrada" in text_of(pilot, "#notice")
    response = await api_client.get(
        "/api/v1/accounts", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


async def test_server_side_idle_expiry_returns_to_login_saying_why(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "enter")
        clock.advance(301)
        await press(pilot, "f5")  # any request now meets the expired session
        assert isinstance(app.screen, LoginScreen)
        assert "inactividad" in text_of(pilot, "#notice")
        assert app.session is None


async def test_client_idle_timer_locks_an_abandoned_screen(server_app, clock, tmp_path):
    monotonic = FakeMonotonic()
    async with demo_logged_in(server_app, clock, tmp_path, monotonic=monotonic) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        monotonic.advance(299)
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)  # not yet
        monotonic.advance(2)
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "5 minutos sin actividad" in text_of(pilot, "#notice")


async def test_a_read_on_a_dropped_connection_is_retried(server_app, seeded_db, clock, tmp_path):
    """The server closed a kept-alive connection while the member read the screen: the next
    read fails once on it and is sent again, without a message."""
    import httpx

    inner = httpx.ASGITransport(app=server_app)
    dropped: list[str] = []

    class DropFirstAccountsRead(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/accounts") and not dropped:
                dropped.append(request.url.path)
                raise httpx.RemoteProtocolError("Server disconnected", request=request)
            return await inner.handle_async_request(request)

    app = make_app(server_app, tmp_path, clock.now, transport=DropFirstAccountsRead())
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
        assert dropped  # the first read did fail
        assert [row[0] for row in table_rows(pilot, "#accounts")] == ["00104721", "00204722"]
        assert text_of(pilot, "#problem") == ""


async def test_the_statement_reads_the_next_page_ahead(server_app, clock, tmp_path):
    """The page after the shown ones is asked for as soon as they are drawn, so reaching the
    end shows it without waiting for the server; the page after it is read ahead in turn."""
    import httpx

    inner = httpx.ASGITransport(app=server_app)
    cursors: list[str | None] = []

    class CountPages(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/movements"):
                cursors.append(request.url.params.get("cursor"))
            return await inner.handle_async_request(request)

    app = make_app(server_app, tmp_path, clock.now, transport=CountPages())
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        screen = app.screen
        screen.query_one("#accounts", DataTable).move_cursor(row=0)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        table = screen.query_one("#movements", DataTable)
        # The whole history: 1,200 movements, twelve pages of 100.
        screen.query_one("#date-from", Input).value = ""
        screen.query_one("#date-from", Input).focus()
        cursors.clear()
        await press(pilot, "enter")
        assert screen.total == 1200
        # One page drawn, the second one already asked for (the member has not moved yet).
        assert table.row_count == 100
        assert len(cursors) == 2 and cursors[0] is None and cursors[1] is not None
        assert screen.ahead is not None
        table.focus()
        await pilot.press("end")  # the page ahead is drawn at once, the next one asked for
        assert table.row_count == 200
        await settle(pilot)
        assert len(cursors) == 3 and len(set(cursors)) == 3
        assert [m.id for m in screen.movements] == [int(k.value) for k in table.rows]
        assert len({m.id for m in screen.movements}) == 200
        # The cursor stays on the row End reached; the status counts what is loaded now.
        assert text_of(pilot, "#statement-status").startswith(
            "Movimiento 100 de 1.200 (cargados 200"
        )
