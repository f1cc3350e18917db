"""Notifications: the events of what the bank told a member (the inbox, AVISOS), and the
e-mails' link to them (``outbox.event_id``, written by :mod:`mock_server.store.mail`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import from_db, to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


_COLUMNS = "id, kind, title, body, created_at, read_at"


def insert(
    conn: Connection,
    *,
    member_id: int | None,
    kind: str,
    title: str,
    body: str,
    in_inbox: bool,
    now: datetime,
) -> int:
    """Stores one event (unread); returns its id."""
    row = conn.execute(
        """
        INSERT INTO notifications (member_id, kind, title, body, in_inbox, created_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING id
        """,
        (member_id, kind, title, body, int(in_inbox), to_db(now)),
    ).fetchone()
    return int(row[0])


def page(conn: Connection, member_id: int, limit: int, before_id: int | None) -> list[Notification]:
    """The member's inbox, newest first: up to ``limit`` events older than ``before_id``."""
    rows = conn.execute(
        f"""
        SELECT {_COLUMNS} FROM notifications
        WHERE member_id = ? AND in_inbox = 1 AND id < ?
        ORDER BY id DESC LIMIT ?
        """,
        (member_id, before_id if before_id is not None else 2**62, limit),
    ).fetchall()
    return [record(Notification, row) for row in rows]


def counts(conn: Connection, member_id: int) -> tuple[int, int]:
    """(events in the member's inbox, of them unread)."""
    row = conn.execute(
        """
        SELECT COUNT(*), COUNT(*) - COUNT(read_at) FROM notifications
        WHERE member_id = ? AND in_inbox = 1
        """,
        (member_id,),
    ).fetchone()
    return int(row[0]), int(row[1])


def of_member(conn: Connection, member_id: int, notification_id: int) -> Notification | None:
    """One event of the member's inbox (None: no such event, or another member's)."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM notifications WHERE id = ? AND member_id = ? AND in_inbox = 1",
        (notification_id, member_id),
    ).fetchone()
    return None if row is None else record(Notification, row)


def mark_read(conn: Connection, member_id: int, notification_id: int, now: datetime) -> None:
    """Marks one of the member's events read (an event read already keeps its first time)."""
    conn.execute(
        "UPDATE notifications SET read_at = ? WHERE id = ? AND member_id = ? AND in_inbox = 1"
        " AND read_at IS NULL",
        (to_db(now), notification_id, member_id),
    )


def mark_all_read(conn: Connection, member_id: int, now: datetime) -> int:
    """Marks every unread event of the member's inbox read; returns how many."""
    cursor = conn.execute(
        "UPDATE notifications SET read_at = ? WHERE member_id = ? AND in_inbox = 1"
        " AND read_at IS NULL",
        (to_db(now), member_id),
    )
    return int(cursor.rowcount)


def member_of_account(conn: Connection, account_id: int) -> int | None:
    """The socio (member with a user of S.J. Virtual) who holds a member account, if any."""
    row = conn.execute(
        """
        SELECT m.id FROM accounts AS a JOIN members AS m ON m.holder_id = a.holder_id
        WHERE a.id = ? AND a.kind = 'member' AND m.role = 'member'
        """,
        (account_id,),
    ).fetchone()
    return None if row is None else int(row[0])


def instalments_falling_due(conn: Connection, member_id: int, first: date, last: date) -> list[Row]:
    """The member's unpaid instalments of loans in force due from ``first`` to ``last``, soonest
    first: loan id, instalment number, due date and what is still owed of it."""
    return conn.execute(
        """
        SELECT i.loan_id, i.number, i.due_date,
            i.capital_cents - i.paid_capital_cents + i.interest_cents - i.paid_interest_cents
                AS owed_cents
        FROM members AS m JOIN loans AS l ON l.holder_id = m.holder_id
            JOIN loan_instalments AS i ON i.loan_id = l.id
        WHERE m.id = ? AND l.status = 'vigente' AND i.due_date BETWEEN ? AND ?
            AND (i.paid_capital_cents < i.capital_cents OR i.paid_interest_cents < i.interest_cents)
        ORDER BY i.due_date, i.loan_id
        """,
        (member_id, first.isoformat(), last.isoformat()),
    ).fetchall()


def last_of_kind(conn: Connection, member_id: int, kind: str) -> datetime | None:
    """When the member was last told something of ``kind`` (None: never)."""
    row = conn.execute(
        "SELECT created_at FROM notifications WHERE member_id = ? AND kind = ?"
        " ORDER BY id DESC LIMIT 1",
        (member_id, kind),
    ).fetchone()
    return None if row is None else from_db(row[0])
