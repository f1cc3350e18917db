"""ADMINISTRACIÓN › Mi perfil y seguridad: four short wizards from one menu.

- Cambiar contraseña: the current one, the new one twice (the policy shown live) -> CONFIRMAR.
- Cambiar imagen y preguntas: the current password -> the image -> the own question and answer
  -> a question from the list and its answer -> CONFIRMAR (the PRIMER INGRESO's steps).
- Actualizar correo y teléfono: a new e-mail and/or mobile -> SIGUIENTE (a 6-digit code goes to
  the new address) -> the code -> CONFIRMAR (the old e-mail is told).
- Bloquear tarjeta de débito: the member's cards -> Enter on one -> "¿Bloquear…?" -> Sí. No PIN:
  a block must be quick; only an agency unblocks.

Each ends in a step that says what was done. A refusal of the server shows under the field it
is about (a wrong current password under "Contraseña actual"), and nothing was changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from sjvirtual_tui.backend import LockedError
from sjvirtual_tui.context import SessionEnded
from sjvirtual_tui.formatting import minute_count
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.security_steps import SecuritySteps, SecurityStepsWizard
from sjvirtual_tui.screens.set_password import NewPasswordWizard, PasswordPair
from sjvirtual_tui.widgets.form import Form, FormField, focus_now, validate_all
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.wizard import step_intro

if TYPE_CHECKING:
    from sjvirtual_tui.backend import BackendError
    from sjvirtual_tui.models import (
        ContactChangeStarted,
        DebitCard,
        MemberContact,
        SecurityQuestion,
    )
    from sjvirtual_tui.screens.security_steps import SecurityAnswers

# The menu's choices: (option id, label).
CHOICES = (
    ("password", N_("Cambiar contraseña")),
    ("security", N_("Cambiar imagen y preguntas")),
    ("contact", N_("Actualizar correo y teléfono")),
    ("card", N_("Bloquear tarjeta de débito")),
)
CARD_STATUS = {"activa": N_("activa"), "bloqueada": N_("bloqueada")}


def _current_password(value: str) -> str | None:
    return None if value else _("Escriba su contraseña actual.")


def _current_password_field(prefix: str) -> FormField:
    """The password in use, which two of the wizards ask for first."""
    return FormField(
        "current_password",
        _("Contraseña actual"),
        check=_current_password,
        prefix=prefix,
        password=True,
        max_length=256,
    )


def _email(value: str) -> str | None:
    if not value:
        return None
    local, _sep, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 120:
        return _("Escriba un correo válido, por ejemplo nombre@correo.ec.")
    return None


def _phone(value: str) -> str | None:
    if not value:
        return None
    if not (len(value) == 10 and value.isdigit() and value.startswith("09")):
        return _("El celular tiene 10 dígitos y empieza por 09.")
    return None


def _code(value: str) -> str | None:
    plain = "".join(value.split())
    if not (len(plain) == 6 and plain.isdigit()):
        return _("El código tiene 6 dígitos.")
    return None


class SelfServiceScreen(NewPasswordWizard, SecurityStepsWizard):
    HEADING = N_("ADMINISTRACIÓN › MI PERFIL Y SEGURIDAD")
    STEPS = (
        "ss-menu",
        "ss-password",
        "ss-sec-password",
        "ss-sec-image",
        "ss-sec-own",
        "ss-sec-question",
        "ss-contact",
        "ss-code",
        "ss-cards",
        "ss-done",
    )
    FINAL = ("ss-done",)
    # Escape goes to the step before, in each wizard; from a wizard's first step, to the menu.
    PARENT = {
        "ss-password": "ss-menu",
        "ss-sec-password": "ss-menu",
        "ss-sec-image": "ss-sec-password",
        "ss-sec-own": "ss-sec-image",
        "ss-sec-question": "ss-sec-own",
        "ss-contact": "ss-menu",
        "ss-code": "ss-contact",
        "ss-cards": "ss-menu",
        "ss-done": "ss-menu",
    }

    DEFAULT_CSS = """
    #ss-menu-list, #ss-card-list { height: auto; max-height: 8; margin-bottom: 1; }
    #ss-question-list { height: auto; max-height: 7; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="self-service")
        self.current = _current_password_field("ss-pw-")
        self.pair = PasswordPair("ss-", current=lambda: self.current.input.value)
        self.sec_current = _current_password_field("ss-sec-")
        # The PRIMER INGRESO's steps, shared.
        self.security = SecuritySteps(
            "ss-sec-",
            gallery="ss-gallery",
            question_list="ss-question-list",
            submit="ss-security-ok",
        )
        self.email = FormField(
            "email", _("Correo nuevo"), check=_email, required=False, max_length=120
        )
        self.phone = FormField(
            "phone", _("Celular nuevo"), check=_phone, required=False, max_length=10
        )
        self.code = FormField("code", _("Código"), check=_code, max_length=12)
        self.cards: list[DebitCard] = []
        self.change: ContactChangeStarted | None = None

    # --- the steps ------------------------------------------------------------------------------

    def compose_steps(self) -> ComposeResult:
        with Vertical(id="ss-menu"):
            yield Static(_("Elija qué desea hacer (flechas y Enter). Esc: volver."), classes="hint")
            yield OptionList(
                *(Option(_(label), id=choice) for choice, label in CHOICES),
                id="ss-menu-list",
                compact=True,
            )
        with Form(id="ss-password"):
            yield from step_intro(
                1,
                _("CAMBIAR CONTRASEÑA"),
                _(
                    "Su contraseña actual y la nueva: al menos 8 caracteres, con un número y "
                    "una letra mayúscula. Las demás sesiones abiertas se cerrarán."
                ),
            )
            yield self.current
            yield from self.pair.widgets()
            yield Button(_("CONFIRMAR"), id="ss-password-ok", variant="primary", compact=True)
        with Form(id="ss-sec-password"):
            yield from step_intro(
                1,
                _("IMAGEN Y PREGUNTAS"),
                _("Para cambiar su imagen y sus preguntas, escriba su contraseña actual."),
            )
            yield self.sec_current
            yield Button(_("SIGUIENTE"), id="ss-sec-password-ok", variant="primary", compact=True)
        yield from self.security.compose()
        with Form(id="ss-contact"):
            yield from step_intro(
                1,
                _("CORREO Y CELULAR"),
                _(
                    "Escriba el correo nuevo, el celular nuevo o ambos. Le enviaremos un "
                    "código de 6 dígitos a la dirección nueva."
                ),
            )
            yield Static("", id="ss-contact-now", markup=False)
            yield self.email
            yield self.phone
            yield Static("", id="ss-contact-error", classes="field-error", markup=False)
            yield Button(_("SIGUIENTE"), id="ss-contact-ok", variant="primary", compact=True)
        with Form(id="ss-code"):
            yield from step_intro(2, _("CÓDIGO"), "")
            yield self.code
            yield Button(_("CONFIRMAR"), id="ss-code-ok", variant="primary", compact=True)
        with Vertical(id="ss-cards"):
            yield from step_intro(
                1,
                _("BLOQUEAR TARJETA DE DÉBITO"),
                _("Elija la tarjeta (flechas y Enter). El bloqueo es inmediato."),
            )
            yield OptionList(id="ss-card-list", compact=True)
            yield Static("", id="ss-card-note", markup=False)
        yield message_step(
            "ss-done", 1, _("LISTO"), button=_("VOLVER AL MENÚ"), button_id="ss-done-ok"
        )

    def on_mount(self) -> None:
        self.sub_title = _("Mi perfil y seguridad")
        self.go("ss-menu")

    # --- moving around --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True

    def action_back(self) -> None:
        parent = self.PARENT.get(self.step)
        if parent is None:
            self.leave()
        else:
            self.go(parent)

    @on(OptionList.OptionSelected, "#ss-menu-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        self.keys.forget()  # each wizard is an operation of its own
        if choice == "password":
            self.go("ss-password")
        elif choice == "security":
            self.go("ss-sec-password")
            if not self.security.questions:
                self.call_backend(self.backend.security_questions, self._show_questions)
        elif choice == "contact":
            self.go("ss-contact")
            self.call_backend(self.backend.my_contact, self._show_contact)
        elif choice == "card":
            self.go("ss-cards")
            self.call_backend(self.backend.debit_cards, self._show_cards)

    def _finish(self, message: str) -> None:
        self.keys.forget()
        self.query_one("#ss-done-text", Static).update(message)
        self.go("ss-done")

    @on(Button.Pressed, "#ss-done-ok")
    def _to_menu(self) -> None:
        self.go("ss-menu")

    def refused(self, error: BackendError) -> bool:
        if isinstance(error, LockedError):
            # The fifth wrong current password locked the user and ended its sessions.
            self.post_message(SessionEnded(error.message))
            return True
        fields = {
            "current_password": (
                ("ss-password", self.current)
                if self.step == "ss-password"
                else ("ss-sec-password", self.sec_current)
            ),
            "new_password": ("ss-password", self.pair.password),
            "confirm_password": ("ss-password", self.pair.repeat),
            "own_question": ("ss-sec-own", self.security.own_question),
            "own_answer": ("ss-sec-own", self.security.own_answer),
            "answer": ("ss-sec-question", self.security.answer),
            "email": ("ss-contact", self.email),
            "phone": ("ss-contact", self.phone),
            "code": ("ss-code", self.code),
        }
        where = fields.get(error.field or "")
        if where is not None:
            self.show_in_field(*where, error.message)
        return where is not None

    # --- Cambiar contraseña -----------------------------------------------------------------

    @on(Button.Pressed, "#ss-password-ok")
    @on(Form.Submitted, "#ss-password")
    def password_ok(self) -> None:
        from sjvirtual_tui.models import PasswordChange

        if not validate_all([self.current, self.pair.password, self.pair.repeat]):
            return
        request = PasswordChange(
            current_password=self.current.input.value,
            new_password=self.pair.password.input.value,
            confirm_password=self.pair.repeat.input.value,
        )
        self.send_operation(request, self.backend.change_password, self._password_done)

    def _password_done(self, _result: None) -> None:
        for field in (self.current, self.pair.password, self.pair.repeat):
            field.value = ""  # no password stays on a screen
        self._finish(
            _(
                "Su contraseña fue cambiada. Úsela la próxima vez que ingrese. Las demás "
                "sesiones abiertas se cerraron y le enviamos un correo de aviso."
            )
        )

    # --- Cambiar imagen y preguntas -------------------------------------------------------------

    def _show_questions(self, questions: list[SecurityQuestion]) -> None:
        self.security.show_questions(self.query_one("#ss-question-list", OptionList), questions)

    @on(Button.Pressed, "#ss-sec-password-ok")
    @on(Form.Submitted, "#ss-sec-password")
    def sec_password_ok(self) -> None:
        if validate_all([self.sec_current]):
            self.go("ss-sec-image")

    def send_security(self, answers: SecurityAnswers) -> None:
        from sjvirtual_tui.models import SecurityChange

        request = SecurityChange(current_password=self.sec_current.input.value, **answers)
        self.send_operation(request, self.backend.change_security, self._security_done)

    def _security_done(self, _result: None) -> None:
        for field in (self.sec_current, self.security.own_answer, self.security.answer):
            field.value = ""
        self._finish(
            _(
                "Su imagen de seguridad y sus preguntas secretas fueron cambiadas. Verá la "
                "imagen nueva la próxima vez que ingrese."
            )
        )

    # --- Actualizar correo y teléfono -------------------------------------------------------

    def _show_contact(self, contact: MemberContact) -> None:
        phone = contact.phone or _("(no registrado)")
        self.query_one("#ss-contact-now", Static).update(
            _("Correo actual: {email} · Celular actual: {phone}").format(
                email=contact.email, phone=phone
            )
        )

    @on(Button.Pressed, "#ss-contact-ok")
    @on(Form.Submitted, "#ss-contact")
    def contact_ok(self) -> None:
        from sjvirtual_tui.models import ContactChangeRequest

        if not validate_all([self.email, self.phone]):
            return
        if not self.email.value and not self.phone.value:
            self.show_field_error(
                "ss-contact-error",
                _("Escriba un correo nuevo, un celular nuevo o ambos."),
                self.email.input.id or "",
                self.phone.input.id or "",
            )
            focus_now(self.email.input)
            return
        self.show_field_error("ss-contact-error", None)
        request = ContactChangeRequest(
            email=self.email.value or None, phone=self.phone.value or None
        )
        self.send_operation(request, self.backend.request_contact_change, self._code_sent)

    def _code_sent(self, started: ContactChangeStarted) -> None:
        self.change = started
        self.keys.forget()  # the code's CONFIRMAR is an operation of its own
        self.code.value = ""
        hint = self.query_one("#ss-code .hint", Static)
        hint.update(
            _("Enviamos un código de 6 dígitos a {where}. Vale {minutes}.").format(
                where=" y ".join(started.sent_to), minutes=minute_count(started.code_valid_minutes)
            )
        )
        self.go("ss-code")

    @on(Button.Pressed, "#ss-code-ok")
    @on(Form.Submitted, "#ss-code")
    def code_ok(self) -> None:
        if self.change is None or not validate_all([self.code]):
            return
        change_id, code = self.change.id, "".join(self.code.value.split())

        async def confirm(request: tuple[int, str], *, idempotency_key: str) -> MemberContact:
            return await self.backend.confirm_contact_change(
                request[0], request[1], idempotency_key=idempotency_key
            )

        self.send_operation((change_id, code), confirm, self._contact_done)

    def _contact_done(self, contact: MemberContact) -> None:
        self.change = None
        self.email.value = ""
        self.phone.value = ""
        phone = contact.phone or _("(no registrado)")
        self._finish(
            _(
                "Sus datos de contacto fueron actualizados: correo {email}, celular {phone}. "
                "Avisamos del cambio a su correo anterior."
            ).format(email=contact.email, phone=phone)
        )

    # --- Bloquear tarjeta de débito ---------------------------------------------------------

    def _show_cards(self, cards: list[DebitCard]) -> None:
        self.cards = cards
        options = self.query_one("#ss-card-list", OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(
                    _("{number} · cuenta {account} · {status}").format(
                        number=card.number,
                        account=card.account,
                        status=_(CARD_STATUS.get(card.status.value, card.status.value)),
                    ),
                    id=str(card.id),
                )
                for card in cards
            ]
        )
        options.highlighted = 0 if cards else None
        note = "" if cards else _("No tiene tarjetas de débito.")
        self.query_one("#ss-card-note", Static).update(note)
        if cards:
            focus_now(options)

    @on(OptionList.OptionSelected, "#ss-card-list")
    def _card_chosen(self, event: OptionList.OptionSelected) -> None:
        card = next((c for c in self.cards if str(c.id) == event.option.id), None)
        if card is None:
            return
        if card.status.value == "bloqueada":
            self.query_one("#ss-card-note", Static).update(
                _(
                    "La tarjeta ****{last4} ya está bloqueada. Para desbloquearla acuda a una "
                    "agencia."
                ).format(last4=card.last4)
            )
            return
        question = _(
            "¿Bloquear la tarjeta ****{last4}? Esta acción es inmediata; para desbloquearla "
            "acuda a una agencia."
        ).format(last4=card.last4)

        def answered(yes: bool | None) -> None:
            if yes:
                self.send_operation(card.id, self.backend.block_debit_card, self._card_done)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _card_done(self, card: DebitCard) -> None:
        self._finish(
            _(
                "La tarjeta {number} quedó bloqueada. Le enviamos un correo de aviso. Para "
                "desbloquearla acuda a una agencia con su cédula."
            ).format(number=card.number)
        )
