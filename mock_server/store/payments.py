"""PAGO DE SERVICIOS and PAGO DE TARJETAS as stored: the catalog, bills, frequent services,
cards and issuers (the payments themselves: :mod:`.operations`)."""

from __future__ import annotations

from datetime import datetime

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

# --- billers and bills -------------------------------------------------------------------------

_SELECT_BILL = """
    SELECT b.*, r.name AS biller_name, r.amount_rule, r.reference_label
    FROM bills AS b JOIN billers AS r ON r.code = b.biller_code
"""


def billers(conn: Connection) -> list[Row]:
    return conn.execute("SELECT * FROM billers").fetchall()


def biller(conn: Connection, code: str) -> Row | None:
    row: Row | None = conn.execute("SELECT * FROM billers WHERE code = ?", (code,)).fetchone()
    return row


def reference_known(conn: Connection, biller_code: str, reference: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM bills WHERE biller_code = ? AND reference = ? LIMIT 1",
        (biller_code, reference),
    ).fetchone()
    return row is not None


def oldest_pending_bill(conn: Connection, biller_code: str, reference: str) -> Row | None:
    row: Row | None = conn.execute(
        f"""
        {_SELECT_BILL}
        WHERE b.biller_code = ? AND b.reference = ? AND b.status = 'pendiente'
        ORDER BY b.due_date, b.id LIMIT 1
        """,
        (biller_code, reference),
    ).fetchone()
    return row


def bill(conn: Connection, bill_id: int) -> Row | None:
    row: Row | None = conn.execute(f"{_SELECT_BILL} WHERE b.id = ?", (bill_id,)).fetchone()
    return row


def pay_bill(
    conn: Connection, bill_id: int, amount_cents: int, payment_id: int, now: datetime
) -> None:
    """The bill is pagada once what was paid covers it (at once for an exacto bill)."""
    conn.execute(
        """
        UPDATE bills SET paid_cents = paid_cents + :amount,
            status = CASE WHEN paid_cents + :amount >= amount_cents
                THEN 'pagada' ELSE status END,
            paid_at = CASE WHEN paid_cents + :amount >= amount_cents
                THEN :now ELSE paid_at END,
            paid_by = CASE WHEN paid_cents + :amount >= amount_cents
                THEN :payment ELSE paid_by END
        WHERE id = :bill AND status = 'pendiente'
        """,
        {"amount": amount_cents, "now": to_db(now), "payment": payment_id, "bill": bill_id},
    )


# --- frequent services --------------------------------------------------------------------------

_SELECT_FREQUENT = """
    SELECT f.id, f.member_id, f.biller_code, r.name AS biller_name, f.reference, f.alias
    FROM frequent_services AS f JOIN billers AS r ON r.code = f.biller_code
"""


def frequent_of_member(conn: Connection, member_id: int) -> list[Row]:
    return conn.execute(
        f"{_SELECT_FREQUENT} WHERE f.member_id = ? ORDER BY lower(f.alias), f.id",
        (member_id,),
    ).fetchall()


def frequent(conn: Connection, member_id: int, frequent_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"{_SELECT_FREQUENT} WHERE f.id = ? AND f.member_id = ?", (frequent_id, member_id)
    ).fetchone()
    return row


def frequent_alias(
    conn: Connection, member_id: int, biller_code: str, reference: str
) -> str | None:
    """The alias under which the member saved this biller and reference, if saved."""
    row = conn.execute(
        """
        SELECT alias FROM frequent_services
        WHERE member_id = ? AND biller_code = ? AND reference = ?
        """,
        (member_id, biller_code, reference),
    ).fetchone()
    return None if row is None else str(row["alias"])


def insert_frequent(
    conn: Connection, member_id: int, biller_code: str, reference: str, alias: str, now: datetime
) -> int:
    return int(
        conn.execute(
            """
            INSERT INTO frequent_services (member_id, biller_code, reference, alias, created_at)
            VALUES (?, ?, ?, ?, ?) RETURNING id
            """,
            (member_id, biller_code, reference, alias, to_db(now)),
        ).fetchone()[0]
    )


def delete_frequent(conn: Connection, frequent_id: int) -> None:
    conn.execute("DELETE FROM frequent_services WHERE id = ?", (frequent_id,))


# --- cards and issuers --------------------------------------------------------------------------

_SELECT_ISSUER = """
    SELECT c.code, c.name, c.brand, c.institution_code, i.name AS institution_name
    FROM card_issuers AS c JOIN institutions AS i ON i.code = c.institution_code
"""


def cards_of_holder(conn: Connection, holder_id: int | None) -> list[Row]:
    return conn.execute(
        "SELECT * FROM cards WHERE holder_id = ? ORDER BY id", (holder_id,)
    ).fetchall()


def card_of_holder(conn: Connection, holder_id: int | None, card_id: int) -> Row | None:
    row: Row | None = conn.execute(
        "SELECT * FROM cards WHERE id = ? AND holder_id = ?", (card_id, holder_id)
    ).fetchone()
    return row


def pay_card(conn: Connection, card_id: int, amount_cents: int) -> None:
    conn.execute(
        "UPDATE cards SET paid_cents = paid_cents + ? WHERE id = ?", (amount_cents, card_id)
    )


def issuers(conn: Connection) -> list[Row]:
    return conn.execute(f"{_SELECT_ISSUER} ORDER BY c.name").fetchall()


def issuer(conn: Connection, code: str) -> Row | None:
    row: Row | None = conn.execute(f"{_SELECT_ISSUER} WHERE c.code = ?", (code,)).fetchone()
    return row
