# ruff: noqa: E501 - the CHECK constraints are written out as one SQL text each
"""PRÉSTAMOS: a socio's loans and their instalments; the "Cartera de créditos" account.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Three new tables (``loans``, ``loan_instalments``: the amortization table as lent, with what was
paid of each instalment; ``loan_payments``: the payments, an operation of the PIN pipeline) and,
in a database that already has the cooperative's chart of accounts, the internal account
99000006 "Cartera de créditos" that loan payments credit.

``challenges`` gets the purpose ``pago_prestamo`` and its ``loan_payment_id``: its CHECKs are
rebuilt as
revision 0005 did for the pólizas (SQLite: the table is copied; PostgreSQL: altered in place).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, IsoDate

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

# Written out, not imported: a revision stays as it was written.
_CARTERA_NUMBER = "99000006"
_CARTERA_NAME = "Cartera de créditos"


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _cents(name: str, check: str, **kw: Any) -> sa.Column[int]:
    return sa.Column(name, BIGINT, _ck(f"{name} {check}"), **kw)


_BASE_SHAPES = (
    "(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL AND transfer_id IS NULL AND payment_id IS NULL)"
    " OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NOT NULL AND payment_id IS NULL)"
    " OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NOT NULL)"
    " OR (purpose = 'poliza' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NULL)"
)
_LOAN_SHAPE = " OR (purpose = 'pago_prestamo' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NULL)"
_OLD_PURPOSES = "purpose IN ('beneficiario', 'transferencia', 'pago', 'poliza')"
_PURPOSES = "purpose IN ('beneficiario', 'transferencia', 'pago', 'poliza', 'pago_prestamo')"
_POLIZA_ID = "(purpose = 'poliza') = (poliza_id IS NOT NULL)"
_LOAN_PAYMENT_ID = "(purpose = 'pago_prestamo') = (loan_payment_id IS NOT NULL)"


def _challenges(purposes: str, shapes: str) -> sa.Table:
    """The challenges table as revision 0005 left it, with these CHECKs (SQLite's copy)."""
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
        sa.Column("poliza_id", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
        _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
        _ck("status = 'cancelado' OR attempts_left > 0"),
        _ck(shapes),
        sa.CheckConstraint(sa.text(_POLIZA_ID), name="ck_challenges_poliza_id"),
        sa.UniqueConstraint("payment_id", name="uq_challenges_payment_id"),
        sa.UniqueConstraint("transfer_id", name="uq_challenges_transfer_id"),
        sa.UniqueConstraint("poliza_id", name="uq_challenges_poliza_id"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_challenges_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_challenges_payment_id_payments"
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name="fk_challenges_transfer_id_transfers"
        ),
        sa.ForeignKeyConstraint(
            ["poliza_id"], ["polizas.id"], name="fk_challenges_poliza_id_polizas"
        ),
        # SQLite's copy builds the indexes of this definition (the old ones go with the table)
        sa.Index("challenges_open", "status", "expires_at"),
        sa.Index("challenges_member", "member_id", "status", "created_at"),
    )


def _purpose_checks_pg() -> list[str]:
    """PostgreSQL's names of the CHECKs of challenges that name ``purpose``."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'challenges'::regclass"
            " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%purpose%'"
        )
    )
    return [row[0] for row in rows]


def _rebuild_challenges(*, loans: bool) -> None:
    """The challenges' CHECKs with (or without) the loan payments and their loan_payment_id;
    the rows are kept (SQLite: the table is copied; PostgreSQL: altered in place)."""
    purposes, shapes = (
        (_PURPOSES, _BASE_SHAPES + _LOAN_SHAPE) if loans else (_OLD_PURPOSES, _BASE_SHAPES)
    )
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "challenges", copy_from=_challenges(purposes, shapes), recreate="always"
        ) as batch:
            if loans:
                batch.add_column(sa.Column("loan_payment_id", BIGINT))
                batch.create_unique_constraint("uq_challenges_loan_payment_id", ["loan_payment_id"])
                batch.create_foreign_key(
                    "fk_challenges_loan_payment_id_loan_payments",
                    "loan_payments",
                    ["loan_payment_id"],
                    ["id"],
                )
                batch.create_check_constraint(
                    "ck_challenges_loan_payment_id", sa.text(_LOAN_PAYMENT_ID)
                )
        return
    for name in _purpose_checks_pg():
        op.drop_constraint(name, "challenges", type_="check")
    if loans:
        op.add_column("challenges", sa.Column("loan_payment_id", BIGINT))
        op.create_unique_constraint(
            "uq_challenges_loan_payment_id", "challenges", ["loan_payment_id"]
        )
        op.create_foreign_key(
            "fk_challenges_loan_payment_id_loan_payments",
            "challenges",
            "loan_payments",
            ["loan_payment_id"],
            ["id"],
        )
    else:
        op.drop_column("challenges", "loan_payment_id")
    op.create_check_constraint("ck_challenges_purpose", "challenges", sa.text(purposes))
    op.create_check_constraint("ck_challenges_shape", "challenges", sa.text(shapes))
    op.create_check_constraint("ck_challenges_poliza_id", "challenges", sa.text(_POLIZA_ID))
    if loans:
        op.create_check_constraint(
            "ck_challenges_loan_payment_id", "challenges", sa.text(_LOAN_PAYMENT_ID)
        )


def upgrade() -> None:
    # Each step is skipped when done (as 0005's): a database stamped back to an older revision
    # runs this again and keeps what it has.
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("loans"):
        _create_tables()
    if "loan_payment_id" not in {column["name"] for column in inspector.get_columns("challenges")}:
        _rebuild_challenges(loans=True)
    # A database with the chart of accounts (a seeded one) gets the loan portfolio's account;
    # a new one gets it from the seed.
    op.execute(
        sa.text(
            "INSERT INTO accounts (number, kind, name, balance_cents, hold_cents, status,"
            " opened_at) SELECT :number, 'internal', :name, 0, 0, 'activa', opened_at"
            " FROM accounts WHERE number = '99000001' AND NOT EXISTS"
            " (SELECT 1 FROM accounts WHERE number = :number)"
        ).bindparams(number=_CARTERA_NUMBER, name=_CARTERA_NAME)
    )


def _create_tables() -> None:
    op.create_table(
        "loans",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("holder_id", BIGINT, nullable=False),
        sa.Column(
            "product",
            sa.Text(),
            _ck("product IN ('consumo', 'microcredito', 'vivienda')"),
            nullable=False,
        ),
        _cents("amount_cents", "> 0", nullable=False),
        sa.Column("rate_bp", sa.Integer(), _ck("rate_bp BETWEEN 0 AND 10000"), nullable=False),
        sa.Column("months", sa.Integer(), _ck("months BETWEEN 1 AND 600"), nullable=False),
        sa.Column(
            "disbursed_on", sa.Text(), sa.CheckConstraint(IsoDate("disbursed_on")), nullable=False
        ),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('vigente', 'cancelado')"),
            nullable=False,
            server_default=sa.text("'vigente'"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_loans"),
        sa.ForeignKeyConstraint(["holder_id"], ["holders.id"], name="fk_loans_holder_id_holders"),
    )
    op.create_index("loans_holder", "loans", ["holder_id", "id"])
    op.create_table(
        "loan_instalments",
        sa.Column("loan_id", BIGINT, nullable=False),
        sa.Column("number", sa.Integer(), _ck("number > 0"), nullable=False),
        sa.Column("due_date", sa.Text(), sa.CheckConstraint(IsoDate("due_date")), nullable=False),
        _cents("capital_cents", ">= 0", nullable=False),
        _cents("interest_cents", ">= 0", nullable=False),
        _cents("paid_capital_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        _cents("paid_interest_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        _cents("mora_paid_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("loan_id", "number", name="pk_loan_instalments"),
        _ck("paid_capital_cents <= capital_cents"),
        _ck("paid_interest_cents <= interest_cents"),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name="fk_loan_instalments_loan_id_loans"
        ),
    )
    op.create_table(
        "loan_payments",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("loan_id", BIGINT, nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            _ck("status IN ('pendiente_verificacion', 'completada', 'cancelada')"),
            nullable=False,
        ),
        sa.Column("from_account_id", BIGINT, nullable=False),
        _cents("amount_cents", "> 0", nullable=False),
        _cents("mora_cents", ">= 0", nullable=False),
        _cents("interest_cents", ">= 0", nullable=False),
        _cents("capital_cents", ">= 0", nullable=False),
        _cents("early_capital_cents", ">= 0", nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("journal_id", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_loan_payments"),
        sa.UniqueConstraint("reference", name="uq_loan_payments_reference"),
        sa.UniqueConstraint("journal_id", name="uq_loan_payments_journal_id"),
        _ck("mora_cents + interest_cents + capital_cents + early_capital_cents = amount_cents"),
        _ck(
            "(status IN ('pendiente_verificacion', 'cancelada')"
            " AND executed_at IS NULL AND journal_id IS NULL)"
            " OR (status = 'completada' AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_loan_payments_member_id_members"
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name="fk_loan_payments_loan_id_loans"),
        sa.ForeignKeyConstraint(
            ["from_account_id"], ["accounts.id"], name="fk_loan_payments_from_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_loan_payments_journal_id_journal"
        ),
    )
    op.create_index("loan_payments_member", "loan_payments", ["member_id", "executed_at"])
    op.create_index("loan_payments_loan", "loan_payments", ["loan_id"])


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM accounts WHERE number = :number AND balance_cents = 0").bindparams(
            number=_CARTERA_NUMBER
        )
    )
    op.execute("DELETE FROM challenges WHERE purpose = 'pago_prestamo'")
    _rebuild_challenges(loans=False)
    op.drop_table("loan_payments")
    op.drop_table("loan_instalments")
    op.drop_table("loans")
