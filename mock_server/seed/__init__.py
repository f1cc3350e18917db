"""Deterministic seed data: the demo members, their accounts and years of movements.

Everything comes from ``random.Random(2026)``: the same amounts and descriptions on every machine,
placed in time relative to the seeding moment so the history always ends "today". Every member
movement is paired with a movement of the cooperative's "Caja general" in the same journal
(double entry), and the whole seed is one transaction with ``executemany``.

``fresh_database`` copies a cached, fully seeded template so ``sjvirtual --demo`` starts fast.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import tempfile
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Literal, NamedTuple

import platformdirs
from argon2 import PasswordHasher

from mock_server.domain.ledger import (
    CAJA_NAME,
    CAJA_NUMBER,
    CARTERA_NAME,
    CARTERA_NUMBER,
    COMPENSACION_NAME,
    COMPENSACION_NUMBER,
    RECAUDACION_NAME,
    RECAUDACION_NUMBER,
    SALIDAS_NAME,
    SALIDAS_NUMBER,
    ledger_problems,
)
from mock_server.domain.limits import DEFAULT_DAILY_CENTS, DEFAULT_PER_TRANSACTION_CENTS
from mock_server.domain.text import mask_name
from mock_server.i18n import N_
from mock_server.store import Connection, Database, databases, sqlite_files, write_transaction
from mock_server.store.bulk import insert_rows
from mock_server.store.meta import renew_decoy_secret, to_db
from mock_server.store.migrate import init_db, reset_sequences
from sjvirtual_tui.models import (
    AccountType,
    AmountRule,
    BillerCategory,
    CardBrand,
    ExternalAccountType,
    IdType,
    PersonaRegistration,
    SecurityImageId,
)
from sjvirtual_tui.rules import ECUADOR_TZ, normalise_answer, normalise_third_party_account

# Bump when the seed's content changes: cached templates of another version are ignored.
# 5: bill periods kept neutral (2026-11), written in the reader's language; 6: the schema's
# Alembic revision recorded (a template of 5 would be migrated again on every copy)
SEED_VERSION = 6
SEED = 2026
APP_NAME = "sjvirtual-tui"

# The cooperative's internal accounts (mock_server.domain.ledger): Caja general holds the capital;
# the others start empty and carry the interbank transfers and the payments.
INTERNAL_ACCOUNTS = (
    (CAJA_NUMBER, CAJA_NAME),
    (COMPENSACION_NUMBER, COMPENSACION_NAME),
    (SALIDAS_NUMBER, SALIDAS_NAME),
    (RECAUDACION_NUMBER, RECAUDACION_NAME),
    (CARTERA_NUMBER, CARTERA_NAME),
)
# The cooperative's opening capital: far above what all members ever hold together.
CAPITAL_CENTS = 250_000_000  # $2.500.000,00

BULK_MOVEMENTS = 100_000
# With bulk=False the "masivo" account still gets enough movements to page through.
SMALL_BULK_MOVEMENTS = 1_000

# An ahorro account keeps a small minimum; a debit that would go below it does not happen.
MIN_BALANCE_CENTS = 500

_US_PER_SECOND = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_SECOND
# Times of day (Ecuador) of the monthly movements.
_INTEREST_AT = (23 * 3600 + 59 * 60) * _US_PER_SECOND
_FEE_AT = 5 * 60 * _US_PER_SECOND
_SALARY_AT = 8 * 3600 * _US_PER_SECOND
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SeedError(RuntimeError):
    pass


# --- what each kind of movement looks like ------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    description: str  # may contain {name}
    prefix: str  # reference prefix, e.g. DEP -> DEP-0001234
    journal_kind: str
    low: int  # amount range in cents
    high: int
    step: int = 1  # amounts are multiples of this (ATMs give $10 notes)
    weight: float = 1.0


_PEOPLE = (
    "Luis Cando",
    "Ana Tipán",
    "Jorge Quishpe",
    "Verónica Salazar",
    "Diego Andrade",
    "Paola Jaramillo",
    "Fernando Toapanta",
    "Gabriela Chicaiza",
    "Patricio Lema",
    "Silvia Morocho",
    "Marco Guerrero",
    "Daniela Yánez",
)
_COMPANIES = (
    "Distribuidora Sierra Norte",
    "Lácteos San Antonio",
    "Textiles Otavalo",
    "Ferretería El Constructor",
    "Agrícola Cotopaxi",
    "Importadora Pichincha",
    "Panificadora La Moderna",
    "Transportes Andinos",
)
_SHOPS = (
    "Supermaxi",
    "Mi Comisariato",
    "Almacenes Tía",
    "Farmacias Fybeca",
    "Kywi",
    "Gasolinera Primax",
    "Pharmacys",
)

_PERSONAL_CREDITS = (
    _Kind("Depósito en efectivo", "DEP", "deposito", 2_000, 40_000, 100, 4),
    _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 1_000, 35_000, 1, 3),
    _Kind("Depósito con cheque", "CHQ", "deposito", 5_000, 60_000, 1, 0.5),
)
_PERSONAL_DEBITS = (
    _Kind("Retiro en ventanilla", "RET", "retiro", 2_000, 30_000, 100, 2),
    _Kind("Retiro en cajero automático", "ATM", "retiro", 1_000, 20_000, 1_000, 4),
    _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 1_000, 25_000, 1, 2.5),
    _Kind("Compra con tarjeta de débito {name}", "POS", "compra", 300, 12_000, 1, 4),
    _Kind("Pago de servicios CNEL EP", "CNEL", "pago", 1_500, 9_000, 1, 1),
    _Kind("Pago EPMAPS Agua Quito", "EPMAPS", "pago", 800, 4_500, 1, 1),
    _Kind("Pago CNT Internet", "CNT", "pago", 2_500, 4_500, 1, 0.8),
    _Kind("Recarga Claro", "CLARO", "pago", 300, 2_000, 100, 1),
)
_COMMERCIAL_CREDITS = (
    _Kind("Depósito de ventas en efectivo", "DEP", "deposito", 5_000, 250_000, 100, 4),
    _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 5_000, 400_000, 1, 3),
    _Kind("Liquidación tarjetas Datafast", "DTF", "deposito", 2_000, 120_000, 1, 3),
)
_COMMERCIAL_DEBITS = (
    _Kind("Pago a proveedor {name}", "TRF", "transferencia", 10_000, 450_000, 1, 4),
    _Kind("Retiro en ventanilla", "RET", "retiro", 5_000, 100_000, 100, 1.5),
    _Kind("Pago de servicios CNEL EP", "CNEL", "pago", 5_000, 40_000, 1, 0.5),
    _Kind("Pago EPMAPS Agua Quito", "EPMAPS", "pago", 2_000, 15_000, 1, 0.3),
    _Kind("Pago CNT Internet", "CNT", "pago", 3_000, 9_000, 1, 0.3),
    _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 5_000, 150_000, 1, 2),
)
_OPENING = _Kind("Depósito de apertura", "DEP", "deposito", 5_000, 50_000, 100)
_INTEREST = _Kind("Interés ganado", "INT", "interes", 1, 1)
_FEE = _Kind("Débito por mantenimiento", "MNT", "comision", 100, 100)
_SALARY = _Kind("Transferencia recibida · Pago de nómina", "NOM", "transferencia", 0, 0)
_ADJUST_IN = _Kind("Transferencia recibida de {name}", "TRF", "transferencia", 0, 0)
_ADJUST_OUT = _Kind("Transferencia enviada a {name}", "TRF", "transferencia", 0, 0)


# --- the seeded people --------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedAccount:
    number: str
    type: AccountType
    movements: int  # 0: the bulk account (BULK_MOVEMENTS, or SMALL_BULK_MOVEMENTS)
    days: int
    target_low: int  # the final balance lands in [target_low, target_high] (cents)
    target_high: int
    hold_cents: int = 0
    commercial: bool = False
    salary_cents: int = 0  # a monthly pay-roll credit, for a member's main account
    annual_interest: float = 0.015
    monthly_fee: bool = False


@dataclass(frozen=True)
class SecretAnswers:
    """A user's recovery questions: its own (free text) and one of the security questions."""

    own_question: str
    own_answer: str
    question_id: int  # in store.meta.SECURITY_QUESTIONS, from 1
    answer: str


