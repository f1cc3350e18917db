"""The simulated interbank clearing: en_proceso transfers settle after a delay.

There is no background task: a transfer whose delay has passed is settled by the next request
that reads transfers or accounts (the :data:`Settled` dependency), so a test's clock drives it.
Each settlement is its own ``BEGIN IMMEDIATE`` transaction that checks again, under the write
lock, that the transfer is still en_proceso: two requests settling at once move the money once.

The clearing refuses the accounts of ``closed_external_accounts`` (the transfer is
``rechazada`` and the money goes back to the origin); every other transfer is ``completada``
and its money moves on from "Compensación interbancaria" to "Salidas interbancarias".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mock_server.api.deps import Conn, CurrentMember, Member, State
from mock_server.domain import mail, pin, reasons
from mock_server.domain.banking import Socio, destination_text
from mock_server.domain.clock import Clock
from mock_server.domain.ledger import (
    COMPENSACION_NUMBER,
    SALIDAS_NUMBER,
    Leg,
    internal_account_id,
    post_transfer,
)
from mock_server.domain.money import money
from mock_server.i18n import _
from mock_server.store import Connection, write_transaction
from mock_server.store.meta import to_db
from mock_server.testing import pause_before_clearing_lock

DEFAULT_DELAY_SECONDS = 60


@dataclass(frozen=True)
class ClearingSettings:
    """``create_app``'s clearing setting; kept on ``app.state.clearing``."""

    delay_seconds: int = DEFAULT_DELAY_SECONDS


async def get_clearing(request: Request) -> ClearingSettings:
    settings: ClearingSettings = request.app.state.clearing
    return settings


def settle_due(conn: Connection, clock: Clock, delay_seconds: int) -> int:
    """Settles every en_proceso transfer (and external card payment) executed
    ``delay_seconds`` ago or earlier.

    Each settlement reads ``clock`` inside its write transaction: a time read before the lock
    could be earlier than that of a transfer that committed while this one waited for it.
    Returns how many this call settled (another request may have settled some first).
    """
    cutoff = to_db(clock.now() - timedelta(seconds=delay_seconds))
    due = [
        row["id"]
        for row in conn.execute(
            """
            SELECT id FROM transfers WHERE status = 'en_proceso' AND executed_at <= ?
            ORDER BY executed_at, id
            """,
            (cutoff,),
        )
    ]
    settled = 0
    for transfer_id in due:
        pause_before_clearing_lock()
        with write_transaction(conn):
            settled += settle(conn, transfer_id, clock.now())
    # Payments to cards of other institutions go through the same clearing.
    due_payments = [
        row["id"]
        for row in conn.execute(
            """
            SELECT id FROM payments WHERE status = 'en_proceso' AND executed_at <= ?
            ORDER BY executed_at, id
            """,
            (cutoff,),
        )
    ]
    for payment_id in due_payments:
        pause_before_clearing_lock()
        with write_transaction(conn):
            settled += settle_payment(conn, payment_id, clock.now())
    return settled


def settle(conn: Connection, transfer_id: int, now: datetime) -> bool:
    """The clearing's answer for one transfer (inside the caller's write transaction).

    False when the transfer is no longer en_proceso (settled by someone else meanwhile).
    """
    row = conn.execute(
        """
        SELECT t.*, a.number AS from_number, m.email, m.full_name, m.language
        FROM transfers AS t JOIN accounts AS a ON a.id = t.from_account_id
        JOIN members AS m ON m.id = t.member_id
        WHERE t.id = ? AND t.status = 'en_proceso'
        """,
        (transfer_id,),
    ).fetchone()
    if row is None:
        return False
    closed = conn.execute(
        "SELECT 1 FROM closed_external_accounts WHERE institution_code = ? AND number = ?",
        (row["to_institution_code"], row["to_account"]),
    ).fetchone()
    reference = row["reference"]
    compensacion = internal_account_id(conn, COMPENSACION_NUMBER)
    reason: str | None = None
    if closed is None:
        status = "completada"
        journal_id = post_transfer(
            conn,
            now,
            kind="liquidacion",
            description=f"Liquidación de {reference} con {row['to_institution']}",
            reference=reference,
            amount_cents=row["amount_cents"],
            debit=Leg(compensacion, f"Liquidación {reference} · {row['to_institution']}"),
            credit=Leg(
                internal_account_id(conn, SALIDAS_NUMBER),
                f"{reference} a {row['to_institution']} · cta. {row['to_account']}",
            ),
        )
    else:
        status = "rechazada"
        reason = reasons.stored(reasons.ACCOUNT_CLOSED, institution=row["to_institution"])
        journal_id = post_transfer(
            conn,
            now,
            kind="devolucion",
            description=f"Devolución de {reference}: cuenta destino cerrada",
            reference=reference,
            amount_cents=row["amount_cents"],
            debit=Leg(compensacion, f"Devolución {reference} · cta. {row['from_number']}"),
            credit=Leg(
                row["from_account_id"],
                f"Devolución de transferencia · {reference} · cuenta destino cerrada",
            ),
        )
    conn.execute(
        """
        UPDATE transfers SET status = ?, settled_at = ?, settlement_journal_id = ?, reason = ?
        WHERE id = ?
        """,
        (status, to_db(now), journal_id, reason, transfer_id),
    )
    # Written to the member who made the transfer, in its language (whoever's request this is).
    with mail.writing_to(conn, row["member_id"], row["language"]):
        mail.transfer_settled(
            conn,
            now,
            to=row["email"],
            member_id=row["member_id"],
            name=row["full_name"],
            reference=reference,
            destination=destination_text(row),
            amount=money(row["amount_cents"]),
            returned_to=row["from_number"] if status == "rechazada" else None,
            reason=reasons.shown(reason),
            language=row["language"],
        )
    return True


