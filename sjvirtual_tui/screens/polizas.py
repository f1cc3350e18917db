"""PÓLIZAS (depósitos a plazo fijo): 1 the member's pólizas -> 2 amount, term, instruction and
account, with the simulator -> 3 verify, CONFIRMAR and the PIN DE VERIFICACIÓN -> 4 LISTO!, the
receipt (also e-mailed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, RadioSet, Static

from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import day_count, money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.verification import VerifiedWizard, closing_steps, with_emailed_receipt
from sjvirtual_tui.widgets.account_picker import AccountPicker, account_summary
from sjvirtual_tui.widgets.choice import Choice
from sjvirtual_tui.widgets.columns import Column, add_columns
from sjvirtual_tui.widgets.form import Form, FormField, field_row, validate_all
from sjvirtual_tui.widgets.money_input import MoneyInput, available_balance
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        Account,
        ConfirmResult,
        Poliza,
        PolizaRequest,
        PolizaSimulation,
    )

# The server's rules, said where they are typed (the server checks them again).
MIN_CENTS = 10_000
MIN_DAYS, MAX_DAYS = 31, 1800

# The first is the default (Enter on the list takes the highlighted one: the first).
RENEWALS = (
    ("no_renovar", N_("No renovar: todo a la cuenta")),
    ("renovar_capital", N_("Renovar el capital; intereses a la cuenta")),
    ("renovar_total", N_("Renovar capital e intereses")),
)
_RENEWAL_WORDS = dict(RENEWALS)


POLIZA_COLUMNS = (
    Column(N_("Póliza"), "reference", 11),
    Column(N_("Monto"), "amount", 13),
    Column(N_("Tasa"), "rate", 7),
    Column(N_("Días"), "days", 5),
    Column(N_("Vence"), "due", 10),
    Column(N_("Interés"), "interest", 10),
)


def rate_text(rate_bp: int) -> str:
    """450 -> ``4,50 %``."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole},{part:02d} %"


def renewal_text(value: str) -> str:
    return _(_RENEWAL_WORDS.get(value, value))


def term_error(value: str) -> str | None:
    """Why ``value`` is not a term in days (None: it is one)."""
    text = value.strip()
    if not text.isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
        return _("Plazo: escriba los días, de {low} a {high} (p. ej. 90).").format(
            low=MIN_DAYS, high=MAX_DAYS
        )
    return None


def poliza_receipt(poliza: Poliza) -> str:
    """COMPROBANTE DE PÓLIZA, as on the LISTO! step (the e-mail says the same)."""
    return "\n".join(
        [
            _("COMPROBANTE DE APERTURA DE PÓLIZA"),
            _("Referencia:        {value}").format(value=poliza.reference),
            _("Cuenta origen:     {value}").format(value=poliza.from_account),
            _("Monto:             {value}").format(value=money(poliza.amount_cents)),
            _("Tasa anual:        {value}").format(value=rate_text(poliza.rate_bp)),
            _("Plazo:             {days}, {start} al {end}").format(
                days=day_count(poliza.term_days),
                start=poliza.start_date.strftime("%d/%m/%Y"),
                end=poliza.maturity_date.strftime("%d/%m/%Y"),
            ),
            _("Interés:           {value}").format(value=money(poliza.interest_cents)),
            _("Retención:         {value}").format(value=money(poliza.withholding_cents)),
            _("Total al vencer:   {value}").format(value=money(poliza.total_cents)),
            _("Al vencimiento:    {value}").format(value=renewal_text(poliza.renewal)),
        ]
    )


