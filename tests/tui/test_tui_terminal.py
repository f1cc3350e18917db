"""Terminal reach: the kiosk's idle lock, hiding amounts, F1 help, the command palette, themes."""

from __future__ import annotations

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from sjvirtual_tui.appearance import Appearance, detect_appearance
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.help import HelpScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.widgets.amount_mask import mask_amounts
from tests.tui import SIZE, FakeMonotonic, make_app, running, screen_text, settle, text_of
from tests.tui.steps import demo_logged_in, login, open_as_demo, press


async def idle(pilot: Pilot[None], monotonic: FakeMonotonic, seconds: float) -> None:
    """``seconds`` pass without a key, then the idle check runs (as its timer would)."""
    monotonic.advance(seconds)
    await pilot.app.lock_if_idle()  # type: ignore[attr-defined]
    await settle(pilot)


async def session_is_alive(server_app, token: str) -> bool:
    transport = httpx.ASGITransport(app=server_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        answer = await client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code == 200


# --- the idle lock ------------------------------------------------------------------------------


async def test_kiosk_idle_lock_ends_the_session_on_the_server_and_clears_the_screen(
    server_app, clock, tmp_path
):
    monotonic = FakeMonotonic()
    async with demo_logged_in(server_app, clock, tmp_path, monotonic=monotonic, kiosk=True) as (
        app,
        pilot,
    ):
        assert isinstance(app.screen, DashboardScreen)
        assert app.session is not None
        token = app.session.token
        monotonic.advance(90)
        await pilot.press("down")  # a key: the two minutes start again
        await idle(pilot, monotonic, 90)
        assert isinstance(app.screen, DashboardScreen)
        await idle(pilot, monotonic, 31)
        assert isinstance(app.screen, LoginScreen)
        assert "2 minutos sin actividad" in text_of(pilot, "#notice")
        # The next person does not see who was here.
        assert app.screen.query_one("#username", Input).value == ""
        assert "$" not in screen_text(pilot)
        assert not await session_is_alive(server_app, token)


async def test_idle_minutes_setting_outside_kiosk(server_app, clock, tmp_path):
    from sjvirtual_tui.config import Settings

    monotonic = FakeMonotonic()
    app = make_app(server_app, tmp_path, clock.now, monotonic=monotonic)
    app._settings = Settings(export_dir=tmp_path, idle_minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        await idle(pilot, monotonic, 59)
        assert isinstance(app.screen, DashboardScreen)
        await idle(pilot, monotonic, 1)
        assert isinstance(app.screen, LoginScreen)
        assert "tras 1 minuto sin actividad" in text_of(pilot, "#notice")  # not "1 minutos"
        assert app.screen.query_one("#username", Input).value == "demo"  # not a kiosk


# --- hiding amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "hidden"),
    [
        ("Total disponible: $ 1.234,56", "Total disponible: $ ***     "),
        ("-$ 12,00 y $ 5", "$ ***    y $ *"),
        ("  $ 845,30|", "  $ ***   |"),
        ("sin montos 1.234,56", "sin montos 1.234,56"),
    ],
)
def test_mask_amounts_keeps_the_width(shown, hidden):
    assert mask_amounts(shown) == hidden
    assert len(mask_amounts(shown)) == len(shown)


def shows_an_amount(text: str) -> bool:
    return any(f"${d}" in text or f"$ {d}" in text for d in "0123456789")


async def test_ctrl_o_hides_every_amount_and_shows_them_again(server_app, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (_app, pilot):
        before = screen_text(pilot)
        assert shows_an_amount(before)
        await press(pilot, "ctrl+o")
        hidden = screen_text(pilot)
        assert "$ ***" in hidden
        assert not shows_an_amount(hidden)
        await press(pilot, "enter")  # the statement opens with its amounts hidden too
        statement = screen_text(pilot)
        assert "$ ***" in statement
        assert not shows_an_amount(statement)
        await press(pilot, "escape", "ctrl+o")
        assert screen_text(pilot).count("$ ***") == 0
        assert shows_an_amount(screen_text(pilot))


async def test_amounts_hidden_key_only_once_logged_in(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        assert "Montos" not in screen_text(pilot)  # the footer key (Ctrl+O) comes with the session
        await pilot.press("ctrl+o")
        assert not app.amounts_hidden


# --- F1 help and the command palette ------------------------------------------------------------


async def test_f1_lists_the_keys_of_the_screen_and_escape_closes_it(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        keys = text_of(pilot, "#help-keys")
        for line in ("F2", "Transferir", "F3", "Terceros", "F4", "Historial", "F9", "Ctrl+O"):
            assert line in keys
        assert "Ctrl+P" in keys
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


async def palette_pick(pilot, query: str) -> None:
    await press(pilot, "ctrl+p")
    for char in query:
        await pilot.press(char if char != " " else "space")
    await pilot.pause(0.3)
    await settle(pilot)
    await press(pilot, "enter")


async def test_palette_opens_every_flow_by_name(server_app, clock, tmp_path):
    from sjvirtual_tui.screens.cards import CardPaymentScreen
    from sjvirtual_tui.screens.services import ServicePaymentScreen
    from sjvirtual_tui.screens.transfers import TransferScreen

    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await palette_pick(pilot, "servicios")
        assert isinstance(app.screen, ServicePaymentScreen)
        # From one flow to another: the palette goes back to the dashboard first.
        await palette_pick(pilot, "tarjetas")
        assert isinstance(app.screen, CardPaymentScreen)
        assert isinstance(app.screen_stack[-2], DashboardScreen)
        await palette_pick(pilot, "transferencias")
        assert isinstance(app.screen, TransferScreen)


async def test_palette_before_login_offers_registration(server_app, clock, tmp_path):
    from sjvirtual_tui.screens.registration import RegistrationScreen

    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        await palette_pick(pilot, "registro")
        assert isinstance(app.screen, RegistrationScreen)


# --- appearance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("theme", "env", "expected"),
    [
        (None, {"TERM": "xterm-256color"}, Appearance("oscuro", False, False)),
        ("claro", {"TERM": "xterm-256color"}, Appearance("claro", False, False)),
        (None, {"TERM": "xterm", "NO_COLOR": "1"}, Appearance("oscuro", True, False)),
        (None, {"TERM": "xterm", "NO_COLOR": ""}, Appearance("oscuro", True, False)),
        (None, {"TERM": "linux"}, Appearance("ansi", False, True)),
        ("claro", {"TERM": "linux"}, Appearance("claro", False, True)),
        (None, {"TERM": "vt100"}, Appearance("ansi", True, True)),
    ],
)
def test_appearance_follows_the_terminal(theme, env, expected):
    assert detect_appearance(theme, env) == expected


def test_no_color_draws_with_the_terminals_own_colours_only(server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now, appearance=Appearance(no_color=True))
    assert app.theme == "ansi-dark"
    assert app.native_ansi_color  # NoColor strips it all, not a grey truecolor Monochrome
    assert type(app._filters[-1]).__name__ in ("NoColor", "ANSIToTruecolor")


async def test_ascii_terminal_draws_no_box_or_block_glyphs(server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now, appearance=Appearance("ansi", False, True))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_as_demo(pilot, "enter")  # the statement: the widest screen
            texts = [screen_text(pilot)]
            await press(pilot, "escape", "f2", "down", "enter", "tab", "enter")  # a transfer form
            texts.append(screen_text(pilot))
            await press(pilot, "f1")
            texts.append(screen_text(pilot))
            await press(pilot, "escape", "ctrl+p")
            texts.append(screen_text(pilot))
            assert "Busque un trámite" in texts[3]
            # ASCII and Latin-1 (the accents of Spanish): what every console font draws.
            beyond = {c for text in texts for c in text if ord(c) > 0xFF}
            assert beyond == set()
            assert "Cuenta ORIGEN" in texts[1] and "AYUDA" in texts[2]
    finally:
        from sjvirtual_tui.appearance import use_ascii_glyphs

        use_ascii_glyphs(False)


async def test_theme_from_the_palette(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        await palette_pick(pilot, "tema claro")
        assert app.theme == "textual-light"


async def test_kiosk_writes_no_receipt_or_statement_file(demo_app, seeded_db, clock, tmp_path):
    from tests.tui.test_tui_transfers import (
        new_transfer,
        outbox_subjects,
        step,
    )

    exports = tmp_path / "exports"
    app = make_app(demo_app, exports, clock.now, kiosk=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_as_demo(pilot, "enter")  # the statement: no CSV export key in a kiosk
        assert "Exportar CSV" not in screen_text(pilot)
        await press(pilot, "f2")
        await press(pilot, "escape")
        await new_transfer(pilot, "propias", "00104721", "00204722", "5,00", "Kiosco")
        await press(pilot, "enter")
        assert step(pilot) == "tr-done"
        text = screen_text(pilot)
        assert "GUARDAR" not in text and "Guardar comprobante" not in text
        await press(pilot, "f2")
    assert not exports.exists() or list(exports.iterdir()) == []
    # The receipt still reaches the member: by e-mail.
    assert any("Comprobante de transferencia" in s for s in outbox_subjects(seeded_db, "demo"))


# --- kiosk start-up -----------------------------------------------------------------------------


def test_kiosk_raises_escdelay_unless_the_terminal_set_one():
    from sjvirtual_tui.kiosk import KIOSK_ESCDELAY_MS, prepare_environment

    env: dict[str, str] = {}
    prepare_environment(True, env)
    assert env["ESCDELAY"] == KIOSK_ESCDELAY_MS and int(KIOSK_ESCDELAY_MS) > 100  # Textual: 100
    env = {"ESCDELAY": "50"}
    prepare_environment(True, env)
    assert env["ESCDELAY"] == "50"
    env = {}
    prepare_environment(False, env)
    assert env == {}


def test_no_terminal_on_stdin_refuses_to_start(capsys):
    import io

    from sjvirtual_tui import cli
    from sjvirtual_tui.kiosk import terminal_problem

    assert terminal_problem(io.StringIO("")) is not None
    # pytest's stdin is not a terminal either: the CLI says so in one line and starts nothing.
    assert cli.main(["--lang", "es", "--kiosk", "--server", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no es una terminal" in err
