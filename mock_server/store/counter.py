"""The teller's counter as stored: member search, the member file's reads, counter operations,
cash drawers and their sessions (migration 0011)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mock_server.store.engine import Connection, Row
from mock_server.store.ledger import DRAWER_PREFIX

# The cash drawer of teller ``id`` is the internal account DRAWER_PREFIX + id on 4 digits.

_RESULT = """
    SELECT h.id AS holder_id, h.identification, h.name, h.kind, m.id AS member_id,
           m.username, d.phone
    FROM holders AS h
    LEFT JOIN members AS m ON m.holder_id = h.id
    LEFT JOIN member_directory AS d ON d.holder_id = h.id
"""


def _in(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def search(
    conn: Connection,
    *,
    identifications: Sequence[str] = (),
    phones: Sequence[str] = (),
    account_numbers: Sequence[tuple[str, str | None]] = (),
    name_key: str | None = None,
    username_prefix: str | None = None,
    limit: int = 50,
) -> list[Row]:
    """Holders that match any of the given keys, by name, at most ``limit``.

    ``account_numbers``: (8-digit number, the type it must have or None). ``name_key``: a
    folded fragment (lower case, no accents) found anywhere in the folded name.
    """
    # One indexed lookup (or one pass over the small directory) per key, their holders
    # joined once: an OR across the joined tables made every query scan them all.
    found: list[str] = []
    params: list[Any] = []
    if identifications:
        found.append(f"SELECT id FROM holders WHERE identification IN ({_in(identifications)})")
        params.extend(identifications)
    if phones:
        found.append(f"SELECT holder_id FROM member_directory WHERE phone IN ({_in(phones)})")
        params.extend(phones)
    for number, type_ in account_numbers:
        found.append(
            "SELECT holder_id FROM accounts WHERE number = ? AND kind = 'member'"
            + (" AND type = ?" if type_ else "")
        )
        params.extend([number, type_] if type_ else [number])
    if name_key:
        found.append("SELECT holder_id FROM member_directory WHERE name_key LIKE ? ESCAPE '!'")
        params.append(f"%{_escape(name_key)}%")
    if username_prefix:
        found.append(
            "SELECT holder_id FROM members WHERE username LIKE ? ESCAPE '!' "
            "AND holder_id IS NOT NULL"
        )
        params.append(f"{_escape(username_prefix)}%")
    if not found:
        return []
    sql = f"{_RESULT} WHERE h.id IN ({' UNION '.join(found)}) ORDER BY h.name, h.id LIMIT ?"
    return list(conn.execute(sql, (*params, limit)).fetchall())


def _escape(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def account_numbers_of(conn: Connection, holder_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(holder_ids)
    if not ids:
        return {}
    rows = conn.execute(
        f"SELECT holder_id, number FROM accounts WHERE kind = 'member' "
        f"AND holder_id IN ({_in(ids)}) ORDER BY number",
        ids,
    ).fetchall()
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(int(row[0]), []).append(str(row[1]))
    return found


def holder(conn: Connection, holder_id: int) -> Row | None:
    row: Row | None = conn.execute(f"{_RESULT} WHERE h.id = ?", (holder_id,)).fetchone()
    return row


def member_of_holder(conn: Connection, holder_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, username, status, email, locked_at, last_login_at, lock_reason, created_at "
        "FROM members WHERE holder_id = ?",
        (holder_id,),
    ).fetchone()
    return row


def accounts_of(conn: Connection, holder_id: int) -> list[Row]:
    return list(
        conn.execute(
            "SELECT id, number, type, balance_cents, hold_cents, status FROM accounts "
            "WHERE holder_id = ? AND kind = 'member' ORDER BY number",
            (holder_id,),
        ).fetchall()
    )


def last_movements(conn: Connection, holder_id: int, limit: int) -> list[Row]:
    """The newest movements over all of a holder's accounts."""
    return list(
        conn.execute(
            """
            SELECT a.number, m.posted_at, m.description, m.reference, m.amount_cents,
                   m.balance_after_cents
            FROM movements AS m JOIN accounts AS a ON a.id = m.account_id
            WHERE a.holder_id = ? AND a.kind = 'member'
            ORDER BY m.posted_at DESC, m.seq DESC LIMIT ?
            """,
            (holder_id, limit),
        ).fetchall()
    )


def terminals(conn: Connection, member_id: int) -> tuple[list[Row], list[Row]]:
    """(the member's sessions still open, its known devices), newest first."""
    sessions = conn.execute(
        "SELECT created_at, last_seen_at FROM sessions WHERE member_id = ? AND ended_at IS NULL "
        "ORDER BY last_seen_at DESC LIMIT 10",
        (member_id,),
    ).fetchall()
    devices = conn.execute(
        "SELECT created_at, last_seen_at FROM device_tokens WHERE member_id = ? "
        "ORDER BY last_seen_at DESC LIMIT 10",
        (member_id,),
    ).fetchall()
    return list(sessions), list(devices)


