"""PostgreSQL: the movements' posting numbers come from a sequence.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Until now every posting took the database's last ``seq`` + 1, which holds only while one
writer at a time holds the whole database. On PostgreSQL writers of different accounts now
run side by side (:func:`mock_server.store.ledger.open_journal`), so the numbers come from a
sequence, two per journal (its debit and its credit), continuing after the largest number
stored. SQLite keeps one writer at a time and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Written out, not imported: a revision stays as it was written.
_SEQUENCE = "movements_posting_seq"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE SEQUENCE IF NOT EXISTS {_SEQUENCE} INCREMENT BY 2 MINVALUE 1")
    op.execute(
        f"SELECT setval('{_SEQUENCE}', COALESCE((SELECT MAX(seq) FROM movements), 0) + 1, false)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP SEQUENCE {_SEQUENCE}")
