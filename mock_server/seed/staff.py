"""The cooperative's staff (a teller) and the registration request waiting for one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from argon2 import PasswordHasher

from mock_server.seed.members import SecretAnswers, days_before_at, user_row
from sjvirtual_tui.models import PersonaRegistration, SecurityImageId


@dataclass(frozen=True)
class SeedStaff:
    """A teller: a user without a holder (no accounts), role teller."""

    username: str
    password: str
    full_name: str
    email: str
    image: SecurityImageId
    answers: SecretAnswers


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


def staff_rows(first_id: int, created_at: str, hasher: PasswordHasher) -> list[dict[str, Any]]:
    """The tellers' users (``members`` rows without a holder), ids from ``first_id``."""
    return [
        user_row(
            staff,
            member_id=member_id,
            holder_id=None,
            role="teller",
            created_at=created_at,
            hasher=hasher,
        )
        for member_id, staff in enumerate(STAFF, start=first_id)
    ]


def registration_rows(today: date) -> list[dict[str, Any]]:
    """The ``registrations`` a teller finds pending."""
    rows = []
    for reg_id, (request, (days_before, at)) in enumerate(PENDING_REGISTRATIONS, start=1):
        rows.append(
            {
                "id": reg_id,
                "reference": f"SOL-{reg_id:06d}",
                "kind": request.kind,
                "identification": request.cedula,
                "username": request.usuario,
                "status": "pendiente",
                "request_json": request.model_dump_json(),
                "created_at": days_before_at(today, days_before, at),
            }
        )
    return rows
