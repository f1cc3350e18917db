"""PRIMER INGRESO, after the password: new password -> CONFIRMAR -> security image -> SIGUIENTE
-> own secret question and answer -> SIGUIENTE -> a security question from the list and its
answer -> CONFIRMAR -> "Su cuenta está lista". Nothing is sent before the last CONFIRMAR, and
until then the server lets this session reach nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.context import SetupFinished
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.set_password import PasswordPair
from sjvirtual_tui.screens.wizard import WizardScreen
from sjvirtual_tui.widgets.form import Form, FormField, focus_now, validate_all
from sjvirtual_tui.widgets.image_gallery import ImageGallery
from sjvirtual_tui.widgets.wizard import StepTitle, step_intro

if TYPE_CHECKING:
    from sjvirtual_tui.models import LoginResult, MemberProfile, SecurityQuestion


def answer_problem(value: str) -> str | None:
    """What is wrong with an answer to a security question (None: nothing); recovery and
    self-service check answers the same way."""
    if len(rules.normalise_answer(value)) < 2:
        return _("La respuesta debe tener al menos 2 letras o números.")
    if len(value) > 80:
        return _("La respuesta tiene como máximo 80 caracteres.")
    return None


def question_problem(value: str) -> str | None:
    """What is wrong with a secret question of the member's own (None: nothing)."""
    if len(value) < 5:
        return _("Escriba una pregunta de al menos 5 caracteres.")
    if len(value) > 120:
        return _("La pregunta tiene como máximo 120 caracteres.")
    return None


class FirstLoginScreen(WizardScreen):
    HEADING = N_("PRIMER INGRESO")
    STEPS = ("fl-password", "fl-image", "fl-own", "fl-question", "fl-done")
    FINAL = ("fl-done",)

    def __init__(self, login: LoginResult, current_password: str) -> None:
        super().__init__(id="first-login")
        self.login = login
        # Only to refuse "the same password again" before sending; dropped when the screen goes.
        self._current_password = current_password
        self.pair = PasswordPair("fl-", current=lambda: self._current_password)
        self.own_question = FormField("own_question", _("Su pregunta"), check=question_problem)
        self.own_answer = FormField("own_answer", _("Su respuesta"), check=self._own_answer)
        self.answer = FormField("answer", _("Respuesta"), check=answer_problem)
        self.questions: list[SecurityQuestion] = []

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
        with Vertical(id="fl-image"):
            yield from step_intro(
                2,
                _("IMAGEN DE SEGURIDAD"),
                _("Escoja una imagen (flechas y Enter): la verá al ingresar."),
            )
            yield ImageGallery(id="gallery")
            yield Button(_("SIGUIENTE"), id="fl-image-ok", variant="primary", compact=True)
        with Form(id="fl-own"):
            yield from step_intro(
                3,
                _("PREGUNTA Y RESPUESTA SECRETA"),
                _("Plantee una pregunta que solo usted sepa responder, y su respuesta."),
            )
            yield self.own_question
            yield self.own_answer
            yield Button(_("SIGUIENTE"), id="fl-own-ok", variant="primary", compact=True)
        with Form(id="fl-question"):
            yield from step_intro(
                4, _("PREGUNTA DE SEGURIDAD"), _("Escoja una pregunta y respóndala.")
            )
            yield OptionList(id="question-list", compact=True)
            yield Static("", id="question-error", classes="field-error")
            yield self.answer
            yield Button(_("CONFIRMAR"), id="fl-submit", variant="primary", compact=True)
        with Vertical(id="fl-done"):
            yield StepTitle(5, _("LISTO"))
            yield Static(
                _("Su cuenta está lista y configurada para ingresar en SAN JOSÉ S.J. VIRTUAL."),
                id="fl-done-text",
            )
            yield Button(_("CONTINUAR"), id="fl-home", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("Primer ingreso")
        self.go("fl-password")
        self.call_backend(self.backend.security_questions, self._show_questions)

    def _show_questions(self, questions: list[SecurityQuestion]) -> None:
        self.questions = questions
        options = self.query_one("#question-list", OptionList)
        options.clear_options()
        options.add_options([Option(q.text, id=str(q.id)) for q in questions])
        options.highlighted = 0 if questions else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step not in ("fl-password", "fl-done")
        return True

    def action_back(self) -> None:
        if self.step == "fl-password":
            return  # the PRIMER INGRESO cannot be skipped; F9 logs out
        super().action_back()

    # --- moving through the steps --------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self) -> None:
        self.pair.refresh_policy()

    @on(Button.Pressed, "#fl-password-ok")
    @on(Form.Submitted, "#fl-password")
    def password_ok(self) -> None:
        if validate_all([self.pair.password, self.pair.repeat]):
            self.go("fl-image")

    # The manual: "Escogemos una imagen y presionamos en SIGUIENTE". No phrase: words of the
    # member's own shown before the password would tell a real username from an unknown one.
    @on(ImageGallery.Chosen)
    @on(Button.Pressed, "#fl-image-ok")
    def image_ok(self) -> None:
        self.go("fl-own")

    @on(Button.Pressed, "#fl-own-ok")
    @on(Form.Submitted, "#fl-own")
    def own_ok(self) -> None:
        if validate_all([self.own_question, self.own_answer]):
            self.go("fl-question")

    def _own_answer(self, value: str) -> str | None:
        """Part of the field's check, so a change of the question checks it again."""
        error = answer_problem(value)
        if error is None and rules.normalise_answer(value) in rules.normalise_answer(
            self.own_question.value
        ):
            return _("La respuesta no puede estar dentro de la pregunta.")
        return error

    @on(OptionList.OptionHighlighted, "#question-list")
    def _question_highlighted(self) -> None:
        self.show_field_error("question-error", None, "question-list")  # one is chosen

    @on(OptionList.OptionSelected, "#question-list")
    def _question_chosen(self) -> None:
        focus_now(self.answer.input)

    def _chosen_question(self) -> SecurityQuestion | None:
        options = self.query_one("#question-list", OptionList)
        index = options.highlighted
        if index is None or not 0 <= index < len(self.questions):
            return None
        return self.questions[index]

    @on(Button.Pressed, "#fl-submit")
    @on(Form.Submitted, "#fl-question")
    def submit(self) -> None:
        from sjvirtual_tui.models import FirstLoginSetup

        question = self._chosen_question()
        self.show_field_error(
            "question-error",
            None if question else _("Escoja una pregunta de la lista (flechas y Enter)."),
            "question-list",
        )
        if question is None:
            focus_now(self.query_one("#question-list"))
            return
        if not validate_all([self.answer]):
            return
        setup = FirstLoginSetup(
            new_password=self.pair.password.input.value,
            image=self.query_one(ImageGallery).image,
            own_question=self.own_question.value,
            own_answer=self.own_answer.value,
            question_id=question.id,
            answer=self.answer.value,
        )
        self.send_operation(setup, self.backend.complete_setup, self._done)

    def refused(self, error: BackendError) -> bool:
        where = {
            "new_password": ("fl-password", self.pair.password),
            "own_question": ("fl-own", self.own_question),
            "own_answer": ("fl-own", self.own_answer),
            "answer": ("fl-question", self.answer),
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
