"""The double-entry ledger: posting a journal, and its invariants checked by SQL.

Every money move is one journal of exactly two movements (a debit and a credit of the same
amount), written by :func:`post_transfer` inside the caller's ``BEGIN IMMEDIATE`` transaction,
so the movements, the balances and whatever the move belongs to (a transfer, its challenge, the
idempotency record) commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store import Connection
from mock_server.store import ledger as store
from mock_server.store.accounts import internal_account_id as _internal_account_id
from mock_server.store.ledger import (
    CAJA_NAME,
    CAJA_NUMBER,
    CARTERA_NAME,
    CARTERA_NUMBER,
    COMPENSACION_NAME,
    COMPENSACION_NUMBER,
    CREDITOS_NAME,
    CREDITOS_NUMBER,
    INTERNAL_ACCOUNTS,
    PAYMENT_JOURNAL_KINDS,
    PAYMENT_SETTLEMENT_JOURNAL_KINDS,
    RECAUDACION_NAME,
    RECAUDACION_NUMBER,
    SALIDAS_NAME,
    SALIDAS_NUMBER,
    SETTLEMENT_JOURNAL_KINDS,
    STATEMENT_ORDER,
    TRANSFER_JOURNAL_KINDS,
    ledger_problems,
    statement_problems,
)
from mock_server.store.timestamps import to_db

# The chart of accounts and the ledger's checks live with the SQL that names them; they are
# the ledger's, and are imported from here.
__all__ = [
    "CAJA_NAME",
    "CAJA_NUMBER",
    "CARTERA_NAME",
    "CARTERA_NUMBER",
    "COMPENSACION_NAME",
    "COMPENSACION_NUMBER",
    "CREDITOS_NAME",
    "CREDITOS_NUMBER",
    "INTERNAL_ACCOUNTS",
    "PAYMENT_JOURNAL_KINDS",
    "PAYMENT_SETTLEMENT_JOURNAL_KINDS",
    "RECAUDACION_NAME",
    "RECAUDACION_NUMBER",
    "SALIDAS_NAME",
    "SALIDAS_NUMBER",
    "SETTLEMENT_JOURNAL_KINDS",
    "STATEMENT_ORDER",
    "TRANSFER_JOURNAL_KINDS",
    "FundsError",
    "Leg",
    "internal_account_id",
    "ledger_problems",
    "post_transfer",
    "statement_problems",
]


class FundsError(RuntimeError):
    """A debit would take an account's available balance below zero (callers check first)."""


@dataclass(frozen=True)
class Leg:
    account_id: int
    description: str  # what the account's holder reads in the statement


def internal_account_id(conn: Connection, number: str) -> int:
    account_id = _internal_account_id(conn, number)
    if account_id is None:  # pragma: no cover - every seeded database has them
        raise RuntimeError(f"the internal account {number} does not exist; reseed the database")
    return account_id


def post_transfer(
    conn: Connection,
    now: datetime,
    *,
    kind: str,
    description: str,
    reference: str,
    amount_cents: int,
    debit: Leg,
    credit: Leg,
) -> int:
    """One journal: ``debit`` gives ``amount_cents`` to ``credit``. Returns the journal's id.

    Runs inside the caller's write transaction. The debit never takes the available balance
    (balance - hold) below zero: :class:`FundsError` instead, and the caller rolls back.
    """
    if amount_cents <= 0:
        raise ValueError("a journal moves a positive amount")
    if debit.account_id == credit.account_id:
        raise ValueError("a journal moves money between two different accounts")
    if not conn.in_transaction:
        raise RuntimeError("a posting's sequence is taken inside the write transaction")
    # The balances first: their rows stay locked to the end of the transaction, so the
    # posting taken next follows every earlier posting of these two accounts.
    balances = store.move(conn, debit.account_id, credit.account_id, amount_cents)
    if balances is None:
        raise FundsError(f"account {debit.account_id} cannot give {amount_cents}")
    debited, credited = balances
    journal_id, seq, posted_at = store.open_journal(
        conn, to_db(now), kind, description, (debit.account_id, credit.account_id)
    )
    store.insert_movements(
        conn,
        [
            (
                journal_id,
                debit.account_id,
                posted_at,
                debit.description,
                reference,
                -amount_cents,
                debited,
                seq,
            ),
            (
                journal_id,
                credit.account_id,
                posted_at,
                credit.description,
                reference,
                amount_cents,
                credited,
                seq + 1,
            ),
        ],
    )
    return journal_id