class PolizaScreen(VerifiedWizard):
    HEADING = N_("PÓLIZAS (DEPÓSITOS A PLAZO FIJO)")
    SUB_TITLE = N_("Pólizas")
    PREFIX = "pz-"
    STEPS = ("pz-list", "pz-data", *closing_steps(PREFIX))
    RESTART_STEP = "pz-data"
    # A póliza's receipt is shown on LISTO! and e-mailed; it is not saved to a file here.
    SAVES_RECEIPT = False

    def __init__(self) -> None:
        super().__init__(id="polizas")
        self.polizas: list[Poliza] = []
        self.accounts: list[Account] = []
        self.request: PolizaRequest | None = None
        self.poliza: Poliza | None = None

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="pz-list"):
            yield StepTitle(1, _("SUS PÓLIZAS"))
            yield RowTable(id="pz-table")
            yield Static("", id="pz-detail", classes="hint", markup=False)
            yield Button(_("ABRIR PÓLIZA"), id="pz-open", variant="primary", compact=True)
        with Form(id="pz-data"):
            yield StepTitle(2, _("MONTO, PLAZO Y CUENTA"))
            yield MoneyInput(
                "amount_cents",
                _("Monto"),
                minima=[self._minimum],
                maxima=[available_balance(self._origin_available)],
                placeholder=_("p. ej. 1.000,00"),
                prefix="pz-",
            )
            yield FormField(
                "term_days",
                _("Plazo en días"),
                check=term_error,
                max_length=4,
                placeholder=_("p. ej. 90"),
                prefix="pz-",
            )
            with RadioSet(id="pz-renewal", compact=True):
                for index, (value, label) in enumerate(RENEWALS):
                    yield Choice(_(label), value=index == 0, id=f"pz-{value}")
            yield field_row(_("Cuenta ORIGEN (*)"), AccountPicker(id="pz-from"))
            yield Static("", id="pz-simulation", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("SIMULAR"), id="pz-simulate", compact=True)
                yield Button(_("SIGUIENTE"), id="pz-data-next", variant="primary", compact=True)
        yield from self.compose_closing_steps(3)

    def on_mount(self) -> None:
        table = self.query_one("#pz-table", DataTable)
        add_columns(table, POLIZA_COLUMNS)
        self.go("pz-list", focus=table)
        self.refresh_data()

    # --- step 1 --------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        async def load() -> tuple[list[Poliza], list[Account]]:
            return await self.backend.polizas(), await self.backend.accounts()

        self.call_backend(load, self._loaded, group="load")

    def _loaded(self, data: tuple[list[Poliza], list[Account]]) -> None:
        self.polizas, self.accounts = data
        table = self.query_one("#pz-table", DataTable)
        table.clear()
        for poliza in self.polizas:
            table.add_row(
                poliza.reference,
                _right(money(poliza.amount_cents)),
                _right(rate_text(poliza.rate_bp)),
                _right(str(poliza.term_days)),
                poliza.maturity_date.strftime("%d/%m/%Y"),
                _right(money(poliza.interest_cents)),
                key=str(poliza.id),
            )
        self.query_one("#pz-from", AccountPicker).set_accounts(self.accounts)
        self._describe(self.polizas[0] if self.polizas else None)

    @on(DataTable.RowHighlighted, "#pz-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self._describe(next((p for p in self.polizas if str(p.id) == key), None))

    def _describe(self, poliza: Poliza | None) -> None:
        detail = self.query_one("#pz-detail", Static)
        if poliza is None:
            detail.update(_("No tiene pólizas. ABRIR PÓLIZA: simule y abra una desde su cuenta."))
            return
        detail.update(
            _(
                "{reference}: desde el {start}, cuenta {account}. Al vencer recibe {total} "
                "(interés {interest} menos retención {withholding}). {renewal}."
            ).format(
                reference=poliza.reference,
                start=poliza.start_date.strftime("%d/%m/%Y"),
                account=poliza.from_account,
                total=money(poliza.total_cents),
                interest=money(poliza.interest_cents),
                withholding=money(poliza.withholding_cents),
                renewal=renewal_text(poliza.renewal),
            )
        )

    @on(Button.Pressed, "#pz-open")
    @on(DataTable.RowSelected, "#pz-table")
    def _open(self) -> None:
        self.go("pz-data", focus=self.query_one("#pz-field-amount-cents", MoneyInput).input)

    # --- step 2 --------------------------------------------------------------------------------

    def _minimum(self) -> tuple[int, str]:
        return MIN_CENTS, _("Monto: el mínimo de una póliza es {minimum}.").format(
            minimum=money(MIN_CENTS)
        )

    def _origin_available(self) -> tuple[str, int] | None:
        return self.query_one("#pz-from", AccountPicker).available()

    def _fields(self) -> list[FormField]:
        return [
            self.query_one("#pz-field-amount-cents", FormField),
            self.query_one("#pz-field-term-days", FormField),
        ]

    def _renewal(self) -> str:
        for value, _label in RENEWALS:
            if self.query_one(f"#pz-{value}", Choice).value:
                return value
        return "no_renovar"

    def _checked(self) -> tuple[int, int] | None:
        """(amount, days) once both are valid; else None, the reasons shown by the fields."""
        if not validate_all(self._fields()):
            return None
        cents = self.query_one("#pz-field-amount-cents", MoneyInput).cents
        assert cents is not None  # validated above
        return cents, int(self.query_one("#pz-field-term-days", FormField).value.strip())

    @on(Button.Pressed, "#pz-simulate")
    def _simulate(self) -> None:
        checked = self._checked()
        if checked is None:
            return
        self._run_simulation(*checked, then_review=False)

    @on(Button.Pressed, "#pz-data-next")
    @on(Form.Submitted, "#pz-data")
    def _to_confirm(self) -> None:
        origin = self.query_one("#pz-from", AccountPicker).account
        if origin is None:
            self.show_problem(_("Elija la cuenta ORIGEN."))
            return
        checked = self._checked()
        if checked is None:
            return
        self._run_simulation(*checked, then_review=True)

    def _run_simulation(self, cents: int, days: int, *, then_review: bool) -> None:
        from sjvirtual_tui.models import PolizaSimulationRequest

        request = PolizaSimulationRequest(amount_cents=cents, term_days=days)

        def done(simulation: PolizaSimulation) -> None:
            self._simulated(simulation, then_review=then_review)

        self.call_backend(
            lambda: self.backend.simulate_poliza(request), done, on_error=self.refused
        )

    def _simulation_lines(self, sim: PolizaSimulation) -> list[str]:
        return [
            _("Tasa {rate} · vence el {due} · interés {interest}").format(
                rate=rate_text(sim.rate_bp),
                due=sim.maturity_date.strftime("%d/%m/%Y"),
                interest=money(sim.interest_cents),
            ),
            _("Retención {bp} {withholding} · total al vencer {total}").format(
                bp=rate_text(sim.withholding_bp),
                withholding=money(sim.withholding_cents),
                total=money(sim.total_cents),
            ),
        ]

    def _simulated(self, sim: PolizaSimulation, *, then_review: bool) -> None:
        lines = self._simulation_lines(sim)
        self.query_one("#pz-simulation", Static).update("\n".join(lines))
        if not then_review:
            return
        origin = self.query_one("#pz-from", AccountPicker).account
        if origin is None:
            return
        from sjvirtual_tui.models import PolizaRenewal, PolizaRequest

        renewal = self._renewal()
        self.request = PolizaRequest(
            from_account=origin.number,
            amount_cents=sim.amount_cents,
            term_days=sim.term_days,
            renewal=PolizaRenewal(renewal),
        )
        self.show_summary(
            [
                _("Cuenta ORIGEN:  {account}").format(account=account_summary(origin)),
                _("Monto:          {amount}").format(amount=money(sim.amount_cents)),
                _("Plazo:          {days}").format(days=day_count(sim.term_days)),
                *lines,
                _("Al vencimiento: {renewal}").format(renewal=renewal_text(renewal)),
            ]
        )

    # --- step 3 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#pz-submit")
    def submit(self) -> None:
        if self.request is not None:
            self.start_verified(self.request, self.backend.start_poliza)

    def refused(self, error: BackendError) -> bool:
        if self.refused_in_field("pz-data", error, self._fields()):
            return True
        if error.field == "from_account":
            self.go("pz-data")
            self.call_after_refresh(self.show_problem, error.message)
            return True
        return False

    def confirmed(self, result: ConfirmResult) -> None:
        poliza = result.poliza
        if poliza is None:
            return
        self.poliza = poliza
        self.show_done(
            with_emailed_receipt(_("La póliza fue abierta con éxito.")), poliza_receipt(poliza)
        )


def _right(text: str) -> Text:
    return Text(text, justify="right")
