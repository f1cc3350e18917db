"""PAGO DE SERVICIOS: 1 the company (searchable catalog, or a saved frequent service) -> 2 the
reference and CONSULTAR -> 3 the bill, the account and the amount -> 4 verify, CONFIRMAR and the
PIN DE VERIFICACIÓN -> 5 LISTO!, the receipt."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Input, Static

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import BILLER_CATEGORY_LABELS, money
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.screens.verification import PaymentWizard, closing_steps
from sjvirtual_tui.screens.wizard import new_idempotency_key
from sjvirtual_tui.widgets.account_picker import AccountPicker, account_summary
from sjvirtual_tui.widgets.form import Form, FormField, field_row, focus_now, validate_all
from sjvirtual_tui.widgets.money_input import MoneyInput, available_balance
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.toast import TOAST_SECONDS
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        Account,
        Bill,
        Biller,
        FrequentService,
    )

AMOUNT_RULE_NOTES = Labels(
    {
        "exacto": N_("Esta empresa solo recibe el valor exacto de la planilla."),
        "parcial": N_("Puede pagar una parte: desde $0,01 hasta el valor pendiente."),
        "abierto": N_("Valor libre: el valor de la planilla es una sugerencia."),
    }
)


# What members type when they look for a kind of bill, beyond the category's name. Searched
# in Spanish (the billers' own names are Spanish) and in the member's language.
SEARCH_WORDS = {
    "electricidad": N_("luz energía eléctrica"),
    "agua": N_("agua potable alcantarillado"),
    "telefonia": N_("teléfono internet celular móvil"),
    "tv": N_("televisión tv cable"),
    "impuestos": N_("impuestos municipio predial matrícula vehículo placa"),
    "educacion": N_("educación colegio escuela universidad pensión matrícula"),
}
FREQUENT_TITLE = N_("SERVICIOS FRECUENTES · Enter: pagar · Supr: eliminar")


def search_words(category: str) -> str:
    words = SEARCH_WORDS.get(category, "")
    translated = _(words)
    return words if translated == words else f"{words} {translated}"


def folded(text: str) -> str:
    """For searching: no case, no accents (``electrica`` finds Eléctrica)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class ServicePaymentScreen(PaymentWizard):
    HEADING = N_("PAGO DE SERVICIOS")
    SUB_TITLE = N_("Pago de servicios")
    PREFIX = "sv-"
    STEPS = ("sv-biller", "sv-reference", "sv-bill", *closing_steps(PREFIX))
    RESTART_STEP = "sv-bill"

    BINDINGS = [
        Binding(
            "delete",
            "delete_frequent",
            N_("Eliminar frecuente"),
            show=False,
            id="services.delete_frequent",
        )
    ]

    def __init__(self) -> None:
        super().__init__(id="services")
        self.billers: list[Biller] = []
        self.shown: list[Biller] = []
        self.frequent: list[FrequentService] = []
        self.accounts: list[Account] = []
        self.biller: Biller | None = None
        self.bill: Bill | None = None

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="sv-biller"):
            yield StepTitle(1, _("ELIJA LA EMPRESA"))
            yield Input(
                placeholder=_("Buscar: agua, CNEL, matrícula… (Enter: a la lista)"),
                id="sv-search",
                compact=True,
            )
            yield RowTable(id="sv-billers")
            yield Static(
                _(FREQUENT_TITLE),
                id="sv-frequent-title",
                classes="hint",
            )
            yield RowTable(id="sv-frequent")
        with Form(id="sv-reference"):
            yield StepTitle(2, _("CONSULTE SU PLANILLA"))
            yield Static("", id="sv-biller-name", markup=False)
            yield FormField("reference", _("Referencia"), check=self._reference_error, prefix="sv-")
            yield FormField(
                "alias",
                _("Guardar como (alias)"),
                required=False,
                placeholder=_("opcional: p. ej. Luz casa"),
                max_length=30,
                check=self._alias_error,
                prefix="sv-",
            )
            yield Button(_("CONSULTAR"), id="sv-consult", variant="primary", compact=True)
        with Form(id="sv-bill"):
            yield StepTitle(3, _("VALOR A PAGAR"))
            yield Static("", id="sv-bill-text", markup=False)
            yield field_row(_("Cuenta ORIGEN (*)"), AccountPicker(id="sv-from"))
            yield MoneyInput(
                "amount_cents",
                _("Valor a pagar"),
                minima=[self._bill_least],
                maxima=[self._bill_most, available_balance(self._origin_available)],
                prefix="sv-",
            )
            yield Static("", id="sv-amount-note", classes="hint")
            yield Button(_("SIGUIENTE"), id="sv-bill-next", variant="primary", compact=True)
        yield from self.compose_closing_steps(4)

    def on_mount(self) -> None:
        billers = self.query_one("#sv-billers", DataTable)
        billers.add_column(_("Empresa"), key="name", width=40)
        billers.add_column(_("Categoría"), key="category", width=22)
        frequent = self.query_one("#sv-frequent", DataTable)
        frequent.add_column(_("Alias"), key="alias", width=18)
        frequent.add_column(_("Empresa"), key="biller", width=28)
        frequent.add_column(_("Referencia"), key="reference", width=24)
        self.go("sv-biller", focus=self.query_one("#sv-search", Input))
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_frequent":
            return self.step == "sv-biller" and self.focused is self.query_one("#sv-frequent")
        return super().check_action(action, parameters)

    # --- step 1 --------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        backend = self.backend
        self.load_together(
            self._loaded, backend.billers, backend.frequent_services, backend.accounts
        )

    def _loaded(self, data: tuple[list[Biller], list[FrequentService], list[Account]]) -> None:
        self.billers, self.frequent, self.accounts = data
        self._filter(self.query_one("#sv-search", Input).value)
        self._show_frequent()

    def _show_frequent(self) -> None:
        table = self.query_one("#sv-frequent", DataTable)
        table.clear()
        for service in self.frequent:
            # Text: the alias is the member's own words, never markup.
            table.add_row(
                Text(service.alias),
                Text(service.biller_name),
                Text(service.reference),
                key=str(service.id),
            )
        title = _(FREQUENT_TITLE)
        if not self.frequent:
            title = _("SERVICIOS FRECUENTES: aún no tiene; guárdelos con un alias al consultar.")
        self.query_one("#sv-frequent-title", Static).update(title)

    @on(Input.Changed, "#sv-search")
    def _search(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, text: str) -> None:
        words = folded(text).split()
        self.shown = [
            b
            for b in self.billers
            if all(
                w
                in folded(
                    f"{b.name} {b.code} {BILLER_CATEGORY_LABELS.get(b.category, '')} "
                    f"{search_words(b.category)}"
                )
                for w in words
            )
        ]
        table = self.query_one("#sv-billers", DataTable)
        table.clear()
        for b in self.shown:
            category = BILLER_CATEGORY_LABELS.get(b.category, b.category)
            table.add_row(b.name, category, key=b.code)

    @on(Input.Submitted, "#sv-search")
    def _to_list(self) -> None:
        if self.shown:
            focus_now(self.query_one("#sv-billers", DataTable))

    @on(DataTable.RowSelected, "#sv-billers")
    def _biller_chosen(self, event: DataTable.RowSelected) -> None:
        biller = next((b for b in self.shown if b.code == event.row_key.value), None)
        if biller is None:
            return
        self.biller = biller
        self.query_one("#sv-biller-name", Static).update(
            f"{biller.name} · {BILLER_CATEGORY_LABELS.get(biller.category, biller.category)}\n"
            + _("Pide: {label} ({hint}).").format(
                label=biller.reference_label, hint=biller.reference_hint
            )
        )
        field = self.query_one("#sv-field-reference", FormField)
        field.set_label(biller.reference_label)
        field.show_error(None)
        self.go("sv-reference", focus=field.input)

    @on(DataTable.RowSelected, "#sv-frequent")
    def _frequent_chosen(self, event: DataTable.RowSelected) -> None:
        """A saved service: straight to its bill (Enter, then the amount)."""
        service = next((s for s in self.frequent if str(s.id) == event.row_key.value), None)
        if service is None:
            return
        self.biller = next((b for b in self.billers if b.code == service.biller_code), None)
        self._consult(service.biller_code, service.reference, from_frequent=True)

    def action_delete_frequent(self) -> None:
        table = self.query_one("#sv-frequent", DataTable)
        if not 0 <= table.cursor_row < len(self.frequent):
            return
        service = self.frequent[table.cursor_row]
        key = new_idempotency_key()
        self.call_backend(
            lambda: self.backend.delete_frequent_service(service.id, idempotency_key=key),
            lambda _result: self.refresh_data(),
            group="delete",
        )

    # --- step 2 --------------------------------------------------------------------------------

    def _reference_error(self, value: str) -> str | None:
        biller = self.biller
        if biller is None:
            return None
        return rules.reference_error(
            value, biller.reference_pattern, biller.reference_label, biller.reference_hint
        )

    def _alias_error(self, value: str) -> str | None:
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            return _("El alias no puede llevar caracteres de control.")
        return None

    def reference_fields(self) -> list[FormField]:
        return list(self.query_one("#sv-reference").query(FormField))

    @on(Button.Pressed, "#sv-consult")
    @on(Form.Submitted, "#sv-reference")
    def consult(self) -> None:
        if self.biller is None or not validate_all(self.reference_fields()):
            return
        reference = self.query_one("#sv-field-reference", FormField).value
        self._consult(self.biller.code, reference)

    def _consult(self, code: str, reference: str, *, from_frequent: bool = False) -> None:
        def refused(error: BackendError) -> bool:
            if from_frequent:
                return False  # the banner says it (e.g. nothing pending for that service)
            if error.field == "reference" or error.code in ("not_found", "no_pending_bill"):
                field = self.query_one("#sv-field-reference", FormField)
                field.show_error(error.message)
                focus_now(field.input)
                return True
            return False

        self.call_backend(lambda: self.backend.bill(code, reference), self._found, on_error=refused)

    def _found(self, bill: Bill) -> None:
        self.bill = bill
        alias = self.query_one("#sv-field-alias", FormField)
        if self.step == "sv-reference" and alias.value:
            self._save_frequent(bill, alias.value)
        due = bill.due_date.strftime("%d/%m/%Y")
        lines = [
            _("{biller} · referencia {reference}").format(
                biller=bill.biller_name, reference=bill.reference
            ),
            _("Titular: {holder}").format(holder=bill.holder_name),
            _("Período: {period} · vence el {due}").format(period=bill.period, due=due),
            _("Valor pendiente: {amount}").format(amount=money(bill.amount_due_cents)),
        ]
        self.query_one("#sv-bill-text", Static).update("\n".join(lines))
        self.query_one("#sv-from", AccountPicker).set_accounts(self.accounts)
        amount = self.query_one("#sv-field-amount-cents", MoneyInput)
        amount.cents = bill.amount_due_cents
        amount.input.disabled = bill.amount_rule == "exacto"
        self.query_one("#sv-amount-note", Static).update(AMOUNT_RULE_NOTES[bill.amount_rule])
        # A bill that may be paid in part: the cursor on the amount, to type the part; the
        # exact one: on SIGUIENTE.
        focus = amount.input if bill.amount_rule != "exacto" else None
        self.go("sv-bill", focus=focus or self.query_one("#sv-bill-next", Button))

    def _save_frequent(self, bill: Bill, alias: str) -> None:
        from sjvirtual_tui.models import FrequentServiceRequest

        request = FrequentServiceRequest(
            biller_code=bill.biller_code, reference=bill.reference, alias=alias
        )
        key = new_idempotency_key()

        def saved(_result: object) -> None:
            self.notify(
                _("Guardado como «{alias}» en sus servicios frecuentes.").format(alias=alias),
                markup=False,
                timeout=TOAST_SECONDS,
            )

        def refused(error: BackendError) -> bool:
            # The payment goes on regardless.
            self.notify(error.message, severity="warning", markup=False, timeout=TOAST_SECONDS)
            return True

        self.call_backend(
            lambda: self.backend.add_frequent_service(request, idempotency_key=key),
            saved,
            on_error=refused,
            group="frequent",
        )

    # --- step 3 --------------------------------------------------------------------------------

    def origin(self) -> Account | None:
        return self.query_one("#sv-from", AccountPicker).account

    def _origin_available(self) -> tuple[str, int] | None:
        return self.query_one("#sv-from", AccountPicker).available()

    def _bill_range(self) -> str:
        bill = self.bill
        assert bill is not None
        if bill.amount_rule == "exacto":
            return _("El valor a pagar debe ser exactamente {amount}.").format(
                amount=money(bill.amount_due_cents)
            )
        return _("El valor a pagar va de {low} a {high}.").format(
            low=money(bill.min_amount_cents), high=money(bill.max_amount_cents)
        )

    def _bill_least(self) -> tuple[int, str] | None:
        return None if self.bill is None else (self.bill.min_amount_cents, self._bill_range())

    def _bill_most(self) -> tuple[int, str] | None:
        return None if self.bill is None else (self.bill.max_amount_cents, self._bill_range())

    @on(Button.Pressed, "#sv-bill-next")
    @on(Form.Submitted, "#sv-bill")
    def _to_confirm(self) -> None:
        bill = self.bill
        origin = self.origin()
        amount = self.query_one("#sv-field-amount-cents", MoneyInput)
        if bill is None:
            return
        if origin is None:
            self.show_problem(_("Elija la cuenta ORIGEN."))
            return
        if not validate_all([amount]) or amount.cents is None:
            return
        from sjvirtual_tui.models import ServicePaymentRequest

        self.request = ServicePaymentRequest(
            bill_id=bill.id,
            from_account=origin.number,
            amount_cents=amount.cents,
        )
        lines = [
            _("Empresa:        {biller}").format(biller=bill.biller_name),
            _("Referencia:     {reference}").format(reference=bill.reference),
            _("Titular:        {holder}").format(holder=bill.holder_name),
            _("Período:        {period}").format(period=bill.period),
            _("Cuenta ORIGEN:  {account}").format(account=account_summary(origin)),
            _("Valor a pagar:  {amount}").format(amount=money(self.request.amount_cents)),
        ]
        self.show_summary(lines)

    # --- step 4 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#sv-submit")
    def _submit_pressed(self) -> None:
        self.submit()

    def refused(self, error: BackendError) -> bool:
        amount = self.query_one("#sv-field-amount-cents", FormField)
        if self.refused_in_field("sv-bill", error, [amount]):
            return True
        if error.code == "bill_paid":
            self.go("sv-bill", focus=self.query_one("#sv-bill-next", Button))
            self.show_problem(error.message)
            return True
        return False
