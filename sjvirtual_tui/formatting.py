"""The one place where money and times become text for a member."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from sjvirtual_tui.rules import local_datetime

if TYPE_CHECKING:
    from babel import Locale

    from sjvirtual_tui.models import Transfer

# Ecuador uses the US dollar, written the Spanish way: $1.234,56. The minus goes before the sign.
_PATTERN = "¤#,##0.00;-¤#,##0.00"


@lru_cache(maxsize=1)
def _locale() -> Locale:
    # babel is imported on first use: the login screen never needs it, and it costs start-up time.
    from babel import Locale

    return Locale.parse("es_EC")


def money(cents: int) -> str:
    """``123456`` -> ``$1.234,56``; ``-1250`` -> ``-$12,50``."""
    from babel.numbers import format_currency

    return format_currency(
        Decimal(cents) / 100, "USD", format=_PATTERN, locale=_locale(), currency_digits=True
    )


def count(n: int) -> str:
    """A whole number with Ecuador's thousands separator: ``100000`` -> ``100.000``."""
    return f"{n:,}".replace(",", ".")


def plain_amount(cents: int) -> str:
    """For machines (CSV): ``123456`` -> ``1234.56``."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def local_time(value: datetime) -> str:
    """A timestamp in Ecuador's time: ``25/11/2026 17:03``."""
    return local_datetime(value).strftime("%d/%m/%Y %H:%M")


# --- transfers ----------------------------------------------------------------------------------

TRANSFER_KIND_LABELS: dict[str, str] = {
    "propias": "Entre cuentas propias",
    "internas": "Interna a terceros",
    "interbancarias": "A otras instituciones financieras",
}

TRANSFER_STATUS_LABELS: dict[str, str] = {
    "pendiente_verificacion": "Pendiente de verificación",
    "completada": "Completada",
    "en_proceso": "En proceso",
    "rechazada": "Rechazada, dinero devuelto",
    "cancelada": "Cancelada",
}


def transfer_receipt(transfer: Transfer) -> str:
    """The receipt of a transfer as plain text: on screen, in the saved file, on paper."""
    when = transfer.executed_at or transfer.created_at
    rows = [
        ("Referencia", transfer.reference),
        ("Fecha y hora", local_time(when)),
        ("Tipo", TRANSFER_KIND_LABELS.get(transfer.kind, transfer.kind)),
        ("Cuenta origen", transfer.from_account),
        ("Destino", transfer.to_name),
        ("Cuenta destino", transfer.to_account),
        ("Institución", transfer.to_institution),
        ("Monto", money(transfer.amount_cents)),
        ("Descripción", transfer.description),
        ("Estado", TRANSFER_STATUS_LABELS.get(transfer.status, transfer.status)),
    ]
    if transfer.reason:
        rows.append(("Motivo", transfer.reason))
    width = max(len(label) for label, _ in rows) + 2
    lines = ["COMPROBANTE DE TRANSFERENCIA", "San José S.J. Virtual", ""]
    lines += [f"{label + ':':<{width}}{value}" for label, value in rows]
    return "\n".join(lines)


def receipt_file_name(transfer: Transfer) -> str:
    return f"comprobante-{transfer.reference}.txt"
