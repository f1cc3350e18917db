"""Pilot at 80x24: the statement's pictures (F6) and its first page asked for from the dashboard.

The pictures are drawn from the movements already loaded: a sparkline of the balance and each
month's money in and out, readable without colour; they ask the server for nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from textual.widgets import DataTable, Sparkline

from sjvirtual_tui import rules
from sjvirtual_tui.appearance import detect_appearance
from sjvirtual_tui.formatting import money
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.statement import StatementScreen
from sjvirtual_tui.widgets.charts import IN_GLYPH, OUT_GLYPH
from tests.database import rows
from tests.tui import SIZE, make_app, screen_text, settle
from tests.tui.steps import demo_logged_in, login, press

ACCOUNT = "00104721"


class CountPages(httpx.AsyncBaseTransport):
    """The real server in-process; remembers the cursor of every statement page asked for."""

    def __init__(self, server_app: object) -> None:
        self.inner = httpx.ASGITransport(app=server_app)  # type: ignore[arg-type]
        self.cursors: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/movements"):
            self.cursors.append(request.url.params.get("cursor"))
        return await self.inner.handle_async_request(request)


def stored_months(db: Path, number: str, first_day: object, last_day: object) -> dict[str, tuple]:
    """MM/AAAA -> (in, out) cents of the account's movements in the range, from the server's
    SQLite file, by Ecuador's calendar."""
    movements = rows(
        db,
        "SELECT m.posted_at, m.amount_cents FROM movements m "
        "JOIN accounts a ON a.id = m.account_id WHERE a.number = ?",
        number,
    )
    months: dict[str, list[int]] = {}
    for posted_at, cents in movements:
        when = rules.local_datetime(datetime.fromisoformat(posted_at))
        if not first_day <= when.date() <= last_day:  # type: ignore[operator]
            continue
        sums = months.setdefault(f"{when.month:02d}/{when.year}", [0, 0])
        sums[0 if cents > 0 else 1] += abs(cents)
    return {month: (i, o) for month, (i, o) in months.items()}


async def open_statement(pilot) -> StatementScreen:
    app = pilot.app
    await login(pilot, "demo", "Demo2026")
    assert isinstance(app.screen, DashboardScreen)
    app.screen.query_one("#accounts", DataTable).move_cursor(row=0)
    await settle(pilot)
    await press(pilot, "enter")
    assert isinstance(app.screen, StatementScreen)
    return app.screen


async def test_f6_shows_balance_and_months_without_colour_and_without_requests(
    server_app, seeded_db, clock, tmp_path
):
    pages = CountPages(server_app)
    appearance = detect_appearance(None, {"TERM": "xterm-256color", "NO_COLOR": "1"})
    app = make_app(server_app, tmp_path, clock.now, transport=pages, appearance=appearance)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_statement(pilot)
        asked = len(pages.cursors)
        # The table first; F6 names itself beside the range.
        assert "F6 gráficos" in screen_text(pilot)
        await press(pilot, "f6")
        text = screen_text(pilot)
        assert not screen.query_one("#movements").display  # the pictures take its place
        # The first page (100 of the 90 days' movements) is what is loaded: said so.
        assert screen.total > 100 and len(screen.movements) == 100
        assert f"(los 100 movimientos cargados de {screen.total})" in text
        balances = [m.balance_after_cents for m in screen.movements]
        assert f"mínimo {money(min(balances))} · máximo {money(max(balances))}" in text
        sparkline = screen.query_one("#balance-sparkline", Sparkline)
        assert list(sparkline.data or []) == balances[::-1]  # oldest on the left
        assert any(bar in text for bar in "▁▂▃▄▅▆▇")
        assert f"{IN_GLYPH * 2} ingresos   {OUT_GLYPH * 2} egresos" in text
        assert len(pages.cursors) == asked  # drawn from what was loaded

        # Back to the table, End draws the second (last) page; F6: the whole range now.
        await press(pilot, "f6")
        assert screen.query_one("#movements").has_focus
        await press(pilot, "end")
        assert len(screen.movements) == screen.total
        paged = len(pages.cursors)
        await press(pilot, "f6")
        text = screen_text(pilot)
        assert f"({screen.total} movimientos)" in text
        today = rules.today_in_ecuador(clock.now())
        months = stored_months(seeded_db, ACCOUNT, today - timedelta(days=90), today)
        assert len(months) >= 3
        for month, (cents_in, cents_out) in months.items():
            line = next(x for x in text.splitlines() if x.strip().startswith(month))
            assert f"+{money(cents_in)}" in line and f"-{money(cents_out)}" in line
            # Without colour the two bars differ by their glyphs.
            assert (IN_GLYPH in line) == (cents_in > 0)
            assert (OUT_GLYPH in line) == (cents_out > 0)
        await press(pilot, "f6")
        assert len(pages.cursors) == paged  # F6 asks for nothing


async def test_the_highlighted_accounts_first_page_is_asked_once(server_app, clock, tmp_path):
    """Highlighting an account asks for its statement's first page; Enter shows that answer
    (no second request for it), and the page after it is read ahead as before."""
    pages = CountPages(server_app)
    async with demo_logged_in(server_app, clock, tmp_path, transport=pages) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        await settle(pilot)
        assert pages.cursors == [None]  # the first account is highlighted: its first page
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        assert screen.query_one("#movements", DataTable).row_count == 100
        assert screen.movements[0].description in screen_text(pilot)
        assert pages.cursors[0] is None and None not in pages.cursors[1:]
        assert len(pages.cursors) == 2  # the first page once, the second read ahead


async def test_on_the_linux_console_the_pictures_are_ascii(server_app, clock, tmp_path):
    """TERM=linux: the console's font has no eighth blocks; the sparkline's heights and the
    bars become ASCII (_ - = #, # and :) and still read apart."""
    from sjvirtual_tui.appearance import use_ascii_glyphs

    appearance = detect_appearance(None, {"TERM": "linux"})
    app = make_app(server_app, tmp_path, clock.now, appearance=appearance)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_statement(pilot)
            await press(pilot, "f6")
            text = screen_text(pilot)
            assert "## ingresos   :: egresos" in text
            assert not any(glyph in text for glyph in "▁▂▃▄▅▆▇█░")
            bars = [x for x in text.splitlines() if re.match(r"\s*\d\d/\d{4} ", x)]
            assert bars and all("#" in x and ":" in x for x in bars)
    finally:
        use_ascii_glyphs(False)


async def test_a_sent_order_drops_the_page_asked_ahead(server_app, clock, tmp_path):
    """A page asked for ahead is not served after anything was sent that may change the
    balances: the statement asks the server again."""
    import asyncio

    from sjvirtual_tui.backend.http import HttpBackend

    pages = CountPages(server_app)
    backend = HttpBackend("http://sjv.test", transport=pages)
    await backend.login("demo", "Demo2026")
    backend.prefetch_statement(ACCOUNT, limit=10)
    page = await backend.statement(ACCOUNT, limit=10)  # the one asked ahead: no new request
    assert len(pages.cursors) == 1 and len(page.items) == 10
    backend.prefetch_statement(ACCOUNT, limit=10)
    await asyncio.sleep(0)
    await backend.security_challenge("demo")  # a POST: it could have moved money
    again = await backend.statement(ACCOUNT, limit=10)
    assert len(pages.cursors) == 3 and [m.id for m in again.items] == [m.id for m in page.items]
