"""The SQLite store: connections, the schema and the timestamp format.

One connection per request (opening one is cheap). WAL lets readers run beside the one writer;
``synchronous=FULL`` makes every COMMIT durable, so a ``kill -9`` loses no committed movement.
Writes go through :func:`write_transaction` (``BEGIN IMMEDIATE``), which takes the write lock up
front instead of failing half-way when two writers meet.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

SCHEMA_VERSION = 3

# The PRIMER INGRESO's list of security questions: reference data every database has (ids are
# stored with the members' answers, so they never change meaning).
SECURITY_QUESTIONS: tuple[str, ...] = (
    "¿Cuál es el nombre de su primera mascota?",
    "¿En qué ciudad nació su madre?",
    "¿Cuál fue su primer trabajo?",
    "¿Cómo se llamaba su escuela primaria?",
    "¿Cuál es su comida favorita?",
    "¿Cómo se llamaba su mejor amigo de la infancia?",
    "¿En qué calle vivía de niño?",
    "¿Cuál es el segundo nombre de su padre?",
)

_META = """
    CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
"""

_SCHEMA = [
    # A socio of the cooperative (a person or a company): it holds accounts before, and
    # whether or not, it has a S.J. Virtual user.
    """
    CREATE TABLE IF NOT EXISTS holders (
        id INTEGER PRIMARY KEY,
        identification TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('persona', 'empresa')),
        name TEXT NOT NULL,
        CHECK (
            (kind = 'persona' AND length(identification) = 10)
            OR (kind = 'empresa' AND length(identification) = 13)
        )
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS security_questions (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL UNIQUE
    )
    """,
    # An online user. status: 'pending_password' (approved, no password yet: cannot log in),
    # 'setup' (password set, PRIMER INGRESO pending), 'active'.
    """
    CREATE TABLE IF NOT EXISTS members (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE CHECK (username = lower(username) AND username <> ''),
        -- one user per holder; NULL for the cooperative's staff
        holder_id INTEGER UNIQUE REFERENCES holders (id),
        status TEXT NOT NULL CHECK (status IN ('pending_password', 'setup', 'active')),
        password_hash TEXT,
        full_name TEXT NOT NULL,
        email TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'teller')),
        security_image TEXT,
        security_phrase TEXT,
        own_question TEXT,
        own_answer_hash TEXT,
        question_id INTEGER REFERENCES security_questions (id),
        answer_hash TEXT,
        locked_at TEXT,
        last_login_at TEXT,
        created_at TEXT NOT NULL,
        -- operations in a row cancelled by wrong verification PINs (5 lock the member)
        pin_cancellations INTEGER NOT NULL DEFAULT 0 CHECK (pin_cancellations >= 0),
        CHECK (role = 'teller' OR holder_id IS NOT NULL),
        CHECK (status = 'pending_password' OR password_hash IS NOT NULL),
        CHECK (status <> 'active' OR (security_image IS NOT NULL AND security_phrase IS NOT NULL))
    )
    """,
    # Keyed by the typed (lowercased) username, not by member: unknown names lock the same way.
    """
    CREATE TABLE IF NOT EXISTS login_failures (
        username TEXT PRIMARY KEY,
        count INTEGER NOT NULL CHECK (count >= 0),
        last_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id),
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        ended_at TEXT
    )
    """,
    # Recovery ends every session of a member.
    "CREATE INDEX IF NOT EXISTS sessions_member ON sessions (member_id)",
    """
    CREATE TABLE IF NOT EXISTS accounts (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        holder_id INTEGER REFERENCES holders (id),
        kind TEXT NOT NULL CHECK (kind IN ('member', 'internal')),
        type TEXT CHECK (type IN ('ahorro_vista', 'ahorro_personal')),
        name TEXT,
        balance_cents INTEGER NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
        hold_cents INTEGER NOT NULL DEFAULT 0 CHECK (hold_cents >= 0),
        status TEXT NOT NULL DEFAULT 'activa' CHECK (status IN ('activa', 'bloqueada', 'cerrada')),
        opened_at TEXT NOT NULL,
        -- held funds are part of the balance: the available balance never goes below zero
        CHECK (hold_cents <= balance_cents),
        CHECK (
            (kind = 'member' AND holder_id IS NOT NULL AND type IS NOT NULL)
            OR (kind = 'internal' AND holder_id IS NULL AND type IS NULL)
        )
    )
    """,
    "CREATE INDEX IF NOT EXISTS accounts_holder ON accounts (holder_id, number)",
    """
    CREATE TABLE IF NOT EXISTS journal (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS movements (
        id INTEGER PRIMARY KEY,
        journal_id INTEGER NOT NULL REFERENCES journal (id),
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        posted_at TEXT NOT NULL,
        description TEXT NOT NULL,
        reference TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
        balance_after_cents INTEGER NOT NULL CHECK (balance_after_cents >= 0)
    )
    """,
    # Statements: a range of one account in (posted_at, id) order, COUNT over a range.
    "CREATE INDEX IF NOT EXISTS movements_statement ON movements (account_id, posted_at, id)",
    # The movements of one journal (a receipt, the double-entry check).
    "CREATE INDEX IF NOT EXISTS movements_journal ON movements (journal_id)",
    # REGISTRO DE SOCIOS: request_json is the RegistrationRequest exactly as validated.
    """
    CREATE TABLE IF NOT EXISTS registrations (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('persona', 'empresa')),
        identification TEXT NOT NULL,
        username TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pendiente', 'aprobada', 'rechazada')),
        request_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by INTEGER REFERENCES members (id),
        reason TEXT,
        CHECK ((status = 'pendiente') = (decided_at IS NULL))
    )
    """,
    # The 409 rules, also as constraints: one open (pending or approved) request per
    # identification and per username.
    """
    CREATE UNIQUE INDEX IF NOT EXISTS registrations_open_identification
    ON registrations (identification) WHERE status IN ('pendiente', 'aprobada')
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS registrations_open_username
    ON registrations (username) WHERE status IN ('pendiente', 'aprobada')
    """,
    "CREATE INDEX IF NOT EXISTS registrations_queue ON registrations (status, created_at, id)",
    """
    CREATE TABLE IF NOT EXISTS staff_actions (
        id INTEGER PRIMARY KEY,
        staff_member_id INTEGER NOT NULL REFERENCES members (id),
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )
    """,
    # One-time codes (ESTABLECER CONTRASEÑA, recovery): only their SHA-256 is kept.
    """
    CREATE TABLE IF NOT EXISTS codes (
        code_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id),
        purpose TEXT NOT NULL CHECK (purpose IN ('set_password', 'recovery')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS codes_member ON codes (member_id, purpose)",
    # Every e-mail the server "sent" (the demo's Correo view reads it).
    """
    CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        to_address TEXT NOT NULL,
        member_id INTEGER REFERENCES members (id),
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    # The stored answers of state-changing requests (mock_server.idempotency). secret_hash is
    # an argon2id hash of the body's secret fields (passwords, answers, codes), which are left
    # out of request_hash: a plain SHA-256 of them could be reversed by guessing.
    """
    CREATE TABLE IF NOT EXISTS idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        secret_hash TEXT,
        status_code INTEGER NOT NULL CHECK (status_code BETWEEN 200 AND 499),
        response_body BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    )
    """,
    # --- beneficiaries, verification PINs and transfers (schema 3) ---
    # Other financial institutions, by their clearing code (seeded).
    """
    CREATE TABLE IF NOT EXISTS institutions (
        code TEXT PRIMARY KEY CHECK (length(code) = 4 AND code NOT GLOB '*[^0-9]*'),
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('banco', 'cooperativa', 'mutualista'))
    )
    """,
    # Accounts of other institutions that the simulated clearing refuses (closed accounts).
    """
    CREATE TABLE IF NOT EXISTS closed_external_accounts (
        institution_code TEXT NOT NULL REFERENCES institutions (code),
        number TEXT NOT NULL,
        PRIMARY KEY (institution_code, number)
    )
    """,
    # Productos de terceros. interna: another socio's account of this cooperative (number is
    # the manual's registered form, 1105349; name the holder's, partly masked). externa: an
    # account of another institution, as the member typed it.
    """
    CREATE TABLE IF NOT EXISTS beneficiaries (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id),
        kind TEXT NOT NULL CHECK (kind IN ('interna', 'externa')),
        number TEXT NOT NULL CHECK (number <> '' AND number NOT GLOB '*[^0-9]*'),
        account_type TEXT NOT NULL,
        account_id INTEGER REFERENCES accounts (id),
        institution_code TEXT REFERENCES institutions (code),
        id_type TEXT CHECK (id_type IN ('cedula', 'ruc', 'pasaporte')),
        id_number TEXT,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 2 AND 80),
        email TEXT,
        created_at TEXT NOT NULL,
        CHECK (
            (kind = 'interna' AND account_id IS NOT NULL AND institution_code IS NULL
             AND account_type IN ('ahorro_vista', 'ahorro_personal')
             AND id_type IS NULL AND id_number IS NULL AND email IS NULL)
            OR (kind = 'externa' AND account_id IS NULL AND institution_code IS NOT NULL
                AND account_type IN ('ahorros', 'corriente')
                AND id_type IS NOT NULL AND id_number IS NOT NULL)
        )
    )
    """,
    # One registration per member and account: interna by its registered number, externa by
    # institution + number.
    """
    CREATE UNIQUE INDEX IF NOT EXISTS beneficiaries_interna
    ON beneficiaries (member_id, number) WHERE kind = 'interna'
    """,
    """
    CREATE UNIQUE INDEX IF NOT EXISTS beneficiaries_externa
    ON beneficiaries (member_id, institution_code, number) WHERE kind = 'externa'
    """,
    # Per-member limits on transfers to third parties (a member without a row gets the
    # server's defaults).
    """
    CREATE TABLE IF NOT EXISTS transfer_limits (
        member_id INTEGER PRIMARY KEY REFERENCES members (id),
        per_transaction_cents INTEGER NOT NULL CHECK (per_transaction_cents > 0),
        daily_cents INTEGER NOT NULL CHECK (daily_cents > 0),
        CHECK (per_transaction_cents <= daily_cents)
    )
    """,
    # TRANSFERENCIAS. The payee is copied (to_*), so a deleted beneficiary leaves the history
    # as it was. journal_id: the journal that moved the money (NULL until executed);
    # settlement_journal_id: an interbank transfer's clearing (to Salidas) or return.
    """
    CREATE TABLE IF NOT EXISTS transfers (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        member_id INTEGER NOT NULL REFERENCES members (id),
        kind TEXT NOT NULL CHECK (kind IN ('propias', 'internas', 'interbancarias')),
        status TEXT NOT NULL CHECK (status IN (
            'pendiente_verificacion', 'completada', 'en_proceso', 'rechazada', 'cancelada'
        )),
        from_account_id INTEGER NOT NULL REFERENCES accounts (id),
        to_account_id INTEGER REFERENCES accounts (id),
        beneficiary_id INTEGER REFERENCES beneficiaries (id) ON DELETE SET NULL,
        to_account TEXT NOT NULL,
        to_name TEXT NOT NULL,
        to_institution TEXT NOT NULL,
        to_institution_code TEXT,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        executed_at TEXT,
        settled_at TEXT,
        reason TEXT,
        journal_id INTEGER UNIQUE REFERENCES journal (id),
        settlement_journal_id INTEGER UNIQUE REFERENCES journal (id),
        CHECK ((kind = 'interbancarias') = (to_account_id IS NULL)),
        CHECK (kind <> 'interbancarias' OR to_institution_code IS NOT NULL),
        CHECK (
            (status IN ('pendiente_verificacion', 'cancelada')
             AND executed_at IS NULL AND journal_id IS NULL)
            OR (status IN ('completada', 'en_proceso', 'rechazada')
                AND executed_at IS NOT NULL AND journal_id IS NOT NULL)
        ),
        CHECK (
            (kind = 'interbancarias' AND status IN ('completada', 'rechazada'))
            = (settlement_journal_id IS NOT NULL)
        ),
        CHECK ((settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)),
        CHECK (status <> 'rechazada' OR kind = 'interbancarias')
    )
    """,
    # A member's transfers, newest first; and the daily limit's sum.
    "CREATE INDEX IF NOT EXISTS transfers_member ON transfers (member_id, executed_at, id)",
    # The clearing: en_proceso transfers by age.
    "CREATE INDEX IF NOT EXISTS transfers_clearing ON transfers (status, executed_at)",
    "CREATE INDEX IF NOT EXISTS transfers_beneficiary ON transfers (beneficiary_id)",
    # Operations waiting for their PIN DE VERIFICACIÓN. pin_hash: argon2id of
    # pin|id|amount_cents|payee, so the PIN confirms this operation and nothing else.
    # payload: the pending beneficiary (JSON); transfer_id: the pending transfer.
    """
    CREATE TABLE IF NOT EXISTS challenges (
        id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 16 AND 64),
        member_id INTEGER NOT NULL REFERENCES members (id),
        purpose TEXT NOT NULL CHECK (purpose IN ('beneficiario', 'transferencia')),
        amount_cents INTEGER CHECK (amount_cents > 0),
        payee TEXT NOT NULL CHECK (payee <> ''),
        pin_hash TEXT NOT NULL,
        payload TEXT,
        transfer_id INTEGER UNIQUE REFERENCES transfers (id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts_left INTEGER NOT NULL CHECK (attempts_left BETWEEN 0 AND 3),
        status TEXT NOT NULL CHECK (status IN ('pendiente', 'usado', 'cancelado', 'caducado')),
        resolved_at TEXT,
        CHECK (
            (purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL
             AND transfer_id IS NULL)
            OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL
                AND transfer_id IS NOT NULL)
        ),
        CHECK ((status = 'pendiente') = (resolved_at IS NULL)),
        CHECK (status = 'cancelado' OR attempts_left > 0)
    )
    """,
    "CREATE INDEX IF NOT EXISTS challenges_open ON challenges (status, expires_at)",
]


def to_db(value: datetime) -> str:
    """A timezone-aware datetime as the store's text: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'.

    Fixed width and always UTC, so comparing the text compares the instants (ORDER BY, keyset
    paging, date ranges).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str) -> datetime:
    return datetime.fromisoformat(value)


