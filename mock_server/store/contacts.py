"""Where a member's e-mails go: address, name and language (receipts, PINs, notices)."""

from __future__ import annotations

from mock_server.store.engine import Connection, Row


def of_member(conn: Connection, member_id: int) -> Row:
    """The member's ``email``, ``full_name`` and ``language``."""
    row: Row = conn.execute(
        "SELECT email, full_name, language FROM members WHERE id = ?", (member_id,)
    ).fetchone()
    return row