@dataclass(frozen=True)
class SeedMember:
    """A socio (holder) with a S.J. Virtual user that finished its PRIMER INGRESO."""

    username: str
    password: str
    full_name: str
    email: str
    image: SecurityImageId
    last_login: tuple[int, time] | None  # (days before the seeding day, Ecuador time)
    accounts: tuple[SeedAccount, ...]
    identification: str  # cédula (persona) or RUC (empresa) of the holder
    answers: SecretAnswers
    holder_kind: Literal["persona", "empresa"] = "persona"
    locked: bool = False


@dataclass(frozen=True)
class SeedHolder:
    """A socio without a S.J. Virtual user yet: what REGISTRO DE SOCIOS is for."""

    identification: str
    kind: Literal["persona", "empresa"]
    name: str
    accounts: tuple[SeedAccount, ...]


@dataclass(frozen=True)
class SeedStaff:
    """A teller: a user without a holder (no accounts), role teller."""

    username: str
    password: str
    full_name: str
    email: str
    image: SecurityImageId
    answers: SecretAnswers


MEMBERS: tuple[SeedMember, ...] = (
    SeedMember(
        username="demo",
        password="Demo2026",
        full_name="María Fernanda Guamán Quispe",
        email="demo@socios.coacsanjose.ec",
        image=SecurityImageId.COLIBRI,
        last_login=(1, time(18, 42)),
        identification="1712345675",
        answers=SecretAnswers("¿Cuál es mi volcán favorito?", "Cotopaxi", 1, "Firulais"),
        accounts=(
            SeedAccount(
                "00104721",
                AccountType.AHORRO_VISTA,
                movements=1_200,
                days=730,
                target_low=200_000,
                target_high=500_000,
                hold_cents=15_000,
                salary_cents=95_000,
                monthly_fee=True,
            ),
            SeedAccount(
                "00204722",
                AccountType.AHORRO_PERSONAL,
                movements=150,
                days=730,
                target_low=800_000,
                target_high=1_200_000,
                annual_interest=0.05,
            ),
        ),
    ),
    SeedMember(
        username="socio2",
        password="Socio2026",
        full_name="Carlos Andrés Pillajo Tituaña",
        email="socio2@socios.coacsanjose.ec",
        image=SecurityImageId.CONDOR,
        last_login=(3, time(9, 15)),
        identification="1704567898",
        answers=SecretAnswers("¿En qué playa aprendí a nadar?", "Salinas", 2, "Riobamba"),
        accounts=(
            SeedAccount(
                "00105349",
                AccountType.AHORRO_VISTA,
                movements=50,
                days=365,
                target_low=30_000,
                target_high=150_000,
                monthly_fee=True,
            ),
        ),
    ),
    SeedMember(
        username="masivo",
        password="Masivo2026",
        full_name="Comercial Andina Cía. Ltda.",
        email="tesoreria@comercialandina.ec",
        image=SecurityImageId.FARO,
        last_login=(1, time(8, 5)),
        identification="1791234561001",
        holder_kind="empresa",
        answers=SecretAnswers("¿Cuál fue nuestro primer cliente?", "Kywi", 3, "Contador"),
        accounts=(
            SeedAccount(
                "00190001",
                AccountType.AHORRO_VISTA,
                movements=0,  # BULK_MOVEMENTS, or SMALL_BULK_MOVEMENTS without bulk
                days=1_095,
                target_low=2_000_000,
                target_high=8_000_000,
                commercial=True,
                monthly_fee=True,
            ),
        ),
    ),
    SeedMember(
        username="bloqueado",
        password="Bloqueado2026",
        full_name="Rosa Elena Chimbo",
        email="bloqueado@socios.coacsanjose.ec",
        image=SecurityImageId.LLAMA,
        last_login=(12, time(11, 20)),
        identification="0603123456",
        answers=SecretAnswers("¿Cuál es la flor que más me gusta?", "Orquídea", 4, "Sucre"),
        locked=True,
        accounts=(
            SeedAccount(
                "00104999",
                AccountType.AHORRO_VISTA,
                movements=20,
                days=200,
                target_low=10_000,
                target_high=60_000,
            ),
        ),
    ),
)


