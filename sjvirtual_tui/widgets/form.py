"""The one form mechanism of every wizard step.

- A :class:`FormField` is a label, an input and the reason for a refusal right under it. Its
  rules are ``textual.validation`` validators (a plain ``check`` function is wrapped in one).
- A :class:`Form` (or :class:`ScrollForm`) holds the fields of a step, whatever their kind
  (Input, RadioSet, Checkbox, Select). Enter moves to the next field and, on the last one,
  posts :class:`Form.Submitted`; an Input whose value is wrong keeps the cursor and says why.
- A refusal shows only once the member has left the field (with something typed) or submitted,
  and goes as soon as the value is right.
- The focus moves at once (not after the keys already typed), so typeahead lands in the field
  that now has the cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import NoScreen
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from sjvirtual_tui.i18n import _

if TYPE_CHECKING:
    from textual.widgets import RadioSet

Check = Callable[[str], str | None]


def field_row(label: str, *widgets: Widget) -> Horizontal:
    """A row of a form: the label (with ``(*)`` when a value is required), then the widgets."""
    return Horizontal(Label(label, classes="form-label"), *widgets, classes="row")


class Rule(Validator):
    """A rule of :mod:`sjvirtual_tui.rules` (a message for a wrong value, None when it is fine)
    as a ``textual.validation`` validator."""

    def __init__(self, check: Check) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        message = self.check(value)
        return self.success() if message is None else self.failure(message, value)


class NoControlCharacters(Validator):
    """Escape sequences, NULs, bidi overrides: never stored, never drawn on a terminal."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def validate(self, value: str) -> ValidationResult:
        if has_control_characters(value):
            return self.failure(
                _("{label}: quite los caracteres de control.").format(label=self.label), value
            )
        return self.success()


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus now.

    ``Widget.focus()`` only queues the change behind the messages already waiting, and keys the
    member typed right after Enter are among them: they would land in the field being left.
    """
    try:
        screen = widget.screen
    except NoScreen:  # not mounted (any more): nothing to focus
        return
    screen.set_focus(widget)


class FormField(Vertical):
    """One field: ``validators`` (or a ``check`` function) say why a value is refused.

    ``label`` and ``placeholder`` are shown as given: the caller translates them (``_()``).
    """

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > Horizontal { height: 1; }
    FormField .form-label { width: 26; }
    FormField Input { width: 1fr; max-width: 46; }
    FormField .form-error {
        display: none; color: $text-error; padding-left: 26; width: 100%; height: auto;
    }
    FormField .form-error.-shown { display: block; }
    FormField .form-error:nocolor { text-style: bold; }  /* no red: it still stands out */
    """

    def __init__(
        self,
        field_name: str,
        label: str,
        *,
        check: Check | None = None,
        validators: Sequence[Validator] = (),
        required: bool = True,
        placeholder: str = "",
        password: bool = False,
        max_length: int = 0,
        value: str = "",
        prefix: str = "",
        input_id: str = "",
        missing: str = "",
        stacked: bool = False,
    ) -> None:
        # ``prefix`` keeps ids unique when two forms on one screen share a field name.
        super().__init__(id=f"{prefix}field-{field_name_safe(field_name)}")
        self.field_name = field_name
        self.label = label + (" (*)" if required else "")
        self.required = required
        self.missing = missing  # what an empty required field says (else "obligatorio")
        self.stacked = stacked  # the label over the field (the login's), not beside it
        rules = [*validators, *([Rule(check)] if check is not None else [])]
        self.validators: list[Validator] = [*rules, NoControlCharacters(label)]
        self._input = Input(
            value,
            placeholder=placeholder,
            password=password,
            max_length=max_length,
            compact=True,
            # The field shows its own message (below), when the member has left it.
            validate_on=[],
            id=input_id or f"{prefix}input-{field_name_safe(field_name)}",
        )
        # The value the shown message is about, and whether this field's own rules said it
        # (a server's or a screen's refusal cannot be checked again here).
        self._shown_for: str | None = None
        self._from_check = False

    def compose(self) -> ComposeResult:
        # Static rather than Label: the same text without Label's default CSS (its variants),
        # parsed before the login screen's first frame otherwise.
        label = Static(self.label, classes="form-label")
        if self.stacked:  # one widget less than a vertical Horizontal
            yield label
            yield self._input
        else:
            with Horizontal():
                yield label
                yield self._input
        # The reason for a refusal comes under them when there is one (_show): a widget less
        # on every screen until then (the login screen's first frame among them).

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value.strip()

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text

    @property
    def error(self) -> str:
        label = self._error_label()
        return str(label.render()) if label is not None else ""

    def _error_label(self) -> Static | None:
        return next(self.query_children(".form-error").results(Static), None)

    def set_label(self, label: str) -> None:
        """A label that depends on an earlier choice (the biller's name for its reference)."""
        self.label = label + (" (*)" if self.required else "")
        self.query_one(".form-label", Static).update(self.label)

    def show_error(self, message: str | None, *, until_checked: bool = False) -> None:
        """A refusal from elsewhere (the server): shown until the value changes; or, with
        ``until_checked``, until the field is checked again (a refused PIN: the server's words
        say the attempts left, and stay while the next PIN is typed)."""
        self._show(message, from_check=False)
        if until_checked:
            self._shown_for = None

    def _show(self, message: str | None, *, from_check: bool) -> None:
        label = self._error_label()
        if label is None and message:
            # The reasons may quote what the member typed (or the server's words): plain text.
            label = Static("", classes="form-error", markup=False)
            self.mount(label)  # registered at once: queries find it from here on
        if label is not None:
            label.update(message or "")
            label.set_class(bool(message), "-shown")
        self._shown_for = self._input.value if message else None
        self._from_check = from_check and bool(message)

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        """A message belongs to the value that produced it. When this value changes its
        message is checked again (and goes when the cause is gone); so is every other field's
        own message on the screen, since a rule may read another field (a repeated password
        "no coinciden" until either is changed to match)."""
        if event.input is not self._input:
            return
        if self._shown_for is not None and self._input.value != self._shown_for:
            if self.value:
                self.validate_value()
            else:  # being typed again: "obligatorio" waits for Enter
                self._show(None, from_check=False)
        for other in self.screen.query(FormField):
            if other is not self and other._from_check:
                other.validate_value()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        """The member left the field with something typed: say now what is wrong with it. An
        empty field is only "obligatorio" once the member submits (or presses Enter in it)."""
        if event.input is self._input and self.value and self._shown_for != self._input.value:
            self.validate_value()

    def problem(self) -> str | None:
        """Why the value is refused, or None."""
        if not self.value:
            if self.required:
                if self.missing:
                    return self.missing
                return _("Este campo es obligatorio: {label}.").format(
                    label=self.label.removesuffix(" (*)")
                )
            return None
        for validator in self.validators:
            # The rules read the trimmed value; control characters are looked for in all of it.
            text = self._input.value if isinstance(validator, NoControlCharacters) else self.value
            result = validator.validate(text)
            if not result.is_valid:
                return result.failure_descriptions[0]
        return None

    def validate_value(self) -> bool:
        """Shows why the value is refused (or clears the message); True when it is fine."""
        message = self.problem()
        self._show(message, from_check=True)
        return message is None


