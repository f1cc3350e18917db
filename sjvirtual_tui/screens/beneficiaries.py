"""ADMINISTRACIÓN › Productos de terceros: the member's registered accounts, and REGISTRO DE
CUENTAS (AGREGAR): 2 the type (cuenta de terceros / otras instituciones financieras) -> 3 the
data -> 4 verify, CONFIRMAR and the PIN DE VERIFICACIÓN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, AccountType
from sjvirtual_tui.screens.base import BankScreen, Problem
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.verification import VerifiedWizard
from sjvirtual_tui.screens.wizard import new_idempotency_key
from sjvirtual_tui.widgets.choice import Choice
from sjvirtual_tui.widgets.form import FormField, enter_in_form, validate_all
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        AccountLookup,
        Beneficiary,
        BeneficiaryRequest,
        Challenge,
        ConfirmResult,
        Institution,
    )

EXTERNAL_TYPE_LABELS = {"ahorros": "Ahorros", "corriente": "Corriente"}
# For the list's narrow column; the detail line under it has the long names.
SHORT_TYPE_LABELS = {
    "ahorro_vista": "A. vista",
    "ahorro_personal": "A. personal",
    "ahorros": "Ahorros",
    "corriente": "Corriente",
}
ID_TYPE_LABELS = {"cedula": "Cédula", "ruc": "RUC", "pasaporte": "Pasaporte"}


def account_type_label(value: str) -> str:
    try:
        return ACCOUNT_TYPE_LABELS[AccountType(value)]
    except ValueError:
        return EXTERNAL_TYPE_LABELS.get(value, value)


class BeneficiariesScreen(BankScreen):
    """The list, with AGREGAR (F2) and a confirmed delete."""

    BINDINGS = [
        Binding("f2", "add", "AGREGAR", show=True),
        Binding("delete", "delete", "Eliminar", show=True),
        Binding("escape", "back", "Volver", show=True),
        Binding("f5", "retry", "Actualizar", show=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="beneficiaries")
        self.beneficiaries: list[Beneficiary] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(classes="wizard-box"):
            yield Static("ADMINISTRACIÓN › PRODUCTOS DE TERCEROS", classes="screen-title")
            yield RowTable(id="beneficiary-table")
            yield Static("", id="beneficiary-detail", markup=False)
            yield Static(
                "F2: AGREGAR una cuenta · Supr: eliminar la cuenta elegida.", classes="hint"
            )
            yield Problem(id="problem")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Productos de terceros"
        table = self.query_one(DataTable)
        table.add_column("Nombre", key="name", width=22)
        table.add_column("Institución", key="institution", width=22)
        table.add_column("Tipo", key="type", width=10)
        table.add_column("Número", key="number", width=11)
        table.focus()  # the data comes with on_screen_resume, also the first time

    def on_screen_resume(self) -> None:
        if self.sjv.session is not None:  # not while the session ends and screens are popped
            self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.beneficiaries, self._show)

    def _show(self, beneficiaries: list[Beneficiary]) -> None:
        self.beneficiaries = beneficiaries
        table = self.query_one(DataTable)
        table.clear()
        for b in beneficiaries:
            table.add_row(
                b.name,
                b.institution_name,
                SHORT_TYPE_LABELS.get(b.account_type, b.account_type),
                b.number,
                key=str(b.id),
            )
        if not beneficiaries:
            self.query_one("#beneficiary-detail", Static).update(
                "No tiene cuentas registradas. Pulse F2 para AGREGAR la primera."
            )
        else:
            self._detail(table.cursor_row)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        if not 0 <= row < len(self.beneficiaries):
            return
        b = self.beneficiaries[row]
        parts = [
            f"{b.name} · {b.institution_name} · {account_type_label(b.account_type)} {b.number}"
        ]
        if b.id_type and b.id_number:
            parts.append(f"{ID_TYPE_LABELS.get(b.id_type, b.id_type)} {b.id_number}")
        if b.email:
            parts.append(b.email)
        self.query_one("#beneficiary-detail", Static).update(" · ".join(parts))

    def current(self) -> Beneficiary | None:
        row = self.query_one(DataTable).cursor_row
        return self.beneficiaries[row] if 0 <= row < len(self.beneficiaries) else None

    def action_add(self) -> None:
        self.app.push_screen(AddBeneficiaryScreen())

    def action_delete(self) -> None:
        beneficiary = self.current()
        if beneficiary is None:
            return
        # One key per delete the member confirms: a retry (F5) of this delete reuses it.
        key = new_idempotency_key()

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            # Its own worker group: the list's reload (when the question closes) must not
            # cancel it.
            self.call_backend(
                lambda: self.backend.delete_beneficiary(beneficiary.id, idempotency_key=key),
                lambda _: self._deleted(beneficiary),
                group="delete",
            )

        self.app.push_screen(
            ConfirmScreen(
                f"¿Eliminar la cuenta {beneficiary.number} de {beneficiary.name} "
                f"({beneficiary.institution_name})? Ya no podrá transferirle hasta registrarla "
                "de nuevo."
            ),
            answered,
        )

    def _deleted(self, beneficiary: Beneficiary) -> None:
        self.notify(f"Cuenta {beneficiary.number} eliminada.", title="Productos de terceros")
        self.refresh_data()

    def action_back(self) -> None:
        self.app.pop_screen()


class AddBeneficiaryScreen(VerifiedWizard):
    """REGISTRO DE CUENTAS (AGREGAR)."""

    STEPS = ("ben-type", "ben-data", "ben-confirm", "ben-pin", "ben-done")
    FINAL = ("ben-done",)
    PIN_STEP = "ben-pin"
    RESTART_STEP = "ben-data"

    def __init__(self) -> None:
        super().__init__(id="add-beneficiary")
        self.institutions: list[Institution] = []
        self.request: BeneficiaryRequest | None = None
        self.lookup: AccountLookup | None = None
        self.beneficiary: Beneficiary | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(classes="wizard-box"):
            yield Static("REGISTRO DE CUENTAS", classes="screen-title")
            with ContentSwitcher(initial="ben-type"):
                with Vertical(id="ben-type"):
                    yield StepTitle(2, "TIPO DE CUENTA")
                    yield Static("¿Qué cuenta quiere agregar?", classes="hint")
                    with RadioSet(id="ben-kind", compact=True):
                        yield Choice("Cuenta de terceros", value=True, id="kind-interna")
                        yield Choice("Otras instituciones financieras", id="kind-externa")
                    yield Static(
                        "Cuenta de terceros: de otro socio de la Cooperativa San José.\n"
                        "Otras instituciones financieras: bancos, cooperativas y mutualistas.",
                        classes="hint",
                    )
                    yield Button("SIGUIENTE", id="ben-type-next", variant="primary", compact=True)
                with Vertical(id="ben-data"):
                    yield StepTitle(3, "DATOS DE LA CUENTA")
                    with ContentSwitcher(initial="form-interna", id="ben-forms"):
                        with VerticalScroll(id="form-interna", classes="form"):
                            with Horizontal(classes="row"):
                                yield Label("Tipo de cuenta (*)", classes="form-label")
                                with RadioSet(id="bi-type", compact=True):
                                    yield Choice(
                                        "Ahorro a la vista", value=True, id="bi-type-vista"
                                    )
                                    yield Choice("Ahorro personal", id="bi-type-personal")
                            yield FormField(
                                "number",
                                "N.º de cuenta",
                                check=self._internal_number_error,
                                placeholder="como en la cartola: 00105349",
                                max_length=20,
                                prefix="bi-",
                            )
                            yield Static("", id="bi-registered", classes="hint", markup=False)
                            yield Static(
                                "Según el manual: sin los ceros de la izquierda y con el "
                                "prefijo 1 (ahorro a la vista) o 9 (ahorro personal). Escriba "
                                "el número de la cartola y lo convertimos por usted.",
                                classes="hint",
                            )
                        with VerticalScroll(id="form-externa", classes="form"):
                            with Horizontal(classes="row"):
                                yield Label("Institución (*)", classes="form-label")
                                yield Select[str](
                                    [],
                                    prompt="Elija la institución",
                                    id="be-institution",
                                    compact=True,
                                )
                            yield Label("", id="be-institution-error", classes="field-error")
                            with Horizontal(classes="row"):
                                yield Label("Tipo de cuenta (*)", classes="form-label")
                                with RadioSet(id="be-type", compact=True):
                                    yield Choice("Ahorros", value=True, id="be-type-ahorros")
                                    yield Choice("Corriente", id="be-type-corriente")
                            yield FormField(
                                "number",
                                "N.º de cuenta",
                                check=rules.external_account_error,
                                max_length=20,
                                prefix="be-",
                            )
                            with Horizontal(classes="row"):
                                yield Label("Identificación (*)", classes="form-label")
                                with RadioSet(id="be-id-type", compact=True):
                                    yield Choice("Cédula", value=True, id="be-id-cedula")
                                    yield Choice("RUC", id="be-id-ruc")
                                    yield Choice("Pasaporte", id="be-id-pasaporte")
                            yield FormField(
                                "id_number",
                                "N.º de identificación",
                                check=self._id_number_error,
                                max_length=20,
                                prefix="be-",
                            )
                            yield FormField(
                                "name",
                                "Nombre del titular",
                                check=lambda v: rules.name_error(v, "el nombre del titular"),
                                max_length=80,
                                prefix="be-",
                            )
                            yield FormField(
                                "email",
                                "Correo del titular",
                                check=rules.email_error,
                                required=False,
                                max_length=120,
                                prefix="be-",
                            )
                    yield Button("SIGUIENTE", id="ben-data-next", variant="primary", compact=True)
                with Vertical(id="ben-confirm"):
                    yield StepTitle(4, "VERIFIQUE Y CONFIRME")
                    yield Static("", id="ben-summary", markup=False)
                    yield Button("CONFIRMAR", id="ben-submit", variant="primary", compact=True)
                with Vertical(id="ben-pin"):
                    yield StepTitle(4, "PIN DE VERIFICACIÓN")
                    yield from self.compose_pin_step("ben-")
                with Vertical(id="ben-done"):
                    yield StepTitle(4, "CUENTA REGISTRADA")
                    yield Static("", id="ben-done-text", markup=False)
                    yield Button("VOLVER", id="ben-home", variant="primary", compact=True)
            yield Problem(id="problem")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Productos de terceros › AGREGAR"
        self.go("ben-type")
        self.call_backend(self.backend.institutions, self._institutions, group="institutions")

    def _institutions(self, institutions: list[Institution]) -> None:
        self.institutions = institutions
        self.query_one("#be-institution", Select).set_options(
            [(f"{i.name} ({i.code})", i.code) for i in institutions]
        )

    # --- step 2 --------------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "externa" if self.query_one("#kind-externa", RadioButton).value else "interna"

    @on(Button.Pressed, "#ben-type-next")
    def _to_data(self) -> None:
        self.query_one("#ben-forms", ContentSwitcher).current = f"form-{self.kind}"
        self.go("ben-data")

    # --- step 3 --------------------------------------------------------------------------------

    @property
    def internal_type(self) -> AccountType:
        personal = self.query_one("#bi-type-personal", RadioButton).value
        return AccountType.AHORRO_PERSONAL if personal else AccountType.AHORRO_VISTA

    @property
    def external_type(self) -> str:
        return "corriente" if self.query_one("#be-type-corriente", RadioButton).value else "ahorros"

    @property
    def id_type(self) -> str:
        for value in ("ruc", "pasaporte"):
            if self.query_one(f"#be-id-{value}", RadioButton).value:
                return value
        return "cedula"

    def _internal_number_error(self, value: str) -> str | None:
        try:
            rules.registered_account_number(value, self.internal_type)
        except ValueError as exc:
            return str(exc)
        return None

    def _id_number_error(self, value: str) -> str | None:
        return rules.id_number_error(self.id_type, value)

    @on(Input.Changed, "#bi-input-number")
    @on(RadioSet.Changed, "#bi-type")
    def _show_registered(self) -> None:
        """Live: the number that will be registered by the manual's rule."""
        typed = self.query_one("#bi-field-number", FormField).value
        try:
            registered = rules.registered_account_number(typed, self.internal_type)
        except ValueError:
            registered = ""
        self.query_one("#bi-registered", Static).update(
            f"Se registrará como: {registered}" if registered else ""
        )

    def fields(self) -> list[FormField]:
        return list(self.query_one(f"#form-{self.kind}").query(FormField))

    def on_input_submitted(self) -> None:
        if self.step == "ben-pin":
            self.submit_pin()
            return
        if self.step != "ben-data":
            return
        enter_in_form(self.fields(), self.focused, self._to_confirm)

    def _institution(self) -> Institution | None:
        code = self.query_one("#be-institution", Select).value
        return next((i for i in self.institutions if i.code == code), None)

    def _institution_error(self, message: str | None) -> None:
        label = self.query_one("#be-institution-error", Label)
        label.update(message or "")
        label.set_class(bool(message), "-shown")

    @on(Button.Pressed, "#ben-data-next")
    def _to_confirm(self) -> None:
        from sjvirtual_tui.models import ExternalBeneficiaryRequest, InternalBeneficiaryRequest

        values = {f.field_name: f.value for f in self.fields()}
        if self.kind == "interna":
            if not validate_all(self.fields()):
                return
            number = rules.registered_account_number(values["number"], self.internal_type)
            request = InternalBeneficiaryRequest(account_type=self.internal_type, number=number)
            self.request = request
            self.call_backend(
                lambda: self.backend.lookup_account(request.account_type, request.number),
                self._found,
                on_error=self.refused,
            )
            return
        institution = self._institution()
        self._institution_error(None if institution else "Elija la institución.")
        if not validate_all(self.fields()) or institution is None:
            if institution is None:
                self.query_one("#be-institution", Select).focus()
            return
        self.request = ExternalBeneficiaryRequest.model_validate(
            {
                "institution_code": institution.code,
                "account_type": self.external_type,
                "number": values["number"],
                "id_type": self.id_type,
                "id_number": values["id_number"].upper(),
                "name": values["name"],
                "email": values["email"] or None,
            }
        )
        self.lookup = None
        lines = [
            "Tipo:            Otras instituciones financieras",
            f"Institución:     {institution.name}",
            f"Cuenta:          {EXTERNAL_TYPE_LABELS[self.external_type]} {values['number']}",
            f"Titular:         {values['name']}",
            f"Identificación:  {ID_TYPE_LABELS[self.id_type]} {values['id_number'].upper()}",
        ]
        if values["email"]:
            lines.append(f"Correo:          {values['email']}")
        self._summary(lines)

    def _found(self, lookup: AccountLookup) -> None:
        self.lookup = lookup
        lines = [
            "Tipo:            Cuenta de terceros (Cooperativa San José)",
            f"Cuenta:          {ACCOUNT_TYPE_LABELS[lookup.account_type]}",
            f"Se registra como: {lookup.registered_number}",
            f"Titular:         {lookup.holder_name}",
            "",
            "Verifique que el titular sea la persona a quien quiere transferir.",
        ]
        self._summary(lines)

    def _summary(self, lines: list[str]) -> None:
        lines += ["", "Al CONFIRMAR le enviaremos un PIN DE VERIFICACIÓN a su correo."]
        self.query_one("#ben-summary", Static).update("\n".join(lines))
        self.go("ben-confirm", focus=self.query_one("#ben-submit", Button))

    def refused(self, error: BackendError) -> bool:
        """A refusal about a field goes back to the field where it was typed."""
        fields = {f.field_name: f for f in self.fields()}
        if error.field in fields:
            self.go("ben-data", focus=fields[error.field].input)
            fields[error.field].show_error(error.message)
            return True
        if error.field == "institution_code":
            self.go("ben-data", focus=self.query_one("#be-institution", Select))
            self._institution_error(error.message)
            return True
        if error.code == "not_found" and self.kind == "interna":
            field = fields["number"]
            self.go("ben-data", focus=field.input)
            field.show_error(error.message)
            return True
        return False

    # --- step 4 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#ben-submit")
    def submit(self) -> None:
        request = self.request
        if request is None:
            return
        key = self.keys.key_for(request)
        self.call_backend(
            lambda: self.backend.add_beneficiary(request, idempotency_key=key),
            self._challenged,
            on_error=self.refused,
        )

    def _challenged(self, challenge: Challenge) -> None:
        self.ask_pin(challenge)

    def confirmed(self, result: ConfirmResult) -> None:
        beneficiary = result.beneficiary
        if beneficiary is None:
            return
        self.beneficiary = beneficiary
        self.query_one("#ben-done-text", Static).update(
            f"La cuenta {beneficiary.number} de {beneficiary.name} "
            f"({beneficiary.institution_name}) quedó registrada.\n\n"
            "Ya puede transferirle desde TRANSFERENCIAS (F2 en la posición consolidada)."
        )
        self.go("ben-done", focus=self.query_one("#ben-home", Button))

    @on(Button.Pressed, "#ben-home")
    def _home(self) -> None:
        self.leave()
