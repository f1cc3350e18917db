"""INGRESO: username -> INGRESAR -> security image -> password -> SIGUIENTE.

Only the image is shown before the password: words of the member's own (a phrase) would tell
a real username from an unknown one, whose image is a decoy from the same catalog."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Button, ContentSwitcher, Footer, Header, Input, Static

from sjvirtual_tui.backend import AuthError, BackendError, LockedError
from sjvirtual_tui.context import LoggedIn
from sjvirtual_tui.flows import Audience, Flow, flow_bindings
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.base import BankScreen, Problem
from sjvirtual_tui.widgets.form import Form, FormField, focus_now
from sjvirtual_tui.widgets.primary_button import PrimaryButton

if TYPE_CHECKING:  # pydantic is imported after the first paint (see SJVirtualApp._load)
    from sjvirtual_tui.models import LoginResult, SecurityChallenge
    from sjvirtual_tui.widgets.choice import Tick

_USERNAME = r"^[A-Za-z0-9._-]{1,64}$"  # compiled when first used (re's cache keeps it)


def username_error(value: str) -> str | None:
    if not value:
        return _("Ingrese su nombre de usuario.")
    if len(value) > 64:
        return _("El usuario tiene como máximo 64 caracteres.")
    if not re.match(_USERNAME, value):
        return _("El usuario solo lleva letras sin tilde, números, punto, guion o guion bajo.")
    return None


class LoginScreen(BankScreen):
    """The first screen. ``notice`` explains why we are here (session ended, ...)."""

    # The login box puts each label over its field (stacked; the wizards', beside it).
    DEFAULT_CSS = """
    LoginScreen .login-form { height: auto; }
    LoginScreen .login-form .form-label { width: 100%; margin-top: 1; text-style: bold; }
    LoginScreen .login-form FormField Input { max-width: 100%; }
    LoginScreen .login-form .form-error { padding-left: 0; }
    """

    BINDINGS = [
        Binding("escape", "back", N_("Volver"), show=True, id="back"),
        *flow_bindings(Audience.GUEST),  # REGISTRARSE, ESTABLECER CONTRASEÑA, RECUPERAR
    ]

    def __init__(
        self, demo_hint: str | None = None, *, teller: bool = False, kiosk: bool = False
    ) -> None:
        super().__init__(id="login")
        self.demo_hint = demo_hint
        self.teller = teller
        self.kiosk = kiosk
        self.keyring_usable = False  # known after a look at the keyring, in a thread
        self.challenge: SecurityChallenge | None = None
        # Set once mounted with the cursor asked for in the username (the app waits for it).
        self.mounted = asyncio.Event()
        self._password_mount: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="login-box"):
            yield Static(
                _("SAN JOSÉ S.J. VIRTUAL · PERSONAL") if self.teller else "SAN JOSÉ S.J. VIRTUAL",
                id="brand",
            )
            yield Static(_("Cooperativa de Ahorro y Crédito San José S.J."), id="brand-sub")
            # #notice (here), the password step and #problem (below the steps) are mounted after
            # the first frame (_mount_later), which shows none of them.
            with (
                ContentSwitcher(initial="step-user", id="login-steps"),
                Vertical(id="step-user"),
            ):
                with Form(id="user-form", classes="login-form"):
                    yield FormField(
                        "username",
                        _("Usuario"),
                        check=username_error,
                        placeholder=_("nombre de usuario"),
                        max_length=64,
                        input_id="username",
                        missing=_("Ingrese su nombre de usuario."),
                        stacked=True,
                    )
                # "Recordar usuario" (#remember) comes here after the first frame.
                yield PrimaryButton(_("INGRESAR"), id="ingresar")
        if self.demo_hint:
            yield Static(_(self.demo_hint), id="demo-hint")
        yield Footer(show_command_palette=False, compact=True)

    def _password_step(self) -> list[Widget]:
        # Imported here: nothing of the password step is needed for the first frame.
        from sjvirtual_tui.widgets.security_image import SecurityImage

        return [
            Horizontal(
                SecurityImage(id="security-image"),
                Vertical(
                    Static("", id="security-user", markup=False),
                    Static(
                        _("Si no reconoce su imagen, no escriba su contraseña."),
                        id="security-warning",
                    ),
                    id="security-text",
                ),
                id="security-row",
            ),
            Form(
                FormField(
                    "password",
                    _("Contraseña"),
                    placeholder=_("contraseña"),
                    password=True,
                    max_length=256,
                    input_id="password",
                    missing=_("Ingrese su contraseña."),
                    stacked=True,
                ),
                id="password-form",
                classes="login-form",
            ),
            PrimaryButton(_("SIGUIENTE"), id="siguiente"),
        ]

    def _mount_later(self) -> AwaitMount | None:
        """What the first frame does not draw, mounted once right after it: the hidden
        password step (a third of the screen's widgets), the hidden "Recordar usuario"
        checkbox (its default CSS alone delays the first frame), the notice and the problem
        banner (both empty until there is something to say). At once if INGRESAR, a message
        or a notice comes first: the widgets are registered at once, so queries find them
        right after this call. Returns the password step's mount."""
        if self._password_mount is None and self.is_attached and self.app.is_running:
            from sjvirtual_tui.widgets.choice import Tick

            box = self.query_one("#login-box", Vertical)
            box.mount(Static("", id="notice"), before="#login-steps")
            box.mount(Problem(id="problem"), after="#login-steps")
            # Shown only where a real keyring can keep it (never in kiosk mode).
            remember = Tick(_("Recordar usuario en esta terminal"), id="remember", compact=True)
            remember.display = False
            # Before INGRESAR, in the Tab order too.
            self.query_one("#step-user", Vertical).mount(remember, before="#ingresar")
            step = Vertical(*self._password_step(), id="step-password")
            step.display = False  # the switcher shows it on INGRESAR
            self._password_mount = self.query_one(ContentSwitcher).mount(step)
        return self._password_mount

    def problem_widget(self) -> Problem | None:
        self._mount_later()  # a message before the banner was mounted is not lost
        return super().problem_widget()

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_later)
        self.title = "San José S.J. Virtual"
        self.sub_title = _("Ingreso")
        self.query_one("#username", Input).focus()
        if not self.kiosk and not self.teller:
            # After the first frame: importing keyring (its backends) would delay it.
            self.call_after_refresh(
                self.run_worker, self._look_at_keyring, thread=True, exit_on_error=False
            )
        self.mounted.set()

    # --- the remembered user (keyring only) ----------------------------------------------------

    def _look_at_keyring(self) -> None:
        """In a thread (a keyring may block): is there a real one, and a username in it?"""
        from sjvirtual_tui import remember

        if not remember.available():
            return
        self.app.call_from_thread(self._keyring_found, remember.remembered_username(self._server()))

    def _keyring_found(self, username: str | None) -> None:
        self._mount_later()  # the checkbox is mounted already, unless the screen was slow
        from sjvirtual_tui.widgets.choice import Tick

        found = self.query("#remember").results(Tick)
        tick = next(found, None)
        if tick is None:  # the screen is gone (the app is closing)
            return
        self.keyring_usable = True
        tick.display = True
        field = self.query_one("#username", Input)
        if username and not field.value and not username_error(username):
            field.value = username
            field.cursor_position = len(username)
            tick.value = True

    def _remember_box(self) -> Tick:
        from sjvirtual_tui.widgets.choice import Tick

        return self.query_one("#remember", Tick)

    def _server(self) -> str:
        """The key the keyring entries of this server are kept under."""
        settings = self.context.settings_or_none
        url = settings.server_url if settings is not None else None
        return url or "demo"

    async def _login(self, username: str, password: str) -> LoginResult:
        """Login, with this terminal's device token when it keeps one; keeps what it may."""
        from sjvirtual_tui import remember

        keeps = self.keyring_usable and not self.kiosk
        server = self._server()
        token = await asyncio.to_thread(remember.device_token, server, username) if keeps else None
        result = await self.backend.login(username, password, token)
        if keeps:
            remembered = username if self._remember_box().value else None
            await asyncio.to_thread(remember.remember_username, server, remembered)
            if result.device_token:
                await asyncio.to_thread(
                    remember.keep_device_token, server, username, result.device_token
                )
        return result

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # Escape only means something in the password step
            return self.query_one(ContentSwitcher).current == "step-password"
        if action == "open_flow":
            return not self.teller  # the staff's accounts are made at the cooperative
        return True

    def flow_screen(self, row: Flow) -> Screen[Any] | None:
        self._show_notice(None)
        if row.id == "recover":  # for the username typed already
            username = self.query_one("#username", Input).value.strip()
            cls = row.screen_class()
            assert cls is not None
            return cls(username if not username_error(username) else "")
        return super().flow_screen(row)

    # --- step 1: INGRESAR ----------------------------------------------------------------------

    @on(Form.Submitted, "#user-form")
    @on(Button.Pressed, "#ingresar")
    def ingresar(self) -> None:
        field = self.query_one("#field-username", FormField)
        if not field.validate_value():
            focus_now(field.input)
            return
        username = field.value
        self._show_notice(None)  # a new login: how the last session ended is told
        self.call_backend(lambda: self.backend.security_challenge(username), self._show_challenge)

    async def _show_challenge(self, challenge: SecurityChallenge) -> None:
        mounting = self._mount_later()
        if mounting is not None:
            await mounting
        self.challenge = challenge
        from sjvirtual_tui.widgets.security_image import SecurityImage

        self.query_one("#security-image", SecurityImage).show_image(challenge.image)
        self.query_one("#security-user", Static).update(
            _("Usuario: {username}").format(username=challenge.username)
        )
        self._field_error("password", None)
        self.query_one(ContentSwitcher).current = "step-password"
        self.refresh_bindings()
        self.query_one("#password", Input).focus()

    # --- step 2: SIGUIENTE ---------------------------------------------------------------------

    @on(Form.Submitted, "#password-form")
    @on(Button.Pressed, "#siguiente")
    def siguiente(self) -> None:
        if self.challenge is None:
            return
        field = self.query_one("#field-password", FormField)
        if not field.validate_value():
            focus_now(field.input)
            return
        password = field.input.value  # as typed: spaces are part of a password
        username = self.challenge.username
        self.call_backend(
            lambda: self._login(username, password),
            lambda result: self._logged_in(result, password),
            on_error=self._login_failed,
        )

    def _login_failed(self, error: BackendError) -> bool:
        if isinstance(error, AuthError | LockedError):
            self.query_one("#password", Input).value = ""
            self._field_error("password", error.message)
            return True
        return False

    def _logged_in(self, result: LoginResult, password: str) -> None:
        self.query_one("#password", Input).value = ""
        self.post_message(LoggedIn(result, password))

    # --- back and reset ------------------------------------------------------------------------

    def action_back(self) -> None:
        """Escape in the password step goes back to the username, which is kept."""
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "step-password":
            self.query_one("#password", Input).value = ""
            self._field_error("password", None)
            switcher.current = "step-user"
            self.refresh_bindings()
            self.query_one("#username", Input).focus()

    def reset(self, notice: str | None = None, *, forget_user: bool = False) -> None:
        """Back to step 1 after a logout or an expired session, saying why. ``forget_user``
        (kiosk): the next person at the terminal must not see who was here."""
        self.challenge = None
        if forget_user:
            self.query_one("#username", Input).value = ""
        if self.query("#password"):  # the password step may not be mounted yet
            self.query_one("#password", Input).value = ""
            self._field_error("password", None)
        self._field_error("username", None)
        self.query_one(ContentSwitcher).current = "step-user"
        self.refresh_bindings()
        self._show_notice(notice)
        problem = self.problem_widget()
        if problem is not None:
            problem.clear()
        self.query_one("#username", Input).focus()

    def _field_error(self, field: str, message: str | None) -> None:
        """Beside ``#field``, until its value changes."""
        self.query_one(f"#field-{field}", FormField).show_error(message)

    def _show_notice(self, notice: str | None) -> None:
        """Why we are here (a session closed, ...): true until the member does something else."""
        self._mount_later()
        self.query_one("#notice", Static).update(notice or "")
        self.query_one("#notice", Static).set_class(bool(notice), "-shown")