# Socios without a user (their accounts have a short history): registration demos and tests.
HOLDERS: tuple[SeedHolder, ...] = (
    SeedHolder(
        identification="1710034065",
        kind="persona",
        name="Luis Alberto Yánez Cevallos",
        accounts=(
            SeedAccount(
                "00107777",
                AccountType.AHORRO_VISTA,
                movements=12,
                days=120,
                target_low=20_000,
                target_high=80_000,
            ),
        ),
    ),
    SeedHolder(
        identification="0926687856",
        kind="persona",
        name="Gabriela Cisneros Mora",
        accounts=(
            SeedAccount(
                "00108888",
                AccountType.AHORRO_VISTA,
                movements=8,
                days=90,
                target_low=10_000,
                target_high=50_000,
            ),
        ),
    ),
    SeedHolder(
        identification="1792060346001",
        kind="empresa",
        name="Textiles Otavalo S.A.",
        accounts=(
            SeedAccount(
                "00190077",
                AccountType.AHORRO_VISTA,
                movements=40,
                days=365,
                target_low=500_000,
                target_high=2_000_000,
                commercial=True,
                monthly_fee=True,
            ),
        ),
    ),
)

STAFF: tuple[SeedStaff, ...] = (
    SeedStaff(
        username="cajero",
        password="Cajero2026",
        full_name="Jorge Luis Paredes",
        email="cajero@coacsanjose.ec",
        image=SecurityImageId.CAFE,
        answers=SecretAnswers("¿Cuál es mi deporte favorito?", "Ecuavoley", 5, "Hornado"),
    ),
)

# A request already filed, so a teller has something to approve in the demo.
PENDING_REGISTRATIONS: tuple[tuple[PersonaRegistration, tuple[int, time]], ...] = (
    (
        PersonaRegistration(
            cedula="0926687856",
            nombres="Gabriela",
            apellidos="Cisneros Mora",
            fecha_nacimiento=date(1990, 4, 12),
            email="gabriela@correo.ec",
            celular="0987654321",
            direccion="Av. Amazonas N34-120, Quito",
            usuario="gcisneros",
            cuenta="00108888",
        ),
        (1, time(16, 20)),  # filed yesterday afternoon (Ecuador)
    ),
)


# --- Productos de terceros: institutions, closed accounts, beneficiaries, limits ---------------

# Other Ecuadorian financial institutions, by clearing code. The codes are this mock's own:
# check them against the Banco Central del Ecuador's list of SPI participants before using
# them for anything real.
INSTITUTIONS: tuple[tuple[str, str, Literal["banco", "cooperativa", "mutualista"]], ...] = (
    ("0010", "Banco Pichincha", "banco"),
    ("0017", "Banco Guayaquil", "banco"),
    ("0025", "Banco de Machala", "banco"),
    ("0029", "Banco de Loja", "banco"),
    ("0030", "Banco del Pacífico", "banco"),
    ("0032", "Banco Internacional", "banco"),
    ("0034", "Banco Amazonas", "banco"),
    ("0035", "Banco del Austro", "banco"),
    ("0036", "Produbanco", "banco"),
    ("0037", "Banco Bolivariano", "banco"),
    ("0042", "Banco General Rumiñahui", "banco"),
    ("0059", "Banco Solidario", "banco"),
    ("0060", "Banco ProCredit", "banco"),
    ("0064", "BanEcuador", "banco"),
    ("0213", "Mutualista Pichincha", "mutualista"),
    ("0215", "Mutualista Imbabura", "mutualista"),
    ("0218", "Mutualista Azuay", "mutualista"),
    ("1009", "Cooperativa Cooprogreso", "cooperativa"),
    ("1011", "Cooperativa Andalucía", "cooperativa"),
    ("1015", "Cooperativa Policía Nacional", "cooperativa"),
    ("1022", "Cooperativa 29 de Octubre", "cooperativa"),
    ("1026", "Cooperativa Oscus", "cooperativa"),
    ("1033", "Cooperativa Riobamba", "cooperativa"),
    ("1040", "Cooperativa JEP", "cooperativa"),
    ("1047", "Cooperativa Alianza del Valle", "cooperativa"),
    ("1052", "Cooperativa Jardín Azuayo", "cooperativa"),
    ("1062", "Cooperativa Mushuc Runa", "cooperativa"),
)

# Accounts the simulated clearing refuses as closed: a transfer to one ends rechazada.
CLOSED_EXTERNAL_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("0036", "02005123456"),  # Produbanco: demo's beneficiary Diego Andrade
    ("0017", "0012345678"),  # Banco Guayaquil
)


@dataclass(frozen=True)
class SeedBeneficiary:
    """A registered Productos de terceros entry of a seeded member."""

    username: str
    registered: tuple[int, time]  # (days before the seeding day, Ecuador time)
    account_type: AccountType | ExternalAccountType
    number: str  # interna: the account's cartola number; externa: as the member typed it
    institution_code: str | None = None  # externa only
    id_type: IdType | None = None
    id_number: str | None = None
    name: str | None = None  # externa only (an interna shows its holder, masked)
    email: str | None = None


