"""The command palette (Ctrl+P): every flow of the table (flows.py) by its name, from any
screen: the ones the member may open now, and the keys that work everywhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sjvirtual_tui.flows import Audience, flows_for
from sjvirtual_tui.i18n import N_, _

if TYPE_CHECKING:
    from sjvirtual_tui.app import SJVirtualApp

ALWAYS = [
    ("toggle_amounts", N_("Ocultar o mostrar montos"), N_("Ctrl+O: nadie lee sus saldos")),
    ("logout", N_("Cerrar sesión"), N_("F9: termina la sesión en el servidor")),
]


class BankCommands(Provider):
    """Lists the flows the member can open now: the manual's ones once logged in, registration
    and password ones before (the tellers' app has none of either)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: SJVirtualApp = self.app  # type: ignore[assignment]
        found: list[tuple[str, str, Callable[[], object]]] = []
        # The tellers' flows once logged in (issue 18); before, the tellers' app has none.
        teller_out = app.audience is Audience.TELLER and app.session is None
        for flow in [] if teller_out else flows_for(app.audience):
            found.append((_(flow.label), _(flow.help), partial(app.open_flow, flow.id)))
        if app.session is not None:
            for action, name, help_text in ALWAYS:
                found.append((_(name), _(help_text), partial(app.run_action, action)))
        return found

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
