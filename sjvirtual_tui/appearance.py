"""How the screen is drawn: theme, colour or none, Unicode or ASCII.

Read from the terminal's environment before the app starts (``NO_COLOR``, ``TERM``) and from
the ``theme`` setting. Kept free of Textual at import: the CLI reads :data:`THEME_CHOICES` for its
help.

Which theme, first found wins: ``--theme``, ``SJV_THEME``, ``TEXTUAL_THEME`` (Textual's own
variable, any of its theme names), the config file's ``theme``, then the terminal (``TERM=linux``
-> ``ansi``, else ``oscuro``). ``NO_COLOR`` (or a monochrome ``TERM``) wins over all of them: no
colour at all, whatever the theme. config.py reads the first four into one setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NamedTuple

from sjvirtual_tui.i18n import N_

# Our names -> Textual's themes. "ansi" uses the terminal's own 16 colours (its palette, its
# background), so it reads right on the Linux console and on a light or dark terminal alike.
THEMES: dict[str, str] = {
    "oscuro": "textual-dark",
    "claro": "textual-light",
    "ansi": "ansi-dark",
}
THEME_LABELS = {
    "oscuro": N_("Tema oscuro"),
    "claro": N_("Tema claro"),
    "ansi": N_("Tema de la terminal (16 colores)"),
}
THEME_CHOICES = tuple(THEMES)
# Textual's own themes (textual.theme.BUILTIN_THEMES of Textual 8; a test keeps this in step),
# the names TEXTUAL_THEME and the config file may give too.
TEXTUAL_THEMES = (
    "textual-dark",
    "textual-light",
    "nord",
    "gruvbox",
    "catppuccin-mocha",
    "dracula",
    "tokyo-night",
    "monokai",
    "flexoki",
    "catppuccin-latte",
    "catppuccin-frappe",
    "catppuccin-macchiato",
    "solarized-light",
    "solarized-dark",
    "rose-pine",
    "rose-pine-moon",
    "rose-pine-dawn",
    "atom-one-dark",
    "atom-one-light",
    "ansi-dark",
    "ansi-light",
)
DEFAULT_THEME = "oscuro"

# Terminals that have 16 colours at most and fonts without rounded corners, eighth blocks or
# Textual's icons (the Linux console's font is close to code page 437).
_ASCII_TERMS = ("linux", "vt100", "vt102", "vt220", "vt52", "ansi", "cons25", "dumb")
_MONOCHROME_TERMS = ("vt100", "vt102", "vt220", "vt52", "dumb")


class Appearance(NamedTuple):  # a NamedTuple: made at import far faster than a dataclass
    theme: str = DEFAULT_THEME  # one of THEMES, or a Textual theme name
    no_color: bool = False  # NO_COLOR (https://no-color.org) or a terminal without colours
    ascii: bool = False  # ASCII borders and glyphs only

    @property
    def textual_theme(self) -> str:
        return THEMES["ansi"] if self.no_color else THEMES.get(self.theme, self.theme)


def detect_appearance(
    theme: str | None = None, environ: Mapping[str, str] | None = None
) -> Appearance:
    """The ``theme`` setting over the terminal: ``NO_COLOR`` -> no colour at all;
    ``TERM=linux`` -> the terminal's 16 colours and ASCII; ``TERM=vt100`` -> ASCII and no
    colour."""
    env = os.environ if environ is None else environ
    term = env.get("TERM", "").lower()
    no_color = env.get("NO_COLOR") is not None or term.startswith(_MONOCHROME_TERMS)
    ascii_only = term.startswith(_ASCII_TERMS)
    chosen = theme or ("ansi" if ascii_only else DEFAULT_THEME)
    if chosen not in THEMES and chosen not in TEXTUAL_THEMES:
        chosen = DEFAULT_THEME
    return Appearance(theme=chosen, no_color=no_color, ascii=ascii_only)


class _Glyphs(NamedTuple):
    chars: dict[Any, Any]  # Textual's tables, keyed by its border-type literals
    locations: dict[Any, Any]
    vertical: list[str]
    horizontal: list[str]
    toggle: tuple[str, str]
    radio: str


_unicode: list[_Glyphs] = []  # Textual's own glyphs, kept the first time they are replaced


def use_ascii_glyphs(ascii_only: bool) -> None:
    """Draw every border and mark with ASCII, or as Textual does (process-wide: a process
    draws on one terminal; tests switch back).

    Textual has no switch for this; its border table and a few widgets' class constants are the
    one place each glyph comes from, so they are replaced here rather than in every stylesheet.
    """
    if not ascii_only and not _unicode:
        return  # Textual's own glyphs were never replaced (and start-up imports nothing here)
    from textual import _border
    from textual.scrollbar import ScrollBarRender
    from textual.widgets import Checkbox, RadioButton
    from textual.widgets._toggle_button import ToggleButton

    if not _unicode:
        _unicode.append(
            _Glyphs(
                chars=dict(_border.BORDER_CHARS),
                locations=dict(_border.BORDER_LOCATIONS),
                vertical=ScrollBarRender.VERTICAL_BARS,
                horizontal=ScrollBarRender.HORIZONTAL_BARS,
                toggle=(ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT),
                radio=RadioButton.BUTTON_INNER,
            )
        )
    original = _unicode[0]
    keep = {"", "none", "hidden", "blank", "ascii"}
    chars: dict[Any, Any] = _border.BORDER_CHARS
    locations: dict[Any, Any] = _border.BORDER_LOCATIONS
    for name in original.chars:
        use = "ascii" if ascii_only and name not in keep else name
        chars[name] = original.chars[use]
        locations[name] = original.locations[use]
    _border.get_box.cache_clear()  # boxes already drawn are cached by border type
    if ascii_only:
        ScrollBarRender.VERTICAL_BARS = [" "] * 8
        ScrollBarRender.HORIZONTAL_BARS = [" "] * 8
        left, right, radio = "[", "]", "*"
    else:
        ScrollBarRender.VERTICAL_BARS = original.vertical
        ScrollBarRender.HORIZONTAL_BARS = original.horizontal
        (left, right), radio = original.toggle, original.radio
    for cls in (ToggleButton, Checkbox, RadioButton):
        cls.BUTTON_LEFT, cls.BUTTON_RIGHT = left, right
    RadioButton.BUTTON_INNER = radio