BENEFICIARIES: tuple[SeedBeneficiary, ...] = (
    SeedBeneficiary("demo", (60, time(10, 15)), AccountType.AHORRO_VISTA, "00105349"),
    SeedBeneficiary(
        "demo",
        (45, time(19, 2)),
        ExternalAccountType.AHORROS,
        "2203456789",
        institution_code="0010",
        id_type=IdType.CEDULA,
        id_number="1715223341",
        name="Ana Lucía Tipán Morales",
        email="ana.tipan@correo.ec",
    ),
    SeedBeneficiary(
        "demo",
        (20, time(12, 40)),
        ExternalAccountType.CORRIENTE,
        "02005123456",  # in CLOSED_EXTERNAL_ACCOUNTS: the demo's rechazada
        institution_code="0036",
        id_type=IdType.CEDULA,
        id_number="0912345675",
        name="Diego Fernando Andrade Salazar",
    ),
    SeedBeneficiary("socio2", (30, time(8, 30)), AccountType.AHORRO_VISTA, "00104721"),
)


# --- pago de servicios and pago de tarjetas ----------------------------------------------------


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


@dataclass(frozen=True)
class SeedCard:
    """A cooperative credit card of a member, at its last cut-off."""

    username: str
    brand: CardBrand
    last4: str
    credit_limit_cents: int
    statement_total_cents: int
    statement_minimum_cents: int
    unbilled_cents: int  # purchases after the cut-off
    due_in_days: int


# Ids follow this order (1, 2, 3).
CARDS: tuple[SeedCard, ...] = (
    SeedCard("demo", CardBrand.VISA, "4521", 250_000, 84_530, 4_227, 12_000, 10),
    SeedCard("demo", CardBrand.MASTERCARD, "8830", 100_000, 0, 0, 3_520, 10),  # nothing due
    SeedCard("socio2", CardBrand.VISA, "7702", 150_000, 31_245, 2_500, 0, 12),
)

# Cards of other institutions (mock codes). Diners Club del Ecuador belongs to Banco Pichincha.
CARD_ISSUERS: tuple[tuple[str, str, CardBrand, str], ...] = (
    ("VISA_PICHINCHA", "Visa Banco Pichincha", CardBrand.VISA, "0010"),
    ("MC_PICHINCHA", "Mastercard Banco Pichincha", CardBrand.MASTERCARD, "0010"),
    ("DINERS_CLUB", "Diners Club del Ecuador", CardBrand.DINERS, "0010"),
    ("VISA_PRODUBANCO", "Visa Produbanco", CardBrand.VISA, "0036"),
    ("MC_PRODUBANCO", "Mastercard Produbanco", CardBrand.MASTERCARD, "0036"),
    ("VISA_GUAYAQUIL", "Visa Banco Guayaquil", CardBrand.VISA, "0017"),
    ("MC_GUAYAQUIL", "Mastercard Banco Guayaquil", CardBrand.MASTERCARD, "0017"),
    ("VISA_PACIFICO", "Visa Banco del Pacífico", CardBrand.VISA, "0030"),
    ("MC_PACIFICO", "Mastercard Banco del Pacífico", CardBrand.MASTERCARD, "0030"),
    ("VISA_BOLIVARIANO", "Visa Banco Bolivariano", CardBrand.VISA, "0037"),
    ("MC_BOLIVARIANO", "Mastercard Banco Bolivariano", CardBrand.MASTERCARD, "0037"),
    ("VISA_INTERNACIONAL", "Visa Banco Internacional", CardBrand.VISA, "0032"),
    ("MC_INTERNACIONAL", "Mastercard Banco Internacional", CardBrand.MASTERCARD, "0032"),
)

# External cards the simulated clearing refuses as cancelled (issuer, last 4): a payment to
# Visa Banco Guayaquil 4012 8888 8888 1881 ends rechazada.
CLOSED_EXTERNAL_CARDS: tuple[tuple[str, str], ...] = (("VISA_GUAYAQUIL", "1881"),)


def bill_period(template: str, today: date, months_ago: int) -> str:
    index = today.year * 12 + today.month - 1 - months_ago
    year, month = divmod(index, 12)
    return template.format(month=f"{year:04d}-{month + 1:02d}", year=year)


# --- movement generation ------------------------------------------------------------------------


class Event(NamedTuple):
    """One member movement (its Caja general counterpart is derived from it)."""

    at_us: int  # microseconds since the epoch, UTC
    description: str
    reference: str
    journal_kind: str
    amount_cents: int
    balance_after_cents: int


