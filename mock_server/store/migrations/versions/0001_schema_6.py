# ruff: noqa: E501 - the CHECK constraints are written out as one SQL text each
"""Schema 6: the schema of the hand-written SQLite migrations, on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-12-03

Written out in full (not ``metadata.create_all``): later changes to
:mod:`mock_server.store.schema` come with their own revisions and leave this one as it was.
Files of the old server (schema 4 to 6) are brought to schema 6 by
:mod:`mock_server.store.legacy` and stamped with this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mock_server.store.constructs import BIGINT, IsoDate, OnlyChars

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# The PRIMER INGRESO's security questions as schema 6 had them: their ids are stored with the
# members' answers, so they never change meaning.
_SECURITY_QUESTIONS = (
    "¿Cuál es el nombre de su primera mascota?",
    "¿En qué ciudad nació su madre?",
    "¿Cuál fue su primer trabajo?",
    "¿Cómo se llamaba su escuela primaria?",
    "¿Cuál es su comida favorita?",
    "¿Cómo se llamaba su mejor amigo de la infancia?",
    "¿En qué calle vivía de niño?",
    "¿Cuál es el segundo nombre de su padre?",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "billers",
        sa.Column(
            "code",
            sa.Text(),
            sa.CheckConstraint(
                sa.and_(sa.text("length(code) BETWEEN 2 AND 20"), OnlyChars("code", "A-Z0-9_"))
            ),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "category",
            sa.Text(),
            sa.CheckConstraint(
                sa.text(
                    "category IN ('electricidad', 'agua', 'telefonia', 'tv', 'impuestos', 'educacion')"
                )
            ),
            nullable=False,
        ),
        sa.Column("reference_label", sa.Text(), nullable=False),
        sa.Column("reference_hint", sa.Text(), nullable=False),
        sa.Column("reference_pattern", sa.Text(), nullable=False),
        sa.Column(
            "amount_rule",
            sa.Text(),
            sa.CheckConstraint(sa.text("amount_rule IN ('exacto', 'parcial', 'abierto')")),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("code", name="pk_billers"),
        sa.UniqueConstraint("name", name="uq_billers_name"),
    )
    op.create_table(
        "holders",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("identification", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('persona', 'empresa')")),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_holders"),
        sa.CheckConstraint(
            sa.text(
                "(kind = 'persona' AND length(identification) = 10) OR (kind = 'empresa' AND length(identification) = 13)"
            )
        ),
        sa.UniqueConstraint("identification", name="uq_holders_identification"),
    )
    op.create_table(
        "idempotency",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.Text()),
        sa.Column(
            "status_code",
            sa.Integer(),
            sa.CheckConstraint(sa.text("status_code BETWEEN 200 AND 499")),
            nullable=False,
        ),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency"),
    )
    op.create_table(
        "institutions",
        sa.Column(
            "code",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("length(code) = 4"), OnlyChars("code", "0-9"))),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('banco', 'cooperativa', 'mutualista')")),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("code", name="pk_institutions"),
        sa.UniqueConstraint("name", name="uq_institutions_name"),
    )
    op.create_table(
        "journal",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journal"),
    )
    op.create_table(
        "login_failures",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), sa.CheckConstraint(sa.text("count >= 0")), nullable=False),
        sa.Column("last_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_login_failures"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    op.create_table(
        "recovery_requests",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_requests"),
    )
    op.create_index("recovery_requests_at", "recovery_requests", ["requested_at"])
    op.create_table(
        "security_questions",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_security_questions"),
        sa.UniqueConstraint("text", name="uq_security_questions_text"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("holder_id", BIGINT),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('member', 'internal')")),
            nullable=False,
        ),
        sa.Column(
            "type",
            sa.Text(),
            sa.CheckConstraint(sa.text("type IN ('ahorro_vista', 'ahorro_personal')")),
        ),
        sa.Column("name", sa.Text()),
        sa.Column(
            "balance_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("balance_cents >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column(
            "hold_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("hold_cents >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(sa.text("status IN ('activa', 'bloqueada', 'cerrada')")),
            nullable=False,
            server_default=sa.text("'activa'"),
        ),
        sa.Column("opened_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.CheckConstraint(sa.text("hold_cents <= balance_cents")),
        sa.CheckConstraint(
            sa.text(
                "(kind = 'member' AND holder_id IS NOT NULL AND type IS NOT NULL) OR (kind = 'internal' AND holder_id IS NULL AND type IS NULL)"
            )
        ),
        sa.UniqueConstraint("number", name="uq_accounts_number"),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name="fk_accounts_holder_id_holders"
        ),
    )
    op.create_index("accounts_holder", "accounts", ["holder_id", "number"])
    op.create_table(
        "bills",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("biller_code", sa.Text(), nullable=False),
        sa.Column(
            "reference", sa.Text(), sa.CheckConstraint(sa.text("reference <> ''")), nullable=False
        ),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column(
            "amount_cents", BIGINT, sa.CheckConstraint(sa.text("amount_cents > 0")), nullable=False
        ),
        sa.Column(
            "paid_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("paid_cents >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column("due_date", sa.Text(), sa.CheckConstraint(IsoDate("due_date")), nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(sa.text("status IN ('pendiente', 'pagada')")),
            nullable=False,
        ),
        sa.Column("paid_at", sa.Text()),
        sa.Column("paid_by", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_bills"),
        sa.CheckConstraint(sa.text("(status = 'pagada') = (paid_at IS NOT NULL)")),
        sa.CheckConstraint(
            sa.text("status = 'pagada' OR (paid_by IS NULL AND paid_cents < amount_cents)")
        ),
        sa.CheckConstraint(sa.text("paid_by IS NULL OR paid_cents >= amount_cents")),
        sa.UniqueConstraint("paid_by", name="uq_bills_paid_by"),
        *(
            [
                sa.ForeignKeyConstraint(
                    ["paid_by"], ["payments.id"], name="fk_bills_paid_by_payments"
                )
            ]
            if sqlite
            else []
        ),
        sa.ForeignKeyConstraint(
            ["biller_code"], ["billers.code"], name="fk_bills_biller_code_billers"
        ),
    )
    op.create_index("bills_reference", "bills", ["biller_code", "reference", "status", "due_date"])
    op.create_table(
        "card_issuers",
        sa.Column(
            "code",
            sa.Text(),
            sa.CheckConstraint(
                sa.and_(sa.text("length(code) BETWEEN 2 AND 20"), OnlyChars("code", "A-Z0-9_"))
            ),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "brand",
            sa.Text(),
            sa.CheckConstraint(sa.text("brand IN ('visa', 'mastercard', 'diners')")),
            nullable=False,
        ),
        sa.Column("institution_code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_card_issuers"),
        sa.UniqueConstraint("name", name="uq_card_issuers_name"),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name="fk_card_issuers_institution_code_institutions",
        ),
    )
    op.create_table(
        "cards",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("holder_id", BIGINT, nullable=False),
        sa.Column(
            "brand",
            sa.Text(),
            sa.CheckConstraint(sa.text("brand IN ('visa', 'mastercard', 'diners')")),
            nullable=False,
        ),
        sa.Column(
            "last4",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("length(last4) = 4"), OnlyChars("last4", "0-9"))),
            nullable=False,
        ),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column(
            "credit_limit_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("credit_limit_cents > 0")),
            nullable=False,
        ),
        sa.Column(
            "statement_total_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("statement_total_cents >= 0")),
            nullable=False,
        ),
        sa.Column(
            "statement_minimum_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("statement_minimum_cents >= 0")),
            nullable=False,
        ),
        sa.Column(
            "paid_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("paid_cents >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column(
            "unbilled_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("unbilled_cents >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column("due_date", sa.Text(), sa.CheckConstraint(IsoDate("due_date")), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cards"),
        sa.CheckConstraint(sa.text("paid_cents <= statement_total_cents")),
        sa.CheckConstraint(sa.text("statement_total_cents + unbilled_cents <= credit_limit_cents")),
        sa.CheckConstraint(sa.text("statement_minimum_cents <= statement_total_cents")),
        sa.ForeignKeyConstraint(["holder_id"], ["holders.id"], name="fk_cards_holder_id_holders"),
    )
    op.create_index("cards_holder", "cards", ["holder_id", "id"])
    op.create_table(
        "closed_external_accounts",
        sa.Column("institution_code", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("institution_code", "number", name="pk_closed_external_accounts"),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name="fk_closed_external_accounts_institution_code_institutions",
        ),
    )
    op.create_table(
        "members",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column(
            "username",
            sa.Text(),
            sa.CheckConstraint(sa.text("username = lower(username) AND username <> ''")),
            nullable=False,
        ),
        sa.Column("holder_id", BIGINT),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(sa.text("status IN ('pending_password', 'setup', 'active')")),
            nullable=False,
        ),
        sa.Column("password_hash", sa.Text()),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Text(),
            sa.CheckConstraint(sa.text("role IN ('member', 'teller')")),
            nullable=False,
            server_default=sa.text("'member'"),
        ),
        sa.Column("security_image", sa.Text()),
        sa.Column("security_phrase", sa.Text()),
        sa.Column("own_question", sa.Text()),
        sa.Column("own_answer_hash", sa.Text()),
        sa.Column("question_id", BIGINT),
        sa.Column("answer_hash", sa.Text()),
        sa.Column("locked_at", sa.Text()),
        sa.Column("last_login_at", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column(
            "pin_failures",
            sa.Integer(),
            sa.CheckConstraint(sa.text("pin_failures >= 0")),
            nullable=False,
            server_default=sa.text("0"),
        ),
        sa.Column(
            "lock_reason", sa.Text(), sa.CheckConstraint(sa.text("lock_reason IN ('login', 'pin')"))
        ),
        sa.Column(
            "language",
            sa.Text(),
            sa.CheckConstraint(sa.text("language IN ('es', 'en')")),
            nullable=False,
            server_default=sa.text("'es'"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.CheckConstraint(sa.text("role = 'teller' OR holder_id IS NOT NULL")),
        sa.CheckConstraint(sa.text("status = 'pending_password' OR password_hash IS NOT NULL")),
        sa.CheckConstraint(
            sa.text(
                "status <> 'active' OR (security_image IS NOT NULL AND security_phrase IS NOT NULL)"
            )
        ),
        sa.UniqueConstraint("username", name="uq_members_username"),
        sa.UniqueConstraint("holder_id", name="uq_members_holder_id"),
        sa.ForeignKeyConstraint(["holder_id"], ["holders.id"], name="fk_members_holder_id_holders"),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["security_questions.id"],
            name="fk_members_question_id_security_questions",
        ),
    )
    op.create_table(
        "beneficiaries",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('interna', 'externa')")),
            nullable=False,
        ),
        sa.Column(
            "number",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("number <> ''"), OnlyChars("number", "0-9"))),
            nullable=False,
        ),
        sa.Column("account_type", sa.Text(), nullable=False),
        sa.Column("account_id", BIGINT),
        sa.Column("institution_code", sa.Text()),
        sa.Column(
            "id_type",
            sa.Text(),
            sa.CheckConstraint(sa.text("id_type IN ('cedula', 'ruc', 'pasaporte')")),
        ),
        sa.Column("id_number", sa.Text()),
        sa.Column(
            "name",
            sa.Text(),
            sa.CheckConstraint(sa.text("length(name) BETWEEN 2 AND 80")),
            nullable=False,
        ),
        sa.Column("email", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_beneficiaries"),
        sa.CheckConstraint(
            sa.text(
                "(kind = 'interna' AND account_id IS NOT NULL AND institution_code IS NULL AND account_type IN ('ahorro_vista', 'ahorro_personal') AND id_type IS NULL AND id_number IS NULL AND email IS NULL) OR (kind = 'externa' AND account_id IS NULL AND institution_code IS NOT NULL AND account_type IN ('ahorros', 'corriente') AND id_type IS NOT NULL AND id_number IS NOT NULL)"
            )
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_beneficiaries_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_beneficiaries_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name="fk_beneficiaries_institution_code_institutions",
        ),
    )
    op.create_index(
        "beneficiaries_externa",
        "beneficiaries",
        ["member_id", "institution_code", "number"],
        unique=True,
        sqlite_where=sa.text("kind = 'externa'"),
        postgresql_where=sa.text("kind = 'externa'"),
    )
    op.create_index(
        "beneficiaries_interna",
        "beneficiaries",
        ["member_id", "number"],
        unique=True,
        sqlite_where=sa.text("kind = 'interna'"),
        postgresql_where=sa.text("kind = 'interna'"),
    )
    op.create_table(
        "closed_external_cards",
        sa.Column("issuer_code", sa.Text(), nullable=False),
        sa.Column(
            "last4",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("length(last4) = 4"), OnlyChars("last4", "0-9"))),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("issuer_code", "last4", name="pk_closed_external_cards"),
        sa.ForeignKeyConstraint(
            ["issuer_code"],
            ["card_issuers.code"],
            name="fk_closed_external_cards_issuer_code_card_issuers",
        ),
    )
    op.create_table(
        "codes",
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "purpose",
            sa.Text(),
            sa.CheckConstraint(sa.text("purpose IN ('set_password', 'recovery')")),
            nullable=False,
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("used_at", sa.Text()),
        sa.PrimaryKeyConstraint("code_hash", name="pk_codes"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_codes_member_id_members"),
    )
    op.create_index("codes_member", "codes", ["member_id", "purpose"])
    op.create_table(
        "device_tokens",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("last_seen_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_device_tokens"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_device_tokens_member_id_members"
        ),
    )
    op.create_index("device_tokens_member", "device_tokens", ["member_id"])
    op.create_table(
        "frequent_services",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("biller_code", sa.Text(), nullable=False),
        sa.Column(
            "reference", sa.Text(), sa.CheckConstraint(sa.text("reference <> ''")), nullable=False
        ),
        sa.Column(
            "alias",
            sa.Text(),
            sa.CheckConstraint(sa.text("length(alias) BETWEEN 1 AND 30")),
            nullable=False,
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_frequent_services"),
        sa.UniqueConstraint(
            "member_id",
            "biller_code",
            "reference",
            name="uq_frequent_services_member_id_biller_code_reference",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_frequent_services_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["biller_code"], ["billers.code"], name="fk_frequent_services_biller_code_billers"
        ),
    )
    op.create_table(
        "movements",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("journal_id", BIGINT, nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("posted_at", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column(
            "amount_cents", BIGINT, sa.CheckConstraint(sa.text("amount_cents <> 0")), nullable=False
        ),
        sa.Column(
            "balance_after_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("balance_after_cents >= 0")),
            nullable=False,
        ),
        sa.Column("seq", BIGINT, sa.CheckConstraint(sa.text("seq > 0")), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_movements"),
        sa.UniqueConstraint("seq", name="uq_movements_seq"),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_movements_journal_id_journal"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_movements_account_id_accounts"
        ),
    )
    op.create_index("movements_journal", "movements", ["journal_id"])
    op.create_index("movements_statement", "movements", ["account_id", "posted_at", "seq"])
    op.create_table(
        "outbox",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("to_address", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_outbox_member_id_members"),
    )
    op.create_table(
        "payments",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('servicio', 'tarjeta', 'tarjeta_externa')")),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(
                sa.text(
                    "status IN ('pendiente_verificacion', 'completada', 'en_proceso', 'rechazada', 'cancelada')"
                )
            ),
            nullable=False,
        ),
        sa.Column("from_account_id", BIGINT, nullable=False),
        sa.Column("bill_id", BIGINT),
        sa.Column("card_id", BIGINT),
        sa.Column("issuer_code", sa.Text()),
        sa.Column(
            "card_last4",
            sa.Text(),
            sa.CheckConstraint(
                sa.and_(sa.text("length(card_last4) = 4"), OnlyChars("card_last4", "0-9"))
            ),
        ),
        sa.Column("payee_name", sa.Text(), nullable=False),
        sa.Column("payee_reference", sa.Text(), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("period", sa.Text()),
        sa.Column(
            "amount_cents", BIGINT, sa.CheckConstraint(sa.text("amount_cents > 0")), nullable=False
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.Text()),
        sa.Column("settled_at", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("journal_id", BIGINT),
        sa.Column("settlement_journal_id", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.CheckConstraint(
            sa.text(
                "(status IN ('pendiente_verificacion', 'cancelada') AND executed_at IS NULL AND journal_id IS NULL) OR (status IN ('completada', 'en_proceso', 'rechazada') AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
            )
        ),
        sa.CheckConstraint(sa.text("(kind = 'servicio') = (bill_id IS NOT NULL)")),
        sa.CheckConstraint(sa.text("(kind = 'tarjeta') = (card_id IS NOT NULL)")),
        sa.CheckConstraint(
            sa.text(
                "(kind = 'tarjeta_externa' AND status IN ('completada', 'rechazada')) = (settlement_journal_id IS NOT NULL)"
            )
        ),
        sa.CheckConstraint(sa.text("(kind = 'tarjeta_externa') = (issuer_code IS NOT NULL)")),
        sa.CheckConstraint(
            sa.text("status NOT IN ('en_proceso', 'rechazada') OR kind = 'tarjeta_externa'")
        ),
        sa.CheckConstraint(
            sa.text("(settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)")
        ),
        sa.CheckConstraint(sa.text("(kind = 'tarjeta_externa') = (card_last4 IS NOT NULL)")),
        sa.UniqueConstraint("settlement_journal_id", name="uq_payments_settlement_journal_id"),
        sa.UniqueConstraint("journal_id", name="uq_payments_journal_id"),
        sa.UniqueConstraint("reference", name="uq_payments_reference"),
        sa.ForeignKeyConstraint(
            ["settlement_journal_id"],
            ["journal.id"],
            name="fk_payments_settlement_journal_id_journal",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_payments_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"], ["accounts.id"], name="fk_payments_from_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_payments_journal_id_journal"
        ),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.id"], name="fk_payments_bill_id_bills"),
        sa.ForeignKeyConstraint(
            ["issuer_code"], ["card_issuers.code"], name="fk_payments_issuer_code_card_issuers"
        ),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name="fk_payments_card_id_cards"),
    )
    if not sqlite:
        # bills and payments name each other: the second of the two adds its key afterwards
        op.create_foreign_key("fk_bills_paid_by_payments", "bills", "payments", ["paid_by"], ["id"])
    op.create_index("payments_bill", "payments", ["bill_id"])
    op.create_index("payments_card", "payments", ["card_id"])
    op.create_index("payments_clearing", "payments", ["status", "executed_at"])
    op.create_index("payments_member", "payments", ["member_id", "executed_at", "id"])
    op.create_table(
        "registrations",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('persona', 'empresa')")),
            nullable=False,
        ),
        sa.Column("identification", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(sa.text("status IN ('pendiente', 'aprobada', 'rechazada')")),
            nullable=False,
        ),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.Text()),
        sa.Column("decided_by", BIGINT),
        sa.Column("reason", sa.Text()),
        sa.Column(
            "language",
            sa.Text(),
            sa.CheckConstraint(sa.text("language IN ('es', 'en')")),
            nullable=False,
            server_default=sa.text("'es'"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
        sa.CheckConstraint(sa.text("(status = 'pendiente') = (decided_at IS NULL)")),
        sa.UniqueConstraint("reference", name="uq_registrations_reference"),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["members.id"], name="fk_registrations_decided_by_members"
        ),
    )
    op.create_index(
        "registrations_open_identification",
        "registrations",
        ["identification"],
        unique=True,
        sqlite_where=sa.text("status IN ('pendiente', 'aprobada')"),
        postgresql_where=sa.text("status IN ('pendiente', 'aprobada')"),
    )
    op.create_index(
        "registrations_open_username",
        "registrations",
        ["username"],
        unique=True,
        sqlite_where=sa.text("status IN ('pendiente', 'aprobada')"),
        postgresql_where=sa.text("status IN ('pendiente', 'aprobada')"),
    )
    op.create_index("registrations_queue", "registrations", ["status", "created_at", "id"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("last_seen_at", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.Text()),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_sessions_member_id_members"
        ),
    )
    op.create_index("sessions_member", "sessions", ["member_id"])
    op.create_table(
        "staff_actions",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("staff_member_id", BIGINT, nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_actions"),
        sa.ForeignKeyConstraint(
            ["staff_member_id"], ["members.id"], name="fk_staff_actions_staff_member_id_members"
        ),
    )
    op.create_table(
        "transfer_limits",
        sa.Column("member_id", BIGINT, nullable=False, autoincrement=False),
        sa.Column(
            "per_transaction_cents",
            BIGINT,
            sa.CheckConstraint(sa.text("per_transaction_cents > 0")),
            nullable=False,
        ),
        sa.Column(
            "daily_cents", BIGINT, sa.CheckConstraint(sa.text("daily_cents > 0")), nullable=False
        ),
        sa.PrimaryKeyConstraint("member_id", name="pk_transfer_limits"),
        sa.CheckConstraint(sa.text("per_transaction_cents <= daily_cents")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_transfer_limits_member_id_members"
        ),
    )
    op.create_table(
        "transfers",
        sa.Column("id", BIGINT, nullable=False, autoincrement=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "kind",
            sa.Text(),
            sa.CheckConstraint(sa.text("kind IN ('propias', 'internas', 'interbancarias')")),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(
                sa.text(
                    "status IN ('pendiente_verificacion', 'completada', 'en_proceso', 'rechazada', 'cancelada')"
                )
            ),
            nullable=False,
        ),
        sa.Column("from_account_id", BIGINT, nullable=False),
        sa.Column("to_account_id", BIGINT),
        sa.Column("beneficiary_id", BIGINT),
        sa.Column("to_account", sa.Text(), nullable=False),
        sa.Column("to_name", sa.Text(), nullable=False),
        sa.Column("to_institution", sa.Text(), nullable=False),
        sa.Column("to_institution_code", sa.Text()),
        sa.Column(
            "amount_cents", BIGINT, sa.CheckConstraint(sa.text("amount_cents > 0")), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("executed_at", sa.Text()),
        sa.Column("settled_at", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("journal_id", BIGINT),
        sa.Column("settlement_journal_id", BIGINT),
        sa.PrimaryKeyConstraint("id", name="pk_transfers"),
        sa.CheckConstraint(
            sa.text(
                "(status IN ('pendiente_verificacion', 'cancelada') AND executed_at IS NULL AND journal_id IS NULL) OR (status IN ('completada', 'en_proceso', 'rechazada') AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
            )
        ),
        sa.CheckConstraint(sa.text("status <> 'rechazada' OR kind = 'interbancarias'")),
        sa.CheckConstraint(sa.text("(kind = 'interbancarias') = (to_account_id IS NULL)")),
        sa.CheckConstraint(
            sa.text(
                "(kind = 'interbancarias' AND status IN ('completada', 'rechazada')) = (settlement_journal_id IS NOT NULL)"
            )
        ),
        sa.CheckConstraint(sa.text("kind <> 'interbancarias' OR to_institution_code IS NOT NULL")),
        sa.CheckConstraint(
            sa.text("(settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)")
        ),
        sa.UniqueConstraint("settlement_journal_id", name="uq_transfers_settlement_journal_id"),
        sa.UniqueConstraint("journal_id", name="uq_transfers_journal_id"),
        sa.UniqueConstraint("reference", name="uq_transfers_reference"),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name="fk_transfers_journal_id_journal"
        ),
        sa.ForeignKeyConstraint(
            ["settlement_journal_id"],
            ["journal.id"],
            name="fk_transfers_settlement_journal_id_journal",
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name="fk_transfers_beneficiary_id_beneficiaries",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_account_id"], ["accounts.id"], name="fk_transfers_to_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_transfers_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"], ["accounts.id"], name="fk_transfers_from_account_id_accounts"
        ),
    )
    op.create_index("transfers_beneficiary", "transfers", ["beneficiary_id"])
    op.create_index("transfers_clearing", "transfers", ["status", "executed_at"])
    op.create_index("transfers_member", "transfers", ["member_id", "executed_at", "id"])
    op.create_table(
        "challenges",
        sa.Column(
            "id",
            sa.Text(),
            sa.CheckConstraint(sa.text("length(id) BETWEEN 16 AND 64")),
            nullable=False,
        ),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column(
            "purpose",
            sa.Text(),
            sa.CheckConstraint(sa.text("purpose IN ('beneficiario', 'transferencia', 'pago')")),
            nullable=False,
        ),
        sa.Column("amount_cents", BIGINT, sa.CheckConstraint(sa.text("amount_cents > 0"))),
        sa.Column("payee", sa.Text(), sa.CheckConstraint(sa.text("payee <> ''")), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text()),
        sa.Column("transfer_id", BIGINT),
        sa.Column("payment_id", BIGINT),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column(
            "attempts_left",
            sa.Integer(),
            sa.CheckConstraint(sa.text("attempts_left BETWEEN 0 AND 3")),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Text(),
            sa.CheckConstraint(
                sa.text("status IN ('pendiente', 'usado', 'cancelado', 'caducado')")
            ),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
        sa.CheckConstraint(sa.text("(status = 'pendiente') = (resolved_at IS NULL)")),
        sa.CheckConstraint(sa.text("status = 'cancelado' OR attempts_left > 0")),
        sa.CheckConstraint(
            sa.text(
                "(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL AND transfer_id IS NULL AND payment_id IS NULL) OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NOT NULL AND payment_id IS NULL) OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NOT NULL)"
            )
        ),
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
    )
    op.create_index("challenges_member", "challenges", ["member_id", "status", "created_at"])
    op.create_index("challenges_open", "challenges", ["status", "expires_at"])

    # The version of the old hand-written line: a server of that line (which knows schema 6)
    # may open this database; a revision it could not use sets a higher number.
    op.bulk_insert(
        sa.table("meta", sa.column("key", sa.Text()), sa.column("value", sa.Text())),
        [{"key": "schema_version", "value": "6"}],
    )
    op.bulk_insert(
        sa.table("security_questions", sa.column("id", BIGINT), sa.column("text", sa.Text())),
        [{"id": i, "text": text} for i, text in enumerate(_SECURITY_QUESTIONS, start=1)],
    )
    if not sqlite:
        # The ids above were given explicitly: the next one the sequence hands out follows them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('security_questions', 'id'), "
            "(SELECT MAX(id) FROM security_questions))"
        )


def downgrade() -> None:
    raise NotImplementedError("schema 6 is the first revision: there is nothing before it")
