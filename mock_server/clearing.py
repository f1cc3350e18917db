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

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from mock_server import db, mail, pin
from mock_server.banking import Socio, destination_text
from mock_server.deps import Conn, CurrentMember, Member, State
from mock_server.ledger import (
    COMPENSACION_NUMBER,
    SALIDAS_NUMBER,
    Leg,
    internal_account_id,
    post_transfer,
)
from sjvirtual_tui.formatting import money

DEFAULT_DELAY_SECONDS = 60


@dataclass(frozen=True)
class ClearingSettings:
    """``create_app``'s clearing setting; kept on ``app.state.clearing``."""

    delay_seconds: int = DEFAULT_DELAY_SECONDS


def get_clearing(request: Request) -> ClearingSettings:
    settings: ClearingSettings = request.app.state.clearing
    return settings


def settle_due(conn: sqlite3.Connection, now: datetime, delay_seconds: int) -> int:
    """Settles every en_proceso transfer executed ``delay_seconds`` ago or earlier.

    Returns how many this call settled (another request may have settled some first).
    """
    cutoff = db.to_db(now - timedelta(seconds=delay_seconds))
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
        with db.write_transaction(conn):
            settled += settle(conn, transfer_id, now)
    return settled


def settle(conn: sqlite3.Connection, transfer_id: int, now: datetime) -> bool:
    """The clearing's answer for one transfer (inside the caller's write transaction).

    False when the transfer is no longer en_proceso (settled by someone else meanwhile).
    """
    row = conn.execute(
        """
        SELECT t.*, a.number AS from_number, m.email, m.full_name
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
        reason = (
            f"{row['to_institution']} rechazó la transferencia: la cuenta destino está cerrada."
        )
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
        (status, db.to_db(now), journal_id, reason, transfer_id),
    )
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
        reason=reason,
    )
    return True


def catch_up(conn: sqlite3.Connection, now: datetime, delay_seconds: int) -> None:
    """What is due before a read: settlements, and PINs that expired unused."""
    settle_due(conn, now, delay_seconds)
    pin.expire_due(conn, now)


def settled_member(
    member: Member,
    state: State,
    conn: Conn,
    clearing: Annotated[ClearingSettings, Depends(get_clearing)],
) -> CurrentMember:
    """The session's member, after the clearing caught up (for routes that read money)."""
    catch_up(conn, state.clock.now(), clearing.delay_seconds)
    return member


Settled = Annotated[CurrentMember, Depends(settled_member)]


def settled_socio(member: Socio, settled: Settled) -> CurrentMember:
    return member


SettledSocio = Annotated[CurrentMember, Depends(settled_socio)]
Clearing = Annotated[ClearingSettings, Depends(get_clearing)]