def _us(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


def _ts(us: int, _days: dict[int, str] = {}) -> str:  # noqa: B006 - a cache on purpose
    """``to_db`` of an epoch time in microseconds, fast enough for 100,000 movements."""
    day, rest = divmod(us, _US_PER_DAY)
    prefix = _days.get(day)
    if prefix is None:
        prefix = _days[day] = (_EPOCH + timedelta(days=day)).date().isoformat()
    seconds, micro = divmod(rest, _US_PER_SECOND)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{prefix}T{hours:02d}:{minutes:02d}:{seconds:02d}.{micro:06d}+00:00"


def _local_midnight_us(day: date) -> int:
    return _us(datetime.combine(day, time(0), tzinfo=ECUADOR_TZ))


def _month_ends(first: date, last: date) -> Iterator[date]:
    """The last day of each month from ``first`` to ``last`` (inclusive)."""
    year, month = first.year, first.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end > last:
            return
        if end >= first:
            yield end
        year, month = nxt.year, nxt.month


class _References:
    """Per-prefix counters that grow like a real core system's (unique, not consecutive)."""

    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random
        self._next: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        value = self._next.get(prefix) or 100_000 + int(self._random() * 1_900_000)
        self._next[prefix] = value + 1 + int(self._random() * 9)
        return f"{prefix}-{value:07d}"


def generate_events(
    spec: SeedAccount, count: int, now: datetime, rng: random.Random
) -> list[Event]:
    """``count`` movements of one account over ``spec.days`` days, ending on the seeding day.

    Walks forward in time: credits become likelier when the balance is below the target band
    and debits when above, a debit that would leave less than the minimum balance becomes a
    credit, and the last movement (on the seeding day) lands the balance inside the band.
    """
    if count < 2:
        raise SeedError("an account needs at least an opening and a last movement")
    now_us = _us(now)
    today = now.astimezone(ECUADOR_TZ).date()
    first_day = today - timedelta(days=spec.days)
    today_us = _local_midnight_us(today)

    # Scheduled, monthly: pay-roll (the 15th), fee (the 1st), interest (the month's last day).
    scheduled: list[tuple[int, _Kind | None]] = []
    for end in _month_ends(first_day + timedelta(days=1), today - timedelta(days=1)):
        scheduled.append((_local_midnight_us(end) + _INTEREST_AT, _INTEREST))
        start = end + timedelta(days=1)
        if spec.monthly_fee and start < today:
            scheduled.append((_local_midnight_us(start) + _FEE_AT, _FEE))
        payday = end.replace(day=15)
        if spec.salary_cents and payday > first_day:
            scheduled.append((_local_midnight_us(payday) + _SALARY_AT, _SALARY))
    # Keep the scheduled share to a third at most, whatever the count: the latest ones stay.
    keep = (count - 2) // 3
    scheduled = sorted(scheduled)[max(0, len(scheduled) - keep) :] if keep else []

    # The other movements fall on random days between the opening and yesterday, in branch,
    # ATM and app hours (06:30 to 22:30, Ecuador time).
    # (rng.random() rather than randrange: this loop runs 100,000 times for "masivo".)
    rnd = rng.random
    first_us = _local_midnight_us(first_day + timedelta(days=1))
    span_days = spec.days - 1
    timeline: list[tuple[int, _Kind | None]] = [
        (
            first_us
            + int(rnd() * span_days) * _US_PER_DAY
            + (23_400 + int(rnd() * 57_600)) * _US_PER_SECOND
            + int(rnd() * _US_PER_SECOND),
            None,
        )
        for _ in range(count - 2 - len(scheduled))
    ]
    timeline.extend(scheduled)
    timeline.sort(key=lambda item: item[0])
    opening_us = _local_midnight_us(first_day) + rng.randrange(32_400, 57_600) * _US_PER_SECOND
    # The last movement: earlier on the seeding day (Ecuador), before the seeding moment.
    elapsed = max(0, now_us - today_us)
    last_us = today_us + int(elapsed * (0.2 + 0.7 * rnd()))

    credits = _COMMERCIAL_CREDITS if spec.commercial else _PERSONAL_CREDITS
    debits = _COMMERCIAL_DEBITS if spec.commercial else _PERSONAL_DEBITS
    credit_weights = list(accumulate(k.weight for k in credits))
    debit_weights = list(accumulate(k.weight for k in debits))
    credit_total, debit_total = credit_weights[-1], debit_weights[-1]
    names = _COMPANIES if spec.commercial else _PEOPLE
    refs = _References(rng)
    target = (spec.target_low + spec.target_high) // 2
    width = spec.target_high - spec.target_low
    pull_scale = width / 2

    events: list[Event] = []
    balance = 0

    def post(at_us: int, kind: _Kind, amount: int) -> None:
        nonlocal balance
        balance += amount
        description = kind.description
        if "{name}" in description:
            pool = _SHOPS if kind.prefix == "POS" else names
            description = description.format(name=pool[int(rnd() * len(pool))])
        events.append(
            Event(at_us, description, refs.next(kind.prefix), kind.journal_kind, amount, balance)
        )

    def amount_of(kind: _Kind) -> int:
        low, high = kind.low // kind.step, kind.high // kind.step
        return (low + int(rnd() * (high - low + 1))) * kind.step

    def random_credit(at_us: int) -> None:
        kind = credits[bisect(credit_weights, rnd() * credit_total)]
        post(at_us, kind, amount_of(kind))

    def random_debit() -> _Kind:
        return debits[bisect(debit_weights, rnd() * debit_total)]

    post(opening_us, _OPENING, amount_of(_OPENING))
    for at_us, scheduled_kind in timeline:
        if scheduled_kind is _INTEREST:
            post(at_us, _INTEREST, max(1, round(balance * spec.annual_interest / 12)))
        elif scheduled_kind is _SALARY:
            post(at_us, _SALARY, spec.salary_cents + int(rnd() * 5_000))
        elif scheduled_kind is _FEE and balance - _FEE.low >= MIN_BALANCE_CENTS:
            post(at_us, _FEE, -_FEE.low)
        elif scheduled_kind is _FEE:
            random_credit(at_us)  # no fee on an account at its minimum
        else:
            # Mean reversion toward the target band keeps years of history plausible.
            if rnd() < 0.5 + 0.45 * math.tanh((target - balance) / pull_scale):
                random_credit(at_us)
                continue
            kind = random_debit()
            amount = amount_of(kind)
            if balance - amount >= MIN_BALANCE_CENTS:
                post(at_us, kind, -amount)
            else:
                random_credit(at_us)  # never below the minimum balance

    # Today's movement: an ordinary debit when it keeps the balance inside the target band,
    # otherwise a transfer that brings the balance there (wherever the walk drifted).
    kind = random_debit()
    amount = amount_of(kind)
    if spec.target_low <= balance - amount <= spec.target_high:
        post(last_us, kind, -amount)
    else:
        wanted = spec.target_low + rng.randrange(width)
        if wanted == balance:
            wanted += 1 if wanted < spec.target_high else -1
        post(last_us, _ADJUST_IN if wanted > balance else _ADJUST_OUT, wanted - balance)
    return events


# --- writing the seed -------------------------------------------------------------------------


def _account_count(spec: SeedAccount, bulk: bool) -> int:
    if spec.movements:
        return spec.movements
    return BULK_MOVEMENTS if bulk else SMALL_BULK_MOVEMENTS


def seed_database(
    database: Path | str | Database,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
) -> None:
    """Seeds an empty (or new) database with the demo members and their history: an SQLite
    file's path, a database URL or a :class:`Database`.

    ``now`` is the seeding moment (movements end on its Ecuador day); ``bulk=False`` gives the
    "masivo" account only ``SMALL_BULK_MOVEMENTS`` instead of ``BULK_MOVEMENTS``.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    owned = not isinstance(database, Database)
    target = database if isinstance(database, Database) else Database(database, pooled=False)
    init_db(target, hasher)
    conn = target.connect()
    try:
        if conn.execute("SELECT 1 FROM members LIMIT 1").fetchone():
            raise SeedError(f"{target} already has members; seed only an empty database")
        sqlite = conn.dialect == "sqlite"
        if sqlite:
            # A new file has nothing to protect until the seed commits: a rollback journal in
            # memory and a large cache make the bulk insert several times faster than WAL.
            conn.execute("PRAGMA journal_mode = MEMORY")
            conn.execute("PRAGMA cache_size = -65536")
        _write_seed(conn, now, bulk, hasher or PasswordHasher())
        # The seed gives its rows their ids: PostgreSQL's sequences continue after them.
        reset_sequences(conn)
        if sqlite:
            conn.execute("PRAGMA journal_mode = WAL")
        problems = ledger_problems(conn)
        if problems:
            raise SeedError("the seeded ledger is inconsistent: " + "; ".join(problems))
        if sqlite:
            conn.execute("PRAGMA optimize")
        else:
            conn.execute("ANALYZE")
    finally:
        conn.close()
        if owned:
            target.dispose()


def _write_seed(conn: Connection, now: datetime, bulk: bool, hasher: PasswordHasher) -> None:
    today = now.astimezone(ECUADOR_TZ).date()
    master = random.Random(SEED)

    # Each account draws from its own generator, derived in a fixed order, so that the bulk
    # switch changes only the "masivo" account and nothing else. The holders without a user
    # come after the members: adding them left the members' histories as they were.
    owners: tuple[SeedMember | SeedHolder, ...] = (*MEMBERS, *HOLDERS)
    generated: list[tuple[SeedMember | SeedHolder, SeedAccount, list[Event]]] = []
    for owner in owners:
        for spec in owner.accounts:
            rng = random.Random(master.getrandbits(64))
            events = generate_events(spec, _account_count(spec, bulk), now, rng)
            generated.append((owner, spec, events))

    # One timeline for the whole cooperative: ids follow (posted_at, account, sequence), so
    # the Caja general's running balance and every account's keyset order agree.
    timeline = sorted(
        (event.at_us, index, seq, event)
        for index, (_member, _spec, events) in enumerate(generated)
        for seq, event in enumerate(events)
    )
    opening_us = timeline[0][0] - _US_PER_DAY
    opening = _ts(opening_us)

    caja_id = 1
    account_ids = {spec.number: caja_id + 1 + i for i, (_m, spec, _e) in enumerate(generated)}

    journal_rows: list[tuple[int, str, str, str]] = [
        (1, opening, "apertura", "Capital inicial de la cooperativa")
    ]
    # The posting sequence (seq) is the id: the ids follow the timeline.
    movement_rows: list[tuple[int, int, int, str, str, str, int, int, int]] = [
        (
            1,
            1,
            caja_id,
            opening,
            "Capital inicial de la cooperativa",
            "APE-0000001",
            CAPITAL_CENTS,
            CAPITAL_CENTS,
            1,
        )
    ]
    caja_balance = CAPITAL_CENTS
    for i, (at_us, index, _seq, event) in enumerate(timeline):
        journal_id = i + 2
        posted_at = _ts(at_us)
        number = generated[index][1].number
        caja_balance -= event.amount_cents
        journal_rows.append((journal_id, posted_at, event.journal_kind, event.description))
        movement_rows.append(
            (
                2 * i + 2,
                journal_id,
                account_ids[number],
                posted_at,
                event.description,
                event.reference,
                event.amount_cents,
                event.balance_after_cents,
                2 * i + 2,
            )
        )
        movement_rows.append(
            (
                2 * i + 3,
                journal_id,
                caja_id,
                posted_at,
                f"{event.description} · cta. {number}",
                event.reference,
                -event.amount_cents,
                caja_balance,
                2 * i + 3,
            )
        )

    account_rows: list[tuple[object, ...]] = [
        (
            caja_id,
            CAJA_NUMBER,
            None,
            "internal",
            None,
            CAJA_NAME,
            caja_balance,
            0,
            "activa",
            opening,
        )
    ]
    # The other internal accounts come after every member account (whose ids stay as they
    # were before these existed).
    internal_ids = {
        number: len(account_ids) + 2 + i for i, (number, _name) in enumerate(INTERNAL_ACCOUNTS[1:])
    }
    holder_rows: list[tuple[object, ...]] = []
    opened: dict[int, int] = {}  # holder id -> its first movement (epoch microseconds)
    for holder_id, owner in enumerate(owners, start=1):
        kind = owner.holder_kind if isinstance(owner, SeedMember) else owner.kind
        name = owner.full_name if isinstance(owner, SeedMember) else owner.name
        holder_rows.append((holder_id, owner.identification, kind, name))
        own = [(spec, events) for o, spec, events in generated if o is owner]
        opened[holder_id] = min(events[0].at_us for _spec, events in own)
        for spec, events in own:
            account_rows.append(
                (
                    account_ids[spec.number],
                    spec.number,
                    holder_id,
                    "member",
                    spec.type.value,
                    None,
                    events[-1].balance_after_cents,
                    spec.hold_cents,
                    "activa",
                    _ts(events[0].at_us),
                )
            )

    for number, name in INTERNAL_ACCOUNTS[1:]:
        account_rows.append(
            (internal_ids[number], number, None, "internal", None, name, 0, 0, "activa", opening)
        )

    member_rows: list[tuple[object, ...]] = []
    failure_rows = []
    for holder_id, member in enumerate(MEMBERS, start=1):
        last_login = None
        if member.last_login is not None:
            days_before, at = member.last_login
            when = datetime.combine(today - timedelta(days=days_before), at, tzinfo=ECUADOR_TZ)
            last_login = to_db(when)
        locked_at = None
        if member.locked:
            # Locked the day after their last login, by five wrong passwords in a row.
            locked = datetime.combine(today - timedelta(days=2), time(10, 3), tzinfo=ECUADOR_TZ)
            locked_at = to_db(locked)
            failure_rows.append((member.username, 5, locked_at))
        created_at = _ts(opened[holder_id] - 15 * 60 * _US_PER_SECOND)
        member_rows.append(
            _member_row(member, holder_id, "member", locked_at, last_login, created_at, hasher)
        )
    # The staff were given their users the day the cooperative's history starts.
    for staff in STAFF:
        member_rows.append(_member_row(staff, None, "teller", None, None, opening, hasher))

    member_ids = {member.username: index for index, member in enumerate(MEMBERS, start=1)}
    holder_names = {
        spec.number: (owner.full_name if isinstance(owner, SeedMember) else owner.name)
        for owner, spec, _events in generated
    }
    beneficiary_rows: list[tuple[object, ...]] = []
    for beneficiary in BENEFICIARIES:
        days_before, at = beneficiary.registered
        when = datetime.combine(today - timedelta(days=days_before), at, tzinfo=ECUADOR_TZ)
        if isinstance(beneficiary.account_type, AccountType):
            beneficiary_rows.append(
                (
                    member_ids[beneficiary.username],
                    "interna",
                    normalise_third_party_account(beneficiary.number, beneficiary.account_type),
                    beneficiary.account_type.value,
                    account_ids[beneficiary.number],
                    None,
                    None,
                    None,
                    mask_name(holder_names[beneficiary.number]),
                    None,
                    to_db(when),
                )
            )
        else:
            assert beneficiary.id_type is not None
            beneficiary_rows.append(
                (
                    member_ids[beneficiary.username],
                    "externa",
                    beneficiary.number,
                    beneficiary.account_type.value,
                    None,
                    beneficiary.institution_code,
                    beneficiary.id_type.value,
                    beneficiary.id_number,
                    beneficiary.name,
                    beneficiary.email,
                    to_db(when),
                )
            )
    limit_rows = [
        (member_id, DEFAULT_PER_TRANSACTION_CENTS, DEFAULT_DAILY_CENTS)
        for member_id in member_ids.values()
    ]

    registration_rows = []
    for reg_id, (request, (days_before, at)) in enumerate(PENDING_REGISTRATIONS, start=1):
        filed = datetime.combine(today - timedelta(days=days_before), at, tzinfo=ECUADOR_TZ)
        registration_rows.append(
            (
                reg_id,
                f"SOL-{reg_id:06d}",
                request.kind,
                request.cedula,
                request.usuario,
                "pendiente",
                request.model_dump_json(),
                to_db(filed),
            )
        )

    with write_transaction(conn):
        conn.executemany(
            "INSERT INTO holders (id, identification, kind, name) VALUES (?, ?, ?, ?)",
            holder_rows,
        )
        conn.executemany(
            """
            INSERT INTO members (id, username, holder_id, status, password_hash, full_name,
                email, role, security_image, security_phrase, own_question, own_answer_hash,
                question_id, answer_hash, locked_at, last_login_at, created_at)
            VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [(index, *row) for index, row in enumerate(member_rows, start=1)],
        )
        conn.executemany(
            "INSERT INTO login_failures (username, count, last_at) VALUES (?, ?, ?)",
            failure_rows,
        )
        conn.executemany(
            """
            INSERT INTO accounts (id, number, holder_id, kind, type, name, balance_cents,
                hold_cents, status, opened_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            account_rows,
        )
        insert_rows(conn, "journal", ("id", "created_at", "kind", "description"), journal_rows)
        insert_rows(
            conn,
            "movements",
            (
                "id",
                "journal_id",
                "account_id",
                "posted_at",
                "description",
                "reference",
                "amount_cents",
                "balance_after_cents",
                "seq",
            ),
            movement_rows,
        )
        conn.executemany(
            """
            INSERT INTO registrations (id, reference, kind, identification, username, status,
                request_json, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            registration_rows,
        )
        conn.executemany(
            "INSERT INTO institutions (code, name, kind) VALUES (?, ?, ?)", INSTITUTIONS
        )
        conn.executemany(
            "INSERT INTO closed_external_accounts (institution_code, number) VALUES (?, ?)",
            CLOSED_EXTERNAL_ACCOUNTS,
        )
        conn.executemany(
            """
            INSERT INTO beneficiaries (member_id, kind, number, account_type, account_id,
                institution_code, id_type, id_number, name, email, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            beneficiary_rows,
        )
        conn.executemany(
            """
            INSERT INTO transfer_limits (member_id, per_transaction_cents, daily_cents)
            VALUES (?, ?, ?)
            """,
            limit_rows,
        )
        _write_payments_seed(conn, now, member_ids)


def _write_payments_seed(conn: Connection, now: datetime, member_ids: dict[str, int]) -> None:
    """The billers, their bills, the members' cards and the card issuers (inside the seed's
    transaction)."""
    today = now.astimezone(ECUADOR_TZ).date()
    conn.executemany(
        """
        INSERT INTO billers (code, name, category, reference_label, reference_hint,
            reference_pattern, amount_rule)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [
            (
                b.code,
                b.name,
                b.category.value,
                b.reference_label,
                b.reference_hint,
                b.reference_pattern,
                b.amount_rule.value,
            )
            for b in BILLERS
        ],
    )
    yesterday = datetime.combine(today - timedelta(days=1), time(11, 30), tzinfo=ECUADOR_TZ)
    conn.executemany(
        """
        INSERT INTO bills (id, biller_code, reference, holder_name, period, amount_cents,
            due_date, status, paid_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            (
                bill_id,
                bill.biller,
                bill.reference,
                bill.holder,
                bill_period(bill.period, today, bill.months_ago),
                bill.amount_cents,
                (today + timedelta(days=bill.due_in_days)).isoformat(),
                "pagada" if bill.paid else "pendiente",
                to_db(yesterday) if bill.paid else None,
            )
            for bill_id, bill in enumerate(BILLS, start=1)
        ],
    )
    holders = {
        username: conn.execute(
            "SELECT holder_id, full_name FROM members WHERE id = ?", (member_id,)
        ).fetchone()
        for username, member_id in member_ids.items()
    }
    conn.executemany(
        """
        INSERT INTO cards (id, holder_id, brand, last4, holder_name, credit_limit_cents,
            statement_total_cents, statement_minimum_cents, unbilled_cents, due_date)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            (
                card_id,
                holders[card.username]["holder_id"],
                card.brand.value,
                card.last4,
                holders[card.username]["full_name"],
                card.credit_limit_cents,
                card.statement_total_cents,
                card.statement_minimum_cents,
                card.unbilled_cents,
                (today + timedelta(days=card.due_in_days)).isoformat(),
            )
            for card_id, card in enumerate(CARDS, start=1)
        ],
    )
    conn.executemany(
        "INSERT INTO card_issuers (code, name, brand, institution_code) VALUES (?, ?, ?, ?)",
        [(code, name, brand.value, institution) for code, name, brand, institution in CARD_ISSUERS],
    )
    conn.executemany(
        "INSERT INTO closed_external_cards (issuer_code, last4) VALUES (?, ?)",
        CLOSED_EXTERNAL_CARDS,
    )


