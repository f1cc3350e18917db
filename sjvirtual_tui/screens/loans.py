"""PRÉSTAMOS: the member's loans (balance, next instalment, days overdue) -> Enter: the
amortization table (French system) of the loan; S: the loan simulator, which draws the same
table for a product's rate, an amount and a term."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Label, Select, Static

from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import day_count, money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.base import BACK, BankScreen
from sjvirtual_tui.screens.verification import VerifiedWizard, closing_steps, with_emailed_receipt
from sjvirtual_tui.widgets.account_picker import AccountPicker, account_summary
from sjvirtual_tui.widgets.columns import Column, add_columns
from sjvirtual_tui.widgets.form import Form, FormField, field_row, focus_now
from sjvirtual_tui.widgets.money_input import MoneyInput, available_balance
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from datetime import date

    from sjvirtual_tui.models import (
        Account,
        AmortizationRow,
        ConfirmResult,
        Loan,
        LoanPayment,
        LoanPaymentCover,
        LoanPaymentRequest,
        LoanProduct,
        LoanSimulation,
        LoanTable,
    )

STATUS_LABELS = {
    "pagada": N_("pagada"),
    "vencida": N_("vencida"),
    "pendiente": N_("pendiente"),
}


def _right(text: str) -> Text:
    return Text(text, justify="right")


def rate_text(rate: str) -> str:
    """The wire's "15.00" as a member reads it: "15,00 %"."""
    return f"{rate.replace('.', ',')} %"


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def add_table_columns(table: DataTable[object], *, dated: bool) -> None:
    """The amortization table's columns (80 columns: the dates and states only for a loan)."""
    table.add_column(_("N.º"), key="number", width=3)
    if dated:
        table.add_column(_("Vence"), key="due", width=10)
    table.add_column(_("Cuota"), key="payment", width=10)
    table.add_column(_("Interés"), key="interest", width=9)
    table.add_column(_("Capital"), key="capital", width=10)
    table.add_column(_("Saldo"), key="balance", width=11)
    if dated:
        table.add_column(_("Estado"), key="status", width=9)


def fill_table(table: DataTable[object], rows: list[AmortizationRow], *, dated: bool) -> None:
    table.clear()
    for row in rows:
        cells: list[object] = [_right(str(row.number))]
        if dated:
            cells.append(_date(row.due_date))
        cells += [
            _right(money(row.payment_cents)),
            _right(money(row.interest_cents)),
            _right(money(row.capital_cents)),
            _right(money(row.balance_cents)),
        ]
        if dated:
            cells.append(_(STATUS_LABELS[row.status]) if row.status else "")
        table.add_row(*cells, key=str(row.number))


def loan_detail(loan: Loan) -> str:
    """One or two lines under the list: the next instalment and what is overdue."""
    if loan.status == "cancelado" or loan.next_due_date is None:
        return _("Préstamo cancelado: no tiene cuotas por pagar.")
    text = _("Próxima cuota: {amount}, vence el {date}.").format(
        amount=money(loan.next_due_cents), date=_date(loan.next_due_date)
    )
    if loan.days_overdue:
        text += " " + _(
            "EN MORA: {days} de atraso; vencido hoy {amount} (interés de mora {mora})."
        ).format(
            days=day_count(loan.days_overdue),
            amount=money(loan.overdue_cents),
            mora=money(loan.mora_cents),
        )
    if loan.payoff_cents:
        text += " " + _("Para cancelar todo el préstamo hoy: {amount}.").format(
            amount=money(loan.payoff_cents)
        )
    return text


LOAN_COLUMNS = (
    Column(N_("Préstamo"), "product", 18),
    Column(N_("Monto"), "amount", 11),
    Column(N_("Tasa"), "rate", 7),
    Column(N_("Plazo"), "months", 5),
    Column(N_("Saldo"), "balance", 11),
    Column(N_("Atraso"), "overdue", 7),
)


