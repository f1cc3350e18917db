"""Ctrl+S: the screen as an SVG picture in the export folder, said in a toast; never in kiosk
mode (a shared terminal keeps nothing). Pilot at 80x24 against the real FastAPI app."""

from __future__ import annotations

import html

import pytest

from tests.tui import SIZE, make_app, screen_text, settle
from tests.tui.steps import login, open_as_demo

pytestmark = pytest.mark.sqlite_only  # the client's side: one engine is enough


async def test_ctrl_s_saves_the_screen_as_svg_in_the_export_folder(server_app, clock, tmp_path):
    exports = tmp_path / "exports"  # not there yet: made when the first picture is saved
    app = make_app(server_app, exports, clock.now)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "demo", "Demo2026")
        assert "POSICIÓN CONSOLIDADA" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        pictures = sorted(exports.glob("sjvirtual-*.svg"))
        assert len(pictures) == 1
        # The toast says where, in words the member reads on screen.
        assert "Captura guardada:" in screen_text(pilot)
        assert pictures[0].name in "".join(n.message for n in app._notifications)
        svg = html.unescape(pictures[0].read_text(encoding="utf-8"))
        assert svg.startswith("<svg")
        # The screen's own text is in the picture (SVG text runs, spaces as &#160;).
        words = svg.replace("\xa0", " ")
        assert "POSICIÓN" in words and "CONSOLIDADA" in words and "00104721" in words
        # A second one in the same second keeps the first.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(list(exports.glob("sjvirtual-*.svg"))) == 2


async def test_kiosk_refuses_to_keep_a_screenshot(server_app, clock, tmp_path):
    exports = tmp_path / "exports"
    app = make_app(server_app, exports, clock.now, kiosk=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_as_demo(pilot, "ctrl+s")
        (notification,) = list(app._notifications)
        assert notification.message == "Terminal compartida: no se guardan capturas de pantalla."
        assert "Terminal compartida" in screen_text(pilot)  # the toast is on screen
    assert not exports.exists() or not any(exports.iterdir())
