"""What transfers and payments share as stored: a row ``pendiente_verificacion`` whose id
makes its reference, read with its origin's number, executed, cancelled, listed, and found by
the clearing. ``table``: ``transfers`` or ``payments`` (never a value from a request)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

Table = Literal["transfers", "payments", "polizas", "loan_payments"]
# polizas, loan_payments: issue 17
_PREFIX: dict[str, str] = {
    "transfers": "TRF",
    "payments": "PAG",
    "polizas": "POL",
    "loan_payments": "PRE",
}


def _table(table: Table) -> str:
    if table not in _PREFIX:
        raise ValueError(table)
    return table


def reference_of(table: Table, operation_id: int) -> str:
    """TRF-0000123 / PAG-0000123: the reference is made of the database's id."""
    return f"{_PREFIX[_table(table)]}-{operation_id:07d}"


def insert_pending(
    conn: Connection, table: Table, values: Mapping[str, Any], now: datetime
) -> tuple[int, str]:
    """Inserts a row ``pendiente_verificacion`` (``values``: its columns) with a provisional
    reference; returns (id, reference). The id is ``RETURNING id``; the reference is written
    by :func:`set_reference` or with the execution (:func:`mark_executed`)."""
    columns = [*values, "reference", "status", "created_at"]
    row = {
        **values,
        "reference": secrets.token_hex(12),
        "status": "pendiente_verificacion",
        "created_at": to_db(now),
    }
    operation_id = int(
        conn.execute(
            f"INSERT INTO {_table(table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + column for column in columns)}) RETURNING id",
            row,
        ).fetchone()[0]
    )
    return operation_id, reference_of(table, operation_id)


def insert_awaiting_pin(
    conn: Connection, table: Table, values: Mapping[str, Any], now: datetime
) -> int:
    """Inserts a row ``pendiente_verificacion`` that waits for its PIN, with its reference
    (seen in the challenge's e-mail and the receipt) written at once; returns its id."""
    operation_id, _reference = insert_pending(conn, table, values, now)
    set_reference(conn, table, operation_id)
    return operation_id


def set_reference(conn: Connection, table: Table, operation_id: int) -> None:
    conn.execute(
        f"UPDATE {_table(table)} SET reference = ? WHERE id = ?",
        (reference_of(table, operation_id), operation_id),
    )


def mark_executed(
    conn: Connection, table: Table, operation_id: int, status: str, now: datetime, journal_id: int
) -> str:
    """The money moved: status, execution time, journal (and the reference). Returns the
    stored execution time."""
    executed_at = to_db(now)
    conn.execute(
        f"""
        UPDATE {_table(table)} SET status = ?, executed_at = ?, journal_id = ?, reference = ?
        WHERE id = ?
        """,
        (status, executed_at, journal_id, reference_of(table, operation_id), operation_id),
    )
    return executed_at


def _select(table: Table) -> str:
    return (
        f"SELECT o.*, a.number AS from_number FROM {_table(table)} AS o "
        "JOIN accounts AS a ON a.id = o.from_account_id"
    )


def of_member(conn: Connection, table: Table, member_id: int, operation_id: int) -> Row | None:
    """The member's row with its origin's ``from_number`` (another member's is None)."""
    row: Row | None = conn.execute(
        f"{_select(table)} WHERE o.id = ? AND o.member_id = ?", (operation_id, member_id)
    ).fetchone()
    return row


def executed(conn: Connection, table: Table, member_id: int, limit: int) -> list[Row]:
    """The member's executed rows (completada, en_proceso, rechazada), newest first."""
    return conn.execute(
        f"""
        {_select(table)}
        WHERE o.member_id = ? AND o.status IN ('completada', 'en_proceso', 'rechazada')
        ORDER BY o.executed_at DESC, o.id DESC LIMIT ?
        """,
        (member_id, limit),
    ).fetchall()


def cancel(conn: Connection, table: Table, operation_id: int, reason: str) -> None:
    conn.execute(
        f"""
        UPDATE {_table(table)} SET status = 'cancelada', reason = ?
        WHERE id = ? AND status = 'pendiente_verificacion'
        """,
        (reason, operation_id),
    )


def due(conn: Connection, table: Table, cutoff: datetime) -> list[int]:
    """The en_proceso rows executed at ``cutoff`` or before, oldest first (the clearing)."""
    rows = conn.execute(
        f"""
        SELECT id FROM {_table(table)} WHERE status = 'en_proceso' AND executed_at <= ?
        ORDER BY executed_at, id
        """,
        (to_db(cutoff),),
    ).fetchall()
    return [int(row["id"]) for row in rows]


def mark_settled(
    conn: Connection,
    table: Table,
    operation_id: int,
    status: str,
    now: datetime,
    journal_id: int,
    reason: str | None,
) -> None:
    """The clearing answered: completada, or rechazada with the money back."""
    conn.execute(
        f"""
        UPDATE {_table(table)} SET status = ?, settled_at = ?, settlement_journal_id = ?,
            reason = ?
        WHERE id = ?
        """,
        (status, to_db(now), journal_id, reason, operation_id),
    )
