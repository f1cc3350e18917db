"""Pilot walks at 80x24 of ADMINISTRACIÓN › Mi perfil y seguridad against the real FastAPI app:
change the password and log in with the new one, block the debit card, a wrong current
password refused under its field, the security image and questions, the e-mail by its code."""

from __future__ import annotations

import re
from pathlib import Path

from textual.pilot import Pilot

from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.self_service import SelfServiceScreen
from sjvirtual_tui.widgets.form import focus_now
from tests.database import rows, scalar
from tests.tui import screen_text, step, text_of
from tests.tui.steps import demo_logged_in, login, press, submit, type_each
from tests.tui.steps import type_text as type_keys

SIX_DIGITS = re.compile(r"\b([0-9]{6})\b")


def demo_stored(db: Path, column: str) -> object:
    """The demo member's ``column`` as the server stored it (usernames are unique)."""
    return scalar(db, f"SELECT {column} FROM members WHERE username = 'demo'")


# The menu's choices, in order, by the step each opens.
MENU = ("ss-password", "ss-sec-password", "ss-contact", "ss-cards")


async def choose(pilot: Pilot[None], opens: str) -> None:
    """From the dashboard: A opens the screen, then the menu's choice that opens ``opens``."""
    await press(pilot, "a")
    assert isinstance(pilot.app.screen, SelfServiceScreen)
    assert step(pilot) == "ss-menu"
    await press(pilot, *["down"] * MENU.index(opens), "enter")
    assert step(pilot) == opens


def assert_done(pilot: Pilot[None], says: str) -> None:
    """The flow's last step, saying ``says``."""
    assert step(pilot) == "ss-done", screen_text(pilot)
    assert says in screen_text(pilot)


async def test_the_menu_lists_the_flow_and_it_fits(server_app, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)
        assert "A ADMINISTRACIÓN › Perfil" in text_of(pilot, "#menu")
        await press(pilot, "a")
        text = screen_text(pilot)
        for choice in (
            "Cambiar contraseña",
            "Cambiar imagen y preguntas",
            "Actualizar correo y teléfono",
            "Bloquear tarjeta de débito",
        ):
            assert choice in text
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_change_the_password_then_log_in_with_the_new_one(server_app, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await choose(pilot, "ss-password")
        await type_each(pilot, "Demo2026", "Nueva2027x", "Nueva2027x")
        assert_done(pilot, "Su contraseña fue cambiada")
        await press(pilot, "f9")
        assert isinstance(app.screen, LoginScreen)
        await login(pilot, "demo", "Nueva2027x")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_wrong_current_password_is_shown_under_its_field(
    server_app, seeded_db, clock, tmp_path
):
    before = demo_stored(seeded_db, "password_hash")
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await choose(pilot, "ss-password")
        await type_each(pilot, "Equivocada1", "Nueva2027x", "Nueva2027x")
        screen = app.screen
        assert isinstance(screen, SelfServiceScreen)
        assert step(pilot) == "ss-password"
        assert "La contraseña actual no es correcta" in screen.current.error
        assert app.focused is screen.current.input
    assert demo_stored(seeded_db, "password_hash") == before


async def test_block_the_debit_card(server_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await choose(pilot, "ss-cards")
        assert "**** **** **** 1234" in screen_text(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == (
            "¿Bloquear la tarjeta ****1234? Esta acción es inmediata; para desbloquearla "
            "acuda a una agencia."
        )
        assert "¿Bloquear la tarjeta ****1234?" in screen_text(pilot)
        await press(pilot, "enter")
        assert_done(pilot, "quedó bloqueada")
    assert rows(seeded_db, "SELECT status FROM debit_cards WHERE last4 = '1234'") == [
        ("bloqueada",)
    ]


async def test_change_the_security_image_and_questions(server_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (_app, pilot):
        await choose(pilot, "ss-sec-password")
        await submit(pilot, "Demo2026")
        assert step(pilot) == "ss-sec-image"
        await press(pilot, "right", "enter")
        assert step(pilot) == "ss-sec-own"
        await type_each(pilot, "Color de mi primer auto?", "Azul")
        assert step(pilot) == "ss-sec-question"
        await press(pilot, "enter")  # the first question, highlighted
        await submit(pilot, "Cuenca")
        assert_done(pilot, "fueron cambiadas")
    assert demo_stored(seeded_db, "own_question") == "Color de mi primer auto?"


async def test_an_own_answer_inside_its_question_is_refused_under_it(
    server_app, seeded_db, clock, tmp_path
):
    """As in PRIMER INGRESO: an answer the question gives away is no secret."""
    before = demo_stored(seeded_db, "own_question")
    async with demo_logged_in(server_app, clock, tmp_path) as (_app, pilot):
        await choose(pilot, "ss-sec-password")
        await submit(pilot, "Demo2026")
        await press(pilot, "right", "enter")
        await type_each(pilot, "Mi color azul favorito?", "azul")
        assert step(pilot) == "ss-sec-own"
        assert "La respuesta no puede estar dentro de la pregunta." in screen_text(pilot)
    assert demo_stored(seeded_db, "own_question") == before


async def test_update_the_email_with_its_code(server_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await choose(pilot, "ss-contact")
        assert "demo@socios.coacsanjose.ec" in screen_text(pilot)
        await type_keys(pilot, "nuevo@correo.ec")
        await pilot.press("enter")
        await press(pilot, "enter")  # no new phone
        assert step(pilot) == "ss-code", screen_text(pilot)
        assert "nuevo@correo.ec" in screen_text(pilot)
        (body,) = rows(
            seeded_db,
            "SELECT body FROM outbox WHERE to_address = 'nuevo@correo.ec' ORDER BY id DESC",
        )[0]
        match = SIX_DIGITS.search(str(body))
        assert match
        await submit(pilot, "000000" if match.group(1) != "000000" else "111111")
        screen = app.screen
        assert isinstance(screen, SelfServiceScreen)
        assert "no es correcto" in screen.code.error
        screen.code.value = ""
        await submit(pilot, match.group(1))
        assert_done(pilot, "nuevo@correo.ec")
    assert demo_stored(seeded_db, "email") == "nuevo@correo.ec"


async def test_the_screen_fits_in_english(server_app, clock, tmp_path, english):
    async with demo_logged_in(server_app, clock, tmp_path) as (_app, pilot):
        await choose(pilot, "ss-cards")


async def test_five_wrong_current_passwords_lock_the_user_back_to_the_login(
    server_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await choose(pilot, "ss-password")
        screen = app.screen
        assert isinstance(screen, SelfServiceScreen)
        for attempt in range(5):
            if attempt:
                screen.current.value = ""
                focus_now(screen.current.input)
            # Five different guesses: the same request again is the same operation (its key),
            # answered as before and not counted again.
            await type_keys(pilot, f"Equivocada{attempt}")
            await pilot.press("enter")
            if attempt == 0:
                await type_keys(pilot, "Nueva2027x")
                await pilot.press("enter")
                await type_keys(pilot, "Nueva2027x")
            else:
                focus_now(screen.pair.repeat.input)
            await press(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "bloqueado" in text_of(pilot, "#notice")
    assert demo_stored(seeded_db, "locked_at IS NOT NULL") == 1
