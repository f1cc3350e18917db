"""TRANSFERENCIAS: entre cuentas propias (own), internas a terceros (internal), a otras
instituciones (interbank). The steps of the operation pipeline for them
(:mod:`mock_server.domain.operations`): plan, execute, cancel, receipt.

propias are executed at once (no PIN: one write transaction, no argon2); the others are stored
``pendiente_verificacion`` with a PIN challenge and executed when it is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_server.domain import mail, notifications, reasons
from mock_server.domain.accounts import (
    COOPERATIVE_CODE,
    COOPERATIVE_NAME,
    own_account,
    require_active,
    require_funds,
    statement_name,
)
from mock_server.domain.beneficiaries import beneficiary_model, beneficiary_payee, own_beneficiary
from mock_server.domain.errors import Conflict, NotFound
from mock_server.domain.ledger import COMPENSACION_NUMBER, Leg, internal_account_id, post_transfer
from mock_server.domain.limits import require_within_limits
from mock_server.domain.members import CurrentMember
from mock_server.domain.money import money
from mock_server.domain.text import clean_text, invalid, short_name
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row, contacts
from mock_server.store import accounts as account_store
from mock_server.store import operations as operation_store
from mock_server.store import transfers as store
from mock_server.store.timestamps import from_db, to_db
from sjvirtual_tui.models import (
    BeneficiaryKind,
    IdType,
    Transfer,
    TransferKind,
    TransferRequest,
    TransferStatus,
)

TRANSFER_NOT_FOUND_MESSAGE = N_("Transferencia no encontrada.")
NO_LONGER_REGISTERED_MESSAGE = N_("La cuenta destino ya no está en sus Productos de terceros.")
# A challenge cancelled before (wrong PINs, or its beneficiary deleted), confirmed again.
CLOSED_MESSAGE = N_("Esta operación fue cancelada. Vuelva a empezarla para recibir un PIN nuevo.")

TRANSFER_STATUS_LABELS = {
    TransferStatus.PENDIENTE: N_("PENDIENTE DE VERIFICACIÓN"),
    TransferStatus.COMPLETADA: N_("COMPLETADA"),
    TransferStatus.EN_PROCESO: N_("EN PROCESO (la otra institución la acreditará en unos minutos)"),
    TransferStatus.RECHAZADA: N_("RECHAZADA"),
    TransferStatus.CANCELADA: N_("CANCELADA"),
}

# A transfer as stored (``transfers.*`` and its origin's ``from_number``): read from the store,
# or built while it is executed.
TransferRow = Row | dict[str, Any]


# --- plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferPlan:
    """A checked transfer request, ready to be stored (and executed)."""

    kind: TransferKind
    origin: Row
    destination: Row | None  # propias and internas: the account credited
    beneficiary_id: int | None
    to_account: str
    to_name: str
    to_institution: str
    to_institution_code: str
    amount_cents: int
    description: str
    payee: str | None  # what the PIN is bound to (None for propias)
    # propias: the holder's name and kind (for the statements' texts)
    holder_kind: str | None = None

    def confirms(self) -> str:
        """What a transfer's PIN confirms, in its e-mail (in the current language)."""
        return _(
            "la transferencia de {amount} desde su cuenta {origin} a {name}, cuenta {number} de "
            "{institution}"
        ).format(
            amount=money(self.amount_cents),
            origin=self.origin["number"],
            name=self.to_name,
            number=self.to_account,
            institution=self.to_institution,
        )

    def stored(self, member_id: int) -> dict[str, Any]:
        """The columns of the transfer this plan stores."""
        return {
            "member_id": member_id,
            "kind": self.kind.value,
            "from_account_id": self.origin["id"],
            "to_account_id": self.destination["id"] if self.destination is not None else None,
            "beneficiary_id": self.beneficiary_id,
            "to_account": self.to_account,
            "to_name": self.to_name,
            "to_institution": self.to_institution,
            "to_institution_code": self.to_institution_code,
            "amount_cents": self.amount_cents,
            "description": self.description,
        }


def check_transfer(
    conn: Connection,
    member: CurrentMember,
    now: datetime,
    *,
    kind: TransferKind,
    origin: Row,
    destination: Row | None,
    amount_cents: int,
) -> None:
    """What the start checks and the confirmation checks again: status, limits, funds."""
    require_active(origin, origin=True)
    if destination is not None:
        require_active(destination, origin=False)
    if kind is not TransferKind.PROPIAS:
        require_within_limits(conn, member.id, now, amount_cents)
    require_funds(origin, amount_cents)


