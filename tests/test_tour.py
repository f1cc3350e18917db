"""The presenters' guided tours (`sjvirtual --demo --tour`): listed, played to their end on the
real app against the real FastAPI app at 80x24, left with Escape; the flags' usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sjvirtual_tui.i18n import _
from sjvirtual_tui.tour import TOURS, Tour, TourCaption, find_tour
from tests.tui import SIZE, make_app, screen_text, settle

pytestmark = pytest.mark.sqlite_only  # the client's side: one engine is enough


async def play(pilot, tour: Tour, timeout: float = 60.0) -> None:
    """Until the tour has shown its last caption (it waits for each screen itself)."""
    for _round in range(int(timeout / 0.1)):
        if tour.finished or not tour.active:
            return
        await pilot.pause(0.1)
    raise AssertionError(f"the tour stopped at {tour.captions[-1:]}")


@pytest.mark.parametrize("name", [plan.name for plan in TOURS])
async def test_every_tour_plays_to_its_end(name, demo_app, seeded_db, clock, tmp_path):
    plan = find_tour(name)
    assert plan is not None
    tour = Tour(plan, delay=0)
    app = make_app(demo_app, tmp_path, clock.now, outbox=True, teller=plan.teller)
    app.tour = tour
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, tour)
        assert tour.finished, tour.captions
        assert tour.captions == [_(step.caption) for step in plan.steps]
        await settle(pilot)
        print(screen_text(pilot))
