"""SVG snapshots of the key screens at 80x24 (pytest-textual-snapshot).

After a deliberate change of a screen: `pytest tests/tui/test_snapshots.py --snapshot-update`, then
look at the new SVGs before committing them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from textual.pilot import Pilot

from mock_server.testing import login_token
from tests.api import FIRST_PASSWORD, LUIS, approved_code, set_password
from tests.tui import SIZE, make_app, settle
from tests.tui.steps import login, type_text


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused Input's cursor blinks every half second; a snapshot taken on either side of a
    blink would differ. Keep it shown."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


Steps = Callable[[Pilot[None]], Awaitable[None]]


def snap(
    snap_compare: Callable[..., bool],
    server_app: FastAPI,
    clock,
    tmp_path,
    steps: Steps | None = None,
    *,
    demo_hint: bool = True,
    **app_options,
) -> bool:
    """The app on ``server_app`` at 80x24, driven by ``steps``, compared with its snapshot (named
    after the calling test)."""
    app = make_app(server_app, tmp_path, clock.now, **app_options)
    if not demo_hint:
        app.login_screen.demo_hint = None
    return snap_compare(app, terminal_size=SIZE, run_before=steps)


def logged_in(*keys: str, user: str = "demo", password: str = "Demo2026") -> Steps:
    """Steps: log ``user`` in, then press ``keys`` (a flow's key, Enter on the first account…)."""

    async def steps(pilot: Pilot[None]) -> None:
        await login(pilot, user, password)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return steps


def then(first: Steps, more: Steps) -> Steps:
    async def steps(pilot: Pilot[None]) -> None:
        await first(pilot)
        await more(pilot)

    return steps


def test_login_screen(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, demo_hint=False)


def test_login_security_image_step(snap_compare, server_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        await type_text(pilot, "demo")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, server_app, clock, tmp_path, steps)


def test_recovery_code_step(snap_compare, server_app, clock, tmp_path):
    """The same words for every username: the code is asked before any question."""

    async def steps(pilot: Pilot[None]) -> None:
        await type_text(pilot, "demo")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")  # SIGUIENTE
        await settle(pilot)

    assert snap(snap_compare, server_app, clock, tmp_path, steps, demo_hint=False)


def test_dashboard(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in())


def test_statement(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in("enter"))


def test_registration_terms(snap_compare, server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now)
    assert snap_compare(app, terminal_size=SIZE, press=["f2"])


def test_registration_persona_form(snap_compare, server_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("tab", "tab", "space", "tab", "enter")
        await settle(pilot)
        await pilot.press("enter")  # an empty cédula: its message shows under it
        await settle(pilot)

    assert snap(snap_compare, server_app, clock, tmp_path, steps)


def test_first_login_image_gallery(snap_compare, demo_app, seeded_db, clock, tmp_path):
    async def make_setup_user() -> None:
        transport = httpx.ASGITransport(app=demo_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
            teller = await login_token(client, "cajero", "Cajero2026")
            code = await approved_code(client, seeded_db, teller)
            assert (await set_password(client, code, FIRST_PASSWORD)).status_code == 204

    asyncio.run(make_setup_user())

    async def steps(pilot: Pilot[None]) -> None:
        for text in ("Segunda2027", "Segunda2027"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await settle(pilot)
        await pilot.press("right", "right")

    first_login = logged_in(user=LUIS["usuario"], password=FIRST_PASSWORD)
    assert snap(snap_compare, demo_app, clock, tmp_path, then(first_login, steps))


def test_teller_queue(snap_compare, server_app, clock, tmp_path):
    teller = logged_in(user="cajero", password="Cajero2026")
    assert snap(snap_compare, server_app, clock, tmp_path, teller, teller=True)


def test_transfer_data_step(snap_compare, demo_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one("#tr-kinds").focus()
        await pilot.press("down", "enter")  # internas a terceros: Enter moves on
        await settle(pilot)
        await pilot.click("#tr-data-next")  # nothing chosen: the reasons show where they belong
        await settle(pilot)

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in("f2"), steps))


def test_transfer_pin_step(snap_compare, demo_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        from tests.tui.test_tui_transfers import new_transfer

        await new_transfer(pilot, "internas", "00104721", "1105349", "40", "Préstamo")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "12")

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in(), steps))


def test_transfer_receipt(snap_compare, demo_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        from tests.tui.test_tui_transfers import new_transfer

        await new_transfer(pilot, "propias", "00104721", "00204722", "25,50", "Ahorro mensual")
        await pilot.press("enter")
        await settle(pilot)

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in(), steps))


def test_beneficiaries_list(snap_compare, demo_app, clock, tmp_path):
    assert snap(snap_compare, demo_app, clock, tmp_path, logged_in("f3"))


def test_add_external_beneficiary_form(snap_compare, demo_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        from tests.tui.test_tui_transfers import open_add

        await open_add(pilot, "externa")
        await settle(pilot)

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in(), steps))


def test_service_bill_step(snap_compare, demo_app, clock, tmp_path):
    async def steps(pilot: Pilot[None]) -> None:
        from tests.tui.test_tui_payments import open_services, pick_biller

        await open_services(pilot)
        await pick_biller(pilot, "luz", "Empresa Eléctrica Quito")
        await type_text(pilot, "1523478")
        await pilot.press("enter", "enter")
        await settle(pilot)

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in(), steps))


def test_cards_list(snap_compare, demo_app, clock, tmp_path):
    assert snap(snap_compare, demo_app, clock, tmp_path, logged_in("f7"))


# --- the same screens without colour, on the Linux console, and in English ---------------------


@pytest.fixture
def ascii_glyphs():
    yield
    from sjvirtual_tui.appearance import use_ascii_glyphs

    use_ascii_glyphs(False)


def no_color():
    from sjvirtual_tui.appearance import detect_appearance

    return detect_appearance(None, {"TERM": "xterm-256color", "NO_COLOR": "1"})


def test_login_screen_no_color(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, demo_hint=False, appearance=no_color())


def test_dashboard_no_color(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in(), appearance=no_color())


def test_dashboard_linux_console(snap_compare, server_app, clock, tmp_path, ascii_glyphs):
    from sjvirtual_tui.appearance import detect_appearance

    linux = detect_appearance(None, {"TERM": "linux"})
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in(), appearance=linux)


def test_login_screen_english(snap_compare, server_app, clock, tmp_path, english):
    assert snap(snap_compare, server_app, clock, tmp_path, demo_hint=False)


def test_dashboard_english(snap_compare, server_app, clock, tmp_path, english):
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in())


def test_transfer_data_step_english(snap_compare, demo_app, clock, tmp_path, english):
    from tests.tui.test_tui_transfers import open_transfers

    async def steps(pilot: Pilot[None]) -> None:
        await open_transfers(pilot, "internas")

    assert snap(snap_compare, demo_app, clock, tmp_path, then(logged_in(), steps))


def test_help_screen(snap_compare, server_app, clock, tmp_path):
    assert snap(snap_compare, server_app, clock, tmp_path, logged_in("f1"))


def test_loan_payment_data_step(snap_compare, demo_app, clock, tmp_path):
    """P, then F2 on demo's loan: the payoff for today, what is due or the payoff as buttons."""
    assert snap(snap_compare, demo_app, clock, tmp_path, logged_in("p", "f2"))
