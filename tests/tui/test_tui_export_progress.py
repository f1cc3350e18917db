"""F2 on the statement: a progress bar (rows done of the total, time left) and Escape cancels,
leaving no file at all; a finished export has every row. Pilot at 80x24, the real FastAPI app."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar

from sjvirtual_tui.formatting import count
from sjvirtual_tui.screens.statement import StatementScreen
from sjvirtual_tui.widgets.progress import ExportProgress, time_left
from tests.database import scalar
from tests.tui import SIZE, make_app, screen_text, settle, text_of
from tests.tui.steps import open_as_demo

ACCOUNT = "00104721"


class GatedTransport(httpx.AsyncBaseTransport):
    """The app's transport, except that an export page after the first (oldest first, with a
    cursor) waits until the test opens the gate: the export is caught half-way."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        # The export's pages are oldest first; the screen's own (newest first) are let through.
        if (
            request.url.path.endswith("/movements")
            and params.get("order") == "asc"
            and ("cursor" in params)
        ):
            self.held += 1
            await self.gate.wait()
        return await self.inner.handle_async_request(request)


def stored_movements(db: Path) -> int:
    return int(
        scalar(
            db,
            "SELECT count(*) FROM movements m JOIN accounts a ON a.id = m.account_id "
            "WHERE a.number = ?",
            ACCOUNT,
        )
    )


async def wait_for(pilot: Pilot[None], condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def open_whole_statement(pilot: Pilot[None]) -> StatementScreen:
    await open_as_demo(pilot, "enter")  # the first account
    screen = pilot.app.screen
    assert isinstance(screen, StatementScreen)
    screen.query_one("#date-from", Input).value = ""  # the whole history: several pages
    return screen


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_escape_cancels_the_export_and_leaves_no_file(server_app, seeded_db, clock, tmp_path):
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    transport = GatedTransport(httpx.ASGITransport(app=server_app))
    app = make_app(server_app, export_dir, clock.now, transport=transport)
    total = stored_movements(seeded_db)
    assert total > 1000  # more than two export pages of 500
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_whole_statement(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: transport.held == 1, "the second page asked for")
        await pilot.pause()
        # Half-way: the rows of the first page of the total, the bar, and how to cancel.
        progress = screen.query_one(ExportProgress)
        assert progress.has_focus
        line = text_of(pilot, "#progress-text")
        assert line.startswith(f"Exportando 500 de {count(total)} movimientos · faltan ~")
        assert line.endswith("· Esc cancela")
        bar = screen.query_one(ProgressBar)
        assert (bar.progress, bar.total) == (500, total)
        assert "esc Cancelar exportación" in screen_text(pilot)  # in the footer
        # The rows so far are in a temporary file, never under the export's name.
        assert all(name.startswith(".sjvirtual-") for name in files_in(export_dir))

        await pilot.press("escape")
        await pilot.pause()
        transport.gate.set()  # the page that was on its way comes back to nobody
        await settle(pilot)
        assert app.screen is screen  # Escape cancelled the export; it did not leave the screen
        assert not screen.query(ExportProgress)
        assert text_of(pilot, "#statement-status") == (
            "Exportación cancelada: no se guardó ningún archivo."
        )
        assert screen.last_export is None
        assert files_in(export_dir) == []  # no partial file, no temporary one either


async def test_a_finished_export_has_every_row_and_the_bar_goes(
    server_app, seeded_db, clock, tmp_path
):
    transport = GatedTransport(httpx.ASGITransport(app=server_app))
    transport.gate.set()
    export_dir = tmp_path / "exports"
    app = make_app(server_app, export_dir, clock.now, transport=transport)
    total = stored_movements(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_whole_statement(pilot)
        await pilot.press("f2")
        await settle(pilot, rounds=8)
        assert screen.last_export is not None
        assert not screen.query(ExportProgress)
        status = text_of(pilot, "#statement-status")
        assert status.startswith(f"Exportados {count(total)} movimientos a:")
        assert str(screen.last_export) in status
        with screen.last_export.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert files_in(export_dir) == [screen.last_export.name]  # no temporary file left
        # Escape is the screen's again: back to the accounts.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, StatementScreen)
    assert len(rows) == total
    newest = scalar(
        seeded_db,
        "SELECT m.balance_after_cents FROM movements m JOIN accounts a ON a.id = m.account_id "
        "WHERE a.number = ? ORDER BY m.posted_at DESC, m.seq DESC LIMIT 1",
        ACCOUNT,
    )
    assert rows[-1]["saldo"] == f"{newest // 100}.{newest % 100:02d}"


def test_time_left_reads_as_an_estimate():
    assert time_left(0.2) == "~1 s"
    assert time_left(4.4) == "~4 s"
    assert time_left(80) == "~1 min 20 s"
