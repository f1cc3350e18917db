"""The Textual application: screens, global keys and the session's life.

Start-up is kept close to a bare Textual app's: the login screen needs neither pydantic nor
httpx, so the settings and the backend may be given as factories that a thread runs right after
the first paint, while the member types the username. Tests pass ready-made objects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from sjvirtual_tui.backend.errors import BackendUnavailable
from sjvirtual_tui.screens.login import LoginScreen

if TYPE_CHECKING:
    from sjvirtual_tui.backend import Backend
    from sjvirtual_tui.config import Settings
    from sjvirtual_tui.models import Account, LoginResult

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 5.0


class SJVirtualApp(App[None]):
    """Build it with :func:`build_app`; tests do the same with an in-process backend."""

    CSS_PATH = "app.tcss"
    TITLE = "San José S.J. Virtual"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f9", "logout", "Cerrar sesión", show=True, priority=True),
        Binding("f8", "outbox", "Correo", show=True, priority=True),
        Binding("ctrl+q", "quit", "Salir", show=True, priority=True),
    ]

    def __init__(
        self,
        settings: Settings | Callable[[], Settings],
        backend: Backend | Callable[[Settings], Backend],
        *,
        demo_hint: str | None = None,
        now: Callable[[], datetime] | None = None,
        teller: bool = False,
        outbox: bool = False,
        set_password_code: str | None = None,
    ) -> None:
        super().__init__()
        self.teller_mode = teller
        self.outbox_enabled = outbox
        self.set_password_code = set_password_code
        self._settings_source = settings
        self._backend_source = backend
        self._settings: Settings | None = None if callable(settings) else settings
        self._backend: Backend | None = None if callable(backend) else backend
        self._loading_done: asyncio.Event | None = None
        self._load_error: str | None = None
        self.demo_hint = demo_hint
        self.now = now or (lambda: datetime.now(UTC))
        self.session: LoginResult | None = None
        self.login_screen = LoginScreen(demo_hint=demo_hint, teller=teller)

    # --- loading -------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("settings are not loaded yet")
        return self._settings

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            raise RuntimeError("the backend is not loaded yet")
        return self._backend

    def on_mount(self) -> None:
        self._loading_done = asyncio.Event()
        self.push_screen(self.login_screen)
        if self.set_password_code is not None:  # `sjvirtual set-password CODE`
            from sjvirtual_tui.screens.set_password import SetPasswordScreen

            self.push_screen(SetPasswordScreen(self.set_password_code))
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle, name="idle-check")
        # After the first frame, so the imports in the loader never delay the login screen.
        self.call_after_refresh(self._start_loading)

    def _start_loading(self) -> None:
        assert self._loading_done is not None
        self._load_error = None
        if self._settings is not None and self._backend is not None:
            self._loading_done.set()
            return
        self._loading_done.clear()
        self.run_worker(self._load, thread=True, exit_on_error=False, name="load")

    def _load(self) -> None:
        """In a thread: build settings and backend, and import what the later screens need."""
        try:
            source = self._settings_source
            settings = source() if callable(source) else source
            factory = self._backend_source
            backend = factory(settings) if callable(factory) else factory
            import sjvirtual_tui.models
            import sjvirtual_tui.screens.dashboard
            import sjvirtual_tui.screens.statement  # noqa: F401
        except Exception as exc:
            log.exception("start-up failed")
            # Errors meant for the screen carry ``user_message``; others stay in the log.
            message = getattr(exc, "user_message", None) or (
                "No se pudo preparar la conexión con el servidor (el detalle está en el registro)."
            )
            self.call_from_thread(self._loaded, None, None, message)
            return
        self.call_from_thread(self._loaded, settings, backend, None)

    def _loaded(
        self, settings: Settings | None, backend: Backend | None, error: str | None
    ) -> None:
        assert self._loading_done is not None
        if error is None:
            self._settings, self._backend = settings, backend
        self._load_error = error
        self._loading_done.set()

    @property
    def is_ready(self) -> bool:
        done = self._loading_done
        return done is not None and done.is_set() and self._load_error is None

    async def wait_ready(self) -> None:
        """Screens call this before their first backend call."""
        assert self._loading_done is not None
        if self._load_error is not None:  # F5 after a failed start-up tries again
            self._start_loading()
        await self._loading_done.wait()
        if self._load_error is not None:
            raise BackendUnavailable(self._load_error)

    # --- the session ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.session is not None  # hidden from the footer until someone logs in
        if action == "outbox":
            return self.outbox_enabled
        return True

    def logged_in(self, result: LoginResult, password: str) -> None:
        """Where a successful login leads: dashboard, PRIMER INGRESO or the tellers' screen."""
        is_teller = result.member.role == "teller"
        if is_teller != self.teller_mode:
            # Staff use `sjvirtual --teller`; members never see the staff screens.
            self.session = result
            message = (
                "Este usuario es del personal de la cooperativa: ingrese con sjvirtual --teller."
                if is_teller
                else "Este ingreso es solo para el personal de la cooperativa."
            )
            self.run_worker(self._refuse_session(message), exclusive=True, group="session")
            return
        self.session = result
        self.refresh_bindings()
        if is_teller:
            from sjvirtual_tui.screens.teller import TellerScreen

            self.push_screen(TellerScreen(result))
        elif result.setup_required:
            from sjvirtual_tui.screens.first_login import FirstLoginScreen

            self.push_screen(FirstLoginScreen(result, password))
        else:
            self.open_dashboard(result)

    async def _refuse_session(self, message: str) -> None:
        await self.backend.logout()
        self.end_session(message)

    def setup_finished(self, result: LoginResult) -> None:
        """PRIMER INGRESO done: the same session goes on to the dashboard."""
        self.pop_screen()
        self.open_dashboard(result.model_copy(update={"setup_required": False}))

    def open_dashboard(self, result: LoginResult) -> None:
        from sjvirtual_tui.screens.dashboard import DashboardScreen

        self.session = result
        self.refresh_bindings()
        self.push_screen(DashboardScreen(result))

    def action_outbox(self) -> None:
        from sjvirtual_tui.screens.outbox import OutboxScreen

        if not isinstance(self.screen, OutboxScreen):
            self.push_screen(OutboxScreen())

    def open_statement(self, account: Account) -> None:
        from sjvirtual_tui.screens.statement import StatementScreen

        self.push_screen(StatementScreen(account))

    def end_session(self, notice: str) -> None:
        """Back to the login screen (the server session is already gone), saying why."""
        self.session = None
        self.refresh_bindings()
        if self._backend is not None:
            self._backend.forget_session()
        while self.screen is not self.login_screen and len(self.screen_stack) > 1:
            self.pop_screen()
        self.login_screen.reset(notice)

    def _check_idle(self) -> None:
        """Mirror the server's idle timeout, so balances do not stay on an abandoned screen."""
        if self.session is None or self._backend is None or not self._backend.logged_in:
            return
        if self._backend.seconds_since_last_request() >= self.session.idle_timeout_seconds:
            minutes = self.session.idle_timeout_seconds // 60
            self.end_session(
                f"Su sesión se cerró tras {minutes} minutos sin actividad. Ingrese nuevamente."
            )

    async def action_logout(self) -> None:
        if self.session is None:
            return
        self.session = None
        await self.backend.logout()
        self.end_session("Sesión cerrada. Gracias por usar San José S.J. Virtual.")

    async def on_unmount(self) -> None:
        if self._backend is None:
            return
        if self._backend.logged_in:
            await self._backend.logout()
        await self._backend.aclose()


def build_app(
    settings: Settings | Callable[[], Settings],
    backend: Backend | Callable[[Settings], Backend],
    *,
    demo_hint: str | None = None,
    now: Callable[[], datetime] | None = None,
    teller: bool = False,
    outbox: bool = False,
    set_password_code: str | None = None,
) -> SJVirtualApp:
    """The one way to make the app: the CLI and the tests both come through here.

    ``settings`` and ``backend`` are objects or factories (run in a thread after the first
    paint). ``now`` (an aware datetime) decides what "today" is, e.g. for the statement's
    default range; tests pass the mock server's clock. ``teller``: the staff's app
    (`sjvirtual --teller`). ``outbox``: the demo's Correo view (F8). ``set_password_code``:
    open ESTABLECER CONTRASEÑA with that code (`sjvirtual set-password CODE`).
    """
    return SJVirtualApp(
        settings,
        backend,
        demo_hint=demo_hint,
        now=now,
        teller=teller,
        outbox=outbox,
        set_password_code=set_password_code,
    )
