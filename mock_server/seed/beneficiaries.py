"""Productos de terceros: the other institutions, the accounts their clearing refuses as
closed, the members' registered beneficiaries and their transfer limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from mock_server.domain.limits import DEFAULT_DAILY_CENTS, DEFAULT_PER_TRANSACTION_CENTS
from mock_server.domain.text import mask_name
from mock_server.store.meta import to_db
from sjvirtual_tui.models import AccountType, ExternalAccountType, IdType
from sjvirtual_tui.rules import ECUADOR_TZ, normalise_third_party_account

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


def institution_rows() -> list[dict[str, Any]]:
    return [{"code": code, "name": name, "kind": kind} for code, name, kind in INSTITUTIONS]


def closed_account_rows() -> list[dict[str, Any]]:
    return [
        {"institution_code": code, "number": number} for code, number in CLOSED_EXTERNAL_ACCOUNTS
    ]


def beneficiary_rows(
    today: date,
    member_ids: Mapping[str, int],
    account_ids: Mapping[str, int],
    holder_names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The ``beneficiaries`` rows; an interna one points at its account (``account_ids``, by
    cartola number) and shows its holder's name masked (``holder_names``, by number)."""
    rows = []
    for beneficiary in BENEFICIARIES:
        days_before, at = beneficiary.registered
        when = datetime.combine(today - timedelta(days=days_before), at, tzinfo=ECUADOR_TZ)
        row: dict[str, Any] = {
            "member_id": member_ids[beneficiary.username],
            "account_type": beneficiary.account_type.value,
            "created_at": to_db(when),
        }
        if isinstance(beneficiary.account_type, AccountType):
            row |= {
                "kind": "interna",
                "number": normalise_third_party_account(
                    beneficiary.number, beneficiary.account_type
                ),
                "account_id": account_ids[beneficiary.number],
                "institution_code": None,
                "id_type": None,
                "id_number": None,
                "name": mask_name(holder_names[beneficiary.number]),
                "email": None,
            }
        else:
            assert beneficiary.id_type is not None
            row |= {
                "kind": "externa",
                "number": beneficiary.number,
                "account_id": None,
                "institution_code": beneficiary.institution_code,
                "id_type": beneficiary.id_type.value,
                "id_number": beneficiary.id_number,
                "name": beneficiary.name,
                "email": beneficiary.email,
            }
        rows.append(row)
    return rows


def limit_rows(member_ids: Mapping[str, int]) -> list[dict[str, Any]]:
    """Every member starts with the cooperative's default limits."""
    return [
        {
            "member_id": member_id,
            "per_transaction_cents": DEFAULT_PER_TRANSACTION_CENTS,
            "daily_cents": DEFAULT_DAILY_CENTS,
        }
        for member_id in member_ids.values()
    ]
