"""The member's security image: small ASCII drawings that any terminal can show.

Plain ASCII on purpose: the Linux console, a vt100 and a monochrome kiosk draw them the same.
"""

from __future__ import annotations

from textual.widgets import Static

from sjvirtual_tui.enums import SecurityImageId
from sjvirtual_tui.i18n import N_, _

# Each drawing is 4 lines of at most 14 columns. Names are msgids: show them with image_name().
ART: dict[SecurityImageId, tuple[str, str]] = {
    SecurityImageId.COLIBRI: (N_("Colibrí"), "   _      \n  ( '>__  \n  /)  __> \n ^^        "),
    SecurityImageId.CONDOR: (N_("Cóndor"), "\\\\_    _//\n  \\\\(oo)//\n    /  \\  \n   ^^  ^^ "),
    SecurityImageId.VOLCAN: (
        N_("Volcán"),
        "    ,*,    \n   /   \\   \n  / /\\  \\  \n /_/  \\__\\ ",
    ),
    SecurityImageId.LLAMA: (N_("Llama"), "   ,,     \n  (oo)    \n   ||____ \n   ||  || "),
    SecurityImageId.TORTUGA: (N_("Tortuga"), "    ____  \n  _/_||_\\_o\n  \\______/ \n   ^^  ^^  "),
    SecurityImageId.CAFE: (N_("Café"), "   ) )    \n  ( (     \n |____|_  \n |____|_) "),
    SecurityImageId.CACAO: (N_("Cacao"), "   _/\\_   \n  / || \\  \n  \\ || /  \n   \\__/   "),
    SecurityImageId.FARO: (N_("Faro"), "   _/\\_   \n   |==|   \n   |  |   \n __|__|__ "),
    SecurityImageId.BARCO: (N_("Barco"), "    |\\    \n    | \\   \n ___|__\\_ \n \\______/ "),
    SecurityImageId.SOL: (N_("Sol"), "  \\ | /   \n -- O --  \n  / | \\   \n          "),
    SecurityImageId.LUNA: (N_("Luna"), "   _..    \n  (  '    \n  (_ .    \n    ''    "),
    SecurityImageId.GUITARRA: (N_("Guitarra"), "      ==o \n     //   \n  (O)/    \n  (__)    "),
}


def image_name(image: SecurityImageId) -> str:
    """The image's name in the current language."""
    return _(ART[image][0])


class SecurityImage(Static):
    """Draws one security image with its name under it."""

    DEFAULT_CSS = """
    SecurityImage {
        width: 16;
        height: 7;
        border: round $accent;
        padding: 0 1;
        content-align: center middle;
    }
    """

    def __init__(self, image: SecurityImageId | None = None, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self.image: SecurityImageId | None = None
        if image is not None:
            self.show_image(image)

    def show_image(self, image: SecurityImageId) -> None:
        self.image = image
        self.update(ART[image][1])
        self.border_subtitle = image_name(image)
