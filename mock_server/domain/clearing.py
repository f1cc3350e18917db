"""The simulated interbank clearing: en_proceso transfers settle after a delay.

There is no background task: a transfer whose delay has passed is settled by the next request
that reads transfers or accounts (:func:`mock_server.domain.operations.catch_up`, through the
API's ``Settled``), so a test's clock drives it. Each settlement is its own ``BEGIN
IMMEDIATE`` transaction that checks again, under the write lock, that the transfer is still
en_proceso: two requests settling at once move the money once.

The clearing refuses the accounts of ``closed_external_accounts`` (the transfer is
``rechazada`` and the money goes back to the origin); every other transfer is ``completada``
and its money moves on from "Compensación interbancaria" to "Salidas interbancarias".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from mock_server.domain import mail, reasons
from mock_server.domain.clock import Clock
from mock_server.domain.ledger import (
    COMPENSACION_NUMBER,
    SALIDAS_NUMBER,
    Leg,
    internal_account_id,
    post_transfer,
)
from mock_server.domain.money import money
from mock_server.domain.transfers import destination_text
from mock_server.i18n import _
from mock_server.store import Connection, Row, write_transaction
from mock_server.store import clearing as store
from mock_server.store import operations as operation_store
from mock_server.testing import pause_before_clearing_lock

DEFAULT_DELAY_SECONDS = 60


@dataclass(frozen=True)
class ClearingSettings:
    """``create_app``'s clearing setting; kept on ``app.state.clearing``."""

    delay_seconds: int = DEFAULT_DELAY_SECONDS


def settle_due(conn: Connection, clock: Clock, delay_seconds: int) -> int:
    """Settles every en_proceso transfer (and external card payment) executed
    ``delay_seconds`` ago or earlier.

    Each settlement reads ``clock`` inside its write transaction: a time read before the lock
    could be earlier than that of a transfer that committed while this one waited for it.
    Returns how many this call settled (another request may have settled some first).
    """
    cutoff = clock.now() - timedelta(seconds=delay_seconds)
    due = operation_store.due(conn, "transfers", cutoff)
    settled = 0
    for transfer_id in due:
        pause_before_clearing_lock()
        with write_transaction(conn):
            settled += settle(conn, transfer_id, clock.now())
    # Payments to cards of other institutions go through the same clearing.
    due_payments = operation_store.due(conn, "payments", cutoff)
    for payment_id in due_payments:
        pause_before_clearing_lock()
        with write_transaction(conn):
            settled += settle_payment(conn, payment_id, clock.now())
    return settled


@dataclass(frozen=True)
class _Settlement:
    """What differs between settling a transfer and a payment to a card of another
    institution: the rest (the journal, the status, the e-mail) is one settlement."""

    table: Literal["transfers", "payments"]  # the operation's table
    kind_suffix: str  # of the journal kinds: liquidacion{suffix} / devolucion{suffix}
    institution: str
    destination: str  # the account or card the money went to, in the Salidas movement
    refusal: str  # why the clearing refused it, in the journal and the refund
    returned: str  # what the refund gives back: "transferencia", "pago de tarjeta"
    refused_reason: str  # the stored reason of a refusal (mock_server.domain.reasons)
    texts: mail.Settled  # of the e-mail on the answer
    notice: dict[str, str]  # what those texts name beyond the reference and the amount


def settle(conn: Connection, transfer_id: int, now: datetime) -> bool:
    """The clearing's answer for one transfer (inside the caller's write transaction).

    False when the transfer is no longer en_proceso (settled by someone else meanwhile).
    """
    row = store.in_process(conn, "transfers", transfer_id)
    if row is None:
        return False
    institution = row["to_institution"]
    settlement = _Settlement(
        table="transfers",
        kind_suffix="",
        institution=institution,
        destination=f"cta. {row['to_account']}",
        refusal="cuenta destino cerrada",
        returned="transferencia",
        refused_reason=reasons.stored(reasons.ACCOUNT_CLOSED, institution=institution),
        texts=mail.TRANSFER_SETTLED,
        notice={"destination": destination_text(row)},
    )
    _settle(conn, transfer_id, row, settlement, now)
    return True


def settle_payment(conn: Connection, payment_id: int, now: datetime) -> bool:
    """The clearing's answer for one payment to a card of another institution (inside the
    caller's write transaction): ``completada``, or ``rechazada`` for a cancelled card
    (``closed_external_cards``), with the money back in the origin. False when the payment is
    no longer en_proceso."""
    row = store.in_process(conn, "payments", payment_id)
    if row is None:
        return False
    institution = row["institution_name"]
    payee = _("la tarjeta {name} {number} de {holder}").format(
        name=row["payee_name"], number=row["payee_reference"], holder=row["holder_name"]
    )
    settlement = _Settlement(
        table="payments",
        kind_suffix="_pago",
        institution=institution,
        destination=f"tarjeta **** {row['card_last4']}",
        refusal="tarjeta cancelada",
        returned="pago de tarjeta",
        refused_reason=reasons.stored(
            reasons.CARD_CANCELLED, institution=institution, last4=row["card_last4"]
        ),
        texts=mail.PAYMENT_SETTLED,
        notice={"payee": payee},
    )
    _settle(conn, payment_id, row, settlement, now)
    return True


def _settle(conn: Connection, operation_id: int, row: Row, s: _Settlement, now: datetime) -> None:
    """Settles one en_proceso operation: ``completada`` (Compensación -> Salidas), or
    ``rechazada`` when the clearing refuses its destination (Compensación -> the origin)."""
    reference = row["reference"]
    reason: str | None = None
    if not row["closed"]:
        status = "completada"
        kind, description = "liquidacion", f"Liquidación de {reference} con {s.institution}"
        debited = f"Liquidación {reference} · {s.institution}"
        credit = Leg(
            internal_account_id(conn, SALIDAS_NUMBER),
            f"{reference} a {s.institution} · {s.destination}",
        )
    else:
        status, reason = "rechazada", s.refused_reason
        kind, description = "devolucion", f"Devolución de {reference}: {s.refusal}"
        debited = f"Devolución {reference} · cta. {row['from_number']}"
        credit = Leg(
            row["from_account_id"], f"Devolución de {s.returned} · {reference} · {s.refusal}"
        )
    journal_id = post_transfer(
        conn,
        now,
        kind=kind + s.kind_suffix,
        description=description,
        reference=reference,
        amount_cents=row["amount_cents"],
        debit=Leg(internal_account_id(conn, COMPENSACION_NUMBER), debited),
        credit=credit,
    )
    operation_store.mark_settled(conn, s.table, operation_id, status, now, journal_id, reason)
    # Written to the member who made it, in its language (whoever's request this is).
    with mail.writing_to(conn, row["member_id"], row["language"]):
        mail.settled(
            conn,
            now,
            s.texts,
            {"reference": reference, "amount": money(row["amount_cents"]), **s.notice},
            to=row["email"],
            member_id=row["member_id"],
            name=row["full_name"],
            returned_to=row["from_number"] if status == "rechazada" else None,
            reason=reasons.shown(reason),
            language=row["language"],
        )


def anything_due(conn: Connection, now: datetime, delay_seconds: int) -> bool:
    """Whether catching up has work (a settlement or an expired PIN): one read of two
    indexes, no write."""
    return store.anything_due(conn, now - timedelta(seconds=delay_seconds), now)
