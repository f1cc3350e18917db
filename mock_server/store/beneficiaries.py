"""Productos de terceros as stored, and the institutions they may belong to."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

_SELECT = """
    SELECT b.id, b.member_id, b.kind, b.number, b.account_type, b.account_id,
           b.institution_code, i.name AS institution_name, b.id_type, b.id_number, b.name,
           b.email, b.created_at
    FROM beneficiaries AS b LEFT JOIN institutions AS i ON i.code = b.institution_code
"""


def of_member(conn: Connection, member_id: int) -> list[Row]:
    return conn.execute(
        f"{_SELECT} WHERE b.member_id = ? ORDER BY lower(b.name), b.id", (member_id,)
    ).fetchall()


def one_of_member(conn: Connection, member_id: int, beneficiary_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"{_SELECT} WHERE b.id = ? AND b.member_id = ?", (beneficiary_id, member_id)
    ).fetchone()
    return row


def registered(
    conn: Connection, member_id: int, kind: str, number: str, institution_code: str | None
) -> bool:
    """Whether the member already has this account (interna: by number; externa: by
    institution and number)."""
    if kind == "interna":
        row = conn.execute(
            "SELECT 1 FROM beneficiaries WHERE member_id = ? AND kind = 'interna' AND number = ?",
            (member_id, number),
        ).fetchone()
    else:
        row = conn.execute(
            """
            SELECT 1 FROM beneficiaries
            WHERE member_id = ? AND kind = 'externa' AND institution_code = ? AND number = ?
            """,
            (member_id, institution_code, number),
        ).fetchone()
    return row is not None


def insert(conn: Connection, member_id: int, values: Mapping[str, Any], now: datetime) -> int:
    """``values``: kind, number, account_type, account_id, institution_code, id_type,
    id_number, name, email. Returns the new id."""
    return int(
        conn.execute(
            """
            INSERT INTO beneficiaries (member_id, kind, number, account_type, account_id,
                institution_code, id_type, id_number, name, email, created_at)
            VALUES (:member_id, :kind, :number, :account_type, :account_id,
                :institution_code, :id_type, :id_number, :name, :email, :created_at)
            RETURNING id
            """,
            {**values, "member_id": member_id, "created_at": to_db(now)},
        ).fetchone()[0]
    )


def delete(conn: Connection, beneficiary_id: int) -> None:
    # transfers.beneficiary_id is ON DELETE SET NULL: their to_* copies stay.
    conn.execute("DELETE FROM beneficiaries WHERE id = ?", (beneficiary_id,))


def institutions(conn: Connection) -> list[Row]:
    return conn.execute("SELECT code, name, kind FROM institutions ORDER BY name").fetchall()


def institution(conn: Connection, code: str) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT code, name FROM institutions WHERE code = ?", (code,)
    ).fetchone()
    return row


def open_member_account_holder(conn: Connection, account_id: int) -> Row | None:
    """The ``holder_id`` of an open member account (an interna beneficiary's account)."""
    row: Row | None = conn.execute(
        """
        SELECT holder_id FROM accounts
        WHERE id = ? AND kind = 'member' AND status <> 'cerrada'
        """,
        (account_id,),
    ).fetchone()
    return row
