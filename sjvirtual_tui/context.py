"""What a screen may use of the running client, and what it may tell it.

Screens never import the app (an import contract holds it): they read the :class:`BankContext`
(backend, settings, clock, session) and announce what happened with the messages below, which
bubble from the screen to the app. Results of a screen go back with ``dismiss``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from textual.message import Message

from sjvirtual_tui.backend.errors import BackendUnavailable

if TYPE_CHECKING:
    from sjvirtual_tui.backend import Backend
    from sjvirtual_tui.config import Settings
    from sjvirtual_tui.models import Account, LoginResult


class BankContext:
    """Backend and settings (ready a moment after the first paint), the clock, the session."""

    def __init__(
        self,
        now: Callable[[], datetime],
        *,
        settings: Settings | None = None,
        backend: Backend | None = None,
        kiosk: bool = False,
        teller: bool = False,
    ) -> None:
        self.now = now  # an aware datetime: what "today" is (tests pass the server's clock)
        self.kiosk = kiosk  # a shared terminal: no files, nothing remembered
        self.teller = teller  # the staff's app
        self.session: LoginResult | None = None
        self.settings_or_none = settings
        self.backend_or_none = backend
        self._ready = asyncio.Event()
        self._error: str | None = None
        self.reload: Callable[[], None] = lambda: None  # the app's loader, for a retry

    @property
    def settings(self) -> Settings:
        if self.settings_or_none is None:
            raise RuntimeError("settings are not loaded yet")
        return self.settings_or_none

    @property
    def backend(self) -> Backend:
        if self.backend_or_none is None:
            raise RuntimeError("the backend is not loaded yet")
        return self.backend_or_none

    # --- loading (the app runs it; screens wait for it) ----------------------------------------

    def loading(self) -> None:
        self._error = None
        self._ready.clear()

    def loaded(self, settings: Settings | None, backend: Backend | None, error: str | None) -> None:
        if error is None:
            self.settings_or_none, self.backend_or_none = settings, backend
        self._error = error
        self._ready.set()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set() and self._error is None

    async def wait_ready(self) -> None:
        """Screens call this before their first backend call."""
        if self._error is not None:  # F5 after a failed start-up tries again
            self.reload()
        await self._ready.wait()
        if self._error is not None:
            raise BackendUnavailable(self._error)


class HasBankContext(Protocol):
    """The app, as far as a screen knows it."""

    bank_context: BankContext


# --- what screens tell the app -----------------------------------------------------------------


class LoggedIn(Message):
    """INGRESO succeeded: on to the dashboard, PRIMER INGRESO or the tellers' screen."""

    def __init__(self, result: LoginResult, password: str) -> None:
        super().__init__()
        self.result = result
        self.password = password  # PRIMER INGRESO asks for it again to change it


class SetupFinished(Message):
    """PRIMER INGRESO done: the same session goes on to the dashboard."""

    def __init__(self, result: LoginResult) -> None:
        super().__init__()
        self.result = result


class SessionEnded(Message):
    """The server's session is gone (expired, locked): back to INGRESO, saying why."""

    def __init__(self, notice: str) -> None:
        super().__init__()
        self.notice = notice


class OpenStatement(Message):
    """ESTADO DE CUENTA of this account."""

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account
