"""Notifications: one event record per thing the bank told a member; the outbox's e-mails are
written from one (``outbox.event_id``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

E-mails stored before this revision keep ``event_id`` NULL: which kind of notice each one was
is not recorded, and the inbox starts empty rather than guessing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_FK = "fk_outbox_event_id_notifications"


def upgrade() -> None:
    # Each step is skipped when done (as 0005's): a database stamped back to an older revision
    # runs this again and keeps what it has.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("notifications"):
        _create_notifications()
    if "event_id" not in {column["name"] for column in inspector.get_columns("outbox")}:
        with op.batch_alter_table("outbox") as batch:
            batch.add_column(sa.Column("event_id", BIGINT))
            batch.create_foreign_key(_FK, "notifications", ["event_id"], ["id"])


def _create_notifications() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("member_id", BIGINT),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("length(kind) BETWEEN 1 AND 40")),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), sa.CheckConstraint(sa.text("title <> ''")), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "in_inbox",
            sa.Integer(),
            sa.CheckConstraint(sa.text("in_inbox IN (0, 1)")),
            nullable=False,
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("read_at", sa.Text()),
        sa.CheckConstraint(sa.text("in_inbox = 0 OR member_id IS NOT NULL")),
        sa.CheckConstraint(sa.text("read_at IS NULL OR in_inbox = 1")),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_notifications_member_id_members"
        ),
    )
    op.create_index("notifications_member", "notifications", ["member_id", "in_inbox", "id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(_FK, type_="foreignkey")
        batch.drop_column("event_id")
    op.drop_index("notifications_member", table_name="notifications")
    op.drop_table("notifications")
