"""A busy server seen from the TUI (issue 14): the server answers 503 with ``Retry-After`` when its
database is down or its write lock stays taken past the lock timeout, and keeps nothing of the
request. The member reads it in their own words where they are, with the wait the server asked
for, nothing changed, and F5 sends it again.

The Pilot tests (80x24) run the real server in-process with a short lock timeout while another
program holds the SQLite file's write lock; the backend tests check the answer's reading alone.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from mock_server import create_app
from mock_server.store import Database
from sjvirtual_tui.backend import OutcomeUnknown, ServerBusy
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.i18n import use_language
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from tests.e2e.test_cli_database import write_lock_held
from tests.tui import SIZE, make_app, settle, text_of
from tests.tui.steps import login
from tests.tui.test_tui_faults import assert_clear
from tests.tui.test_tui_transfers import (
    assert_ledger_ok,
    balances,
    new_transfer,
    step,
)

DEMO_A, DEMO_B = "00104721", "00204722"
BUSY = (
    "El servidor está ocupado y no hizo ningún cambio. Intente de nuevo en 5 segundos. "
    "Pulse F5 para reintentar."
)


def busy_server(seeded_db: Path, clock):  # type: ignore[no-untyped-def]
    # A writer waits 0.3 s for the lock, then the request is a 503 (Retry-After: 5).
    return create_app(Database(seeded_db, lock_timeout=0.3), clock=clock)


def sessions(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


async def test_a_busy_server_at_login_is_a_message_on_the_login_screen(seeded_db, clock, tmp_path):
    app = make_app(busy_server(seeded_db, clock), tmp_path, clock.now)
    async with app.run_test(size=SIZE) as pilot:
        with write_lock_held(seeded_db):
            await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(pilot, "#problem") == BUSY
        assert_clear(pilot)
        assert sessions(seeded_db) == 0  # nothing of the login was kept
        await pilot.press("f5")  # the same login, now that the database is free
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert sessions(seeded_db) == 1


async def test_a_busy_server_at_confirm_moves_nothing_and_f5_transfers_once(
    seeded_db, clock, tmp_path
):
    before = balances(seeded_db, DEMO_A, DEMO_B)
    app = make_app(busy_server(seeded_db, clock), tmp_path, clock.now)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "12,34", "Con el servidor ocupado")
        assert step(pilot) == "tr-confirm"
        with write_lock_held(seeded_db):
            await pilot.press("enter")  # CONFIRMAR
            await settle(pilot)
        # Where the member is: the confirmation step, the server's wait in their words.
        assert step(pilot) == "tr-confirm"
        assert text_of(pilot, "#problem") == BUSY
        assert_clear(pilot)
        assert balances(seeded_db, DEMO_A, DEMO_B) == before
        await pilot.press("f5")
        await settle(pilot)
        assert step(pilot) == "tr-done"
        assert "Estado:         Completada" in text_of(pilot, "#tr-receipt")
    assert balances(seeded_db, DEMO_A, DEMO_B) == {
        DEMO_A: before[DEMO_A] - 1234,
        DEMO_B: before[DEMO_B] + 1234,
    }
    assert_ledger_ok(seeded_db)


# --- the backend's reading of a 503 -------------------------------------------------------------


def backend_answering(*answers: httpx.Response | Exception) -> HttpBackend:
    """A backend whose requests get these answers, in order (an exception: a lost answer)."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    backend = HttpBackend(
        "http://sjv.test", transport=httpx.MockTransport(handler), retry_delays=(0.0,)
    )
    backend._token = "a-session"  # what login would have kept
    return backend


def busy(retry_after: str | None, body: bytes | None = None) -> httpx.Response:
    error = {"code": "unavailable", "message": "(the server's words)", "field": None}
    return httpx.Response(
        503,
        headers={"Retry-After": retry_after} if retry_after is not None else {},
        content=json.dumps(error).encode() if body is None else body,
    )


@pytest.mark.parametrize(
    ("retry_after", "body", "seconds", "spanish", "english"),
    [
        ("5", None, 5, "en 5 segundos.", "in 5 seconds."),
        ("1", None, 1, "en 1 segundo.", "in 1 second."),
        (None, None, None, "en unos segundos.", "in a few seconds."),
        # A proxy's 503 (no ErrorBody, its own page), or a Retry-After as an HTTP date.
        (
            "Wed, 21 Oct 2026 07:28:00 GMT",
            b"<html>503</html>",
            None,
            "en unos segundos.",
            "in a few seconds.",
        ),
    ],
)
async def test_a_503_is_server_busy_with_the_wait_it_asked_for(
    retry_after: str | None, body: bytes | None, seconds: int | None, spanish: str, english: str
) -> None:
    for language, words in (("es", spanish), ("en", english)):
        with use_language(language):
            backend = backend_answering(busy(retry_after, body))
            with pytest.raises(ServerBusy) as raised:
                await backend.accounts()
        assert raised.value.message.endswith(words), raised.value.message
        assert "(the server's words)" not in raised.value.message
        assert raised.value.retry_after == seconds


async def test_a_503_after_a_lost_answer_is_still_an_unknown_outcome() -> None:
    # The first send may have been applied (its answer was lost): a 503 to the resend says
    # nothing of it, so the member is not told that nothing changed.
    backend = backend_answering(httpx.ReadTimeout("lost"), busy("5"))
    with pytest.raises(OutcomeUnknown):
        await backend._request("POST", "/transfers", json={}, idempotency_key="k" * 32)
    # A 503 to the first send of the same request: refused whole.
    backend = backend_answering(busy("5"))
    with pytest.raises(ServerBusy):
        await backend._request("POST", "/transfers", json={}, idempotency_key="k" * 32)
