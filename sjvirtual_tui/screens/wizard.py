"""A wizard is one screen with a ContentSwitcher of steps and one draft: Back keeps what was
typed, Escape goes one step back (or leaves from the first), the last step only goes home."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual.binding import Binding
from textual.widgets import ContentSwitcher

from sjvirtual_tui.screens.base import BankScreen


def new_idempotency_key() -> str:
    """Chosen once per operation, before its first send, and reused on every retry."""
    return uuid.uuid4().hex


class OperationKeys:
    """The Idempotency-Key of the operation being confirmed.

    The same request sent again (a retry after a timeout or a dead server) gets the same key, so
    the server applies it once; a changed request is a new operation with a new key.
    """

    def __init__(self) -> None:
        self._request: object = None
        self._key = ""

    def key_for(self, request: object) -> str:
        if not self._key or request != self._request:
            self._request, self._key = request, new_idempotency_key()
        return self._key


class WizardScreen(BankScreen):
    STEPS: ClassVar[tuple[str, ...]] = ()
    # Steps after which there is no way back (the operation is done).
    FINAL: ClassVar[tuple[str, ...]] = ()

    BINDINGS = [Binding("escape", "back", "Volver", show=True)]

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or self.STEPS[0]

    def go(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = step
        banner = self.problem_widget()
        if banner is not None:
            banner.clear()
        # The first thing to type in (or press) in the new step gets the focus.
        container = self.query_one(f"#{step}")
        for widget in container.query("*"):
            if widget.focusable and widget.display:
                widget.focus()
                break
        self.refresh_bindings()

    def action_back(self) -> None:
        step = self.step
        index = self.STEPS.index(step)
        if index == 0 or step in self.FINAL:
            self.leave()
        else:
            self.go(self.STEPS[index - 1])

    def leave(self) -> None:
        self.app.pop_screen()
