"""What a member does in the Pilot tests: keys pressed, text typed and Enter, logging in, opening
a screen from the dashboard. (Building the app and reading the screen: ``tests.tui``.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from textual.pilot import Pilot
from textual.screen import Screen

from sjvirtual_tui.app import SJVirtualApp
from sjvirtual_tui.screens.teller import TellerScreen
from tests.tui import running, settle, step

S = TypeVar("S", bound=Screen[Any])


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[("space" if ch == " " else ch) for ch in text])


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Presses ``keys`` and waits for what they started: the step most Pilot tests repeat."""
    await pilot.press(*keys)
    await settle(pilot)


async def submit(pilot: Pilot[None], text: str, *keys: str) -> None:
    """Types ``text`` in the focused field and presses Enter (then ``keys``), as a member answers
    one field of a form, and waits for the answer."""
    await type_text(pilot, text)
    await press(pilot, "enter", *keys)


async def type_each(pilot: Pilot[None], *texts: str) -> None:
    """Types each of ``texts`` with Enter after it (a form's fields one after the other, Enter
    moving on), then waits for the answer to the last."""
    for text in texts:
        await type_text(pilot, text)
        await pilot.press("enter")
    await settle(pilot)


async def login(pilot: Pilot[None], username: str, password: str) -> None:
    await submit(pilot, username)
    await submit(pilot, password)


async def open_as_demo(pilot: Pilot[None], *keys: str) -> None:
    """Logs the demo member in and presses ``keys`` (a flow's key, Enter on the first account…)."""
    await login(pilot, "demo", "Demo2026")
    await press(pilot, *keys)


async def open_wizard(pilot: Pilot[None], key: str, screen_type: type[S], first_step: str) -> S:
    """Presses the dashboard's ``key`` and checks that it opened ``screen_type`` at
    ``first_step``."""
    await press(pilot, key)
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    assert step(pilot) == first_step
    return screen


@asynccontextmanager
async def logged_in(
    server_app: FastAPI,
    clock: Any,
    tmp_path: Path,
    username: str,
    password: str,
    **app_options: Any,
) -> AsyncIterator[tuple[SJVirtualApp, Pilot[None]]]:
    """The app at 80x24 on ``server_app`` (see ``make_app``), ``username`` logged in (staff pass
    ``teller=True``, as the CLI's ``--teller``)."""
    async with running(server_app, clock, tmp_path, **app_options) as (app, pilot):
        await login(pilot, username, password)
        yield app, pilot


# The seeded staff (mock_server/seed) and their passwords.
STAFF = {"cajero": "Cajero2026", "supervisor": "Supervisor2026"}


@asynccontextmanager
async def staff_logged_in(
    server_app: FastAPI, clock: Any, tmp_path: Path, username: str = "cajero", **app_options: Any
) -> AsyncIterator[tuple[SJVirtualApp, Pilot[None]]]:
    """``logged_in`` for a seeded staff user, in the staff's app (``--teller``): checks it lands
    on the teller's screen (a supervisor's too: everything a teller has, and more)."""
    password = STAFF[username]
    async with logged_in(
        server_app, clock, tmp_path, username, password, teller=True, **app_options
    ) as (app, pilot):
        assert isinstance(app.screen, TellerScreen)
        yield app, pilot


@asynccontextmanager
async def demo_logged_in(
    server_app: FastAPI, clock: Any, tmp_path: Path, **app_options: Any
) -> AsyncIterator[tuple[SJVirtualApp, Pilot[None]]]:
    """``logged_in`` for the demo member."""
    async with logged_in(server_app, clock, tmp_path, "demo", "Demo2026", **app_options) as run:
        yield run
