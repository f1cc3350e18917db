"""The one place where money and times become text for a member."""

from __future__ import annotations

import textwrap
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from sjvirtual_tui.i18n import N_, Labels, _, ngettext
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


def day_count(days: int) -> str:
    """ "1 día", "90 días" (English: "1 day", "90 days"): a count of days agrees with its noun."""
    return ngettext("{days} día", "{days} días", days).format(days=days)


def minute_count(minutes: int) -> str:
    """ "1 minuto", "15 minutos" (English: "1 minute", "15 minutes")."""
    return ngettext("{minutes} minuto", "{minutes} minutos", minutes).format(minutes=minutes)


def plain_amount(cents: int) -> str:
    """For machines (CSV): ``123456`` -> ``1234.56``."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def local_time(value: datetime) -> str:
    """A timestamp in Ecuador's time: ``25/11/2026 17:03``."""
    return local_datetime(value).strftime("%d/%m/%Y %H:%M")


# What a socio is: the registration's Persona / Empresa (the teller's queue, search and file).
HOLDER_KIND_LABELS: Labels[str] = Labels({"persona": N_("Persona"), "empresa": N_("Empresa")})


# --- transfers ----------------------------------------------------------------------------------

TRANSFER_KIND_LABELS: Labels[str] = Labels(
    {
        "propias": N_("Entre cuentas propias"),
        "internas": N_("Interna a terceros"),
        "interbancarias": N_("A otras instituciones financieras"),
    }
)

TRANSFER_STATUS_LABELS: Labels[str] = Labels(
    {
        "pendiente_verificacion": N_("Pendiente de verificación"),
        "completada": N_("Completada"),
        "en_proceso": N_("En proceso"),
        "rechazada": N_("Rechazada, dinero devuelto"),
        "cancelada": N_("Cancelada"),
    }
)


def transfer_receipt(transfer: Transfer) -> str:
    """The receipt of a transfer as plain text: on screen, in the saved file, on paper."""
    rows = [(_("Referencia"), transfer.reference), *_outcome(transfer), *transfer_rows(transfer)]
    return _receipt(_("COMPROBANTE DE TRANSFERENCIA"), rows)


def transfer_rows(transfer: Transfer) -> list[tuple[str, str]]:
    """What was done, below the reference and the state: the same rows on screen and on the
    paper receipt (receipts.py)."""
    return [
        (_("Fecha y hora"), local_time(transfer.executed_at or transfer.created_at)),
        (_("Tipo"), TRANSFER_KIND_LABELS.get(transfer.kind, transfer.kind)),
        (_("Cuenta origen"), transfer.from_account),
        (_("Destino"), transfer.to_name),
        (_("Cuenta destino"), transfer.to_account),
        (_("Institución"), transfer.to_institution),
        (_("Monto"), money(transfer.amount_cents)),
        (_("Descripción"), transfer.description),
    ]


def _outcome(operation: Transfer | Payment) -> list[tuple[str, str]]:
    """State and reason (a rejection's), near the top: the first thing a member needs to read,
    on screen at 80x24 without scrolling."""
    rows = [(_("Estado"), TRANSFER_STATUS_LABELS.get(operation.status, operation.status))]
    if operation.reason:
        rows.append((_("Motivo"), operation.reason))
    return rows


def receipt_file_name(transfer: Transfer) -> str:
    return f"comprobante-{transfer.reference}.txt"


# --- payments -----------------------------------------------------------------------------------

PAYMENT_KIND_LABELS: Labels[str] = Labels(
    {
        "servicio": N_("Pago de servicio"),
        "tarjeta": N_("Pago de tarjeta de crédito"),
        "tarjeta_externa": N_("Pago de tarjeta de otra institución"),
    }
)

BILLER_CATEGORY_LABELS: Labels[str] = Labels(
    {
        "electricidad": N_("Electricidad"),
        "agua": N_("Agua potable"),
        "telefonia": N_("Teléfono e internet"),
        "tv": N_("Televisión"),
        "impuestos": N_("Impuestos y matrículas"),
        "educacion": N_("Educación"),
    }
)


# Fits the 80-column screen inside its frame and scrollbar, and any paper.
RECEIPT_WIDTH = 76


def _receipt(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _value in rows) + 2
    lines = [title, "San José S.J. Virtual", ""]
    for label, value in rows:
        # A long value (a rejection's reason) goes on under itself, not under the labels.
        parts = textwrap.wrap(value, RECEIPT_WIDTH - width) or [""]
        lines.append(f"{label + ':':<{width}}{parts[0]}")
        lines += [" " * width + part for part in parts[1:]]
    return "\n".join(lines)


def payment_receipt(payment: Payment) -> str:
    """The receipt of a payment as plain text: on screen, in the saved file, on paper."""
    rows = [
        (_("Referencia"), payment.reference),
        *_outcome(payment),
        (_("Fecha y hora"), local_time(payment.executed_at or payment.created_at)),
        (_("Tipo"), PAYMENT_KIND_LABELS.get(payment.kind, payment.kind)),
        (_("Cuenta origen"), payment.from_account),
        (_("Pagado a"), payment.payee_name),
        (
            _("Referencia pagada") if payment.kind == "servicio" else _("Tarjeta"),
            payment.payee_reference,
        ),
        (_("Titular"), payment.holder_name),
    ]
    if payment.period:
        rows.append((_("Período"), payment.period))
    rows.append((_("Monto"), money(payment.amount_cents)))
    return _receipt(_("COMPROBANTE DE PAGO"), rows)


def payment_receipt_file_name(payment: Payment) -> str:
    return f"comprobante-{payment.reference}.txt"
