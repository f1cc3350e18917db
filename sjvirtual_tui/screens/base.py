"""What every bank screen shares: calling the backend in a worker, and the one place where
backend errors become a visible message (never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from sjvirtual_tui.backend import (
    Backend,
    BackendError,
    BackendUnavailable,
    OutcomeUnknown,
    SessionExpired,
)
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.widgets.bindings import translate_bindings

if TYPE_CHECKING:
    from pathlib import Path

    from sjvirtual_tui.app import SJVirtualApp
    from sjvirtual_tui.models import Payment, Transfer

log = logging.getLogger(__name__)

# Keys that write a file on the member's terminal: gone in kiosk mode (see kiosk.py).
FILE_ACTIONS = frozenset({"save_receipt", "save", "export"})
KIOSK_NO_FILES = N_(
    "En esta terminal compartida no se guardan archivos: el comprobante le llega por correo."
)

T = TypeVar("T")

UNEXPECTED = N_(
    "Ocurrió un error inesperado. Intente nuevamente; si se repite, contacte a la cooperativa."
)


class Problem(Static):
    """A one-line banner for errors that belong to no single field (server down, ...)."""

    DEFAULT_CSS = """
    Problem { height: auto; display: none; color: $text-error; text-style: bold; }
    Problem.-shown { display: block; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Messages may quote the member's words or the server's: shown as written, never as
        # markup (a "[/]" in them would not even render).
        kwargs.setdefault("markup", False)
        super().__init__(*args, **kwargs)

    def show(self, message: str) -> None:
        self.update(message)
        self.set_class(bool(message), "-shown")

    def clear(self) -> None:
        self.show("")


class BankScreen(Screen[None]):
    """Base for screens that talk to the bank."""

    BINDINGS = [Binding("f5", "retry", N_("Reintentar"), show=False)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._retry: Callable[[], None] | None = None
        # field id -> (id of the label showing its message, the value the message is about)
        self._field_errors: dict[str, tuple[str, object]] = {}
        translate_bindings(self)
        if self.kiosk_mode:  # a shared terminal keeps no files: no keys that would write one
            table = self._bindings.key_to_bindings
            for key, bindings in list(table.items()):
                table[key] = [b for b in bindings if b.action not in FILE_ACTIONS]

    @property
    def kiosk_mode(self) -> bool:
        try:
            return bool(getattr(self.app, "kiosk", False))
        except Exception:  # made outside a running app (never in the product)
            return False

    def refuse_files_in_kiosk(self) -> bool:
        """True (and says why) when a file would be written on a kiosk's terminal."""
        if self.kiosk_mode:
            self.show_problem(_(KIOSK_NO_FILES))
        return self.kiosk_mode

    @property
    def sjv(self) -> SJVirtualApp:
        return self.app  # type: ignore[return-value]

    @property
    def backend(self) -> Backend:
        return self.sjv.backend

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

    def call_backend(
        self,
        make: Callable[[], Awaitable[T]],
        on_result: Callable[[T], Any],
        *,
        on_error: Callable[[BackendError], bool] | None = None,
        group: str = "backend",
    ) -> None:
        """Runs ``make()`` in an exclusive worker and hands its result to ``on_result``.

        ``on_error`` may show an error where it belongs (next to a field) and return True;
        otherwise the error goes to the screen's banner. A dead server offers F5 to retry.
        """

        def again() -> None:
            self.call_backend(make, on_result, on_error=on_error, group=group)

        async def run() -> None:
            try:
                if not self.sjv.is_ready:
                    # Only right after start-up (the demo seeds its data the first time).
                    self.show_problem(_("Preparando la conexión con el servidor…"))
                await self.sjv.wait_ready()
                result = await make()
            except SessionExpired as exc:
                self.sjv.end_session(exc.message)
                return
            except BackendUnavailable as exc:
                self._retry = again
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
                self._clear_problem()
                if on_error is None or not on_error(exc):
                    self.show_problem(exc.message)
                return
            except Exception:  # a bug must never put a traceback on a member's screen
                log.exception("unexpected error in a backend call")
                self.show_problem(_(UNEXPECTED))
                return
            self._retry = None
            self._clear_problem()
            try:
                outcome = on_result(result)
                if isinstance(outcome, Awaitable):
                    await outcome
            except Exception:  # a bug showing the answer: say so, never fail silently
                log.exception("unexpected error showing a backend result")
                self.show_problem(_(UNEXPECTED))

        self.run_worker(run(), group=group, exclusive=True, exit_on_error=False)

    def _clear_problem(self) -> None:
        banner = self.problem_widget()
        if banner is not None:
            banner.clear()

    def action_retry(self) -> None:
        retry, self._retry = self._retry, None
        if retry is not None:
            self.show_problem(_("Reintentando…"))
            retry()
        else:
            self.refresh_data()

    def refresh_data(self) -> None:
        """F5 with nothing to retry: screens with data reload it."""

    def save_receipt(self, operation: Transfer | Payment) -> Path | None:
        """Saves the receipt as a text file and says where (or why not)."""
        from sjvirtual_tui.widgets.receipt import write_receipt

        if self.refuse_files_in_kiosk():
            return None
        try:
            path = write_receipt(self.sjv.settings.export_dir, operation)
        except OSError as exc:
            self.show_problem(
                _("No se pudo guardar el comprobante: {reason}.").format(reason=exc.strerror or exc)
            )
            return None
        self.notify(str(path), title=_("Comprobante guardado"))
        return path
