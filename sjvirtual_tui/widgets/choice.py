"""A radio button whose state reads without colour (monochrome terminals, NO_COLOR)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RadioButton


class Choice(RadioButton):
    """Textual draws chosen and not chosen as the same dot in two colours; this one draws the
    dot only when chosen, so the choice shows on any terminal."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button
