"""The member's transfers and payments and their state (an interbank one is "en proceso" until
the clearing settles it), and each one's receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from sjvirtual_tui.formatting import TRANSFER_STATUS_LABELS, local_time, money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.listing import ListScreen
from sjvirtual_tui.widgets.receipt import receipt_text
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import Payment, Transfer

    Operation = Transfer | Payment


def _when(operation: Operation) -> str:
    return (operation.executed_at or operation.created_at).isoformat()


def row_key(operation: Operation) -> str:
    """Unique across kinds: a transfer and a payment may share a numeric id."""
    from sjvirtual_tui.models import Transfer

    kind = "transfer" if isinstance(operation, Transfer) else "payment"
    return f"{kind}-{operation.id}"


def destination(operation: Operation) -> tuple[str, str]:
    """(who, where) for the list and its detail line."""
    from sjvirtual_tui.models import Transfer

    if isinstance(operation, Transfer):
        return operation.to_name, f"{operation.to_institution} {operation.to_account}"
    return operation.payee_name, operation.payee_reference


def _operation_cells(t: Operation) -> tuple[object, ...]:
    return (
        local_time(t.executed_at or t.created_at),
        t.reference,
        destination(t)[0],
        Text(money(t.amount_cents), justify="right"),
        TRANSFER_STATUS_LABELS.get(t.status, t.status).split(",")[0],
    )


class TransferHistoryScreen(ListScreen):
    HEADING = N_("HISTORIAL DE TRANSFERENCIAS Y PAGOS")
    DETAIL_ID = "transfer-detail"
    EMPTY = N_("Aún no tiene transferencias ni pagos.")
    BINDINGS = [
        Binding("enter", "open", N_("Comprobante"), show=True, id="history.receipt"),
        Binding("escape", "back", N_("Volver"), show=True, id="back"),
        Binding("f5", "retry", N_("Actualizar"), show=True, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="transfer-history")

    def compose_body(self) -> ComposeResult:
        yield RowTable(id="transfer-table", cells=_operation_cells, key=row_key)
        yield Static("", id="transfer-detail", markup=False)
        yield Static(
            _("Enter: ver el comprobante · F5: actualizar el estado de las que están en proceso."),
            classes="hint",
        )

    def on_mount(self) -> None:
        self.sub_title = _("Historial de transferencias y pagos")
        table = self.query_one(DataTable)
        table.add_column(_("Fecha"), key="date", width=16)
        table.add_column(_("Referencia"), key="reference", width=11)
        table.add_column(_("Destino"), key="to", width=16)
        table.add_column(_("Monto"), key="amount", width=11)
        table.add_column(_("Estado"), key="status", width=10)
        table.focus()
        self.refresh_data()

    @property
    def transfers(self) -> list[Operation]:
        """Transfers and payments, newest first, as listed."""
        return self.query_one(RowTable).items

    async def fetch_items(self) -> list[Operation]:
        operations: list[Operation] = [*await self.backend.transfers()]
        operations += await self.backend.payments()
        return sorted(operations, key=_when, reverse=True)

    def detail(self, item: Any) -> str:
        t: Operation = item
        state = TRANSFER_STATUS_LABELS.get(t.status, t.status)
        who, where = destination(t)
        text = f"{who} · {where} · {state}"
        if t.reason:
            text += f" · {t.reason}"
        return text

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        operation: Operation | None = self.current
        if operation is not None:
            self.app.push_screen(ReceiptScreen(operation))

    def action_back(self) -> None:
        self.app.pop_screen()


class ReceiptScreen(BankScreen):
    """One receipt, as on the LISTO! step; F2 saves it as a text file."""

    BINDINGS = [
        Binding("f2", "save", N_("Guardar comprobante"), show=True, id="receipt.save"),
        Binding("escape", "back", N_("Volver"), show=True, id="back"),
    ]

    def __init__(self, transfer: Operation) -> None:
        super().__init__(id="receipt")
        self.transfer = transfer
        self.saved_to: str = ""

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="receipt-box"):
            yield Static(receipt_text(self.transfer), id="receipt-text", markup=False)

    def on_mount(self) -> None:
        self.sub_title = _("Comprobante {reference}").format(reference=self.transfer.reference)

    def action_save(self) -> None:
        path = self.save_receipt(self.transfer)
        if path is not None:
            self.saved_to = str(path)

    def action_back(self) -> None:
        self.app.pop_screen()