class LoansScreen(BankScreen):
    """The member's loans; Enter opens the amortization table, S the simulator."""

    HEADING = N_("PRÉSTAMOS")
    SUB_TITLE = N_("Préstamos")
    BINDINGS = [
        Binding("enter", "open", N_("Tabla de amortización"), show=True, id="loans.table"),
        Binding("f2", "pay", N_("Pagar"), show=True, id="loans.pay"),
        Binding("s", "simulate", N_("Simulador"), show=True, id="loans.simulator"),
        BACK,
        Binding("f5", "retry", N_("Actualizar"), show=False, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="loans")
        self.loans: list[Loan] = []

    def compose_body(self) -> ComposeResult:
        yield RowTable(id="loan-table")
        yield Static("", id="loan-detail", markup=False)
        yield Static(
            _("Enter: tabla de amortización · F2: pagar · S: simulador de créditos."),
            classes="hint",
        )

    def on_mount(self) -> None:
        table = self.query_one("#loan-table", DataTable)
        add_columns(table, LOAN_COLUMNS)
        table.focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.loans, self._show, group="load")

    def _show(self, loans: list[Loan]) -> None:
        self.loans = loans
        table = self.query_one("#loan-table", DataTable)
        table.clear()
        for loan in loans:
            table.add_row(
                loan.product_label,
                _right(money(loan.amount_cents)),
                _right(rate_text(loan.rate)),
                _right(_("{months} m").format(months=loan.months)),
                _right(money(loan.balance_cents)),
                _right(_("{days} d").format(days=loan.days_overdue)),
                key=str(loan.id),
            )
        if not loans:
            self.query_one("#loan-detail", Static).update(
                _("No tiene préstamos. Pulse S para simular uno.")
            )
        else:
            self._detail(table.cursor_row)

    @on(DataTable.RowHighlighted, "#loan-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        if 0 <= row < len(self.loans):
            self.query_one("#loan-detail", Static).update(loan_detail(self.loans[row]))

    @on(DataTable.RowSelected, "#loan-table")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.query_one("#loan-table", DataTable).cursor_row
        if 0 <= row < len(self.loans):
            self.app.push_screen(LoanTableScreen(self.loans[row]))

    def action_simulate(self) -> None:
        self.app.push_screen(LoanSimulatorScreen())

    def action_pay(self) -> None:
        row = self.query_one("#loan-table", DataTable).cursor_row
        if 0 <= row < len(self.loans) and self.loans[row].status == "vigente":
            self.app.push_screen(LoanPaymentScreen(self.loans[row]))

    def on_screen_resume(self) -> None:
        self.refresh_data()  # after a payment: the balance and the days overdue changed


class LoanTableScreen(BankScreen):
    """One loan's amortization table, each instalment with its due date and state."""

    # The table takes the rows left at 24 lines and scrolls (up to 360 instalments).
    DEFAULT_CSS = "#amortization-table { height: 1fr; }"

    HEADING = N_("TABLA DE AMORTIZACIÓN")
    SUB_TITLE = N_("Tabla de amortización")
    BINDINGS = [BACK, Binding("f5", "retry", N_("Actualizar"), show=True, id="refresh")]

    def __init__(self, loan: Loan) -> None:
        super().__init__(id="loan-amortization")
        self.loan = loan
        self.table: LoanTable | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="loan-summary", markup=False)
        yield RowTable(id="amortization-table")
        yield Static("", id="loan-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#amortization-table", DataTable)
        add_table_columns(table, dated=True)
        table.focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        loan_id = self.loan.id
        self.call_backend(lambda: self.backend.loan_table(loan_id), self._show, group="load")

    def _show(self, table: LoanTable) -> None:
        self.table = table
        loan = self.loan = table.loan
        self.query_one("#loan-summary", Static).update(
            _(
                "{product} de {amount} al {rate} anual, {months} meses (sistema francés). "
                "Cuota: {instalment}."
            ).format(
                product=loan.product_label,
                amount=money(loan.amount_cents),
                rate=rate_text(loan.rate),
                months=loan.months,
                instalment=money(loan.instalment_cents),
            )
        )
        rows = self.query_one("#amortization-table", DataTable)
        fill_table(rows, table.rows, dated=True)
        # The cursor on the first instalment still owed: the one the member came to see.
        first_owed = next((i for i, r in enumerate(table.rows) if r.status != "pagada"), 0)
        rows.move_cursor(row=first_owed)
        self.query_one("#loan-detail", Static).update(loan_detail(loan))


