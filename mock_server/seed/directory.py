"""The teller's member directory (names folded for search, phones) and the optional mass of
socios for the search benchmark (``seed_database(socios=100_000)``)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum.ec import ci

from mock_server.domain.counter import fold

Row = dict[str, Any]

# Number of the first mass socio's account: "01" then 6 digits (00104721's style, another range).
_ACCOUNT_BASE = 1_000_000

_FIRST = (
    "María",
    "José",
    "Luis",
    "Ana",
    "Jorge",
    "Rosa",
    "Carlos",
    "Lucía",
    "Andrés",
    "Verónica",
    "Ángel",
    "Inés",
    "Julián",
    "Mónica",
    "Raúl",
    "Sofía",
    "Darío",
    "Belén",
    "Tomás",
    "Nelly",
)
_SURNAMES = (
    "Guamán",
    "Quispe",
    "Pillajo",
    "Tituaña",
    "Yánez",
    "Cando",
    "Chávez",
    "Muñoz",
    "Pérez",
    "Andrade",
    "Cevallos",
    "Zúñiga",
    "Toapanta",
    "Caiza",
    "Morán",
    "Guerrero",
    "León",
    "Ortíz",
    "Vásquez",
    "Simbaña",
    "Lasso",
    "Benítez",
    "Naranjo",
    "Espín",
    "Cajas",
    "Tapia",
)


_UNSET_USER_COLUMNS = (
    "password_hash",
    "security_image",
    "security_phrase",
    "own_question",
    "own_answer_hash",
    "question_id",
    "answer_hash",
    "locked_at",
    "last_login_at",
)


def phone_of(holder_id: int) -> str:
    """A socio's mobile in the seed: 09 and 8 digits drawn from its id (stable)."""
    return f"09{(holder_id * 7_919_331) % 100_000_000:08d}"


def directory_rows(holders: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [
        {"holder_id": row["id"], "name_key": fold(row["name"]), "phone": phone_of(row["id"])}
        for row in holders
    ]


def _cedula(i: int) -> str:
    """A valid cédula of its own for mass socio ``i``: province, third digit < 6, ``i``."""
    body = f"{1 + i % 24:02d}{(i // 24) % 6}{i:06d}"
    for digit in "0123456789":
        if ci.is_valid(body + digit):
            return body + digit
    raise AssertionError(body)  # pragma: no cover - one digit always completes it


def mass_rows(
    count: int,
    *,
    first_holder_id: int,
    first_member_id: int,
    first_account_id: int,
    taken: set[str],
    created_at: str,
) -> tuple[list[Row], list[Row], list[Row]]:
    """(holders, members, accounts) of ``count`` socios: each with a user waiting for its
    first password (no argon2 hash to compute) and one empty ahorro a la vista account."""
    rng = random.Random(2026_18)
    holders: list[Row] = []
    users: list[Row] = []
    accounts: list[Row] = []
    for i in range(count):
        identification = _cedula(i)
        if identification in taken:
            continue
        holder_id = first_holder_id + len(holders)
        name = (
            f"{rng.choice(_FIRST)} {rng.choice(_FIRST)} "
            f"{rng.choice(_SURNAMES)} {rng.choice(_SURNAMES)}"
        )
        holders.append(
            {"id": holder_id, "identification": identification, "kind": "persona", "name": name}
        )
        users.append(
            {
                "id": first_member_id + len(users),
                "username": f"socio{i:06d}",
                "holder_id": holder_id,
                "status": "pending_password",
                "full_name": name,
                "email": f"socio{i:06d}@socios.coacsanjose.ec",
                "role": "member",
                "created_at": created_at,
                # The columns of the demo's users, empty: no password, no secrets yet.
                **dict.fromkeys(_UNSET_USER_COLUMNS),
            }
        )
        accounts.append(
            {
                "id": first_account_id + len(accounts),
                "number": f"{_ACCOUNT_BASE + i:08d}",
                "holder_id": holder_id,
                "kind": "member",
                "type": "ahorro_vista",
                "name": None,
                "balance_cents": 0,
                "hold_cents": 0,
                "status": "activa",
                "opened_at": created_at,
            }
        )
    return holders, users, accounts
