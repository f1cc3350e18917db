"""Key descriptions in the current language.

``BINDINGS`` are class constants written in Spanish (marked with ``N_``); Textual copies them
into each node when it is made, so translating that copy is enough for the footer, the help
screen and the command palette. Textual's own widgets write theirs in English: they are mapped to
a Spanish msgid first (:data:`TEXTUAL_KEYS`).
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from sjvirtual_tui.i18n import N_, _

# Textual's key descriptions (widgets we use but do not write) -> our msgid.
TEXTUAL_KEYS = {
    "Dismiss menu": N_("Cerrar menú"),  # the open menu of a Select
    "Exit the command palette": N_("Salir de la paleta de comandos"),
    "Open link": N_("Abrir enlace"),
}


def _translated(text: str) -> str:
    return _(TEXTUAL_KEYS.get(text, text)) if text else text


def translate_bindings(node: DOMNode) -> bool:
    """Call at the end of ``__init__`` of a screen or widget that shows keys in the footer.

    True when a description changed (it is safe to call again: a translated text is no msgid).
    """
    table = node._bindings.key_to_bindings
    changed = False
    for key, bindings in table.items():
        new = [
            replace(b, description=_translated(b.description), tooltip=_translated(b.tooltip))
            if b.description
            else b
            for b in bindings
        ]
        changed = changed or new != bindings
        table[key] = new
    return changed
