"""The old server's hand-written SQLite schema and migrations, up to schema 6.

A file made by the old server (a ``meta`` table with ``schema_version`` 4, 5 or 6 and no
``alembic_version``) is brought to schema 6 here, then stamped with Alembic's first revision
(``0001``, the same schema) by :func:`mock_server.store.migrate.init_db`. Nothing here changes
any more: new schema changes are Alembic revisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 6
# The oldest schema brought up to date (:data:`_MIGRATIONS`); older files need --fresh.
OLDEST_MIGRATABLE = 4

# seq (schema 6): the posting sequence, one counter for the whole database, taken with
# posted_at inside the write transaction that posts the movement (mock_server.domain.ledger): commit
# order. posted_at never goes back along it, so a statement in (posted_at, seq) order is in seq
# order, and each running balance (balance_after_cents) follows from the one before.
_MOVEMENTS_TABLE = """
    CREATE TABLE IF NOT EXISTS {name} (
        id INTEGER PRIMARY KEY,
        journal_id INTEGER NOT NULL REFERENCES journal (id),
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        posted_at TEXT NOT NULL,
        description TEXT NOT NULL,
        reference TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents <> 0),
        balance_after_cents INTEGER NOT NULL CHECK (balance_after_cents >= 0),
        seq INTEGER NOT NULL UNIQUE CHECK (seq > 0)
    )