def _member_row(
    user: SeedMember | SeedStaff,
    holder_id: int | None,
    role: str,
    locked_at: str | None,
    last_login: str | None,
    created_at: str,
    hasher: PasswordHasher,
) -> tuple[object, ...]:
    """A members row (without its id) of a user who finished the PRIMER INGRESO."""
    answers = user.answers
    return (
        user.username,
        holder_id,
        hasher.hash(user.password),
        user.full_name,
        user.email,
        role,
        user.image.value,
        "",  # no security phrase since schema 6
        answers.own_question,
        # Stored as the server compares them: hashes of the normalised answer.
        hasher.hash(normalise_answer(answers.own_answer)),
        answers.question_id,
        hasher.hash(normalise_answer(answers.answer)),
        locked_at,
        last_login,
        created_at,
    )


# --- the cached template and fresh copies -------------------------------------------------------


def template_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def template_path(cache_dir: Path | None = None, *, today: date | None = None) -> Path:
    """The template of this seed version for ``today`` (Ecuador): the history ends that day."""
    day = today or datetime.now(ECUADOR_TZ).date()
    return (cache_dir or template_dir()) / f"seed-v{SEED_VERSION}-{day.isoformat()}.sqlite"


def ensure_template(cache_dir: Path | None = None, *, now: datetime | None = None) -> Path:
    """The seeded template for today, built (about a second) the first time it is asked for."""
    now = now or datetime.now(UTC)
    path = template_path(cache_dir, today=now.astimezone(ECUADOR_TZ).date())
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built beside its final name and renamed: a reader never sees half a template, and two
    # processes building at once both end with a whole one.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        seed_database(tmp, now=now, bulk=True)
        # A template is only ever copied: a rollback journal leaves no -wal file beside it.
        sqlite_files.without_log(tmp)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    _remove_stale_templates(path)
    return path