def settle_payment(conn: Connection, payment_id: int, now: datetime) -> bool:
    """The clearing's answer for one payment to a card of another institution (inside the
    caller's write transaction): ``completada``, or ``rechazada`` for a cancelled card
    (``closed_external_cards``), with the money back in the origin. False when the payment is
    no longer en_proceso."""
    row = conn.execute(
        """
        SELECT p.*, a.number AS from_number, m.email, m.full_name, m.language,
               i.name AS institution_name
        FROM payments AS p JOIN accounts AS a ON a.id = p.from_account_id
        JOIN members AS m ON m.id = p.member_id
        JOIN card_issuers AS c ON c.code = p.issuer_code
        JOIN institutions AS i ON i.code = c.institution_code
        WHERE p.id = ? AND p.status = 'en_proceso'
        """,
        (payment_id,),
    ).fetchone()
    if row is None:
        return False
    closed = conn.execute(
        "SELECT 1 FROM closed_external_cards WHERE issuer_code = ? AND last4 = ?",
        (row["issuer_code"], row["card_last4"]),
    ).fetchone()
    reference, institution = row["reference"], row["institution_name"]
    card = f"tarjeta **** {row['card_last4']}"
    compensacion = internal_account_id(conn, COMPENSACION_NUMBER)
    reason: str | None = None
    if closed is None:
        status = "completada"
        journal_id = post_transfer(
            conn,
            now,
            kind="liquidacion_pago",
            description=f"Liquidación de {reference} con {institution}",
            reference=reference,
            amount_cents=row["amount_cents"],
            debit=Leg(compensacion, f"Liquidación {reference} · {institution}"),
            credit=Leg(
                internal_account_id(conn, SALIDAS_NUMBER), f"{reference} a {institution} · {card}"
            ),
        )
    else:
        status = "rechazada"
        reason = reasons.stored(
            reasons.CARD_CANCELLED, institution=institution, last4=row["card_last4"]
        )
        journal_id = post_transfer(
            conn,
            now,
            kind="devolucion_pago",
            description=f"Devolución de {reference}: tarjeta cancelada",
            reference=reference,
            amount_cents=row["amount_cents"],
            debit=Leg(compensacion, f"Devolución {reference} · cta. {row['from_number']}"),
            credit=Leg(
                row["from_account_id"],
                f"Devolución de pago de tarjeta · {reference} · tarjeta cancelada",
            ),
        )
    conn.execute(
        """
        UPDATE payments SET status = ?, settled_at = ?, settlement_journal_id = ?, reason = ?
        WHERE id = ?
        """,
        (status, to_db(now), journal_id, reason, payment_id),
    )
    with mail.writing_to(conn, row["member_id"], row["language"]):
        mail.payment_settled(
            conn,
            now,
            to=row["email"],
            member_id=row["member_id"],
            name=row["full_name"],
            reference=reference,
            payee=_("la tarjeta {name} {number} de {holder}").format(
                name=row["payee_name"], number=row["payee_reference"], holder=row["holder_name"]
            ),
            amount=money(row["amount_cents"]),
            returned_to=row["from_number"] if status == "rechazada" else None,
            reason=reasons.shown(reason),
            language=row["language"],
        )
    return True


def catch_up(conn: Connection, clock: Clock, delay_seconds: int) -> None:
    """What is due before a read: settlements, and PINs that expired unused."""
    settle_due(conn, clock, delay_seconds)
    pin.expire_due(conn, clock.now())


_ANYTHING_DUE = """
    SELECT EXISTS (SELECT 1 FROM transfers WHERE status = 'en_proceso' AND executed_at <= :cutoff)
        OR EXISTS (SELECT 1 FROM payments WHERE status = 'en_proceso' AND executed_at <= :cutoff)
        OR EXISTS (SELECT 1 FROM challenges WHERE status = 'pendiente' AND expires_at <= :now)
"""


def anything_due(conn: Connection, now: datetime, delay_seconds: int) -> bool:
    """Whether :func:`catch_up` has work: one read of two indexes, no write."""
    cutoff = to_db(now - timedelta(seconds=delay_seconds))
    params = {"cutoff": cutoff, "now": to_db(now)}
    return bool(conn.execute(_ANYTHING_DUE, params).fetchone()[0])


async def settled_member(
    member: Member,
    state: State,
    conn: Conn,
    clearing: Annotated[ClearingSettings, Depends(get_clearing)],
) -> CurrentMember:
    """The session's member, after the clearing caught up (for routes that read money).

    Whether anything is due is one indexed read (some microseconds, never waiting for a
    writer in WAL mode): asked here, on the event loop, it costs less than a trip to the
    threadpool. Only a request that finds work due goes there to settle it (writes wait for
    the write lock and fsync, which must not hold up the event loop).
    """
    if anything_due(conn, state.clock.now(), clearing.delay_seconds):
        await run_in_threadpool(catch_up, conn, state.clock, clearing.delay_seconds)
    return member


Settled = Annotated[CurrentMember, Depends(settled_member)]


async def settled_socio(member: Socio, settled: Settled) -> CurrentMember:
    return member


SettledSocio = Annotated[CurrentMember, Depends(settled_socio)]
Clearing = Annotated[ClearingSettings, Depends(get_clearing)]
