"""Helpers for the Pilot tests: build the app on the real FastAPI app, read what is on screen.
(What a member does, keys and logging in: ``tests.tui.steps``.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from keyring.backend import KeyringBackend
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, DataTable, Label, Static

from sjvirtual_tui.app import SJVirtualApp, build_app
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.widgets.form import FormField

SIZE = (80, 24)


class MemoryKeyring(KeyringBackend):
    """A keyring that works, kept in a dict the test can read."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


class FakeMonotonic:
    """The client's idle clock, driven by the test."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


def make_app(
    server_app: FastAPI,
    export_dir: Path,
    now: Callable[[], datetime],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    monotonic: Callable[[], float] | None = None,
    base_url: str = "http://sjv.test",
    retry_delays: tuple[float, ...] = (0.0, 0.0),  # lost answers are retried without waiting
    **app_options: Any,
) -> SJVirtualApp:
    """The app as the CLI builds it, talking HTTP to ``server_app`` in-process."""
    backend = HttpBackend(
        base_url,
        transport=transport or httpx.ASGITransport(app=server_app),
        retry_delays=retry_delays,
        **({"monotonic": monotonic} if monotonic else {}),
    )
    if monotonic is not None:
        app_options.setdefault("monotonic", monotonic)  # the idle lock counts on it too
    return build_app(Settings(export_dir=export_dir), backend, now=now, **app_options)


@asynccontextmanager
async def running(
    server_app: FastAPI, clock: Any, tmp_path: Path, **app_options: Any
) -> AsyncIterator[tuple[SJVirtualApp, Pilot[None]]]:
    """``make_app`` run at 80x24 (the login on screen): the app and its pilot."""
    app = make_app(server_app, tmp_path, clock.now, **app_options)
    async with app.run_test(size=SIZE) as pilot:
        yield app, pilot


async def settle(pilot: Pilot[None], rounds: int = 4) -> None:
    """Lets workers finish and the screen refresh (each backend call is a worker)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # Every step every test waits for is also checked to fit the thin terminal.
    if pilot.app.size == SIZE:
        problems = cut_off(pilot)
        assert not problems, "cut off at 80x24:\n" + "\n".join(problems)


def text_of(pilot: Pilot[None], selector: str) -> str:
    widget = pilot.app.screen.query_one(selector)
    assert isinstance(widget, Static | Label)
    return str(widget.render())


def table_rows(pilot: Pilot[None], selector: str) -> list[list[str]]:
    table = pilot.app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def step(pilot: Pilot[None]) -> str:
    """The wizard's step on screen: its ContentSwitcher's current child."""
    return pilot.app.screen.query_one(ContentSwitcher).current or ""


def field(pilot: Pilot[None], selector: str) -> FormField:
    return pilot.app.screen.query_one(selector, FormField)


def screen_text(pilot: Pilot[None]) -> str:
    """The whole screen as a person sees it (every layer, after Textual's line filters: hidden
    amounts stay hidden here too)."""
    app = pilot.app
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


def cut_off(pilot: Pilot[None]) -> list[str]:
    """Widgets drawn (partly) outside the 80x24 screen with no scrolling parent to reach them:
    what a member at a thin terminal would never see."""
    from textual.containers import ScrollableContainer
    from textual.widget import Widget

    screen = pilot.app.screen
    bounds = screen.region
    problems: list[str] = []
    for widget in screen.walk_children(Widget):
        if not widget.display or not widget.visible or widget.region.area == 0:
            continue
        scrolls = any(
            isinstance(a, ScrollableContainer) or a.styles.overflow_y in ("auto", "scroll")
            for a in widget.ancestors
            if isinstance(a, Widget) and a is not screen
        ) or (
            widget.styles.overflow_y in ("auto", "scroll") and widget.region.right <= bounds.right
        )
        if scrolls:
            continue
        if not bounds.contains_region(widget.region):
            # ancestors end with the App, which has no region
            parents = " < ".join(
                f"{a!r} {a.region}" for a in widget.ancestors[:3] if isinstance(a, Widget)
            )
            problems.append(f"{widget!r} at {widget.region} in {parents}")
    return problems
