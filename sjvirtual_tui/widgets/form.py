"""A labelled form field: label and input on one line, the reason for a refusal right under it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from sjvirtual_tui.i18n import _

Check = Callable[[str], str | None]


class FormField(Vertical):
    """``check`` returns a message for a wrong value, or None when it is fine.

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
    """

    def __init__(
        self,
        field_name: str,
        label: str,
        *,
        check: Check | None = None,
        required: bool = True,
        placeholder: str = "",
        password: bool = False,
        max_length: int = 0,
        value: str = "",
        prefix: str = "",
    ) -> None:
        # ``prefix`` keeps ids unique when two forms on one screen share a field name.
        super().__init__(id=f"{prefix}field-{field_name_safe(field_name)}")
        self.field_name = field_name
        self.label = label + (" (*)" if required else "")
        self.check = check
        self.required = required
        self._input = Input(
            value,
            placeholder=placeholder,
            password=password,
            max_length=max_length,
            compact=True,
            id=f"{prefix}input-{field_name_safe(field_name)}",
        )
        # The value the shown message is about, and whether this field's own check said it
        # (a server's or a screen's refusal cannot be checked again here).
        self._shown_for: str | None = None
        self._from_check = False

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="form-label")
            yield self._input
        # The reasons may quote what the member typed (or the server's words): plain text.
        yield Label("", classes="form-error", markup=False)

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
        return str(self.query_one(".form-error", Label).render())

    def show_error(self, message: str | None) -> None:
        """A refusal from elsewhere (the server): shown until the value changes."""
        self._show(message, from_check=False)

    def _show(self, message: str | None, *, from_check: bool) -> None:
        label = self.query_one(".form-error", Label)
        label.update(message or "")
        label.set_class(bool(message), "-shown")
        self._shown_for = self._input.value if message else None
        self._from_check = from_check and bool(message)

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        """A message belongs to the value that produced it. When this value changes its
        message is checked again (and goes when the cause is gone); so is every other field's
        own message on the screen, since a check may read another field (a repeated password
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

    def validate_value(self) -> bool:
        """Shows why the value is refused (or clears the message); True when it is fine."""
        message: str | None = None
        if not self.value:
            if self.required:
                message = _("Este campo es obligatorio: {label}.").format(
                    label=self.label.removesuffix(" (*)")
                )
        elif self.check is not None:
            message = self.check(self.value)
        if message is None and has_control_characters(self._input.value):
            # Escape sequences, NULs, bidi overrides: never stored, never drawn on a terminal.
            message = _("{label}: quite los caracteres de control.").format(
                label=self.label.removesuffix(" (*)")
            )
        self._show(message, from_check=True)
        return message is None


def has_control_characters(text: str) -> bool:
    """Control (Cc: NUL, ESC, BEL...) or format (Cf: bidi overrides, zero-width) characters."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def field_name_safe(name: str) -> str:
    return name.replace("_", "-")


def enter_in_form(fields: list[FormField], focused: object, submit: Callable[[], None]) -> None:
    """Enter in a field: check it (the reason shows under it and the cursor stays), then go to
    the next field, or ``submit`` from the last one."""
    for index, field in enumerate(fields):
        if field.input is focused:
            if not field.validate_value():
                return
            if index + 1 < len(fields):
                fields[index + 1].input.focus()
            else:
                submit()
            return


def validate_all(fields: list[FormField]) -> bool:
    """Checks every field (each shows its own message) and focuses the first wrong one."""
    results = [f.validate_value() for f in fields]
    for field, ok in zip(fields, results, strict=True):
        if not ok:
            field.input.focus()
            return False
    return True
