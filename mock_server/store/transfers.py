"""TRANSFERENCIAS as stored: insert, read, execute, settle, cancel; the day's sum for limits."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

_SELECT = """
    SELECT t.*, a.number AS from_number FROM transfers AS t
    JOIN accounts AS a ON a.id = t.from_account_id
"""


def reference_of(transfer_id: int) -> str:
    return f"TRF-{transfer_id:07d}"


def insert(conn: Connection, values: Mapping[str, Any], now: datetime) -> tuple[int, str]:
    """Stores a transfer ``pendiente_verificacion``; returns its (id, reference).

    ``values``: member_id, kind, from_account_id, to_account_id, beneficiary_id, to_account,
    to_name, to_institution, to_institution_code, amount_cents, description. The id is the
    database's (``RETURNING id``); the reference is made of it.
    """
    transfer_id = int(
        conn.execute(
            """
            INSERT INTO transfers (reference, member_id, kind, status, from_account_id,
                to_account_id, beneficiary_id, to_account, to_name, to_institution,
                to_institution_code, amount_cents, description, created_at)
            VALUES (:placeholder, :member_id, :kind, 'pendiente_verificacion',
                :from_account_id, :to_account_id, :beneficiary_id, :to_account, :to_name,
                :to_institution, :to_institution_code, :amount_cents, :description, :created_at)
            RETURNING id
            """,
            {**values, "placeholder": secrets.token_hex(12), "created_at": to_db(now)},
        ).fetchone()[0]
    )
    reference = reference_of(transfer_id)
    conn.execute("UPDATE transfers SET reference = ? WHERE id = ?", (reference, transfer_id))
    return transfer_id, reference


def insert_executed(conn: Connection, values: Mapping[str, Any], now: datetime) -> tuple[int, str]:
    """Starts a transfer that is executed in the same transaction (no PIN): its row is
    inserted with a provisional reference, and :func:`mark_executed` writes the real one with
    the journal. Returns (id, reference)."""
    transfer_id = int(
        conn.execute(
            """
            INSERT INTO transfers (reference, member_id, kind, status, from_account_id,
                to_account_id, beneficiary_id, to_account, to_name, to_institution,
                to_institution_code, amount_cents, description, created_at)
            VALUES (:placeholder, :member_id, :kind, 'pendiente_verificacion',
                :from_account_id, :to_account_id, :beneficiary_id, :to_account, :to_name,
                :to_institution, :to_institution_code, :amount_cents, :description, :created_at)
            RETURNING id
            """,
            {**values, "placeholder": secrets.token_hex(12), "created_at": to_db(now)},
        ).fetchone()[0]
    )
    return transfer_id, reference_of(transfer_id)


def mark_executed(
    conn: Connection, transfer_id: int, status: str, now: datetime, journal_id: int
) -> str:
    """The money moved: status, execution time, journal (and the reference, for a row of
    :func:`insert_executed`). Returns the stored execution time."""
    executed_at = to_db(now)
    conn.execute(
        """
        UPDATE transfers SET status = ?, executed_at = ?, journal_id = ?, reference = ?
        WHERE id = ?
        """,
        (status, executed_at, journal_id, reference_of(transfer_id), transfer_id),
    )
    return executed_at


def of_member(conn: Connection, member_id: int, transfer_id: int) -> Row | None:
    """The member's transfer with its origin's ``from_number`` (another member's is None)."""
    row: Row | None = conn.execute(
        f"{_SELECT} WHERE t.id = ? AND t.member_id = ?", (transfer_id, member_id)
    ).fetchone()
    return row


def executed(conn: Connection, member_id: int, limit: int) -> list[Row]:
    return conn.execute(
        f"""
        {_SELECT}
        WHERE t.member_id = ? AND t.status IN ('completada', 'en_proceso', 'rechazada')
        ORDER BY t.executed_at DESC, t.id DESC LIMIT ?
        """,
        (member_id, limit),
    ).fetchall()


def cancel(conn: Connection, transfer_id: int, reason: str) -> None:
    conn.execute(
        """
        UPDATE transfers SET status = 'cancelada', reason = ?
        WHERE id = ? AND status = 'pendiente_verificacion'
        """,
        (reason, transfer_id),
    )


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
