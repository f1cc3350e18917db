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

SCHEMA_VERSION = 1

_SCHEMA = [
    """
    CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS members (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE CHECK (username = lower(username) AND username <> ''),
        password_hash TEXT NOT NULL,
        full_name TEXT NOT NULL,
        email TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'teller')),
        security_image TEXT NOT NULL,
        security_phrase TEXT NOT NULL,
        locked_at TEXT,
        last_login_at TEXT,
        created_at TEXT NOT NULL
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
    """
    CREATE TABLE IF NOT EXISTS accounts (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        member_id INTEGER REFERENCES members (id),
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
            (kind = 'member' AND member_id IS NOT NULL AND type IS NOT NULL)
            OR (kind = 'internal' AND member_id IS NULL AND type IS NULL)
        )
    )
    """,
    "CREATE INDEX IF NOT EXISTS accounts_member ON accounts (member_id, number)",
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


class SchemaTooNewError(RuntimeError):
    pass


def init_db(path: Path, hasher: PasswordHasher | None = None) -> None:
    """Creates the schema in a new file, or checks the version of an existing one."""
    conn = connect(path)
    try:
        with write_transaction(conn):
            for statement in _SCHEMA:
                conn.execute(statement)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            elif int(row["value"]) > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{path} has schema version {row['value']}; this server knows "
                    f"{SCHEMA_VERSION}. Use a newer sjvirtual-mock-server or --fresh."
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
