"""On the Linux console and a vt100: draw only what their fonts have (ASCII and Latin-1).

A line filter over everything drawn, each glyph for as many cells of ASCII (no width changes):
arrows, bullets, dashes and the like from Textual's widgets and our texts become ASCII. Letters
with accents stay (Latin-1 is in every console font); borders are handled by appearance.py.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

_TABLE = str.maketrans(
    {
        "›": ">",
        "‹": "<",
        "…": ".",
        "—": "-",
        "–": "-",
        "•": "*",
        "●": "*",
        "○": "o",
        "▼": "v",
        "▲": "^",
        "▶": ">",
        "◀": "<",
        "→": ">",
        "←": "<",
        "↑": "^",
        "↓": "v",
        "✓": "v",
        "✔": "v",
        "✗": "x",
        "✘": "x",
        "⭘": "o",
        "│": "|",
        "─": "-",
        "▐": "[",
        "▌": "]",
        "█": "#",
        "▁": "_",
        # The statement's sparkline (eighths of a cell): four heights; its bars' "out" glyph.
        "▂": "_",
        "▃": "-",
        "▄": "-",
        "▅": "=",
        "▆": "=",
        "▇": "#",
        "░": ":",
        "▔": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "🔎": "> ",  # the palette's search icon: an emoji, two cells wide
    }
)


def to_ascii(text: str) -> str:
    return text.translate(_TABLE)


class AsciiGlyphs(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.control else Segment(to_ascii(segment.text), segment.style)
            for segment in segments
        ]
