"""Pago de servicios: the billers of the catalog and the bills they have pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from mock_server.i18n import N_
from mock_server.store.meta import to_db
from sjvirtual_tui.models import AmountRule, BillerCategory
from sjvirtual_tui.rules import ECUADOR_TZ


@dataclass(frozen=True)
class SeedBiller:
    code: str
    name: str
    category: BillerCategory
    reference_label: str
    # Label and hint are msgids (N_): the server writes them in the reader's language.
    reference_hint: str  # completes "escriba ...": what a valid reference looks like
    reference_pattern: str
    amount_rule: AmountRule


# The catalog: real Ecuadorian companies and institutions. Their reference formats are
# plausible, not checked against each one's own rules.
BILLERS: tuple[SeedBiller, ...] = (
    SeedBiller(
        "CNEL_EP",
        "CNEL EP",
        BillerCategory.ELECTRICIDAD,
        N_("Código Único Eléctrico Nacional (CUEN)"),
        N_("los 10 dígitos del código de su planilla"),
        r"^[0-9]{10}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "EEQ",
        "Empresa Eléctrica Quito",
        BillerCategory.ELECTRICIDAD,
        N_("Número de suministro"),
        N_("de 6 a 10 dígitos"),
        r"^[0-9]{6,10}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "EPMAPS",
        "EPMAPS Agua Quito",
        BillerCategory.AGUA,
        N_("Número de cuenta"),
        N_("de 6 a 10 dígitos"),
        r"^[0-9]{6,10}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "INTERAGUA",
        "Interagua Guayaquil",
        BillerCategory.AGUA,
        N_("Código de contrato"),
        N_("8 dígitos"),
        r"^[0-9]{8}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "CNT",
        "CNT EP",
        BillerCategory.TELEFONIA,
        N_("Número de teléfono o de servicio"),
        N_(
            "de 7 a 10 dígitos: el teléfono con el código de provincia (022345678) o el número "
            "de servicio"
        ),
        r"^[0-9]{7,10}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "CLARO",
        "Claro",
        BillerCategory.TELEFONIA,
        N_("Número de celular"),
        N_("los 10 dígitos del celular, empezando por 09"),
        r"^09[0-9]{8}$",
        AmountRule.PARCIAL,
    ),
    SeedBiller(
        "NETLIFE",
        "Netlife",
        BillerCategory.TELEFONIA,
        N_("Cédula o RUC del titular"),
        N_("10 dígitos (cédula) o 13 (RUC)"),
        r"^[0-9]{10}([0-9]{3})?$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "DIRECTV",
        "DIRECTV",
        BillerCategory.TV,
        N_("Número de cliente"),
        N_("de 8 a 12 dígitos"),
        r"^[0-9]{8,12}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "MDMQ_PREDIAL",
        "Municipio de Quito · Impuesto predial",
        BillerCategory.IMPUESTOS,
        N_("Clave catastral"),
        N_("los 10 dígitos de la clave, sin guiones"),
        r"^[0-9]{10}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "ANT_MATRICULA",
        "ANT · Matrícula vehicular",
        BillerCategory.IMPUESTOS,
        N_("Placa del vehículo"),
        N_("3 letras y 3 o 4 números, sin guion (PBX1234)"),
        r"^[A-Z]{3}[0-9]{3,4}$",
        AmountRule.EXACTO,
    ),
    SeedBiller(
        "UCE",
        "Universidad Central del Ecuador",
        BillerCategory.EDUCACION,
        N_("Cédula del estudiante"),
        N_("los 10 dígitos de la cédula"),
        r"^[0-9]{10}$",
        AmountRule.ABIERTO,
    ),
    SeedBiller(
        "UE_SMJ",
        "Unidad Educativa Santa Mariana de Jesús",
        BillerCategory.EDUCACION,
        N_("Código del estudiante"),
        N_("6 dígitos"),
        r"^[0-9]{6}$",
        AmountRule.PARCIAL,
    ),
)


@dataclass(frozen=True)
class SeedBill:
    biller: str
    reference: str
    holder: str
    # {month}: the month ``months_ago`` before the seeding day (``2026-11``); {year}: its year.
    # Kept neutral, written in the reader's language by mock_server.domain.periods.
    period: str
    months_ago: int
    amount_cents: int
    due_in_days: int  # from the seeding day (negative: overdue)
    paid: bool = False  # paid before, elsewhere (at a branch): the reference has nothing pending


_DEMO_NAME = "María Fernanda Guamán Quispe"
_LUIS_NAME = "Luis Alberto Yánez Cevallos"
_SOCIO2_NAME = "Carlos Andrés Pillajo Tituaña"

# Ids follow this order (1, 2, ...).
BILLS: tuple[SeedBill, ...] = (
    SeedBill("CNEL_EP", "1000123456", _DEMO_NAME, "{month}", 1, 3_245, 5),
    # Two periods pending: CONSULTAR shows the older one first.
    SeedBill("CNEL_EP", "1000765432", _LUIS_NAME, "{month}", 2, 2_810, -25),
    SeedBill("CNEL_EP", "1000765432", _LUIS_NAME, "{month}", 1, 3_055, 5),
    SeedBill("CNEL_EP", "1000555777", _SOCIO2_NAME, "{month}", 1, 1_987, 5),
    SeedBill("EEQ", "1523478", _DEMO_NAME, "{month}", 1, 4_180, 8),
    SeedBill("EPMAPS", "4567890", _DEMO_NAME, "{month}", 1, 1_873, 10),
    # Known to the biller, nothing pending: its last bill was paid at a branch.
    SeedBill("EPMAPS", "1234567", "Rosa Elena Chimbo", "{month}", 1, 2_240, -3, paid=True),
    SeedBill("INTERAGUA", "10203040", "Gabriela Cisneros Mora", "{month}", 1, 2_215, 6),
    SeedBill("CNT", "022345678", _DEMO_NAME, "{month}", 1, 2_990, 7),
    SeedBill("CLARO", "0991234567", _DEMO_NAME, "{month}", 1, 3_584, 3),
    SeedBill("NETLIFE", "1712345675", _DEMO_NAME, "{month}", 0, 2_799, 12),
    SeedBill("DIRECTV", "80012345", _DEMO_NAME, "{month}", 0, 4_550, 9),
    SeedBill("MDMQ_PREDIAL", "3060406004", _DEMO_NAME, "Predial {year}", 0, 12_460, 30),
    SeedBill("ANT_MATRICULA", "PBX1234", _DEMO_NAME, "Matrícula {year}", 0, 8_735, 20),
    SeedBill("UCE", "1750123455", "Sebastián Andrés Pérez Guamán", "Aranceles {month}", 0,
             6_000, 15),
    SeedBill("UE_SMJ", "004521", "Valentina Pérez Guamán", "Pensión {month}", 0, 18_000, 5),
)  # fmt: skip


def bill_period(template: str, today: date, months_ago: int) -> str:
    index = today.year * 12 + today.month - 1 - months_ago
    year, month = divmod(index, 12)
    return template.format(month=f"{year:04d}-{month + 1:02d}", year=year)


def biller_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": b.code,
            "name": b.name,
            "category": b.category.value,
            "reference_label": b.reference_label,
            "reference_hint": b.reference_hint,
            "reference_pattern": b.reference_pattern,
            "amount_rule": b.amount_rule.value,
        }
        for b in BILLERS
    ]


def bill_rows(today: date) -> list[dict[str, Any]]:
    """The ``bills``, due relative to the seeding day; a paid one was paid yesterday."""
    yesterday = datetime.combine(today - timedelta(days=1), time(11, 30), tzinfo=ECUADOR_TZ)
    return [
        {
            "id": bill_id,
            "biller_code": bill.biller,
            "reference": bill.reference,
            "holder_name": bill.holder,
            "period": bill_period(bill.period, today, bill.months_ago),
            "amount_cents": bill.amount_cents,
            "due_date": (today + timedelta(days=bill.due_in_days)).isoformat(),
            "status": "pagada" if bill.paid else "pendiente",
            "paid_at": to_db(yesterday) if bill.paid else None,
        }
        for bill_id, bill in enumerate(BILLS, start=1)
    ]
