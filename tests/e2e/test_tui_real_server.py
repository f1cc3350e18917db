"""The TUI against the bundled server over real HTTP on a loopback port (uvicorn)."""

from __future__ import annotations

from mock_server import create_app
from mock_server.testing import run_server_in_thread
from sjvirtual_tui.app import build_app
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.formatting import money
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.statement import StatementScreen
from tests.tui import SIZE, settle, table_rows, text_of
from tests.tui.steps import login


async def test_login_dashboard_statement_over_loopback(seeded_db, clock, tmp_path):
    with run_server_in_thread(create_app(seeded_db, clock=clock)) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        app = build_app(Settings(export_dir=tmp_path), HttpBackend(base_url), now=clock.now)
        async with app.run_test(size=SIZE) as pilot:
            await login(pilot, "socio2", "Socio2026")
            assert isinstance(app.screen, DashboardScreen)
            rows = table_rows(pilot, "#accounts")
            assert [row[0] for row in rows] == ["00105349"]  # the manual's example account
            account = app.screen.accounts[0]
            assert rows[0][2] == money(account.available_cents)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, StatementScreen)
            assert app.screen.movements
            await pilot.press("f9")
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert "Sesión cerrada" in text_of(pilot, "#notice")


async def test_a_server_that_is_not_there_is_a_message(clock, tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    app = build_app(Settings(), HttpBackend("http://127.0.0.1:9"), now=clock.now)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"demo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "No se pudo conectar con el servidor de S.J. Virtual (http://127.0.0.1:9)" in (
            text_of(pilot, "#problem")
        )
