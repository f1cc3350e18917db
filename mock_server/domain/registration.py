"""REGISTRO DE SOCIOS: a socio of the cooperative asks for a S.J. Virtual user."""

from __future__ import annotations

from datetime import date, datetime

from mock_server.domain.errors import Conflict
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _, language
from mock_server.store import Connection, members
from mock_server.store import registrations as store
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    EmpresaRegistration,
    PersonaRegistration,
    RegistrationReceipt,
    RegistrationStatus,
)

RegistrationBody = PersonaRegistration | EmpresaRegistration

# The same words whether the account does not exist or is someone else's: the form must not
# tell a stranger who holds an account number.
ACCOUNT_MISMATCH_MESSAGE = N_(
    "No encontramos una cuenta con ese número a nombre de esa identificación. Revise el número "
    "como aparece en su cartola y la identificación."
)


def identification_of(body: RegistrationBody) -> tuple[str, str]:
    """(the identification, the request field that carries it)."""
    if isinstance(body, PersonaRegistration):
        return body.cedula, "cedula"
    return body.ruc, "ruc"


def reference_of(registration_id: int) -> str:
    return f"SOL-{registration_id:06d}"


def _address_error(direccion: str) -> str | None:
    return None if len(direccion.strip()) >= 5 else _("Escriba su dirección completa.")


def _check_fields(body: RegistrationBody, today: date) -> None:
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
            ("direccion", _address_error(body.direccion)),
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
            ("direccion", _address_error(body.direccion)),
        ]
    checks.append(("usuario", rules.new_username_error(body.usuario)))
    for field, problem in checks:
        if problem is not None:
            raise invalid(field, problem)


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
    if members.holder_has_member(conn, holder_id):
        return (
            "identification",
            _(
                "Esta identificación ya tiene un usuario de S.J. Virtual. Si olvidó su "
                "contraseña, use ¿Olvidó su contraseña? en la pantalla de ingreso."
            ),
        )
    request = store.open_request(conn, identification, exclude_registration)
    if request is not None and request[1] == RegistrationStatus.PENDIENTE:
        return (
            "identification",
            _(
                "Ya hay una solicitud ({reference}) para esta identificación en proceso de "
                "aprobación. Espere el correo de la cooperativa."
            ).format(reference=request[0]),
        )
    if request is not None:
        return (
            "identification",
            _(
                "La solicitud {reference} para esta identificación ya fue aprobada. Revise el "
                "correo de aprobación."
            ).format(reference=request[0]),
        )
    if store.username_taken(conn, username, exclude_registration):
        return "usuario", _("El usuario «{username}» ya está en uso. Elija otro.").format(
            username=username
        )
    return None


def register(conn: Connection, now: datetime, body: RegistrationBody) -> RegistrationReceipt:
    """Files the request (in the caller's write transaction) after the form's rules, the
    account's holder and the duplicates (409)."""
    _check_fields(body, rules.today_in_ecuador(now))
    identification, id_field = identification_of(body)
    holder_id = store.holder_of_account(conn, body.cuenta, identification, body.kind)
    if holder_id is None:
        raise invalid("cuenta", _(ACCOUNT_MISMATCH_MESSAGE))
    duplicate = duplicate_problem(conn, holder_id, identification, body.usuario)
    if duplicate is not None:
        what, message = duplicate
        raise Conflict("duplicate", message, "usuario" if what == "usuario" else id_field)
    _id, reference = store.insert(
        conn,
        kind=body.kind,
        identification=identification,
        username=body.usuario,
        request_json=body.model_dump_json(),
        now=now,
        # The answer (approval or rejection) is e-mailed in the request's language.
        language=language(),
        reference_of=reference_of,
    )
    return RegistrationReceipt(
        reference=reference, status=RegistrationStatus.PENDIENTE, created_at=now
    )
