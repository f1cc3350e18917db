"""The demo launcher: the one place in ``sjvirtual_tui`` that imports the bundled mock server.

It seeds a fresh SQLite file (or keeps the one given with ``--db``) and serves the real FastAPI
app over HTTP on a free 127.0.0.1 port, in a thread of this process.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sjvirtual_tui.i18n import N_, _

# Shown under the login screen (translated there: the language is set after import).
DEMO_HINT = N_("Demo: socio demo / Demo2026 · cajero / Cajero2026 (--teller) · F8 Correo")


# The stages of the first build of the demo data (mock_server.seed.build.STAGE_POINTS).
BUILD_STAGES = {
    "schema": N_("esquema de la base"),
    "books": N_("cuentas y movimientos"),
    "members": N_("socios y sus claves"),
    "staff": N_("personal de la cooperativa"),
    "rows": N_("escribiendo las filas"),
    "ledger": N_("revisando el libro mayor"),
}


def _a_template_of_today() -> Path | None:
    """A template of today's date in the cache, found without importing the server: that
    import (SQLAlchemy, FastAPI, the seed) takes most of a second, which the first frame would
    wait for on every start. Only the first start of a day goes on to import it and build with
    the bar. (On the day of an upgrade that changes the seed or the schema, the older template
    of that day lets the TUI start, and its loader builds the new one without the bar, as
    every start did before the bar: rare, and never wrong data, since the server's copy is
    made from the template that matches it.)"""
    import platformdirs

    from sjvirtual_tui.rules import ECUADOR_TZ

    day = datetime.now(ECUADOR_TZ).date().isoformat()
    cache = Path(platformdirs.user_cache_dir("sjvirtual-tui"))
    # seed-v{SEED_VERSION}-r{schema revision}-{day}.sqlite (mock_server.seed.template_path).
    return next(iter(sorted(cache.glob(f"seed-v*-r*-{day}.sqlite"))), None)


def prepare_demo_data(db_path: Path | None = None) -> bool:
    """Before the TUI starts: builds the day's template of demo data if it is not there yet
    (the first run of the day, seconds), with its progress on stderr. False when Ctrl+C
    stopped it (nothing half-built is kept: the next start builds it again)."""
    if db_path is not None and db_path.exists() and db_path.stat().st_size > 0:
        return True  # --db with data: no template needed
    if _a_template_of_today() is not None:
        return True
    from mock_server.seed import ensure_template, template_path

    if template_path().exists():
        return True
    title = _("Preparando los datos de la demostración (solo la primera vez del día)")
    # A hang-up or a TERM while building is a cancel too: without this, Python would end at
    # once and leave the half-built file behind (Ctrl+C already raises KeyboardInterrupt).
    kept = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGHUP)}
    for number in kept:
        signal.signal(number, _interrupt)
    try:
        if sys.stderr.isatty():
            _build_with_bar(ensure_template, title)
        else:
            _build_with_lines(ensure_template, title)
    except KeyboardInterrupt:
        print(
            _("Cancelado: no quedó nada a medias; la próxima vez se preparan de nuevo."),
            file=sys.stderr,
        )
        return False
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)
    return True


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _build_with_bar(ensure_template: Callable[..., Path], title: str) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeRemainingColumn(),
    )
    console.print(title)
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(_(BUILD_STAGES["schema"]), total=100)

        def progress(stage: str, done: int, total: int) -> None:
            following = _following_stage(stage, done, total)
            bar.update(task, completed=done * 100 // total, description=following)

        ensure_template(progress=progress)


def _build_with_lines(ensure_template: Callable[..., Path], title: str) -> None:
    """No terminal on stderr (a log, a pipe): one line per stage, with the time so far."""
    start = time.monotonic()
    print(title, file=sys.stderr, flush=True)

    from mock_server.seed.build import STAGE_POINTS

    rows_end = sum(STAGE_POINTS[name] for name in list(STAGE_POINTS)[:5])

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "rows" and done < rows_end:
            return  # told table by table: one line when all the rows are written
        seconds = time.monotonic() - start
        left = seconds * (total - done) / done if done else 0.0
        print(
            _("{percent} % · {stage} listo · quedan unos {left:.0f} s").format(
                percent=done * 100 // total, stage=_(BUILD_STAGES[stage]), left=left
            ),
            file=sys.stderr,
            flush=True,
        )

    ensure_template(progress=progress)


def _following_stage(stage: str, done: int, total: int) -> str:
    """What is being built now: the stage after the one just finished."""
    names = list(BUILD_STAGES)
    if stage == "rows" and done < total - 7:  # rows are told table by table
        return _(BUILD_STAGES["rows"])
    index = names.index(stage)
    return _(BUILD_STAGES[names[min(index + 1, len(names) - 1)]])


class DemoError(RuntimeError):
    """The demo cannot start; ``user_message`` says why, in words for the screen."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@contextmanager
def demo_server(db_path: Path | None = None) -> Iterator[str]:
    """Yields the base URL of a bundled server running on a loopback port."""
    from mock_server import create_app
    from mock_server.seed import fresh_database
    from mock_server.store.migrate import SchemaVersionError
    from mock_server.testing import run_server_in_thread

    with tempfile.TemporaryDirectory(prefix="sjvirtual-demo-") as tmp:
        if db_path is None:
            path = fresh_database(Path(tmp) / "demo.sqlite")
        else:
            path = db_path
            if not path.exists() or path.stat().st_size == 0:
                path.parent.mkdir(parents=True, exist_ok=True)
                fresh_database(path)
        try:
            app = create_app(path, demo=True)
        except SchemaVersionError as exc:
            raise DemoError(
                f"El archivo {path} es de otra versión del servidor de demostración: "
                "use otro --db o bórrelo."
            ) from exc
        with run_server_in_thread(app) as base_url:
            yield base_url
