"""The gallery of security images for the PRIMER INGRESO: 12 ASCII drawings in a 6x2 grid.

Arrows move, Enter chooses. The choice is shown in reverse video and between > <, so it reads
the same in monochrome and on the Linux console.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from sjvirtual_tui.enums import SecurityImageId
from sjvirtual_tui.i18n import N_
from sjvirtual_tui.widgets.bindings import translate_bindings
from sjvirtual_tui.widgets.security_image import ART, image_name

COLUMNS = 6
TILE_WIDTH = 13
IMAGES = list(SecurityImageId)


class ImageGallery(Widget, can_focus=True):
    DEFAULT_CSS = """
    ImageGallery { height: 11; width: 78; }
    ImageGallery:focus { background-tint: $foreground 5%; }
    """

    BINDINGS = [
        Binding("left", "move(-1)", N_("Anterior"), show=False, id="gallery.previous"),
        Binding("right", "move(1)", N_("Siguiente"), show=False, id="gallery.next"),
        Binding("up", "move(-6)", N_("Arriba"), show=False, id="gallery.up"),
        Binding("down", "move(6)", N_("Abajo"), show=False, id="gallery.down"),
        Binding("enter", "choose", N_("Elegir"), show=False, id="gallery.choose"),
    ]

    selected: reactive[int] = reactive(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)

    class Chosen(Message):
        def __init__(self, image: SecurityImageId) -> None:
            super().__init__()
            self.image = image

    @property
    def image(self) -> SecurityImageId:
        return IMAGES[self.selected]

    def select(self, image: SecurityImageId) -> None:
        self.selected = IMAGES.index(image)

    def action_move(self, step: int) -> None:
        self.selected = (self.selected + step) % len(IMAGES)

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.image))

    def render(self) -> Text:
        out = Text()
        for row in range(0, len(IMAGES), COLUMNS):
            tiles = IMAGES[row : row + COLUMNS]
            for line in range(5):
                for index, image in enumerate(tiles, start=row):
                    name, art = image_name(image), ART[image][1]
                    chosen = index == self.selected
                    if line < 4:
                        lines = art.split("\n")
                        cell = (lines[line] if line < len(lines) else "").ljust(TILE_WIDTH)
                    else:
                        label = f">{name}<" if chosen else name
                        cell = label.center(TILE_WIDTH)
                    out.append(cell[:TILE_WIDTH], style="reverse" if chosen else "")
                out.append("\n")
            if row + COLUMNS < len(IMAGES):
                out.append("\n")
        return out
