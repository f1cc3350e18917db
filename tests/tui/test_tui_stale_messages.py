"""A message belongs to the state that produced it and goes when that state goes: Pilot at 80x24
against the real FastAPI app, typing as a member does (a field fixed by hand, a login tried
again after the session closed)."""

from __future__ import annotations

from textual.pilot import Pilot

from sjvirtual_tui.screens.beneficiaries import AddBeneficiaryScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.set_password import SetPasswordScreen
from sjvirtual_tui.widgets.form import FormField
from tests.api import FIRST_PASSWORD, LUIS, approved_code, set_password
from tests.tui import running, screen_text, settle, text_of
from tests.tui.steps import demo_logged_in, login, open_as_demo, press, submit, type_text
from tests.tui.test_tui_onboarding import LUIS as LUIS_TYPED
from tests.tui.test_tui_onboarding import field, fill, open_registration, step
from tests.tui.test_tui_transfers import choose, open_add

NO_MATCH = "Las contraseñas no coinciden."
NOT_THE_SAME = "La nueva contraseña debe ser distinta de la actual."


async def retype_last(pilot: Pilot[None], form_field: FormField, last: str) -> None:
    """The member goes back into the field and changes its last character."""
    form_field.input.focus()
    await press(pilot, "end", "backspace", last)  # the focus selects it all: to the end first


async def test_login_messages_go_with_what_produced_them(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f9")
        assert isinstance(app.screen, LoginScreen)
        assert "Sesión cerrada" in text_of(pilot, "#notice")
        # A new login begins: how the last session ended is no longer news.
        await login(pilot, "demo", "NoEsLaClave1")
        assert isinstance(app.screen, LoginScreen)
        failure = text_of(pilot, "#field-password .form-error")
        assert "incorrect" in failure, failure  # the failure stays while the field is empty
        shown = screen_text(pilot)
        assert "Sesión cerrada" not in shown and failure in shown
        await submit(pilot, "Otra2026")  # still on the password step: a second wrong try
        assert text_of(pilot, "#field-password .form-error") == failure
        assert "Sesión cerrada" not in screen_text(pilot)
        # Typing a new password: the last try's verdict goes.
        await type_text(pilot, "D")
        await settle(pilot)
        assert text_of(pilot, "#field-password .form-error") == ""
        # The username step: "Ingrese su nombre de usuario" goes once a name is typed.
        await press(pilot, "escape")
        app.screen.query_one("#username").value = ""
        await press(pilot, "enter")
        assert "Ingrese su nombre de usuario" in text_of(pilot, "#field-username .form-error")
        await type_text(pilot, "d")
        await settle(pilot)
        assert text_of(pilot, "#field-username .form-error") == ""


async def test_set_password_no_coinciden_goes_when_the_two_match(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f3")
        screen = app.screen
        assert isinstance(screen, SetPasswordScreen)
        for text in ("ABCD-EFGH-JK", "Abcdefg1", "Abcdefg2"):
            await type_text(pilot, text)
            await pilot.press("enter")  # the last Enter is CONFIRMAR
        await settle(pilot)
        assert screen.pair.repeat.error == NO_MATCH
        assert NO_MATCH in screen_text(pilot)
        # Fixed in the FIRST field: the message beside the second one goes.
        await retype_last(pilot, screen.pair.password, "2")
        assert screen.pair.repeat.error == ""
        assert NO_MATCH not in screen_text(pilot)
        # Broken again from the first field, CONFIRMAR says it again; fixed in the second.
        await retype_last(pilot, screen.pair.password, "3")
        await pilot.click("#sp-submit")
        await settle(pilot)
        assert screen.pair.repeat.error == NO_MATCH
        await retype_last(pilot, screen.pair.repeat, "3")
        assert screen.pair.repeat.error == ""


async def test_first_login_debe_ser_distinta_goes_when_the_password_changes(
    demo_app, demo_client, seeded_db, teller_token, clock, tmp_path
):
    code = await approved_code(demo_client, seeded_db, teller_token)
    assert (await set_password(demo_client, code, FIRST_PASSWORD)).status_code == 204
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await login(pilot, LUIS["usuario"], FIRST_PASSWORD)
        screen = app.screen
        assert isinstance(screen, FirstLoginScreen)
        await submit(pilot, FIRST_PASSWORD)  # Enter checks it: refused beside it, the cursor stays
        assert step(pilot) == "fl-password"
        assert screen.focused is screen.pair.password.input
        assert screen.pair.password.error == NOT_THE_SAME
        assert NOT_THE_SAME in screen_text(pilot)
        await retype_last(pilot, screen.pair.password, "7")  # Primera2027: a new one
        assert screen.pair.password.error == ""
        assert NOT_THE_SAME not in screen_text(pilot)
        await pilot.press("enter")
        await type_text(pilot, FIRST_PASSWORD)  # the old one repeated
        # The repetition no longer matches: CONFIRMAR says so, and nothing else.
        await pilot.click("#fl-password-ok")
        await settle(pilot)
        assert (screen.pair.password.error, screen.pair.repeat.error) == ("", NO_MATCH)
        await retype_last(pilot, screen.pair.repeat, "7")
        assert screen.pair.repeat.error == ""
        await pilot.click("#fl-password-ok")
        await settle(pilot)
        assert step(pilot) == "fl-image"


async def test_registration_messages_go_when_the_field_is_fixed(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (_app, pilot):
        await open_registration(pilot)
        await fill(pilot, {**LUIS_TYPED, "cedula": "1710034066", "cuenta": "00104721"})
        cedula = field(pilot, "cedula")
        assert "último dígito" in cedula.error
        await retype_last(pilot, cedula, "5")  # 1710034065: valid
        assert cedula.error == ""
        # The server's refusal (the account is someone else's) goes when the number changes.
        await pilot.click("#reg-next")
        await settle(pilot)
        await pilot.click("#reg-submit")
        await settle(pilot)
        cuenta = field(pilot, "cuenta")
        assert "No encontramos una cuenta" in cuenta.error
        await retype_last(pilot, cuenta, "9")
        assert cuenta.error == ""
        assert "No encontramos una cuenta" not in screen_text(pilot)


async def test_a_choice_asked_for_goes_when_it_is_made(demo_app, clock, tmp_path):
    async with demo_logged_in(demo_app, clock, tmp_path) as (_app, pilot):
        screen = await open_add(pilot, "externa")
        assert isinstance(screen, AddBeneficiaryScreen)
        await settle(pilot)
        await pilot.click("#ben-data-next")
        await settle(pilot)
        assert text_of(pilot, "#be-institution-error") == "Elija la institución."
        await choose(pilot, "#be-institution", "Banco Guayaquil")
        await settle(pilot)
        assert text_of(pilot, "#be-institution-error") == ""


async def test_the_banner_tells_the_last_try_not_an_earlier_one(demo_app, clock, tmp_path):
    """The server cannot be reached (banner, F5), then answers "wrong password" (shown beside
    the field): the banner's "no se pudo conectar" is about a try that is over."""
    from tests.tui.test_tui_faults import faulty_transport

    transport = faulty_transport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await submit(pilot, "demo")
        transport.refuse("POST", "/auth/login", times=None)
        await submit(pilot, "NoEsLaClave1")
        assert "No se pudo conectar" in text_of(pilot, "#problem")
        transport.heal()
        await press(pilot, "f5")  # the same try again: now the server answers
        assert "incorrect" in text_of(pilot, "#field-password .form-error")
        assert text_of(pilot, "#problem") == ""
        assert "No se pudo conectar" not in screen_text(pilot)
