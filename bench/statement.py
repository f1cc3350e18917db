"""Statement benchmark: opening an account with 100,000 movements, beside a small one.

Runs the bundled server (fully seeded: member `masivo` owns 00190001 with 100,000 movements) on
a loopback port and the real TUI headless at 80x24 in one fresh process per sample. Measures the
time from Enter on the dashboard to the first page of movements on screen, for the default range
(90 days) and for the whole history, the time to draw each next page while scrolling (End), and
the peak RSS, beside a bare Textual app doing the same steps without a server in the same run,
with ``target … PASS/FAIL`` lines (issue 15). Times run from the key sent as a terminal sends
it to the first frame written that shows the rows: not through ``Pilot.press``, which waits
until the whole process (the demo server's thread included) is idle.

    .venv/bin/python bench/statement.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

# Targets (issue 15): the statement opens (Enter -> first rows drawn) in <= 150 ms and the next
# page is drawn in <= 50 ms, at 1,200 and at 100,000 movements.
OPEN_TARGET_MS = 150.0
PAGE_TARGET_MS = 50.0

CASES = {"small": ("demo", "Demo2026"), "bulk": ("masivo", "Masivo2026")}


class Frames:
    """When the screen's frames reach the terminal (headless: the driver's output is dropped,
    but the frame was composed and written as on a terminal), to time key -> frame without
    Pilot's waits: ``Pilot.press`` waits until the whole process is idle, server thread and
    animations included, which is not what a member waits for."""

    def __init__(self) -> None:
        from textual.app import App

        self.wanted: Callable[[], bool] | None = None
        self.drawn: asyncio.Future[float] | None = None
        real_display = App._display

        def display(app: App[None], screen: object, renderable: object) -> None:
            real_display(app, screen, renderable)  # type: ignore[arg-type]
            wanted, drawn = self.wanted, self.drawn
            if renderable is not None and wanted and drawn and not drawn.done() and wanted():
                drawn.set_result(time.perf_counter())

        App._display = display  # type: ignore[method-assign]

    async def key_to_frame(self, app: App[None], key: str, wanted: Callable[[], bool]) -> float:
        """Milliseconds from ``key`` sent (as the terminal sends it) to the first frame on the
        terminal in which ``wanted()`` holds."""
        from textual import events

        self.wanted, self.drawn = wanted, asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        event = events.Key(key, "\r" if key == "enter" else None)
        event.set_sender(app)
        assert app._driver is not None
        app._driver.send_message(event)
        drawn = await asyncio.wait_for(self.drawn, 30)
        self.wanted = self.drawn = None
        return (drawn - started) * 1000


def child(case: str) -> None:
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header, Static

    result: dict[str, float] = {}
    frames = Frames()

    def rss_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if case == "bare":
        # The same steps with nothing but Textual: Enter pushes a screen whose table gets a
        # page of rows (no server, no formatting); End adds the next page.
        rows = [(f"{i:05d}", "Movimiento", "REF", "1,00", "", "100,00") for i in range(100)]

        class Table(Screen[None]):
            BINDINGS = [Binding("end", "more", priority=True)]

            def compose(self) -> ComposeResult:
                yield Header()
                yield DataTable(id="rows")
                yield Footer()

            def on_mount(self) -> None:
                table = self.query_one(DataTable)
                table.add_columns("Fecha", "Descripción", "Referencia", "Débito", "Crédito", "S")
                self.action_more()

            def action_more(self) -> None:
                self.query_one(DataTable).add_rows(rows)

        class Bare(App[None]):
            BINDINGS = [("enter", "open")]

            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("Hola")
                yield Footer()

            def action_open(self) -> None:
                self.push_screen(Table())

        async def bare_pilot(pilot: Pilot[None]) -> None:
            app = pilot.app
            await pilot.pause()

            def table() -> DataTable[str] | None:
                return app.screen.query_one(DataTable) if isinstance(app.screen, Table) else None

            result["open_ms"] = await frames.key_to_frame(
                app, "enter", lambda: (t := table()) is not None and t.row_count > 0
            )
            await pilot.pause()
            t = table()
            assert t is not None
            t.focus()
            pages = []
            for _ in range(10):
                loaded = t.row_count
                pages.append(
                    await frames.key_to_frame(app, "end", lambda n=loaded: t.row_count > n)
                )
                await pilot.pause()
            result["next_page_ms"] = statistics.median(pages)
            result["rss_mib"] = rss_mib()
            pilot.app.exit()

        Bare().run(headless=True, size=(80, 24), auto_pilot=bare_pilot)
        print(json.dumps(result))
        return

    from sjvirtual_tui.app import build_app
    from sjvirtual_tui.backend.http import HttpBackend
    from sjvirtual_tui.config import Settings
    from sjvirtual_tui.demo import demo_server
    from sjvirtual_tui.screens.dashboard import DashboardScreen
    from sjvirtual_tui.screens.statement import StatementScreen

    username, password = CASES[case]

    async def until(pilot: Pilot[None], done: object) -> None:
        while not done():  # type: ignore[operator]
            await pilot.pause(0.002)

    async def walk(pilot: Pilot[None]) -> None:
        app = pilot.app
        await pilot.press(*username, "enter")
        await until(pilot, lambda: app.screen.query("#password").first().display)
        await pilot.pause(0.2)
        await pilot.press(*password, "enter")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await until(pilot, lambda: app.screen.accounts)
        account = next(a for a in app.screen.accounts if a.number in ("00190001", "00104721"))
        app.screen.query_one("#accounts").move_cursor(row=app.screen.accounts.index(account))
        await pilot.pause()

        # Enter on the account -> the statement's first rows on the terminal.
        result["open_ms"] = await frames.key_to_frame(
            app,
            "enter",
            lambda: isinstance(app.screen, StatementScreen) and bool(app.screen.movements),
        )
        screen = app.screen
        assert isinstance(screen, StatementScreen)
        result["range_total"] = screen.total
        await pilot.pause()

        # The whole history: empty «Desde», Enter -> its first rows on the terminal.
        screen.query_one("#date-from").value = ""
        screen.query_one("#date-from").focus()
        await pilot.pause()
        result["open_all_ms"] = await frames.key_to_frame(
            app, "enter", lambda: bool(screen.movements) and screen.total > result["range_total"]
        )
        result["all_total"] = screen.total
        await pilot.pause()

        # End on the table -> the next page's rows on the terminal.
        screen.query_one("#movements").focus()
        await pilot.pause()
        pages = []
        for _ in range(10):
            loaded = len(screen.movements)
            pages.append(
                await frames.key_to_frame(app, "end", lambda n=loaded: len(screen.movements) > n)
            )
            await pilot.pause()
        result["next_page_ms"] = statistics.median(pages)
        result["rows_loaded"] = len(screen.movements)
        result["rss_mib"] = rss_mib()
        app.exit()

    with demo_server() as url:
        settings = Settings()
        app = build_app(settings, HttpBackend(url))
        app.run(headless=True, size=(80, 24), auto_pilot=walk)
    print(json.dumps(result))


def sample(case: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", case], capture_output=True, text=True, check=True
    ).stdout
    return json.loads([x for x in out.splitlines() if x.startswith("{")][-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["bare", *CASES])
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sample("small")  # builds the seed template once (not counted)
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "small": [], "bulk": []}
    for _ in range(args.runs):
        for case in runs:
            runs[case].append(sample(case))

    def med(case: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[case])

    bare = med("bare", "rss_mib")
    print(f"statement at 80x24 over real HTTP on loopback, median of {args.runs} runs")
    print("times: from the key sent to the first frame on the terminal that shows the rows")
    print(
        f"bare Textual app (Enter pushes a table of 100 rows; End adds 100): open "
        f"{med('bare', 'open_ms'):.0f} ms, next page {med('bare', 'next_page_ms'):.0f} ms, "
        f"peak RSS {bare:.1f} MiB"
    )
    header = ["account", "movs(90d)", "open 90d", "movs(all)", "open all", "next page", "RSS"]
    print("{:<22}{:>10}{:>10}{:>10}{:>10}{:>11}{:>15}".format(*header))
    targets: list[tuple[str, float, float]] = []
    for case, label in (("small", "demo 00104721"), ("bulk", "masivo 00190001")):
        rss = med(case, "rss_mib")
        print(
            f"{label:<22}{med(case, 'range_total'):>10,.0f}{med(case, 'open_ms'):>8.0f}ms"
            f"{med(case, 'all_total'):>10,.0f}{med(case, 'open_all_ms'):>8.0f}ms"
            f"{med(case, 'next_page_ms'):>9.0f}ms{rss:>7.1f}MiB {rss / bare:.2f}x"
        )
        movements = f"{med(case, 'all_total'):,.0f} movements"
        targets += [
            (f"open, 90 days ({label})", med(case, "open_ms"), OPEN_TARGET_MS),
            (f"open, {movements} ({label})", med(case, "open_all_ms"), OPEN_TARGET_MS),
            (f"next page, {movements} ({label})", med(case, "next_page_ms"), PAGE_TARGET_MS),
        ]
    # The bare app's same step in this run: on a busy machine both slow down alike.
    bare_open, bare_page = med("bare", "open_ms"), med("bare", "next_page_ms")
    for name, value, limit in targets:
        verdict = "PASS" if value <= limit else "FAIL"
        bare_step = bare_page if name.startswith("next page") else bare_open
        print(
            f"target statement {name} <= {limit:.0f} ms: {verdict} ({value:.0f} ms, "
            f"{value / bare_step:.2f}x the bare app's {bare_step:.0f} ms)"
        )


if __name__ == "__main__":
    main()
