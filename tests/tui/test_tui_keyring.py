"""The remembered user: only in a real keyring, never the password, never in kiosk mode."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from textual.widgets import Input

from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.widgets.choice import Tick
from tests.tui import SIZE, MemoryKeyring, make_app, running, settle
from tests.tui.steps import login, press, submit, type_text


@pytest.fixture
def use_keyring() -> Iterator[object]:
    before = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(before)


def new_terminal_mails(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM outbox WHERE subject LIKE '%terminal nuevo%'"
        ).fetchone()
    return int(count)


def remember_box(pilot) -> Tick:
    return pilot.app.screen.query_one("#remember", Tick)


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
async def test_no_real_keyring_hides_the_option_and_keeps_nothing(
    backend, use_keyring, server_app, clock, tmp_path
):
    use_keyring(backend())
    home = tmp_path / "home"
    home.mkdir()
    app = make_app(server_app, home, clock.now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not remember_box(pilot).display
        await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
    # Nothing fell back to a file: the export folder (the only one the app writes) is empty.
    assert list(home.iterdir()) == []


async def test_a_real_keyring_remembers_the_username_and_a_device_token_only(
    use_keyring, server_app, seeded_db, clock, tmp_path
):
    store = use_keyring(MemoryKeyring())
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        box = remember_box(pilot)
        assert box.display and not box.value
        box.value = True
        await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
    values = dict(store.entries)
    assert values[("sjvirtual-tui", "usuario@demo")] == "demo"
    token = values[("sjvirtual-tui", "dispositivo@demo/demo")]
    assert len(token) >= 32
    assert len(values) == 2
    assert not any("Demo2026" in value for value in values.values())
    assert new_terminal_mails(seeded_db) == 1

    # Next time: the username is filled in, and the terminal is known (no second e-mail).
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        assert app.screen.query_one("#username", Input).value == "demo"
        assert remember_box(pilot).value
        await press(pilot, "enter")
        await submit(pilot, "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
    assert new_terminal_mails(seeded_db) == 1

    # Unticked: the username is forgotten.
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        remember_box(pilot).value = False
        await press(pilot, "enter")
        await submit(pilot, "Demo2026")
    assert ("sjvirtual-tui", "usuario@demo") not in store.entries


async def test_the_box_ticked_as_soon_as_it_shows_is_kept(use_keyring, server_app, clock, tmp_path):
    """The checkbox comes after the login screen's first frame: a member who ticks it the
    moment it shows, by keyboard, is remembered all the same (Tab order: user, box, INGRESAR)."""
    store = use_keyring(MemoryKeyring())
    async with running(server_app, clock, tmp_path) as (app, pilot):
        for _ in range(200):  # no settle: only until the box is there to be ticked
            if app.screen.query("#remember") and remember_box(pilot).display:
                break
            await pilot.pause(0.01)
        await type_text(pilot, "demo")
        await pilot.press("tab", "space")
        assert remember_box(pilot).value
        await pilot.press("tab")
        assert app.screen.focused is app.screen.query_one("#ingresar")
        await press(pilot, "enter")
        await submit(pilot, "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
    assert store.entries[("sjvirtual-tui", "usuario@demo")] == "demo"


async def test_kiosk_keeps_nothing_even_with_a_real_keyring(
    use_keyring, server_app, seeded_db, clock, tmp_path
):
    store = use_keyring(MemoryKeyring())
    for _ in range(2):
        async with running(server_app, clock, tmp_path, kiosk=True) as (app, pilot):
            await settle(pilot)
            assert not remember_box(pilot).display
            await login(pilot, "demo", "Demo2026")
            assert isinstance(app.screen, DashboardScreen)
    assert store.entries == {}
    # A shared terminal is a new terminal every time: the member hears of each login.
    assert new_terminal_mails(seeded_db) == 2
