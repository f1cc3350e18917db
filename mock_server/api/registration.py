"""REGISTRO DE SOCIOS: a socio of the cooperative asks for a S.J. Virtual user."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import Conn, State
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.api.idempotency import Idempotency, Outcome, public_idempotency
from mock_server.i18n import N_, _, language
from mock_server.store import Connection
from mock_server.store.meta import to_db
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    EmpresaRegistration,
    PersonaRegistration,
    RegistrationReceipt,
    RegistrationStatus,
)

router = APIRouter(tags=["registration"], responses={500: ERROR_RESPONSE})

RegistrationKey = Annotated[Idempotency, Depends(public_idempotency())]
RegistrationBody = Annotated[
    PersonaRegistration | EmpresaRegistration,
    Body(discriminator="kind", openapi_examples=ex.REGISTRATION),
]

# The same words whether the account does not exist or is someone else's: the form must not
# tell a stranger who holds an account number.
ACCOUNT_MISMATCH_MESSAGE = N_(
    "No encontramos una cuenta con ese número a nombre de esa identificación. Revise el número "
    "como aparece en su cartola y la identificación."
)
# Requests that still hold their identification and username.
OPEN_STATUSES = (RegistrationStatus.PENDIENTE.value, RegistrationStatus.APROBADA.value)


def identification_of(body: PersonaRegistration | EmpresaRegistration) -> tuple[str, str]:
    """(the identification, the request field that carries it)."""
    if isinstance(body, PersonaRegistration):
        return body.cedula, "cedula"
    return body.ruc, "ruc"


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, field)


def _check_fields(body: PersonaRegistration | EmpresaRegistration, today: date) -> None:
    """The rules the TUI checks as the member types, again here: the first problem, in the
    order of the form."""
    checks: list[tuple[str, str | None]]
    if isinstance(body, PersonaRegistration):
        checks = [
            ("cedula", rules.cedula_error(body.cedula)),
            ("nombres", rules.name_error(body.nombres, _("sus nombres"))),
            ("apellidos", rules.name_error(body.apellidos, _("sus apellidos"))),
            ("fecha_nacimiento", rules.birth_date_error(body.fecha_nacimiento, today)),
            ("email", rules.email_error(body.email)),
            ("celular", rules.mobile_error(body.celular)),
            (
                "direccion",
                None if len(body.direccion.strip()) >= 5 else _("Escriba su dirección completa."),
            ),
        ]
    else:
        checks = [
            ("ruc", rules.ruc_error(body.ruc)),
            (
                "razon_social",
                None if len(body.razon_social.strip()) >= 2 else _("Ingrese la razón social."),
            ),
            ("representante_cedula", rules.cedula_error(body.representante_cedula)),
            (
                "representante_nombre",
                rules.name_error(body.representante_nombre, _("el nombre del representante")),
            ),
            ("email", rules.email_error(body.email)),
            ("telefono", rules.phone_error(body.telefono)),
        ]
    checks.append(("usuario", rules.new_username_error(body.usuario)))
    for field, problem in checks:
        if problem is not None:
            raise _invalid(field, problem)


def _holder_of_account(conn: Connection, body: PersonaRegistration | EmpresaRegistration) -> int:
    """The holder of the active account ``cuenta`` if it has the request's identification."""
    identification, _field = identification_of(body)
    # Leading zeros do not matter: 107777 is the cartola's 00107777.
    row = conn.execute(
        """
        SELECT h.id FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
        WHERE ltrim(a.number, '0') = ltrim(?, '0') AND a.kind = 'member'
          AND a.status = 'activa' AND h.identification = ? AND h.kind = ?
        """,
        (body.cuenta, identification, body.kind),
    ).fetchone()
    if row is None:
        raise _invalid("cuenta", _(ACCOUNT_MISMATCH_MESSAGE))
    return int(row["id"])


def duplicate_problem(
    conn: Connection,
    holder_id: int,
    identification: str,
    username: str,
    *,
    exclude_registration: int | None = None,
) -> tuple[str, str] | None:
    """(what, the reason, in the request's language) that makes a request a duplicate, or None.

    ``what`` is "identification" or "usuario". Also checked again when a teller approves.
    """
    if conn.execute("SELECT 1 FROM members WHERE holder_id = ?", (holder_id,)).fetchone():
        return (
            "identification",
            _(
                "Esta identificación ya tiene un usuario de S.J. Virtual. Si olvidó su "
                "contraseña, use ¿Olvidó su contraseña? en la pantalla de ingreso."
            ),
        )
    placeholders = ", ".join("?" for _ in OPEN_STATUSES)
    request = conn.execute(
        f"""
        SELECT reference, status FROM registrations
        WHERE identification = ? AND status IN ({placeholders}) AND id IS DISTINCT FROM ?
        """,
        (identification, *OPEN_STATUSES, exclude_registration),
    ).fetchone()
    if request is not None and request["status"] == RegistrationStatus.PENDIENTE:
        return (
            "identification",
            _(
                "Ya hay una solicitud ({reference}) para esta identificación en proceso de "
                "aprobación. Espere el correo de la cooperativa."
            ).format(reference=request["reference"]),
        )
    if request is not None:
        return (
            "identification",
            _(
                "La solicitud {reference} para esta identificación ya fue aprobada. Revise el "
                "correo de aprobación."
            ).format(reference=request["reference"]),
        )
    taken = conn.execute(
        f"""
        SELECT 1 FROM members WHERE username = ?
        UNION ALL
        SELECT 1 FROM registrations
        WHERE username = ? AND status IN ({placeholders}) AND id IS DISTINCT FROM ?
        """,
        (username, username, *OPEN_STATUSES, exclude_registration),
    ).fetchone()
    if taken is not None:
        return "usuario", _("El usuario «{username}» ya está en uso. Elija otro.").format(
            username=username
        )
    return None


@router.post(
    "/registrations",
    status_code=201,
    response_model=RegistrationReceipt,
    responses={409: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="CONFIRMAR: file a registration request (REGISTRO DE SOCIOS)",
)
def register(body: RegistrationBody, idem: RegistrationKey, state: State, conn: Conn) -> Response:
    def effect() -> Outcome:
        now = state.clock.now()
        _check_fields(body, rules.today_in_ecuador(now))
        holder_id = _holder_of_account(conn, body)
        identification, id_field = identification_of(body)
        duplicate = duplicate_problem(conn, holder_id, identification, body.usuario)
        if duplicate is not None:
            what, message = duplicate
            raise ApiError(409, "duplicate", message, "usuario" if what == "usuario" else id_field)
        # Inside BEGIN IMMEDIATE: no other writer can take the same number meanwhile.
        next_id = int(
            conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM registrations").fetchone()[0]
        )
        reference = f"SOL-{next_id:06d}"
        conn.execute(
            """
            INSERT INTO registrations (id, reference, kind, identification, username, status,
                request_json, created_at, language)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                next_id,
                reference,
                body.kind,
                identification,
                body.usuario,
                RegistrationStatus.PENDIENTE.value,
                body.model_dump_json(),
                to_db(now),
                # The answer (approval or rejection) is e-mailed in the request's language.
                language(),
            ),
        )
        receipt = RegistrationReceipt(
            reference=reference, status=RegistrationStatus.PENDIENTE, created_at=now
        )
        return Outcome(201, receipt)

    return idem.run(conn, effect)
