"""DEPÓSITO / RETIRO EN VENTANILLA (teller): the socio's account, the amount and the depositor
(a deposit) or the holder's cédula/RUC typed from the document (a withdrawal); CONFIRMAR; then
the receipt, printed on the receipt printer or saved as a text file (the teller is told where).

A withdrawal above the cooperative's threshold is not paid out: it waits for a supervisor's
approval, and the screen says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from sjvirtual_tui.formatting import money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import Form, FormField
from sjvirtual_tui.widgets.money_input import MoneyInput

if TYPE_CHECKING:
    from sjvirtual_tui.backend import BackendError
    from sjvirtual_tui.models import CounterOperation

_FIELDS = {"account": "account", "amount_cents": "amount", "depositor": "depositor"}


def _account_problem(value: str) -> str | None:
    digits = value.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 1 <= len(digits) <= 13:
        return _("Escriba el número de cuenta (solo dígitos, p. ej. 00105349).")
    return None


def _id_problem(value: str) -> str | None:
    if not value.isdigit() or len(value) not in (10, 13):
        return _("Escriba la cédula (10 dígitos) o el RUC (13) del documento del titular.")
    return None


class CounterScreen(BankScreen):
    SUB_TITLE = N_("Personal")
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Volver"), show=True, id="back"),
        Binding("f2", "print_again", N_("Reimprimir"), show=False, id="counter.print"),
    ]

    def __init__(self, kind: str, account: str = "", holder_name: str = "") -> None:
        super().__init__(id=f"counter-{kind}")
        self.kind = kind
        self.account = account
        self.holder_name = holder_name
        self.keys = OperationKeys()
        self.done: CounterOperation | None = None

    def heading(self) -> str:
        title = (
            _("DEPÓSITO EN VENTANILLA") if self.kind == "deposito" else _("RETIRO EN VENTANILLA")
        )
        return f"{title} · {self.holder_name}" if self.holder_name else title

    def compose_body(self) -> ComposeResult:
        with Form(id="counter-form"):
            yield FormField(
                "account",
                _("Cuenta"),
                check=_account_problem,
                max_length=13,
                value=self.account,
                prefix="c-",
            )
            yield MoneyInput("amount", _("Monto"), prefix="c-")
            if self.kind == "deposito":
                yield FormField("depositor", _("Depositante"), max_length=80, prefix="c-")
            else:
                yield FormField(
                    "identification",
                    _("Cédula/RUC titular"),
                    check=_id_problem,
                    max_length=13,
                    prefix="c-",
                    placeholder=_("del documento que presenta"),
                )
        yield Static(_("Enter en el último campo: CONFIRMAR."), classes="hint", id="counter-hint")
        with VerticalScroll(id="counter-receipt-box"):
            yield Static("", id="counter-receipt", markup=False)

    def on_mount(self) -> None:
        first = "#c-input-amount" if self.account else "#c-input-account"
        self.query_one(first, Input).focus()

    def _field(self, name: str) -> FormField:
        return self.query_one(f"#c-field-{name}", FormField)

    @on(Form.Submitted, "#counter-form")
    def _submitted(self) -> None:
        if self.done is not None or not self.query_one(Form).validate():
            return
        amount = self.query_one(MoneyInput).cents or 0
        if amount <= 0:
            self._field("amount").show_error(_("El monto debe ser mayor que cero."))
            return
        account = self._field("account").value.replace(" ", "").replace("-", "")
        if self.kind == "deposito":
            who = self._field("depositor").value
            if len(who) < 2:
                self._field("depositor").show_error(_("Escriba el nombre de quien deposita."))
                return
            question = _("¿Depositar {amount} en la cuenta {account}? Depositante: {who}.").format(
                amount=money(amount), account=account, who=who
            )
        else:
            who = self._field("identification").value
            question = _("¿Entregar {amount} de la cuenta {account}?").format(
                amount=money(amount), account=account
            )

        def decided(yes: bool | None) -> None:
            if yes:
                self._send(account, amount, who)

        self.app.push_screen(ConfirmScreen(question), decided)

    def _send(self, account: str, amount: int, who: str) -> None:
        from sjvirtual_tui.models import CashDepositRequest, CashWithdrawalRequest

        key = self.keys.key_for((self.kind, account, amount, who))
        if self.kind == "deposito":
            deposit = CashDepositRequest(account=account, amount_cents=amount, depositor=who)

            async def call() -> CounterOperation:
                return await self.backend.cash_deposit(deposit, idempotency_key=key)
        else:
            withdrawal = CashWithdrawalRequest(
                account=account, amount_cents=amount, identification=who
            )

            async def call() -> CounterOperation:
                return await self.backend.cash_withdrawal(withdrawal, idempotency_key=key)

        self.call_backend(call, self._done, on_error=self._refused)

    def _refused(self, error: BackendError) -> bool:
        name = _FIELDS.get(error.field or "", error.field or "")
        try:
            field = self._field(name)
        except Exception:
            return False  # no such field here: the banner shows it
        field.show_error(error.message)
        field.input.focus()
        return True

    def _done(self, operation: CounterOperation) -> None:
        self.done = operation
        self.keys.forget()
        # The receipt needs the room at 80x24: the form is done.
        self.query_one(Form).display = False
        if operation.status == "pendiente_aprobacion":
            self.query_one("#counter-receipt", Static).update(
                _(
                    "Retiro {reference} por {amount}: supera el monto que un cajero entrega "
                    "solo. Queda PENDIENTE DE APROBACIÓN de un supervisor; no entregue el "
                    "dinero todavía."
                ).format(reference=operation.reference, amount=money(operation.amount_cents))
            )
            return
        self._deliver(operation)

    def _deliver(self, operation: CounterOperation) -> None:
        from sjvirtual_tui.receipts import counter_receipt, deliver, receipt_text

        settings = self.context.settings
        receipt = counter_receipt(operation)
        try:
            delivered = deliver(receipt, settings.printer, settings.export_dir)
        except OSError as exc:
            self.show_problem(
                _("No se pudo guardar el comprobante: {reason}.").format(reason=exc.strerror or exc)
            )
            delivered = None
        shown = receipt_text(receipt, settings.printer.columns)
        if delivered is not None:
            shown = f"{delivered.message}\n\n{shown}"
            # The toast is narrow: a saved receipt's whole path would wrap mid-name there, and
            # the screen already shows it in full above the receipt.
            toast = delivered.message
            if delivered.path is not None:
                toast = _("Comprobante guardado: {name}").format(name=delivered.path.name)
            self.notify(toast, title=_("Comprobante"))
        self.query_one("#counter-hint", Static).update(_("Esc: volver · F2: reimprimir."))
        self.query_one("#counter-receipt", Static).update(shown)

    def action_print_again(self) -> None:
        if self.done is not None and self.done.status == "completada":
            self._deliver(self.done)
