"""The members (users of S.J. Virtual): what login, onboarding and the staff read and write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import decoy_secret, dummy_password_hash, to_db
from mock_server.store.records import record

__all__ = ["decoy_secret", "dummy_password_hash"]


@dataclass(frozen=True)
class Member:
    """A member as login, onboarding and their e-mails need it (the one contact query)."""

    id: int
    username: str
    full_name: str
    email: str
    role: str
    status: str
    password_hash: str | None
    locked_at: datetime | None
    last_login_at: datetime | None


_MEMBER = """
    SELECT id, username, full_name, email, role, status, password_hash, locked_at, last_login_at
    FROM members
"""


def _member(row: Row | None) -> Member | None:
    return None if row is None else record(Member, row)


def by_id(conn: Connection, member_id: int) -> Member | None:
    return _member(conn.execute(f"{_MEMBER} WHERE id = ?", (member_id,)).fetchone())


def by_username(conn: Connection, username: str) -> Member | None:
    return _member(conn.execute(f"{_MEMBER} WHERE username = ?", (username,)).fetchone())


def id_of(conn: Connection, username: str) -> int | None:
    row = conn.execute("SELECT id FROM members WHERE username = ?", (username,)).fetchone()
    return None if row is None else int(row["id"])


def security_image(conn: Connection, username: str) -> str | None:
    """The image of an active member (one who finished the PRIMER INGRESO)."""
    row = conn.execute(
        "SELECT security_image FROM members WHERE username = ? AND status = 'active'",
        (username,),
    ).fetchone()
    return None if row is None else str(row["security_image"])


def language(conn: Connection, member_id: int) -> str | None:
    row = conn.execute("SELECT language FROM members WHERE id = ?", (member_id,)).fetchone()
    return None if row is None else str(row["language"])


def record_login(conn: Connection, member_id: int, now: datetime, language: str) -> None:
    conn.execute(
        "UPDATE members SET last_login_at = ?, language = ? WHERE id = ?",
        (to_db(now), language, member_id),
    )


def set_password(
    conn: Connection, member_id: int, password_hash: str, *, status: str | None = None
) -> None:
    """A new password hash (and, given, a new status: ESTABLECER CONTRASEÑA's 'setup')."""
    conn.execute(
        "UPDATE members SET password_hash = ?, status = COALESCE(?, status) WHERE id = ?",
        (password_hash, status, member_id),
    )


def complete_setup(
    conn: Connection,
    member_id: int,
    *,
    password_hash: str,
    image: str,
    own_question: str,
    own_answer_hash: str,
    question_id: int,
    answer_hash: str,
) -> None:
    conn.execute(
        """
        -- No phrase since schema 6 (nothing a member typed is shown before the password);
        -- '' keeps the CHECK of the older schema.
        UPDATE members SET password_hash = ?, security_image = ?, security_phrase = '',
            own_question = ?, own_answer_hash = ?, question_id = ?, answer_hash = ?,
            status = 'active'
        WHERE id = ?
        """,
        (
            password_hash,
            image,
            own_question,
            own_answer_hash,
            question_id,
            answer_hash,
            member_id,
        ),
    )


@dataclass(frozen=True)
class Recoverable:
    """An active member with both secret answers: what recovery needs of it."""

    id: int
    username: str
    full_name: str
    email: str
    own_question: str
    own_answer_hash: str
    answer_hash: str
    security_question: str


def recoverable(conn: Connection, username: str) -> Recoverable | None:
    row = conn.execute(
        """
        SELECT m.id, m.full_name, m.email, m.username, m.own_question, m.own_answer_hash,
               m.answer_hash, q.text AS security_question
        FROM members AS m JOIN security_questions AS q ON q.id = m.question_id
        WHERE m.username = ? AND m.status = 'active'
          AND m.own_question IS NOT NULL AND m.own_answer_hash IS NOT NULL
          AND m.answer_hash IS NOT NULL
        """,
        (username,),
    ).fetchone()
    return None if row is None else record(Recoverable, row)


def security_questions(conn: Connection) -> list[tuple[int, str]]:
    rows = conn.execute("SELECT id, text FROM security_questions ORDER BY id").fetchall()
    return [(int(row[0]), str(row[1])) for row in rows]


def security_question_exists(conn: Connection, question_id: int) -> bool:
    row = conn.execute("SELECT 1 FROM security_questions WHERE id = ?", (question_id,))
    return row.fetchone() is not None


def holder_has_member(conn: Connection, holder_id: int) -> bool:
    row = conn.execute("SELECT 1 FROM members WHERE holder_id = ?", (holder_id,)).fetchone()
    return row is not None


def create(
    conn: Connection,
    *,
    username: str,
    holder_id: int,
    full_name: str,
    email: str,
    now: datetime,
    language: str,
) -> int:
    """A member approved by a teller, with no password yet ('pending_password'); its id."""
    row = conn.execute(
        """
        INSERT INTO members (username, holder_id, status, full_name, email, role,
            created_at, language)
        VALUES (?, ?, 'pending_password', ?, ?, 'member', ?, ?) RETURNING id
        """,
        (username, holder_id, full_name, email, to_db(now), language),
    ).fetchone()
    return int(row[0])


@dataclass(frozen=True)
class LockedMember:
    username: str
    full_name: str
    locked_at: datetime | None


def locked(conn: Connection, max_failures: int) -> list[LockedMember]:
    """Members locked by their flag or by ``max_failures`` failures of their name."""
    rows = conn.execute(
        """
        SELECT m.username, m.full_name, m.locked_at FROM members AS m
        WHERE m.locked_at IS NOT NULL OR EXISTS (
            SELECT 1 FROM login_failures AS f WHERE f.username = m.username AND f.count >= ?
        )
        ORDER BY m.locked_at, m.username
        """,
        (max_failures,),
    ).fetchall()
    return [record(LockedMember, row) for row in rows]
