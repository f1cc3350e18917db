"""The one place where money and times become text for a member."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from sjvirtual_tui.rules import local_datetime

if TYPE_CHECKING:
    from babel import Locale

    from sjvirtual_tui.models import Payment, Transfer

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
    return _receipt("COMPROBANTE DE TRANSFERENCIA", rows)


def receipt_file_name(transfer: Transfer) -> str:
    return f"comprobante-{transfer.reference}.txt"


# --- payments -----------------------------------------------------------------------------------

PAYMENT_KIND_LABELS: dict[str, str] = {
    "servicio": "Pago de servicio",
    "tarjeta": "Pago de tarjeta de crédito",
    "tarjeta_externa": "Pago de tarjeta de otra institución",
}

BILLER_CATEGORY_LABELS: dict[str, str] = {
    "electricidad": "Electricidad",
    "agua": "Agua potable",
    "telefonia": "Teléfono e internet",
    "tv": "Televisión",
    "impuestos": "Impuestos y matrículas",
    "educacion": "Educación",
}


def _receipt(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows) + 2
    lines = [title, "San José S.J. Virtual", ""]
    lines += [f"{label + ':':<{width}}{value}" for label, value in rows]
    return "\n".join(lines)


def payment_receipt(payment: Payment) -> str:
    """The receipt of a payment as plain text: on screen, in the saved file, on paper."""
    rows = [
        ("Referencia", payment.reference),
        ("Fecha y hora", local_time(payment.executed_at or payment.created_at)),
        ("Tipo", PAYMENT_KIND_LABELS.get(payment.kind, payment.kind)),
        ("Cuenta origen", payment.from_account),
        ("Pagado a", payment.payee_name),
        ("Referencia pagada" if payment.kind == "servicio" else "Tarjeta", payment.payee_reference),
        ("Titular", payment.holder_name),
    ]
    if payment.period:
        rows.append(("Período", payment.period))
    rows += [
        ("Monto", money(payment.amount_cents)),
        ("Estado", TRANSFER_STATUS_LABELS.get(payment.status, payment.status)),
    ]
    if payment.reason:
        rows.append(("Motivo", payment.reason))
    return _receipt("COMPROBANTE DE PAGO", rows)


def payment_receipt_file_name(payment: Payment) -> str:
    return f"comprobante-{payment.reference}.txt"
