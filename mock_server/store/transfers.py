"""TRANSFERENCIAS as stored, beyond what they share with payments (:mod:`.operations`):
the pending ones to a beneficiary, the limits and the day's sum."""

from __future__ import annotations

from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db


def pending_to_beneficiary(conn: Connection, beneficiary_id: int) -> list[int]:
    """The ids of the transfers to a beneficiary that await their PIN."""
    rows = conn.execute(
        """
        SELECT id FROM transfers
        WHERE beneficiary_id = ? AND status = 'pendiente_verificacion'
        """,
        (beneficiary_id,),
    ).fetchall()
    return [int(row["id"]) for row in rows]


def beneficiary_id_type(conn: Connection, beneficiary_id: int | None) -> str | None:
    row = conn.execute(
        "SELECT id_type FROM beneficiaries WHERE id = ?", (beneficiary_id,)
    ).fetchone()
    return None if row is None else row["id_type"]


def limits_and_used(
    conn: Connection, member_id: int, start: datetime, end: datetime
) -> tuple[int | None, int | None, int]:
    """In one statement: the member's own limits (per transaction, daily; None when not set)
    and what counts toward the daily limit in [start, end): executed transfers to third
    parties and payments to cards of other institutions (paid like an interbancaria); a
    returned (rechazada) one does not."""
    row = conn.execute(
        """
        SELECT
            (SELECT per_transaction_cents FROM transfer_limits WHERE member_id = :member),
            (SELECT daily_cents FROM transfer_limits WHERE member_id = :member),
            (
                SELECT COALESCE(SUM(amount_cents), 0) FROM transfers
                WHERE member_id = :member AND executed_at >= :start AND executed_at < :end
                  AND kind IN ('internas', 'interbancarias')
                  AND status IN ('completada', 'en_proceso')
            ) + (
                SELECT COALESCE(SUM(amount_cents), 0) FROM payments
                WHERE member_id = :member AND executed_at >= :start AND executed_at < :end
                  AND kind = 'tarjeta_externa' AND status IN ('completada', 'en_proceso')
            )
        """,
        {"member": member_id, "start": to_db(start), "end": to_db(end)},
    ).fetchone()
    return row[0], row[1], int(row[2])
