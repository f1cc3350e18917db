"""The presenters' guided tours (`sjvirtual --demo --tour`): the list from the real command,
the flags' usage errors, every tour played to its end on the real app against the real FastAPI
app at 80x24 (the tour sends the keys; the presenter's key or the delay moves it on), Escape
leaving the tour while the app goes on."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from textual.pilot import Pilot

from sjvirtual_tui.i18n import _, set_language
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.tour import TOURS, Tour, TourCaption, find_tour
from tests.tui import SIZE, cut_off, make_app, screen_text, settle
from tests.tui.steps import login

pytestmark = pytest.mark.sqlite_only  # the client's side: one engine is enough

SJVIRTUAL = [sys.executable, "-m", "sjvirtual_tui"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SJV_")}
    env["SJV_LANG"] = "es"
    return subprocess.run(
        [*SJVIRTUAL, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def registrations(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT username, status FROM registrations").fetchall())


async def play(pilot: Pilot[None], tour: Tour, timeout: float = 90.0) -> None:
    """Until the tour is over (it waits for each screen itself)."""
    for _round in range(int(timeout / 0.1)):
        if not tour.active:
            return
        await pilot.pause(0.1)
    raise AssertionError(f"the tour is stuck at {tour.captions[-1:]}")


def caption_on_screen(pilot: Pilot[None]) -> str:
    """The caption as the audience reads it (its two lines joined)."""
    lines = screen_text(pilot).splitlines()
    caption = pilot.app.screen.query_one(TourCaption)
    top = caption.region.y
    return " ".join(line.strip() for line in lines[top : top + caption.region.height])


# --- the command line ------------------------------------------------------------------------


def test_tour_list_prints_each_tour_with_one_line_and_exits():
    done = run_cli("--demo", "--tour", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "registro",
        "primer-ingreso",
        "transferencias",
        "pagos",
        "cajero",
    ]
    assert "REGISTRARSE" in lines[0] and "PIN" in lines[2] and "--teller" in lines[4]
    assert all(len(line) <= 100 for line in lines)
    english = run_cli("--demo", "--tour", "list", "--lang", "en")
    assert english.returncode == 0
    assert "first login" in english.stdout.lower() and "TRANSFERENCIAS" not in english.stdout


def test_tour_without_demo_is_a_usage_error():
    done = run_cli("--server", "http://127.0.0.1:9", "--tour", "transferencias")
    assert done.returncode == 2
    assert "--tour solo funciona con --demo" in done.stderr
    assert done.stdout == ""


def test_an_unknown_tour_or_a_lonely_delay_is_a_usage_error():
    done = run_cli("--demo", "--tour", "ninguno")
    assert done.returncode == 2
    assert "no hay un recorrido ninguno" in done.stderr and "transferencias" in done.stderr
    done = run_cli("--demo", "--tour-delay", "2")
    assert done.returncode == 2 and "--tour-delay va con --tour" in done.stderr


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_caption_fits_two_lines_at_80_columns(language):
    set_language(language)
    try:
        for plan in TOURS:
            total = len(plan.steps)
            for number, step in enumerate(plan.steps, start=1):
                hint = _("Una tecla: seguir · Esc: salir del recorrido")
                text = f"{number}/{total} {_(step.caption)}  [{hint}]"
                assert len(text) <= 2 * 78, (plan.name, text)  # padding 1 on each side
                assert _(step.caption) != step.caption or language == "es", step.caption
            assert _(plan.description) != plan.description or language == "es"
    finally:
        set_language("es")


# --- on screen -------------------------------------------------------------------------------


async def test_transfers_tour_with_the_presenters_keys(demo_app, seeded_db, clock, tmp_path):
    """Each caption on screen in turn; a key moves on; the end is the member's receipt."""
    plan = find_tour("transferencias")
    assert plan is not None
    tour = Tour(plan)  # no delay: it waits for the presenter's key
    app = make_app(demo_app, tmp_path, clock.now, outbox=True)
    app.tour = tour
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        for number, step in enumerate(plan.steps, start=1):
            for _round in range(300):
                if len(tour.captions) == number and tour._waiting:
                    break
                await pilot.pause(0.1)
            await pilot.pause()
            # The caption takes 2 lines: nothing of the screen is cut off at 80x24. (Not
            # settle(): it waits for every worker, the tour's too, which waits for a key.)
            assert cut_off(pilot) == []
            shown = caption_on_screen(pilot)
            assert shown.startswith(f"{number}/{len(plan.steps)} ")
            assert " ".join(_(step.caption).split()) in shown
            seen.append(_(step.caption))
            if number < len(plan.steps):
                assert "Una tecla: seguir · Esc: salir del recorrido" in shown
                await pilot.press("space")  # the presenter's key: the tour goes on
        assert "Fin del recorrido" in caption_on_screen(pilot)
        text = screen_text(pilot)
        assert "COMPROBANTE DE TRANSFERENCIA" in text
        assert "Completada" in text and "$40,00" in text and "Préstamo" in text
        await pilot.press("space")  # the last key takes the caption away
        await play(pilot, tour)
        assert not app.screen.query(TourCaption)
        assert tour.finished
    assert seen == [_(step.caption) for step in plan.steps]


