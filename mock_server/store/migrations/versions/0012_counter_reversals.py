"""Reversals of counter operations (four eyes): the table ``counter_reversals``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

A teller asks to reverse one of the cash deposits or withdrawals of the open drawer; the
request waits ``pendiente`` with its four-eyes approval; a supervisor's approval posts the
reversing journal (``reverso_caja``) and makes it ``reversada``, a rejection ``rechazada``.
At most one reversal that is not rejected per operation (a partial unique index). Written out,
not imported from the schema module: a revision stays as it was written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def upgrade() -> None:
    # Skipped when done (as 0005's): a database stamped back to an older revision runs this
    # again and keeps what it has.
    if sa.inspect(op.get_bind()).has_table("counter_reversals"):
        return
    op.create_table(
        "counter_reversals",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("counter_op_id", BIGINT, nullable=False),
        sa.Column("approval_id", BIGINT, nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente', 'reversada', 'rechazada')"),
            nullable=False,
        ),
        sa.Column("requested_by", BIGINT, nullable=False),
        sa.Column("requested_at", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("journal_id", BIGINT, nullable=True),
        sa.Column("decided_at", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        _ck("(status = 'reversada') = (journal_id IS NOT NULL)"),
        _ck("(status = 'pendiente') = (decided_at IS NULL)"),
        _ck("(decided_at IS NULL) = (decided_by IS NULL)"),
        sa.PrimaryKeyConstraint("id", name="pk_counter_reversals"),
        sa.UniqueConstraint("approval_id", name="uq_counter_reversals_approval_id"),
        sa.UniqueConstraint("journal_id", name="uq_counter_reversals_journal_id"),
        sa.ForeignKeyConstraint(
            ["counter_op_id"],
            ["counter_operations.id"],
            name="fk_counter_reversals_counter_op_id_counter_operations",
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approvals.id"], name="fk_counter_reversals_approval_id_approvals"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["members.id"], name="fk_counter_reversals_requested_by_members"
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_counter_reversals_journal_id_journal"
        ),
    )
    op.create_index(
        "counter_reversals_live",
        "counter_reversals",
        ["counter_op_id"],
        unique=True,
        sqlite_where=sa.text("status <> 'rechazada'"),
        postgresql_where=sa.text("status <> 'rechazada'"),
    )


def downgrade() -> None:
    op.drop_index("counter_reversals_live", table_name="counter_reversals")
    op.drop_table("counter_reversals")
