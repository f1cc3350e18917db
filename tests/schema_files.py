"""Files of older servers, made from a new seed by undoing each schema change (for the tests
of the migrations). One place, so that a new schema version is undone once for every test.

The old server kept no Alembic revision: ``alembic_version`` goes with schema 6."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

# Revisions after 0003 that the old server's files never had. 0008 (issue 17, notifications):
# the events' table, and the outbox's link to them (a column in a foreign key: the table copied).
_UNDO_LATER = """
CREATE TABLE outbox_old (
    id INTEGER PRIMARY KEY,
    to_address TEXT NOT NULL,
    member_id INTEGER REFERENCES members (id),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO outbox_old SELECT id, to_address, member_id, subject, body, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
DROP TABLE notifications;
-- 0004-0007 and 0009 (issue 17's products, the audit log, self-service): their tables, none in
-- the old server's files (the revisions that rebuilt challenges keep the columns they find)
DROP TABLE IF EXISTS certificates;
DROP TABLE IF EXISTS polizas;
DROP TABLE IF EXISTS loan_payments;
DROP TABLE IF EXISTS loan_instalments;
DROP TABLE IF EXISTS loans;
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS member_phones;
DROP TABLE IF EXISTS contact_changes;
DROP TABLE IF EXISTS debit_cards;
-- 0010-0012 (issue 18): the four-eyes requests, the counter's operations, their reversals,
-- drawers and directory
DROP TABLE IF EXISTS counter_reversals;
DROP TABLE IF EXISTS approvals;
DROP TABLE IF EXISTS counter_operations;
DROP TABLE IF EXISTS cash_drawer_sessions;
DROP TABLE IF EXISTS member_directory;
"""

# Schema 6 (issue 13): movements got their posting sequence, members their count of wrong
# PINs in a row and the reason of a lock, recovery requests their table. (The old server had
# none of the tables of the Alembic revisions after 0003 either: tests/api/test_store_schema.py
# LATER_TABLES; _UNDO_LATER, always run before this, drops them.)
_UNDO_6 = """
-- the later products' money (pólizas opened, loan instalments paid, cash at the counter, its
-- reversals and the drawers' fundings): none in the old server's files; their journals go and
-- the accounts they moved get their amounts back
UPDATE accounts SET balance_cents = balance_cents - COALESCE((
    SELECT SUM(m.amount_cents) FROM movements AS m JOIN journal AS j ON j.id = m.journal_id
    WHERE m.account_id = accounts.id AND j.kind IN (
        'poliza_apertura', 'pago_prestamo', 'deposito_caja', 'retiro_caja', 'dotacion_caja',
        'reverso_caja')), 0);
DELETE FROM movements WHERE journal_id IN (
    SELECT id FROM journal WHERE kind IN (
        'poliza_apertura', 'pago_prestamo', 'deposito_caja', 'retiro_caja', 'dotacion_caja',
        'reverso_caja'));
DELETE FROM journal WHERE kind IN (
    'poliza_apertura', 'pago_prestamo', 'deposito_caja', 'retiro_caja', 'dotacion_caja',
    'reverso_caja');
CREATE TABLE movements_v5 (
    id INTEGER PRIMARY KEY,
    journal_id INTEGER NOT NULL REFERENCES journal (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    posted_at TEXT NOT NULL,
    description TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
    balance_after_cents INTEGER NOT NULL CHECK (balance_after_cents >= 0)
);
INSERT INTO movements_v5 SELECT id, journal_id, account_id, posted_at, description,
    reference, amount_cents, balance_after_cents FROM movements;
DROP TABLE movements;
ALTER TABLE movements_v5 RENAME TO movements;
CREATE INDEX movements_statement ON movements (account_id, posted_at, id);
CREATE INDEX movements_journal ON movements (journal_id);
DROP INDEX challenges_member;
ALTER TABLE members DROP COLUMN lock_reason;
ALTER TABLE members RENAME COLUMN pin_failures TO pin_cancellations;
DROP TABLE recovery_requests;
UPDATE meta SET value = '5' WHERE key = 'schema_version';
DROP TABLE alembic_version;
"""

# Schema 5 (issue 6): device tokens and the member's language.
_UNDO_5 = """
DROP TABLE device_tokens;
ALTER TABLE members DROP COLUMN language;
ALTER TABLE registrations DROP COLUMN language;
UPDATE meta SET value = '4' WHERE key = 'schema_version';
"""


def as_schema_5(conn: sqlite3.Connection) -> None:
    """``conn``'s file as the server of schema 5 left it."""
    conn.executescript(_UNDO_LATER + _UNDO_6)


def as_schema_4(conn: sqlite3.Connection) -> None:
    """``conn``'s file as the server of schema 4 left it."""
    conn.executescript(_UNDO_LATER + _UNDO_6 + _UNDO_5)


def old_server_file(
    seeded: Path, path: Path, undo: Callable[[sqlite3.Connection], None], then: str = ""
) -> Path:
    """A copy of the file ``seeded`` at ``path`` as an older server left it (``undo``, one of the
    above), with ``then`` (SQL: that server's data) run on it: ``path``."""
    shutil.copyfile(seeded, path)
    conn = sqlite3.connect(path)
    try:
        undo(conn)
        conn.executescript(then)
        conn.commit()
    finally:
        conn.close()
    return path
