"""The store's write transactions on both engines (mock_server.store.engine): who waits for whom
(the global lock, keyed locks), and what a statement's error does inside one (PostgreSQL sends
a write transaction's statements in pipeline mode)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_server.domain.ledger import Leg, ledger_problems, post_transfer
from mock_server.store import (
    Connection,
    Database,
    IntegrityError,
    Unavailable,
    write_transaction,
)

# A writer that must wait gives up after this long (the store's Unavailable, the API's 503).
SHORT_WAIT = 0.3


@pytest.fixture
def database(seeded_db: Path | str) -> Iterator[Database]:
    db = Database(seeded_db, pooled=False, lock_timeout=SHORT_WAIT)
    try:
        yield db
    finally:
        db.dispose()


def _insert(conn: object, key: str, value: str = "x") -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))  # type: ignore[attr-defined]


def _stored(database: Database, key: str) -> list[str]:
    with database.connection() as conn:
        return [row[0] for row in conn.execute("SELECT value FROM meta WHERE key = ?", (key,))]


def _other_writer(database: Database, keys: Iterable[Hashable] | None) -> str:
    """A write transaction on another connection, while the caller holds one: ``done`` (it
    committed), or ``waited`` (it had to wait, and gave up after SHORT_WAIT)."""
    key = f"other-{uuid.uuid4().hex}"
    with database.connection() as conn:
        try:
            with write_transaction(conn, keys=keys):
                _insert(conn, key)
        except Unavailable:
            assert _stored(database, key) == []
            return "waited"
    assert _stored(database, key) == ["x"]
    return "done"


def _holding(
    database: Database, keys: Iterable[Hashable] | None, other: Iterable[Hashable] | None
) -> str:
    """What another writer (keys ``other``) does while a write transaction (``keys``) is open;
    the first one then commits."""
    key = f"first-{uuid.uuid4().hex}"
    with database.connection() as conn:
        with write_transaction(conn, keys=keys):
            _insert(conn, key)
            conn.sync()  # the locks are held from here (PostgreSQL: BEGIN was only sent)
            outcome = _other_writer(database, other)
        assert _stored(database, key) == ["x"]
    return outcome


def test_writers_with_different_keys_overlap_on_postgresql(database: Database) -> None:
    """Keyed writers with no key in common run side by side on PostgreSQL; SQLite's file has one
    write lock, so there the second waits all the same."""
    outcome = _holding(database, [("account", 1)], [("account", 2)])
    assert outcome == ("done" if database.dialect == "postgresql" else "waited")


def test_writers_with_a_key_in_common_wait(database: Database) -> None:
    assert _holding(database, [("account", 1), ("account", 2)], [("account", 2)]) == "waited"
    assert _holding(database, [("account", 2)], [("account", 3), ("account", 2)]) == "waited"


def test_a_global_writer_excludes_keyed_ones_and_they_exclude_it(database: Database) -> None:
    assert _holding(database, None, [("account", 1)]) == "waited"
    assert _holding(database, [("account", 1)], None) == "waited"
    assert _holding(database, None, None) == "waited"


def test_a_read_never_waits_for_a_writer(database: Database) -> None:
    with database.connection() as conn, write_transaction(conn, keys=[("account", 1)]):
        _insert(conn, "held")
        conn.sync()
        assert _stored(database, "held") == []  # not committed yet, and not waited for


def test_a_writer_waiting_for_a_key_goes_on_once_it_is_free(seeded_db: Path | str) -> None:
    """The second writer of a key waits (within the lock timeout) and commits after the first,
    on both engines."""
    database = Database(seeded_db, pooled=False, lock_timeout=10)
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        with database.connection() as conn:
            started.set()
            with write_transaction(conn, keys=[("account", 7)]):
                # Read on this connection: on PostgreSQL the block may run before the lock is
                # granted (BEGIN and the lock are only sent), never its statements. The first
                # writer's row is there: it committed before this one got the key.
                seen = [
                    row[0] for row in conn.execute("SELECT value FROM meta WHERE key = 'first'")
                ]
                order.append(f"second saw {seen}")
                _insert(conn, "second")

    try:
        with database.connection() as conn:
            with write_transaction(conn, keys=[("account", 7)]):
                _insert(conn, "first")
                conn.sync()
                thread = threading.Thread(target=second)
                thread.start()
                started.wait(5)
                time.sleep(0.3)  # the second one is waiting for the key by now
                order.append("first commits")
            thread.join(10)
        assert not thread.is_alive()
        assert order == ["first commits", "second saw ['x']"]
        assert _stored(database, "second") == ["x"]
    finally:
        database.dispose()


# --- a statement's error inside a write transaction ------------------------------------------


def test_an_integrity_error_reaches_the_caller_and_nothing_is_stored(database: Database) -> None:
    """On PostgreSQL the INSERT is only sent; its error comes at COMMIT at the latest, and the
    whole transaction is rolled back, as on SQLite (where the INSERT itself raises)."""
    with database.connection() as conn:
        with pytest.raises(IntegrityError), write_transaction(conn):
            _insert(conn, "new-row")
            _insert(conn, "schema_version")  # meta's key is its primary key: already there
        assert _stored(database, "new-row") == []
        # The connection is usable again: the next transaction commits.
        with write_transaction(conn):
            _insert(conn, "after")
    assert _stored(database, "after") == ["x"]


def test_sync_raises_a_statements_error_where_the_caller_needs_it(database: Database) -> None:
    reached = False
    with database.connection() as conn:
        with pytest.raises(IntegrityError), write_transaction(conn):
            _insert(conn, "schema_version")
            conn.sync()
            reached = True
        assert not reached


def test_a_read_after_writes_sees_them_and_rowcount_counts(database: Database) -> None:
    with database.connection() as conn:
        with write_transaction(conn):
            _insert(conn, "a", "1")
            _insert(conn, "b", "2")
            updated = conn.execute(
                "UPDATE meta SET value = value || '!' WHERE key IN ('a', 'b', 'missing')"
            )
            assert updated.rowcount == 2
            rows = conn.execute("SELECT key, value FROM meta WHERE key IN ('a', 'b') ORDER BY key")
            assert [tuple(row) for row in rows] == [("a", "1!"), ("b", "2!")]
            deleted = conn.execute("DELETE FROM meta WHERE key = 'b' RETURNING value")
            assert deleted.fetchone()["value"] == "2!"
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)", [("c", "3"), ("d", "4")]
            )
        assert conn.in_transaction is False
    assert (_stored(database, "a"), _stored(database, "b"), _stored(database, "d")) == (
        ["1!"],
        [],
        ["4"],
    )


def test_an_exception_of_the_block_rolls_back_what_was_only_sent(database: Database) -> None:
    class Refused(Exception):
        pass

    with database.connection() as conn:
        with pytest.raises(Refused), write_transaction(conn):
            _insert(conn, "refused")
            raise Refused
        assert not conn.in_transaction
    assert _stored(database, "refused") == []


# --- the posting sequence under keyed writers --------------------------------------------------


def _postable_accounts(conn: Connection, n: int) -> list[int]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT id FROM accounts WHERE kind = 'member' AND balance_cents - hold_cents "
            f">= 100 ORDER BY id LIMIT {n}"
        )
    ]


def _post(conn: Connection, when: datetime, debit: int, credit: int, reference: str) -> None:
    post_transfer(
        conn,
        when,
        kind="deposito",
        description="prueba",
        reference=reference,
        amount_cents=100,
        debit=Leg(debit, "prueba"),
        credit=Leg(credit, "prueba"),
    )


def _postings(conn: Connection, references: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    """Each reference's debit: (seq, posted_at)."""
    marks = ", ".join("?" for _ in references)
    return {
        row[0]: (int(row[1]), str(row[2]))
        for row in conn.execute(
            f"SELECT reference, seq, posted_at FROM movements WHERE reference IN ({marks})"
            " AND amount_cents < 0",
            references,
        )
    }


