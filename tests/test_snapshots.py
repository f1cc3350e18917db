"""SVG snapshots of the key screens at 80x24 (pytest-textual-snapshot).

After a deliberate change of a screen: `pytest tests/test_snapshots.py --snapshot-update`, then
look at the new SVGs before committing them.
"""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui import SIZE, login, make_app, settle, type_text


def test_login_screen(snap_compare, server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now)
    app.login_screen.demo_hint = None
    assert snap_compare(app, terminal_size=SIZE)


def test_login_security_image_step(snap_compare, server_app, clock, tmp_path):
    async def run_before(pilot: Pilot[None]) -> None:
        await type_text(pilot, "demo")
        await pilot.press("enter")
        await settle(pilot)

    app = make_app(server_app, tmp_path, clock.now)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_dashboard(snap_compare, server_app, clock, tmp_path):
    async def run_before(pilot: Pilot[None]) -> None:
        await login(pilot, "demo", "Demo2026")

    app = make_app(server_app, tmp_path, clock.now)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_statement(snap_compare, server_app, clock, tmp_path):
    async def run_before(pilot: Pilot[None]) -> None:
        await login(pilot, "demo", "Demo2026")
        await pilot.press("enter")
        await settle(pilot)

    app = make_app(server_app, tmp_path, clock.now)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
