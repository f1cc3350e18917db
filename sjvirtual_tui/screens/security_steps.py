"""The security image, a secret question of the member's own and a question from the bank's
list: three wizard steps that the PRIMER INGRESO and self-service's "Cambiar imagen y
preguntas" both walk, with the same words, fields and checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from sjvirtual_tui import rules
from sjvirtual_tui.i18n import _
from sjvirtual_tui.screens.wizard import WizardScreen
from sjvirtual_tui.widgets.form import Form, FormField, focus_now, validate_all
from sjvirtual_tui.widgets.image_gallery import ImageGallery
from sjvirtual_tui.widgets.wizard import step_intro

if TYPE_CHECKING:
    from sjvirtual_tui.enums import SecurityImageId
    from sjvirtual_tui.models import SecurityQuestion


class SecurityAnswers(TypedDict):
    """What the steps gather: the fields FirstLoginSetup and SecurityChange share."""

    image: SecurityImageId
    own_question: str
    own_answer: str
    question_id: int
    answer: str


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


class SecuritySteps:
    """The three steps (numbered 2 to 4) and their fields; SecurityStepsWizard moves through
    them, finding their buttons and forms by class (``security-…``).

    Steps are ``{prefix}image``, ``{prefix}own`` and ``{prefix}question``; the first two end in
    the buttons ``{prefix}image-ok`` and ``{prefix}own-ok``. The gallery, the list and the last
    button keep the ids each screen had before they shared these steps.
    """

    def __init__(
        self,
        prefix: str,
        *,
        gallery: str,
        question_list: str,
        submit: str,
        question_error: str | None = None,
    ) -> None:
        """``question_error``: the id of a line under the list that says none is chosen. The own
        answer may never stand inside the own question, in PRIMER INGRESO as in self-service."""
        self.image_step, self.own_step = f"{prefix}image", f"{prefix}own"
        self.question_step = f"{prefix}question"
        self._gallery, self.question_list, self._submit = gallery, question_list, submit
        self.question_error = question_error
        self.own_question = FormField("own_question", _("Su pregunta"), check=question_problem)
        self.own_answer = FormField("own_answer", _("Su respuesta"), check=self._answer_apart)
        self.answer = FormField("answer", _("Respuesta"), check=answer_problem)
        self.questions: list[SecurityQuestion] = []

    def compose(self) -> ComposeResult:
        with Vertical(id=self.image_step):
            yield from step_intro(
                2,
                _("IMAGEN DE SEGURIDAD"),
                _("Escoja una imagen (flechas y Enter): la verá al ingresar."),
            )
            yield ImageGallery(id=self._gallery)
            yield self._next(f"{self.image_step}-ok", "security-image-ok")
        with Form(id=self.own_step, classes="security-own"):
            yield from step_intro(
                3,
                _("PREGUNTA Y RESPUESTA SECRETA"),
                _("Plantee una pregunta que solo usted sepa responder, y su respuesta."),
            )
            yield self.own_question
            yield self.own_answer
            yield self._next(f"{self.own_step}-ok", "security-own-ok")
        with Form(id=self.question_step, classes="security-question"):
            yield from step_intro(
                4, _("PREGUNTA DE SEGURIDAD"), _("Escoja una pregunta y respóndala.")
            )
            yield OptionList(id=self.question_list, classes="security-questions", compact=True)
            if self.question_error is not None:
                yield Static("", id=self.question_error, classes="field-error")
            yield self.answer
            yield Button(
                _("CONFIRMAR"),
                id=self._submit,
                classes="security-submit",
                variant="primary",
                compact=True,
            )

    @staticmethod
    def _next(button_id: str, kind: str) -> Button:
        return Button(_("SIGUIENTE"), id=button_id, classes=kind, variant="primary", compact=True)

    def _answer_apart(self, value: str) -> str | None:
        """Part of the field's check, so a change of the question checks it again."""
        error = answer_problem(value)
        if error is None and rules.normalise_answer(value) in rules.normalise_answer(
            self.own_question.value
        ):
            return _("La respuesta no puede estar dentro de la pregunta.")
        return error

    def own_valid(self) -> bool:
        """The own question and answer pass their checks (each shows its own error)."""
        return validate_all([self.own_question, self.own_answer])

    def show_questions(self, options: OptionList, questions: list[SecurityQuestion]) -> None:
        self.questions = questions
        options.clear_options()
        options.add_options([Option(q.text, id=str(q.id)) for q in questions])
        options.highlighted = 0 if questions else None

    def chosen(self, options: OptionList) -> SecurityQuestion | None:
        """The question highlighted in ``options``, or None when there is none."""
        index = options.highlighted
        if index is None or not 0 <= index < len(self.questions):
            return None
        return self.questions[index]


class SecurityStepsWizard(WizardScreen):
    """A wizard with the SecuritySteps (``security``): it moves through them and, at their
    CONFIRMAR, gives what they gathered to ``send_security``."""

    security: SecuritySteps

    # The manual: "Escogemos una imagen y presionamos en SIGUIENTE". No phrase: words of the
    # member's own shown before the password would tell a real username from an unknown one.
    @on(ImageGallery.Chosen)
    @on(Button.Pressed, ".security-image-ok")
    def image_ok(self) -> None:
        self.go(self.security.own_step)

    @on(Button.Pressed, ".security-own-ok")
    @on(Form.Submitted, ".security-own")
    def own_ok(self) -> None:
        if self.security.own_valid():
            self.go(self.security.question_step)

    @on(OptionList.OptionSelected, ".security-questions")
    def _question_chosen(self) -> None:
        focus_now(self.security.answer.input)

    @on(Button.Pressed, ".security-submit")
    @on(Form.Submitted, ".security-question")
    def _security_submit(self) -> None:
        answers = self.security_answers()
        if answers is not None:
            self.send_security(answers)

    def send_security(self, answers: SecurityAnswers) -> None:
        """Sends the screen's request with ``answers`` (all checked) in it."""
        raise NotImplementedError

    def security_answers(self) -> SecurityAnswers | None:
        """What the steps gathered, for the request; None, with the focus on what is missing,
        when no question is chosen or its answer is refused."""
        steps = self.security
        options = self.query_one(f"#{steps.question_list}", OptionList)
        question = steps.chosen(options)
        if steps.question_error is not None:
            self.show_field_error(
                steps.question_error,
                None if question else _("Escoja una pregunta de la lista (flechas y Enter)."),
                steps.question_list,
            )
        if question is None:
            focus_now(options)
            return None
        if not validate_all([steps.answer]):
            return None
        return SecurityAnswers(
            image=self.query_one(ImageGallery).image,
            own_question=steps.own_question.value,
            own_answer=steps.own_answer.value,
            question_id=question.id,
            answer=steps.answer.value,
        )
