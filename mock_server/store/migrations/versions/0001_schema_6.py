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

from typing import Any

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


# The pieces written out below more than once, spelled here (never imported from the schema
# module: this revision must build the same tables whatever the schema becomes).


def _ck(sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(sql))


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def _uq(table: str, column: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(column, name=f"uq_{table}_{column}")


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """``column`` of ``table`` refers to ``target`` (``table.column``), named as schema 6 did."""
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def _id() -> sa.Column[int]:
    return sa.Column("id", BIGINT, nullable=False, autoincrement=True)


def _enum(name: str, *values: str, **kw: Any) -> sa.Column[str]:
    """A TEXT column that holds one of ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return sa.Column(name, sa.Text(), _ck(f"{name} IN ({listed})"), **kw)


def _cents(name: str, check: str, **kw: Any) -> sa.Column[int]:
    """An amount in cents, with its CHECK (``check``: ``'>= 0'``, ``'> 0'``...)."""
    return sa.Column(name, BIGINT, _ck(f"{name} {check}"), **kw)


def _last4(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.and_(sa.text(f"length({column}) = 4"), OnlyChars(column, "0-9")))


def _catalog_code() -> sa.CheckConstraint:
    """A seeded catalog's code (billers, card issuers)."""
    return sa.CheckConstraint(
        sa.and_(sa.text("length(code) BETWEEN 2 AND 20"), OnlyChars("code", "A-Z0-9_"))
    )


# transfers and payments: the life of an operation.
_OPERATION_STATUS = (
    "status IN ('pendiente_verificacion', 'completada', 'en_proceso', 'rechazada', 'cancelada')"
)
_EXECUTED_WHEN = "(status IN ('pendiente_verificacion', 'cancelada') AND executed_at IS NULL AND journal_id IS NULL) OR (status IN ('completada', 'en_proceso', 'rechazada') AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
_SETTLED_WHEN = "(settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)"


def _operation_head(*kinds: str) -> list[sa.Column[Any]]:
    """An operation's first columns: its keys, its kind (one of ``kinds``), status and source."""
    return [
        _id(),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        _enum("kind", *kinds, nullable=False),
        sa.Column("status", sa.Text(), _ck(_OPERATION_STATUS), nullable=False),
        sa.Column("from_account_id", BIGINT, nullable=False),
    ]


def _settled_by(kind: str) -> sa.CheckConstraint:
    """Only operations of ``kind`` go through the clearing, which settles or returns them."""
    return _ck(
        f"(kind = '{kind}' AND status IN ('completada', 'rechazada'))"
        " = (settlement_journal_id IS NOT NULL)"
    )


def _operation_indexes(table: str) -> None:
    """The clearing's operations by status and age; a member's, newest first."""
    op.create_index(f"{table}_clearing", table, ["status", "executed_at"])
    op.create_index(f"{table}_member", table, ["member_id", "executed_at", "id"])


def _member_tokens(table: str, *extra: sa.Column[Any]) -> None:
    """A table of tokens a member holds (only their SHA-256), and its index by member."""
    op.create_table(
        table,
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("last_seen_at", sa.Text(), nullable=False),
        *extra,
        _pk(table, "token_hash"),
        _fk(table, "member_id", "members.id"),
    )
    op.create_index(f"{table}_member", table, ["member_id"])


def _outcome_columns() -> list[sa.Column[Any]]:
    """What an operation's execution fills in (transfers, payments)."""
    return [
        sa.Column("executed_at", sa.Text()),
        sa.Column("settled_at", sa.Text()),
        sa.Column("reason", sa.Text()),
        sa.Column("journal_id", BIGINT),
        sa.Column("settlement_journal_id", BIGINT),
    ]


def _operation_uniques(table: str) -> list[sa.UniqueConstraint]:
    return [_uq(table, column) for column in ("settlement_journal_id", "journal_id", "reference")]


def _partial_index(name: str, table: str, columns: list[str], *, where: str) -> None:
    """A unique index over the rows ``where`` holds, on both engines."""
    op.create_index(
        name,
        table,
        columns,
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "billers",
        sa.Column("code", sa.Text(), _catalog_code(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "category",
            sa.Text(),
            _ck(
                "category IN ('electricidad', 'agua', 'telefonia', 'tv', 'impuestos', 'educacion')"
            ),
            nullable=False,
        ),
        sa.Column("reference_label", sa.Text(), nullable=False),
        sa.Column("reference_hint", sa.Text(), nullable=False),
        sa.Column("reference_pattern", sa.Text(), nullable=False),
        _enum("amount_rule", "exacto", "parcial", "abierto", nullable=False),
        _pk("billers", "code"),
        _uq("billers", "name"),
    )
    op.create_table(
        "holders",
        _id(),
        sa.Column("identification", sa.Text(), nullable=False),
        _enum("kind", "persona", "empresa", nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _pk("holders", "id"),
        _ck(
            "(kind = 'persona' AND length(identification) = 10) OR (kind = 'empresa' AND length(identification) = 13)"
        ),
        _uq("holders", "identification"),
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
            "status_code", sa.Integer(), _ck("status_code BETWEEN 200 AND 499"), nullable=False
        ),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        _pk("idempotency", "scope", "key"),
    )
    op.create_table(
        "institutions",
        sa.Column("code", sa.Text(), _last4("code"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _enum("kind", "banco", "cooperativa", "mutualista", nullable=False),
        _pk("institutions", "code"),
        _uq("institutions", "name"),
    )
    op.create_table(
        "journal",
        _id(),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _pk("journal", "id"),
    )
    op.create_table(
        "login_failures",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), _ck("count >= 0"), nullable=False),
        sa.Column("last_at", sa.Text(), nullable=False),
        _pk("login_failures", "username"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _pk("meta", "key"),
    )
    op.create_table(
        "recovery_requests",
        _id(),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.Text(), nullable=False),
        _pk("recovery_requests", "id"),
    )
    op.create_index("recovery_requests_at", "recovery_requests", ["requested_at"])
    op.create_table(
        "security_questions",
        _id(),
        sa.Column("text", sa.Text(), nullable=False),
        _pk("security_questions", "id"),
        _uq("security_questions", "text"),
    )
    op.create_table(
        "accounts",
        _id(),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("holder_id", BIGINT),
        _enum("kind", "member", "internal", nullable=False),
        _enum("type", "ahorro_vista", "ahorro_personal"),
        sa.Column("name", sa.Text()),
        _cents("balance_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        _cents("hold_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        _enum(
            "status",
            "activa",
            "bloqueada",
            "cerrada",
            nullable=False,
            server_default=sa.text("'activa'"),
        ),
        sa.Column("opened_at", sa.Text(), nullable=False),
        _pk("accounts", "id"),
        _ck("hold_cents <= balance_cents"),
        _ck(
            "(kind = 'member' AND holder_id IS NOT NULL AND type IS NOT NULL) OR (kind = 'internal' AND holder_id IS NULL AND type IS NULL)"
        ),
        _uq("accounts", "number"),
        _fk("accounts", "holder_id", "holders.id"),
    )
    op.create_index("accounts_holder", "accounts", ["holder_id", "number"])
    op.create_table(
        "bills",
        _id(),
        sa.Column("biller_code", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), _ck("reference <> ''"), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        _cents("amount_cents", "> 0", nullable=False),
        _cents("paid_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        sa.Column("due_date", sa.Text(), sa.CheckConstraint(IsoDate("due_date")), nullable=False),
        _enum("status", "pendiente", "pagada", nullable=False),
        sa.Column("paid_at", sa.Text()),
        sa.Column("paid_by", BIGINT),
        _pk("bills", "id"),
        _ck("(status = 'pagada') = (paid_at IS NOT NULL)"),
        _ck("status = 'pagada' OR (paid_by IS NULL AND paid_cents < amount_cents)"),
        _ck("paid_by IS NULL OR paid_cents >= amount_cents"),
        _uq("bills", "paid_by"),
        *([_fk("bills", "paid_by", "payments.id")] if sqlite else []),
        _fk("bills", "biller_code", "billers.code"),
    )
    op.create_index("bills_reference", "bills", ["biller_code", "reference", "status", "due_date"])
    op.create_table(
        "card_issuers",
        sa.Column("code", sa.Text(), _catalog_code(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        _enum("brand", "visa", "mastercard", "diners", nullable=False),
        sa.Column("institution_code", sa.Text(), nullable=False),
        _pk("card_issuers", "code"),
        _uq("card_issuers", "name"),
        _fk("card_issuers", "institution_code", "institutions.code"),
    )
    op.create_table(
        "cards",
        _id(),
        sa.Column("holder_id", BIGINT, nullable=False),
        _enum("brand", "visa", "mastercard", "diners", nullable=False),
        sa.Column("last4", sa.Text(), _last4("last4"), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        _cents("credit_limit_cents", "> 0", nullable=False),
        _cents("statement_total_cents", ">= 0", nullable=False),
        _cents("statement_minimum_cents", ">= 0", nullable=False),
        _cents("paid_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        _cents("unbilled_cents", ">= 0", nullable=False, server_default=sa.text("0")),
        sa.Column("due_date", sa.Text(), sa.CheckConstraint(IsoDate("due_date")), nullable=False),
        _pk("cards", "id"),
        _ck("paid_cents <= statement_total_cents"),
        _ck("statement_total_cents + unbilled_cents <= credit_limit_cents"),
        _ck("statement_minimum_cents <= statement_total_cents"),
        _fk("cards", "holder_id", "holders.id"),
    )
    op.create_index("cards_holder", "cards", ["holder_id", "id"])
    op.create_table(
        "closed_external_accounts",
        sa.Column("institution_code", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        _pk("closed_external_accounts", "institution_code", "number"),
        _fk("closed_external_accounts", "institution_code", "institutions.code"),
    )
    op.create_table(
        "members",
        _id(),
        sa.Column(
            "username",
            sa.Text(),
            _ck("username = lower(username) AND username <> ''"),
            nullable=False,
        ),
        sa.Column("holder_id", BIGINT),
        _enum("status", "pending_password", "setup", "active", nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        _enum("role", "member", "teller", nullable=False, server_default=sa.text("'member'")),
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
            _ck("pin_failures >= 0"),
            nullable=False,
            server_default=sa.text("0"),
        ),
        _enum("lock_reason", "login", "pin"),
        _enum("language", "es", "en", nullable=False, server_default=sa.text("'es'")),
        _pk("members", "id"),
        _ck("role = 'teller' OR holder_id IS NOT NULL"),
        _ck("status = 'pending_password' OR password_hash IS NOT NULL"),
        _ck("status <> 'active' OR (security_image IS NOT NULL AND security_phrase IS NOT NULL)"),
        _uq("members", "username"),
        _uq("members", "holder_id"),
        _fk("members", "holder_id", "holders.id"),
        _fk("members", "question_id", "security_questions.id"),
    )
    op.create_table(
        "beneficiaries",
        _id(),
        sa.Column("member_id", BIGINT, nullable=False),
        _enum("kind", "interna", "externa", nullable=False),
        sa.Column(
            "number",
            sa.Text(),
            sa.CheckConstraint(sa.and_(sa.text("number <> ''"), OnlyChars("number", "0-9"))),
            nullable=False,
        ),
        sa.Column("account_type", sa.Text(), nullable=False),
        sa.Column("account_id", BIGINT),
        sa.Column("institution_code", sa.Text()),
        _enum("id_type", "cedula", "ruc", "pasaporte"),
        sa.Column("id_number", sa.Text()),
        sa.Column(
            "name",
            sa.Text(),
            _ck("length(name) BETWEEN 2 AND 80"),
            nullable=False,
        ),
        sa.Column("email", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        _pk("beneficiaries", "id"),
        _ck(
            "(kind = 'interna' AND account_id IS NOT NULL AND institution_code IS NULL AND account_type IN ('ahorro_vista', 'ahorro_personal') AND id_type IS NULL AND id_number IS NULL AND email IS NULL) OR (kind = 'externa' AND account_id IS NULL AND institution_code IS NOT NULL AND account_type IN ('ahorros', 'corriente') AND id_type IS NOT NULL AND id_number IS NOT NULL)"
        ),
        _fk("beneficiaries", "account_id", "accounts.id"),
        _fk("beneficiaries", "member_id", "members.id"),
        _fk("beneficiaries", "institution_code", "institutions.code"),
    )
    _partial_index(
        "beneficiaries_externa",
        "beneficiaries",
        ["member_id", "institution_code", "number"],
        where="kind = 'externa'",
    )
    _partial_index(
        "beneficiaries_interna", "beneficiaries", ["member_id", "number"], where="kind = 'interna'"
    )
    op.create_table(
        "closed_external_cards",
        sa.Column("issuer_code", sa.Text(), nullable=False),
        sa.Column("last4", sa.Text(), _last4("last4"), nullable=False),
        _pk("closed_external_cards", "issuer_code", "last4"),
        _fk("closed_external_cards", "issuer_code", "card_issuers.code"),
    )
    op.create_table(
        "codes",
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT, nullable=False),
        _enum("purpose", "set_password", "recovery", nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("used_at", sa.Text()),
        _pk("codes", "code_hash"),
        _fk("codes", "member_id", "members.id"),
    )
    op.create_index("codes_member", "codes", ["member_id", "purpose"])
    _member_tokens("device_tokens")
    op.create_table(
        "frequent_services",
        _id(),
        sa.Column("member_id", BIGINT, nullable=False),
        sa.Column("biller_code", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), _ck("reference <> ''"), nullable=False),
        sa.Column(
            "alias",
            sa.Text(),
            _ck("length(alias) BETWEEN 1 AND 30"),
            nullable=False,
        ),
        sa.Column("created_at", sa.Text(), nullable=False),
        _pk("frequent_services", "id"),
        sa.UniqueConstraint(
            "member_id",
            "biller_code",
            "reference",
            name="uq_frequent_services_member_id_biller_code_reference",
        ),
        _fk("frequent_services", "member_id", "members.id"),
        _fk("frequent_services", "biller_code", "billers.code"),
    )
    op.create_table(
        "movements",
        _id(),
        sa.Column("journal_id", BIGINT, nullable=False),
        sa.Column("account_id", BIGINT, nullable=False),
        sa.Column("posted_at", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        _cents("amount_cents", "<> 0", nullable=False),
        _cents("balance_after_cents", ">= 0", nullable=False),
        sa.Column("seq", BIGINT, _ck("seq > 0"), nullable=False),
        _pk("movements", "id"),
        _uq("movements", "seq"),
        _fk("movements", "journal_id", "journal.id"),
        _fk("movements", "account_id", "accounts.id"),
    )
    op.create_index("movements_journal", "movements", ["journal_id"])
    op.create_index("movements_statement", "movements", ["account_id", "posted_at", "seq"])
    op.create_table(
        "outbox",
        _id(),
        sa.Column("to_address", sa.Text(), nullable=False),
        sa.Column("member_id", BIGINT),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        _pk("outbox", "id"),
        _fk("outbox", "member_id", "members.id"),
    )
    op.create_table(
        "payments",
        *_operation_head("servicio", "tarjeta", "tarjeta_externa"),
        sa.Column("bill_id", BIGINT),
        sa.Column("card_id", BIGINT),
        sa.Column("issuer_code", sa.Text()),
        sa.Column("card_last4", sa.Text(), _last4("card_last4")),
        sa.Column("payee_name", sa.Text(), nullable=False),
        sa.Column("payee_reference", sa.Text(), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("period", sa.Text()),
        _cents("amount_cents", "> 0", nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        *_outcome_columns(),
        _pk("payments", "id"),
        _ck(_EXECUTED_WHEN),
        _ck("(kind = 'servicio') = (bill_id IS NOT NULL)"),
        _ck("(kind = 'tarjeta') = (card_id IS NOT NULL)"),
        _settled_by("tarjeta_externa"),
        _ck("(kind = 'tarjeta_externa') = (issuer_code IS NOT NULL)"),
        _ck("status NOT IN ('en_proceso', 'rechazada') OR kind = 'tarjeta_externa'"),
        _ck(_SETTLED_WHEN),
        _ck("(kind = 'tarjeta_externa') = (card_last4 IS NOT NULL)"),
        *_operation_uniques("payments"),
        _fk("payments", "settlement_journal_id", "journal.id"),
        _fk("payments", "member_id", "members.id"),
        _fk("payments", "from_account_id", "accounts.id"),
        _fk("payments", "journal_id", "journal.id"),
        _fk("payments", "bill_id", "bills.id"),
        _fk("payments", "issuer_code", "card_issuers.code"),
        _fk("payments", "card_id", "cards.id"),
    )
    if not sqlite:
        # bills and payments name each other: the second of the two adds its key afterwards
        op.create_foreign_key("fk_bills_paid_by_payments", "bills", "payments", ["paid_by"], ["id"])
    op.create_index("payments_bill", "payments", ["bill_id"])
    op.create_index("payments_card", "payments", ["card_id"])
    _operation_indexes("payments")
    op.create_table(
        "registrations",
        _id(),
        sa.Column("reference", sa.Text(), nullable=False),
        _enum("kind", "persona", "empresa", nullable=False),
        sa.Column("identification", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        _enum("status", "pendiente", "aprobada", "rechazada", nullable=False),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.Text()),
        sa.Column("decided_by", BIGINT),
        sa.Column("reason", sa.Text()),
        _enum("language", "es", "en", nullable=False, server_default=sa.text("'es'")),
        _pk("registrations", "id"),
        _ck("(status = 'pendiente') = (decided_at IS NULL)"),
        _uq("registrations", "reference"),
        _fk("registrations", "decided_by", "members.id"),
    )
    # one open (pending or approved) request per identification and per username
    for column in ("identification", "username"):
        _partial_index(
            f"registrations_open_{column}",
            "registrations",
            [column],
            where="status IN ('pendiente', 'aprobada')",
        )
    op.create_index("registrations_queue", "registrations", ["status", "created_at", "id"])
    _member_tokens("sessions", sa.Column("ended_at", sa.Text()))
    op.create_table(
        "staff_actions",
        _id(),
        sa.Column("staff_member_id", BIGINT, nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=sa.text("''")),
        sa.Column("created_at", sa.Text(), nullable=False),
        _pk("staff_actions", "id"),
        _fk("staff_actions", "staff_member_id", "members.id"),
    )
    op.create_table(
        "transfer_limits",
        sa.Column("member_id", BIGINT, nullable=False, autoincrement=False),
        _cents("per_transaction_cents", "> 0", nullable=False),
        _cents("daily_cents", "> 0", nullable=False),
        _pk("transfer_limits", "member_id"),
        _ck("per_transaction_cents <= daily_cents"),
        _fk("transfer_limits", "member_id", "members.id"),
    )
    op.create_table(
        "transfers",
        *_operation_head("propias", "internas", "interbancarias"),
        sa.Column("to_account_id", BIGINT),
        sa.Column("beneficiary_id", BIGINT),
        sa.Column("to_account", sa.Text(), nullable=False),
        sa.Column("to_name", sa.Text(), nullable=False),
        sa.Column("to_institution", sa.Text(), nullable=False),
        sa.Column("to_institution_code", sa.Text()),
        _cents("amount_cents", "> 0", nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        *_outcome_columns(),
        _pk("transfers", "id"),
        _ck(_EXECUTED_WHEN),
        _ck("status <> 'rechazada' OR kind = 'interbancarias'"),
        _ck("(kind = 'interbancarias') = (to_account_id IS NULL)"),
        _settled_by("interbancarias"),
        _ck("kind <> 'interbancarias' OR to_institution_code IS NOT NULL"),
        _ck(_SETTLED_WHEN),
        *_operation_uniques("transfers"),
        _fk("transfers", "journal_id", "journal.id"),
        _fk("transfers", "settlement_journal_id", "journal.id"),
        _fk("transfers", "beneficiary_id", "beneficiaries.id", ondelete="SET NULL"),
        _fk("transfers", "to_account_id", "accounts.id"),
        _fk("transfers", "member_id", "members.id"),
        _fk("transfers", "from_account_id", "accounts.id"),
    )
    op.create_index("transfers_beneficiary", "transfers", ["beneficiary_id"])
    _operation_indexes("transfers")
    op.create_table(
        "challenges",
        sa.Column(
            "id",
            sa.Text(),
            _ck("length(id) BETWEEN 16 AND 64"),
            nullable=False,
        ),
        sa.Column("member_id", BIGINT, nullable=False),
        _enum("purpose", "beneficiario", "transferencia", "pago", nullable=False),
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
        _enum("status", "pendiente", "usado", "cancelado", "caducado", nullable=False),
        sa.Column("resolved_at", sa.Text()),
        _pk("challenges", "id"),
        _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
        _ck("status = 'cancelado' OR attempts_left > 0"),
        _ck(
            "(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL AND transfer_id IS NULL AND payment_id IS NULL) OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NOT NULL AND payment_id IS NULL) OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL AND transfer_id IS NULL AND payment_id IS NOT NULL)"
        ),
        _uq("challenges", "payment_id"),
        _uq("challenges", "transfer_id"),
        _fk("challenges", "member_id", "members.id"),
        _fk("challenges", "payment_id", "payments.id"),
        _fk("challenges", "transfer_id", "transfers.id"),
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
