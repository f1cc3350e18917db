"""The login and recovery screens at 80x24 show a real username and an unknown one alike until
the password (login) or the e-mailed code (recovery): issue 13, B6, as a person sees it."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input

from sjvirtual_tui import i18n
from sjvirtual_tui.enums import SecurityImageId
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.recovery import RecoveryScreen
from sjvirtual_tui.widgets.security_image import SecurityImage
from tests.tui import SIZE, cut_off, make_app, screen_text, text_of
from tests.tui.steps import press, submit
from tests.tui.test_tui_onboarding import last_code

UNKNOWN = "nadie.existe"


def region_text(pilot: Pilot[None], selector: str) -> list[str]:
    """The screen's characters inside the region of ``selector``, line by line."""
    region = pilot.app.screen.query_one(selector).region
    lines = screen_text(pilot).split("\n")
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


async def _ingresar(pilot: Pilot[None], username: str) -> None:
    field = pilot.app.screen.query_one("#username", Input)
    field.value = ""
    field.focus()
    await submit(pilot, username)  # INGRESAR


async def test_the_password_step_shows_only_an_image_for_any_name(server_app, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now)
    seen = {}
    async with app.run_test(size=SIZE) as pilot:
        for name in ("demo", UNKNOWN):
            await _ingresar(pilot, name)
            assert isinstance(app.screen, LoginScreen)
            assert app.screen.query_one(ContentSwitcher).current == "step-password"
            assert app.screen.query_one(SecurityImage).image in set(SecurityImageId)
            assert not cut_off(pilot)
            # Beside the image: who, and the warning; the same words for both names.
            beside = region_text(pilot, "#security-text")
            text = [line.replace(name, "<usuario>").rstrip() for line in beside]
            seen[name] = text
            assert "Si no reconoce su imagen, no escriba su contraseña." in " ".join(
                " ".join(text).split()
            )
            await press(pilot, "escape")
    assert seen["demo"] == seen[UNKNOWN]


async def test_recovery_asks_the_code_before_any_question(server_app, seeded_db, clock, tmp_path):
    app = make_app(server_app, tmp_path, clock.now)
    seen = {}
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        assert isinstance(app.screen, RecoveryScreen)
        for name in (UNKNOWN, "demo"):
            field = app.screen.query_one("#rc-input-username", Input)
            field.value = ""
            field.focus()
            await submit(pilot, name)  # SIGUIENTE
            assert app.screen.step == "rc-code"
            text = screen_text(pilot)
            assert "volcán" not in text and "mascota" not in text
            assert not cut_off(pilot)
            await submit(pilot, "ABCD-EFGH-JK")  # a code that is nobody's
            assert app.screen.step == "rc-code"
            # (Words compared, not lines: a longer name wraps the lines elsewhere.)
            seen[name] = " ".join(screen_text(pilot).replace(name, "<usuario>").split())
            if name == UNKNOWN:
                await press(pilot, "escape")  # back to the username
                assert app.screen.step == "rc-user"
        # The same screen, message under the code field included, for both names.
        assert seen["demo"] == seen[UNKNOWN]
        assert "El código no es correcto" in app.screen.code.error
        # The code of the e-mail opens the questions.
        code_input = app.screen.query_one("#rc-input-code", Input)
        code_input.value = ""
        code_input.focus()
        await submit(pilot, last_code(seeded_db, "demo@socios.coacsanjose.ec"))
        assert app.screen.step == "rc-answers"
        assert "volcán favorito" in text_of(pilot, "#rc-own-question")
        assert "mascota" in text_of(pilot, "#rc-security-question")
        assert not cut_off(pilot)


async def test_recovery_in_english(server_app, clock, tmp_path):
    i18n.set_language("en")
    app = make_app(server_app, tmp_path, clock.now)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "f4")
            await submit(pilot, UNKNOWN)
            text = " ".join(screen_text(pilot).split())
            assert f"If {UNKNOWN} is an S.J. Virtual user" in text
            assert "THE CODE FROM YOUR E-MAIL" in text
    finally:
        i18n.set_language("es")
