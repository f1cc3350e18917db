"""The Textual application: screens, global keys and the session's life."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from textual.app import App
from textual.binding import Binding

from sjvirtual_tui.backend import Backend
from sjvirtual_tui.config import Settings
from sjvirtual_tui.models import Account, LoginResult
from sjvirtual_tui.screens.login import LoginScreen

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 5.0


class SJVirtualApp(App[None]):
    """Build it with :func:`build_app`; tests do the same with an in-process backend."""

    CSS_PATH = "app.tcss"
    TITLE = "San José S.J. Virtual"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f9", "logout", "Cerrar sesión", show=True, priority=True),
        Binding("ctrl+q", "quit", "Salir", show=True, priority=True),
    ]

    def __init__(
        self,
        backend: Backend,
        settings: Settings,
        *,
        demo_hint: str | None = None,
        now: Callable[[], datetime] | None = None,
    ):
        super().__init__()
        self.backend = backend
        self.settings = settings
        self.now = now or (lambda: datetime.now(UTC))
        self.demo_hint = demo_hint
        self.session: LoginResult | None = None
        self.login_screen = LoginScreen(demo_hint=demo_hint)

    def on_mount(self) -> None:
        self.push_screen(self.login_screen)
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle, name="idle-check")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.session is not None  # hidden from the footer until someone logs in
        return True

    # --- the session -----------------------------------------------------------------------------

    def open_dashboard(self, result: LoginResult) -> None:
        from sjvirtual_tui.screens.dashboard import DashboardScreen

        self.session = result
        self.refresh_bindings()
        self.push_screen(DashboardScreen(result))

    def open_statement(self, account: Account) -> None:
        from sjvirtual_tui.screens.statement import StatementScreen

        self.push_screen(StatementScreen(account))

    def end_session(self, notice: str) -> None:
        """Back to the login screen (the server session is already gone), saying why."""
        self.session = None
        self.refresh_bindings()
        self.backend.forget_session()
        while self.screen is not self.login_screen and len(self.screen_stack) > 1:
            self.pop_screen()
        self.login_screen.reset(notice)

    def _check_idle(self) -> None:
        """Mirror the server's idle timeout, so balances do not stay on an abandoned screen."""
        if self.session is None or not self.backend.logged_in:
            return
        if self.backend.seconds_since_last_request() >= self.session.idle_timeout_seconds:
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
        if self.backend.logged_in:
            await self.backend.logout()
        await self.backend.aclose()


def build_app(
    settings: Settings,
    backend: Backend,
    *,
    demo_hint: str | None = None,
    now: Callable[[], datetime] | None = None,
) -> SJVirtualApp:
    """The one way to make the app: the CLI and the tests both come through here.

    ``now`` (an aware datetime) decides what "today" is, e.g. for the statement's default range;
    tests pass the mock server's clock.
    """
    return SJVirtualApp(backend, settings, demo_hint=demo_hint, now=now)