class LoanSimulatorScreen(BankScreen):
    """SIMULADOR DE CRÉDITOS: a product (its rate), an amount and a term -> the French table."""

    DEFAULT_CSS = "#sim-table { height: 1fr; } #sim-form { height: auto; }"

    HEADING = N_("SIMULADOR DE CRÉDITOS")
    SUB_TITLE = N_("Simulador de créditos")
    BINDINGS = [BACK]

    def __init__(self) -> None:
        super().__init__(id="loan-simulator")
        self.products: list[LoanProduct] = []
        self.simulation: LoanSimulation | None = None

    def compose_body(self) -> ComposeResult:
        with Form(id="sim-form"):
            yield field_row(
                _("Producto (*)"),
                Select[str]([], prompt=_("Elija el crédito"), id="sim-product", compact=True),
            )
            yield Label("", id="sim-product-error", classes="field-error")
            yield MoneyInput(
                "amount_cents",
                _("Monto"),
                placeholder=_("p. ej. 5.000,00"),
                prefix="sim-",
            )
            yield FormField(
                "months",
                _("Plazo (meses)"),
                check=self._months_error,
                max_length=3,
                placeholder=_("p. ej. 24"),
                prefix="sim-",
            )
            yield Button(_("SIMULAR"), id="sim-submit", variant="primary", compact=True)
        yield Static("", id="sim-summary", markup=False)
        yield RowTable(id="sim-table")

    def on_mount(self) -> None:
        add_table_columns(self.query_one("#sim-table", DataTable), dated=False)
        self.query_one("#sim-table").display = False
        focus_now(self.query_one("#sim-product", Select))
        self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.loan_products, self._loaded, group="load")

    def _loaded(self, products: list[LoanProduct]) -> None:
        self.products = products
        self.query_one("#sim-product", Select).set_options(
            [(f"{p.label} ({rate_text(p.rate)})", p.code.value) for p in products]
        )

    def _product(self) -> LoanProduct | None:
        value = self.query_one("#sim-product", Select).value
        return next((p for p in self.products if p.code.value == value), None)

    def _months_error(self, value: str) -> str | None:
        product = self._product()
        low, high = (product.min_months, product.max_months) if product else (1, 600)
        text = value.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            return _("Plazo: escriba un número de meses entre {low} y {high}.").format(
                low=low, high=high
            )
        return None

    def _amount_error(self, cents: int | None) -> str | None:
        product = self._product()
        if product is None or cents is None:
            return None
        if not product.min_amount_cents <= cents <= product.max_amount_cents:
            return _("Monto: escriba un valor entre {low} y {high}.").format(
                low=money(product.min_amount_cents), high=money(product.max_amount_cents)
            )
        return None

    @on(Form.Submitted, "#sim-form")
    @on(Button.Pressed, "#sim-submit")
    def submit(self) -> None:
        from sjvirtual_tui.models import LoanProductCode, LoanSimulationRequest

        product = self._product()
        self.show_field_error(
            "sim-product-error",
            None if product else _("Producto: elija uno de la lista de créditos."),
            "sim-product",
        )
        form = self.query_one("#sim-form", Form)
        if not form.validate() or product is None:
            if product is None:
                focus_now(self.query_one("#sim-product", Select))
            return
        amount = self.query_one(MoneyInput)
        cents = amount.cents
        message = self._amount_error(cents)
        if message is not None or cents is None:
            amount.show_error(message)
            focus_now(amount.input)
            return
        months = int(self.query_one("#sim-field-months", FormField).value.strip())
        request = LoanSimulationRequest(
            product=LoanProductCode(product.code), amount_cents=cents, months=months
        )
        self.call_backend(
            lambda: self.backend.simulate_loan(request), self._shown, on_error=self._refused
        )

    def _refused(self, error: BackendError) -> bool:
        fields = {f.field_name: f for f in self.query(FormField)}
        if error.field in fields:
            fields[error.field].show_error(error.message)
            focus_now(fields[error.field].input)
            return True
        if error.field == "product":
            self.show_field_error("sim-product-error", error.message, "sim-product")
            return True
        return False

    def _shown(self, simulation: LoanSimulation) -> None:
        self.simulation = simulation
        self.query_one("#sim-summary", Static).update(
            _(
                "Cuota fija: {instalment} al {rate} anual, {months} meses. Intereses: {interest}."
            ).format(
                instalment=money(simulation.instalment_cents),
                rate=rate_text(simulation.rate),
                months=simulation.months,
                interest=money(simulation.total_interest_cents),
            )
        )
        table = self.query_one("#sim-table", DataTable)
        table.display = True
        fill_table(table, simulation.rows, dated=False)
        table.focus()


