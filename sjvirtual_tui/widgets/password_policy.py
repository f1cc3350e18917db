"""The password policy, shown live as the member types: what is met and what is missing."""

from __future__ import annotations

from textual.widgets import Static

from sjvirtual_tui.i18n import _, ngettext
from sjvirtual_tui.rules import PASSWORD_MIN_LENGTH


class PasswordPolicy(Static):
    DEFAULT_CSS = """
    PasswordPolicy { height: auto; padding-left: 26; color: $text-muted; }
    """

    def on_mount(self) -> None:
        self.show("", "")

    def show(self, password: str, repeated: str | None) -> None:
        rules = [
            (
                len(password) >= PASSWORD_MIN_LENGTH,
                ngettext(
                    "al menos {n} carácter", "al menos {n} caracteres", PASSWORD_MIN_LENGTH
                ).format(n=PASSWORD_MIN_LENGTH),
            ),
            (any(ch.isdigit() for ch in password), _("un número")),
            (any(ch.isupper() for ch in password), _("una letra mayúscula")),
        ]
        if repeated is not None:
            same = bool(password) and password == repeated
            rules.append((same, _("las dos contraseñas iguales")))
        # [x] / [ ] rather than colour: readable in monochrome and on the Linux console.
        self.update("  ".join(f"[{'x' if ok else ' '}] {text}" for ok, text in rules))

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
