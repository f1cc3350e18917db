"""Productos de terceros (REGISTRO DE CUENTAS): institutions, lookup, beneficiaries.

A new beneficiary is started with a PIN challenge (:func:`start_beneficiary`) and exists once
the challenge is confirmed (:func:`confirm_beneficiary`, through
:mod:`mock_server.domain.operations`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_server.domain import mail, pin, reasons
from mock_server.domain.accounts import COOPERATIVE_CODE, COOPERATIVE_NAME, resolve_internal
from mock_server.domain.errors import Conflict, DomainError, Invalid, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.pin_limits import PinLimits
from mock_server.domain.security import PasswordChecker
from mock_server.domain.text import clean_text, invalid
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store import beneficiaries as store
from mock_server.store import challenges as challenge_store
from mock_server.store import operations as operation_store
from mock_server.store import transfers as transfer_store
from mock_server.store.timestamps import from_db
from sjvirtual_tui import rules
from sjvirtual_tui.models import (
    ACCOUNT_TYPE_LABELS,
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
)

BeneficiaryRequest = InternalBeneficiaryRequest | ExternalBeneficiaryRequest

# Module-level texts are N_() msgids, translated where they are shown: _(LABELS[key]).
EXTERNAL_TYPE_LABELS = {
    ExternalAccountType.AHORROS: N_("ahorros"),
    ExternalAccountType.CORRIENTE: N_("corriente"),
}

BENEFICIARY_NOT_FOUND_MESSAGE = N_("Esa cuenta no está en sus Productos de terceros.")
DELETED_REASON = reasons.BENEFICIARY_DELETED


def beneficiary_model(row: Row) -> Beneficiary:
    interna = row["kind"] == BeneficiaryKind.INTERNA
    return Beneficiary(
        id=row["id"],
        kind=BeneficiaryKind(row["kind"]),
        name=row["name"],
        number=row["number"],
        account_type=(
            AccountType(row["account_type"])
            if interna
            else ExternalAccountType(row["account_type"])
        ),
        institution_code=COOPERATIVE_CODE if interna else row["institution_code"],
        institution_name=COOPERATIVE_NAME if interna else row["institution_name"],
        id_type=IdType(row["id_type"]) if row["id_type"] else None,
        id_number=row["id_number"],
        email=row["email"],
        created_at=from_db(row["created_at"]),
    )


def list_beneficiaries(conn: Connection, member: CurrentMember) -> list[Beneficiary]:
    """The member's Productos de terceros, by name."""
    return [beneficiary_model(row) for row in store.of_member(conn, member.id)]


def own_beneficiary(conn: Connection, member_id: int, beneficiary_id: int) -> Row:
    """The member's beneficiary; anyone else's (or none) is the same NotFound."""
    row = store.one_of_member(conn, member_id, beneficiary_id)
    if row is None:
        raise NotFound("not_found", _(BENEFICIARY_NOT_FOUND_MESSAGE))
    return row


def beneficiary_payee(row: Row) -> str:
    """What a PIN for a transfer to this beneficiary is bound to."""
    return f"transferencia:{row['id']}:{row['number']}"


def list_institutions(conn: Connection) -> list[Institution]:
    """Otras instituciones financieras, by name."""
    return [
        Institution(code=row["code"], name=row["name"], kind=row["kind"])
        for row in store.institutions(conn)
    ]


def lookup(
    conn: Connection, member: CurrentMember, account_type: AccountType, number: str
) -> AccountLookup:
    """A cooperative account to register as a cuenta de terceros (holder partly masked)."""
    target = resolve_internal(conn, member, account_type, number)
    return AccountLookup(
        registered_number=target.registered_number,
        account_type=account_type,
        holder_name=target.masked_name,
    )


# --- AGREGAR -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BeneficiaryDraft:
    """A checked beneficiary request: what its PIN is bound to, and what confirm inserts."""

    payee: str
    payload: dict[str, Any]
    confirms: Callable[[], str]  # called in the member's language (the PIN e-mail's)


def _refuse_duplicate(conn: Connection, member_id: int, payload: dict[str, Any]) -> None:
    interna = payload["kind"] == BeneficiaryKind.INTERNA
    if not store.registered(
        conn,
        member_id,
        payload["kind"],
        payload["number"],
        None if interna else payload["institution_code"],
    ):
        return
    if interna:
        message = _("La cuenta {number} ya está en sus Productos de terceros.").format(
            number=payload["number"]
        )
    else:
        message = _(
            "La cuenta {number} de {institution} ya está en sus Productos de terceros."
        ).format(number=payload["number"], institution=payload["institution_name"])
    raise Conflict("duplicate", message, "number")