FINAL_WORDS = {
    "registro": ("PROCESO DE APROBACIÓN", "luis.yanez@correo.ec"),
    "primer-ingreso": ("POSICIÓN CONSOLIDADA", "00108888"),
    "transferencias": ("COMPROBANTE DE TRANSFERENCIA", "$40,00"),
    "pagos": ("COMPROBANTE DE PAGO", "$18,73"),
    "cajero": ("Solicitud aprobada", "gcisneros"),
}


@pytest.mark.parametrize("name", [plan.name for plan in TOURS])
async def test_every_tour_plays_to_its_end(name, demo_app, seeded_db, clock, tmp_path):
    plan = find_tour(name)
    assert plan is not None
    tour = Tour(plan, delay=0)  # `--tour-delay 0`: each step as soon as its screen is there
    app = make_app(demo_app, tmp_path, clock.now, outbox=True, teller=plan.teller)
    app.tour = tour
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, tour)
        assert tour.finished, tour.captions
        assert tour.captions == [_(step.caption) for step in plan.steps]
        await settle(pilot)
        text = screen_text(pilot)
        for words in FINAL_WORDS[name]:
            assert words in text, (name, text)
        assert type(app.screen).__name__ == plan.steps[-1].screen
    if name == "registro":
        assert registrations(seeded_db)["lyanez"] == "pendiente"
    if name in ("cajero", "primer-ingreso"):
        assert registrations(seeded_db)["gcisneros"] == "aprobada"


async def test_escape_leaves_the_tour_and_the_app_goes_on(demo_app, seeded_db, clock, tmp_path):
    plan = find_tour("transferencias")
    assert plan is not None
    tour = Tour(plan)
    app = make_app(demo_app, tmp_path, clock.now, outbox=True)
    app.tour = tour
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        while not tour._waiting:
            await pilot.pause(0.05)
        await pilot.press("space")  # step 1: the tour types the username
        while len(tour.captions) < 2 or not tour._waiting:
            await pilot.pause(0.05)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("ctrl+s")  # a picture of the step: the app's key, the tour waits on
        await pilot.pause()
        assert len(list(tmp_path.glob("sjvirtual-*.svg"))) == 1
        assert len(tour.captions) == 2 and tour._waiting
        await pilot.press("escape")
        await settle(pilot)  # the tour's worker is over: settle may wait for the others
        assert not tour.active and not tour.finished
        assert not app.screen.query(TourCaption)
        assert "Recorrido terminado" in screen_text(pilot)
        # The member goes on by hand from where the tour left: the password step.
        await login(pilot, "", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
        assert tour.captions == [_(step.caption) for step in plan.steps[:2]]