def has_control_characters(text: str) -> bool:
    """Control (Cc: NUL, ESC, BEL...) or format (Cf: bidi overrides, zero-width) characters."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def field_name_safe(name: str) -> str:
    return name.replace("_", "-")


def validate_all(fields: Sequence[FormField]) -> bool:
    """Checks every field (each shows its own message) and focuses the first wrong one."""
    results = [f.validate_value() for f in fields]
    for field, ok in zip(fields, results, strict=True):
        if not ok:
            focus_now(field.input)
            return False
    return True


def field_kinds() -> tuple[type[Widget], ...]:
    """The kinds of field Enter walks through (a Button is pressed by Enter, never walked to).
    Imported when first asked: the login screen's first frame has no checkbox or radio list."""
    from textual.widgets import Checkbox, RadioSet

    return (Input, RadioSet, Checkbox, Select)


class _FormKeys(Widget):
    """Enter in a form, whatever the kind of field: see the module's docstring."""

    # Priority: these run as each key arrives, in the order typed, before the next key goes to
    # whichever field has the focus then (a widget's own bindings run only once its key has
    # gone round its queue, after the keys typed next have been sent on). And a RadioSet, a
    # Checkbox and a Select would take Enter for themselves.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "form_enter", show=False, priority=True, id="form.enter"),
        Binding("down,right", "form_radio(1)", show=False, priority=True, id="form.next"),
        Binding("up,left", "form_radio(-1)", show=False, priority=True, id="form.previous"),
        Binding("space", "form_toggle", show=False, priority=True, id="form.toggle"),
    ]

    class Submitted(Message):
        """Enter on the last field of ``form``."""

        def __init__(self, form: _FormKeys) -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> _FormKeys:
            return self.form

    def __init__(self, *children: Widget, **kwargs: object) -> None:
        super().__init__(*children, **kwargs)  # type: ignore[arg-type]
        self._advance_from: Select[object] | None = None

    def fields(self) -> list[Widget]:
        """The fields shown now, in the order the member meets them."""
        return list(_walk_fields(self, field_kinds()))

    def form_fields(self) -> list[FormField]:
        """The labelled input fields shown now."""
        return [f for f in self.query(FormField) if shown_within(f, self)]

    def validate(self) -> bool:
        """Every field's message (the first wrong one gets the cursor): True when all fine."""
        return validate_all(self.form_fields())

    def action_form_radio(self, direction: int) -> None:
        from textual.widgets import RadioSet

        focused = self.screen.focused
        if not isinstance(focused, RadioSet):
            raise SkipAction
        if direction > 0:
            focused.action_next_button()
        else:
            focused.action_previous_button()

    def action_form_toggle(self) -> None:
        from textual.widgets import Checkbox, RadioSet

        focused = self.screen.focused
        if isinstance(focused, RadioSet):
            _choose_highlighted(focused)
        elif isinstance(focused, Checkbox):
            focused.toggle()
        else:
            raise SkipAction

    async def action_form_enter(self) -> None:
        from textual.widgets import RadioSet

        focused = self.screen.focused
        if focused is None:
            raise SkipAction
        # The keys typed before this Enter first: its value is what the member typed.
        await _caught_up(focused)
        if self.screen.focused is not focused:
            raise SkipAction
        select = _open_select(focused)
        if select is not None:  # Enter chooses in the open list; then on to the next field
            self._advance_from = select
            raise SkipAction
        fields = self.fields()
        if focused not in fields:
            raise SkipAction  # a button, a table: Enter does what it does there
        if isinstance(focused, Input):
            field = _field_of(focused)
            if field is not None and not field.validate_value():
                return
        elif isinstance(focused, RadioSet):
            _choose_highlighted(focused)
        elif isinstance(focused, Select) and focused.is_blank():
            raise SkipAction  # nothing chosen yet: Enter opens the list (Space always does)
        self.advance(focused)

    def advance(self, widget: Widget) -> None:
        """The focus to the field after ``widget``, or :class:`Submitted` from the last."""
        fields = self.fields()
        index = fields.index(widget) if widget in fields else len(fields)
        if index + 1 < len(fields):
            focus_now(fields[index + 1])
        else:
            self.post_message(self.Submitted(self))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Enter in the open list chose an option (or kept the one chosen): the list closes and
        # gives the focus back to the Select; then on to the next field.
        select = self._advance_from
        if select is not None and event.widget is select:
            self._advance_from = None
            self.call_after_refresh(self._after_choice, select)

    def _after_choice(self, select: Select[object]) -> None:
        # Still blank (Enter on the prompt): stay, the list is there to choose from.
        if self.screen.focused is select and not select.expanded and not select.is_blank():
            self.advance(select)


