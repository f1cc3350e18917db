"""The teller's counter: member search keys, counter operations and cash-drawer sessions.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

``member_directory`` keeps, per holder, its name folded for search (lower case, no accents:
neither engine folds accents in SQL the same way) and its phone. Filled here for the holders
already stored; the seed writes it for its own. Written out, not imported from the schema
module: a revision stays as it was written.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def upgrade() -> None:
    op.create_table(
        "member_directory",
        sa.Column("holder_id", BIGINT, nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("holder_id", name="pk_member_directory"),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name="fk_member_directory_holder_id_holders"
        ),
    )
    op.create_index("member_directory_phone", "member_directory", ["phone"])
    op.create_table(
        "cash_drawer_sessions",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("teller_id", BIGINT, nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("opened_at", sa.Text(), nullable=False),
        sa.Column(
            "opening_float_cents",
            BIGINT,
            _ck("opening_float_cents >= 0"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.Text(), nullable=True),
        sa.Column("expected_cents", BIGINT, nullable=True),
        sa.Column("counted_cents", BIGINT, _ck("counted_cents >= 0"), nullable=True),
        sa.Column("difference_cents", BIGINT, nullable=True),
        sa.Column("terminal", sa.Text(), nullable=True),
        _ck(
            "(closed_at IS NULL) = (counted_cents IS NULL)"
            " AND (closed_at IS NULL) = (expected_cents IS NULL)"
            " AND (closed_at IS NULL) = (difference_cents IS NULL)"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_cash_drawer_sessions"),
        sa.ForeignKeyConstraint(
            ["teller_id"], ["members.id"], name="fk_cash_drawer_sessions_teller_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_cash_drawer_sessions_account_id_accounts"
        ),
    )
    op.create_index(
        "cash_drawer_sessions_open",
        "cash_drawer_sessions",
        ["teller_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "counter_operations",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("teller_id", BIGINT, nullable=False),
        sa.Column("kind", sa.Text(), _ck("kind IN ('deposito', 'retiro')"), nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("drawer_account_id", BIGINT, nullable=False),
        sa.Column("session_id", BIGINT, nullable=True),
        sa.Column("amount_cents", BIGINT, _ck("amount_cents > 0"), nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('completada', 'pendiente_aprobacion', 'rechazada')"),
            nullable=False,
        ),
        sa.Column("depositor", sa.Text(), nullable=True),
        sa.Column("journal_id", BIGINT, nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("terminal", sa.Text(), nullable=True),
        _ck("(status = 'completada') = (journal_id IS NOT NULL)"),
        _ck("(status = 'completada') = (executed_at IS NOT NULL)"),
        sa.PrimaryKeyConstraint("id", name="pk_counter_operations"),
        sa.UniqueConstraint("reference", name="uq_counter_operations_reference"),
        sa.ForeignKeyConstraint(
            ["teller_id"], ["members.id"], name="fk_counter_operations_teller_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_counter_operations_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["drawer_account_id"],
            ["accounts.id"],
            name="fk_counter_operations_drawer_account_id_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["cash_drawer_sessions.id"],
            name="fk_counter_operations_session_id_cash_drawer_sessions",
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_counter_operations_journal_id_journal"
        ),
    )
    op.create_index("counter_operations_session", "counter_operations", ["session_id"])
    op.create_index("counter_operations_journal", "counter_operations", ["journal_id"])
    bind = op.get_bind()
    holders = bind.execute(sa.text("SELECT id, name FROM holders")).fetchall()
    if holders:
        bind.execute(
            sa.text("INSERT INTO member_directory (holder_id, name_key) VALUES (:id, :key)"),
            [{"id": row[0], "key": _fold(row[1])} for row in holders],
        )


def downgrade() -> None:
    op.drop_index("counter_operations_journal", table_name="counter_operations")
    op.drop_index("counter_operations_session", table_name="counter_operations")
    op.drop_table("counter_operations")
    op.drop_index("cash_drawer_sessions_open", table_name="cash_drawer_sessions")
    op.drop_table("cash_drawer_sessions")
    op.drop_index("member_directory_phone", table_name="member_directory")
    op.drop_table("member_directory")
