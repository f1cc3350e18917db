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


def pay_instalment(
    conn: Connection, loan_id: int, number: int, mora: int, interest: int, capital: int
) -> None:
    """What a payment paid of one instalment (the CHECKs keep it within what was owed)."""
    conn.execute(
        """
        UPDATE loan_instalments SET mora_paid_cents = mora_paid_cents + ?,
            paid_interest_cents = paid_interest_cents + ?,
            paid_capital_cents = paid_capital_cents + ?
        WHERE loan_id = ? AND number = ?
        """,
        (mora, interest, capital, loan_id, number),
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
