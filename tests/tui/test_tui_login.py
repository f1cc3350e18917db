"""Pilot walks of INGRESO at 80x24 against the real FastAPI app (in-process HTTP)."""

from __future__ import annotations

import httpx
from textual.widgets import ContentSwitcher, Input

from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.widgets.security_image import SecurityImage
from tests.tui import running, settle, text_of
from tests.tui.steps import logged_in, login, press, submit, type_text

LOCK_WORDS = "Comuníquese con la cooperativa"


async def test_username_then_image_then_password(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await submit(pilot, "demo")  # INGRESAR
        assert app.screen.query_one(ContentSwitcher).current == "step-password"
        image = app.screen.query_one(SecurityImage)
        assert image.border_subtitle == "Colibrí"
        assert "Si no reconoce su imagen" in text_of(pilot, "#security-warning")
        assert app.focused is app.screen.query_one("#password", Input)
        await submit(pilot, "Demo2026")  # SIGUIENTE
        assert isinstance(app.screen, DashboardScreen)


async def test_escape_goes_back_and_keeps_the_username(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await submit(pilot, "demo")
        await type_text(pilot, "abc")
        await press(pilot, "escape")
        assert app.screen.query_one(ContentSwitcher).current == "step-user"
        assert app.screen.query_one("#username", Input).value == "demo"
        assert app.screen.query_one("#password", Input).value == ""  # never kept


async def test_unknown_user_sees_a_decoy_image_and_the_same_message(server_app, clock, tmp_path):
    async with logged_in(server_app, clock, tmp_path, "nadie.existe", "Cualquier1") as (app, pilot):
        assert app.screen.query_one(SecurityImage).image is not None  # a decoy, not an error
        unknown_message = text_of(pilot, "#field-password .form-error")
        await pilot.press("escape")
        await pilot.press(*["backspace"] * 20)
        await login(pilot, "demo", "Equivocada1")
        assert text_of(pilot, "#field-password .form-error") == unknown_message
        assert unknown_message == "Usuario o contraseña incorrectos."
        assert app.screen.query_one("#password", Input).value == ""


async def test_fifth_failure_locks_with_a_message_to_contact_the_cooperative(
    server_app, api_client, clock, tmp_path
):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await submit(pilot, "demo")
        for attempt in range(1, 6):
            await submit(pilot, f"Mala{attempt}clave")
            message = text_of(pilot, "#field-password .form-error")
            if attempt < 5:
                assert message == "Usuario o contraseña incorrectos."
        assert LOCK_WORDS in message
        # Locked for real: even the right password is refused now.
        await submit(pilot, "Demo2026")
        assert isinstance(app.screen, LoginScreen)
        assert LOCK_WORDS in text_of(pilot, "#field-password .form-error")
    response = await api_client.post(
        "/api/v1/auth/login", json={"username": "demo", "password": "Demo2026"}
    )
    assert response.status_code == 423


async def test_bad_input_is_refused_where_it_was_typed(server_app, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "enter")
        assert text_of(pilot, "#field-username .form-error") == "Ingrese su nombre de usuario."
        for hostile in ("[b]x[/b]", "a b", "ñandú", "x" * 65, "'; DROP TABLE members;--"):
            username = app.screen.query_one("#username", Input)
            username.value = hostile
            await press(pilot, "enter")
            assert app.screen.query_one(ContentSwitcher).current == "step-user"
            assert "usuario" in text_of(pilot, "#field-username .form-error").lower()
        app.screen.query_one("#username", Input).value = "demo"
        await press(pilot, "enter")
        await press(pilot, "enter")  # no password
        assert text_of(pilot, "#field-password .form-error") == "Ingrese su contraseña."


class FlakyTransport(httpx.AsyncBaseTransport):
    """Refuses the first ``failures`` connections, then forwards to the real app."""

    def __init__(self, inner: httpx.AsyncBaseTransport, failures: int) -> None:
        self.inner = inner
        self.failures = failures

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures > 0:
            self.failures -= 1
            raise httpx.ConnectError("Connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def test_dead_server_is_a_message_and_f5_retries(server_app, clock, tmp_path):
    transport = FlakyTransport(httpx.ASGITransport(app=server_app), failures=1)
    async with running(server_app, clock, tmp_path, transport=transport) as (app, pilot):
        await submit(pilot, "demo")
        problem = text_of(pilot, "#problem")
        assert "No se pudo conectar con el servidor" in problem
        assert "F5" in problem
        assert app.screen.query_one(ContentSwitcher).current == "step-user"
        await press(pilot, "f5")
        assert app.screen.query_one(ContentSwitcher).current == "step-password"
        assert text_of(pilot, "#problem") == ""
