"""PRÉSTAMOS: a socio's loans and their instalments; the "Cartera de créditos" account.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-05

Two new tables (``loans``, ``loan_instalments``: the amortization table as lent, with what was
paid of each instalment) and, in a database that already has the cooperative's chart of
accounts, the internal account 99000006 "Cartera de créditos" that loan payments credit.
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
    op.drop_table("loan_instalments")
    op.drop_table("loans")
