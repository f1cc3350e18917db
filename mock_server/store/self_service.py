"""Self-service (ADMINISTRACIÓN › Mi perfil y seguridad): the SQL of debit cards, contact
changes, the member's phone and the member's other sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class DebitCard:
    id: int
    member_id: int
    account_id: int
    account_number: str
    last4: str
    status: str
    blocked_at: datetime | None
    blocked_by: str | None


_CARD = """
    SELECT d.id, d.member_id, d.account_id, a.number AS account_number, d.last4, d.status,
        d.blocked_at, d.blocked_by
    FROM debit_cards d JOIN accounts a ON a.id = d.account_id
"""


def cards_of(conn: Connection, member_id: int) -> list[DebitCard]:
    rows = conn.execute(f"{_CARD} WHERE d.member_id = ? ORDER BY d.id", (member_id,)).fetchall()
    return [record(DebitCard, row) for row in rows]


def card(conn: Connection, card_id: int) -> DebitCard | None:
    row = conn.execute(f"{_CARD} WHERE d.id = ?", (card_id,)).fetchone()
    return None if row is None else record(DebitCard, row)


def block_card(conn: Connection, card_id: int, now: datetime, by: str) -> None:
    conn.execute(
        "UPDATE debit_cards SET status = 'bloqueada', blocked_at = ?, blocked_by = ? "
        "WHERE id = ? AND status = 'activa'",
        (to_db(now), by, card_id),
    )


def unblock_card(conn: Connection, card_id: int) -> None:
    conn.execute(
        "UPDATE debit_cards SET status = 'activa', blocked_at = NULL, blocked_by = NULL "
        "WHERE id = ?",
        (card_id,),
    )


def end_other_sessions(conn: Connection, member_id: int, keep: str, now: datetime) -> int:
    """Ends every open session of the member but ``keep`` (a token hash); how many ended."""
    cursor = conn.execute(
        "UPDATE sessions SET ended_at = ? "
        "WHERE member_id = ? AND ended_at IS NULL AND token_hash <> ?",
        (to_db(now), member_id, keep),
    )
    return int(cursor.rowcount)


# --- contact ------------------------------------------------------------------------------------


def phone_of(conn: Connection, member_id: int) -> str | None:
    row = conn.execute(
        "SELECT phone FROM member_phones WHERE member_id = ?", (member_id,)
    ).fetchone()
    return None if row is None else str(row["phone"])


def set_phone(conn: Connection, member_id: int, phone: str, now: datetime) -> None:
    conn.execute("DELETE FROM member_phones WHERE member_id = ?", (member_id,))
    conn.execute(
        "INSERT INTO member_phones (member_id, phone, updated_at) VALUES (?, ?, ?)",
        (member_id, phone, to_db(now)),
    )


def set_email(conn: Connection, member_id: int, email: str) -> None:
    conn.execute("UPDATE members SET email = ? WHERE id = ?", (email, member_id))


@dataclass(frozen=True)
class ContactChange:
    id: int
    member_id: int
    new_email: str | None
    new_phone: str | None
    code_hash: str
    expires_at: datetime
    attempts_left: int
    status: str


def cancel_pending_changes(conn: Connection, member_id: int, now: datetime) -> None:
    """A new request replaces the member's pending ones (only the last code is good)."""
    conn.execute(
        "UPDATE contact_changes SET status = 'cancelado', resolved_at = ? "
        "WHERE member_id = ? AND status = 'pendiente'",
        (to_db(now), member_id),
    )


def insert_change(
    conn: Connection,
    member_id: int,
    new_email: str | None,
    new_phone: str | None,
    code_hash: str,
    now: datetime,
    expires_at: datetime,
    attempts: int,
) -> int:
    return int(
        conn.execute(
            """
            INSERT INTO contact_changes (member_id, new_email, new_phone, code_hash, created_at,
                expires_at, attempts_left, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pendiente')
            RETURNING id
            """,
            (member_id, new_email, new_phone, code_hash, to_db(now), to_db(expires_at), attempts),
        ).fetchone()[0]
    )


def change(conn: Connection, change_id: int) -> ContactChange | None:
    row = conn.execute(
        """
        SELECT id, member_id, new_email, new_phone, code_hash, expires_at, attempts_left, status
        FROM contact_changes WHERE id = ?
        """,
        (change_id,),
    ).fetchone()
    return None if row is None else record(ContactChange, row)


def spend_attempt(conn: Connection, change_id: int, now: datetime) -> int:
    """One wrong code: the attempts left (the change is cancelled at none)."""
    conn.execute(
        "UPDATE contact_changes SET attempts_left = attempts_left - 1 "
        "WHERE id = ? AND attempts_left > 0",
        (change_id,),
    )
    (left,) = conn.execute(
        "SELECT attempts_left FROM contact_changes WHERE id = ?", (change_id,)
    ).fetchone()
    if int(left) == 0:
        resolve_change(conn, change_id, "cancelado", now)
    return int(left)


def resolve_change(conn: Connection, change_id: int, status: str, now: datetime) -> None:
    conn.execute(
        "UPDATE contact_changes SET status = ?, resolved_at = ? WHERE id = ?",
        (status, to_db(now), change_id),
    )


def changes_since(conn: Connection, member_id: int, since: datetime) -> int:
    (count,) = conn.execute(
        "SELECT COUNT(*) FROM contact_changes WHERE member_id = ? AND created_at > ?",
        (member_id, to_db(since)),
    ).fetchone()
    return int(count)
