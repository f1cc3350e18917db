"""The cooperative's staff (a teller and a supervisor), the registration request waiting for
one, and the four-eyes request waiting for the supervisor."""

from __future__ import annotations

import json
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
    role: str = "teller"  # or "supervisor": a teller who also approves (four eyes)


STAFF: tuple[SeedStaff, ...] = (
    SeedStaff(
        username="cajero",
        password="Cajero2026",
        full_name="Jorge Luis Paredes",
        email="cajero@coacsanjose.ec",
        image=SecurityImageId.CAFE,
        answers=SecretAnswers("¿Cuál es mi deporte favorito?", "Ecuavoley", 5, "Hornado"),
    ),
    SeedStaff(
        username="supervisor",
        password="Supervisor2026",
        full_name="Ana Lucía Benítez Correa",
        email="supervisor@coacsanjose.ec",
        image=SecurityImageId.FARO,
        answers=SecretAnswers("¿Cuál es mi fruta favorita?", "Naranjilla", 3, "Loja"),
        role="supervisor",
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
            role=staff.role,
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


# A four-eyes request waiting for the supervisor: the teller asked to reset the security of a
# member (who phoned: forgot the answers and the image).
PENDING_APPROVALS: tuple[tuple[str, str, str, tuple[int, time]], ...] = (
    (
        "masivo",
        "cajero",
        "El representante olvidó sus respuestas; se verificó su cédula en ventanilla.",
        (0, time(9, 15)),
    ),
)


def approval_rows(
    today: date, member_ids: dict[str, int], first_staff_id: int
) -> list[dict[str, Any]]:
    """The ``approvals`` a supervisor finds pending (security resets, asked by a teller)."""
    staff_ids = {staff.username: first_staff_id + index for index, staff in enumerate(STAFF)}
    rows = []
    for approval_id, (member, teller, reason, (days_before, at)) in enumerate(
        PENDING_APPROVALS, start=1
    ):
        rows.append(
            {
                "id": approval_id,
                "kind": "security_reset",
                "member_id": member_ids[member],
                "payload": json.dumps({"username": member}),
                "requested_by": staff_ids[teller],
                "requested_at": days_before_at(today, days_before, at),
                "terminal": "CAJA-01",
                "request_reason": reason,
                "status": "pendiente",
            }
        )
    return rows
