"""What every bank screen shares: calling the backend in a worker (with a busy line when the
answer takes a while, and no second request meanwhile), the one place where backend errors
become a visible message (never a traceback), and opening the flows of the flow table."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Select, Static

from sjvirtual_tui.backend import (
    Backend,
    BackendError,
    BackendUnavailable,
    OutcomeUnknown,
    SessionExpired,
)
from sjvirtual_tui.context import BankContext, HasBankContext, SessionEnded
from sjvirtual_tui.flows import Flow, flow
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.widgets.bindings import translate_bindings
from sjvirtual_tui.widgets.form import Form

if TYPE_CHECKING:
    from pathlib import Path

    from sjvirtual_tui.models import Payment, Transfer

log = logging.getLogger(__name__)

# Keys that write a file on the member's terminal: gone in kiosk mode (see kiosk.py).
FILE_ACTIONS = frozenset({"save_receipt", "save", "export", "export_pdf"})
KIOSK_NO_FILES = N_(
    "En esta terminal compartida no se guardan archivos: el comprobante le llega por correo."
)

T = TypeVar("T")

# Escape on a screen opened over another: back to it (BankScreen.action_back).
BACK = Binding("escape", "back", N_("Volver"), show=True, id="back")

# A backend call not answered after this long shows the busy line (Problem.show_busy).
BUSY_AFTER_SECONDS = 0.3
BUSY = N_("Procesando… espere la respuesta del servidor.")
# While a call of this group (the default one, the member's requests) has not answered, Enter in
# a field and button presses are not delivered: a second CONFIRMAR sends nothing. Other groups
# (a list loading, the next page) keep the keys working.
SUBMIT_GROUP = "backend"

UNEXPECTED = N_(
    "Ocurrió un error inesperado. Intente nuevamente; si se repite, contacte a la cooperativa."
)


class Problem(Static):
    """A one-line banner for errors that belong to no single field (server down, ...)."""

    DEFAULT_CSS = """
    Problem { height: auto; display: none; color: $text-error; text-style: bold; }
    Problem.-shown { display: block; }
    Problem.-busy { color: $text-accent; text-style: bold; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Messages may quote the member's words or the server's: shown as written, never as
        # markup (a "[/]" in them would not even render).
        kwargs.setdefault("markup", False)
        super().__init__(*args, **kwargs)

    def show(self, message: str) -> None:
        self.update(message)
        self.set_class(bool(message), "-shown")
        self.remove_class("-busy")

    def clear(self) -> None:
        self.show("")

    def show_busy(self) -> None:
        """The server is working on the member's request (words, so NO_COLOR shows it too)."""
        self.show(_(BUSY))
        self.add_class("-busy")
        self.scroll_visible(animate=False)

    def clear_busy(self) -> None:
        if self.has_class("-busy"):
            self.clear()


class BankScreen(Screen[None]):
    """Base for screens that talk to the bank."""

    BINDINGS = [Binding("f5", "retry", N_("Reintentar"), show=False, id="refresh")]

    # The title line at the top of the box (marked with N_, translated when composed).
    HEADING: ClassVar[str] = ""
    # Textual's SUB_TITLE, the header's second line: here marked with N_, translated when the
    # screen is made.
    # The box's id where the stylesheet gives the screen its own layout; without one the box
    # has the wizards' shared look (class wizard-box).
    BOX_ID: ClassVar[str] = ""
    # Whether the footer at 80 columns has room for the demo's F8 Correo beside the screen's
    # own keys (elsewhere F8 works and F1 lists it; app.check_action).
    FOOTER_HAS_ROOM: ClassVar[bool] = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.SUB_TITLE:
            self.sub_title = _(self.SUB_TITLE)
        # The groups whose last call failed, each with its retry (None: an answer of the
        # server, nothing to retry). The banner goes when none is left: the dashboard's unread
        # count answering must not wipe "No se pudo conectar" of its accounts, and F5 retries
        # every group that could not connect.
        self._failed: dict[str, Callable[[], None] | None] = {}
        # group -> the call of it that has not answered yet (a newer call replaces an older)
        self._calling: dict[str, object] = {}
        self._busy: set[str] = set()  # those of them showing the busy line
        # field id -> (id of the label showing its message, the value the message is about)
        self._field_errors: dict[str, tuple[str, object]] = {}
        translate_bindings(self)
        if self.kiosk_mode:  # a shared terminal keeps no files: no keys that would write one
            table = self._bindings.key_to_bindings
            for key, bindings in list(table.items()):
                table[key] = [b for b in bindings if b.action not in FILE_ACTIONS]

    def compose(self) -> ComposeResult:
        """The frame of every bank screen: header, the box (title, body, problem line), footer."""
        yield Header(show_clock=False)
        with Vertical(id=self.BOX_ID or None, classes="" if self.BOX_ID else "wizard-box"):
            heading = self.heading()
            if heading:
                yield Static(heading, classes="screen-title", markup=False)
            yield from self.compose_body()
            yield Problem(id="problem")
        yield Footer(show_command_palette=False, compact=True)

    def heading(self) -> str:
        return _(self.HEADING) if self.HEADING else ""

    def compose_body(self) -> ComposeResult:
        """What the screen shows between its title and its problem line."""
        yield from ()

    @property
    def context(self) -> BankContext:
        """Backend, settings, clock and session: all a screen knows of the running client."""
        return cast(HasBankContext, self.app).bank_context

    @property
    def kiosk_mode(self) -> bool:
        try:
            return self.context.kiosk
        except Exception:  # made outside a running app (never in the product)
            return False

    def refuse_files_in_kiosk(self) -> bool:
        """True (and says why) when a file would be written on a kiosk's terminal."""
        if self.kiosk_mode:
            self.show_problem(_(KIOSK_NO_FILES))
        return self.kiosk_mode

    @property
    def backend(self) -> Backend:
        return self.context.backend

    # --- the flow table --------------------------------------------------------------------------

    def action_open_flow(self, flow_id: str) -> None:
        """A flow's key (see flows.py): its screen over this one."""
        screen = self.flow_screen(flow(flow_id))
        if screen is not None:
            self.app.push_screen(screen)

    def flow_screen(self, row: Flow) -> Screen[Any] | None:
        """The screen of ``row``, made for this screen to open (a screen may give it what the
        member typed already)."""
        cls = row.screen_class()
        return cls() if cls is not None else None

    # --- messages beside a field ----------------------------------------------------------------

    def show_field_error(self, label_id: str, message: str | None, *fields: str) -> None:
        """Shows ``message`` in the label ``#label_id`` (hides it when None). The message is
        about the value the ``fields`` have now (by default the field whose id is the label's
        without ``-error``): it goes by itself as soon as one of them changes."""
        label = self.query_one(f"#{label_id}", Static)  # a Label is a Static
        label.update(message or "")
        label.set_class(bool(message), "-shown")
        self._field_errors = {
            field: shown for field, shown in self._field_errors.items() if shown[0] != label_id
        }
        if message:
            for field in fields or (label_id.removesuffix("-error"),):
                self._field_errors[field] = (label_id, self._field_value(field))

    def _field_value(self, field: str) -> object:
        widget = self.query_one(f"#{field}")
        return widget.value if isinstance(widget, Input | Select) else None

    @on(Input.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed) -> None:
        widget = event.input if isinstance(event, Input.Changed) else event.select
        shown = self._field_errors.get(widget.id or "")
        if shown is not None and self._field_value(widget.id or "") != shown[1]:
            self.show_field_error(shown[0], None)

    def problem_widget(self) -> Problem | None:
        try:
            return self.query_one(Problem)
        except Exception:
            return None

    def show_problem(self, message: str) -> None:
        banner = self.problem_widget()
        if banner is not None:
            banner.show(message)
        else:
            self.notify(message, severity="error")

    def load_together(
        self, then: Callable[[tuple[Any, ...]], Any], *calls: Callable[[], Awaitable[Any]]
    ) -> None:
        """Asks for each of ``calls`` in turn and hands ``then`` all their answers at once, in
        order (a newer load replaces one not answered yet)."""

        async def load() -> tuple[Any, ...]:
            return tuple([await call() for call in calls])

        self.call_backend(load, then, group="load")

    def call_backend(
        self,
        make: Callable[[], Awaitable[T]],
        on_result: Callable[[T], Any],
        *,
        on_error: Callable[[BackendError], bool] | None = None,
        group: str = "backend",
        busy: bool = True,
    ) -> None:
        """Runs ``make()`` in an exclusive worker and hands its result to ``on_result``.

        ``on_error`` may show an error where it belongs (next to a field) and return True;
        otherwise the error goes to the screen's banner. A dead server offers F5 to retry.
        A newer call of ``group`` replaces one not answered yet (a list reloads with the latest
        data). After BUSY_AFTER_SECONDS without an answer the banner says the server is working,
        and while a SUBMIT_GROUP call runs no second submit gets through (see
        :meth:`check_message_enabled`). ``busy=False``: a call the member is not waiting for (a
        page read ahead) says nothing while it runs.
        """
        call = object()
        self._calling[group] = call

        def again() -> None:
            self.call_backend(make, on_result, on_error=on_error, group=group, busy=busy)

        async def answer() -> T:
            context = self.context
            try:
                if not context.is_ready:
                    # Only right after start-up (the demo seeds its data the first time).
                    self.show_problem(_("Preparando la conexión con el servidor…"))
                await context.wait_ready()
                timer = (
                    self.set_timer(BUSY_AFTER_SECONDS, lambda: self._show_busy(group))
                    if busy
                    else None
                )
                try:
                    return await make()
                finally:
                    if timer is not None:
                        timer.stop()
            finally:
                if self._calling.get(group) is call:
                    del self._calling[group]
                    self._hide_busy(group)

        async def run() -> None:
            try:
                result = await answer()
            except SessionExpired as exc:
                self.post_message(SessionEnded(exc.message))
                return
            except BackendUnavailable as exc:
                self._failed[group] = again
                if isinstance(exc, OutcomeUnknown):
                    self.show_problem(exc.message)  # it says "en proceso" and F5 itself
                else:
                    self.show_problem(
                        _("{message} Pulse F5 para reintentar.").format(message=exc.message)
                    )
                return
            except BackendError as exc:
                # The banner told how the last try went; this one's answer replaces it, even
                # when ``on_error`` shows it beside a field.
                self._failed.pop(group, None)
                if not self._failed:
                    self._clear_problem()
                if on_error is None or not on_error(exc):
                    self.show_problem(exc.message)
                    self._failed[group] = None
                return
            except Exception:  # a bug must never put a traceback on a member's screen
                log.exception("unexpected error in a backend call")
                self.show_problem(_(UNEXPECTED))
                return
            self._failed.pop(group, None)
            if not self._failed:
                self._clear_problem()
            try:
                outcome = on_result(result)
                if isinstance(outcome, Awaitable):
                    await outcome
            except Exception:  # a bug showing the answer: say so, never fail silently
                log.exception("unexpected error showing a backend result")
                self.show_problem(_(UNEXPECTED))

        self.run_worker(run(), group=group, exclusive=True, exit_on_error=False)

    def check_message_enabled(self, message: Message) -> bool:
        """Enter in a field, a form's submit and button presses wait for the member's last
        request's answer."""
        submits = Input.Submitted | Button.Pressed | Form.Submitted
        if SUBMIT_GROUP in self._calling and isinstance(message, submits):
            log.debug("a request is still running: %s is not delivered", type(message).__name__)
            return False
        return super().check_message_enabled(message)

    def _show_busy(self, group: str) -> None:
        banner = self.problem_widget()
        if group in self._calling and banner is not None:
            self._busy.add(group)
            banner.show_busy()

    def _hide_busy(self, group: str) -> None:
        if group not in self._busy:
            return
        self._busy.discard(group)
        banner = self.problem_widget()
        if not self._busy and banner is not None:
            banner.clear_busy()

    def _clear_problem(self) -> None:
        banner = self.problem_widget()
        if banner is not None:
            banner.clear()

    def action_retry(self) -> None:
        retries = [retry for retry in self._failed.values() if retry is not None]
        self._failed = {group: r for group, r in self._failed.items() if r is None}
        if retries:
            self.show_problem(_("Reintentando…"))
            for retry in retries:
                retry()
        else:
            self.refresh_data()

    def refresh_data(self) -> None:
        """F5 with nothing to retry: screens with data reload it."""

    def action_back(self) -> None:
        """Escape (BACK): back to the screen under this one."""
        self.app.pop_screen()

    def save_receipt(self, operation: Transfer | Payment) -> Path | None:
        """Saves the receipt as a text file and says where (or why not)."""
        from sjvirtual_tui.widgets.receipt import write_receipt

        if self.refuse_files_in_kiosk():
            return None
        try:
            path = write_receipt(self.context.settings.export_dir, operation)
        except OSError as exc:
            self.show_problem(
                _("No se pudo guardar el comprobante: {reason}.").format(reason=exc.strerror or exc)
            )
            return None
        self.notify(str(path), title=_("Comprobante guardado"))
        return path
