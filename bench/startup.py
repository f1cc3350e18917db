"""Start-up benchmark: time and peak memory to the first screen, beside a bare Textual app.

Each sample is a fresh Python process (imports included), headless at 80x24, that stops as soon
as its first screen has been composed and painted. Printed: medians over the runs, peak RSS, and
the ratios to the bare app measured in this same run. Targets: the login screen's first frame
<= 1.2x the bare app's time (issue 15), memory <= 1.3x; the demo (TUI + bundled server) <= 2.5x.

    .venv/bin/python bench/startup.py [--runs 7] [--instructions]

--instructions also counts, with valgrind's callgrind, the instructions from process start to the
first frame of the bare app and of the login screen: the same on a busy machine as on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = ("bare", "login", "demo")
# Target (issue 15): the login screen's first frame in <= 1.2x the bare app's time.
LOGIN_TARGET = 1.2


def child(kind: str, started: float, first_frame_only: bool = False) -> None:
    """Runs one app until its first screen is on the terminal, then prints a JSON line.
    ``first_frame_only``: the process ends right there (for counting instructions)."""
    from textual.app import App, ComposeResult
    from textual.pilot import Pilot
    from textual.widgets import Footer, Header, Static

    result: dict[str, float] = {}
    real_display = App._display

    def rss_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def display(self: App[None], screen: object, renderable: object) -> None:
        # The instant the first frame of the first real screen goes to the terminal.
        real_display(self, screen, renderable)  # type: ignore[arg-type]
        wanted = "Screen" if kind == "bare" else "LoginScreen"
        if "seconds" not in result and renderable is not None and type(screen).__name__ == wanted:
            result["seconds"] = time.time() - started
            result["rss_mib"] = rss_mib()
            if first_frame_only:
                print(json.dumps(result), flush=True)
                os._exit(0)

    App._display = display  # type: ignore[method-assign]

    async def settle(pilot: Pilot[None]) -> None:
        """After the first frame: wait until the app has loaded everything, for the RSS then."""
        app = pilot.app
        while "seconds" not in result:
            await pilot.pause(0.01)
        if kind != "bare":
            while app._backend is None:  # type: ignore[attr-defined]
                await pilot.pause(0.01)
        result["rss_settled_mib"] = rss_mib()
        app.exit()

    if kind == "bare":

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("Hola")
                yield Footer()

        Bare().run(headless=True, size=(80, 24), auto_pilot=settle)
    else:
        # The real entry point, with the app's run() made headless at 80x24.
        from sjvirtual_tui import cli
        from sjvirtual_tui.app import SJVirtualApp

        real_run = SJVirtualApp.run

        def headless_run(self: SJVirtualApp, **kwargs: object) -> None:
            real_run(self, headless=True, size=(80, 24), auto_pilot=settle)

        SJVirtualApp.run = headless_run  # type: ignore[method-assign,assignment]
        # Headless: no terminal on stdin is needed (the CLI refuses to start without one).
        from sjvirtual_tui import kiosk

        kiosk.terminal_problem = lambda stdin=None: None  # type: ignore[assignment]
        # --server: the login screen sends nothing before INGRESAR, so no server is needed.
        cli.main(["--server", "http://127.0.0.1:9"] if kind == "login" else ["--demo"])
    print(json.dumps(result))


def sample(kind: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--started", repr(started)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def instructions(kind: str) -> int:
    """Instructions from process start to the first frame, counted by callgrind (the same on a
    busy machine as on an idle one, unlike the clock)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                kind,
                "--started",
                repr(time.time()),
                "--first-frame-only",
            ],
            capture_output=True,
            check=True,
            timeout=900,
        )
        with open(out) as f:
            totals = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.MULTILINE)
        assert totals is not None, "no totals in callgrind's output"
        return int(totals.group(1))


def count_instructions() -> None:
    print("instructions from process start to the first frame (valgrind --tool=callgrind)")
    counts = {kind: instructions(kind) for kind in ("bare", "login")}
    for kind, count in counts.items():
        print(f"{kind:<8}{count / 1e6:>9,.0f} M{count / counts['bare']:>7.2f}x")
    ratio = counts["login"] / counts["bare"]
    verdict = "PASS" if ratio <= LOGIN_TARGET else "FAIL"
    print(
        f"target login first frame <= {LOGIN_TARGET:.2f}x the bare app (instructions): "
        f"{verdict} ({ratio:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", choices=KINDS)
    parser.add_argument("--started", type=float)
    parser.add_argument("--first-frame-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions to the first frame with valgrind (slow; steady figures)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.started, args.first_frame_only)
        return

    # Byte-compiled as an install (pip, pipx, a wheel) leaves them, like Textual's own modules
    # that the bare app loads: from a source checkout run with PYTHONDONTWRITEBYTECODE, every
    # sample would compile the client from source (some 50-100 ms) and the bare app nothing.
    # (Existing .pyc files are read even when Python is told not to write them.)
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for package in ("sjvirtual_tui", "mock_server"):
        compileall.compile_dir(root / package, quiet=1)
    sample("demo")  # warm the seed template cache and the OS file cache; not counted
    results: dict[str, list[dict[str, float]]] = {k: [] for k in KINDS}
    for _ in range(args.runs):
        for kind in KINDS:  # interleaved, so that drift on the machine hits all three alike
            results[kind].append(sample(kind))

    med = {
        k: tuple(
            statistics.median(r[f] for r in v) for f in ("seconds", "rss_mib", "rss_settled_mib")
        )
        for k, v in results.items()
    }
    bare_t, bare_m, bare_s = med["bare"]
    print(f"start-up to first screen at 80x24, median of {args.runs} runs (fresh processes)")
    print(
        f"{'app':<34}{'time':>9}{'x bare':>8}{'peak RSS':>11}{'x bare':>8}"
        f"{'settled':>11}{'x bare':>8}"
    )
    labels = {
        "bare": "bare Textual (Header/Static/Footer)",
        "login": "sjvirtual login screen",
        "demo": "sjvirtual --demo (TUI + server)",
    }
    for kind in KINDS:
        t, m, st = med[kind]
        print(
            f"{labels[kind]:<34}{t * 1000:>7.0f}ms{t / bare_t:>7.2f}x"
            f"{m:>8.1f}MiB{m / bare_m:>7.2f}x{st:>8.1f}MiB{st / bare_s:>7.2f}x"
        )
    print("time and peak RSS: at the first frame; settled: peak RSS once the app has loaded")
    print("the backend in the background (pydantic, httpx; the server too in the demo)")
    login_t = med["login"][0] / bare_t
    verdict = "PASS" if login_t <= LOGIN_TARGET else "FAIL"
    print(
        f"target login first frame <= {LOGIN_TARGET:.2f}x the bare app: {verdict} "
        f"({login_t:.2f}x, {med['login'][0] * 1000:.0f} ms vs {bare_t * 1000:.0f} ms)"
    )
    print("memory: login <= 1.30x; demo <= 2.50x")
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("instructions: valgrind is not installed")
        else:
            count_instructions()


if __name__ == "__main__":
    main()
