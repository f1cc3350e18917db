"""The config file's [keymap]: every binding has an id, a remapped key opens its flow and is the
one the footer, the MENÚ and F1 tell; what cannot work is reported and the default kept."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from textual.binding import Binding

from sjvirtual_tui.app import SJVirtualApp, build_app
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.keymap import binding_classes, check_keymap
from tests.tui import SIZE, screen_text, settle
from tests.tui.steps import login, open_as_demo

pytestmark = pytest.mark.sqlite_only("the client's keys: the store is not under test")


def keymapped_app(server_app, clock, tmp_path: Path, keymap: dict[str, str]) -> SJVirtualApp:
    backend = HttpBackend("http://sjv.test", transport=httpx.ASGITransport(app=server_app))
    settings = Settings(export_dir=tmp_path, keymap=keymap)
    return build_app(settings, backend, now=clock.now)


def test_every_binding_has_an_id():
    classes = [SJVirtualApp, *binding_classes()]
    assert len(classes) > 10
    missing = [
        f"{cls.__module__}.{cls.__name__}: {binding.key} -> {binding.action}"
        for cls in classes
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", []))
        if not binding.id
    ]
    assert missing == []


async def test_a_remapped_key_opens_the_flow_and_is_the_one_shown(server_app, clock, tmp_path):
    from sjvirtual_tui.screens.dashboard import DashboardScreen
    from sjvirtual_tui.screens.transfers import TransferScreen

    app = keymapped_app(server_app, clock, tmp_path, {"transfers": "f10"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "demo", "Demo2026")
        assert isinstance(app.screen, DashboardScreen)
        shown = screen_text(pilot)
        footer = shown.splitlines()[-1]
        assert footer.startswith("f10 Transferir"), footer
        assert "f2 " not in footer
        assert "F10 TRANSFERENCIAS" in shown  # the MENÚ
        assert "Teclas:" not in shown  # no problem reported
        await pilot.press("f2")  # the old key does nothing now
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("f1")
        await settle(pilot)
        help_lines = [line.strip(" │|") for line in screen_text(pilot).splitlines()]
        assert any(line.startswith("F10 ") and "Transferir" in line for line in help_lines)
        assert not any(line.startswith("F2 ") for line in help_lines)
        await pilot.press("escape", "f10")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen)


def test_conflicts_are_reported_and_the_default_kept():
    classes = binding_classes()
    check = check_keymap(
        {
            "no_such_binding": "f11",
            "transfers": "f9",  # F9 is CERRAR SESIÓN on every screen
            "history": "f3",  # F3 is beneficiaries' on the dashboard
            "services": "f12",
            "cards": "f12",  # two ids on one key
            "statement.export": "ctrl+e",  # fine
        },
        SJVirtualApp,
        classes,
    )
    assert check.accepted == {"services": "f12", "statement.export": "ctrl+e"}
    text = "\n".join(check.problems)
    assert "«no_such_binding» no es el identificador de ninguna tecla" in text
    assert "F9 ya es de «logout» en todas las pantallas; «transfers» conserva F2" in text
    assert "F3 sería a la vez «history» y «beneficiaries»; «history» conserva F4" in text
    assert "F12 sería a la vez «cards» y «services»; «cards» conserva F7" in text
    assert len(check.problems) == 4


def test_a_swap_of_two_keys_is_no_conflict():
    check = check_keymap(
        {"transfers": "f3", "beneficiaries": "f2"}, SJVirtualApp, binding_classes()
    )
    assert check.problems == []
    assert check.accepted == {"transfers": "f3", "beneficiaries": "f2"}


async def test_conflicts_are_told_at_start_and_the_default_works(server_app, clock, tmp_path):
    from sjvirtual_tui.screens.transfers import TransferScreen

    app = keymapped_app(server_app, clock, tmp_path, {"transfers": "f9", "nada": "f11"})
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # the toasts, their lines joined (they are wrapped at the toast's width)
        shown = " ".join(screen_text(pilot).replace("▌", " ").split())
        assert "«nada» no es el identificador" in shown
        assert "F9 ya es de «logout»" in shown
        await open_as_demo(pilot, "f2")
        assert isinstance(app.screen, TransferScreen)
