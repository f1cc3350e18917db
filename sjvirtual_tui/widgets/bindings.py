"""Key descriptions in the current language.

``BINDINGS`` are class constants written in Spanish (marked with ``N_``); Textual copies them
into each node when it is made, so translating that copy is enough for the footer, the help
screen and the command palette.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from sjvirtual_tui.i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Call at the end of ``__init__`` of a screen or widget that shows keys in the footer."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=_(b.description), tooltip=_(b.tooltip)) if b.description else b
            for b in bindings
        ]
