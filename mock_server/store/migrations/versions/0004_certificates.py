"""Certificados bancarios: the issued certificates, by their verification code.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A new table only; nothing stored changes. Written out (not imported from the schema module): a
revision stays as it was written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, OnlyChars

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column(
            "code",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("length(code) = 12"), OnlyChars("code", "A-Z0-9-"))),
            nullable=False,
        ),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("issued_at", sa.Text(), nullable=False),
        sa.Column("average_cents", BIGINT, _ck("average_cents >= 0"), nullable=False),
        sa.Column(
            "average_digits",
            sa.Integer(),
            _ck("average_digits BETWEEN 1 AND 12"),
            nullable=False,
        ),
        sa.Column(
            "average_level",
            sa.Text(),
            _ck("average_level IN ('bajos', 'medios', 'altos')"),
            nullable=False,
        ),
        sa.Column("window_days", sa.Integer(), _ck("window_days > 0"), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_certificates"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_certificates_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_certificates_account_id_accounts"
        ),
    )
    op.create_index("certificates_member", "certificates", ["member_id", "issued_at"])


def downgrade() -> None:
    op.drop_index("certificates_member", table_name="certificates")
    op.drop_table("certificates")
