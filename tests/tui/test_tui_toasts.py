"""Toasts go by themselves, all after the same time: none lingers over the next step."""

from __future__ import annotations

from textual.widgets._toast import Toast

from sjvirtual_tui.widgets.toast import TOAST_SECONDS
from tests.tui import SIZE, make_app, screen_text
from tests.tui.steps import login


async def test_a_toast_goes_after_the_clients_one_duration(server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now)
    # Textual shows no toasts under run_test unless asked to.
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "demo", "Demo2026")
        await pilot.press("ctrl+o")  # hides the amounts, and says so in a toast
        await pilot.pause()
        assert "Montos ocultos" in screen_text(pilot)
        (notification,) = list(app._notifications)
        assert notification.timeout == TOAST_SECONDS
        await pilot.pause(TOAST_SECONDS + 0.5)
        assert "Montos ocultos" not in screen_text(pilot)
        assert not app.screen.query(Toast)
