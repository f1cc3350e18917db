"""A yes/no question over the current screen (approve a request, delete a beneficiary)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.widgets.bindings import translate_bindings


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: Enter confirms, Escape cancels."""

    BINDINGS = [
        Binding("escape", "answer(False)", N_("No"), show=True, id="confirm.no"),
        Binding("enter", "answer(True)", N_("Sí"), show=True, id="confirm.yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, markup=False)
            yield Static(_("Enter: sí · Esc: no"), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
