"""The command palette (Ctrl+P): every flow of the manual by its name, from any screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sjvirtual_tui.i18n import N_, _

if TYPE_CHECKING:
    from sjvirtual_tui.app import SJVirtualApp

# (flow, name, help): the member's words for each flow; the app knows how to open it.
MEMBER_FLOWS = [
    (
        "statement",
        N_("Saldos y estados de cuenta"),
        N_("Posición consolidada (Enter: estado de cuenta)"),
    ),
    (
        "transfers",
        N_("Transferencias"),
        N_("Entre cuentas propias, a terceros, a otras instituciones"),
    ),
    (
        "beneficiaries",
        N_("Productos de terceros"),
        N_("ADMINISTRACIÓN: registrar o eliminar cuentas"),
    ),
    (
        "history",
        N_("Historial de transferencias y pagos"),
        N_("Estado y comprobante de cada operación"),
    ),
    ("services", N_("Pago de servicios"), N_("Luz, agua, teléfono, matrículas, impuestos")),
    ("cards", N_("Pago de tarjetas de crédito"), N_("De la cooperativa o de otras instituciones")),
]
GUEST_FLOWS = [
    ("register", N_("Registro de socios"), N_("REGISTRARSE como persona o empresa")),
    ("set_password", N_("Establecer contraseña"), N_("Con el código del correo de aprobación")),
    (
        "recover",
        N_("Recuperar contraseña"),
        N_("Con un código por correo y sus preguntas de seguridad"),
    ),
]
ALWAYS = [
    ("toggle_amounts", N_("Ocultar o mostrar montos"), N_("Ctrl+O: nadie lee sus saldos")),
    ("logout", N_("Cerrar sesión"), N_("F9: termina la sesión en el servidor")),
]


class BankCommands(Provider):
    """Lists the flows the member can open now: the manual's ones once logged in, registration
    and password ones before."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: SJVirtualApp = self.app  # type: ignore[assignment]
        found: list[tuple[str, str, Callable[[], object]]] = []
        logged_in = app.session is not None and not app.teller_mode
        for flow, name, help_text in MEMBER_FLOWS if logged_in else GUEST_FLOWS:
            found.append((_(name), _(help_text), partial(app.open_flow, flow)))
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
