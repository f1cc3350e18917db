"""Pólizas as stored (the pipeline's rows: :mod:`mock_server.store.operations`, table
``polizas``)."""

from __future__ import annotations

from mock_server.store.engine import Connection, Row


def opened_of_member(conn: Connection, member_id: int) -> list[Row]:
    """The member's opened pólizas (completada) with their origin's number, by maturity."""
    return conn.execute(
        """
        SELECT o.*, a.number AS from_number FROM polizas AS o
        JOIN accounts AS a ON a.id = o.from_account_id
        WHERE o.member_id = ? AND o.status = 'completada'
        ORDER BY o.maturity_date, o.id
        """,
        (member_id,),
    ).fetchall()


def account_id(conn: Connection, number: str) -> int:
    """The id of the account ``number`` (the seed's pólizas name their accounts by number)."""
    return int(conn.execute("SELECT id FROM accounts WHERE number = ?", (number,)).fetchone()[0])
