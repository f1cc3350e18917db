"""The flows of the manual, each written once: the dashboard's MENÚ, the keys that open them,
the command palette (Ctrl+P) and the help (F1) are all drawn from :data:`FLOWS`.

Adding a flow = one row here + one screen module. A row names its screen by import path: the
table is read at start-up (the login screen's keys), when no screen module may be imported yet
(they bring pydantic; see app.py on the first paint).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from sjvirtual_tui.i18n import N_

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


class Audience(Enum):
    """Who may open a flow: someone not logged in yet, a member, the cooperative's staff."""

    GUEST = "guest"
    MEMBER = "member"
    TELLER = "teller"


class Flow(NamedTuple):  # a NamedTuple: made at import far faster than a dataclass
    id: str
    label: str  # N_: its name in the palette and in F1's list ("Transferencias")
    help: str  # N_: one line under the name in the palette
    key: str  # the key that opens it, on the screen its audience starts from
    key_label: str  # N_: the key's word in the footer ("Transferir")
    audience: Audience
    # "module:Class"; None: the flow is the audience's own screen (POSICIÓN CONSOLIDADA).
    screen: str | None = None
    menu: str | None = None  # N_: its words in the dashboard's MENÚ (members' flows)
    in_footer: bool = True  # False: in the MENÚ and F1 only (no room at 80 columns)
    # The action its key runs; by default the screen's generic ``open_flow``.
    action: str | None = None

    @property
    def binding_action(self) -> str:
        return self.action or f"open_flow('{self.id}')"

    def screen_class(self) -> type[Screen[object]] | None:
        if self.screen is None:
            return None
        module, _sep, name = self.screen.partition(":")
        cls: type[Screen[object]] = getattr(importlib.import_module(module), name)
        return cls


