"""The schema and its migrations (mock_server.store.schema, .migrations, .migrate)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from mock_server.app import create_app
from mock_server.domain.ledger import Leg, ledger_problems, post_transfer
from mock_server.store import Database, IntegrityError, write_transaction
from mock_server.store.ledger import POSTING_SEQUENCE
from mock_server.store.migrate import (
    SchemaTooNewError,
    SchemaTooOldError,
    alembic_config,
    init_db,
)
from mock_server.store.migrations import HEAD
from mock_server.store.schema import metadata
from tests.api import TEXTILES
from tests.conftest import CHEAP_HASHER
from tests.database import connect

# Tables that revisions after 0003 create: a test that puts a database back to an older revision
# drops them first, as the database of that revision had none (the migrations create them again;
# each later revision skips what it finds done). Children before their parents.
LATER_TABLES = (
    "certificates",
    "polizas",
    "loan_payments",
    "loan_instalments",
    "loans",
    "audit_log",
    "notifications",
    "debit_cards",
    "contact_changes",
    "member_phones",
    "counter_reversals",
    "approvals",
    "counter_operations",
    "cash_drawer_sessions",
    "member_directory",
)


def drop_later_tables(conn: Any) -> None:
    """Drops :data:`LATER_TABLES` through ``conn`` (sqlite3's or the store's connection)."""
    # PostgreSQL: CASCADE drops the foreign keys of older tables on them (challenges'
    # poliza_id); the re-run revisions keep the columns they find.
    cascade = " CASCADE" if getattr(conn, "dialect", "sqlite") == "postgresql" else ""
    # The outbox's link to the events (revision 0008) goes first: its rows stay.
    conn.execute("UPDATE outbox SET event_id = NULL")
    for table in LATER_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}{cascade}")


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def test_head_is_the_newest_revision() -> None:
    """The start-up's one-SELECT check compares with HEAD: it must be the scripts' head."""
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


def test_the_migrations_build_what_the_metadata_describes(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    init_db(path, CHEAP_HASHER)
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert _rows(path, "SELECT value FROM meta WHERE key = 'schema_version'") == [("6",)]
    assert _rows(path, "SELECT COUNT(*) FROM security_questions") == [(8,)]


def test_an_up_to_date_database_opens_without_alembic(seeded_db: Path) -> None:
    """Start-up cost: a database at the head is checked with one SELECT, Alembic not imported."""
    code = (
        "import sys; from mock_server.store.migrate import init_db; "
        f"init_db({str(seeded_db)!r}); print('alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "False"


@pytest.mark.sqlite_only("the old server kept its data in an SQLite file only")
def test_a_schema_6_file_of_the_old_server_is_stamped(seeded_db: Path) -> None:
    """The old server's schema 6 is revision 0001: its file is stamped, its data kept."""
    conn = sqlite3.connect(seeded_db)
    with conn:
        conn.execute("DROP TABLE alembic_version")
        drop_later_tables(conn)
    conn.close()
    before = _rows(seeded_db, "SELECT COUNT(*), SUM(amount_cents) FROM movements")
    create_app(seeded_db, hasher=CHEAP_HASHER)
    assert _rows(seeded_db, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert _rows(seeded_db, "SELECT COUNT(*), SUM(amount_cents) FROM movements") == before


def test_a_revision_this_server_does_not_know_is_refused(seeded_db: Path) -> None:
    with connect(seeded_db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNewError, match="--fresh"):
        init_db(seeded_db, CHEAP_HASHER)


@pytest.mark.sqlite_only("the old server kept its data in an SQLite file only")
@pytest.mark.parametrize(("version", "error"), [("7", SchemaTooNewError), ("3", SchemaTooOldError)])
def test_an_old_server_file_of_another_version_is_refused(
    seeded_db: Path, version: str, error: type[Exception]
) -> None:
    conn = sqlite3.connect(seeded_db)
    with conn:
        conn.execute("DROP TABLE alembic_version")
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    conn.close()
    with pytest.raises(error, match="--fresh"):
        init_db(seeded_db, CHEAP_HASHER)
    # Nothing was changed: the file is refused as it was.
    assert _rows(seeded_db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(version,)]
    assert "alembic_version" not in {
        name for (name,) in _rows(seeded_db, "SELECT name FROM sqlite_master")
    }


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        # codes: capitals, digits and _ only (SQLite GLOB, PostgreSQL ~)
        ("INSERT INTO institutions (code, name, kind) VALUES (?, ?, 'banco')", ("12a4", "X")),
        ("INSERT INTO institutions (code, name, kind) VALUES (?, ?, 'banco')", ("123", "X")),
        # due dates: a date, not a time (SQLite's date(x) = x lets text that is no date at all
        # through, as it always did; PostgreSQL's form refuses that too)
        (
            "UPDATE cards SET due_date = ? WHERE id = 1",
            ("2026-01-05T10:00",),
        ),
        # last 4 digits
        ("UPDATE cards SET last4 = ? WHERE id = 1", ("12a4",)),
    ],
)
def test_the_checks_hold(seeded_db: Path, sql: str, params: tuple[object, ...]) -> None:
    database = Database(seeded_db, pooled=False)
    try:
        with database.connection() as conn, pytest.raises(IntegrityError):
            conn.execute(sql, params)
    finally:
        database.dispose()


