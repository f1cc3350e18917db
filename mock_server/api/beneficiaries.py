"""Productos de terceros (REGISTRO DE CUENTAS): institutions, lookup, beneficiaries.

A new beneficiary is started here (``POST /beneficiaries`` answers a PIN challenge) and exists
once ``POST /challenges/{id}/confirm`` confirms it (:func:`confirm_beneficiary`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, Conn, CurrentMember, Member, State
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.api.idempotency import Idempotency, Outcome, member_idempotency
from mock_server.domain import mail, pin, reasons
from mock_server.domain.banking import (
    COOPERATIVE_NAME,
    EXTERNAL_TYPE_LABELS,
    Socio,
    beneficiary_model,
    cancel_transfer,
    clean_text,
    invalid,
    list_beneficiaries,
    own_beneficiary,
    resolve_internal,
)
from mock_server.i18n import _
from mock_server.store import Connection
from mock_server.store.meta import to_db
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    ACCOUNT_TYPE_LABELS,
    MAX_ID,
    AccountLookup,
    AccountType,
    Beneficiary,
    BeneficiaryKind,
    Challenge,
    ChallengePurpose,
    ExternalAccountType,
    ExternalBeneficiaryRequest,
    IdType,
    Institution,
    InternalBeneficiaryRequest,
    InternalNumber,
)

router = APIRouter(
    tags=["beneficiaries"],
    responses={401: ERROR_RESPONSE, 403: ERROR_RESPONSE, 500: ERROR_RESPONSE},
)

BeneficiaryKey = Annotated[Idempotency, Depends(member_idempotency())]
BeneficiaryBody = Annotated[
    InternalBeneficiaryRequest | ExternalBeneficiaryRequest,
    Body(discriminator="kind", openapi_examples=ex.BENEFICIARY),
]
BeneficiaryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The beneficiary's id."), DIGITS]

DELETED_REASON = reasons.BENEFICIARY_DELETED


@router.get(
    "/institutions",
    response_model=list[Institution],
    summary="Otras instituciones financieras, by name",
)
def institutions(member: Member, conn: Conn) -> list[Institution]:
    rows = conn.execute("SELECT code, name, kind FROM institutions ORDER BY name").fetchall()
    return [Institution(code=row["code"], name=row["name"], kind=row["kind"]) for row in rows]


@router.get(
    "/beneficiaries/lookup",
    response_model=AccountLookup,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="A cooperative account to register as a cuenta de terceros (holder partly masked)",
)
def lookup(
    member: Socio,
    conn: Conn,
    account_type: Annotated[AccountType, Query(description="ahorro_vista or ahorro_personal.")],
    number: Annotated[
        InternalNumber,
        Query(description="00105349 (cartola) or 1105349.", openapi_examples=ex.LOOKUP_NUMBER),
    ],
) -> AccountLookup:
    target = resolve_internal(conn, member, account_type, number)
    return AccountLookup(
        registered_number=target.registered_number,
        account_type=account_type,
        holder_name=target.masked_name,
    )


@router.get(
    "/beneficiaries",
    response_model=list[Beneficiary],
    summary="The session member's Productos de terceros, by name",
)
def get_beneficiaries(member: Socio, conn: Conn) -> list[Beneficiary]:
    return [beneficiary_model(row) for row in list_beneficiaries(conn, member.id)]


# --- AGREGAR -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """A checked beneficiary request: what its PIN is bound to, and what confirm inserts."""

    payee: str
    payload: dict[str, Any]
    confirms: Callable[[], str]  # called in the member's language (the PIN e-mail's)


def _duplicate(conn: Connection, member_id: int, payload: dict[str, Any]) -> None:
    if payload["kind"] == BeneficiaryKind.INTERNA:
        row = conn.execute(
            "SELECT 1 FROM beneficiaries WHERE member_id = ? AND kind = 'interna' AND number = ?",
            (member_id, payload["number"]),
        ).fetchone()
        message = _("La cuenta {number} ya está en sus Productos de terceros.").format(
            number=payload["number"]
        )
    else:
        row = conn.execute(
            """
            SELECT 1 FROM beneficiaries
            WHERE member_id = ? AND kind = 'externa' AND institution_code = ? AND number = ?
            """,
            (member_id, payload["institution_code"], payload["number"]),
        ).fetchone()
        message = _(
            "La cuenta {number} de {institution} ya está en sus Productos de terceros."
        ).format(number=payload["number"], institution=payload["institution_name"])
    if row is not None:
        raise ApiError(409, "duplicate", message, "number")


def _id_problem(id_type: IdType, id_number: str) -> str | None:
    if id_type is IdType.CEDULA:
        return rules.cedula_error(id_number)
    if id_type is IdType.RUC:
        return rules.ruc_error(id_number)
    # pasaporte: the model's pattern already asks for 5..20 capital letters and digits
    return None


def _draft(
    conn: Connection,
    member: CurrentMember,
    body: InternalBeneficiaryRequest | ExternalBeneficiaryRequest,
) -> _Draft:
    """Checks a BeneficiaryRequest in the order of the form; the first problem is raised."""
    if isinstance(body, InternalBeneficiaryRequest):
        target = resolve_internal(conn, member, body.account_type, body.number)
        payload: dict[str, Any] = {
            "kind": BeneficiaryKind.INTERNA.value,
            "account_type": body.account_type.value,
            "account_id": target.account_id,
            "number": target.registered_number,
            "name": target.masked_name,
        }
        account_type = body.account_type

        def confirms() -> str:
            return _(
                "el registro de la cuenta {number} ({account_type}) de {name}, de "
                "{institution}, en sus Productos de terceros"
            ).format(
                number=target.registered_number,
                account_type=ACCOUNT_TYPE_LABELS[account_type].lower(),
                name=target.masked_name,
                institution=COOPERATIVE_NAME,
            )

        _duplicate(conn, member.id, payload)
        return _Draft(target.payee, payload, confirms)

    institution = conn.execute(
        "SELECT code, name FROM institutions WHERE code = ?", (body.institution_code,)
    ).fetchone()
    if institution is None:
        raise invalid("institution_code", _("Institución: elija una de la lista de instituciones."))
    problem = _id_problem(body.id_type, body.id_number)
    if problem is not None:
        raise invalid("id_number", problem)
    name = clean_text(body.name, "name", _("Nombre del titular"), minimum=2)
    if body.email is not None:
        email_problem = rules.email_error(body.email)
        if email_problem is not None:  # pragma: no cover - the model's pattern is the same
            raise invalid("email", email_problem)
    payload = {
        "kind": BeneficiaryKind.EXTERNA.value,
        "institution_code": institution["code"],
        "institution_name": institution["name"],
        "account_type": body.account_type.value,
        "number": body.number,
        "id_type": body.id_type.value,
        "id_number": body.id_number,
        "name": name,
        "email": body.email.strip() if body.email else None,
    }
    external_type = EXTERNAL_TYPE_LABELS[ExternalAccountType(body.account_type)]
    institution_name, number = str(institution["name"]), body.number

    def confirms_external() -> str:
        return _(
            "el registro de la cuenta de {account_type} {number} de {name}, de {institution}, "
            "en sus Productos de terceros"
        ).format(
            account_type=_(external_type),
            number=number,
            name=name,
            institution=institution_name,
        )

    _duplicate(conn, member.id, payload)
    return _Draft(f"externa:{institution['code']}:{body.number}", payload, confirms_external)


@router.post(
    "/beneficiaries",
    status_code=201,
    response_model=Challenge,
    responses={404: ERROR_RESPONSE, 409: ERROR_RESPONSE, 422: ERROR_RESPONSE, 429: ERROR_RESPONSE},
    summary="AGREGAR: start registering a beneficiary; the PIN is e-mailed",
)
def add_beneficiary(
    body: BeneficiaryBody, member: Socio, idem: BeneficiaryKey, state: State, conn: Conn
) -> Response:
    replayed = idem.stored_answer(conn)
    if replayed is not None:
        return replayed
    # The PIN's argon2 hash is made before the write lock, for a request that can succeed.
    prepared: pin.PreparedPin | None = None
    with contextlib.suppress(ApiError):  # the effect raises it again, stored with the key
        prepared = pin.prepare(state.passwords, None, _draft(conn, member, body).payee)

    def effect() -> Outcome:
        now = state.clock.now()
        draft = _draft(conn, member, body)
        challenge = pin.store(
            conn,
            state.passwords,
            prepared,
            now,
            member_id=member.id,
            purpose=ChallengePurpose.BENEFICIARY,
            amount_cents=None,
            payee=draft.payee,
            confirms=draft.confirms,
            payload=json.dumps(draft.payload, ensure_ascii=False, sort_keys=True),
            limits=state.pin_limits,
        )
        return Outcome(201, challenge)

    return idem.run(conn, effect)


def confirm_beneficiary(
    conn: Connection, member: CurrentMember, payload_json: str, now: datetime
) -> Beneficiary:
    """Inserts the beneficiary of a confirmed challenge, after checking again what the start
    checked (the account still open and not the member's; not registered meanwhile)."""
    payload: dict[str, Any] = json.loads(payload_json)
    if payload["kind"] == BeneficiaryKind.INTERNA:
        account = conn.execute(
            """
            SELECT holder_id FROM accounts
            WHERE id = ? AND kind = 'member' AND status <> 'cerrada'
            """,
            (payload["account_id"],),
        ).fetchone()
        if account is None:
            raise ApiError(404, "not_found", _("La cuenta ya no está disponible."), "number")
        if account["holder_id"] == member.holder_id:  # pragma: no cover - refused at start
            raise ApiError(422, "own_account", _("Esa cuenta es suya."), "number")
    else:
        known = conn.execute(
            "SELECT 1 FROM institutions WHERE code = ?", (payload["institution_code"],)
        ).fetchone()
        if known is None:  # pragma: no cover - institutions are reference data
            raise invalid("institution_code", _("Institución: elija una de la lista."))
    _duplicate(conn, member.id, payload)
    interna = payload["kind"] == BeneficiaryKind.INTERNA
    beneficiary_id = conn.execute(
        """
        INSERT INTO beneficiaries (member_id, kind, number, account_type, account_id,
            institution_code, id_type, id_number, name, email, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
        """,
        (
            member.id,
            payload["kind"],
            payload["number"],
            payload["account_type"],
            payload["account_id"] if interna else None,
            None if interna else payload["institution_code"],
            None if interna else payload["id_type"],
            None if interna else payload["id_number"],
            payload["name"],
            None if interna else payload["email"],
            to_db(now),
        ),
    ).fetchone()[0]
    assert beneficiary_id is not None
    beneficiary = beneficiary_model(own_beneficiary(conn, member.id, beneficiary_id))
    whom = conn.execute(
        "SELECT email, full_name, language FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    with mail.writing_to(conn, member.id, whom["language"]):
        type_label = (
            ACCOUNT_TYPE_LABELS[AccountType(beneficiary.account_type)]
            if interna
            else _("Cuenta de {account_type}").format(
                account_type=_(EXTERNAL_TYPE_LABELS[ExternalAccountType(beneficiary.account_type)])
            )
        )
        mail.beneficiary_added(
            conn,
            now,
            to=whom["email"],
            member_id=member.id,
            name=whom["full_name"],
            description=_(
                "Titular: {name}\nInstitución: {institution}\n{account_type} número {number}"
            ).format(
                name=beneficiary.name,
                institution=beneficiary.institution_name,
                account_type=type_label,
                number=beneficiary.number,
            ),
            language=whom["language"],
        )
    return beneficiary


@router.delete(
    "/beneficiaries/{beneficiary_id:int}",
    status_code=204,
    response_class=Response,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Remove a beneficiary (past transfers keep their copy of the payee)",
)
def delete_beneficiary(
    beneficiary_id: BeneficiaryId,
    member: Socio,
    idem: BeneficiaryKey,
    state: State,
    conn: Conn,
) -> Response:
    def effect() -> Outcome:
        now = state.clock.now()
        own_beneficiary(conn, member.id, beneficiary_id)
        # A transfer still waiting for its PIN cannot go to an account no longer registered.
        pending = conn.execute(
            """
            SELECT id FROM transfers
            WHERE beneficiary_id = ? AND status = 'pendiente_verificacion'
            """,
            (beneficiary_id,),
        ).fetchall()
        for row in pending:
            cancel_transfer(conn, row["id"], DELETED_REASON)
            conn.execute(
                """
                UPDATE challenges SET status = 'cancelado', resolved_at = ?
                WHERE transfer_id = ? AND status = 'pendiente'
                """,
                (to_db(now), row["id"]),
            )
        # transfers.beneficiary_id is ON DELETE SET NULL: their to_* copies stay.
        conn.execute("DELETE FROM beneficiaries WHERE id = ?", (beneficiary_id,))
        return Outcome(204)

    return idem.run(conn, effect)
