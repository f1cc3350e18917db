"""A long job's progress: rows done of the total, the time left, and the key that cancels it."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from sjvirtual_tui.formatting import count
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.widgets.bindings import translate_bindings


def time_left(seconds: float) -> str:
    """``~4 s``, ``~1 min 20 s``: an estimate, said as one."""
    whole = max(1, round(seconds))
    if whole < 60:
        return _("~{seconds} s").format(seconds=whole)
    minutes, rest = divmod(whole, 60)
    return _("~{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)


class ExportProgress(Widget, can_focus=True):
    """Two lines: "Exportando 12.500 de 100.000 movimientos · faltan ~4 s" and a bar.

    It takes the focus while shown, so its Escape (in the footer) cancels the job instead of
    leaving the screen; the screen hears :class:`ExportProgress.Cancelled`.
    """

    DEFAULT_CSS = """
    ExportProgress {
        height: 2;
        padding: 0 1;
    }
    ExportProgress > Static {
        height: 1;
    }
    ExportProgress ProgressBar {
        height: 1;
    }
    ExportProgress ProgressBar Bar {
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancelar exportación"), show=True, id="export.cancel")
    ]

    class Cancelled(Message):
        """The member asked to stop the job."""

    def __init__(
        self, *, monotonic: Callable[[], float] = time.monotonic, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._monotonic = monotonic
        self._started = monotonic()
        self.done = 0
        self.total: int | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(_("Exportando… · Esc cancela"), id="progress-text", markup=False)
        yield ProgressBar(show_eta=False, id="progress-bar")

    def advance_to(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        text = ngettext(
            "Exportando {done} de {total} movimiento",
            "Exportando {done} de {total} movimientos",
            total,
        ).format(done=count(done), total=count(total))
        elapsed = self._monotonic() - self._started
        if 0 < done < total and elapsed > 0:
            left = elapsed / done * (total - done)
            text += _(" · faltan {left}").format(left=time_left(left))
        self.query_one("#progress-text", Static).update(text + _(" · Esc cancela"))

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
