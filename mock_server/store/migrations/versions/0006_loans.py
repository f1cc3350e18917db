"""PRÉSTAMOS: a socio's loans and their instalments; the "Cartera de créditos" account.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-05

Three new tables (``loans``, ``loan_instalments``: the amortization table as lent, with what was
paid of each instalment; ``loan_payments``: the payments, an operation of the PIN pipeline) and,
in a database that already has the cooperative's chart of accounts, the internal account
99000006 "Cartera de créditos" that loan payments credit.

``challenges`` gets the purpose ``pago_prestamo`` and its ``loan_payment_id``: its CHECKs are
unnamed, so the table is built again (both engines) and its rows copied.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, IsoDate

revision = "0006"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

# Written out, not imported: a revision stays as it was written.
_CARTERA_NUMBER = "99000006"
_CARTERA_NAME = "Cartera de créditos"


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _cents(name: str, check: str, **kw: Any) -> sa.Column[int]:
    return sa.Column(name, BIGINT, _ck(f"{name} {check}"), **kw)


_CHALLENGE_COLUMNS = (
    "id, member_id, purpose, amount_cents, payee, pin_hash, payload, transfer_id, payment_id,"
    " created_at, expires_at, attempts_left, status, resolved_at"
)


def _challenges(name: str, *, loans: bool) -> None:
    """The challenges table as ``name`` (with or without the loan payments)."""
    link = " AND loan_payment_id IS NULL" if loans else ""
    purposes = ["beneficiario", "transferencia", "pago", *(["pago_prestamo"] if loans else [])]
    listed = ", ".join(f"'{p}'" for p in purposes)
    which = (
        f"(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL"
        f" AND transfer_id IS NULL AND payment_id IS NULL{link})"
        f" OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL"
        f" AND transfer_id IS NOT NULL AND payment_id IS NULL{link})"
        f" OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL"
        f" AND transfer_id IS NULL AND payment_id IS NOT NULL{link})"
    )
    if loans:
        which += (
            " OR (purpose = 'pago_prestamo' AND amount_cents IS NOT NULL AND payload IS NULL"
            " AND transfer_id IS NULL AND payment_id IS NULL AND loan_payment_id IS NOT NULL)"
        )
    op.create_table(
        name,
        sa.Column("id", sa.Text(), _ck("length(id) BETWEEN 16 AND 64"), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("purpose", sa.Text(), _ck(f"purpose IN ({listed})"), nullable=False),
        _cents("amount_cents", "> 0"),
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
        *([sa.Column("loan_payment_id", BIGINT)] if loans else []),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
        _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
        _ck("status = 'cancelado' OR attempts_left > 0"),
        _ck(which),
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
        *(
            [
                sa.UniqueConstraint("loan_payment_id", name="uq_challenges_loan_payment_id"),
                sa.ForeignKeyConstraint(
                    ["loan_payment_id"],
                    ["loan_payments.id"],
                    name="fk_challenges_loan_payment_id_loan_payments",
                ),
            ]
            if loans
            else []
        ),
    )


def _rebuild_challenges(*, loans: bool) -> None:
    """Builds ``challenges`` again with (or without) the loan payments, its rows kept."""
    op.drop_index("challenges_member", table_name="challenges")
    op.drop_index("challenges_open", table_name="challenges")
    op.rename_table("challenges", "challenges_old")
    if op.get_bind().dialect.name == "postgresql":
        # The names of the constraints backed by an index are the schema's, not the table's.
        for name in ("pk_challenges", "uq_challenges_payment_id", "uq_challenges_transfer_id"):
            op.execute(f"ALTER TABLE challenges_old RENAME CONSTRAINT {name} TO {name}_old")
        if not loans:
            op.execute(
                "ALTER TABLE challenges_old RENAME CONSTRAINT uq_challenges_loan_payment_id"
                " TO uq_challenges_loan_payment_id_old"
            )
    _challenges("challenges", loans=loans)
    op.execute(
        f"INSERT INTO challenges ({_CHALLENGE_COLUMNS}) SELECT {_CHALLENGE_COLUMNS}"
        " FROM challenges_old"
    )
    op.drop_table("challenges_old")
    op.create_index("challenges_member", "challenges", ["member_id", "status", "created_at"])
    op.create_index("challenges_open", "challenges", ["status", "expires_at"])


def upgrade() -> None:
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
