"""A radio button and a checkbox whose state reads without colour (monochrome terminals,
NO_COLOR)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton, RadioSet


class Choice(RadioButton):
    """Textual draws chosen and not chosen as the same dot in two colours; this one draws the
    dot only when chosen, so the choice shows on any terminal."""

    @property
    def _button(self) -> Content:
        # RadioButton's own glyph ("●", or "*" where only ASCII is drawn: see appearance.py).
        self.BUTTON_INNER = RadioButton.BUTTON_INNER if self.value else " "
        return super()._button


def choice_set(set_id: str, prefix: str, **labels: str) -> RadioSet:
    """A compact RadioSet with a Choice ``prefix + name`` for each label, the first one chosen."""
    return RadioSet(
        *(
            Choice(label, value=i == 0, id=prefix + name)
            for i, (name, label) in enumerate(labels.items())
        ),
        id=set_id,
        compact=True,
    )


class Tick(Checkbox):
    """A checkbox that reads ``[x]`` ticked and ``[ ]`` not, in every theme and without colour
    (Textual's draws the same X in two colours)."""

    @property
    def _button(self) -> Content:
        # Plain brackets in the text's own colours: nothing here depends on a colour or glyph.
        return Content("[x]" if self.value else "[ ]")
