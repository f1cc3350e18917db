"""PAGO DE TARJETAS DE CRÉDITO: 1 the card (own cooperative cards, or one of another
institution) -> 2 the amount (mínimo, total, otro valor) and the account -> 3 verify, CONFIRMAR
and the PIN DE VERIFICACIÓN -> 4 LISTO!, the receipt."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, DataTable, Label, RadioSet, Select, Static

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.verification import PaymentWizard, closing_steps
from sjvirtual_tui.widgets.account_picker import AccountPicker, account_summary
from sjvirtual_tui.widgets.choice import Choice, choice_set
from sjvirtual_tui.widgets.columns import Column, add_columns
from sjvirtual_tui.widgets.form import Form, FormField, field_row, focus_now, validate_all
from sjvirtual_tui.widgets.money_input import MoneyInput, available_balance
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        Account,
        CardIssuer,
        CreditCard,
        Payment,
    )

OTHER_CARD = "otra"
BRAND_LABELS = {"visa": "Visa", "mastercard": "Mastercard", "diners": "Diners"}


class CardPaymentScreen(PaymentWizard):
    HEADING = N_("PAGO DE TARJETAS DE CRÉDITO")
    SUB_TITLE = N_("Pago de tarjetas de crédito")
    PREFIX = "cd-"
    STEPS = ("cd-card", "cd-data", *closing_steps(PREFIX))
    RESTART_STEP = "cd-data"

    def __init__(self) -> None:
        super().__init__(id="cards")
        self.cards: list[CreditCard] = []
        self.issuers: list[CardIssuer] = []
        self.accounts: list[Account] = []
        self.card: CreditCard | None = None  # None: a card of another institution

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="cd-card"):
            yield StepTitle(1, _("ELIJA LA TARJETA"))
            yield RowTable(id="cd-cards", cells=_card_cells, key=lambda card: str(card.id))
            yield Static("", id="cd-card-detail", classes="hint", markup=False)
        with Form(id="cd-data"):
            yield StepTitle(2, _("VALOR Y CUENTA"))
            yield Static("", id="cd-card-text", markup=False)
            with ContentSwitcher(initial="cd-own", id="cd-forms"):
                with Vertical(id="cd-own", classes="form"):
                    yield choice_set(
                        "cd-choice",
                        "cd-",
                        minimum=_("Pago mínimo"),
                        total=_("Pago total"),
                        other=_("Otro valor"),
                    )
                    yield MoneyInput(
                        "amount_cents",
                        _("Otro valor"),
                        maxima=[
                            self._card_debt,
                            available_balance(self._origin_available),
                        ],
                        placeholder=_("p. ej. 150,00"),
                        prefix="cdo-",
                    )
                with VerticalScroll(id="cd-external", classes="form"):
                    yield field_row(
                        _("Emisor (*)"),
                        Select[str]([], prompt=_("Elija el emisor"), id="cd-issuer", compact=True),
                    )
                    yield Label("", id="cd-issuer-error", classes="field-error")
                    yield FormField(
                        "card_number",
                        _("N.º de tarjeta"),
                        check=self._card_number_error,
                        max_length=23,
                        prefix="cde-",
                    )
                    yield FormField(
                        "holder_name",
                        _("Titular"),
                        check=rules.holder_name_error,
                        max_length=80,
                        prefix="cde-",
                    )
                    yield MoneyInput(
                        "amount_cents",
                        _("Valor a pagar"),
                        maxima=[available_balance(self._origin_available)],
                        placeholder=_("p. ej. 150,00"),
                        prefix="cde-",
                    )
            yield field_row(_("Cuenta ORIGEN (*)"), AccountPicker(id="cd-from"))
            yield Button(_("SIGUIENTE"), id="cd-data-next", variant="primary", compact=True)
        yield from self.compose_closing_steps(3)

    def on_mount(self) -> None:
        table = self.query_one("#cd-cards", DataTable)
        add_columns(table, CARD_COLUMNS)
        self.go("cd-card", focus=table)
        # As a choice is made, not a message later: Enter on "Otro valor" moves on to its
        # amount, which must be shown by then.
        for choice in self.query_one("#cd-choice", RadioSet).query(Choice):
            self.watch(choice, "value", partial(self._choice_made, choice), init=False)
        self.refresh_data()

    # --- step 1 --------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        backend = self.backend
        self.load_together(self._loaded, backend.cards, backend.card_issuers, backend.accounts)

    def _loaded(self, data: tuple[list[CreditCard], list[CardIssuer], list[Account]]) -> None:
        self.cards, self.issuers, self.accounts = data
        table = self.query_one("#cd-cards", RowTable)
        table.show_rows(self.cards)
        table.add_row(_("Otra institución…"), "", "", "", "", key=OTHER_CARD)
        self.query_one("#cd-issuer", Select).set_options(
            [(issuer.name, issuer.code) for issuer in self.issuers]
        )
        self.query_one("#cd-card-detail", Static).update(
            _(
                "Enter: pagar la tarjeta elegida. Sus tarjetas de la Cooperativa San José se "
                "acreditan al instante; las de otras instituciones quedan en proceso hasta la "
                "compensación."
            )
        )
        self.query_one("#cd-from", AccountPicker).set_accounts(self.accounts)

    @on(DataTable.RowSelected, "#cd-cards")
    def _card_chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        self.card = next((c for c in self.cards if str(c.id) == key), None)
        forms = self.query_one("#cd-forms", ContentSwitcher)
        if self.card is None:
            forms.current = "cd-external"
            self.query_one("#cd-card-text", Static).update(
                _(
                    "Tarjeta de otra institución: se paga como una transferencia interbancaria "
                    "(queda en proceso hasta la compensación)."
                )
            )
            self.go("cd-data", focus=self.query_one("#cd-issuer", Select))
            return
        card = self.card
        forms.current = "cd-own"
        self.query_one("#cd-card-text", Static).update(
            _("{card} · vence el {due}").format(
                card=f"{BRAND_LABELS.get(card.brand, card.brand)} {card.masked_number}",
                due=card.due_date.strftime("%d/%m/%Y"),
            )
        )
        self.query_one("#cd-minimum", Choice).label = _("Pago mínimo {amount}").format(
            amount=money(card.minimum_due_cents)
        )
        self.query_one("#cd-total", Choice).label = _("Pago total {amount}").format(
            amount=money(card.total_due_cents)
        )
        self._choice_changed()
        self.go("cd-data", focus=self.query_one("#cd-choice", RadioSet))

    # --- step 2 --------------------------------------------------------------------------------

    @on(RadioSet.Changed, "#cd-choice")
    def _choice_changed(self) -> None:
        # The amount field only for "Otro valor".
        other = self.query_one("#cd-other", Choice).value
        self.query_one("#cdo-field-amount-cents", FormField).display = other

    def _choice_made(self, choice: Choice, chosen: bool) -> None:
        if chosen:  # the one just chosen (the one left is turned off after it)
            field = self.query_one("#cdo-field-amount-cents", FormField)
            field.display = choice.id == "cd-other"

    def origin(self) -> Account | None:
        return self.query_one("#cd-from", AccountPicker).account

    def _origin_available(self) -> tuple[str, int] | None:
        return self.query_one("#cd-from", AccountPicker).available()

    def _card_debt(self) -> tuple[int, str] | None:
        """An own card is paid up to its total: more would be money parked on a card."""
        card = self.card
        if card is None:
            return None
        return card.total_due_cents, _(
            "Puede pagar hasta {amount}, el total de su tarjeta."
        ).format(amount=money(card.total_due_cents))

    def _issuer(self) -> CardIssuer | None:
        code = self.query_one("#cd-issuer", Select).value
        return next((i for i in self.issuers if i.code == code), None)

    def _card_number_error(self, value: str) -> str | None:
        issuer = self._issuer()
        return rules.card_number_error(value, issuer.brand if issuer else None)

    def _own_amount(self) -> int | None:
        """The amount chosen for an own card, or None (and the reason shown)."""
        card = self.card
        assert card is not None
        if self.query_one("#cd-minimum", Choice).value:
            cents = card.minimum_due_cents
        elif self.query_one("#cd-total", Choice).value:
            cents = card.total_due_cents
        else:
            field = self.query_one("#cdo-field-amount-cents", MoneyInput)
            if not validate_all([field]):
                return None
            return field.cents
        if cents <= 0:
            self.show_problem(_("Esta tarjeta no tiene valores por pagar."))
            return None
        origin = self.query_one("#cd-from", AccountPicker)
        account = origin.account
        if account is not None and cents > account.available_cents:
            # The minimum or the total, chosen above: said beside the account that lacks it.
            self.show_problem(
                _(
                    "Saldo disponible insuficiente: la cuenta {number} tiene {available} "
                    "disponibles."
                ).format(number=account.number, available=money(account.available_cents))
            )
            focus_now(origin)
            return None
        return cents

    @on(Button.Pressed, "#cd-data-next")
    @on(Form.Submitted, "#cd-data")
    def _to_confirm(self) -> None:
        origin = self.origin()
        if origin is None:
            self.show_problem(_("Elija la cuenta ORIGEN."))
            return
        from sjvirtual_tui.models import CardPaymentRequest, ExternalCardPaymentRequest

        if self.card is not None:
            cents = self._own_amount()
            if cents is None:
                return
            card = self.card
            self.request = CardPaymentRequest(
                card_id=card.id, from_account=origin.number, amount_cents=cents
            )
            lines = [
                _("Tarjeta:        {card}").format(
                    card=f"{BRAND_LABELS.get(card.brand, card.brand)} {card.masked_number}"
                ),
                _("Titular:        {holder}").format(holder=card.holder_name),
            ]
        else:
            issuer = self._issuer()
            fields = list(self.query_one("#cd-external").query(FormField))
            self._issuer_error(None if issuer else _("Elija el emisor de la tarjeta."))
            if not validate_all(fields) or issuer is None:
                return
            values = {f.field_name: f.value for f in fields}
            number = values["card_number"].replace(" ", "").replace("-", "")
            cents = self.query_one("#cde-field-amount-cents", MoneyInput).cents
            assert cents is not None  # validated above
            self.request = ExternalCardPaymentRequest(
                issuer_code=issuer.code,
                card_number=number,
                holder_name=values["holder_name"],
                from_account=origin.number,
                amount_cents=cents,
            )
            lines = [
                _("Tarjeta:        {card}").format(card=f"{issuer.name} {rules.mask_card(number)}"),
                _("Titular:        {holder}").format(holder=values["holder_name"]),
                _("Se acredita cuando la otra institución la procese (en proceso)."),
            ]
        lines += [
            _("Cuenta ORIGEN:  {account}").format(account=account_summary(origin)),
            _("Valor a pagar:  {amount}").format(amount=money(self.request.amount_cents)),
        ]
        self.show_summary(lines)

    def _issuer_error(self, message: str | None) -> None:
        self.show_field_error("cd-issuer-error", message)

    # --- step 3 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#cd-submit")
    def _submit_pressed(self) -> None:
        self.submit()

    def refused(self, error: BackendError) -> bool:
        form = "#cd-own" if self.card is not None else "#cd-external"
        if self.refused_in_field("cd-data", error, self.query_one(form).query(FormField)):
            return True
        if error.field == "amount_cents":  # a minimum/total choice refused: say it on the step
            self.go("cd-data")
            self.call_after_refresh(self.show_problem, error.message)
            return True
        return False

    def done_text(self, payment: Payment) -> str:
        if payment.status == "en_proceso":
            return _(
                "El pago fue ingresado y está en proceso: se acreditará cuando la otra "
                "institución lo procese (vea su estado en el historial, F4)."
            )
        return super().done_text(payment)


CARD_COLUMNS = (
    Column(N_("Tarjeta"), "card", 27),
    Column(N_("Total"), "total", 11),
    Column(N_("Mínimo"), "minimum", 10),
    Column(N_("Vence"), "due", 10),
    Column(N_("Disponible"), "available", 11),
)


def _card_cells(card: CreditCard) -> tuple[object, ...]:
    return (
        f"{BRAND_LABELS.get(card.brand, card.brand)} **** {card.masked_number[-4:]}",
        _right(money(card.total_due_cents)),
        _right(money(card.minimum_due_cents)),
        card.due_date.strftime("%d/%m/%Y"),
        _right(money(card.available_credit_cents)),
    )


def _right(text: str) -> Text:
    return Text(text, justify="right")