def login_failures(conn: Connection, username: str) -> int:
    row = conn.execute(
        "SELECT count FROM login_failures WHERE username = ?", (username,)
    ).fetchone()
    return 0 if row is None else int(row[0])


# --- cash drawers -----------------------------------------------------------------------------


def drawer_number(teller_id: int) -> str:
    return f"{DRAWER_PREFIX}{teller_id:04d}"


def drawer_account(conn: Connection, teller_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, number, balance_cents, hold_cents FROM accounts WHERE number = ?",
        (drawer_number(teller_id),),
    ).fetchone()
    return row


def create_drawer_account(conn: Connection, teller_id: int, name: str, now: str) -> int:
    row = conn.execute(
        "INSERT INTO accounts (number, holder_id, kind, type, name, balance_cents, hold_cents, "
        "status, opened_at) VALUES (?, NULL, 'internal', NULL, ?, 0, 0, 'activa', ?) RETURNING id",
        (drawer_number(teller_id), name, now),
    ).fetchone()
    return int(row[0])


def current_session(conn: Connection, teller_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, teller_id, account_id, opened_at, opening_float_cents, terminal "
        "FROM cash_drawer_sessions WHERE teller_id = ? AND closed_at IS NULL",
        (teller_id,),
    ).fetchone()
    return row


def insert_session(
    conn: Connection,
    *,
    teller_id: int,
    account_id: int,
    opened_at: str,
    opening_float_cents: int,
    terminal: str | None,
) -> int:
    row = conn.execute(
        "INSERT INTO cash_drawer_sessions (teller_id, account_id, opened_at, "
        "opening_float_cents, terminal) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (teller_id, account_id, opened_at, opening_float_cents, terminal),
    ).fetchone()
    return int(row[0])


