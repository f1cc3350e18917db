"""REGISTRO DE SOCIOS: Persona or Empresa and the terms -> the fields marked (*) -> verify and
CONFIRMAR -> the request is en PROCESO DE APROBACIÓN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    ContentSwitcher,
    RadioButton,
    RadioSet,
    Static,
)

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.screens.wizard import WizardScreen
from sjvirtual_tui.widgets.choice import Choice, Tick
from sjvirtual_tui.widgets.form import Form, FormField, ScrollForm, validate_all
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        EmpresaRegistration,
        PersonaRegistration,
        RegistrationReceipt,
    )

TERMS = N_("""\
TÉRMINOS Y CONDICIONES DE USO DE SAN JOSÉ S.J. VIRTUAL

1. San José S.J. Virtual es el canal electrónico de la Cooperativa de Ahorro y Crédito San José \
S.J. para consultar saldos y estados de cuenta, pagar servicios y tarjetas de crédito y realizar \
transferencias.
2. Su usuario, su contraseña y su PIN de verificación son personales e intransferibles. Bajo \
ningún concepto los comparta: la cooperativa nunca se los pedirá por teléfono ni por correo.
3. Las operaciones confirmadas con su contraseña y su PIN se entienden hechas por usted.
4. La cooperativa revisará su solicitud y le escribirá al correo que registre; la aprobación no \
es inmediata.
5. Tras cinco intentos fallidos su usuario se bloquea; para desbloquearlo acérquese a una agencia.
6. La sesión se cierra sola tras cinco minutos sin actividad.
7. Sus datos se tratan conforme a la Ley Orgánica de Protección de Datos Personales.
""")


def _text(value: str, minimum: int, maximum: int, label: str) -> str | None:
    """``label`` is a msgid marked with ``N_`` ("la dirección"): translated here."""
    label = _(label)
    if len(value) < minimum:
        return ngettext(
            "Escriba {label} (al menos {minimum} carácter).",
            "Escriba {label} (al menos {minimum} caracteres).",
            minimum,
        ).format(label=label, minimum=minimum)
    if len(value) > maximum:
        return ngettext(
            "Escriba {label} en {maximum} carácter o menos.",
            "Escriba {label} en {maximum} caracteres o menos.",
            maximum,
        ).format(label=label, maximum=maximum)
    if any(ord(ch) < 32 for ch in value):
        return _("{label}: quite los caracteres de control.").format(label=label.capitalize())
    return None


def _account(value: str) -> str | None:
    if not value.isascii() or not value.isdigit():
        return _("El número de cuenta solo lleva dígitos, como aparece en su cartola.")
    if len(value) > 20:
        return _("El número de cuenta es demasiado largo.")
    return None


def _closing_fields(field: Callable[..., FormField]) -> list[FormField]:
    """The last fields of both forms: the address, the username wanted and the account."""
    return [
        field(
            "direccion",
            _("Dirección"),
            check=lambda v: _text(v, 5, 200, N_("la dirección")),
            max_length=200,
        ),
        field("usuario", _("Usuario deseado"), check=rules.new_username_error, max_length=30),
        field(
            "cuenta",
            _("N.º de cuenta"),
            check=_account,
            placeholder=_("como en su cartola"),
            max_length=20,
        ),
    ]


class RegistrationScreen(WizardScreen):
    HEADING = N_("REGISTRO DE SOCIOS")
    STEPS = ("reg-type", "reg-data", "reg-confirm", "reg-done")
    FINAL = ("reg-done",)

    def __init__(self) -> None:
        super().__init__(id="registration")
        self.receipt: RegistrationReceipt | None = None
        self._today: date | None = None  # from the app's clock, on mount

    # --- layout --------------------------------------------------------------------------------

    def _persona_fields(self) -> list[FormField]:
        def field(*args: Any, **kwargs: Any) -> FormField:
            return FormField(*args, prefix="p-", **kwargs)

        return [
            field("cedula", _("Cédula"), check=rules.cedula_error, max_length=10),
            field("nombres", _("Nombres"), check=lambda v: rules.name_error(v, N_("sus nombres"))),
            field(
                "apellidos",
                _("Apellidos"),
                check=lambda v: rules.name_error(v, N_("sus apellidos")),
            ),
            field(
                "fecha_nacimiento",
                _("Fecha de nacimiento"),
                check=self._birth_date,
                placeholder=_("dd/mm/aaaa"),
                max_length=10,
            ),
            field("email", _("Correo electrónico"), check=rules.email_error, max_length=120),
            field("celular", _("Celular"), check=rules.mobile_error, placeholder="09XXXXXXXX"),
            *_closing_fields(field),
        ]

    def _empresa_fields(self) -> list[FormField]:
        def field(*args: Any, **kwargs: Any) -> FormField:
            return FormField(*args, prefix="e-", **kwargs)

        return [
            field("ruc", _("RUC"), check=rules.ruc_error, max_length=13),
            field(
                "razon_social",
                _("Razón social"),
                check=lambda v: _text(v, 2, 120, N_("la razón social")),
                max_length=120,
            ),
            field(
                "representante_cedula",
                _("Cédula representante"),
                check=rules.cedula_error,
                max_length=10,
            ),
            field(
                "representante_nombre",
                _("Nombre representante"),
                check=lambda v: rules.name_error(v, N_("el nombre del representante")),
            ),
            field("email", _("Correo electrónico"), check=rules.email_error, max_length=120),
            field(
                "telefono",
                _("Teléfono"),
                check=rules.phone_error,
                placeholder=_("02XXXXXXX o 09XXXXXXXX"),
            ),
            *_closing_fields(field),
        ]

    def compose_steps(self) -> ComposeResult:
        with Form(id="reg-type"):
            yield StepTitle(1, _("REGISTRARSE"))
            with Horizontal(classes="row"):
                yield Static(_("Registrarse como:"), classes="row-label")
                with RadioSet(id="reg-kind", compact=True):
                    yield Choice(_("Persona"), value=True, id="kind-persona")
                    yield Choice(_("Empresa"), id="kind-empresa")
            with VerticalScroll(id="terms", can_focus=True):
                yield Static(_(TERMS), markup=False)
            yield Tick(
                _("He leído y acepto los términos y condiciones"),
                id="accept",
                compact=True,
            )
            yield Button(
                _("CONFIRMAR"),
                id="reg-accept",
                variant="primary",
                compact=True,
                disabled=True,
            )
        with Vertical(id="reg-data"):
            yield StepTitle(2, _("INFORMACIÓN PERSONAL"))
            yield Static(_("Ingrese obligatoriamente los campos marcados con (*)."), classes="hint")
            with ContentSwitcher(initial="form-persona", id="forms"):
                with ScrollForm(id="form-persona", classes="form"):
                    yield from self._persona_fields()
                with ScrollForm(id="form-empresa", classes="form"):
                    yield from self._empresa_fields()
            yield Button(_("SIGUIENTE"), id="reg-next", variant="primary", compact=True)
        yield message_step(
            "reg-confirm",
            3,
            _("VERIFIQUE SUS DATOS"),
            text_id="summary",
            button=_("CONFIRMAR"),
            button_id="reg-submit",
        )
        yield message_step(
            "reg-done",
            4,
            _("SOLICITUD REGISTRADA"),
            text_id="done-text",
            button=_("VOLVER AL INGRESO"),
            button_id="reg-home",
        )

    def on_mount(self) -> None:
        self.sub_title = _("Registro de socios")
        self._today = rules.today_in_ecuador(self.context.now())
        self.go("reg-type")

    # --- step 1 --------------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return "empresa" if self.query_one("#kind-empresa", RadioButton).value else "persona"

    @on(Tick.Changed, "#accept")
    def _accepted(self, event: Tick.Changed) -> None:
        self.query_one("#reg-accept", Button).disabled = not event.value

    @on(Button.Pressed, "#reg-accept")
    @on(Form.Submitted, "#reg-type")
    def _to_data(self) -> None:
        if not self.query_one("#accept", Tick).value:
            self.show_problem(_("Para continuar acepte los términos y condiciones."))
            return
        self.query_one("#forms", ContentSwitcher).current = f"form-{self.kind}"
        self.go("reg-data")

    # --- step 2 --------------------------------------------------------------------------------

    def _birth_date(self, value: str) -> str | None:
        try:
            born = rules.parse_date(value)
        except ValueError as exc:
            return str(exc)
        assert self._today is not None
        return rules.birth_date_error(born, self._today)

    def fields(self) -> list[FormField]:
        return list(self.query_one(f"#form-{self.kind}").query(FormField))

    @on(Button.Pressed, "#reg-next")
    @on(ScrollForm.Submitted, ".form")
    def _to_confirm(self) -> None:
        if not validate_all(self.fields()):
            return
        kind = _("Persona") if self.kind == "persona" else _("Empresa")
        lines = [_("Tipo") + f": {kind}"]
        lines += [f"{f.label.removesuffix(' (*)')}: {f.value}" for f in self.fields()]
        self.query_one("#summary", Static).update("\n".join(lines))
        self.go("reg-confirm")

    def draft(self) -> dict[str, str]:
        values = {f.field_name: f.value for f in self.fields()}
        if "fecha_nacimiento" in values:
            values["fecha_nacimiento"] = rules.parse_date(values["fecha_nacimiento"]).isoformat()
        return {"kind": self.kind, **values}

    # --- step 3 --------------------------------------------------------------------------------

    def registration_request(self) -> PersonaRegistration | EmpresaRegistration | None:
        """The draft as the contract's request, or None with the problem shown; the public
        form and the counter's send the same request."""
        import pydantic

        from sjvirtual_tui.models import EmpresaRegistration, PersonaRegistration

        model = PersonaRegistration if self.kind == "persona" else EmpresaRegistration
        try:
            return model.model_validate(self.draft())
        except (pydantic.ValidationError, ValueError):
            # The fields' own checks passed, so this is a rule only the contract knows.
            self.show_problem(_("Revise los datos: alguno no tiene el formato esperado."))
            return None

    @on(Button.Pressed, "#reg-submit")
    def submit(self) -> None:
        request = self.registration_request()
        if request is not None:
            self.send_operation(request, self.backend.register, self._registered)

    def refused(self, error: BackendError) -> bool:
        return self.refused_in_field("reg-data", error, self.fields())

    def _registered(self, receipt: RegistrationReceipt) -> None:
        self.receipt = receipt
        email = {f.field_name: f.value for f in self.fields()}["email"]
        self.query_one("#done-text", Static).update(
            _(
                "Su solicitud {reference} se encuentra registrada y en PROCESO DE "
                "APROBACIÓN.\n\n"
                "Qué sigue: la cooperativa revisará sus datos. Cuando la solicitud sea aprobada "
                "recibirá un correo en {email} con su usuario y un código para ESTABLECER "
                "CONTRASEÑA (en la pantalla de ingreso, F3). Si es rechazada, el correo le dirá "
                "por qué."
            ).format(reference=receipt.reference, email=email)
        )
        self.go("reg-done")

    @on(Button.Pressed, "#reg-home")
    def _home(self) -> None:
        self.leave()