def cover_lines(cover: LoanPaymentCover | LoanPayment) -> list[str]:
    """What a payment pays, in the order it is applied (the review, before the PIN)."""
    return [
        _("Interés de mora:     {amount}").format(amount=money(cover.mora_cents)),
        _("Interés:             {amount}").format(amount=money(cover.interest_cents)),
        _("Capital vencido:     {amount}").format(amount=money(cover.capital_cents)),
        _("Capital anticipado:  {amount}").format(amount=money(cover.early_capital_cents)),
    ]


def waived_lines(cover: LoanPaymentCover) -> list[str]:
    """What paying capital ahead changes: the later interest waived, the loan cancelled."""
    lines = []
    if cover.waived_interest_cents:
        lines.append(
            _("Interés que ya no pagará: {amount}.").format(
                amount=money(cover.waived_interest_cents)
            )
        )
    if cover.closes:
        lines.append(_("Con este pago su préstamo queda cancelado."))
    elif cover.early_capital_cents:
        lines.append(_("Las cuotas que quedan se recalculan: la cuota baja, el plazo no cambia."))
    return lines


class LoanPaymentScreen(VerifiedWizard):
    """PAGO DE PRÉSTAMO: 1 the amount (what is due today suggested; a button for it and one for
    the payoff, or any amount typed) and the account -> 2 what it covers (and the interest it
    waives), CONFIRMAR and the PIN DE VERIFICACIÓN -> 3 LISTO!, the receipt."""

    HEADING = N_("PAGO DE PRÉSTAMO")
    SUB_TITLE = N_("Pago de préstamo")
    PREFIX = "lp-"
    STEPS = ("lp-data", *closing_steps(PREFIX))
    RESTART_STEP = "lp-data"
    SAVES_RECEIPT = False  # the e-mail is its receipt

    def __init__(self, loan: Loan) -> None:
        super().__init__(id="loan-payment")
        self.loan = loan
        self.request: LoanPaymentRequest | None = None
        self.loan_payment: LoanPayment | None = None

    def compose_steps(self) -> ComposeResult:
        with Form(id="lp-data"):
            yield StepTitle(1, _("VALOR Y CUENTA"))
            yield Static("", id="lp-loan-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("", id="lp-due", compact=True)
                yield Button("", id="lp-payoff", compact=True)
            yield MoneyInput(
                "amount_cents",
                _("Valor a pagar"),
                maxima=[available_balance(self._origin_available)],
                placeholder=_("p. ej. 250,00"),
                prefix="lp-",
            )
            yield field_row(_("Cuenta ORIGEN (*)"), AccountPicker(id="lp-from"))
            yield Button(_("SIGUIENTE"), id="lp-data-next", variant="primary", compact=True)
        yield from self.compose_closing_steps(2)

    def on_mount(self) -> None:
        loan = self.loan
        due = loan.overdue_cents or loan.next_due_cents
        self.query_one("#lp-loan-text", Static).update(
            _("{product} N.º {id}. Saldo de capital: {balance}.").format(
                product=loan.product_label, id=loan.id, balance=money(loan.balance_cents)
            )
            + "\n"
            + loan_detail(loan)
        )
        self.query_one("#lp-due", Button).label = _("LO VENCIDO O LA CUOTA {amount}").format(
            amount=money(due)
        )
        self.query_one("#lp-payoff", Button).label = _("CANCELAR TODO {amount}").format(
            amount=money(loan.payoff_cents)
        )
        amount = self.query_one(MoneyInput)
        amount.cents = due or None
        self.go("lp-data", focus=amount.input)
        self.refresh_data()

    @on(Button.Pressed, "#lp-due")
    @on(Button.Pressed, "#lp-payoff")
    def _choose_amount(self, event: Button.Pressed) -> None:
        """The instalment (what is due today, or the next one) or the payoff; any other amount
        is typed."""
        loan = self.loan
        due = loan.overdue_cents or loan.next_due_cents
        amount = self.query_one(MoneyInput)
        amount.cents = loan.payoff_cents if event.button.id == "lp-payoff" else due
        amount.input.focus()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.accounts, self._accounts, group="load")

    def _accounts(self, accounts: list[Account]) -> None:
        self.query_one("#lp-from", AccountPicker).set_accounts(accounts)

    def _origin_available(self) -> tuple[str, int] | None:
        return self.query_one("#lp-from", AccountPicker).available()

    @on(Button.Pressed, "#lp-data-next")
    @on(Form.Submitted, "#lp-data")
    def _to_confirm(self) -> None:
        from sjvirtual_tui.models import LoanPaymentRequest

        origin = self.query_one("#lp-from", AccountPicker).account
        if origin is None:
            self.show_problem(_("Elija la cuenta ORIGEN."))
            return
        if not self.query_one("#lp-data", Form).validate():
            return
        cents = self.query_one(MoneyInput).cents
        assert cents is not None  # validated above
        request = LoanPaymentRequest(from_account=origin.number, amount_cents=cents)
        loan_id = self.loan.id
        self.call_backend(
            lambda: self.backend.loan_cover(loan_id, cents),
            lambda cover: self._review(request, origin, cover),
            on_error=self.refused,
        )

    def _review(
        self, request: LoanPaymentRequest, origin: Account, cover: LoanPaymentCover
    ) -> None:
        self.request = request
        lines = [
            _("Préstamo:       {loan}").format(
                loan=f"{self.loan.product_label} N.º {self.loan.id}"
            ),
            _("Cuenta ORIGEN:  {account}").format(account=account_summary(origin)),
            _("Valor a pagar:  {amount}").format(amount=money(request.amount_cents)),
            _("Este pago cubre, en este orden:"),
            *cover_lines(cover),
            *waived_lines(cover),
            # Right under the cover, no blank line: the step has no row to spare.
            _("Al CONFIRMAR le enviaremos un PIN DE VERIFICACIÓN a su correo."),
        ]
        self.show_summary(lines, with_pin=False)

    @on(Button.Pressed, "#lp-submit")
    def submit(self) -> None:
        if self.request is not None:
            self.start_verified(
                self.request, partial(self.backend.start_loan_payment, self.loan.id)
            )

    def refused(self, error: BackendError) -> bool:
        return self.refused_in_field("lp-data", error, [self.query_one(MoneyInput)])

    def confirmed(self, result: ConfirmResult) -> None:
        paid = result.loan_payment
        if paid is None:
            return
        self.loan_payment = paid
        lines = [
            _("Referencia:     {reference}").format(reference=paid.reference),
            _("Préstamo:       {loan}").format(loan=f"{paid.product_label} N.º {paid.loan_id}"),
            _("Cuenta ORIGEN:  {account}").format(account=paid.from_account),
            _("Valor pagado:   {amount}").format(amount=money(paid.amount_cents)),
            *cover_lines(paid),
        ]
        self.show_done(
            with_emailed_receipt(_("El pago fue realizado con éxito.")), "\n".join(lines)
        )