# In the order of the dashboard's MENÚ.
FLOWS: tuple[Flow, ...] = (
    Flow(
        "statement",
        N_("Saldos y estados de cuenta"),
        N_("Posición consolidada (Enter: estado de cuenta)"),
        "enter",
        N_("Estado de cuenta"),
        Audience.MEMBER,
        menu=N_("ESTADO DE CUENTA"),
        in_footer=False,  # Enter is the table's key there (it opens the same statement)
        action="open_statement",  # of the account under the cursor
    ),
    Flow(
        "transfers",
        N_("Transferencias"),
        N_("Entre cuentas propias, a terceros, a otras instituciones"),
        "f2",
        N_("Transferir"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.transfers:TransferScreen",
        menu=N_("TRANSFERENCIAS"),
    ),
    Flow(
        "history",
        N_("Historial de transferencias y pagos"),
        N_("Estado y comprobante de cada operación"),
        "f4",
        N_("Historial"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.transfer_history:TransferHistoryScreen",
        menu=N_("HISTORIAL"),
        in_footer=False,
    ),
    Flow(
        "services",
        N_("Pago de servicios"),
        N_("Luz, agua, teléfono, matrículas, impuestos"),
        "f6",
        N_("Servicios"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.services:ServicePaymentScreen",
        menu=N_("PAGO DE SERVICIOS"),
        in_footer=False,
    ),
    Flow(
        "cards",
        N_("Pago de tarjetas de crédito"),
        N_("De la cooperativa o de otras instituciones"),
        "f7",
        N_("Tarjetas"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.cards:CardPaymentScreen",
        menu=N_("PAGO DE TARJETAS"),
        in_footer=False,
    ),
    Flow(
        "beneficiaries",
        N_("Productos de terceros"),
        N_("ADMINISTRACIÓN: registrar o eliminar cuentas"),
        "f3",
        N_("Terceros"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.beneficiaries:BeneficiariesScreen",
        menu=N_("ADMINISTRACIÓN › Productos de terceros"),
        in_footer=False,
    ),
    # --- certificates (issue 17) ---
    Flow(
        "certificates",
        N_("Certificado bancario"),
        N_("De una de sus cuentas, en PDF, con código de verificación"),
        "c",
        N_("Certificado"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.certificates:CertificateScreen",
        menu=N_("CERTIFICADOS"),
        in_footer=False,
    ),
    # --- polizas (issue 17) ---
    Flow(
        "polizas",
        N_("Pólizas"),
        N_("Depósitos a plazo fijo: sus pólizas, simular y abrir una"),
        "z",
        N_("Pólizas"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.polizas:PolizaScreen",
        menu=N_("PÓLIZAS"),
        in_footer=False,
    ),
    # --- loans (issue 17) ---
    Flow(
        "loans",
        N_("Préstamos"),
        N_("Saldo, próxima cuota, tabla de amortización y simulador"),
        "p",
        N_("Préstamos"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.loans:LoansScreen",
        menu=N_("PRÉSTAMOS"),
        in_footer=False,
    ),
    # --- notifications (issue 17) ---
    Flow(
        "notifications",
        N_("Notificaciones"),
        N_("Avisos de la cooperativa: transferencias, pagos, ingresos"),
        "n",
        N_("Avisos"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.notifications:NotificationsScreen",
        menu=N_("AVISOS"),
        in_footer=False,
    ),
    # --- self-service ---
    Flow(
        "self_service",
        N_("Mi perfil y seguridad"),
        N_("Contraseña, imagen y preguntas, correo y celular, bloquear tarjeta de débito"),
        "a",
        N_("Perfil"),
        Audience.MEMBER,
        "sjvirtual_tui.screens.self_service:SelfServiceScreen",
        menu=N_("ADMINISTRACIÓN › Perfil"),
        in_footer=False,
    ),
    Flow(
        "register",
        N_("Registro de socios"),
        N_("REGISTRARSE como persona o empresa"),
        "f2",
        N_("Registrarse"),
        Audience.GUEST,
        "sjvirtual_tui.screens.registration:RegistrationScreen",
    ),
    Flow(
        "set_password",
        N_("Establecer contraseña"),
        N_("Con el código del correo de aprobación"),
        "f3",
        N_("Crear contraseña"),
        Audience.GUEST,
        "sjvirtual_tui.screens.set_password:SetPasswordScreen",
    ),
    Flow(
        "recover",
        N_("Recuperar contraseña"),
        N_("Con un código por correo y sus preguntas de seguridad"),
        "f4",
        N_("Recuperar"),
        Audience.GUEST,
        "sjvirtual_tui.screens.recovery:RecoveryScreen",
    ),
    # --- approvals and audit (issue 18) ---
    Flow(
        "teller_access",
        N_("Acceso de socios"),
        N_("Restablecer seguridad, reenviar código, registrar socio en ventanilla"),
        "f10",
        N_("Acceso"),
        Audience.TELLER,
        "sjvirtual_tui.screens.teller_access:TellerAccessScreen",
        in_footer=False,  # F1 and the palette (Ctrl+P): the footer keeps the counter's keys
    ),
    Flow(
        "supervisor",
        N_("Aprobaciones y auditoría"),
        N_("Cuatro ojos: aprobar o rechazar; el registro de auditoría (supervisores)"),
        "f12",
        N_("Supervisor"),
        Audience.TELLER,
        "sjvirtual_tui.screens.supervisor:SupervisorScreen",
        in_footer=False,  # F1 and the palette (Ctrl+P)
    ),
    # --- teller counter (issue 18) ---
    Flow(
        "member_search",
        N_("Buscar socio"),
        N_("Por cédula/RUC, nombre, usuario, cuenta o teléfono; su ficha; depósito y retiro"),
        "f11",  # F4 is the teller's Certificados tab
        N_("Buscar"),
        Audience.TELLER,
        "sjvirtual_tui.screens.member_search:MemberSearchScreen",
    ),
    Flow(
        "cash_drawer",
        N_("Cuadre de caja"),
        N_("Abrir la caja con su fondo, ver lo esperado y cerrarla con lo contado"),
        "f8",  # the demo's Correo before a teller logs in (app.check_action)
        N_("Caja"),
        Audience.TELLER,
        "sjvirtual_tui.screens.cash_drawer:CashDrawerScreen",
    ),
)


def flows_for(audience: Audience, table: Sequence[Flow] = FLOWS) -> list[Flow]:
    return [flow for flow in table if flow.audience is audience]


def flow(flow_id: str, table: Sequence[Flow] = FLOWS) -> Flow:
    for row in table:
        if row.id == flow_id:
            return row
    raise KeyError(flow_id)


def flow_bindings(audience: Audience, table: Sequence[Flow] = FLOWS) -> Iterator[Binding]:
    """The keys of ``audience``'s flows, for the BINDINGS of the screen they start from: in
    the order of the keys (F1's list and the footer read F2, F3, F4…)."""
    from textual.binding import Binding

    for row in sorted(flows_for(audience, table), key=_key_order):
        yield Binding(row.key, row.binding_action, row.key_label, show=row.in_footer, id=row.id)


# The keys the config file's [keymap] moved (binding id -> keys), set by the app once checked
# (keymap.py): the MENÚ and F1 tell the key that works, not the default.
_remapped: dict[str, str] = {}


def use_keymap(keymap: dict[str, str]) -> None:
    _remapped.clear()
    _remapped.update(keymap)


def effective_key(binding_id: str | None, default: str) -> str:
    """The key of binding ``binding_id`` now: the keymap's (its first key) or ``default``."""
    if binding_id is None or binding_id not in _remapped:
        return default
    return _remapped[binding_id].split(",")[0]


def _key_order(row: Flow) -> tuple[int, int, str]:
    """Enter and the like first, then F1, F2, … by number (F10 after F9)."""
    number = row.key[1:]
    if row.key.startswith("f") and number.isdigit():
        return (1, int(number), "")
    return (0, 0, row.key)


def key_name(key: str) -> str:
    """``ctrl+o`` -> ``Ctrl+O``, ``f2`` -> ``F2``, ``escape`` -> ``Escape``."""
    *modifiers, last = key.split("+")
    if len(last) == 1 or (last[0] == "f" and last[1:].isdigit()):
        last = last.upper()
    return "+".join([*(m.capitalize() for m in modifiers), last[:1].upper() + last[1:]])


def menu_text(
    audience: Audience,
    extra: Sequence[str] = (),
    *,
    width: int = 64,
    table: Sequence[Flow] = FLOWS,
) -> str:
    """The MENÚ: "MENÚ  Enter ESTADO DE CUENTA · F2 TRANSFERENCIAS · …", wrapped at ``width``
    between entries. ``extra``: the screen's own entries after the flows ("F5 actualizar")."""
    from sjvirtual_tui.i18n import _

    entries = [
        f"{key_name(effective_key(row.id, row.key))} {_(row.menu)}"
        for row in flows_for(audience, table)
        if row.menu is not None
    ]
    entries.extend(extra)
    head = _("MENÚ") + "  "
    prefix, indent = head, " " * len(head)
    lines: list[str] = []
    current: list[str] = []
    for entry in entries:
        if current and len(prefix + " · ".join([*current, entry])) > width:
            lines.append(prefix + " · ".join(current))
            prefix, current = indent, []
        current.append(entry)
    lines.append(prefix + " · ".join(current))
    return "\n".join(lines)
