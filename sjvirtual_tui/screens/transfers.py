"""TRANSFERENCIAS, the manual's four steps: 1 the kind (entre cuentas propias, internas a
terceros, a otras instituciones financieras) -> 2 ORIGEN, DESTINO, DATOS and monto -> 3 verify,
CONFIRMAR and the PIN DE VERIFICACIÓN (not for own accounts) -> 4 LISTO!, the receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Label, RadioButton, RadioSet, Select, Static

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import TRANSFER_KIND_LABELS, TRANSFER_STATUS_LABELS, money
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.screens.verification import VerifiedWizard, closing_steps
from sjvirtual_tui.widgets.account_picker import AccountPicker, account_summary
from sjvirtual_tui.widgets.choice import Choice
from sjvirtual_tui.widgets.form import Form, FormField, field_row, focus_now, validate_all
from sjvirtual_tui.widgets.money_input import MoneyInput, available_balance
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        Account,
        Beneficiary,
        ConfirmResult,
        Transfer,
        TransferLimits,
        TransferRequest,
        TransferStart,
    )

KINDS = ("propias", "internas", "interbancarias")
NO_DESTINATION = Labels(
    {
        "propias": N_("Necesita otra cuenta propia activa para transferir entre sus cuentas."),
        "internas": N_(
            "No tiene cuentas de terceros registradas. Regístrelas en ADMINISTRACIÓN › Productos "
            "de terceros (F3 en la posición consolidada)."
        ),
        "interbancarias": N_(
            "No tiene cuentas de otras instituciones registradas. Regístrelas en ADMINISTRACIÓN › "
            "Productos de terceros (F3 en la posición consolidada)."
        ),
    }
)


def beneficiary_option(beneficiary: Beneficiary) -> str:
    if beneficiary.kind == "interna":
        return f"{beneficiary.name} · {beneficiary.number}"
    return f"{beneficiary.name} · {beneficiary.institution_name} · {beneficiary.number}"


class TransferScreen(VerifiedWizard):
    HEADING = N_("TRANSFERENCIAS")
    SUB_TITLE = N_("Transferencias")
    PREFIX = "tr-"
    STEPS = ("tr-kind", "tr-data", *closing_steps(PREFIX))
    RESTART_STEP = "tr-data"

    def __init__(self) -> None:
        super().__init__(id="transfers")
        self.accounts: list[Account] = []
        self.beneficiaries: list[Beneficiary] = []
        self.limits: TransferLimits | None = None
        self.request: TransferRequest | None = None
        self.transfer: Transfer | None = None

    def compose_steps(self) -> ComposeResult:
        with Form(id="tr-kind"):
            yield StepTitle(1, _("ELIJA EL TIPO DE TRANSFERENCIA"))
            with RadioSet(id="tr-kinds", compact=True):
                for kind in KINDS:
                    label = TRANSFER_KIND_LABELS[kind].upper()
                    yield Choice(label, value=kind == "propias", id=f"kind-{kind}")
            yield Button(_("SIGUIENTE"), id="tr-kind-next", variant="primary", compact=True)
            yield Static("", id="tr-limits", classes="hint")
        with Form(id="tr-data"):
            yield StepTitle(2, _("ORIGEN, DESTINO Y MONTO"))
            yield field_row(_("Cuenta ORIGEN (*)"), AccountPicker(id="tr-from"))
            # Among the member's own accounts (propias), or a registered one.
            yield field_row(
                _("Cuenta DESTINO (*)"),
                AccountPicker(id="tr-to-own", prompt=_("Elija el destino"), choose_first=False),
                Select[str]([], prompt=_("Elija el destino"), id="tr-to", compact=True),
            )
            yield Label("", id="tr-to-error", classes="field-error")
            yield MoneyInput(
                "amount_cents",
                _("Monto"),
                maxima=[
                    available_balance(self._origin_available),
                    self._per_transfer,
                    self._left_today,
                ],
                prefix="tr-",
            )
            yield FormField(
                "description",
                _("Descripción"),
                check=rules.description_error,
                placeholder=_("p. ej. Arriendo noviembre"),
                max_length=60,
                prefix="tr-",
            )
            yield Button(_("SIGUIENTE"), id="tr-data-next", variant="primary", compact=True)
        yield from self.compose_closing_steps(3)

    def on_mount(self) -> None:
        self.go("tr-kind")
        self.refresh_data()

    # --- data ----------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        backend = self.backend
        self.load_together(self._loaded, backend.accounts, backend.beneficiaries, backend.limits)

    def _loaded(self, data: tuple[list[Account], list[Beneficiary], TransferLimits]) -> None:
        self.accounts, self.beneficiaries, self.limits = data
        limits = self.limits
        self.query_one("#tr-limits", Static).update(
            _(
                "Sus límites para transferencias a terceros: {per_transfer} por transferencia y "
                "{daily} al día; hoy le quedan {left}. Entre cuentas propias no hay límite."
            ).format(
                per_transfer=money(limits.per_transaction_cents),
                daily=money(limits.daily_cents),
                left=money(limits.available_today_cents),
            )
        )
        if self.step == "tr-data":
            self._fill_selects()

    @property
    def kind(self) -> str:
        for kind in KINDS:
            if self.query_one(f"#kind-{kind}", RadioButton).value:
                return kind
        return "propias"

    def origin(self) -> Account | None:
        return self.query_one("#tr-from", AccountPicker).account

    def _origin_available(self) -> tuple[str, int] | None:
        return self.query_one("#tr-from", AccountPicker).available()

    def destinations(self) -> list[tuple[str, str]]:
        kind = self.kind
        if kind == "propias":
            own = self.query_one("#tr-to-own", AccountPicker)
            return [(account_summary(a), a.number) for a in own.accounts]
        wanted = "interna" if kind == "internas" else "externa"
        return [(beneficiary_option(b), str(b.id)) for b in self.beneficiaries if b.kind == wanted]

    def destination_widget(self) -> Select[str]:
        """Own accounts for propias, registered third parties' accounts otherwise."""
        if self.kind == "propias":
            return self.query_one("#tr-to-own", AccountPicker)
        return self.query_one("#tr-to", Select)

    def _fill_selects(self) -> None:
        self.query_one("#tr-from", AccountPicker).set_accounts(self.accounts)
        self._fill_destination()

    def _fill_destination(self) -> None:
        propias = self.kind == "propias"
        own = self.query_one("#tr-to-own", AccountPicker)
        others = self.query_one("#tr-to", Select)
        own.display, others.display = propias, not propias
        origin = self.origin()
        own.set_accounts(self.accounts, exclude=origin.number if origin else None)
        if not propias:
            chosen = others.value
            options = self.destinations()
            others.set_options(options)
            if any(value == chosen for _label, value in options):
                others.value = chosen
        self._destination_error(None if self.destinations() else NO_DESTINATION[self.kind])

    def _destination_error(self, message: str | None) -> None:
        self.show_field_error("tr-to-error", message)

    # --- step 1 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#tr-kind-next")
    @on(Form.Submitted, "#tr-kind")
    def _to_data(self) -> None:
        self.sub_title = _("Transferencias · {kind}").format(kind=TRANSFER_KIND_LABELS[self.kind])
        self._fill_selects()
        self.go("tr-data", focus=self.query_one("#tr-from", Select))

    # --- step 2 --------------------------------------------------------------------------------

    @on(Select.Changed, "#tr-from")
    def _origin_changed(self) -> None:
        if self.kind == "propias":
            self._fill_destination()

    def _third_party_limits(self) -> TransferLimits | None:
        """The member's limits, which bind transfers to third parties (none between own
        accounts); None as well until they are loaded."""
        return None if self.kind == "propias" else self.limits

    def _per_transfer(self) -> tuple[int, str] | None:
        limits = self._third_party_limits()
        if limits is None:
            return None
        return limits.per_transaction_cents, _(
            "El monto supera su límite por transferencia de {limit}."
        ).format(limit=money(limits.per_transaction_cents))

    def _left_today(self) -> tuple[int, str] | None:
        limits = self._third_party_limits()
        if limits is None:
            return None
        return limits.available_today_cents, _(
            "El monto supera su límite diario de {limit}. Hoy le quedan {left}."
        ).format(limit=money(limits.daily_cents), left=money(limits.available_today_cents))

    @property
    def amount(self) -> MoneyInput:
        return self.query_one("#tr-field-amount-cents", MoneyInput)

    def fields(self) -> list[FormField]:
        return list(self.query_one("#tr-data").query(FormField))

    def _selects_ok(self) -> bool:
        origin = self.query_one("#tr-from", AccountPicker)
        destination = self.destination_widget()
        if origin.is_blank():
            self.show_problem(_("Elija la cuenta ORIGEN."))
            focus_now(origin)
            return False
        if destination.is_blank():
            message = (
                _("Elija la cuenta DESTINO.") if self.destinations() else NO_DESTINATION[self.kind]
            )
            self._destination_error(message)
            focus_now(destination)
            return False
        self._destination_error(None)
        return True

    @on(Button.Pressed, "#tr-data-next")
    @on(Form.Submitted, "#tr-data")
    def _to_confirm(self) -> None:
        if not self._selects_ok() or not validate_all(self.fields()):
            return
        from sjvirtual_tui.models import TransferKind, TransferRequest

        origin = self.origin()
        assert origin is not None
        values = {f.field_name: f.value for f in self.fields()}
        destination = str(self.destination_widget().value)
        cents = self.amount.cents
        assert cents is not None  # validated above
        kind = TransferKind(self.kind)
        self.request = TransferRequest(
            kind=kind,
            from_account=origin.number,
            to_account=destination if kind is TransferKind.PROPIAS else None,
            beneficiary_id=None if kind is TransferKind.PROPIAS else int(destination),
            amount_cents=cents,
            description=values["description"],
        )
        to_label = next(label for label, value in self.destinations() if value == destination)
        lines = [
            _("Tipo:          {kind}").format(kind=TRANSFER_KIND_LABELS[self.kind]),
            _("Cuenta ORIGEN: {account}").format(account=account_summary(origin)),
            _("DESTINO:       {destination}").format(destination=to_label),
            _("Monto:         {amount}").format(amount=money(self.request.amount_cents)),
            _("Descripción:   {description}").format(description=self.request.description),
        ]
        if kind is TransferKind.INTERBANCARIAS:
            lines.append(
                "\n"
                + _(
                    "Se debita al confirmar y se acredita cuando la otra institución la procese "
                    "(estado: en proceso)."
                )
            )
        self.show_summary(lines, with_pin=kind is not TransferKind.PROPIAS)

    # --- step 3 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#tr-submit")
    def submit(self) -> None:
        if self.request is not None:
            self.send_operation(self.request, self.backend.start_transfer, self._started)

    def _started(self, start: TransferStart) -> None:
        if start.challenge is None:
            self.keys.forget()
            self._done(start.transfer)
        else:
            self.ask_pin(start.challenge)

    def refused(self, error: BackendError) -> bool:
        """A refusal about the amount or the accounts goes back to where it was typed."""
        if self.refused_in_field("tr-data", error, self.fields()):
            return True
        if error.field in ("beneficiary_id", "to_account"):
            self.go("tr-data", focus=self.destination_widget())
            self._destination_error(error.message)
            return True
        return False

    def confirmed(self, result: ConfirmResult) -> None:
        if result.transfer is not None:
            self._done(result.transfer)

    # --- step 4 --------------------------------------------------------------------------------

    def _done(self, transfer: Transfer) -> None:
        self.transfer = transfer
        state = TRANSFER_STATUS_LABELS.get(transfer.status, transfer.status)
        if transfer.status == "en_proceso":
            text = _(
                "La transferencia fue ingresada con éxito y está {state}: se acreditará "
                "cuando la otra institución la procese (vea su estado en el historial, F4)."
            ).format(state=state.lower())
        else:
            text = _("La transferencia fue ingresada con éxito.")
        text += " " + _(
            "Automáticamente usted recibirá un correo electrónico con el reporte de la "
            "TRANSFERENCIA realizada."
        )
        self.show_receipt(transfer, text)
