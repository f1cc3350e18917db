"""CUADRE DE CAJA (teller): open the drawer with its opening float; then the float, the
deposits and withdrawals of the session, their reversals and the expected total, and the
session's operations, where F7 asks a supervisor to reverse the one selected (four eyes: it
shows PENDIENTE until a supervisor decides); at the close, the counted total typed by the
teller and the difference, recorded by the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from sjvirtual_tui.backend import NotFound
from sjvirtual_tui.formatting import local_time, money
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.models import DRAWER_FLOAT_MAX_CENTS
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.member_search import ReasonScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import Form
from sjvirtual_tui.widgets.money_input import MoneyInput
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.backend import BackendError
    from sjvirtual_tui.models import ApprovalRequested, CashDrawer, CounterOperation

KIND_LABELS: Labels[str] = Labels({"deposito": N_("Depósito"), "retiro": N_("Retiro")})
STATE_LABELS: Labels[str] = Labels(
    {
        "completada": N_("hecha"),
        "pendiente_aprobacion": N_("espera aprobación"),
        "rechazada": N_("rechazada"),
        # A reversal: waiting for a supervisor, or done.
        "pendiente": N_("PENDIENTE reverso"),
        "reversada": N_("REVERSADA"),
    }
)


def operation_state(operation: CounterOperation) -> str:
    return STATE_LABELS.get(operation.reversal or operation.status, operation.status)


def _operation_cells(operation: CounterOperation) -> tuple[object, ...]:
    return (
        operation.reference,
        KIND_LABELS.get(operation.kind, operation.kind),
        operation.account,
        Text(money(operation.amount_cents), justify="right"),
        operation_state(operation),
    )


def drawer_text(drawer: CashDrawer) -> str:
    lines = [
        _("Caja {account} abierta {time}").format(
            account=drawer.drawer_account, time=local_time(drawer.opened_at)
        ),
        "",
        f"{_('Fondo inicial'):<28}{money(drawer.opening_float_cents):>16}",
        f"{_('Depósitos') + f' ({drawer.deposits_count})':<28}"
        f"{'+' + money(drawer.deposits_cents):>16}",
        f"{_('Retiros') + f' ({drawer.withdrawals_count})':<28}"
        f"{'-' + money(drawer.withdrawals_cents):>16}",
    ]
    if drawer.reversals_count:
        net = drawer.reversed_withdrawals_cents - drawer.reversed_deposits_cents
        lines.append(
            f"{_('Reversos') + f' ({drawer.reversals_count})':<28}"
            f"{('+' if net >= 0 else '-') + money(abs(net)):>16}"
        )
    lines.append(f"{_('Total esperado'):<28}{money(drawer.expected_cents):>16}")
    if drawer.closed_at is not None and drawer.counted_cents is not None:
        difference = drawer.difference_cents or 0
        word = (
            _("cuadra") if difference == 0 else (_("sobrante") if difference > 0 else _("faltante"))
        )
        lines += [
            f"{_('Total contado'):<28}{money(drawer.counted_cents):>16}",
            f"{_('Diferencia'):<28}{money(difference):>16}  {word}",
            "",
            _("Caja cerrada {time}: el cuadre quedó registrado.").format(
                time=local_time(drawer.closed_at)
            ),
        ]
    return "\n".join(lines)


def _float_maximum() -> tuple[int, str]:
    return DRAWER_FLOAT_MAX_CENTS, _("El fondo inicial es de máximo {maximum}.").format(
        maximum=money(DRAWER_FLOAT_MAX_CENTS)
    )


class CashDrawerScreen(BankScreen):
    HEADING = N_("CUADRE DE CAJA")
    SUB_TITLE = N_("Personal")
    BINDINGS = [
        Binding("f7", "reverse", N_("Reversar"), show=True, id="drawer.reverse"),
        Binding("escape", "app.pop_screen", N_("Volver"), show=True, id="back"),
    ]

    def __init__(self) -> None:
        super().__init__(id="cash-drawer")
        self.keys = OperationKeys()
        self.drawer: CashDrawer | None = None
        self.operations: list[CounterOperation] = []

    def compose_body(self) -> ComposeResult:
        yield Static(_("Consultando su caja…"), id="drawer-text", markup=False)
        with Form(id="open-form"):
            yield MoneyInput(
                "opening_float", _("Fondo inicial"), prefix="d-", maxima=[_float_maximum]
            )
        with Form(id="close-form"):
            yield MoneyInput("counted", _("Total contado"), prefix="d-")
        yield Static("", id="drawer-hint", classes="hint")
        yield RowTable(id="drawer-ops", cells=_operation_cells, key=lambda o: str(o.id))

    def on_mount(self) -> None:
        self.query_one("#open-form").display = False
        self.query_one("#close-form").display = False
        table = self.query_one("#drawer-ops", DataTable)
        table.add_column(_("Operación"), width=11)
        table.add_column(_("Tipo"), width=9)
        table.add_column(_("Cuenta"), width=8)
        table.add_column(Text(_("Monto"), justify="right"), width=13)
        table.add_column(_("Estado"), width=18)
        table.display = False
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reverse":
            return self._selected() is not None
        return super().check_action(action, parameters)

    def refresh_data(self) -> None:
        def closed(error: BackendError) -> bool:
            if isinstance(error, NotFound):
                self._show_closed()
                return True
            return False

        self.call_backend(self.backend.cash_drawer, self._show_open, on_error=closed)

    def _show_closed(self, after: CashDrawer | None = None) -> None:
        self.drawer = None
        self._show_operations([])
        text = drawer_text(after) + "\n\n" if after is not None else ""
        self.query_one("#drawer-text", Static).update(
            text + _("Su caja está cerrada. Cuente el fondo con que empieza y ábrala.")
        )
        self.query_one("#close-form").display = False
        self.query_one("#open-form").display = True
        self.query_one("#drawer-hint", Static).update(_("Enter: abrir la caja con este fondo."))
        self.query_one("#d-input-opening-float", Input).focus()

    def _show_open(self, drawer: CashDrawer) -> None:
        self.drawer = drawer
        self.query_one("#drawer-text", Static).update(drawer_text(drawer))
        self.query_one("#open-form").display = False
        self.query_one("#close-form").display = True
        self.query_one("#drawer-hint", Static).update(
            _("Al cerrar: cuente el efectivo, escriba el total y Enter. F5: actualizar.")
        )
        self.query_one("#d-input-counted", Input).focus()
        self.call_backend(self.backend.cash_operations, self._show_operations)

    def _show_operations(self, operations: list[CounterOperation]) -> None:
        self.operations = operations
        table = self.query_one("#drawer-ops", RowTable)
        row = table.cursor_row
        table.show_rows(operations)
        table.display = bool(operations)
        if operations:
            table.move_cursor(row=min(max(row, 0), len(operations) - 1))
        self.refresh_bindings()

    def _selected(self) -> CounterOperation | None:
        if not self.operations or self.drawer is None:
            return None
        row = self.query_one("#drawer-ops", DataTable).cursor_row
        return self.operations[row] if 0 <= row < len(self.operations) else None

    def action_reverse(self) -> None:
        operation = self._selected()
        if operation is None:
            return
        if operation.status != "completada" or operation.reversal is not None:
            self.notify(
                _("La operación {reference} no se puede reversar: {state}.").format(
                    reference=operation.reference, state=operation_state(operation)
                ),
                title=_("Reverso"),
                severity="warning",
            )
            return

        def reason_given(reason: str | None) -> None:
            if reason is None:
                return
            key = self.keys.key_for(("reverse", operation.id, reason))
            self.call_backend(
                lambda: self.backend.request_counter_reversal(
                    operation.id, reason, idempotency_key=key
                ),
                self._reversal_requested,
            )

        self.app.push_screen(
            ReasonScreen(
                operation.holder_name,
                prompt=_(
                    "Reverso del {kind} {reference} de {amount} (cuenta {account}): escriba el "
                    "motivo; un supervisor lo aprobará."
                ).format(
                    kind=KIND_LABELS.get(operation.kind, operation.kind).lower(),
                    reference=operation.reference,
                    amount=money(operation.amount_cents),
                    account=operation.account,
                ),
                hint=_("Enter: pedir el reverso · Esc: cancelar"),
            ),
            reason_given,
        )

    def _reversal_requested(self, answer: ApprovalRequested) -> None:
        self.keys.forget()
        self.query_one("#drawer-hint", Static).update(
            _(
                "Solicitud {id}: el reverso de {reference} espera la aprobación de un supervisor."
            ).format(id=answer.approval.id, reference=answer.approval.payload.get("reference", ""))
        )
        self.call_backend(self.backend.cash_operations, self._show_operations)

    def _typed_cents(self, field_id: str) -> int | None:
        """The amount typed in ``#field_id``, once it is valid (else None: the field says why)."""
        field = self.query_one(f"#{field_id}", MoneyInput)
        return field.cents if field.validate_value() else None

    @on(Form.Submitted, "#open-form")
    def _open(self) -> None:
        cents = self._typed_cents("d-field-opening-float")
        if cents is None:
            return
        key = self.keys.key_for(("open", cents))
        self.call_backend(
            lambda: self.backend.open_cash_drawer(cents, idempotency_key=key), self._opened
        )

    def _opened(self, drawer: CashDrawer) -> None:
        self.keys.forget()
        self.notify(_("Caja abierta."), title=_("Cuadre de caja"))
        self._show_open(drawer)

    @on(Form.Submitted, "#close-form")
    def _close(self) -> None:
        cents = self._typed_cents("d-field-counted")
        if cents is None:
            return

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            key = self.keys.key_for(("close", cents))
            self.call_backend(
                lambda: self.backend.close_cash_drawer(cents, idempotency_key=key),
                self._drawer_closed,
            )

        self.app.push_screen(
            ConfirmScreen(_("¿Cerrar la caja con {amount} contados?").format(amount=money(cents))),
            decided,
        )

    def _drawer_closed(self, drawer: CashDrawer) -> None:
        self.keys.forget()
        self.query_one("#d-field-counted", MoneyInput).cents = None
        self._show_closed(drawer)
