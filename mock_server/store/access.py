"""Access care at the counter: what the teller's reset of security and resend of the approval
code read and write in ``members``, ``registrations`` and ``codes``."""

from __future__ import annotations

from mock_server.store.engine import Connection


def reset_security(conn: Connection, member_id: int) -> None:
    """Forgets the member's security image and questions: back to the PRIMER INGRESO (status
    'setup'), which asks for them (and a new password) at the next login."""
    conn.execute(
        """
        UPDATE members SET status = 'setup', security_image = NULL, own_question = NULL,
            own_answer_hash = NULL, question_id = NULL, answer_hash = NULL
        WHERE id = ? AND status = 'active'
        """,
        (member_id,),
    )


def approved_reference(conn: Connection, username: str) -> str | None:
    """The reference of the approved registration request of ``username``."""
    row = conn.execute(
        "SELECT reference FROM registrations WHERE username = ? AND status = 'aprobada'"
        " ORDER BY id DESC LIMIT 1",
        (username,),
    ).fetchone()
    return None if row is None else str(row[0])


def id_of_reference(conn: Connection, reference: str) -> int | None:
    row = conn.execute("SELECT id FROM registrations WHERE reference = ?", (reference,)).fetchone()
    return None if row is None else int(row[0])


def usernames(conn: Connection, member_ids: set[int]) -> dict[int, str]:
    """id -> username of the members named (the audit view shows names, not ids)."""
    if not member_ids:
        return {}
    marks = ", ".join("?" for _ in member_ids)
    rows = conn.execute(
        f"SELECT id, username FROM members WHERE id IN ({marks})", tuple(sorted(member_ids))
    ).fetchall()
    return {int(row[0]): str(row[1]) for row in rows}
