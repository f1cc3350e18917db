"""A backend call that has not answered in 300 ms says so where the member is looking, and a
second Enter meanwhile sends nothing (the screens' common call path, screens/base.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot

from sjvirtual_tui.app import build_app
from sjvirtual_tui.appearance import Appearance
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.screens.base import BUSY_AFTER_SECONDS
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from tests.api import FIRST_PASSWORD, LUIS, approved_code, set_password
from tests.tui import SIZE, screen_text, settle
from tests.tui.steps import login, type_text

BUSY_WORDS = "Procesando"


class SlowBackend:
    """The real backend, but ``slow`` waits for :attr:`release` before going to the server;
    :attr:`calls` counts the requests it was asked for."""

    def __init__(self, real: HttpBackend, slow: str) -> None:
        self._real = real
        self._slow = slow
        self.calls = 0
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name != self._slow:
            return attr

        async def slowed(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            await self.release.wait()
            return await attr(*args, **kwargs)

        return slowed


def slow_app(server_app, tmp_path, now: Callable[..., Any], slow: str, **options: Any):
    real = HttpBackend(
        "http://sjv.test",
        transport=httpx.ASGITransport(app=server_app),
        retry_delays=(0.0, 0.0),
    )
    backend = SlowBackend(real, slow)
    app = build_app(Settings(export_dir=tmp_path), backend, now=now, **options)  # type: ignore[arg-type]
    return app, backend


async def busy_shown_after(pilot: Pilot[None], pressed_at: float, limit: float = 2.0) -> float:
    """Seconds from the Enter to the busy line on screen (polled every 20 ms)."""
    while time.monotonic() - pressed_at < limit:
        if BUSY_WORDS in screen_text(pilot):
            return time.monotonic() - pressed_at
        await pilot.pause(0.02)
    raise AssertionError("no busy line within {limit} s:\n" + screen_text(pilot))


async def test_a_slow_login_shows_the_busy_line_and_a_second_enter_sends_nothing(
    server_app, clock, tmp_path
):
    app, backend = slow_app(server_app, tmp_path, clock.now, "login")
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "demo")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "Demo2026")
        pressed_at = time.monotonic()
        await pilot.press("enter")  # SIGUIENTE
        await pilot.pause(0.1)
        assert backend.calls == 1
        assert BUSY_WORDS not in screen_text(pilot)  # a quick answer shows nothing
        waited = await busy_shown_after(pilot, pressed_at)
        assert waited >= BUSY_AFTER_SECONDS
        # On the login screen, under the password and SIGUIENTE.
        assert isinstance(app.screen, LoginScreen)
        lines = screen_text(pilot).splitlines()
        busy_row = next(i for i, line in enumerate(lines) if BUSY_WORDS in line)
        button_row = next(i for i, line in enumerate(lines) if "SIGUIENTE" in line)
        assert 0 < busy_row - button_row <= 3

        await pilot.press("enter")  # impatient: SIGUIENTE again
        await pilot.pause(0.2)
        assert backend.calls == 1  # nothing sent
        assert BUSY_WORDS in screen_text(pilot)

        backend.release.set()
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert BUSY_WORDS not in screen_text(pilot)
        assert backend.calls == 1
        # The login screen underneath does not keep it for the next session either.
        assert BUSY_WORDS not in str(app.login_screen.query_one("#problem").render())


async def test_primer_ingreso_confirmar_says_it_is_working(
    demo_app, demo_client, seeded_db, teller_token, clock, tmp_path
):
    """CONFIRMAR of PRIMER INGRESO (argon2 on the server: seconds), under NO_COLOR."""
    code = await approved_code(demo_client, seeded_db, teller_token)
    assert (await set_password(demo_client, code, FIRST_PASSWORD)).status_code == 204

    app, backend = slow_app(
        demo_app, tmp_path, clock.now, "complete_setup", appearance=Appearance(no_color=True)
    )
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, LUIS["usuario"], FIRST_PASSWORD)
        screen = app.screen
        assert isinstance(screen, FirstLoginScreen)
        # The steps as a member fills them (each step's own Enter is another story: the last
        # one's CONFIRMAR is what this test is about).
        screen.pair.password.value = "Segunda2027"
        screen.pair.repeat.value = "Segunda2027"
        screen.security.own_question.value = "Nombre de mi abuela"
        screen.security.own_answer.value = "Rosa"
        screen.go("fl-question")
        await settle(pilot)
        screen.security.answer.input.focus()
        await type_text(pilot, "Guayaquil")
        pressed_at = time.monotonic()
        await pilot.press("enter")  # CONFIRMAR
        await pilot.pause(0.1)
        assert backend.calls == 1
        assert BUSY_WORDS not in screen_text(pilot)
        waited = await busy_shown_after(pilot, pressed_at)
        assert waited >= BUSY_AFTER_SECONDS
        assert screen.query_one("#problem").region.bottom <= SIZE[1]  # on screen at 80x24

        await pilot.press("enter")
        await pilot.pause(0.2)
        assert backend.calls == 1

        backend.release.set()
        await settle(pilot)
        assert screen.query_one("#fl-done").display
        assert "lista" in screen_text(pilot)
        assert BUSY_WORDS not in screen_text(pilot)
        assert backend.calls == 1
