"""PRIMER INGRESO, after the password: new password -> CONFIRMAR -> security image -> SIGUIENTE
-> own secret question and answer -> SIGUIENTE -> a security question from the list and its
answer -> CONFIRMAR -> "Su cuenta está lista". Nothing is sent before the last CONFIRMAR, and
until then the server lets this session reach nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, OptionList

from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.context import SetupFinished
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.security_steps import SecuritySteps, SecurityStepsWizard
from sjvirtual_tui.screens.set_password import NewPasswordWizard, PasswordPair
from sjvirtual_tui.widgets.form import Form, validate_all
from sjvirtual_tui.widgets.message_step import message_step
from sjvirtual_tui.widgets.wizard import step_intro

if TYPE_CHECKING:
    from sjvirtual_tui.models import LoginResult, MemberProfile, SecurityQuestion
    from sjvirtual_tui.screens.security_steps import SecurityAnswers


class FirstLoginScreen(NewPasswordWizard, SecurityStepsWizard):
    HEADING = N_("PRIMER INGRESO")
    STEPS = ("fl-password", "fl-image", "fl-own", "fl-question", "fl-done")
    FINAL = ("fl-done",)

    def __init__(self, login: LoginResult, current_password: str) -> None:
        super().__init__(id="first-login")
        self.login = login
        # Only to refuse "the same password again" before sending; dropped when the screen goes.
        self._current_password = current_password
        self.pair = PasswordPair("fl-", current=lambda: self._current_password)
        self.security = SecuritySteps(
            "fl-",
            gallery="gallery",
            question_list="question-list",
            submit="fl-submit",
            question_error="question-error",
        )

    def compose_steps(self) -> ComposeResult:
        with Form(id="fl-password"):
            yield from step_intro(
                1,
                _("NUEVA CONTRASEÑA"),
                _(
                    "Digite una contraseña de al menos 8 caracteres que contenga un "
                    "número y una letra mayúscula, distinta de la actual."
                ),
            )
            yield from self.pair.widgets()
            yield Button(_("CONFIRMAR"), id="fl-password-ok", variant="primary", compact=True)
        yield from self.security.compose()
        yield message_step(
            "fl-done",
            5,
            _("LISTO"),
            text=_("Su cuenta está lista y configurada para ingresar en SAN JOSÉ S.J. VIRTUAL."),
            button=_("CONTINUAR"),
            button_id="fl-home",
        )

    def on_mount(self) -> None:
        self.sub_title = _("Primer ingreso")
        self.go("fl-password")
        self.call_backend(self.backend.security_questions, self._show_questions)

    def _show_questions(self, questions: list[SecurityQuestion]) -> None:
        self.security.show_questions(self.query_one("#question-list", OptionList), questions)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step not in ("fl-password", "fl-done")
        return True

    def action_back(self) -> None:
        if self.step == "fl-password":
            return  # the PRIMER INGRESO cannot be skipped; F9 logs out
        super().action_back()

    # --- moving through the steps --------------------------------------------------------------

    @on(Button.Pressed, "#fl-password-ok")
    @on(Form.Submitted, "#fl-password")
    def password_ok(self) -> None:
        if validate_all([self.pair.password, self.pair.repeat]):
            self.go("fl-image")

    @on(OptionList.OptionHighlighted, "#question-list")
    def _question_highlighted(self) -> None:
        self.show_field_error("question-error", None, "question-list")  # one is chosen

    def send_security(self, answers: SecurityAnswers) -> None:
        from sjvirtual_tui.models import FirstLoginSetup

        setup = FirstLoginSetup(new_password=self.pair.password.input.value, **answers)
        self.send_operation(setup, self.backend.complete_setup, self._done)

    def refused(self, error: BackendError) -> bool:
        where = {
            "new_password": ("fl-password", self.pair.password),
            "own_question": ("fl-own", self.security.own_question),
            "own_answer": ("fl-own", self.security.own_answer),
            "answer": ("fl-question", self.security.answer),
        }.get(error.field or "")
        if where is not None:
            self.show_in_field(*where, error.message)
        return where is not None

    def _done(self, profile: MemberProfile) -> None:
        self._current_password = ""
        self.go("fl-done")

    @on(Button.Pressed, "#fl-home")
    def _home(self) -> None:
        self.post_message(SetupFinished(self.login))
