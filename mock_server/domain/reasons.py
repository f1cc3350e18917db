"""Why a transfer or payment was cancelled or returned: stored in Spanish, shown translated.

``transfers.reason`` and ``payments.reason`` are records, written once in the cooperative's
language (as the statement lines are). They are made only from the templates below, so the
reader's language can be put back on read (:func:`shown`): the stored text is matched against
each template and the template's translation filled in with the same values (which are data:
institution names and card digits, never translated). A text that matches none is shown as
stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mock_server.i18n import DEFAULT_LANGUAGE, N_, _, language

PIN_EXPIRED = N_("El PIN de verificación caducó.")
PIN_CANCELLED = N_("Se ingresó mal el PIN de verificación 3 veces.")
PIN_LOCKED = N_("Se bloqueó el usuario: el PIN de verificación se ingresó mal 5 veces seguidas.")
BENEFICIARY_DELETED = N_("Se eliminó la cuenta destino de sus Productos de terceros.")
ACCOUNT_CLOSED = N_("{institution} rechazó la transferencia: la cuenta destino está cerrada.")
CARD_CANCELLED = N_("{institution} rechazó el pago: la tarjeta **** {last4} está cancelada.")

_TEMPLATES = (
    PIN_EXPIRED,
    PIN_CANCELLED,
    PIN_LOCKED,
    BENEFICIARY_DELETED,
    ACCOUNT_CLOSED,
    CARD_CANCELLED,
)
_FIELD = re.compile(r"\{(\w+)\}")


def stored(template: str, **values: str) -> str:
    """The text kept in the store: ``template`` (one of this module's) in Spanish, filled in."""
    return template.format(**values)


@lru_cache(maxsize=len(_TEMPLATES))
def _pattern(template: str) -> re.Pattern[str]:
    parts = _FIELD.split(template)  # text, name, text, name, ..., text
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex)


def shown(text: str | None) -> str | None:
    """A stored reason in the current language."""
    if text is None or language() == DEFAULT_LANGUAGE:
        return text
    for template in _TEMPLATES:
        match = _pattern(template).fullmatch(text)
        if match is not None:
            return _(template).format(**match.groupdict())
    return text