@contextmanager
def _posting_accounts(seeded_db: Path | str, n: int) -> Iterator[tuple[Database, list[int]]]:
    """A pool-less Database (each writer its own connection) and ``n`` member accounts with
    $1,00 available to post."""
    database = Database(seeded_db, pooled=False, lock_timeout=10)
    try:
        with database.connection() as conn:
            accounts = _postable_accounts(conn, n)
        assert len(accounts) == n
        yield database, accounts
    finally:
        database.dispose()


def _second_writer(
    database: Database,
    keys: Iterable[Hashable],
    when: datetime,
    debit: int,
    credit: int,
    outcome: list[str],
) -> threading.Thread:
    """A second keyed writer, started in a thread, posting ``SECOND``; once committed it adds
    "second committed" to ``outcome``."""

    def second() -> None:
        with database.connection() as conn:
            with write_transaction(conn, keys=keys):
                _post(conn, when, debit, credit, "SECOND")
            outcome.append("second committed")

    thread = threading.Thread(target=second)
    thread.start()
    return thread


def test_keyed_postings_on_other_accounts_both_commit(seeded_db: Path | str) -> None:
    """Two keyed writers posting on accounts with no key in common, the second while the first
    is still open: on PostgreSQL they run side by side (the posting numbers come from a
    sequence, not from the last ``seq`` + 1 both would read), on SQLite one after the other.
    Either way both commit, each with numbers of its own, and the ledger stays whole."""
    now = datetime.now(UTC)
    outcome: list[str] = []
    with _posting_accounts(seeded_db, 4) as (database, accounts), database.connection() as conn:
        with write_transaction(conn, keys=[("account", n) for n in accounts[:2]]):
            _post(conn, now, accounts[0], accounts[1], "FIRST")
            conn.sync()
            keys = [("account", n) for n in accounts[2:]]
            thread = _second_writer(database, keys, now, accounts[2], accounts[3], outcome)
            time.sleep(0.3)  # on PostgreSQL the second one has posted by now
            if database.dialect == "postgresql":
                assert outcome == ["second committed"]
        thread.join(10)
        assert not thread.is_alive()
        assert outcome == ["second committed"]
        postings = _postings(conn, ("FIRST", "SECOND"))
        assert sorted(postings) == ["FIRST", "SECOND"]
        assert postings["FIRST"][0] != postings["SECOND"][0]
        assert ledger_problems(conn) == []


def test_a_posting_waits_for_the_open_posting_of_its_account(seeded_db: Path | str) -> None:
    """Two keyed writers whose keys do not meet but whose postings share an account (the
    keys a caller gives need not name every row it moves): the second waits for the first's
    row lock, then posts after it in that account's statement, later in the sequence and never
    earlier in time, even though its clock was read a minute before the first's."""
    now = datetime.now(UTC)
    outcome: list[str] = []
    with _posting_accounts(seeded_db, 3) as (database, accounts), database.connection() as conn:
        with write_transaction(conn, keys=[("request", "first")]):
            _post(conn, now, accounts[0], accounts[1], "FIRST")
            conn.sync()
            earlier = now - timedelta(minutes=1)
            keys = [("request", "second")]
            thread = _second_writer(database, keys, earlier, accounts[1], accounts[2], outcome)
            time.sleep(0.3)
            assert outcome == []  # waiting for the first one's lock (either engine)
        thread.join(10)
        assert not thread.is_alive()
        assert outcome == ["second committed"]
        postings = _postings(conn, ("FIRST", "SECOND"))
        assert postings["SECOND"][0] > postings["FIRST"][0]
        assert postings["SECOND"][1] >= postings["FIRST"][1]
        assert ledger_problems(conn) == []
