"""Certificados bancarios: the account and balances a certificate reads, and the issued ones
(kept by code, so that a teller can verify a certificate a member shows)."""

from __future__ import annotations

from datetime import datetime

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db


def account_of_holder(conn: Connection, holder_id: int | None, number: str) -> Row | None:
    """The member account ``number`` of ``holder_id`` with what a certificate prints of it and
    of its holder (any status)."""
    row: Row | None = conn.execute(
        """
        SELECT a.id, a.number, a.type, a.status, a.opened_at, a.balance_cents,
               h.name AS holder_name, h.identification
        FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
        WHERE a.number = ? AND a.holder_id = ? AND a.kind = 'member'
        """,
        (number, holder_id),
    ).fetchone()
    return row


def balance_before(conn: Connection, account_id: int, before: datetime) -> int | None:
    """The balance after the account's last movement before ``before`` (None: no movement)."""
    row = conn.execute(
        """
        SELECT balance_after_cents FROM movements
        WHERE account_id = ? AND posted_at < ? ORDER BY posted_at DESC, seq DESC LIMIT 1
        """,
        (account_id, to_db(before)),
    ).fetchone()
    return None if row is None else int(row[0])


def balances_since(conn: Connection, account_id: int, since: datetime) -> list[Row]:
    """``posted_at`` and ``balance_after_cents`` of the account's movements from ``since`` on,
    in statement order."""
    return conn.execute(
        """
        SELECT posted_at, balance_after_cents FROM movements
        WHERE account_id = ? AND posted_at >= ? ORDER BY posted_at, seq
        """,
        (account_id, to_db(since)),
    ).fetchall()


def code_taken(conn: Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM certificates WHERE code = ?", (code,)).fetchone() is not None


def insert(
    conn: Connection,
    *,
    code: str,
    member_id: int,
    account_id: int,
    issued_at: datetime,
    average_cents: int,
    average_digits: int,
    average_level: str,
    window_days: int,
) -> None:
    conn.execute(
        """
        INSERT INTO certificates (code, member_id, account_id, issued_at, average_cents,
                                  average_digits, average_level, window_days)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            code,
            member_id,
            account_id,
            to_db(issued_at),
            average_cents,
            average_digits,
            average_level,
            window_days,
        ),
    )


def by_code(conn: Connection, code: str) -> Row | None:
    """An issued certificate with its account and holder."""
    row: Row | None = conn.execute(
        """
        SELECT c.code, c.issued_at, c.average_digits, c.average_level, c.window_days,
               a.number, a.type, a.opened_at, h.name AS holder_name, h.identification
        FROM certificates AS c
        JOIN accounts AS a ON a.id = c.account_id
        JOIN holders AS h ON h.id = a.holder_id
        WHERE c.code = ?
        """,
        (code,),
    ).fetchone()
    return row
