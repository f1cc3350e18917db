"""Self-service (ADMINISTRACIÓN › Mi perfil y seguridad): debit cards, contact changes, phones.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

New tables only (no existing table changes): ``debit_cards`` (a member's debit card on one of
its accounts: blocked at once by the member, unblocked by a teller), ``contact_changes`` (a
requested e-mail or phone change awaiting the code sent to the new address) and
``member_phones`` (the member's mobile phone, which the members table never had). Written out,
not imported from the schema module: a revision stays as it was written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, OnlyChars

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def upgrade() -> None:
    op.create_table(
        "debit_cards",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column(
            "last4",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("length(last4) = 4"), OnlyChars("last4", "0-9"))),
            nullable=False,
        ),
        sa.Column("status", sa.Text(), _ck("status IN ('activa', 'bloqueada')"), nullable=False),
        sa.Column("blocked_at", sa.Text(), nullable=True),
        sa.Column("blocked_by", sa.Text(), nullable=True),
        _ck("(status = 'bloqueada') = (blocked_at IS NOT NULL)"),
        sa.PrimaryKeyConstraint("id", name="pk_debit_cards"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_debit_cards_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_debit_cards_account_id_accounts"
        ),
    )
    op.create_index("debit_cards_member", "debit_cards", ["member_id", "id"])
    op.create_table(
        "contact_changes",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("new_email", sa.Text(), nullable=True),
        sa.Column("new_phone", sa.Text(), nullable=True),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("attempts_left", sa.Integer(), _ck("attempts_left >= 0"), nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente', 'aplicado', 'cancelado')"),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.Text(), nullable=True),
        _ck("new_email IS NOT NULL OR new_phone IS NOT NULL"),
        _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
        sa.PrimaryKeyConstraint("id", name="pk_contact_changes"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_contact_changes_member_id_members"
        ),
    )
    op.create_index("contact_changes_member", "contact_changes", ["member_id", "status"])
    op.create_table(
        "member_phones",
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_phones"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_member_phones_member_id_members"
        ),
    )


def downgrade() -> None:
    op.drop_table("member_phones")
    op.drop_index("contact_changes_member", table_name="contact_changes")
    op.drop_table("contact_changes")
    op.drop_index("debit_cards_member", table_name="debit_cards")
    op.drop_table("debit_cards")
