"""A wizard step that only says something: its title, one text and one button (a summary to
confirm, or what was done and the way out)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Button, Static

from sjvirtual_tui.widgets.wizard import StepTitle


def message_step(
    step_id: str,
    number: int,
    title: str,
    *,
    button: str,
    button_id: str,
    text: str = "",
    text_id: str = "",
) -> Vertical:
    """``title``, ``button`` and ``text`` are shown as given (the caller translates them); an
    empty ``text`` is filled in later, through ``text_id`` (``{step_id}-text`` unless given).
    Plain text: it may quote the member's or the server's words."""
    return Vertical(
        StepTitle(number, title),
        Static(text, id=text_id or f"{step_id}-text", markup=False),
        Button(button, id=button_id, variant="primary", compact=True),
        id=step_id,
    )
