"""What a screen may ask of a bank: one async method per business action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the login screen draws before pydantic is imported (start-up time)
    from datetime import date

    from sjvirtual_tui.models import (
        Account,
        LoginResult,
        MovementPage,
        SecurityChallenge,
        StatementOrder,
    )


class Backend(Protocol):
    """Implemented by :class:`sjvirtual_tui.backend.http.HttpBackend` (and test doubles).

    Methods raise :class:`sjvirtual_tui.backend.errors.BackendError` subclasses only.
    """

    @property
    def logged_in(self) -> bool: ...

    def seconds_since_last_request(self) -> float:
        """Idle time as the server counts it: since the last request this client sent."""
        ...

    async def security_challenge(self, username: str) -> SecurityChallenge: ...

    async def login(self, username: str, password: str) -> LoginResult: ...

    async def logout(self) -> None: ...

    def forget_session(self) -> None:
        """Drops the local token without telling the server (it already ended the session)."""
        ...

    async def accounts(self) -> list[Account]: ...

    async def statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        order: StatementOrder = "desc",
        limit: int = 100,
        cursor: str | None = None,
    ) -> MovementPage: ...

    async def aclose(self) -> None: ...
