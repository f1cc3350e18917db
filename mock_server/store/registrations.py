"""REGISTRO DE SOCIOS: the requests, the holders they name, and the staff's actions on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record

# Requests that still hold their identification and username.
OPEN_STATUSES = ("pendiente", "aprobada")
_OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)


@dataclass(frozen=True)
class Registration:
    id: int
    reference: str
    status: str
    created_at: datetime
    request_json: str
    decided_at: datetime | None
    decided_by: str | None  # the teller's username
    reason: str | None
    kind: str
    identification: str
    username: str
    language: str


_SELECT = """
    SELECT r.id, r.reference, r.status, r.created_at, r.request_json, r.decided_at, r.reason,
           r.kind, r.identification, r.username, r.language, d.username AS decided_by
    FROM registrations AS r LEFT JOIN members AS d ON d.id = r.decided_by
"""


def get(conn: Connection, registration_id: int) -> Registration | None:
    row = conn.execute(f"{_SELECT} WHERE r.id = ?", (registration_id,)).fetchone()
    return None if row is None else record(Registration, row)


def queue(conn: Connection, status: str | None) -> list[Registration]:
    """The requests (of ``status``, or all), oldest first."""
    rows = conn.execute(
        f"{_SELECT} WHERE ? IS NULL OR r.status = ? ORDER BY r.created_at, r.id",
        (status, status),
    ).fetchall()
    return [record(Registration, row) for row in rows]


def holder_of_account(conn: Connection, number: str, identification: str, kind: str) -> int | None:
    """The holder of the active member account ``number`` if it has that identification."""
    # Leading zeros do not matter: 107777 is the cartola's 00107777.
    row = conn.execute(
        """
        SELECT h.id FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
        WHERE ltrim(a.number, '0') = ltrim(?, '0') AND a.kind = 'member'
          AND a.status = 'activa' AND h.identification = ? AND h.kind = ?
        """,
        (number, identification, kind),
    ).fetchone()
    return None if row is None else int(row["id"])


def holder(conn: Connection, identification: str, kind: str) -> tuple[int, str] | None:
    """(id, name) of the holder with that identification."""
    row = conn.execute(
        "SELECT id, name FROM holders WHERE identification = ? AND kind = ?",
        (identification, kind),
    ).fetchone()
    return None if row is None else (int(row["id"]), str(row["name"]))


def open_request(
    conn: Connection, identification: str, exclude: int | None
) -> tuple[str, str] | None:
    """(reference, status) of an open request of the identification (other than ``exclude``)."""
    row = conn.execute(
        f"""
        SELECT reference, status FROM registrations
        WHERE identification = ? AND status IN ({_OPEN}) AND id IS DISTINCT FROM ?
        """,
        (identification, exclude),
    ).fetchone()
    return None if row is None else (str(row["reference"]), str(row["status"]))


def username_taken(conn: Connection, username: str, exclude: int | None) -> bool:
    """A member has it, or an open request (other than ``exclude``) asks for it."""
    row = conn.execute(
        f"""
        SELECT 1 FROM members WHERE username = ?
        UNION ALL
        SELECT 1 FROM registrations
        WHERE username = ? AND status IN ({_OPEN}) AND id IS DISTINCT FROM ?
        """,
        (username, username, exclude),
    ).fetchone()
    return row is not None


def insert(
    conn: Connection,
    *,
    kind: str,
    identification: str,
    username: str,
    request_json: str,
    now: datetime,
    language: str,
    reference_of: Callable[[int], str],
) -> tuple[int, str]:
    """A new pending request; (its id, its reference ``reference_of(id)``)."""
    # The reference is made of the new id: a placeholder unique to this row first.
    (new_id,) = conn.execute(
        """
        INSERT INTO registrations (reference, kind, identification, username, status,
            request_json, created_at, language)
        VALUES ('new:' || ?, ?, ?, ?, 'pendiente', ?, ?, ?) RETURNING id
        """,
        (username, kind, identification, username, request_json, to_db(now), language),
    ).fetchone()
    reference = reference_of(int(new_id))
    conn.execute("UPDATE registrations SET reference = ? WHERE id = ?", (reference, new_id))
    return int(new_id), reference


def decide(
    conn: Connection,
    registration_id: int,
    status: str,
    staff_id: int,
    now: datetime,
    reason: str | None = None,
) -> None:
    conn.execute(
        """
        UPDATE registrations SET status = ?, decided_at = ?, decided_by = ?, reason = ?
        WHERE id = ?
        """,
        (status, to_db(now), staff_id, reason, registration_id),
    )


def record_staff_action(
    conn: Connection, staff_id: int, action: str, target: str, detail: str, now: datetime
) -> None:
    conn.execute(
        """
        INSERT INTO staff_actions (staff_member_id, action, target, detail, created_at)
        VALUES (?, ?, ?, ?, ?)
        """,
        (staff_id, action, target, detail, to_db(now)),
    )
