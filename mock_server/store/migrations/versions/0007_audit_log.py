"""The audit log: who did what, when, from which terminal, to which member, why, and how it ended.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

Append-only: a trigger on each engine refuses UPDATE and DELETE of its rows, so that not even
the server's own code (or a careless script) can rewrite what was recorded. Written out, not
imported from the schema module: a revision stays as it was written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_REFUSAL = "audit_log is append-only"


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("recorded_at", sa.Text(), nullable=False),
        sa.Column(
            "actor_kind",
            sa.Text(),
            _ck("actor_kind IN ('member', 'teller', 'supervisor', 'system')"),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("terminal", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), _ck("length(action) BETWEEN 1 AND 64"), nullable=False),
        sa.Column("member_id", BIGINT, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), _ck("outcome IN ('ok', 'refused')"), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_audit_log_member_id_members"
        ),
    )
    op.create_index("audit_log_member", "audit_log", ["member_id", "recorded_at"])
    op.create_index("audit_log_at", "audit_log", ["recorded_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        # TRUNCATE is not a row operation: refuse it too.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index("audit_log_at", table_name="audit_log")
    op.drop_index("audit_log_member", table_name="audit_log")
    op.drop_table("audit_log")