def _check_shape(body: TransferRequest) -> None:
    """Which destination the kind asks for: an own account, or a beneficiary."""
    if body.kind is TransferKind.PROPIAS:
        if body.to_account is None:
            raise invalid("to_account", _("Cuenta destino: elija la cuenta propia que recibe."))
        if body.beneficiary_id is not None:
            raise invalid(
                "beneficiary_id",
                _(
                    "Cuenta destino: entre cuentas propias se elige una cuenta suya, no una de "
                    "Productos de terceros."
                ),
            )
    else:
        if body.beneficiary_id is None:
            raise invalid(
                "beneficiary_id",
                _("Cuenta destino: elija una cuenta de sus Productos de terceros."),
            )
        if body.to_account is not None:
            raise invalid(
                "to_account",
                _(
                    "Cuenta destino: a terceros se transfiere a una cuenta de Productos de "
                    "terceros."
                ),
            )


def plan_transfer(
    conn: Connection, member: CurrentMember, now: datetime, body: TransferRequest
) -> TransferPlan:
    """Checks a TransferRequest in the order of the form; the first problem is raised."""
    _check_shape(body)
    text = clean_text(body.description, "description", _("Descripción"))
    if body.kind is TransferKind.PROPIAS:
        return _plan_propias(conn, member, now, body, text)
    origin = own_account(conn, member, body.from_account)
    assert body.beneficiary_id is not None
    beneficiary = own_beneficiary(conn, member.id, body.beneficiary_id)
    wanted = (
        BeneficiaryKind.INTERNA if body.kind is TransferKind.INTERNAS else BeneficiaryKind.EXTERNA
    )
    if beneficiary["kind"] != wanted:
        raise invalid(
            "beneficiary_id",
            _(
                "Esa cuenta es de otra institución: use Transferencias a otras instituciones "
                "financieras."
            )
            if wanted is BeneficiaryKind.INTERNA
            else _("Esa cuenta es de la cooperativa: use Transferencias internas a terceros."),
        )
    destination: Row | None = None
    if wanted is BeneficiaryKind.INTERNA:
        destination = account_store.by_id(conn, beneficiary["account_id"])
    model = beneficiary_model(beneficiary)
    return _checked(
        conn,
        member,
        now,
        TransferPlan(
            kind=body.kind,
            origin=origin,
            destination=destination,
            beneficiary_id=beneficiary["id"],
            to_account=model.number,
            to_name=model.name,
            to_institution=model.institution_name,
            to_institution_code=model.institution_code,
            amount_cents=body.amount_cents,
            description=text,
            payee=beneficiary_payee(beneficiary),
        ),
    )


def _plan_propias(
    conn: Connection, member: CurrentMember, now: datetime, body: TransferRequest, text: str
) -> TransferPlan:
    """Both accounts (and the holder's name) in one read: the fast path's plan."""
    assert body.to_account is not None
    found = account_store.of_holder_for_move(
        conn, member.id, member.holder_id, [body.from_account, body.to_account]
    )
    origin = found.get(body.from_account)
    if origin is None:
        own_account(conn, member, body.from_account)  # raises its NotFound
    destination = found.get(body.to_account)
    if destination is None:
        own_account(conn, member, body.to_account)  # raises its NotFound
    assert origin is not None and destination is not None
    if destination["id"] == origin["id"]:
        raise invalid("to_account", _("La cuenta destino debe ser distinta de la cuenta origen."))
    return _checked(
        conn,
        member,
        now,
        TransferPlan(
            kind=TransferKind.PROPIAS,
            origin=origin,
            destination=destination,
            beneficiary_id=None,
            to_account=destination["number"],
            to_name=origin["holder_name"],
            to_institution=COOPERATIVE_NAME,
            to_institution_code=COOPERATIVE_CODE,
            amount_cents=body.amount_cents,
            description=text,
            payee=None,
            holder_kind=origin["holder_kind"],
        ),
    )


def _checked(
    conn: Connection, member: CurrentMember, now: datetime, plan: TransferPlan
) -> TransferPlan:
    """A plan, once the rules of every transfer (:func:`check_transfer`) hold for it."""
    check_transfer(
        conn,
        member,
        now,
        kind=plan.kind,
        origin=plan.origin,
        destination=plan.destination,
        amount_cents=plan.amount_cents,
    )
    return plan


# --- store and read -----------------------------------------------------------------------------


def insert_transfer(
    conn: Connection, member: CurrentMember, plan: TransferPlan, now: datetime
) -> int:
    """Stores the plan as a transfer pendiente_verificacion; returns its id."""
    return operation_store.insert_awaiting_pin(conn, "transfers", plan.stored(member.id), now)


def load_transfer(conn: Connection, member_id: int, transfer_id: int) -> Row:
    row = operation_store.of_member(conn, "transfers", member_id, transfer_id)
    if row is None:
        raise NotFound("not_found", _(TRANSFER_NOT_FOUND_MESSAGE))
    return row


