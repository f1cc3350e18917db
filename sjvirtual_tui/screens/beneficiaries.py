"""ADMINISTRACIÓN › Productos de terceros: the member's registered accounts, and REGISTRO DE
CUENTAS (AGREGAR): 2 the type (cuenta de terceros / otras instituciones financieras) -> 3 the
data -> 4 verify, CONFIRMAR and the PIN DE VERIFICACIÓN."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.i18n import N_, Labels, _
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, AccountType
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.listing import ListScreen
from sjvirtual_tui.screens.verification import VerifiedWizard
from sjvirtual_tui.screens.wizard import new_idempotency_key
from sjvirtual_tui.widgets.choice import choice_set
from sjvirtual_tui.widgets.form import (
    Form,
    FormField,
    ScrollForm,
    field_row,
    focus_now,
    validate_all,
)
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.row_table import RowTable
from sjvirtual_tui.widgets.toast import TOAST_SECONDS
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

EXTERNAL_TYPE_LABELS = Labels({"ahorros": N_("Ahorros"), "corriente": N_("Corriente")})
# For the list's narrow column; the detail line under it has the long names.
SHORT_TYPE_LABELS = Labels(
    {
        "ahorro_vista": N_("A. vista"),
        "ahorro_personal": N_("A. personal"),
        "ahorros": N_("Ahorros"),
        "corriente": N_("Corriente"),
    }
)
ID_TYPE_LABELS = Labels({"cedula": N_("Cédula"), "ruc": N_("RUC"), "pasaporte": N_("Pasaporte")})


def account_type_label(value: str) -> str:
    try:
        return ACCOUNT_TYPE_LABELS[AccountType(value)]
    except ValueError:
        return EXTERNAL_TYPE_LABELS.get(value, value)


def _beneficiary_cells(b: Beneficiary) -> tuple[object, ...]:
    return (
        Text(b.name),  # Text: names are shown as written, never as markup
        Text(b.institution_name),
        SHORT_TYPE_LABELS.get(b.account_type, b.account_type),
        b.number,
    )


class BeneficiariesScreen(ListScreen):
    """The list, with AGREGAR (F2) and a confirmed delete."""

    HEADING = N_("ADMINISTRACIÓN › PRODUCTOS DE TERCEROS")
    DETAIL_ID = "beneficiary-detail"
    EMPTY = N_("No tiene cuentas registradas. Pulse F2 para AGREGAR la primera.")

    BINDINGS = [
        Binding("f2", "add", N_("AGREGAR"), show=True, id="beneficiaries.add"),
        Binding("delete", "delete", N_("Eliminar"), show=True, id="beneficiaries.delete"),
        Binding("escape", "back", N_("Volver"), show=True, id="back"),
        # In F1: no room at 80 columns.
        Binding("f5", "retry", N_("Actualizar"), show=False, id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="beneficiaries")

    def compose_body(self) -> ComposeResult:
        yield RowTable(id="beneficiary-table", cells=_beneficiary_cells, key=lambda b: str(b.id))
        yield Static("", id="beneficiary-detail", markup=False)
        yield Static(
            _("F2: AGREGAR una cuenta · Supr: eliminar la cuenta elegida."), classes="hint"
        )

    def on_mount(self) -> None:
        self.sub_title = _("Productos de terceros")
        table = self.query_one(DataTable)
        table.add_column(_("Nombre"), key="name", width=22)
        table.add_column(_("Institución"), key="institution", width=22)
        table.add_column(_("Tipo"), key="type", width=10)
        table.add_column(_("Número"), key="number", width=11)
        table.focus()  # the data comes with on_screen_resume, also the first time

    def on_screen_resume(self) -> None:
        if self.context.session is not None:  # not while the session ends and screens are popped
            self.refresh_data()

    async def fetch_items(self) -> list[Beneficiary]:
        return await self.backend.beneficiaries()

    def detail(self, item: Any) -> str:
        b: Beneficiary = item
        parts = [
            f"{b.name} · {b.institution_name} · {account_type_label(b.account_type)} {b.number}"
        ]
        if b.id_type and b.id_number:
            parts.append(f"{ID_TYPE_LABELS.get(b.id_type, b.id_type)} {b.id_number}")
        if b.email:
            parts.append(b.email)
        return " · ".join(parts)

    def action_add(self) -> None:
        self.app.push_screen(AddBeneficiaryScreen())

    def action_delete(self) -> None:
        beneficiary: Beneficiary | None = self.current
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
                lambda _result: self._deleted(beneficiary),
                group="delete",
            )

        self.app.push_screen(
            ConfirmScreen(
                _(
                    "¿Eliminar la cuenta {number} de {name} ({institution})? Ya no podrá "
                    "transferirle hasta registrarla de nuevo."
                ).format(
                    number=beneficiary.number,
                    name=beneficiary.name,
                    institution=beneficiary.institution_name,
                )
            ),
            answered,
        )

    def _deleted(self, beneficiary: Beneficiary) -> None:
        self.notify(
            _("Cuenta {number} eliminada.").format(number=beneficiary.number),
            title=_("Productos de terceros"),
            timeout=TOAST_SECONDS,
        )
        self.refresh_data()

    def action_back(self) -> None:
        self.app.pop_screen()


class AddBeneficiaryScreen(VerifiedWizard):
    """REGISTRO DE CUENTAS (AGREGAR)."""

    HEADING = N_("REGISTRO DE CUENTAS")

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

    def compose_steps(self) -> ComposeResult:
        # The fields of an account at another institution (20 characters unless said).
        external = partial(FormField, prefix="be-", max_length=20)
        with Form(id="ben-type"):
            yield StepTitle(2, _("TIPO DE CUENTA"))
            yield Static(_("¿Qué cuenta quiere agregar?"), classes="hint")
            yield choice_set(
                "ben-kind",
                "kind-",
                interna=_("Cuenta de terceros"),
                externa=_("Otras instituciones financieras"),
            )
            yield Static(
                _(
                    "Cuenta de terceros: de otro socio de la Cooperativa San José.\n"
                    "Otras instituciones financieras: bancos, cooperativas y mutualistas."
                ),
                classes="hint",
            )
            yield Button(_("SIGUIENTE"), id="ben-type-next", variant="primary", compact=True)
        with Vertical(id="ben-data"):
            yield StepTitle(3, _("DATOS DE LA CUENTA"))
            with ContentSwitcher(initial="form-interna", id="ben-forms"):
                with ScrollForm(id="form-interna", classes="form"):
                    yield field_row(
                        _("Tipo de cuenta (*)"),
                        choice_set(
                            "bi-type",
                            "bi-type-",
                            vista=_("Ahorro a la vista"),
                            personal=_("Ahorro personal"),
                        ),
                    )
                    yield FormField(
                        "number",
                        _("N.º de cuenta"),
                        check=self._internal_number_error,
                        placeholder=_("como en la cartola: 00105349"),
                        max_length=20,
                        prefix="bi-",
                    )
                    yield Static("", id="bi-registered", classes="hint", markup=False)
                    yield Static(
                        _(
                            "Según el manual: sin los ceros de la izquierda y con el "
                            "prefijo 1 (ahorro a la vista) o 9 (ahorro personal). "
                            "Escriba el número de la cartola y lo convertimos por usted."
                        ),
                        classes="hint",
                    )
                with ScrollForm(id="form-externa", classes="form"):
                    yield field_row(
                        _("Institución (*)"),
                        Select[str](
                            [], prompt=_("Elija la institución"), id="be-institution", compact=True
                        ),
                    )
                    yield Label("", id="be-institution-error", classes="field-error")
                    yield field_row(
                        _("Tipo de cuenta (*)"),
                        choice_set(
                            "be-type", "be-type-", ahorros=_("Ahorros"), corriente=_("Corriente")
                        ),
                    )
                    yield external("number", _("N.º de cuenta"), check=rules.external_account_error)
                    yield field_row(
                        _("Identificación (*)"),
                        choice_set(
                            "be-id-type",
                            "be-id-",
                            cedula=_("Cédula"),
                            ruc=_("RUC"),
                            pasaporte=_("Pasaporte"),
                        ),
                    )
                    yield external(
                        "id_number", _("N.º de identificación"), check=self._id_number_error
                    )
                    yield external(
                        "name",
                        _("Nombre del titular"),
                        check=rules.holder_name_error,
                        max_length=80,
                    )
                    yield external(
                        "email",
                        _("Correo del titular"),
                        check=rules.email_error,
                        required=False,
                        max_length=120,
                    )
            yield Button(_("SIGUIENTE"), id="ben-data-next", variant="primary", compact=True)
        yield from self.compose_verify_steps("ben-", 4)
        yield message_step(
            "ben-done", 4, _("CUENTA REGISTRADA"), button=_("VOLVER"), button_id="ben-home"
        )

    def on_mount(self) -> None:
        self.sub_title = _("Productos de terceros › AGREGAR")
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
    @on(Form.Submitted, "#ben-type")
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
            _("Se registrará como: {number}").format(number=registered) if registered else ""
        )

    def fields(self) -> list[FormField]:
        return list(self.query_one(f"#form-{self.kind}").query(FormField))

    def _institution(self) -> Institution | None:
        code = self.query_one("#be-institution", Select).value
        return next((i for i in self.institutions if i.code == code), None)

    def _institution_error(self, message: str | None) -> None:
        self.show_field_error("be-institution-error", message)

    @on(Button.Pressed, "#ben-data-next")
    @on(ScrollForm.Submitted, ".form")
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
        self._institution_error(None if institution else _("Elija la institución."))
        if not validate_all(self.fields()) or institution is None:
            if institution is None:
                focus_now(self.query_one("#be-institution", Select))
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
            _("Tipo:            Otras instituciones financieras"),
            _("Institución:     {institution}").format(institution=institution.name),
            _("Cuenta:          {type} {number}").format(
                type=EXTERNAL_TYPE_LABELS[self.external_type], number=values["number"]
            ),
            _("Titular:         {holder}").format(holder=values["name"]),
            _("Identificación:  {id_type} {id_number}").format(
                id_type=ID_TYPE_LABELS[self.id_type], id_number=values["id_number"].upper()
            ),
        ]
        if values["email"]:
            lines.append(_("Correo:          {email}").format(email=values["email"]))
        self.show_summary(lines)

    def _found(self, lookup: AccountLookup) -> None:
        self.lookup = lookup
        lines = [
            _("Tipo:            Cuenta de terceros (Cooperativa San José)"),
            _("Cuenta:          {type}").format(type=ACCOUNT_TYPE_LABELS[lookup.account_type]),
            _("Se registra como: {number}").format(number=lookup.registered_number),
            _("Titular:         {holder}").format(holder=lookup.holder_name),
            "",
            _("Verifique que el titular sea la persona a quien quiere transferir."),
        ]
        self.show_summary(lines)

    def refused(self, error: BackendError) -> bool:
        """A refusal about a field goes back to the field where it was typed."""
        if self.refused_in_field("ben-data", error, self.fields()):
            return True
        if error.field == "institution_code":
            self.go("ben-data", focus=self.query_one("#be-institution", Select))
            self._institution_error(error.message)
            return True
        if error.code == "not_found" and self.kind == "interna":
            number = next(f for f in self.fields() if f.field_name == "number")
            self.show_in_field("ben-data", number, error.message)
            return True
        return False

    # --- step 4 --------------------------------------------------------------------------------

    @on(Button.Pressed, "#ben-submit")
    def submit(self) -> None:
        if self.request is not None:
            self.send_operation(self.request, self.backend.add_beneficiary, self._challenged)

    def _challenged(self, challenge: Challenge) -> None:
        self.ask_pin(challenge)

    def confirmed(self, result: ConfirmResult) -> None:
        beneficiary = result.beneficiary
        if beneficiary is None:
            return
        self.beneficiary = beneficiary
        self.query_one("#ben-done-text", Static).update(
            _("La cuenta {number} de {name} ({institution}) quedó registrada.").format(
                number=beneficiary.number,
                name=beneficiary.name,
                institution=beneficiary.institution_name,
            )
            + "\n\n"
            + _("Ya puede transferirle desde TRANSFERENCIAS (F2 en la posición consolidada).")
        )
        self.go("ben-done", focus=self.query_one("#ben-home", Button))

    @on(Button.Pressed, "#ben-home")
    def _home(self) -> None:
        self.leave()