def _remove_stale_templates(keep: Path) -> None:
    # Yesterday's templates (and those of older seed versions) are never used again.
    for old in keep.parent.glob("seed-v*-*.sqlite"):
        if old != keep:
            old.unlink(missing_ok=True)


def fresh_database(path: Path, *, cache_dir: Path | None = None) -> Path:
    """Makes ``path`` a freshly seeded database (replacing what it held); returns ``path``."""
    path = Path(path)
    template = ensure_template(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite_files.copy(template, path)
    database = Database(path, pooled=False)  # back to WAL mode, and a decoy secret of its own
    try:
        with database.connection() as conn:
            renew_decoy_secret(conn)
    finally:
        database.dispose()
    return path


# --- PostgreSQL: a seeded template database and fresh copies ----------------------------------


def postgresql_template_name(now: datetime, *, bulk: bool = True) -> str:
    day = now.astimezone(ECUADOR_TZ).date()
    return f"sjv_seed_v{SEED_VERSION}_{day:%Y%m%d}" + ("" if bulk else "_small")


def ensure_postgresql_template(
    server: Database,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
) -> Database:
    """The seeded template database for ``now``'s day on ``server``'s PostgreSQL, seeded the
    first time it is asked for (under another name, then renamed: a reader never sees half a
    template, and two processes building at once both end with a whole one)."""
    now = now or datetime.now(UTC)
    name = postgresql_template_name(now, bulk=bulk)
    template = databases.on_server(server, name)
    if databases.exists(template):
        return template
    building = databases.on_server(server, f"{name}_{secrets.token_hex(4)}")
    databases.create(building)
    try:
        seed_database(building, now=now, bulk=bulk, hasher=hasher)
        databases.rename(building, name)
    except BaseException:
        databases.drop(building)
        if not databases.exists(template):
            raise
    return template


def fresh_postgresql_database(
    server: Database,
    name: str,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
) -> Database:
    """Makes database ``name`` on ``server``'s PostgreSQL a freshly seeded one (a copy of the
    template, replacing what it held): the counterpart of :func:`fresh_database`."""
    template = ensure_postgresql_template(server, now=now, bulk=bulk, hasher=hasher)
    database = databases.copy(template, name)
    with database.connection() as conn:  # a decoy secret of its own
        renew_decoy_secret(conn)
    return database