def get_transfer(conn: Connection, member: CurrentMember, transfer_id: int) -> Transfer:
    return transfer_model(load_transfer(conn, member.id, transfer_id))


def list_transfers(conn: Connection, member: CurrentMember, limit: int) -> list[Transfer]:
    """The member's executed transfers (completada, en_proceso, rechazada), newest first."""
    return [
        transfer_model(row) for row in operation_store.executed(conn, "transfers", member.id, limit)
    ]


def transfer_model(row: TransferRow) -> Transfer:
    def when(column: str) -> datetime | None:
        value = row[column]
        return from_db(value) if value else None

    return Transfer(
        id=row["id"],
        reference=row["reference"],
        kind=TransferKind(row["kind"]),
        status=TransferStatus(row["status"]),
        from_account=row["from_number"],
        to_account=row["to_account"],
        to_name=row["to_name"],
        to_institution=row["to_institution"],
        amount_cents=row["amount_cents"],
        description=row["description"],
        created_at=from_db(row["created_at"]),
        executed_at=when("executed_at"),
        settled_at=when("settled_at"),
        reason=reasons.shown(row["reason"]),
    )


def destination_text(row: TransferRow) -> str:
    """The destination as a receipt shows it (in the current language: call it inside
    :func:`mock_server.domain.mail.writing_to`)."""
    if row["kind"] == TransferKind.PROPIAS:
        return _("Cuenta propia {number}").format(number=row["to_account"])
    return _("{name} · cuenta {number} · {institution}").format(
        name=row["to_name"], number=row["to_account"], institution=row["to_institution"]
    )


# --- execute ------------------------------------------------------------------------------------


def confirm_transfer(
    conn: Connection, member: CurrentMember, transfer_id: int, now: datetime
) -> Transfer:
    """Executes the transfer of a confirmed challenge after checking again what the start
    checked (time has passed: funds, limits, the accounts' status, the beneficiary).

    Few round trips: the transfer, then both accounts with their holders (locked on
    PostgreSQL) in one read, the limits in one, then the journal.
    """
    row = _as_dict(load_transfer(conn, member.id, transfer_id))
    if row["status"] != TransferStatus.PENDIENTE:  # pragma: no cover - challenge checked first
        raise Conflict("challenge_cancelled", _(CLOSED_MESSAGE))
    kind = TransferKind(row["kind"])
    if kind is not TransferKind.PROPIAS and row["beneficiary_id"] is None:
        # pragma: no cover - deleting the beneficiary cancels the transfer and its challenge
        raise Conflict("account_unavailable", _(NO_LONGER_REGISTERED_MESSAGE))
    ids = [row["from_account_id"]]
    if row["to_account_id"] is not None:
        ids.append(row["to_account_id"])
    accounts = account_store.for_move(conn, ids, member.id)
    origin = accounts[row["from_account_id"]]
    destination = accounts[row["to_account_id"]] if row["to_account_id"] is not None else None
    check_transfer(
        conn,
        member,
        now,
        kind=kind,
        origin=origin,
        destination=destination,
        amount_cents=row["amount_cents"],
    )
    return _execute(conn, member, row, origin, destination, now)


def execute_propias(
    conn: Connection, member: CurrentMember, plan: TransferPlan, now: datetime
) -> Transfer:
    """A checked propias plan, executed at once (no PIN); returns the transfer.

    The transfer is inserted, the journal posted with its reference, and the row marked
    ``completada`` (it is never seen ``pendiente_verificacion``: all of it commits together);
    nothing is read back.
    """
    if plan.kind is not TransferKind.PROPIAS or plan.destination is None:
        raise ValueError("execute_propias executes propias plans only")
    values = plan.stored(member.id)
    transfer_id, reference = operation_store.insert_pending(conn, "transfers", values, now)
    stamp = to_db(now)
    row: dict[str, Any] = {
        **values,
        "id": transfer_id,
        "reference": reference,
        "status": TransferStatus.PENDIENTE.value,
        "created_at": stamp,
        "executed_at": None,
        "settled_at": None,
        "reason": None,
        "journal_id": None,
        "settlement_journal_id": None,
        "from_number": plan.origin["number"],
    }
    return _execute(conn, member, row, plan.origin, plan.destination, now)