def _id_problem(id_type: IdType, id_number: str) -> str | None:
    if id_type is IdType.CEDULA:
        return rules.cedula_error(id_number)
    if id_type is IdType.RUC:
        return rules.ruc_error(id_number)
    # pasaporte: the model's pattern already asks for 5..20 capital letters and digits
    return None


def draft_beneficiary(
    conn: Connection, member: CurrentMember, body: BeneficiaryRequest
) -> BeneficiaryDraft:
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

        _refuse_duplicate(conn, member.id, payload)
        return BeneficiaryDraft(target.payee, payload, confirms)

    institution = store.institution(conn, body.institution_code)
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

    _refuse_duplicate(conn, member.id, payload)
    return BeneficiaryDraft(
        f"externa:{institution['code']}:{body.number}", payload, confirms_external
    )


def prepare_beneficiary(
    conn: Connection, passwords: PasswordChecker, member: CurrentMember, body: BeneficiaryRequest
) -> pin.PreparedPin | None:
    """The PIN's argon2 hash, made before the write transaction, for a request that can
    succeed (None for one that cannot: the start refuses it again, inside)."""
    try:
        return pin.prepare(passwords, None, draft_beneficiary(conn, member, body).payee)
    except DomainError:
        return None


def start_beneficiary(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    member: CurrentMember,
    now: datetime,
    body: BeneficiaryRequest,
    limits: PinLimits,
) -> Challenge:
    """AGREGAR (inside the write transaction): the checked request stored as a challenge
    whose PIN is e-mailed."""
    draft = draft_beneficiary(conn, member, body)
    return pin.store(
        conn,
        passwords,
        prepared,
        now,
        member_id=member.id,
        purpose=ChallengePurpose.BENEFICIARY,
        amount_cents=None,
        payee=draft.payee,
        confirms=draft.confirms,
        payload=json.dumps(draft.payload, ensure_ascii=False, sort_keys=True),
        limits=limits,
    )


def confirm_beneficiary(
    conn: Connection, member: CurrentMember, payload_json: str, now: datetime
) -> Beneficiary:
    """Inserts the beneficiary of a confirmed challenge, after checking again what the start
    checked (the account still open and not the member's; not registered meanwhile)."""
    payload: dict[str, Any] = json.loads(payload_json)
    if payload["kind"] == BeneficiaryKind.INTERNA:
        account = store.open_member_account_holder(conn, payload["account_id"])
        if account is None:
            raise NotFound("not_found", _("La cuenta ya no está disponible."), "number")
        if account["holder_id"] == member.holder_id:  # pragma: no cover - refused at start
            raise Invalid("own_account", _("Esa cuenta es suya."), "number")
    elif store.institution(conn, payload["institution_code"]) is None:
        # pragma: no cover - institutions are reference data
        raise invalid("institution_code", _("Institución: elija una de la lista."))
    _refuse_duplicate(conn, member.id, payload)
    interna = payload["kind"] == BeneficiaryKind.INTERNA
    beneficiary_id = store.insert(
        conn,
        member.id,
        {
            "kind": payload["kind"],
            "number": payload["number"],
            "account_type": payload["account_type"],
            "account_id": payload["account_id"] if interna else None,
            "institution_code": None if interna else payload["institution_code"],
            "id_type": None if interna else payload["id_type"],
            "id_number": None if interna else payload["id_number"],
            "name": payload["name"],
            "email": None if interna else payload["email"],
        },
        now,
    )
    beneficiary = beneficiary_model(own_beneficiary(conn, member.id, beneficiary_id))
    with mail.to_member(conn, member.id) as whom:
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
            **whom,
            description=_(
                "Titular: {name}\nInstitución: {institution}\n{account_type} número {number}"
            ).format(
                name=beneficiary.name,
                institution=beneficiary.institution_name,
                account_type=type_label,
                number=beneficiary.number,
            ),
        )
    return beneficiary


def delete_beneficiary(
    conn: Connection, member: CurrentMember, beneficiary_id: int, now: datetime
) -> None:
    """Removes a beneficiary (inside the write transaction): a transfer still waiting for its
    PIN cannot go to an account no longer registered, so it is cancelled with its challenge;
    past transfers keep their copy of the payee."""
    own_beneficiary(conn, member.id, beneficiary_id)
    for transfer_id in transfer_store.pending_to_beneficiary(conn, beneficiary_id):
        operation_store.cancel(conn, "transfers", transfer_id, DELETED_REASON)
        challenge_store.cancel_of_transfer(conn, transfer_id, now)
    store.delete(conn, beneficiary_id)
