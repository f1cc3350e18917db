"""A wizard is one screen with a ContentSwitcher of steps and one draft: Back keeps what was
typed, Escape goes one step back (or leaves from the first), the last step only goes home."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, ScrollableContainer, VerticalScroll
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from sjvirtual_tui.i18n import N_
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.widgets.form import focus_now, shown_within

if TYPE_CHECKING:
    from sjvirtual_tui.backend import BackendError
    from sjvirtual_tui.widgets.form import FormField

T = TypeVar("T")

# Exact types: Input and RadioSet are scrolling containers too, and do take the focus.
_SCROLLERS = (ScrollableContainer, VerticalScroll, HorizontalScroll)


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

    def forget(self) -> None:
        """The operation is over (done, or cancelled by the server): the next one is new."""
        self._request, self._key = None, ""


class WizardScreen(BankScreen):
    STEPS: ClassVar[tuple[str, ...]] = ()
    # Steps after which there is no way back (the operation is done).
    FINAL: ClassVar[tuple[str, ...]] = ()

    BINDINGS = [Binding("escape", "back", N_("Volver"), show=True, id="back")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys = OperationKeys()  # the operation's start: CONFIRMAR twice is one operation

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial=self.STEPS[0]):
            yield from self.compose_steps()

    def compose_steps(self) -> ComposeResult:
        """One container a step, each with the step's name as its id."""
        yield from ()

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or self.STEPS[0]

    def go(self, step: str, *, focus: Widget | None = None) -> None:
        """Shows ``step`` and puts the focus on ``focus`` or on its first field or button."""
        self.query_one(ContentSwitcher).current = step
        banner = self.problem_widget()
        if banner is not None:
            banner.clear()
        self.refresh_bindings()
        container = self.query_one(f"#{step}")
        # Now, so that keys typed right after Enter land in the step's field; and again after
        # the refresh: until the step is laid out, Textual may move the focus away from a
        # widget it still takes for hidden.
        self._focus_step(container, focus)
        self.call_after_refresh(self._focus_step, container, focus, again=True)

    def _focus_step(self, container: Widget, focus: Widget | None, *, again: bool = False) -> None:
        if again and self.focused is not None and container in self.focused.ancestors:
            return  # still in the step (perhaps moved on by the member): leave it there
        if focus is None:
            focus = next(
                (
                    widget
                    for widget in container.walk_children(Widget, method="depth")
                    if self._can_take_focus(widget, container)
                ),
                None,
            )
        if focus is not None:
            focus_now(focus)

    @staticmethod
    def _can_take_focus(widget: Widget, container: Widget) -> bool:
        """Focusable, shown (itself and up to the step), and not a scrolling container."""
        if not widget.can_focus or widget.disabled:
            return False
        if type(widget) in _SCROLLERS:
            return False  # plain scrolling panes (terms, forms): nobody types into them
        return shown_within(widget, container)

    # --- sending the operation ----------------------------------------------------------------

    def send_operation(
        self, request: Any, send: Callable[..., Awaitable[T]], then: Callable[[T], Any]
    ) -> None:
        """``send(request)`` with the operation's Idempotency-Key (the same on every retry of
        the same request); the answer goes to ``then``, a refusal to :meth:`refused`."""
        key = self.keys.key_for(request)
        self.call_backend(lambda: send(request, idempotency_key=key), then, on_error=self.refused)

    def refused(self, error: BackendError) -> bool:
        """A refusal of the operation's data: show it where it was typed (True), or not."""
        return False

    def refused_in_field(self, step: str, error: BackendError, fields: Iterable[FormField]) -> bool:
        """A refusal of one of ``fields``: back to ``step``, the message under that field."""
        field = next((f for f in fields if f.field_name == error.field), None)
        if field is not None:
            self.show_in_field(step, field, error.message)
        return field is not None

    def show_in_field(self, step: str, field: FormField, message: str) -> None:
        self.go(step, focus=field.input)
        field.show_error(message)

    def action_back(self) -> None:
        step = self.step
        index = self.STEPS.index(step)
        if index == 0 or step in self.FINAL:
            self.leave()
        else:
            self.go(self.STEPS[index - 1])

    def leave(self) -> None:
        self.app.pop_screen()
