"""What the simulated interbank clearing reads and writes: en_proceso transfers and payments to
cards of other institutions, the accounts and cards it refuses."""

from __future__ import annotations

from datetime import datetime

from mock_server.store.engine import Connection, Row
from mock_server.store.meta import to_db


def transfer_in_process(conn: Connection, transfer_id: int) -> Row | None:
    """An en_proceso transfer, with its origin's number, its member's contact, and whether
    the clearing refuses its destination (``closed``)."""
    row: Row | None = conn.execute(
        """
        SELECT t.*, a.number AS from_number, m.email, m.full_name, m.language,
               EXISTS (
                   SELECT 1 FROM closed_external_accounts AS x
                   WHERE x.institution_code = t.to_institution_code AND x.number = t.to_account
               ) AS closed
        FROM transfers AS t JOIN accounts AS a ON a.id = t.from_account_id
        JOIN members AS m ON m.id = t.member_id
        WHERE t.id = ? AND t.status = 'en_proceso'
        """,
        (transfer_id,),
    ).fetchone()
    return row


def payment_in_process(conn: Connection, payment_id: int) -> Row | None:
    """An en_proceso payment to a card of another institution, with its origin's number, its
    member's contact, the issuer's institution, and whether the card was cancelled
    (``closed``)."""
    row: Row | None = conn.execute(
        """
        SELECT p.*, a.number AS from_number, m.email, m.full_name, m.language,
               i.name AS institution_name,
               EXISTS (
                   SELECT 1 FROM closed_external_cards AS x
                   WHERE x.issuer_code = p.issuer_code AND x.last4 = p.card_last4
               ) AS closed
        FROM payments AS p JOIN accounts AS a ON a.id = p.from_account_id
        JOIN members AS m ON m.id = p.member_id
        JOIN card_issuers AS c ON c.code = p.issuer_code
        JOIN institutions AS i ON i.code = c.institution_code
        WHERE p.id = ? AND p.status = 'en_proceso'
        """,
        (payment_id,),
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
