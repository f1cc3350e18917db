"""Statement benchmark: opening an account with 100,000 movements, beside a small one.

Runs the bundled server (fully seeded: member `masivo` owns 00190001 with 100,000 movements) on
a loopback port and the real TUI headless at 80x24 in one fresh process per sample. Measures the
time from Enter on the dashboard to the first page of movements on screen, for the default range
(90 days) and for the whole history, the time to fetch each next page while scrolling, and the
peak RSS, beside a bare Textual app's peak RSS measured in the same run.

    .venv/bin/python bench/statement.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

CASES = {"small": ("demo", "Demo2026"), "bulk": ("masivo", "Masivo2026")}


def child(case: str) -> None:
    from textual.app import App, ComposeResult
    from textual.pilot import Pilot
    from textual.widgets import Footer, Header, Static

    result: dict[str, float] = {}

    def rss_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if case == "bare":

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("Hola")
                yield Footer()

        async def bare_pilot(pilot: Pilot[None]) -> None:
            await pilot.pause()
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

        started = time.perf_counter()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StatementScreen) and app.screen.movements)
        result["open_ms"] = (time.perf_counter() - started) * 1000
        screen = app.screen
        result["range_total"] = screen.total

        # The whole history: empty «Desde».
        screen.query_one("#date-from").value = ""
        screen.query_one("#date-from").focus()
        started = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause(0.001)
        await until(pilot, lambda: screen.movements and screen.total > result["range_total"])
        result["open_all_ms"] = (time.perf_counter() - started) * 1000
        result["all_total"] = screen.total

        screen.query_one("#movements").focus()
        pages = []
        for _ in range(10):
            loaded = len(screen.movements)
            started = time.perf_counter()
            await pilot.press("end")
            await until(pilot, lambda loaded=loaded: len(screen.movements) > loaded)
            pages.append((time.perf_counter() - started) * 1000)
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
    print(f"bare Textual app peak RSS: {bare:.1f} MiB")
    header = ["account", "movs(90d)", "open 90d", "movs(all)", "open all", "next page", "RSS"]
    print("{:<22}{:>10}{:>10}{:>10}{:>10}{:>11}{:>15}".format(*header))
    for case, label in (("small", "demo 00104721"), ("bulk", "masivo 00190001")):
        rss = med(case, "rss_mib")
        print(
            f"{label:<22}{med(case, 'range_total'):>10,.0f}{med(case, 'open_ms'):>8.0f}ms"
            f"{med(case, 'all_total'):>10,.0f}{med(case, 'open_all_ms'):>8.0f}ms"
            f"{med(case, 'next_page_ms'):>9.0f}ms{rss:>7.1f}MiB {rss / bare:.2f}x"
        )


if __name__ == "__main__":
    main()
