"""What the simulated interbank clearing reads and writes: en_proceso transfers and payments to
cards of other institutions, the accounts and cards it refuses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db

# What the clearing reads differently of a transfer and of a payment to a card of another
# institution: the subquery that finds its destination refused (``closed``), and for a payment
# the joins that name the card's institution.
_REFUSED = {
    "transfers": (
        """SELECT 1 FROM closed_external_accounts AS x
           WHERE x.institution_code = o.to_institution_code AND x.number = o.to_account""",
        "",
    ),
    "payments": (
        """SELECT 1 FROM closed_external_cards AS x
           WHERE x.issuer_code = o.issuer_code AND x.last4 = o.card_last4""",
        """JOIN card_issuers AS c ON c.code = o.issuer_code
           JOIN institutions AS i ON i.code = c.institution_code""",
    ),
}


def in_process(
    conn: Connection, table: Literal["transfers", "payments"], operation_id: int
) -> Row | None:
    """An en_proceso transfer or payment to a card of another institution, with its origin's
    number, its member's contact, whether the clearing refuses its destination (``closed``:
    a closed account, a cancelled card) and, for a payment, the card's ``institution_name``."""
    closed, joins = _REFUSED[table]
    institution_name = ", i.name AS institution_name" if joins else ""
    row: Row | None = conn.execute(
        f"""
        SELECT o.*, a.number AS from_number, m.email, m.full_name, m.language{institution_name},
               EXISTS ({closed}) AS closed
        FROM {table} AS o JOIN accounts AS a ON a.id = o.from_account_id
        JOIN members AS m ON m.id = o.member_id
        {joins}
        WHERE o.id = ? AND o.status = 'en_proceso'
        """,
        (operation_id,),
    ).fetchone()
    return row


_ANYTHING_DUE = """
    SELECT EXISTS (SELECT 1 FROM transfers WHERE status = 'en_proceso' AND executed_at <= :cutoff)
        OR EXISTS (SELECT 1 FROM payments WHERE status = 'en_proceso' AND executed_at <= :cutoff)
        OR EXISTS (SELECT 1 FROM challenges WHERE status = 'pendiente' AND expires_at <= :now)
"""


def anything_due(conn: Connection, cutoff: datetime, now: datetime) -> bool:
    """Whether a settlement (executed at ``cutoff`` or before) or a PIN expiry is due: one
    read of two indexes, no write."""
    params = {"cutoff": to_db(cutoff), "now": to_db(now)}
    return bool(conn.execute(_ANYTHING_DUE, params).fetchone()[0])
