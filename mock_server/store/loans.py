"""PRÉSTAMOS as stored: a holder's loans and their instalments (the amortization table)."""

from __future__ import annotations

from mock_server.store.engine import Connection, Row


def loans_of_holder(conn: Connection, holder_id: int | None) -> list[Row]:
    return conn.execute(
        "SELECT * FROM loans WHERE holder_id = ? ORDER BY id", (holder_id,)
    ).fetchall()


def loan_of_holder(conn: Connection, holder_id: int | None, loan_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM loans WHERE holder_id = ? AND id = ?", (holder_id, loan_id)
    ).fetchone()
    return row


def instalments(conn: Connection, loan_id: int) -> list[Row]:
    return conn.execute(
        "SELECT * FROM loan_instalments WHERE loan_id = ? ORDER BY number", (loan_id,)
    ).fetchall()


def instalments_of_loans(conn: Connection, loan_ids: list[int]) -> dict[int, list[Row]]:
    """Each loan's instalments in one read (a member's loans list)."""
    found: dict[int, list[Row]] = {loan_id: [] for loan_id in loan_ids}
    if not loan_ids:
        return found
    marks = ", ".join("?" for _ in loan_ids)
    rows = conn.execute(
        f"SELECT * FROM loan_instalments WHERE loan_id IN ({marks}) ORDER BY loan_id, number",
        tuple(loan_ids),
    ).fetchall()
    for row in rows:
        found[row["loan_id"]].append(row)
    return found
