"""PIN challenges as stored, and the member's count of wrong PINs in a row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import from_db, to_db

_COLUMNS = """
    id, member_id, purpose, amount_cents, payee, pin_hash, payload, transfer_id, payment_id,
    poliza_id, loan_payment_id, expires_at, attempts_left, status
"""


def insert(
    conn: Connection, values: Mapping[str, Any], now: datetime, expires_at: datetime
) -> None:
    """``values``: id, member_id, purpose, amount_cents, payee, pin_hash, payload,
    transfer_id, payment_id, poliza_id, attempts_left (and loan_payment_id). Stored
    ``pendiente``."""
    conn.execute(
        """
        INSERT INTO challenges (id, member_id, purpose, amount_cents, payee, pin_hash, payload,
            transfer_id, payment_id, poliza_id, loan_payment_id, created_at, expires_at,
            attempts_left, status)
        VALUES (:id, :member_id, :purpose, :amount_cents, :payee, :pin_hash, :payload,
            :transfer_id, :payment_id, :poliza_id, :loan_payment_id, :created_at, :expires_at,
            :attempts_left, 'pendiente')
        """,
        {
            "poliza_id": None,
            "loan_payment_id": None,
            **values,
            "created_at": to_db(now),
            "expires_at": to_db(expires_at),
        },
    )


def pending_open(conn: Connection, member_id: int, now: datetime) -> tuple[int, datetime | None]:
    """How many of the member's challenges are pending and not expired, and when the first
    of them expires."""
    row = conn.execute(
        """
        SELECT COUNT(*) AS n, MIN(expires_at) AS first FROM challenges
        WHERE member_id = ? AND status = 'pendiente' AND expires_at > ?
        """,
        (member_id, to_db(now)),
    ).fetchone()
    first = row["first"]
    return int(row["n"]), (from_db(first) if first else None)


def sent_since(conn: Connection, member_id: int, since: datetime, limit: int) -> list[datetime]:
    """When the member's last ``limit`` challenges after ``since`` were made, newest first."""
    rows = conn.execute(
        """
        SELECT created_at FROM challenges WHERE member_id = ? AND created_at > ?
        ORDER BY created_at DESC LIMIT ?
        """,
        (member_id, to_db(since), limit),
    ).fetchall()
    return [from_db(row["created_at"]) for row in rows]


def of_member(conn: Connection, member_id: int, challenge_id: str) -> Row | None:
    """The member's challenge (another member's is None, like an unknown id)."""
    row: Row | None = conn.execute(
        f"SELECT {_COLUMNS} FROM challenges WHERE id = ? AND member_id = ?",
        (challenge_id, member_id),
    ).fetchone()
    return row


def pending(conn: Connection, challenge_id: str) -> Row | None:
    """A challenge that is still pendiente (with what it confirms), or None."""
    row: Row | None = conn.execute(
        f"SELECT {_COLUMNS} FROM challenges WHERE id = ? AND status = 'pendiente'",
        (challenge_id,),
    ).fetchone()
    return row


def pending_of_member(conn: Connection, member_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM challenges WHERE member_id = ? AND status = 'pendiente'",
        (member_id,),
    ).fetchall()


def due(conn: Connection, now: datetime) -> list[str]:
    """The pending challenges past their time."""
    rows = conn.execute(
        "SELECT id FROM challenges WHERE status = 'pendiente' AND expires_at <= ?",
        (to_db(now),),
    ).fetchall()
    return [str(row["id"]) for row in rows]


def close(
    conn: Connection,
    challenge_id: str,
    status: str,
    now: datetime,
    attempts_left: int | None = None,
) -> None:
    """Resolves a challenge: ``usado``, ``caducado`` or ``cancelado`` (and its tries left)."""
    if attempts_left is None:
        conn.execute(
            "UPDATE challenges SET status = ?, resolved_at = ? WHERE id = ?",
            (status, to_db(now), challenge_id),
        )
    else:
        conn.execute(
            "UPDATE challenges SET status = ?, resolved_at = ?, attempts_left = ? WHERE id = ?",
            (status, to_db(now), attempts_left, challenge_id),
        )


def cancel_of_transfer(conn: Connection, transfer_id: int, now: datetime) -> None:
    conn.execute(
        """
        UPDATE challenges SET status = 'cancelado', resolved_at = ?
        WHERE transfer_id = ? AND status = 'pendiente'
        """,
        (to_db(now), transfer_id),
    )


def set_attempts_left(conn: Connection, challenge_id: str, left: int) -> None:
    conn.execute("UPDATE challenges SET attempts_left = ? WHERE id = ?", (left, challenge_id))


def count_wrong_pin(conn: Connection, member_id: int) -> int:
    """One more wrong PIN in a row for the member; returns how many now."""
    return int(
        conn.execute(
            "UPDATE members SET pin_failures = pin_failures + 1 WHERE id = ? "
            "RETURNING pin_failures",
            (member_id,),
        ).fetchone()[0]
    )


def reset_wrong_pins(conn: Connection, member_id: int) -> None:
    conn.execute("UPDATE members SET pin_failures = 0 WHERE id = ?", (member_id,))
