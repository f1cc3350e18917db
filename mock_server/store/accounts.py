"""Accounts and their holders: reads for checks and statements, and the rows a move locks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

_ACCOUNT_COLUMNS = "a.id, a.number, a.type, a.balance_cents, a.hold_cents, a.status, a.holder_id"
# The contact of the member who moves the money (``members AS m``), read with the accounts.
_CONTACT = "m.email AS member_email, m.full_name AS member_full_name, m.language AS member_language"


def member_account_by_digits(conn: Connection, account_type: str, significant: str) -> Row | None:
    """An open member account of ``account_type`` whose number without leading zeros is
    ``significant``, with its holder's name."""
    row: Row | None = conn.execute(
        """
        SELECT a.id, a.number, a.type, a.status, a.holder_id, h.name AS holder_name
        FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
        WHERE a.kind = 'member' AND a.type = ? AND ltrim(a.number, '0') = ?
          AND a.status <> 'cerrada'
        """,
        (account_type, significant),
    ).fetchone()
    return row


def by_id(conn: Connection, account_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts AS a WHERE a.id = ?", (account_id,)
    ).fetchone()
    return row


def of_holder(conn: Connection, holder_id: int | None, number: str) -> Row | None:
    """The member account ``number`` of ``holder_id`` (any status)."""
    row: Row | None = conn.execute(
        f"""
        SELECT {_ACCOUNT_COLUMNS} FROM accounts AS a
        WHERE a.number = ? AND a.holder_id = ? AND a.kind = 'member'
        """,
        (number, holder_id),
    ).fetchone()
    return row


# NO KEY: a move changes balances, never an account's id. Movers still wait for each other, but a
# row being inserted that only refers to the account (a pending transfer, a movement: their
# foreign keys take KEY SHARE) does not wait for the move, nor the move for it. FOR UPDATE made
# the two wait crosswise: a transfer starting from A to B (KEY SHARE on A, then on B) and one
# confirming from B to A (FOR UPDATE on B, then on A) deadlocked on PostgreSQL.
def for_move(
    conn: Connection, account_ids: Sequence[int], member_id: int | None = None
) -> dict[int, Row]:
    """The accounts a money move touches, by id, in one statement, with their holders' names
    and kinds (for the statements' texts) and, given ``member_id``, that member's contact
    (``member_email``, ``member_full_name``, ``member_language``: the receipt's). Inside a
    write transaction on PostgreSQL the rows are locked (``FOR NO KEY UPDATE``, in id order: two
    moves never wait for each other in a cycle); SQLite's write transaction already holds the
    whole database."""
    ids = sorted(set(account_ids))
    marks = ", ".join("?" for _ in ids)
    lock = " ORDER BY a.id FOR NO KEY UPDATE OF a" if conn.dialect == "postgresql" else ""
    rows = conn.execute(
        f"""
        SELECT {_ACCOUNT_COLUMNS}, a.kind, h.name AS holder_name, h.kind AS holder_kind,
               {_CONTACT}
        FROM accounts AS a LEFT JOIN holders AS h ON h.id = a.holder_id
        LEFT JOIN members AS m ON m.id = ?
        WHERE a.id IN ({marks}){lock}
        """,
        [member_id, *ids],
    ).fetchall()
    return {row["id"]: row for row in rows}


def holder(conn: Connection, holder_id: int | None) -> Row | None:
    """A holder's ``name`` and ``kind`` (persona / empresa)."""
    row: Row | None = conn.execute(
        "SELECT name, kind FROM holders WHERE id = ?", (holder_id,)
    ).fetchone()
    return row


def internal_account_id(conn: Connection, number: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM accounts WHERE number = ? AND kind = 'internal'", (number,)
    ).fetchone()
    return None if row is None else int(row["id"])


def member_accounts_of_holder(conn: Connection, holder_id: int | None) -> list[Row]:
    return conn.execute(
        """
        SELECT id, number, type, balance_cents, hold_cents, status FROM accounts
        WHERE holder_id = ? AND kind = 'member' ORDER BY number
        """,
        (holder_id,),
    ).fetchall()


def of_holder_for_move(
    conn: Connection, member_id: int, holder_id: int | None, numbers: Sequence[str]
) -> dict[str, Row]:
    """The holder's member accounts among ``numbers``, by number, in one statement, with the
    holder's name and the member's contact (a move between them; locked as :func:`for_move`
    locks)."""
    wanted = sorted(set(numbers))
    marks = ", ".join("?" for _ in wanted)
    lock = " ORDER BY a.id FOR NO KEY UPDATE OF a" if conn.dialect == "postgresql" else ""
    rows = conn.execute(
        f"""
        SELECT {_ACCOUNT_COLUMNS}, h.name AS holder_name, h.kind AS holder_kind, {_CONTACT}
        FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
        JOIN members AS m ON m.id = ?
        WHERE a.holder_id = ? AND a.kind = 'member' AND a.number IN ({marks}){lock}
        """,
        [member_id, holder_id, *wanted],
    ).fetchall()
    return {row["number"]: row for row in rows}


def movements_page(
    conn: Connection,
    account_id: int,
    *,
    since: datetime | None,
    before: datetime | None,
    after: tuple[str, int] | None,
    descending: bool,
    limit: int,
) -> tuple[int, list[Row]]:
    """A keyset page of an account's movements in statement order (posted_at, seq): the
    count of all the movements in [since, before), and up to ``limit`` of them after the
    cursor ``after`` ((posted_at, seq) of the previous page's last row)."""
    where = ["account_id = ?"]
    params: list[Any] = [account_id]
    if since is not None:
        where.append("posted_at >= ?")
        params.append(to_db(since))
    if before is not None:
        where.append("posted_at < ?")
        params.append(to_db(before))
    total = int(
        conn.execute(
            f"SELECT COUNT(*) FROM movements WHERE {' AND '.join(where)}", params
        ).fetchone()[0]
    )
    if after is not None:
        # Row values keep the keyset condition on the (account_id, posted_at, seq) index.
        where.append("(posted_at, seq) < (?, ?)" if descending else "(posted_at, seq) > (?, ?)")
        params.extend(after)
    direction = "DESC" if descending else "ASC"
    # STATEMENT_ORDER (seq order), the order the running balances chain in.
    rows = conn.execute(
        f"""
        SELECT id, seq, posted_at, description, reference, amount_cents, balance_after_cents
        FROM movements WHERE {" AND ".join(where)}
        ORDER BY posted_at {direction}, seq {direction} LIMIT ?
        """,
        [*params, limit],
    ).fetchall()
    return total, rows
