"""AYUDA (F1): the keys of the screen underneath, then the ones that work everywhere. A key that
opens a flow is told in the flow table's words (flows.py), as in the footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from sjvirtual_tui.flows import FLOWS, effective_key, key_name
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.widgets.bindings import translate_bindings

# Keys Textual handles itself, so they are in no BINDINGS table.
ALWAYS = [
    ("Tab / Shift+Tab", N_("Siguiente / anterior campo")),
    ("Enter", N_("Aceptar el paso o el botón")),
    ("Escape", N_("Volver al paso o pantalla anterior")),
    ("Ctrl+P", N_("Paleta: abrir cualquier trámite por su nombre")),
]


def _our_keys(node: object) -> set[tuple[str, str]]:
    """(key, action) bound by our own classes in ``node``'s MRO, not by Textual's widgets; the
    key is the one in effect (the config file's [keymap] may have moved it)."""
    return {
        (effective_key(binding.id, binding.key), binding.action)
        for cls in type(node).__mro__
        if cls.__module__.startswith("sjvirtual_tui")
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", []))
    }


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", N_("Cerrar"), show=True, id="help.close"),
        Binding("f1", "dismiss", N_("Cerrar"), show=False, id="help.close_f1"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__(id="help")
        self.under = under
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(_("AYUDA · TECLAS"), classes="screen-title")
            yield Static(self._keys_text(), id="help-keys", markup=False)
        yield Footer(show_command_palette=False, compact=True)

    def _keys_text(self) -> str:
        flow_words = {
            (effective_key(row.id, row.key), row.binding_action): row.key_label for row in FLOWS
        }
        # The flows this screen opens by a key, even where a widget has the key too (Enter in
        # the dashboard's table opens the statement all the same).
        screen_flows = {
            key: flow_words[key, action]
            for key, action in _our_keys(self.under)
            if (key, action) in flow_words
        }
        lines: list[str] = []
        seen: set[str] = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            if key in screen_flows and key not in seen and active.node is not self.under:
                seen.add(key)
                lines.append(f"{key_name(key):<16}{_(screen_flows[key])}")
                continue
            if not binding.description or not active.enabled or key in seen:
                continue
            if (key, binding.action) not in _our_keys(active.node):
                continue  # Textual's own widget keys (arrows in a table) go without saying
            if binding.action in ("help", "dismiss"):
                continue
            seen.add(key)
            name = flow_words.get((key, binding.action))
            # A key's tooltip is its whole meaning where the footer has room for a word only.
            words = _(name) if name is not None else (binding.tooltip or binding.description)
            lines.append(f"{key_name(key):<16}{words}")
        lines.append("")
        lines.extend(f"{key:<16}{_(text)}" for key, text in ALWAYS)
        return "\n".join(lines)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
