"""What members type and what they are shown of others: cleaning, masking, short names."""

from __future__ import annotations

import unicodedata

from mock_server.domain.errors import Invalid
from mock_server.i18n import _, ngettext


def day_count(days: int) -> str:
    """ "1 día", "90 días" (English: "1 day", "90 days"): a count of days agrees with its noun."""
    return ngettext("{days} día", "{days} días", days).format(days=days)


def minute_count(minutes: int) -> str:
    """ "1 minuto", "15 minutos" (English: "1 minute", "15 minutes")."""
    return ngettext("{minutes} minuto", "{minutes} minutos", minutes).format(minutes=minutes)


def invalid(field: str, message: str) -> Invalid:
    """A value typed in ``field`` breaks a rule (the one ``validation_error`` of the forms)."""
    return Invalid("validation_error", message, field)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text)


def clean_text(value: str, field: str, label: str, *, minimum: int = 1) -> str:
    """``value`` without stray spaces; Invalid on control characters or when too short.

    ``label``: the field's name, translated (``_("Descripción")``)."""
    if has_control_characters(value):
        raise invalid(
            field,
            _("{label}: quite los caracteres de control (saltos de línea...).").format(label=label),
        )
    text = " ".join(value.split())
    if len(text) < minimum:
        raise invalid(
            field,
            _("{label}: no puede estar vacío.").format(label=label)
            if minimum == 1
            else ngettext(
                "{label}: use al menos {minimum} carácter.",
                "{label}: use al menos {minimum} caracteres.",
                minimum,
            ).format(label=label, minimum=minimum),
        )
    return text


def mask_name(name: str) -> str:
    """The first letter of each word: ``Luis Yánez Cando`` -> ``L*** Y**** C****``."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def short_name(name: str, *, company: bool = False) -> str:
    """How a statement names a person: first name and the first surname's initial.

    ``María Fernanda Guamán Quispe`` -> ``María G.``; ``Luis Cando`` -> ``Luis C.``. A
    company keeps its whole name.
    """
    words = name.split()
    if company or len(words) < 2:
        return name
    surname = words[2] if len(words) >= 4 else words[1]
    return f"{words[0]} {surname[0]}."


def mask_email(email: str) -> str:
    """``luis.yanez@correo.ec`` -> ``l****@correo.ec``."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}****@{domain}"
