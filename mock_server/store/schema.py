"""Every table, index and constraint of the store, for SQLite and PostgreSQL.

The current shape of the database, as SQLAlchemy Core metadata: what the migrations
(:mod:`mock_server.store.migrations`) build, and what a new migration is checked against.
Timestamps are TEXT in the fixed-width UTC form of :func:`mock_server.store.meta.to_db` (the
code compares the text); ids and cents are integers (:data:`BIGINT`). Every CHECK, UNIQUE and
FOREIGN KEY is relied on by the server's code: a rule is also a constraint.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    and_,
    text,
)

from mock_server.store.constructs import BIGINT, IsoDate, OnlyChars

# Names PostgreSQL gives the constraints (SQLite keeps them in the table's DDL): a later
# migration can then drop or alter one by name on both engines.
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _ck(sql: str) -> CheckConstraint:
    return CheckConstraint(text(sql))


def _id() -> Column[int]:
    """An ``INTEGER PRIMARY KEY`` (SQLite's rowid; PostgreSQL: BIGSERIAL)."""
    return Column("id", BIGINT, primary_key=True, autoincrement=True)


def _enum(name: str, *values: str, **kw: Any) -> Column[str]:
    """A TEXT column that holds one of ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return Column(name, Text, _ck(f"{name} IN ({listed})"), **kw)


def _cents(name: str, check: str, **kw: Any) -> Column[int]:
    """An amount in cents with its CHECK (``check``: ``'>= 0'``, ``'> 0'``)."""
    return Column(name, BIGINT, _ck(f"{name} {check}"), **kw)


def _catalog_code() -> Column[str]:
    """The key of a seeded catalog (billers, card issuers): ``A-Z0-9_``, 2 to 20 long."""
    return Column(
        "code",
        Text,
        CheckConstraint(and_(text("length(code) BETWEEN 2 AND 20"), OnlyChars("code", "A-Z0-9_"))),
        primary_key=True,
    )


def _partial_index(name: str, table: str, *columns: str, where: str, unique: bool) -> Index:
    return Index(
        name,
        *columns,
        unique=unique,
        sqlite_where=text(where),
        postgresql_where=text(where),
        _table=metadata.tables[table],
    )


LANGUAGE_CHECK = "language IN ('es', 'en')"
ROLES = ("member", "teller", "supervisor")
# Staff users have no holder (no accounts); members always have one.
STAFF_HOLDER_CHECK = "role IN ('teller', 'supervisor') OR holder_id IS NOT NULL"

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# A socio of the cooperative (a person or a company): it holds accounts before, and whether or
# not, it has a S.J. Virtual user.
holders = Table(
    "holders",
    metadata,
    _id(),
    Column("identification", Text, nullable=False, unique=True),
    _enum("kind", "persona", "empresa", nullable=False),
    Column("name", Text, nullable=False),
    _ck(
        "(kind = 'persona' AND length(identification) = 10)"
        " OR (kind = 'empresa' AND length(identification) = 13)"
    ),
)

security_questions = Table(
    "security_questions",
    metadata,
    _id(),
    Column("text", Text, nullable=False, unique=True),
)

# An online user. status: 'pending_password' (approved, no password yet: cannot log in),
# 'setup' (password set, PRIMER INGRESO pending), 'active'.
members = Table(
    "members",
    metadata,
    _id(),
    Column(
        "username",
        Text,
        _ck("username = lower(username) AND username <> ''"),
        nullable=False,
        unique=True,
    ),
    # one user per holder; NULL for the cooperative's staff
    Column("holder_id", BIGINT, ForeignKey("holders.id"), unique=True),
    _enum("status", "pending_password", "setup", "active", nullable=False),
    Column("password_hash", Text),
    Column("full_name", Text, nullable=False),
    Column("email", Text, nullable=False),
    # supervisor: a teller who also approves four-eyes requests (migration 0010)
    _enum("role", *ROLES, nullable=False, server_default=text("'member'")),
    Column("security_image", Text),
    # '' since schema 6: no phrase is asked; the column stays for the CHECK below
    Column("security_phrase", Text),
    Column("own_question", Text),
    Column("own_answer_hash", Text),
    Column("question_id", BIGINT, ForeignKey("security_questions.id")),
    Column("answer_hash", Text),
    Column("locked_at", Text),
    Column("last_login_at", Text),
    Column("created_at", Text, nullable=False),
    # wrong verification PINs in a row, over all operations
    Column(
        "pin_failures", Integer, _ck("pin_failures >= 0"), nullable=False, server_default=text("0")
    ),
    # why locked_at is set: 'pin' (wrong PINs) or 'login'/NULL (failed logins or recoveries)
    _enum("lock_reason", "login", "pin"),
    # the language of the member's e-mails
    Column("language", Text, _ck(LANGUAGE_CHECK), nullable=False, server_default=text("'es'")),
    _ck(STAFF_HOLDER_CHECK),
    _ck("status = 'pending_password' OR password_hash IS NOT NULL"),
    _ck("status <> 'active' OR (security_image IS NOT NULL AND security_phrase IS NOT NULL)"),
)

# Keyed by the typed (lowercased) username, not by member: unknown names lock the same way.
login_failures = Table(
    "login_failures",
    metadata,
    Column("username", Text, primary_key=True),
    Column("count", Integer, _ck("count >= 0"), nullable=False),
    Column("last_at", Text, nullable=False),
)


def _member_tokens(name: str, *extra: Column[Any]) -> Table:
    """A table of tokens a member holds (only their SHA-256 is kept), indexed by member."""
    table = Table(
        name,
        metadata,
        Column("token_hash", Text, primary_key=True),
        Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
        Column("created_at", Text, nullable=False),
        Column("last_seen_at", Text, nullable=False),
        *extra,
    )
    Index(f"{name}_member", table.c.member_id)
    return table


# Recovery ends every session of a member (hence the index by member).
sessions = _member_tokens("sessions", Column("ended_at", Text))

# The terminals a member logged in from (only the SHA-256 of the token is kept).
device_tokens = _member_tokens("device_tokens")

accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("number", Text, nullable=False, unique=True),
    Column("holder_id", BIGINT, ForeignKey("holders.id")),
    _enum("kind", "member", "internal", nullable=False),
    _enum("type", "ahorro_vista", "ahorro_personal"),
    Column("name", Text),
    _cents("balance_cents", ">= 0", nullable=False, server_default=text("0")),
    _cents("hold_cents", ">= 0", nullable=False, server_default=text("0")),
    _enum(
        "status", "activa", "bloqueada", "cerrada", nullable=False, server_default=text("'activa'")
    ),
    Column("opened_at", Text, nullable=False),
    # held funds are part of the balance: the available balance never goes below zero
    _ck("hold_cents <= balance_cents"),
    _ck(
        "(kind = 'member' AND holder_id IS NOT NULL AND type IS NOT NULL)"
        " OR (kind = 'internal' AND holder_id IS NULL AND type IS NULL)"
    ),
)
Index("accounts_holder", accounts.c.holder_id, accounts.c.number)

journal = Table(
    "journal",
    metadata,
    _id(),
    Column("created_at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("description", Text, nullable=False),
)

# seq: the posting sequence, one counter for the whole database, taken with posted_at inside
# the write transaction that posts the movement (mock_server.domain.ledger): commit order.
movements = Table(
    "movements",
    metadata,
    _id(),
    Column("journal_id", BIGINT, ForeignKey("journal.id"), nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    Column("posted_at", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("reference", Text, nullable=False),
    _cents("amount_cents", "<> 0", nullable=False),
    _cents("balance_after_cents", ">= 0", nullable=False),
    Column("seq", BIGINT, _ck("seq > 0"), nullable=False, unique=True),
)
# Statements: a range of one account in (posted_at, seq) order, COUNT over a range.
Index("movements_statement", movements.c.account_id, movements.c.posted_at, movements.c.seq)
# The movements of one journal (a receipt, the double-entry check).
Index("movements_journal", movements.c.journal_id)

# REGISTRO DE SOCIOS: request_json is the RegistrationRequest exactly as validated.
registrations = Table(
    "registrations",
    metadata,
    _id(),
    Column("reference", Text, nullable=False, unique=True),
    _enum("kind", "persona", "empresa", nullable=False),
    Column("identification", Text, nullable=False),
    Column("username", Text, nullable=False),
    _enum("status", "pendiente", "aprobada", "rechazada", nullable=False),
    Column("request_json", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("decided_at", Text),
    Column("decided_by", BIGINT, ForeignKey("members.id")),
    Column("reason", Text),
    # the language of the request: its answer's e-mail is in it
    Column("language", Text, _ck(LANGUAGE_CHECK), nullable=False, server_default=text("'es'")),
    _ck("(status = 'pendiente') = (decided_at IS NULL)"),
)
# The 409 rules, also as constraints: one open (pending or approved) request per
# identification and per username.
for _column in ("identification", "username"):
    _partial_index(
        f"registrations_open_{_column}",
        "registrations",
        _column,
        where="status IN ('pendiente', 'aprobada')",
        unique=True,
    )
Index(
    "registrations_queue",
    registrations.c.status,
    registrations.c.created_at,
    registrations.c.id,
)

staff_actions = Table(
    "staff_actions",
    metadata,
    _id(),
    Column("staff_member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default=text("''")),
    Column("created_at", Text, nullable=False),
)

# One-time codes (ESTABLECER CONTRASEÑA, recovery): only their SHA-256 is kept.
codes = Table(
    "codes",
    metadata,
    Column("code_hash", Text, primary_key=True),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    _enum("purpose", "set_password", "recovery", nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),
)
Index("codes_member", codes.c.member_id, codes.c.purpose)

# Every recovery request, known name or not, kept a day: written for each one alike.
recovery_requests = Table(
    "recovery_requests",
    metadata,
    _id(),
    Column("username", Text, nullable=False),
    Column("requested_at", Text, nullable=False),
)
Index("recovery_requests_at", recovery_requests.c.requested_at)

# Every e-mail the server "sent" (the demo's Correo view reads it).
outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("to_address", Text, nullable=False),
    Column("member_id", BIGINT, ForeignKey("members.id")),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

# The stored answers of state-changing requests (mock_server.api.idempotency). secret_hash: an
# argon2id hash of the body's secret fields, which are left out of request_hash.
idempotency = Table(
    "idempotency",
    metadata,
    Column("scope", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("secret_hash", Text),
    Column("status_code", Integer, _ck("status_code BETWEEN 200 AND 499"), nullable=False),
    Column("response_body", LargeBinary, nullable=False),
    Column("created_at", Text, nullable=False),
    PrimaryKeyConstraint("scope", "key"),
)

# Other financial institutions, by their clearing code (seeded).
institutions = Table(
    "institutions",
    metadata,
    Column(
        "code",
        Text,
        CheckConstraint(and_(text("length(code) = 4"), OnlyChars("code", "0-9"))),
        primary_key=True,
    ),
    Column("name", Text, nullable=False, unique=True),
    _enum("kind", "banco", "cooperativa", "mutualista", nullable=False),
)

# Accounts of other institutions that the simulated clearing refuses (closed accounts).
closed_external_accounts = Table(
    "closed_external_accounts",
    metadata,
    Column("institution_code", Text, ForeignKey("institutions.code"), nullable=False),
    Column("number", Text, nullable=False),
    PrimaryKeyConstraint("institution_code", "number"),
)

# Productos de terceros. interna: another socio's account of this cooperative; externa: an
# account of another institution, as the member typed it.
beneficiaries = Table(
    "beneficiaries",
    metadata,
    _id(),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    _enum("kind", "interna", "externa", nullable=False),
    Column(
        "number",
        Text,
        CheckConstraint(and_(text("number <> ''"), OnlyChars("number", "0-9"))),
        nullable=False,
    ),
    Column("account_type", Text, nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id")),
    Column("institution_code", Text, ForeignKey("institutions.code")),
    _enum("id_type", "cedula", "ruc", "pasaporte"),
    Column("id_number", Text),
    Column("name", Text, _ck("length(name) BETWEEN 2 AND 80"), nullable=False),
    Column("email", Text),
    Column("created_at", Text, nullable=False),
    _ck(
        "(kind = 'interna' AND account_id IS NOT NULL AND institution_code IS NULL"
        " AND account_type IN ('ahorro_vista', 'ahorro_personal')"
        " AND id_type IS NULL AND id_number IS NULL AND email IS NULL)"
        " OR (kind = 'externa' AND account_id IS NULL AND institution_code IS NOT NULL"
        " AND account_type IN ('ahorros', 'corriente')"
        " AND id_type IS NOT NULL AND id_number IS NOT NULL)"
    ),
)
# One registration per member and account: interna by its registered number, externa by
# institution + number.
_partial_index(
    "beneficiaries_interna",
    "beneficiaries",
    "member_id",
    "number",
    where="kind = 'interna'",
    unique=True,
)
_partial_index(
    "beneficiaries_externa",
    "beneficiaries",
    "member_id",
    "institution_code",
    "number",
    where="kind = 'externa'",
    unique=True,
)

# Per-member limits on transfers to third parties (no row: the server's defaults).
transfer_limits = Table(
    "transfer_limits",
    metadata,
    Column("member_id", BIGINT, ForeignKey("members.id"), primary_key=True, autoincrement=False),
    _cents("per_transaction_cents", "> 0", nullable=False),
    _cents("daily_cents", "> 0", nullable=False),
    _ck("per_transaction_cents <= daily_cents"),
)

_BILLER_CATEGORIES = ("electricidad", "agua", "telefonia", "tv", "impuestos", "educacion")
_OPERATION_STATUSES = (
    "pendiente_verificacion",
    "completada",
    "en_proceso",
    "rechazada",
    "cancelada",
)
_EXECUTED_WHEN = (
    "(status IN ('pendiente_verificacion', 'cancelada')"
    " AND executed_at IS NULL AND journal_id IS NULL)"
    " OR (status IN ('completada', 'en_proceso', 'rechazada')"
    " AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
)
_SETTLED_WHEN = "(settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)"


def _operation_head(*kinds: str) -> list[Column[Any]]:
    """An operation's first columns: its keys, its kind (one of ``kinds``), status and source
    account."""
    return [
        _id(),
        Column("reference", Text, nullable=False, unique=True),
        Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
        _enum("kind", *kinds, nullable=False),
        _enum("status", *_OPERATION_STATUSES, nullable=False),
        Column("from_account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    ]


def _outcome_columns() -> list[Column[Any]]:
    """What an operation's execution fills in (transfers, payments): when, why (a refusal),
    the journal that moved the money and, interbank, the one that settled it."""
    return [
        Column("executed_at", Text),
        Column("settled_at", Text),
        Column("reason", Text),
        Column("journal_id", BIGINT, ForeignKey("journal.id"), unique=True),
        Column("settlement_journal_id", BIGINT, ForeignKey("journal.id"), unique=True),
    ]


def _outcome_checks(settled_by: str) -> list[CheckConstraint]:
    """The outcome columns agree with the status; ``settled_by``: the kind that goes through
    the clearing (settled, or returned: rechazada)."""
    return [
        _ck(_EXECUTED_WHEN),
        _ck(
            f"(kind = '{settled_by}' AND status IN ('completada', 'rechazada'))"
            " = (settlement_journal_id IS NOT NULL)"
        ),
        _ck(_SETTLED_WHEN),
    ]


def _operation_indexes(table: Table) -> None:
    """A member's operations, newest first (and the daily limit's sum); the clearing's
    en_proceso operations by age."""
    Index(f"{table.name}_member", table.c.member_id, table.c.executed_at, table.c.id)
    Index(f"{table.name}_clearing", table.c.status, table.c.executed_at)


# TRANSFERENCIAS. The payee is copied (to_*). journal_id: the journal that moved the money
# (NULL until executed); settlement_journal_id: an interbank transfer's clearing or return.
transfers = Table(
    "transfers",
    metadata,
    *_operation_head("propias", "internas", "interbancarias"),
    Column("to_account_id", BIGINT, ForeignKey("accounts.id")),
    Column("beneficiary_id", BIGINT, ForeignKey("beneficiaries.id", ondelete="SET NULL")),
    Column("to_account", Text, nullable=False),
    Column("to_name", Text, nullable=False),
    Column("to_institution", Text, nullable=False),
    Column("to_institution_code", Text),
    _cents("amount_cents", "> 0", nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    *_outcome_columns(),
    _ck("(kind = 'interbancarias') = (to_account_id IS NULL)"),
    _ck("kind <> 'interbancarias' OR to_institution_code IS NOT NULL"),
    *_outcome_checks(settled_by="interbancarias"),
    _ck("status <> 'rechazada' OR kind = 'interbancarias'"),
)
_operation_indexes(transfers)
Index("transfers_beneficiary", transfers.c.beneficiary_id)

# --- pago de servicios and pago de tarjetas ---

# The catalog of billers (seeded). reference_pattern: a regular expression the reference
# matches once normalised (mock_server.domain.payments.normalise_reference).
billers = Table(
    "billers",
    metadata,
    _catalog_code(),
    Column("name", Text, nullable=False, unique=True),
    _enum("category", *_BILLER_CATEGORIES, nullable=False),
    Column("reference_label", Text, nullable=False),
    Column("reference_hint", Text, nullable=False),
    Column("reference_pattern", Text, nullable=False),
    _enum("amount_rule", "exacto", "parcial", "abierto", nullable=False),
)

# A biller's bills (seeded). paid_cents: what members paid through S.J. Virtual. pagada:
# paid_by is the payment that completed it, or NULL for a bill paid elsewhere before.
bills = Table(
    "bills",
    metadata,
    _id(),
    Column("biller_code", Text, ForeignKey("billers.code"), nullable=False),
    Column("reference", Text, _ck("reference <> ''"), nullable=False),
    Column("holder_name", Text, nullable=False),
    Column("period", Text, nullable=False),
    _cents("amount_cents", "> 0", nullable=False),
    _cents("paid_cents", ">= 0", nullable=False, server_default=text("0")),
    Column("due_date", Text, CheckConstraint(IsoDate("due_date")), nullable=False),
    _enum("status", "pendiente", "pagada", nullable=False),
    Column("paid_at", Text),
    # bills and payments name each other: PostgreSQL adds this one after both exist
    Column("paid_by", BIGINT, ForeignKey("payments.id", use_alter=True), unique=True),
    _ck("(status = 'pagada') = (paid_at IS NOT NULL)"),
    _ck("status = 'pagada' OR (paid_by IS NULL AND paid_cents < amount_cents)"),
    _ck("paid_by IS NULL OR paid_cents >= amount_cents"),
)
# CONSULTAR: the oldest pending bill of a reference.
Index("bills_reference", bills.c.biller_code, bills.c.reference, bills.c.status, bills.c.due_date)

# Servicios frecuentes: a member's saved biller + reference.
frequent_services = Table(
    "frequent_services",
    metadata,
    _id(),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("biller_code", Text, ForeignKey("billers.code"), nullable=False),
    Column("reference", Text, _ck("reference <> ''"), nullable=False),
    Column("alias", Text, _ck("length(alias) BETWEEN 1 AND 30"), nullable=False),
    Column("created_at", Text, nullable=False),
    UniqueConstraint("member_id", "biller_code", "reference"),
)


def _last4(column: str) -> CheckConstraint:
    return CheckConstraint(and_(text(f"length({column}) = 4"), OnlyChars(column, "0-9")))


# The cooperative's credit cards (seeded), a socio's. Amounts at the last cut-off
# (statement_*); paid_cents: paid since then; unbilled_cents: purchases after the cut-off.
cards = Table(
    "cards",
    metadata,
    _id(),
    Column("holder_id", BIGINT, ForeignKey("holders.id"), nullable=False),
    _enum("brand", "visa", "mastercard", "diners", nullable=False),
    Column("last4", Text, _last4("last4"), nullable=False),
    Column("holder_name", Text, nullable=False),
    _cents("credit_limit_cents", "> 0", nullable=False),
    _cents("statement_total_cents", ">= 0", nullable=False),
    _cents("statement_minimum_cents", ">= 0", nullable=False),
    _cents("paid_cents", ">= 0", nullable=False, server_default=text("0")),
    _cents("unbilled_cents", ">= 0", nullable=False, server_default=text("0")),
    Column("due_date", Text, CheckConstraint(IsoDate("due_date")), nullable=False),
    _ck("statement_minimum_cents <= statement_total_cents"),
    _ck("paid_cents <= statement_total_cents"),
    _ck("statement_total_cents + unbilled_cents <= credit_limit_cents"),
)
Index("cards_holder", cards.c.holder_id, cards.c.id)

# Cards of other institutions: brand + issuing bank (seeded).
card_issuers = Table(
    "card_issuers",
    metadata,
    _catalog_code(),
    Column("name", Text, nullable=False, unique=True),
    _enum("brand", "visa", "mastercard", "diners", nullable=False),
    Column("institution_code", Text, ForeignKey("institutions.code"), nullable=False),
)

# External cards the simulated clearing refuses (cancelled cards), by issuer and last 4.
closed_external_cards = Table(
    "closed_external_cards",
    metadata,
    Column("issuer_code", Text, ForeignKey("card_issuers.code"), nullable=False),
    Column("last4", Text, _last4("last4"), nullable=False),
    PrimaryKeyConstraint("issuer_code", "last4"),
)

# PAGOS. The payee is copied (payee_*, holder_name, period) for the receipt; of an external
# card only its last 4 digits are kept.
payments = Table(
    "payments",
    metadata,
    *_operation_head("servicio", "tarjeta", "tarjeta_externa"),
    Column("bill_id", BIGINT, ForeignKey("bills.id")),
    Column("card_id", BIGINT, ForeignKey("cards.id")),
    Column("issuer_code", Text, ForeignKey("card_issuers.code")),
    Column("card_last4", Text, _last4("card_last4")),
    Column("payee_name", Text, nullable=False),
    Column("payee_reference", Text, nullable=False),
    Column("holder_name", Text, nullable=False),
    Column("period", Text),
    _cents("amount_cents", "> 0", nullable=False),
    Column("created_at", Text, nullable=False),
    *_outcome_columns(),
    _ck("(kind = 'servicio') = (bill_id IS NOT NULL)"),
    _ck("(kind = 'tarjeta') = (card_id IS NOT NULL)"),
    _ck("(kind = 'tarjeta_externa') = (issuer_code IS NOT NULL)"),
    _ck("(kind = 'tarjeta_externa') = (card_last4 IS NOT NULL)"),
    *_outcome_checks(settled_by="tarjeta_externa"),
    _ck("status NOT IN ('en_proceso', 'rechazada') OR kind = 'tarjeta_externa'"),
)
_operation_indexes(payments)
Index("payments_bill", payments.c.bill_id)
Index("payments_card", payments.c.card_id)

# Operations waiting for their PIN DE VERIFICACIÓN. pin_hash: argon2id of
# pin|id|amount_cents|payee, so the PIN confirms this operation and nothing else. payload: the
# pending beneficiary (JSON); transfer_id / payment_id: the pending operation.
challenges = Table(
    "challenges",
    metadata,
    Column("id", Text, _ck("length(id) BETWEEN 16 AND 64"), primary_key=True),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    # poliza (migration 0005), pago_prestamo (0006): issue 17
    _enum(
        "purpose",
        "beneficiario",
        "transferencia",
        "pago",
        "poliza",
        "pago_prestamo",
        nullable=False,
    ),
    _cents("amount_cents", "> 0"),
    Column("payee", Text, _ck("payee <> ''"), nullable=False),
    Column("pin_hash", Text, nullable=False),
    Column("payload", Text),
    Column("transfer_id", BIGINT, ForeignKey("transfers.id"), unique=True),
    Column("payment_id", BIGINT, ForeignKey("payments.id"), unique=True),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("attempts_left", Integer, _ck("attempts_left BETWEEN 0 AND 3"), nullable=False),
    _enum("status", "pendiente", "usado", "cancelado", "caducado", nullable=False),
    Column("resolved_at", Text),
    # the póliza awaiting this PIN (issue 17)
    Column("poliza_id", BIGINT, ForeignKey("polizas.id"), unique=True),
    # the loan payment awaiting this PIN (issue 17)
    Column("loan_payment_id", BIGINT, ForeignKey("loan_payments.id"), unique=True),
    _ck(
        "(purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL"
        " AND transfer_id IS NULL AND payment_id IS NULL)"
        " OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL"
        " AND transfer_id IS NOT NULL AND payment_id IS NULL)"
        " OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL"
        " AND transfer_id IS NULL AND payment_id IS NOT NULL)"
        " OR (purpose = 'poliza' AND amount_cents IS NOT NULL AND payload IS NULL"
        " AND transfer_id IS NULL AND payment_id IS NULL)"
        " OR (purpose = 'pago_prestamo' AND amount_cents IS NOT NULL AND payload IS NULL"
        " AND transfer_id IS NULL AND payment_id IS NULL)"
    ),
    # each of the later kinds has its own id, and only it
    _ck("(purpose = 'poliza') = (poliza_id IS NOT NULL)"),
    _ck("(purpose = 'pago_prestamo') = (loan_payment_id IS NOT NULL)"),
    _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
    _ck("status = 'cancelado' OR attempts_left > 0"),
)
Index("challenges_open", challenges.c.status, challenges.c.expires_at)
# A member's pending challenges and PIN e-mails in a window (pin.admit).
Index("challenges_member", challenges.c.member_id, challenges.c.status, challenges.c.created_at)


# --- certificates (issue 17) ---

# Certificados bancarios as issued (migration 0004): the code printed on each, so that a teller
# can verify one. The band (average_digits, average_level) is what the paper says;
# average_cents is kept for the cooperative's own records and never sent.
certificates = Table(
    "certificates",
    metadata,
    Column(
        "code",
        Text,
        CheckConstraint(
            and_(text("length(code) = 12"), OnlyChars("code", "A-Z0-9-")),
        ),
        primary_key=True,
    ),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    Column("issued_at", Text, nullable=False),
    _cents("average_cents", ">= 0", nullable=False),
    Column("average_digits", Integer, _ck("average_digits BETWEEN 1 AND 12"), nullable=False),
    _enum("average_level", "bajos", "medios", "altos", nullable=False),
    Column("window_days", Integer, _ck("window_days > 0"), nullable=False),
)
Index("certificates_member", certificates.c.member_id, certificates.c.issued_at)


# --- audit log (issues 17 and 18) ---

# Who did what, when, from which terminal, to which member, why and how it ended (migration
# 0007). Append-only: triggers on both engines refuse UPDATE and DELETE (TRUNCATE too on
# PostgreSQL); they live in the migration, as the metadata cannot describe them.
audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    Column("recorded_at", Text, nullable=False),
    _enum("actor_kind", "member", "teller", "supervisor", "system", nullable=False),
    Column("actor", Text, nullable=False),  # the username (or "system")
    Column("terminal", Text),  # the session's terminal id or the client's address
    Column("action", Text, _ck("length(action) BETWEEN 1 AND 64"), nullable=False),
    Column("member_id", BIGINT, ForeignKey("members.id")),  # the member acted on or for
    Column("reason", Text),
    _enum("outcome", "ok", "refused", nullable=False),
    Column("detail", Text),
)
Index("audit_log_member", audit_log.c.member_id, audit_log.c.recorded_at)
Index("audit_log_at", audit_log.c.recorded_at)


# --- polizas (issue 17) ---

# PÓLIZAS (depósitos a plazo fijo), opened from a savings account through the operation
# pipeline: the capital moves to "Depósitos a plazo" (journal_id). Rates and the withholding
# in basis points; the interest as computed at the start (mock_server.domain.polizas).
polizas = Table(
    "polizas",
    metadata,
    _id(),
    Column("reference", Text, nullable=False, unique=True),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    _enum("status", "pendiente_verificacion", "completada", "cancelada", nullable=False),
    Column("from_account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    _cents("amount_cents", "> 0", nullable=False),
    Column("term_days", Integer, _ck("term_days BETWEEN 31 AND 1800"), nullable=False),
    Column("rate_bp", Integer, _ck("rate_bp BETWEEN 0 AND 10000"), nullable=False),
    Column("withholding_bp", Integer, _ck("withholding_bp BETWEEN 0 AND 10000"), nullable=False),
    _cents("interest_cents", ">= 0", nullable=False),
    _cents("withholding_cents", ">= 0", nullable=False),
    Column("start_date", Text, CheckConstraint(IsoDate("start_date")), nullable=False),
    Column("maturity_date", Text, CheckConstraint(IsoDate("maturity_date")), nullable=False),
    _enum("renewal", "renovar_total", "renovar_capital", "no_renovar", nullable=False),
    Column("created_at", Text, nullable=False),
    Column("executed_at", Text),
    Column("reason", Text),
    Column("journal_id", BIGINT, ForeignKey("journal.id"), unique=True),
    _ck("withholding_cents <= interest_cents"),
    _ck("maturity_date > start_date"),
    _ck(
        "(status IN ('pendiente_verificacion', 'cancelada')"
        " AND executed_at IS NULL AND journal_id IS NULL)"
        " OR (status = 'completada' AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
    ),
)
Index("polizas_member", polizas.c.member_id, polizas.c.executed_at, polizas.c.id)


# --- loans (issue 17) ---
# PRÉSTAMOS: a socio's loans (French system). rate_bp: the yearly rate in basis points (1500 =
# 15,00 %), never a float. Each instalment is its row of the amortization table as lent, with
# what has been paid of it (paid_*, mora_paid_cents): the balance is the capital still unpaid.
loans = Table(
    "loans",
    metadata,
    _id(),
    Column("holder_id", BIGINT, ForeignKey("holders.id"), nullable=False),
    _enum("product", "consumo", "microcredito", "vivienda", nullable=False),
    _cents("amount_cents", "> 0", nullable=False),
    Column("rate_bp", Integer, _ck("rate_bp BETWEEN 0 AND 10000"), nullable=False),
    Column("months", Integer, _ck("months BETWEEN 1 AND 600"), nullable=False),
    Column("disbursed_on", Text, CheckConstraint(IsoDate("disbursed_on")), nullable=False),
    _enum("status", "vigente", "cancelado", nullable=False, server_default=text("'vigente'")),
)
Index("loans_holder", loans.c.holder_id, loans.c.id)

loan_instalments = Table(
    "loan_instalments",
    metadata,
    Column("loan_id", BIGINT, ForeignKey("loans.id"), nullable=False),
    Column("number", Integer, _ck("number > 0"), nullable=False),
    Column("due_date", Text, CheckConstraint(IsoDate("due_date")), nullable=False),
    _cents("capital_cents", ">= 0", nullable=False),
    _cents("interest_cents", ">= 0", nullable=False),
    _cents("paid_capital_cents", ">= 0", nullable=False, server_default=text("0")),
    _cents("paid_interest_cents", ">= 0", nullable=False, server_default=text("0")),
    # The mora (late-payment interest) paid on it: owed is what accrued less this.
    _cents("mora_paid_cents", ">= 0", nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("loan_id", "number"),
    _ck("paid_capital_cents <= capital_cents"),
    _ck("paid_interest_cents <= interest_cents"),
)

# PAGO DE PRÉSTAMOS: an instalment (or part of it, or capital ahead) paid from a savings
# account, through the operation pipeline. What it paid, in the order it is applied: mora,
# interest due, capital due, capital not yet due (early).
loan_payments = Table(
    "loan_payments",
    metadata,
    _id(),
    Column("reference", Text, nullable=False, unique=True),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("loan_id", BIGINT, ForeignKey("loans.id"), nullable=False),
    _enum("status", "pendiente_verificacion", "completada", "cancelada", nullable=False),
    Column("from_account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    _cents("amount_cents", "> 0", nullable=False),
    _cents("mora_cents", ">= 0", nullable=False),
    _cents("interest_cents", ">= 0", nullable=False),
    _cents("capital_cents", ">= 0", nullable=False),
    _cents("early_capital_cents", ">= 0", nullable=False),
    Column("created_at", Text, nullable=False),
    Column("executed_at", Text),
    Column("reason", Text),
    Column("journal_id", BIGINT, ForeignKey("journal.id"), unique=True),
    _ck("mora_cents + interest_cents + capital_cents + early_capital_cents = amount_cents"),
    _ck(
        "(status IN ('pendiente_verificacion', 'cancelada')"
        " AND executed_at IS NULL AND journal_id IS NULL)"
        " OR (status = 'completada' AND executed_at IS NOT NULL AND journal_id IS NOT NULL)"
    ),
)
Index("loan_payments_member", loan_payments.c.member_id, loan_payments.c.executed_at)
Index("loan_payments_loan", loan_payments.c.loan_id)


# --- notifications (issue 17) ---
# Every thing the bank told a member (an event): the inbox (AVISOS) lists a member's events
# with in_inbox = 1, and an e-mail of the outbox is written from one (outbox.event_id). An event
# with in_inbox = 0 carries a code or a PIN in its e-mail only (its body here is empty): the
# inbox must not show what a second factor is. member_id: NULL for an applicant without a user.
notifications = Table(
    "notifications",
    metadata,
    _id(),
    Column("member_id", BIGINT, ForeignKey("members.id")),
    Column("kind", Text, _ck("length(kind) BETWEEN 1 AND 40"), nullable=False),
    Column("title", Text, _ck("title <> ''"), nullable=False),
    Column("body", Text, nullable=False),
    Column("in_inbox", Integer, _ck("in_inbox IN (0, 1)"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("read_at", Text),
    _ck("in_inbox = 0 OR member_id IS NOT NULL"),
    _ck("read_at IS NULL OR in_inbox = 1"),
)
# A member's inbox, newest first, and its unread count.
Index(
    "notifications_member", notifications.c.member_id, notifications.c.in_inbox, notifications.c.id
)
# The event an e-mail was written from (NULL only for e-mails sent before revision 0008).
outbox.append_column(Column("event_id", BIGINT, ForeignKey("notifications.id")))


# --- self-service (issue 17: ADMINISTRACIÓN › Mi perfil y seguridad) ---

# A member's debit card on one of its accounts (seeded; migration 0009). The member blocks it at
# once (no PIN); only a teller unblocks it. blocked_by: the username who blocked it.
debit_cards = Table(
    "debit_cards",
    metadata,
    _id(),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    Column("last4", Text, _last4("last4"), nullable=False),
    _enum("status", "activa", "bloqueada", nullable=False),
    Column("blocked_at", Text),
    Column("blocked_by", Text),
    _ck("(status = 'bloqueada') = (blocked_at IS NOT NULL)"),
)
Index("debit_cards_member", debit_cards.c.member_id, debit_cards.c.id)

# A requested change of e-mail and/or phone, applied when the code sent to the new address is
# typed back (only its salted SHA-256 is kept; attempts_left wrong codes at the most).
contact_changes = Table(
    "contact_changes",
    metadata,
    _id(),
    Column("member_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("new_email", Text),
    Column("new_phone", Text),
    Column("code_hash", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("attempts_left", Integer, _ck("attempts_left >= 0"), nullable=False),
    _enum("status", "pendiente", "aplicado", "cancelado", nullable=False),
    Column("resolved_at", Text),
    _ck("new_email IS NOT NULL OR new_phone IS NOT NULL"),
    _ck("(status = 'pendiente') = (resolved_at IS NULL)"),
)
Index("contact_changes_member", contact_changes.c.member_id, contact_changes.c.status)

# The member's mobile phone (the members table has none): set by a confirmed contact change.
member_phones = Table(
    "member_phones",
    metadata,
    Column("member_id", BIGINT, ForeignKey("members.id"), primary_key=True),
    Column("phone", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)


# --- approvals (issue 18, four eyes) ---

# A teller's request that a supervisor must approve before it is carried out (migration
# 0010): payload is the kind's JSON; the executor of its kind runs in the approval's
# transaction. decided_by <> requested_by is the domain's rule and a constraint too.
APPROVAL_STATUSES = ("pendiente", "aprobada", "rechazada")
approvals = Table(
    "approvals",
    metadata,
    _id(),
    Column("kind", Text, _ck("length(kind) BETWEEN 1 AND 40"), nullable=False),
    Column("member_id", BIGINT, ForeignKey("members.id")),
    Column("payload", Text, nullable=False, server_default=text("'{}'")),
    Column("requested_by", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("requested_at", Text, nullable=False),
    Column("terminal", Text),
    Column("request_reason", Text, nullable=False),
    _enum("status", *APPROVAL_STATUSES, nullable=False),
    Column("decided_by", BIGINT, ForeignKey("members.id")),
    Column("decided_at", Text),
    Column("reason", Text),
    _ck("(status = 'pendiente') = (decided_at IS NULL AND decided_by IS NULL)"),
    _ck("decided_by IS NULL OR decided_by <> requested_by"),
)
Index("approvals_queue", approvals.c.status, approvals.c.requested_at, approvals.c.id)


# --- teller counter (issue 18) ---

# Per holder: its name folded for search (lower case, no accents) and its phone (migration
# 0011). Neither engine folds accents in SQL alike, so the fold is Python's, stored.
member_directory = Table(
    "member_directory",
    metadata,
    Column("holder_id", BIGINT, ForeignKey("holders.id"), primary_key=True),
    Column("name_key", Text, nullable=False),
    Column("phone", Text),
)
Index("member_directory_phone", member_directory.c.phone)

# A teller's day at the counter: the opening float, then at the close the counted cash, the
# expected (float + deposits - withdrawals) and their difference.
cash_drawer_sessions = Table(
    "cash_drawer_sessions",
    metadata,
    _id(),
    Column("teller_id", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),  # the drawer
    Column("opened_at", Text, nullable=False),
    _cents("opening_float_cents", ">= 0", nullable=False),
    Column("closed_at", Text),
    Column("expected_cents", BIGINT),
    _cents("counted_cents", ">= 0"),
    Column("difference_cents", BIGINT),
    Column("terminal", Text),
    _ck(
        "(closed_at IS NULL) = (counted_cents IS NULL)"
        " AND (closed_at IS NULL) = (expected_cents IS NULL)"
        " AND (closed_at IS NULL) = (difference_cents IS NULL)"
    ),
)
# One open session per teller.
_partial_index(
    "cash_drawer_sessions_open",
    "cash_drawer_sessions",
    "teller_id",
    where="closed_at IS NULL",
    unique=True,
)

# A cash deposit or withdrawal at the counter; a withdrawal above the threshold waits
# 'pendiente_aprobacion' for a supervisor (no journal until it is executed).
counter_operations = Table(
    "counter_operations",
    metadata,
    _id(),
    Column("reference", Text, nullable=False, unique=True),
    Column("teller_id", BIGINT, ForeignKey("members.id"), nullable=False),
    _enum("kind", "deposito", "retiro", nullable=False),
    Column("account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    Column("drawer_account_id", BIGINT, ForeignKey("accounts.id"), nullable=False),
    Column("session_id", BIGINT, ForeignKey("cash_drawer_sessions.id")),
    _cents("amount_cents", "> 0", nullable=False),
    _enum("status", "completada", "pendiente_aprobacion", "rechazada", nullable=False),
    Column("depositor", Text),
    Column("journal_id", BIGINT, ForeignKey("journal.id")),
    Column("created_at", Text, nullable=False),
    Column("executed_at", Text),
    Column("approved_by", Text),
    Column("terminal", Text),
    _ck("(status = 'completada') = (journal_id IS NOT NULL)"),
    _ck("(status = 'completada') = (executed_at IS NOT NULL)"),
)
Index("counter_operations_session", counter_operations.c.session_id)
Index("counter_operations_journal", counter_operations.c.journal_id)

# The reversal of a counter operation (four eyes, migration 0012): 'pendiente' with its
# approval until a supervisor decides; 'reversada' has the reversing journal ('reverso_caja'),
# 'rechazada' left the operation as it was. One reversal that is not rejected per operation.
counter_reversals = Table(
    "counter_reversals",
    metadata,
    _id(),
    Column("counter_op_id", BIGINT, ForeignKey("counter_operations.id"), nullable=False),
    Column("approval_id", BIGINT, ForeignKey("approvals.id"), nullable=False, unique=True),
    _enum("status", "pendiente", "reversada", "rechazada", nullable=False),
    Column("requested_by", BIGINT, ForeignKey("members.id"), nullable=False),
    Column("requested_at", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("journal_id", BIGINT, ForeignKey("journal.id"), unique=True),
    Column("decided_at", Text),
    Column("decided_by", Text),
    _ck("(status = 'reversada') = (journal_id IS NOT NULL)"),
    _ck("(status = 'pendiente') = (decided_at IS NULL)"),
    _ck("(decided_at IS NULL) = (decided_by IS NULL)"),
)
_partial_index(
    "counter_reversals_live",
    "counter_reversals",
    "counter_op_id",
    where="status <> 'rechazada'",
    unique=True,
)
