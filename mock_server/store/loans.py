"""PRÉSTAMOS as stored: a holder's loans and their instalments (the amortization table)."""

from __future__ import annotations

from typing import NamedTuple

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


class InstalmentRow(NamedTuple):
    """One instalment's row after a payment: as scheduled and what has been paid of it."""

    number: int
    capital_cents: int
    interest_cents: int
    paid_capital_cents: int
    paid_interest_cents: int
    mora_paid_cents: int


def rewrite_instalments(conn: Connection, loan_id: int, rows: list[InstalmentRow]) -> None:
    """The loan's table after a payment (the CHECKs keep each paid part within what is owed):
    the rows given are written, the later ones (a loan paid off ahead) deleted."""
    for row in rows:
        conn.execute(
            """
            UPDATE loan_instalments SET capital_cents = ?, interest_cents = ?,
                paid_capital_cents = ?, paid_interest_cents = ?, mora_paid_cents = ?
            WHERE loan_id = ? AND number = ?
            """,
            (*row[1:], loan_id, row.number),
        )
    conn.execute(
        "DELETE FROM loan_instalments WHERE loan_id = ? AND number > ?",
        (loan_id, max(row.number for row in rows)),
    )


def close_if_paid(conn: Connection, loan_id: int) -> None:
    """A loan whose capital and interest are all paid is cancelado."""
    conn.execute(
        """
        UPDATE loans SET status = 'cancelado' WHERE id = ? AND NOT EXISTS (
            SELECT 1 FROM loan_instalments WHERE loan_id = ?
            AND (paid_capital_cents < capital_cents OR paid_interest_cents < interest_cents)
        )
        """,
        (loan_id, loan_id),
    )


def set_cover(
    conn: Connection, payment_id: int, mora: int, interest: int, capital: int, early: int
) -> None:
    """What the payment paid, as applied when it was executed."""
    conn.execute(
        """
        UPDATE loan_payments SET mora_cents = ?, interest_cents = ?, capital_cents = ?,
            early_capital_cents = ?
        WHERE id = ?
        """,
        (mora, interest, capital, early, payment_id),
    )


def loan(conn: Connection, loan_id: int) -> Row:
    row: Row = conn.execute("SELECT * FROM loans WHERE id = ?", (loan_id,)).fetchone()
    return row