"""

# The pieces transfers and payments share, one text each, put in both CREATE TABLEs: an
# operation's keys, its status and source account, what executing it fills in, and the CHECKs
# that tie these to the status.
_OPERATION_KEYS = """id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        member_id INTEGER NOT NULL REFERENCES members (id),"""
_OPERATION_STATUS = """status TEXT NOT NULL CHECK (status IN (
            'pendiente_verificacion', 'completada', 'en_proceso', 'rechazada', 'cancelada'
        )),
        from_account_id INTEGER NOT NULL REFERENCES accounts (id),"""
_OUTCOME_COLUMNS = """executed_at TEXT,
        settled_at TEXT,
        reason TEXT,
        journal_id INTEGER UNIQUE REFERENCES journal (id),
        settlement_journal_id INTEGER UNIQUE REFERENCES journal (id),"""
_EXECUTED_WHEN = """CHECK (
            (status IN ('pendiente_verificacion', 'cancelada')
             AND executed_at IS NULL AND journal_id IS NULL)
            OR (status IN ('completada', 'en_proceso', 'rechazada')
                AND executed_at IS NOT NULL AND journal_id IS NOT NULL)
        ),"""
_SETTLED_WHEN = "CHECK ((settled_at IS NOT NULL) = (settlement_journal_id IS NOT NULL)),"

# --- pago de servicios and pago de tarjetas (schema 4) ---
PAYMENTS_SCHEMA = [
    # The catalog of billers (seeded). reference_pattern: a regular expression the reference
    # matches once normalised (mock_server.domain.payments.normalise_reference).
    """
    CREATE TABLE IF NOT EXISTS billers (
        code TEXT PRIMARY KEY
            CHECK (length(code) BETWEEN 2 AND 20 AND code NOT GLOB '*[^A-Z0-9_]*'),
        name TEXT NOT NULL UNIQUE,
        category TEXT NOT NULL CHECK (category IN (
            'electricidad', 'agua', 'telefonia', 'tv', 'impuestos', 'educacion'
        )),
        reference_label TEXT NOT NULL,
        reference_hint TEXT NOT NULL,
        reference_pattern TEXT NOT NULL,
        amount_rule TEXT NOT NULL CHECK (amount_rule IN ('exacto', 'parcial', 'abierto'))
    )
    """,
    # A biller's bills (seeded). amount_cents: what was billed; paid_cents: what members paid
    # through S.J. Virtual (the sum of the bill's executed payments). pagada: paid_by is the
    # payment that completed it, or NULL for a bill paid elsewhere before (seeded history).
    """
    CREATE TABLE IF NOT EXISTS bills (
        id INTEGER PRIMARY KEY,
        biller_code TEXT NOT NULL REFERENCES billers (code),
        reference TEXT NOT NULL CHECK (reference <> ''),
        holder_name TEXT NOT NULL,
        period TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
        due_date TEXT NOT NULL CHECK (date(due_date) = due_date),
        status TEXT NOT NULL CHECK (status IN ('pendiente', 'pagada')),
        paid_at TEXT,
        paid_by INTEGER UNIQUE REFERENCES payments (id),
        CHECK ((status = 'pagada') = (paid_at IS NOT NULL)),
        CHECK (status = 'pagada' OR (paid_by IS NULL AND paid_cents < amount_cents)),
        CHECK (paid_by IS NULL OR paid_cents >= amount_cents)
    )
    """,
    # CONSULTAR: the oldest pending bill of a reference.
    """
    CREATE INDEX IF NOT EXISTS bills_reference
    ON bills (biller_code, reference, status, due_date)
    """,
    # Servicios frecuentes: a member's saved biller + reference.
    """
    CREATE TABLE IF NOT EXISTS frequent_services (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id),
        biller_code TEXT NOT NULL REFERENCES billers (code),
        reference TEXT NOT NULL CHECK (reference <> ''),
        alias TEXT NOT NULL CHECK (length(alias) BETWEEN 1 AND 30),
        created_at TEXT NOT NULL,
        UNIQUE (member_id, biller_code, reference)
    )
    """,
    # The cooperative's credit cards (seeded), a socio's (holder's). Amounts at the last
    # cut-off (statement_*); paid_cents: paid since then (the sum of the card's executed
    # payments); unbilled_cents: purchases after the cut-off. Derived: total due =
    # statement_total - paid; minimum due = max(0, statement_minimum - paid); used credit =
    # total due + unbilled; available = limit - used.
    """
    CREATE TABLE IF NOT EXISTS cards (
        id INTEGER PRIMARY KEY,
        holder_id INTEGER NOT NULL REFERENCES holders (id),
        brand TEXT NOT NULL CHECK (brand IN ('visa', 'mastercard', 'diners')),
        last4 TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
        holder_name TEXT NOT NULL,
        credit_limit_cents INTEGER NOT NULL CHECK (credit_limit_cents > 0),
        statement_total_cents INTEGER NOT NULL CHECK (statement_total_cents >= 0),
        statement_minimum_cents INTEGER NOT NULL CHECK (statement_minimum_cents >= 0),
        paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
        unbilled_cents INTEGER NOT NULL DEFAULT 0 CHECK (unbilled_cents >= 0),
        due_date TEXT NOT NULL CHECK (date(due_date) = due_date),
        CHECK (statement_minimum_cents <= statement_total_cents),
        CHECK (paid_cents <= statement_total_cents),
        CHECK (statement_total_cents + unbilled_cents <= credit_limit_cents)
    )
    """,
    "CREATE INDEX IF NOT EXISTS cards_holder ON cards (holder_id, id)",
    # Cards of other institutions: brand + issuing bank (seeded).
    """
    CREATE TABLE IF NOT EXISTS card_issuers (
        code TEXT PRIMARY KEY
            CHECK (length(code) BETWEEN 2 AND 20 AND code NOT GLOB '*[^A-Z0-9_]*'),
        name TEXT NOT NULL UNIQUE,
        brand TEXT NOT NULL CHECK (brand IN ('visa', 'mastercard', 'diners')),
        institution_code TEXT NOT NULL REFERENCES institutions (code)
    )
    """,
    # External cards the simulated clearing refuses (cancelled cards), by issuer and last 4.
    """
    CREATE TABLE IF NOT EXISTS closed_external_cards (
        issuer_code TEXT NOT NULL REFERENCES card_issuers (code),
        last4 TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
        PRIMARY KEY (issuer_code, last4)
    )
    """,
    # PAGOS. The payee is copied (payee_*, holder_name, period) for the receipt. Of an
    # external card only its last 4 digits are kept. journal_id: the journal that moved the
    # money (NULL until executed); settlement_journal_id: an external card's clearing/return.
    f"""
    CREATE TABLE IF NOT EXISTS payments (
        {_OPERATION_KEYS}
        kind TEXT NOT NULL CHECK (kind IN ('servicio', 'tarjeta', 'tarjeta_externa')),
        {_OPERATION_STATUS}
        bill_id INTEGER REFERENCES bills (id),
        card_id INTEGER REFERENCES cards (id),
        issuer_code TEXT REFERENCES card_issuers (code),
        card_last4 TEXT CHECK (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*'),
        payee_name TEXT NOT NULL,
        payee_reference TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        period TEXT,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        created_at TEXT NOT NULL,
        {_OUTCOME_COLUMNS}
        CHECK ((kind = 'servicio') = (bill_id IS NOT NULL)),
        CHECK ((kind = 'tarjeta') = (card_id IS NOT NULL)),
        CHECK ((kind = 'tarjeta_externa') = (issuer_code IS NOT NULL)),
        CHECK ((kind = 'tarjeta_externa') = (card_last4 IS NOT NULL)),
        {_EXECUTED_WHEN}
        CHECK (
            (kind = 'tarjeta_externa' AND status IN ('completada', 'rechazada'))
            = (settlement_journal_id IS NOT NULL)
        ),
        {_SETTLED_WHEN}
        CHECK (status NOT IN ('en_proceso', 'rechazada') OR kind = 'tarjeta_externa')
    )
    """,
    # A member's payments, newest first; the daily limit's sum (external cards).
    "CREATE INDEX IF NOT EXISTS payments_member ON payments (member_id, executed_at, id)",
    # The clearing: en_proceso external card payments by age.
    "CREATE INDEX IF NOT EXISTS payments_clearing ON payments (status, executed_at)",
    "CREATE INDEX IF NOT EXISTS payments_bill ON payments (bill_id)",
    "CREATE INDEX IF NOT EXISTS payments_card ON payments (card_id)",
]

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
        -- '' since schema 6: no phrase is asked (nothing a member typed is shown before the
        -- password); the column stays for the CHECK below
        security_phrase TEXT,
        own_question TEXT,
        own_answer_hash TEXT,
        question_id INTEGER REFERENCES security_questions (id),
        answer_hash TEXT,
        locked_at TEXT,
        last_login_at TEXT,
        created_at TEXT NOT NULL,
        -- wrong verification PINs in a row, over all operations (5 lock the member; a right
        -- PIN, a teller's unlock or a recovery start it over) (schema 6)
        pin_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
        -- why locked_at is set: 'pin' (wrong PINs: a teller unlocks, or the member's own
        -- recovery); 'login' or NULL (failed logins or recoveries: a teller unlocks) (schema 6)
        lock_reason TEXT CHECK (lock_reason IN ('login', 'pin')),
        -- the language of the member's e-mails: the registration's, then each login's (schema 5)
        language TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
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
    # The terminals a member logged in from (schema 5): a login that presents none of these
    # tokens is from a new terminal, and the member is e-mailed. Only the SHA-256 is kept, like
    # session tokens; a token belongs to one member.
    """
    CREATE TABLE IF NOT EXISTS device_tokens (
        token_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members (id),
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS device_tokens_member ON device_tokens (member_id)",
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
    _MOVEMENTS_TABLE.format(name="movements"),
    # Statements: a range of one account in (posted_at, seq) order, COUNT over a range.
    "CREATE INDEX IF NOT EXISTS movements_statement ON movements (account_id, posted_at, seq)",
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
        -- the language of the request: its answer's e-mail (approval or rejection) is in it
        language TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
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
    # Every recovery request, known name or not, kept a day (schema 6): written for each one
    # alike, so that a real name's request is not the only one that writes to disk.
    """
    CREATE TABLE IF NOT EXISTS recovery_requests (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        requested_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS recovery_requests_at ON recovery_requests (requested_at)",
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
    # The stored answers of state-changing requests (mock_server.api.idempotency). secret_hash is
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
    f"""
    CREATE TABLE IF NOT EXISTS transfers (
        {_OPERATION_KEYS}
        kind TEXT NOT NULL CHECK (kind IN ('propias', 'internas', 'interbancarias')),
        {_OPERATION_STATUS}
        to_account_id INTEGER REFERENCES accounts (id),
        beneficiary_id INTEGER REFERENCES beneficiaries (id) ON DELETE SET NULL,
        to_account TEXT NOT NULL,
        to_name TEXT NOT NULL,
        to_institution TEXT NOT NULL,
        to_institution_code TEXT,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        {_OUTCOME_COLUMNS}
        CHECK ((kind = 'interbancarias') = (to_account_id IS NULL)),
        CHECK (kind <> 'interbancarias' OR to_institution_code IS NOT NULL),
        {_EXECUTED_WHEN}
        CHECK (
            (kind = 'interbancarias' AND status IN ('completada', 'rechazada'))
            = (settlement_journal_id IS NOT NULL)
        ),
        {_SETTLED_WHEN}
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
    # payload: the pending beneficiary (JSON); transfer_id: the pending transfer; payment_id:
    # the pending payment (schema 4).
    """
    CREATE TABLE IF NOT EXISTS challenges (
        id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 16 AND 64),
        member_id INTEGER NOT NULL REFERENCES members (id),
        purpose TEXT NOT NULL CHECK (purpose IN ('beneficiario', 'transferencia', 'pago')),
        amount_cents INTEGER CHECK (amount_cents > 0),
        payee TEXT NOT NULL CHECK (payee <> ''),
        pin_hash TEXT NOT NULL,
        payload TEXT,
        transfer_id INTEGER UNIQUE REFERENCES transfers (id),
        payment_id INTEGER UNIQUE REFERENCES payments (id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts_left INTEGER NOT NULL CHECK (attempts_left BETWEEN 0 AND 3),
        status TEXT NOT NULL CHECK (status IN ('pendiente', 'usado', 'cancelado', 'caducado')),
        resolved_at TEXT,
        CHECK (
            (purpose = 'beneficiario' AND amount_cents IS NULL AND payload IS NOT NULL
             AND transfer_id IS NULL AND payment_id IS NULL)
            OR (purpose = 'transferencia' AND amount_cents IS NOT NULL AND payload IS NULL
                AND transfer_id IS NOT NULL AND payment_id IS NULL)
            OR (purpose = 'pago' AND amount_cents IS NOT NULL AND payload IS NULL
                AND transfer_id IS NULL AND payment_id IS NOT NULL)
        ),
        CHECK ((status = 'pendiente') = (resolved_at IS NULL)),
        CHECK (status = 'cancelado' OR attempts_left > 0)
    )
    """,
    "CREATE INDEX IF NOT EXISTS challenges_open ON challenges (status, expires_at)",
    # A member's pending challenges and PIN e-mails in a window (pin.admit) (schema 6).
    "CREATE INDEX IF NOT EXISTS challenges_member ON challenges (member_id, status, created_at)",
    *PAYMENTS_SCHEMA,
]


# What brings a file of schema N up to N + 1, run before _SCHEMA (whose CREATE ... IF NOT EXISTS
# adds the new tables and indexes). Columns come with a default, so every old row stays valid.
_MIGRATIONS: dict[int, list[str]] = {
    4: [
        """
        ALTER TABLE members
        ADD COLUMN language TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en'))
        """,
        """
        ALTER TABLE registrations
        ADD COLUMN language TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en'))
        """,
    ],
    # Issue 13. Movements get their place in one posting sequence (first: it rebuilds the
    # table). The security phrase is no longer asked or shown: the members' own words are
    # dropped. Wrong PINs are counted per member across operations: the count of cancelled
    # operations becomes the count of wrong PINs in a row, started over.
    5: [
        # movements.seq (a NOT NULL UNIQUE column needs a new table). Ids were handed out inside
        # the write transaction, so they are the commit order the balances were computed in;
        # posted_at was not (the clearing took it before the lock): a time earlier than the
        # movement before it is raised to that movement's, so that statements chain.
        _MOVEMENTS_TABLE.format(name="movements_v6"),
        """
        INSERT INTO movements_v6 (id, journal_id, account_id, posted_at, description,
            reference, amount_cents, balance_after_cents, seq)
        SELECT id, journal_id, account_id,
            MAX(posted_at) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING),
            description, reference, amount_cents, balance_after_cents,
            ROW_NUMBER() OVER (ORDER BY id)
        FROM movements
        """,
        "DROP TABLE movements",
        "ALTER TABLE movements_v6 RENAME TO movements",
        "UPDATE members SET security_phrase = '' WHERE security_phrase IS NOT NULL",
        "ALTER TABLE members RENAME COLUMN pin_cancellations TO pin_failures",
        "UPDATE members SET pin_failures = 0",
        """
        ALTER TABLE members
        ADD COLUMN lock_reason TEXT CHECK (lock_reason IN ('login', 'pin'))
        """,
        # a lock set before schema 6 came from failed logins or from wrong PINs: either way
        # only a teller lifted it, and so it stays
        "UPDATE members SET lock_reason = 'login' WHERE locked_at IS NOT NULL",
    ],
}


def upgrade_to_6(execute: Callable[..., Any], version: int) -> None:
    """Brings a file of schema ``version`` (4 to 6) to schema 6 through ``execute(sql,
    params)``, inside the caller's write transaction: the migrations first (an older file's
    tables lack columns that the new indexes name), then every CREATE ... IF NOT EXISTS."""
    for older in range(version, SCHEMA_VERSION):
        for statement in _MIGRATIONS[older]:
            execute(statement)
    for statement in _SCHEMA:
        execute(statement)
    execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
        (str(SCHEMA_VERSION),),
    )