def _execute(
    conn: Connection,
    member: CurrentMember,
    row: dict[str, Any],
    origin: Row,
    destination: Row | None,
    now: datetime,
) -> Transfer:
    """The execute and receipt steps of a checked transfer (its stored row): the journal, the
    row marked executed, the receipt e-mailed."""
    legs = _legs(conn, row, origin, destination)
    status, journal_id = _move_money(conn, row, legs, now)
    executed_at = operation_store.mark_executed(
        conn, "transfers", row["id"], status.value, now, journal_id
    )
    # The stored row as it now is (only these columns changed): no need to read it back.
    row.update(status=status.value, executed_at=executed_at, journal_id=journal_id)
    email_receipt(conn, member, row, now, contact=origin)
    if row["kind"] == TransferKind.INTERNAS and destination is not None:
        # The other socio is told of the credit (issue 17), in this same transaction.
        notifications.transfer_received(
            conn,
            now,
            to_account_id=destination["id"],
            to_number=destination["number"],
            sender_id=member.id,
            payer=statement_name(origin["holder_name"], origin["holder_kind"]),
            reference=row["reference"],
            amount_cents=row["amount_cents"],
            description=row["description"],
        )
    return transfer_model(row)


def _as_dict(row: Row) -> dict[str, Any]:
    return dict(zip(row.keys(), row, strict=True))


def _legs(
    conn: Connection, row: TransferRow, origin: Row, destination: Row | None
) -> tuple[str, TransferStatus, Leg, Leg]:
    """(journal kind, status after, debit, credit) of a transfer; ``origin`` and
    ``destination`` carry their holders' names and kinds."""
    reference = row["reference"]
    kind = TransferKind(row["kind"])
    if kind is TransferKind.PROPIAS:
        return (
            "trf_propia",
            TransferStatus.COMPLETADA,
            Leg(
                row["from_account_id"],
                f"Transferencia a cuenta propia {row['to_account']} · {reference}",
            ),
            Leg(
                row["to_account_id"],
                f"Transferencia desde cuenta propia {row['from_number']} · {reference}",
            ),
        )
    if kind is TransferKind.INTERNAS:
        assert destination is not None
        payee = statement_name(destination["holder_name"], destination["holder_kind"])
        payer = statement_name(origin["holder_name"], origin["holder_kind"])
        return (
            "trf_interna",
            TransferStatus.COMPLETADA,
            Leg(row["from_account_id"], f"Transferencia a {payee} · {reference}"),
            Leg(row["to_account_id"], f"Transferencia de {payer} · {reference}"),
        )
    company = store.beneficiary_id_type(conn, row["beneficiary_id"]) == IdType.RUC
    payee = short_name(row["to_name"], company=company)
    return (
        "trf_interbancaria",
        TransferStatus.EN_PROCESO,
        Leg(
            row["from_account_id"],
            f"Transferencia a {payee} ({row['to_institution']}) · {reference}",
        ),
        Leg(
            internal_account_id(conn, COMPENSACION_NUMBER),
            f"{reference} a {row['to_institution']} · cta. {row['from_number']}",
        ),
    )


def _move_money(
    conn: Connection,
    row: TransferRow,
    legs: tuple[str, TransferStatus, Leg, Leg],
    now: datetime,
) -> tuple[TransferStatus, int]:
    """Posts the journal of a transfer (its row, stored or about to be); (status, journal id)."""
    journal_kind, status, debit, credit = legs
    reference = row["reference"]
    journal_id = post_transfer(
        conn,
        now,
        kind=journal_kind,
        description=f"{reference} · {row['description']}",
        reference=reference,
        amount_cents=row["amount_cents"],
        debit=debit,
        credit=credit,
    )
    return status, journal_id


def email_receipt(
    conn: Connection,
    member: CurrentMember,
    row: TransferRow,
    now: datetime,
    *,
    contact: Row | None = None,
) -> None:
    """The receipt of an executed transfer, to the member (in the member's language).
    ``contact``: a row with the member's ``member_email``, ``member_full_name`` and
    ``member_language``, when read already (:func:`mock_server.store.accounts.for_move`)."""
    if contact is None:
        whom = contacts.of_member(conn, member.id)
        email, name, language = whom["email"], whom["full_name"], whom["language"]
    else:
        email, name = contact["member_email"], contact["member_full_name"]
        language = contact["member_language"]
    with mail.writing_to(conn, member.id, language):
        mail.transfer_receipt(
            conn,
            now,
            to=email,
            member_id=member.id,
            name=name,
            reference=row["reference"],
            executed_at=now,
            origin=row["from_number"],
            destination=destination_text(row),
            amount=money(row["amount_cents"]),
            description=row["description"],
            status=_(TRANSFER_STATUS_LABELS[TransferStatus(row["status"])]),
            language=language,
        )


def cancel_transfer(conn: Connection, transfer_id: int, reason: str) -> None:
    """A transfer that awaited its PIN is cancelada (the PIN expired, was wrong 3 times...)."""
    operation_store.cancel(conn, "transfers", transfer_id, reason)