def session_totals(conn: Connection, session_id: int) -> tuple[int, int, int, int]:
    """(deposits in cents, how many, withdrawals in cents, how many) executed in a session,
    reversed or not (:func:`session_reversals`)."""
    row = conn.execute(
        """
        SELECT
            COALESCE(SUM(CASE WHEN kind = 'deposito' THEN amount_cents END), 0),
            COUNT(CASE WHEN kind = 'deposito' THEN 1 END),
            COALESCE(SUM(CASE WHEN kind = 'retiro' THEN amount_cents END), 0),
            COUNT(CASE WHEN kind = 'retiro' THEN 1 END)
        FROM counter_operations WHERE session_id = ? AND status = 'completada'
        """,
        (session_id,),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def session_reversals(conn: Connection, session_id: int) -> tuple[int, int, int]:
    """(deposits reversed in cents, withdrawals reversed in cents, how many reversals) of the
    operations of a session."""
    row = conn.execute(
        """
        SELECT
            COALESCE(SUM(CASE WHEN o.kind = 'deposito' THEN o.amount_cents END), 0),
            COALESCE(SUM(CASE WHEN o.kind = 'retiro' THEN o.amount_cents END), 0),
            COUNT(*)
        FROM counter_reversals AS r JOIN counter_operations AS o ON o.id = r.counter_op_id
        WHERE o.session_id = ? AND r.status = 'reversada'
        """,
        (session_id,),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def close_session(
    conn: Connection,
    session_id: int,
    *,
    closed_at: str,
    expected_cents: int,
    counted_cents: int,
) -> None:
    conn.execute(
        "UPDATE cash_drawer_sessions SET closed_at = ?, expected_cents = ?, counted_cents = ?, "
        "difference_cents = ? WHERE id = ? AND closed_at IS NULL",
        (closed_at, expected_cents, counted_cents, counted_cents - expected_cents, session_id),
    )


def session(conn: Connection, session_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, teller_id, account_id, opened_at, opening_float_cents, closed_at, "
        "expected_cents, counted_cents, difference_cents, terminal "
        "FROM cash_drawer_sessions WHERE id = ?",
        (session_id,),
    ).fetchone()
    return row


# --- counter operations -----------------------------------------------------------------------

_OPERATION = """
    SELECT o.id, o.reference, o.teller_id, t.username AS teller, o.kind, o.account_id,
           a.number AS account_number, a.holder_id, h.name AS holder_name,
           h.identification, o.drawer_account_id, o.session_id, o.amount_cents, o.status,
           o.depositor, o.journal_id, o.created_at, o.executed_at, o.approved_by, o.terminal,
           r.id AS reversal_id, r.status AS reversal, r.decided_at AS reversed_at,
           r.decided_by AS reversed_by
    FROM counter_operations AS o
    JOIN members AS t ON t.id = o.teller_id
    JOIN accounts AS a ON a.id = o.account_id
    JOIN holders AS h ON h.id = a.holder_id
    LEFT JOIN counter_reversals AS r ON r.counter_op_id = o.id AND r.status <> 'rechazada'
"""


def insert_operation(conn: Connection, values: dict[str, Any]) -> int:
    names = list(values)
    row = conn.execute(
        f"INSERT INTO counter_operations ({', '.join(names)}) VALUES ({_in(names)}) RETURNING id",
        [values[name] for name in names],
    ).fetchone()
    return int(row[0])


def set_reference(conn: Connection, operation_id: int, reference: str) -> None:
    conn.execute(
        "UPDATE counter_operations SET reference = ? WHERE id = ?", (reference, operation_id)
    )


def operation(conn: Connection, operation_id: int) -> Row | None:
    row: Row | None = conn.execute(f"{_OPERATION} WHERE o.id = ?", (operation_id,)).fetchone()
    return row


def mark_executed(
    conn: Connection,
    operation_id: int,
    *,
    journal_id: int,
    executed_at: str,
    approved_by: str | None,
    session_id: int | None,
) -> bool:
    """Pending → completada; False when it was no longer pending (nothing changed)."""
    cursor = conn.execute(
        "UPDATE counter_operations SET status = 'completada', journal_id = ?, executed_at = ?, "
        "approved_by = ?, session_id = COALESCE(session_id, ?) "
        "WHERE id = ? AND status = 'pendiente_aprobacion'",
        (journal_id, executed_at, approved_by, session_id, operation_id),
    )
    return cursor.rowcount == 1


def mark_rejected(conn: Connection, operation_id: int, approved_by: str) -> bool:
    cursor = conn.execute(
        "UPDATE counter_operations SET status = 'rechazada', approved_by = ? "
        "WHERE id = ? AND status = 'pendiente_aprobacion'",
        (approved_by, operation_id),
    )
    return cursor.rowcount == 1


def member_account(conn: Connection, number: str) -> Row | None:
    """A socio account by its 8-digit number, with its holder and the holder's user."""
    row: Row | None = conn.execute(
        "SELECT a.id, a.number, a.type, a.balance_cents, a.hold_cents, a.status, "
        "a.holder_id, h.name AS holder_name, h.identification, m.id AS member_id "
        "FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id "
        "LEFT JOIN members AS m ON m.holder_id = h.id "
        "WHERE a.kind = 'member' AND a.number = ?",
        (number,),
    ).fetchone()
    return row


def next_operation_id(conn: Connection) -> int:
    """The id the next counter operation gets (read in the write transaction: one writer)."""
    row = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM counter_operations").fetchone()
    return int(row[0])


def account_number(conn: Connection, account_id: int) -> str:
    return str(
        conn.execute("SELECT number FROM accounts WHERE id = ?", (account_id,)).fetchone()[0]
    )


def operations_of_session(
    conn: Connection, teller_id: int, session_id: int, since: str
) -> list[Row]:
    """A drawer session's operations, oldest first: those executed in it and the teller's
    withdrawals asked since it opened (still waiting or rejected)."""
    return list(
        conn.execute(
            f"{_OPERATION} WHERE o.session_id = ? "
            "OR (o.session_id IS NULL AND o.teller_id = ? AND o.created_at >= ?) ORDER BY o.id",
            (session_id, teller_id, since),
        ).fetchall()
    )


# --- reversals (four eyes, migration 0012) -----------------------------------------------------


def insert_reversal(
    conn: Connection,
    *,
    counter_op_id: int,
    approval_id: int,
    requested_by: int,
    requested_at: str,
    reason: str,
) -> int:
    row = conn.execute(
        "INSERT INTO counter_reversals (counter_op_id, approval_id, status, requested_by, "
        "requested_at, reason) VALUES (?, ?, 'pendiente', ?, ?, ?) RETURNING id",
        (counter_op_id, approval_id, requested_by, requested_at, reason),
    ).fetchone()
    return int(row[0])


def reversal_of_approval(conn: Connection, approval_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT id, counter_op_id, status, journal_id FROM counter_reversals WHERE approval_id = ?",
        (approval_id,),
    ).fetchone()
    return row


def mark_reversed(
    conn: Connection, reversal_id: int, *, journal_id: int, decided_at: str, decided_by: str
) -> bool:
    """Pending → reversada; False when it was no longer pending (nothing changed)."""
    cursor = conn.execute(
        "UPDATE counter_reversals SET status = 'reversada', journal_id = ?, decided_at = ?, "
        "decided_by = ? WHERE id = ? AND status = 'pendiente'",
        (journal_id, decided_at, decided_by, reversal_id),
    )
    return cursor.rowcount == 1


def mark_reversal_rejected(
    conn: Connection, reversal_id: int, *, decided_at: str, decided_by: str
) -> bool:
    cursor = conn.execute(
        "UPDATE counter_reversals SET status = 'rechazada', decided_at = ?, decided_by = ? "
        "WHERE id = ? AND status = 'pendiente'",
        (decided_at, decided_by, reversal_id),
    )
    return cursor.rowcount == 1