def connect(path: Path) -> sqlite3.Connection:
    """A connection set up the way every part of the server expects."""
    # check_same_thread=False: FastAPI may enter and leave a dependency and run the endpoint on
    # different threadpool threads; the connection is still used by one request at a time.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; any exception rolls the whole thing back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        # Some errors (disk full, ...) already rolled back on their own.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class SchemaVersionError(RuntimeError):
    """The file was made by another version of the server."""


class SchemaTooNewError(SchemaVersionError):
    pass


class SchemaTooOldError(SchemaVersionError):
    pass


def init_db(path: Path, hasher: PasswordHasher | None = None) -> None:
    """Creates the schema in a new file, or checks the version of an existing one."""
    conn = connect(path)
    try:
        with write_transaction(conn):
            conn.execute(_META)
            # The version is checked before anything else runs: an older file's tables lack
            # columns that the new indexes name.
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and int(row["value"]) > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{path} has schema version {row['value']}; this server knows "
                    f"{SCHEMA_VERSION}. Use a newer sjvirtual-mock-server or --fresh."
                )
            if row is not None and int(row["value"]) < SCHEMA_VERSION:
                # Mock data has nothing worth migrating: a fresh seed replaces it.
                raise SchemaTooOldError(
                    f"{path} has schema version {row['value']}, older than this server's "
                    f"{SCHEMA_VERSION}. Start with --fresh to replace it with a new seed."
                )
            for statement in _SCHEMA:
                conn.execute(statement)
            if row is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            conn.executemany(
                "INSERT OR IGNORE INTO security_questions (id, text) VALUES (?, ?)",
                enumerate(SECURITY_QUESTIONS, start=1),
            )
            # The decoy secret must survive restarts (stable decoys), so it lives in the file.
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('decoy_secret', ?)",
                (secrets.token_hex(32),),
            )
            if meta_value(conn, "dummy_password_hash") is None:
                # Verified for unknown usernames so that a failed login takes as long whether
                # or not the name exists. Made once per file: a hash costs as much as a verify.
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('dummy_password_hash', ?)",
                    ((hasher or PasswordHasher()).hash(secrets.token_urlsafe(16)),),
                )
    finally:
        conn.close()


def renew_decoy_secret(conn: sqlite3.Connection) -> None:
    """Gives a copied database its own secret (copies of one template must not share it)."""
    with write_transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('decoy_secret', ?)",
            (secrets.token_hex(32),),
        )


def meta_value(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def decoy_secret(conn: sqlite3.Connection) -> bytes:
    value = meta_value(conn, "decoy_secret")
    if value is None:  # pragma: no cover - init_db always writes it
        raise RuntimeError("the database has no decoy secret; run init_db first")
    return bytes.fromhex(value)


def dummy_password_hash(conn: sqlite3.Connection) -> str:
    value = meta_value(conn, "dummy_password_hash")
    if value is None:  # pragma: no cover - init_db always writes it
        raise RuntimeError("the database has no dummy hash; run init_db first")
    return value
