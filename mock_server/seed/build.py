"""Writing the seed into a database: every area's rows, through the store, in one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable, Sized
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher

from mock_server.domain.ledger import ledger_problems
from mock_server.seed import (
    beneficiaries,
    billers,
    cards,
    certificates,
    debit_cards,
    directory,
    members,
    notifications,
    polizas,
    staff,
)
from mock_server.seed import loans as seed_loans  # --- loans (issue 17) ---
from mock_server.seed.books import write_books
from mock_server.seed.errors import SeedError
from mock_server.store import Connection, Database, write_transaction
from mock_server.store.bulk import Rows, bulk_load, has_rows, insert_rows
from mock_server.store.migrate import init_db
from sjvirtual_tui.rules import ECUADOR_TZ

# Bump when the seed's content changes: cached templates of another version are ignored.
# 5: bill periods kept neutral (2026-11), written in the reader's language; 6: the schema's
# Alembic revision recorded (a template of 5 would be migrated again on every copy); 7: a
# certificado bancario of the demo member (issue 17);
# 8: pólizas (issue 17): the table, the account "Depósitos a plazo", the demo member's póliza
# 9: loans (issue 17): the demo member's loan, one instalment overdue
# 10: the demo member's notices (issue 17)
# 11: each member's debit card (self-service)
# 12: the supervisor and a pending four-eyes request (issue 18)
# 13: the teller's member directory (folded names, phones) (issue 18)
SEED_VERSION = 13
SEED = 2026

# Progress of a build: ``progress(stage, done, total)`` in points of :data:`STAGE_POINTS` (their
# share of a build's time, measured), called as each stage ends and for each table written.
SeedProgress = Callable[[str, int, int], None]
STAGE_POINTS: dict[str, int] = {
    "schema": 5,
    "books": 25,
    "members": 35,
    "staff": 8,
    "rows": 20,
    "ledger": 7,
}
TOTAL_POINTS = sum(STAGE_POINTS.values())


class _Points:
    def __init__(self, progress: SeedProgress | None) -> None:
        self.progress = progress
        self.done = 0

    def stage(self, name: str) -> None:
        self.add(name, STAGE_POINTS[name])

    def add(self, name: str, points: int) -> None:
        self.done += points
        if self.progress is not None:
            self.progress(name, self.done, TOTAL_POINTS)


def seed_database(
    database: Path | str | Database,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
    progress: SeedProgress | None = None,
    socios: int = 0,
) -> None:
    """Seeds an empty (or new) database with the demo members and their history: an SQLite
    file's path, a database URL or a :class:`Database`.

    ``now`` is the seeding moment (movements end on its Ecuador day); ``bulk=False`` gives the
    "masivo" account only ``SMALL_BULK_MOVEMENTS`` instead of ``BULK_MOVEMENTS``.
    ``progress``: told how far the build is (see :data:`SeedProgress`). ``socios``: that many
    more socios, each with a user and an empty account (the teller's search benchmark).
    """
    points = _Points(progress)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    owned = not isinstance(database, Database)
    target = database if isinstance(database, Database) else Database(database, pooled=False)
    init_db(target, hasher)
    points.stage("schema")
    conn = target.connect()
    try:
        if has_rows(conn, "members"):
            raise SeedError(f"{target} already has members; seed only an empty database")
        with bulk_load(conn):
            _write_seed(conn, now, bulk, hasher or PasswordHasher(), points, socios)
        # --- polizas (issue 17) --- posted after the load: PostgreSQL's posting sequence
        # continues after the seeded movements only once the load is over.
        with write_transaction(conn):
            polizas.write_polizas(conn, now, members.member_ids())
        problems = ledger_problems(conn)
        points.stage("ledger")
        if problems:
            raise SeedError("the seeded ledger is inconsistent: " + "; ".join(problems))
    finally:
        conn.close()
        if owned:
            target.dispose()


def _write_seed(
    conn: Connection,
    now: datetime,
    bulk: bool,
    hasher: PasswordHasher,
    points: _Points,
    socios: int = 0,
) -> None:
    # Everything comes from random.Random(SEED): the same data on every machine, placed in time
    # relative to ``now`` so that the history always ends "today".
    today = now.astimezone(ECUADOR_TZ).date()
    books = write_books(random.Random(SEED), now, bulk)
    points.stage("books")
    users, failures = members.member_rows(today, books.opened, hasher)
    points.stage("members")
    member_ids = members.member_ids()
    # The staff were given their users the day the cooperative's history starts.
    first_staff_id = len(users) + 1
    users += staff.staff_rows(first_staff_id, books.opening, hasher)
    points.stage("staff")
    holder_ids = {row["identification"]: row["id"] for row in books.holders}
    card_holders = {
        member.username: (holder_ids[member.identification], member.full_name)
        for member in members.MEMBERS
    }
    # In an order the foreign keys accept.
    tables: list[tuple[str, Rows]] = [
        ("holders", books.holders),
        ("members", users),
        ("login_failures", failures),
        ("accounts", books.accounts),
        ("journal", books.journal),
        ("movements", books.movements),
        ("registrations", staff.registration_rows(today)),
        ("institutions", beneficiaries.institution_rows()),
        ("closed_external_accounts", beneficiaries.closed_account_rows()),
        (
            "beneficiaries",
            beneficiaries.beneficiary_rows(
                today, member_ids, books.account_ids, books.holder_names
            ),
        ),
        ("transfer_limits", beneficiaries.limit_rows(member_ids)),
        ("billers", billers.biller_rows()),
        ("bills", billers.bill_rows(today)),
        ("cards", cards.card_rows(today, card_holders)),
        ("approvals", staff.approval_rows(today, member_ids, first_staff_id)),
        ("card_issuers", cards.issuer_rows()),
        ("closed_external_cards", cards.closed_card_rows()),
        # --- loans (issue 17) ---
        *zip(
            ("loans", "loan_instalments"),
            seed_loans.loan_rows(
                today, {name: holder for name, (holder, _full) in card_holders.items()}
            ),
            strict=True,
        ),
        # --- notifications (issue 17) ---
        ("notifications", notifications.notification_rows(now, member_ids, books)),
        # --- self-service ---
        ("debit_cards", debit_cards.debit_card_rows(member_ids, books.account_ids)),
    ]
    if socios:
        # After every other row of their tables: the demo's ids stay as they were.
        mass_holders, mass_users, mass_accounts = directory.mass_rows(
            socios,
            first_holder_id=max(row["id"] for row in books.holders) + 1,
            first_member_id=max(row["id"] for row in users) + 1,
            first_account_id=max(row["id"] for row in books.accounts) + 1,
            taken={row["identification"] for row in books.holders},
            created_at=books.opening,
        )
        tables[0:4] = [
            ("holders", [*books.holders, *mass_holders]),
            ("members", [*users, *mass_users]),
            ("login_failures", failures),
            ("accounts", [*books.accounts, *mass_accounts]),
        ]
    # --- teller counter (issue 18) ---
    tables.append(("member_directory", directory.directory_rows(tables[0][1])))  # type: ignore[arg-type]
    total_rows = sum(_count(rows) for _table, rows in tables) or 1
    written, given = 0, 0
    with write_transaction(conn):
        for table, rows in tables:
            insert_rows(conn, table, rows)
            written += _count(rows)
            share = STAGE_POINTS["rows"] * written // total_rows
            points.add("rows", share - given)
            given = share
        # --- certificates (issue 17) ---
        certificates.seed_certificates(
            conn, now, member_ids["demo"], holder_ids[members.MEMBERS[0].identification]
        )


def _count(rows: Rows) -> int:
    return len(rows) if isinstance(rows, Sized) else 0
