# ruff: noqa: E501 - the CHECK constraints are written out as one SQL text each
"""Pólizas (depósitos a plazo fijo): their table, their PIN challenges and their ledger account.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

- ``polizas``: a póliza opened from a savings account through the operation pipeline.
- ``challenges``: a new purpose ``poliza`` and the column ``poliza_id`` (the póliza awaiting the
  PIN); the CHECKs on ``purpose`` are rebuilt to admit it (SQLite: the table is copied;
  PostgreSQL: the unnamed CHECKs that name ``purpose`` are found by their text and replaced).
- The internal account 99000007 "Depósitos a plazo" is opened in a seeded database (a new one
  gets it from the seed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, IsoDate

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

# Written out, not imported: a revision stays as it was written.
_PLAZO = ("99000007", "Depósitos a plazo")
_PURPOSES = "purpose IN ('beneficiario', 'transferencia', 'pago', 'poliza')"
_OLD_PURPOSES = "purpose IN ('beneficiario', 'transferencia', 'pago')"
_SHAPES = (
    "(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL AND transfer_id IS NULL AND payment_id IS NULL)"
    " OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NOT NULL AND payment_id IS NULL)"
    " OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NOT NULL)"
)
_NEW_SHAPES = (
    _SHAPES
    + " OR (purpose = 'poliza' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NULL)"
)
_POLIZA_ID = "(purpose = 'poliza') = (poliza_id IS NOT NULL)"


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _challenges(purposes: str, shapes: str) -> sa.Table:
    """The challenges table as revision 0001 built it, with these two CHECKs (SQLite's copy)."""
    return sa.Table(
        "challenges",
        sa.MetaData(),
        sa.Column("id", sa.Text(), _ck("length(id) BETWEEN 16 AND 64"), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("purpose", sa.Text(), _ck(purposes), nullable=False),
        sa.Column("amount_cents", BIGINT, _ck("amount_cents > 0")),
        sa.Column("payee", sa.Text(), _ck("payee <> ''"), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text()),
        sa.Column("transfer_id", BIGINT),
        sa.Column("payment_id", BIGINT),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column(
            "attempts_left", sa.Integer(), _ck("attempts_left BETWEEN 0 AND 3"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente', 'usado', 'cancelado', 'caducado')"),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
        _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
        _ck("status = 'cancelado' OR attempts_left > 0"),
        _ck(shapes),
        sa.UniqueConstraint("payment_id", name="uq_challenges_payment_id"),
        sa.UniqueConstraint("transfer_id", name="uq_challenges_transfer_id"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_challenges_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_challenges_payment_id_payments"
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name="fk_challenges_transfer_id_transfers"
        ),
        # SQLite's copy builds the indexes of this definition (the old ones go with the table)
        sa.Index("challenges_open", "status", "expires_at"),
        sa.Index("challenges_member", "member_id", "status", "created_at"),
    )


def _create_polizas() -> None:
    op.create_table(
        "polizas",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente_verificacion', 'completada', 'cancelada')"),
            nullable=False,
        ),
        sa.Column("from_account_id", BIGINT, nullable=False),
        sa.Column("amount_cents", BIGINT, _ck("amount_cents > 0"), nullable=False),
        sa.Column("term_days", sa.Integer(), _ck("term_days BETWEEN 31 AND 1800"), nullable=False),
        sa.Column("rate_bp", sa.Integer(), _ck("rate_bp BETWEEN 0 AND 10000"), nullable=False),
        sa.Column(
            "withholding_bp",
            sa.Integer(),
            _ck("withholding_bp BETWEEN 0 AND 10000"),
            nullable=False,
        ),
        sa.Column("interest_cents", BIGINT, _ck("interest_cents >= 0"), nullable=False),
        sa.Column("withholding_cents", BIGINT, _ck("withholding_cents >= 0"), nullable=False),
        sa.Column(
            "start_date", sa.Text(), sa.CheckConstraint(IsoDate("start_date")), nullable=False
        ),
        sa.Column(
            "maturity_date", sa.Text(), sa.CheckConstraint(IsoDate("maturity_date")), nullable=False
        ),
        sa.Column(
            "renewal",
            sa.Text(),
            _ck("renewal IN ('renovar_total', 'renovar_capital', 'no_renovar')"),
            nullable=False,
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("journal_id", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_polizas"),
        _ck("withholding_cents <= interest_cents"),
        _ck("maturity_date > start_date"),
        _ck(
            "(status IN ('pendiente_verificacion', 'cancelada') AND executed_at IS NULL AND journal_id IS NULL)"
            " OR (status = 'completada' AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
        ),
        sa.UniqueConstraint("reference", name="uq_polizas_reference"),
        sa.UniqueConstraint("journal_id", name="uq_polizas_journal_id"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_polizas_member_id_members"),
        sa.ForeignKeyConstraint(
            ["from_account_id"], ["accounts.id"], name="fk_polizas_from_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_polizas_journal_id_journal"
        ),
    )
    op.create_index("polizas_member", "polizas", ["member_id", "executed_at", "id"])


def _purpose_checks_pg() -> list[str]:
    """PostgreSQL's names of the CHECKs of challenges that name ``purpose`` (0001 left them
    unnamed: PostgreSQL named them)."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'challenges'::regclass"
            " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%purpose%'"
        )
    )
    return [row[0] for row in rows]


def _rebuild_challenges(purposes: str, shapes: str, *, with_poliza: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # The copy is made from this definition (its CHECKs); only its columns are copied, so
        # the downgrade's leaves poliza_id behind.
        with op.batch_alter_table(
            "challenges", copy_from=_challenges(purposes, shapes), recreate="always"
        ) as batch:
            if with_poliza:
                batch.add_column(sa.Column("poliza_id", BIGINT))
                batch.create_unique_constraint("uq_challenges_poliza_id", ["poliza_id"])
                batch.create_foreign_key(
                    "fk_challenges_poliza_id_polizas", "polizas", ["poliza_id"], ["id"]
                )
                batch.create_check_constraint("ck_challenges_poliza_id", sa.text(_POLIZA_ID))
        return
    for name in _purpose_checks_pg():
        op.drop_constraint(name, "challenges", type_="check")
    if with_poliza:
        op.add_column("challenges", sa.Column("poliza_id", BIGINT))
        op.create_unique_constraint("uq_challenges_poliza_id", "challenges", ["poliza_id"])
        op.create_foreign_key(
            "fk_challenges_poliza_id_polizas", "challenges", "polizas", ["poliza_id"], ["id"]
        )
    else:
        op.drop_column("challenges", "poliza_id")
    op.create_check_constraint("ck_challenges_purpose", "challenges", sa.text(purposes))
    op.create_check_constraint("ck_challenges_shape", "challenges", sa.text(shapes))
    if with_poliza:
        op.create_check_constraint("ck_challenges_poliza_id", "challenges", sa.text(_POLIZA_ID))


def upgrade() -> None:
    # Each step is skipped when done (as 0003's IF NOT EXISTS): a database stamped back to an
    # older revision runs this again and keeps what it has.
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    if not inspector.has_table("polizas"):
        _create_polizas()
    if "poliza_id" not in {column["name"] for column in inspector.get_columns("challenges")}:
        _rebuild_challenges(_PURPOSES, _NEW_SHAPES, with_poliza=True)
    # A seeded database (its Caja general exists) gets the new internal account, empty.
    opened = conn.execute(
        sa.text("SELECT opened_at FROM accounts WHERE number = '99000001'")
    ).fetchone()
    known = conn.execute(
        sa.text("SELECT 1 FROM accounts WHERE number = :number"), {"number": _PLAZO[0]}
    ).fetchone()
    if opened is not None and known is None:
        conn.execute(
            sa.text(
                "INSERT INTO accounts (number, kind, name, balance_cents, hold_cents, status,"
                " opened_at) VALUES (:number, 'internal', :name, 0, 0, 'activa', :opened)"
            ),
            {"number": _PLAZO[0], "name": _PLAZO[1], "opened": opened[0]},
        )


def downgrade() -> None:
    # An opened póliza moved money into 99000007: going back would leave its movements with no
    # account and the ledger unbalanced. Only a database without pólizas goes back.
    opened = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM polizas")).scalar()
    if opened:
        raise RuntimeError(
            f"{opened} pólizas are stored: revision 0005 cannot be undone without losing them"
        )
    op.execute("DELETE FROM challenges WHERE purpose = 'poliza'")
    _rebuild_challenges(_OLD_PURPOSES, _SHAPES, with_poliza=False)
    op.drop_table("polizas")
    op.execute(f"DELETE FROM accounts WHERE number = '{_PLAZO[0]}'")
