"""Supervisors and four eyes: the role ``supervisor`` and the table ``approvals``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

``members.role`` may now be ``supervisor`` (a teller who also approves the four-eyes requests
and reads the audit log), and such a user, like a teller, has no holder. 0001 left both CHECKs
unnamed; PostgreSQL named them, and they are found by what they say. On SQLite a table copy of
``members`` cannot be done inside the migration's transaction (foreign keys are on, and many
tables point at ``members``), so the CHECK text is changed in the schema itself, the procedure
SQLite documents for changing constraints that do not alter stored data
(https://sqlite.org/lang_altertable.html#otheralter); the new CHECK is looser than the old one,
so every stored row still meets it. Written out, not imported from the schema module.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_OLD_ROLE = "role IN ('member', 'teller')"
_NEW_ROLE = "role IN ('member', 'teller', 'supervisor')"
_OLD_STAFF = "role = 'teller' OR holder_id IS NOT NULL"
_NEW_STAFF = "role IN ('teller', 'supervisor') OR holder_id IS NOT NULL"


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _sqlite_rewrite_members(replacements: tuple[tuple[str, str], ...]) -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'members'"
    ).scalar_one()
    if all(new in sql for _old, new in replacements):
        return  # done already (a database stamped back to an older revision)
    for old, new in replacements:
        if old not in sql:
            raise RuntimeError(f"members has no CHECK ({old}) to change")
        sql = sql.replace(old, new)
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'members'", (sql,)
        )
        # Every connection reads the schema again.
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _pg_role_checks() -> dict[str, str]:
    """name -> definition of the CHECKs of members that name ``role``."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'members'::regclass"
            " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%role%'"
        )
    )
    return {row[0]: row[1] for row in rows}


def _change_role_checks(role: str, staff: str, replacements: tuple[tuple[str, str], ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rewrite_members(replacements)
        return
    checks = _pg_role_checks()
    if (role == _NEW_ROLE) == any("supervisor" in text for text in checks.values()):
        return  # done already (a database stamped back to an older revision)
    for name in checks:
        op.drop_constraint(name, "members", type_="check")
    op.create_check_constraint("ck_members_role", "members", sa.text(role))
    op.create_check_constraint("ck_members_staff_holder", "members", sa.text(staff))


def upgrade() -> None:
    # Each step is skipped when done: a database stamped back to an older revision (as the
    # schema tests do) runs this again and keeps what it has.
    _change_role_checks(_NEW_ROLE, _NEW_STAFF, ((_OLD_ROLE, _NEW_ROLE), (_OLD_STAFF, _NEW_STAFF)))
    if sa.inspect(op.get_bind()).has_table("approvals"):
        return
    op.create_table(
        "approvals",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), _ck("length(kind) BETWEEN 1 AND 40"), nullable=False),
        sa.Column("member_id", BIGINT, nullable=True),
        sa.Column("payload", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("requested_by", BIGINT, nullable=False),
        sa.Column("requested_at", sa.Text(), nullable=False),
        sa.Column("terminal", sa.Text(), nullable=True),
        sa.Column("request_reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente', 'aprobada', 'rechazada')"),
            nullable=False,
        ),
        sa.Column("decided_by", BIGINT, nullable=True),
        sa.Column("decided_at", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _ck("(status = 'pendiente') = (decided_at IS NULL AND decided_by IS NULL)"),
        _ck("decided_by IS NULL OR decided_by <> requested_by"),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_approvals_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["members.id"], name="fk_approvals_requested_by_members"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["members.id"], name="fk_approvals_decided_by_members"
        ),
    )
    op.create_index("approvals_queue", "approvals", ["status", "requested_at", "id"])


def downgrade() -> None:
    op.drop_index("approvals_queue", table_name="approvals")
    op.drop_table("approvals")
    # Supervisors become tellers: the old CHECKs know no other staff.
    op.execute("UPDATE members SET role = 'teller' WHERE role = 'supervisor'")
    _change_role_checks(_OLD_ROLE, _OLD_STAFF, ((_NEW_ROLE, _OLD_ROLE), (_NEW_STAFF, _OLD_STAFF)))
