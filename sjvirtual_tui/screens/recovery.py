"""¿OLVIDÓ SU CONTRASEÑA?: username -> SIGUIENTE -> the code sent by e-mail -> SIGUIENTE -> both
secret questions + a new password -> CONFIRMAR. Wrong codes and answers count toward the same
lock as the login.

The questions come only for the code: they are the member's own words, and shown for a bare
username they would tell a real one from an unknown one. The first answer is the same for
every username ("if it is yours, a code is on its way")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Static

from sjvirtual_tui.backend import AuthError, BackendError, LockedError
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.screens.login import username_error
from sjvirtual_tui.screens.security_steps import answer_problem
from sjvirtual_tui.screens.set_password import NewPasswordWizard, PasswordPair, code_error
from sjvirtual_tui.widgets.form import Form, FormField, focus_now, validate_all
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import RecoveryChallenge, RecoveryStarted


class RecoveryScreen(NewPasswordWizard):
    HEADING = N_("¿OLVIDÓ SU CONTRASEÑA?")
    STEPS = ("rc-user", "rc-code", "rc-answers", "rc-done")
    FINAL = ("rc-done",)

    def __init__(self, username: str = "") -> None:
        super().__init__(id="recovery")
        self.username = FormField(
            "username",
            _("Usuario"),
            check=username_error,
            max_length=64,
            value=username,
            prefix="rc-",
        )
        self.own_answer = FormField(
            "own_answer", _("Respuesta 1"), check=answer_problem, prefix="rc-"
        )
        self.security_answer = FormField(
            "security_answer", _("Respuesta 2"), check=answer_problem, prefix="rc-"
        )
        self.code = FormField("code", _("Código del correo"), check=code_error, prefix="rc-")
        self.pair = PasswordPair("rc-")
        self.started: RecoveryStarted | None = None
        self.challenge: RecoveryChallenge | None = None
        self.verified_code = ""  # the code the questions were given for

    def compose_steps(self) -> ComposeResult:
        with Form(id="rc-user"):
            yield StepTitle(1, _("SU USUARIO"))
            yield self.username
            yield Button(_("SIGUIENTE"), id="rc-start", variant="primary", compact=True)
        with Form(id="rc-code"):
            yield StepTitle(2, _("EL CÓDIGO DE SU CORREO"))
            # The same words for every username: the screen cannot know either.
            yield Static("", id="rc-sent", classes="hint", markup=False)
            yield self.code
            yield Button(_("SIGUIENTE"), id="rc-verify", variant="primary", compact=True)
        with Form(id="rc-answers"):
            yield StepTitle(3, _("SUS PREGUNTAS Y LA NUEVA CONTRASEÑA"))
            yield Static("", id="rc-own-question", markup=False)
            yield self.own_answer
            yield Static("", id="rc-security-question", markup=False)
            yield self.security_answer
            yield from self.pair.widgets()
            yield Button(_("CONFIRMAR"), id="rc-submit", variant="primary", compact=True)
        yield message_step(
            "rc-done",
            4,
            _("LISTO"),
            text=_(
                "Su contraseña fue cambiada y le enviamos un correo de aviso. Ingrese "
                "con su nueva contraseña."
            ),
            button=_("IR AL INGRESO"),
            button_id="rc-home",
        )

    def on_mount(self) -> None:
        self.sub_title = _("Recuperar contraseña")
        self.go("rc-user")

    def fields(self) -> list[FormField]:
        return [self.own_answer, self.security_answer, self.pair.password, self.pair.repeat]

    @on(Button.Pressed, "#rc-start")
    @on(Form.Submitted, "#rc-user")
    def start(self) -> None:
        if not validate_all([self.username]):
            return
        username = self.username.value
        self.challenge = None
        self.call_backend(lambda: self.backend.start_recovery(username), self._code_sent)

    def _code_sent(self, started: RecoveryStarted) -> None:
        self.started = started
        self.query_one("#rc-sent", Static).update(
            ngettext(
                "Si {username} es un usuario de S.J. Virtual, le enviamos un código a su correo "
                "registrado; vale {minutes} minuto. Escríbalo aquí. Si no llega, vuelva atrás "
                "y pídalo otra vez.",
                "Si {username} es un usuario de S.J. Virtual, le enviamos un código a su correo "
                "registrado; vale {minutes} minutos. Escríbalo aquí. Si no llega, vuelva atrás "
                "y pídalo otra vez.",
                started.code_valid_minutes,
            ).format(username=started.username, minutes=started.code_valid_minutes)
        )
        self.code.show_error(None)
        self.go("rc-code")

    @on(Button.Pressed, "#rc-verify")
    @on(Form.Submitted, "#rc-code")
    def verify(self) -> None:
        if self.started is None or not validate_all([self.code]):
            return
        username, code = self.started.username, self.code.value
        self.call_backend(
            lambda: self.backend.verify_recovery_code(username, code),
            lambda challenge: self._questions(challenge, code),
            on_error=self._code_refused,
        )

    def _code_refused(self, error: BackendError) -> bool:
        if isinstance(error, AuthError):
            self.code.show_error(error.message)
            focus_now(self.code.input)
            return True
        if isinstance(error, LockedError):
            self.show_problem(error.message)
            return True
        return False

    def _questions(self, challenge: RecoveryChallenge, code: str) -> None:
        self.challenge, self.verified_code = challenge, code
        self.query_one("#rc-own-question", Static).update(f"1. {challenge.own_question}")
        self.query_one("#rc-security-question", Static).update(f"2. {challenge.security_question}")
        self.go("rc-answers")

    @on(Button.Pressed, "#rc-submit")
    @on(Form.Submitted, "#rc-answers")
    def submit(self) -> None:
        from sjvirtual_tui.models import RecoveryCompletion

        if self.challenge is None or not validate_all(self.fields()):
            return
        completion = RecoveryCompletion(
            username=self.challenge.username,
            own_answer=self.own_answer.value,
            security_answer=self.security_answer.value,
            code=self.verified_code,
            new_password=self.pair.password.input.value,
        )
        self.send_operation(
            completion, self.backend.complete_recovery, lambda _result: self.go("rc-done")
        )

    def refused(self, error: BackendError) -> bool:
        if isinstance(error, AuthError | LockedError):
            self.show_problem(error.message)
            return True
        field = {
            "new_password": self.pair.password,
            "own_answer": self.own_answer,
            "security_answer": self.security_answer,
        }.get(error.field or "")
        if field is None:
            return False
        field.show_error(error.message)
        focus_now(field.input)
        return True

    @on(Button.Pressed, "#rc-home")
    def _home(self) -> None:
        self.leave()