class Form(_FormKeys, Vertical):
    """A form that does not scroll (a step with a few fields)."""


class ScrollForm(_FormKeys, VerticalScroll, can_focus=False):
    """A form taller than the screen: it scrolls to the field with the cursor."""


async def _caught_up(widget: Widget) -> None:
    """Returns once ``widget`` has handled the messages already queued for it (the keys typed
    before this one)."""
    done = asyncio.Event()
    if widget.call_later(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=1.0)


def _walk_fields(node: Widget, kinds: tuple[type[Widget], ...]) -> Iterator[Widget]:
    for child in node.children:
        if not isinstance(child, Widget) or not child.display:
            continue
        if isinstance(child, kinds):
            if child.focusable:
                yield child
            continue  # a Select's list, a RadioSet's buttons: part of the field
        yield from _walk_fields(child, kinds)


def shown_within(widget: Widget, container: Widget) -> bool:
    """``widget`` and every node up to ``container`` are displayed."""
    node: Widget | None = widget
    while node is not None and node is not container:
        if not node.display:
            return False
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return True


def _open_select(widget: Widget) -> Select[object] | None:
    for node in widget.ancestors_with_self:
        if isinstance(node, Select):
            return node if node.expanded else None
    return None


def _field_of(widget: Input) -> FormField | None:
    parent = widget.parent
    while parent is not None and not isinstance(parent, FormField):
        parent = parent.parent
    return parent if isinstance(parent, FormField) else None


def _choose_highlighted(radios: RadioSet) -> None:
    """Enter on a radio list chooses the highlighted option (and moves on)."""
    from textual.widgets import RadioButton

    highlighted = radios._selected  # Textual keeps the highlighted option private
    if highlighted is None:
        return
    button = radios.query(RadioButton)[highlighted]
    if not button.value:
        button.value = True