def test_the_checks_let_valid_values_through(seeded_db: Path) -> None:
    database = Database(seeded_db, pooled=False)
    try:
        with database.connection() as conn:
            conn.execute(
                "INSERT INTO institutions (code, name, kind) VALUES ('9999', 'Banco X', 'banco')"
            )
            conn.execute("UPDATE cards SET due_date = '2026-02-28', last4 = '0042' WHERE id = 1")
    finally:
        database.dispose()


def test_a_database_of_revision_0001_gets_the_posting_sequence(seeded_db: Path | str) -> None:
    """Revisions 0002 and 0003 on a database of revision 0001 (its data and postings kept): on
    PostgreSQL the posting sequence is created after the largest stored ``seq``, so the next
    posting neither collides with a stored one nor sorts before it; SQLite needs nothing."""
    database = Database(seeded_db, pooled=False)
    try:
        with database.connection() as conn:
            if conn.dialect == "postgresql":
                conn.execute(f"DROP SEQUENCE {POSTING_SEQUENCE}")
            conn.execute("UPDATE alembic_version SET version_num = '0001'")
            # The later products' rows (a póliza's capital is in the ledger) come back after
            # the migrations, so that the ledger checks below see the whole bank.
            kept = {
                table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table}")]
                for table in LATER_TABLES
            }
            drop_later_tables(conn)
            stored = conn.execute("SELECT MAX(seq), COUNT(*) FROM movements").fetchone()
            accounts = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM accounts WHERE kind = 'member' AND balance_cents >= 100 "
                    "ORDER BY id LIMIT 2"
                )
            ]
        init_db(database)
        with database.connection() as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
            assert conn.execute("SELECT COUNT(*) FROM movements").fetchone()[0] == stored[1]
            with write_transaction(conn):
                for table in reversed(LATER_TABLES):  # a loan before its instalments
                    rows = kept[table]
                    # Revision 0011 fills member_directory from the holders it finds: the kept
                    # rows take the place of what it derived (the other tables come back empty).
                    conn.execute(f"DELETE FROM {table}")
                    for values in rows:
                        marks = ", ".join("?" * len(values))
                        conn.execute(f"INSERT INTO {table} VALUES ({marks})", values)
            with write_transaction(conn):
                post_transfer(
                    conn,
                    datetime.now(UTC),
                    kind="deposito",
                    description="después de migrar",
                    reference="UPGRADED",
                    amount_cents=100,
                    debit=Leg(accounts[0], "prueba"),
                    credit=Leg(accounts[1], "prueba"),
                )
            seqs = [
                row[0]
                for row in conn.execute(
                    "SELECT seq FROM movements WHERE reference = 'UPGRADED' ORDER BY seq"
                )
            ]
            assert seqs == [stored[0] + 1, stored[0] + 2]
            assert ledger_problems(conn) == []
    finally:
        database.dispose()


@pytest.mark.sqlite_only("the data change is plain SQL and JSON, the same on both engines")
def test_an_empresa_request_stored_before_its_address_gets_one(seeded_db: Path) -> None:
    """Revision 0002: an Empresa's stored request without Dirección stays readable."""
    from mock_server.domain.staff import REQUEST
    from sjvirtual_tui.models import EmpresaRegistration

    old = {key: value for key, value in TEXTILES.items() if key != "direccion"}
    conn = sqlite3.connect(seeded_db)
    with conn:
        conn.execute(
            "INSERT INTO registrations (reference, kind, identification, username, status,"
            " request_json, created_at, language)"
            " VALUES ('SOL-999999', 'empresa', ?, 'textiles', 'pendiente', ?,"
            " '2026-12-01T10:00:00+00:00', 'es')",
            (old["ruc"], json.dumps(old, ensure_ascii=False)),
        )
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
        drop_later_tables(conn)
    conn.close()
    init_db(seeded_db, CHEAP_HASHER)
    ((stored,),) = _rows(
        seeded_db, "SELECT request_json FROM registrations WHERE reference = 'SOL-999999'"
    )
    request = REQUEST.validate_json(str(stored))
    assert isinstance(request, EmpresaRegistration)
    assert request.direccion == "(no consta en la solicitud)"
    assert request.razon_social == "Textiles Otavalo S.A."
