"""The seed: ledger invariants, the demo people, determinism, the cached template."""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import mock_server.seed as seed
from mock_server.cli import prepare_database
from mock_server.ledger import ledger_problems
from sjvirtual_tui.rules import ECUADOR_TZ
from tests.conftest import CLOCK_START

# Cheap parameters where a test seeds again: only the data is under test there.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def test_the_ledger_balances(seeded_db: Path) -> None:
    # Recomputed here in Python, independently of mock_server.ledger's SQL.
    movements = _rows(
        seeded_db,
        """
        SELECT m.id, m.journal_id, j.kind, m.account_id, m.posted_at, m.amount_cents,
               m.balance_after_cents
        FROM movements AS m JOIN journal AS j ON j.id = m.journal_id
        """,
    )
    by_journal: dict[object, list[int]] = defaultdict(list)
    by_account: dict[object, list[tuple[datetime, int, int, int]]] = defaultdict(list)
    openings = set()
    for mid, journal_id, kind, account_id, posted_at, amount, after in movements:
        assert isinstance(amount, int) and isinstance(after, int) and isinstance(mid, int)
        if kind == "apertura":
            openings.add(journal_id)
        else:
            by_journal[journal_id].append(amount)
        by_account[account_id].append((datetime.fromisoformat(str(posted_at)), mid, amount, after))
    assert len(openings) == 1
    assert all(sum(amounts) == 0 and len(amounts) == 2 for amounts in by_journal.values())

    accounts = _rows(seeded_db, "SELECT id, number, balance_cents, hold_cents FROM accounts")
    assert len(accounts) == 6
    for account_id, number, balance, hold in accounts:
        assert isinstance(balance, int) and isinstance(hold, int)
        running = 0
        for _at, _id, amount, after in sorted(by_account[account_id]):
            running += amount
            assert after == running, number
            assert after >= 0, number
        assert balance == running, number
        assert 0 <= hold <= balance
    capital = _rows(
        seeded_db,
        "SELECT m.amount_cents FROM movements AS m JOIN journal AS j ON j.id = m.journal_id "
        "WHERE j.kind = 'apertura'",
    )
    assert sum(int(str(balance)) for _id, _n, balance, _h in accounts) == capital[0][0]
    # And the server's own check agrees.
    conn = sqlite3.connect(seeded_db)
    try:
        assert ledger_problems(conn) == []
    finally:
        conn.close()


def test_the_ledger_check_catches_a_broken_ledger(seeded_db: Path) -> None:
    with sqlite3.connect(seeded_db) as conn:
        conn.execute(
            "UPDATE movements SET amount_cents = amount_cents + 1 WHERE id = "
            "(SELECT MAX(id) FROM movements)"
        )
    conn = sqlite3.connect(seeded_db)
    try:
        problems = ledger_problems(conn)
    finally:
        conn.close()
    assert any("do not sum to zero" in p for p in problems)
    assert any("not the sum of their movements" in p for p in problems)


def test_the_seeded_members(seeded_db: Path) -> None:
    members = {
        row[0]: row[1:]
        for row in _rows(
            seeded_db,
            "SELECT username, full_name, email, security_image, security_phrase, role, "
            "locked_at, last_login_at FROM members",
        )
    }
    assert set(members) == {"demo", "socio2", "masivo", "bloqueado"}
    assert members["demo"][:5] == (
        "María Fernanda Guamán Quispe",
        "demo@socios.coacsanjose.ec",
        "colibri",
        "Mi primer ahorro fue en San José",
        "member",
    )
    assert members["socio2"][0] == "Carlos Andrés Pillajo Tituaña"
    assert members["socio2"][2] == "condor"
    assert members["masivo"][0] == "Comercial Andina Cía. Ltda."
    assert members["masivo"][2] == "faro"
    assert members["bloqueado"][0] == "Rosa Elena Chimbo"
    assert members["bloqueado"][2] == "llama"
    assert members["bloqueado"][5] is not None
    assert [m[5] for name, m in members.items() if name != "bloqueado"] == [None, None, None]
    assert _rows(seeded_db, "SELECT username, count FROM login_failures") == [("bloqueado", 5)]
    last_login = datetime.fromisoformat(str(members["demo"][6])).astimezone(ECUADOR_TZ)
    assert (last_login.date(), last_login.hour, last_login.minute) == (
        CLOCK_START.astimezone(ECUADOR_TZ).date() - timedelta(days=1),
        18,
        42,
    )

    accounts = {
        row[0]: row[1:]
        for row in _rows(
            seeded_db,
            """
            SELECT a.number, m.username, a.kind, a.type, a.balance_cents, a.hold_cents,
                   (SELECT COUNT(*) FROM movements WHERE account_id = a.id),
                   (SELECT MIN(posted_at) FROM movements WHERE account_id = a.id),
                   (SELECT MAX(posted_at) FROM movements WHERE account_id = a.id)
            FROM accounts AS a LEFT JOIN members AS m ON m.id = a.member_id
            """,
        )
    }
    assert {n: a[:3] for n, a in accounts.items()} == {
        "00104721": ("demo", "member", "ahorro_vista"),
        "00204722": ("demo", "member", "ahorro_personal"),
        "00105349": ("socio2", "member", "ahorro_vista"),
        "00190001": ("masivo", "member", "ahorro_vista"),
        "00104999": ("bloqueado", "member", "ahorro_vista"),
        "99000001": (None, "internal", None),
    }
    counts = {n: a[5] for n, a in accounts.items() if n != "99000001"}
    assert counts == {
        "00104721": 1_200,
        "00204722": 150,
        "00105349": 50,
        "00190001": seed.SMALL_BULK_MOVEMENTS,
        "00104999": 20,
    }
    vista, personal = accounts["00104721"], accounts["00204722"]
    assert 200_000 <= int(str(vista[3])) <= 500_000 and vista[4] == 15_000
    assert 800_000 <= int(str(personal[3])) <= 1_200_000 and personal[4] == 0

    today = CLOCK_START.astimezone(ECUADOR_TZ).date()
    for number, account in accounts.items():
        first = datetime.fromisoformat(str(account[6]))
        last = datetime.fromisoformat(str(account[7]))
        assert first < last < CLOCK_START, number
        if number != "99000001":
            assert last.astimezone(ECUADOR_TZ).date() == today, number
    first_demo = datetime.fromisoformat(str(vista[6])).astimezone(ECUADOR_TZ).date()
    assert first_demo == today - timedelta(days=730)
    assert _rows(seeded_db, "SELECT name FROM accounts WHERE number = '99000001'") == [
        ("Caja general",)
    ]


def test_descriptions_and_references_look_real(seeded_db: Path) -> None:
    rows = _rows(
        seeded_db,
        "SELECT DISTINCT description FROM movements AS m JOIN accounts AS a ON a.id = m.account_id"
        " WHERE a.number = '00104721'",
    )
    descriptions = {str(row[0]) for row in rows}
    for expected in (
        "Depósito en efectivo",
        "Retiro en ventanilla",
        "Pago de servicios CNEL EP",
        "Pago EPMAPS Agua Quito",
        "Interés ganado",
        "Débito por mantenimiento",
    ):
        assert expected in descriptions
    assert any(d.startswith("Transferencia recibida") for d in descriptions)
    assert any(d.startswith("Transferencia enviada") for d in descriptions)
    references = _rows(
        seeded_db,
        "SELECT reference FROM movements WHERE description = 'Depósito en efectivo' LIMIT 50",
    )
    assert all(str(r[0]).startswith("DEP-") and len(str(r[0])) == 11 for r in references)


def test_seeding_is_deterministic(tmp_path: Path, seeded_db: Path) -> None:
    again = tmp_path / "again.sqlite"
    seed.seed_database(again, now=CLOCK_START, bulk=False, hasher=CHEAP)
    query = "SELECT id, account_id, posted_at, description, reference, amount_cents FROM movements"
    assert _rows(again, query) == _rows(seeded_db, query)
    with pytest.raises(seed.SeedError):
        seed.seed_database(again, now=CLOCK_START, bulk=False, hasher=CHEAP)


@pytest.mark.parametrize("count", [2, 50, 20_000])
def test_the_bulk_generator_keeps_its_promises(count: int) -> None:
    # The 100,000-movement account takes several seconds to seed; its generator is the same.
    spec = next(a for m in seed.MEMBERS for a in m.accounts if a.number == "00190001")
    events = seed.generate_events(spec, count, CLOCK_START, random.Random(7))
    assert len(events) == count
    times = [event.at_us for event in events]
    assert times == sorted(times)
    start = CLOCK_START - timedelta(days=spec.days + 1)
    assert seed._us(start) < times[0]
    assert times[-1] < seed._us(CLOCK_START)
    last_day = (seed._EPOCH + timedelta(microseconds=times[-1])).astimezone(ECUADOR_TZ).date()
    assert last_day == CLOCK_START.astimezone(ECUADOR_TZ).date()
    balance = 0
    for event in events:
        assert event.amount_cents != 0
        balance += event.amount_cents
        assert event.balance_after_cents == balance
        assert balance >= seed.MIN_BALANCE_CENTS or event is events[-1]
    assert spec.target_low <= balance <= spec.target_high
    if count >= 50:
        assert {e.description.split(" ")[0] for e in events} >= {
            "Depósito",
            "Pago",
            "Transferencia",
        }


def test_fresh_database_copies_one_cached_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "BULK_MOVEMENTS", 3_000)  # the real bulk is timed in the report
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / "seed-v0-2020-01-01.sqlite"
    stale.write_bytes(b"old")
    builds: list[Path] = []
    real_seed = seed.seed_database

    def counting_seed(path: Path, **kwargs: object) -> None:
        builds.append(path)
        real_seed(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(seed, "seed_database", counting_seed)
    first = seed.fresh_database(tmp_path / "a" / "one.sqlite", cache_dir=cache)
    second = seed.fresh_database(tmp_path / "two.sqlite", cache_dir=cache)
    assert len(builds) == 1
    templates = sorted(p.name for p in cache.iterdir())
    today = datetime.now(ECUADOR_TZ).date().isoformat()
    assert templates == [f"seed-v{seed.SEED_VERSION}-{today}.sqlite"]
    assert not stale.exists()

    query = "SELECT account_id, posted_at, amount_cents FROM movements ORDER BY id"
    assert _rows(first, query) == _rows(second, query)
    assert _rows(first, "SELECT COUNT(*) FROM movements WHERE account_id = 5") == [(3_000,)]
    secrets = "SELECT value FROM meta WHERE key = 'decoy_secret'"
    assert _rows(first, secrets) != _rows(second, secrets)  # each copy has its own
    assert _rows(first, "PRAGMA journal_mode") == [("wal",)]

    # The CLI's rule: an empty file is seeded, one with data is kept unless --fresh.
    monkeypatch.setattr(seed, "template_dir", lambda: cache)
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    prepare_database(empty)
    assert _rows(empty, "SELECT COUNT(*) FROM members") == [(4,)]
    with sqlite3.connect(empty) as conn:
        conn.execute("DELETE FROM login_failures")
    prepare_database(empty)
    assert _rows(empty, "SELECT COUNT(*) FROM login_failures") == [(0,)]
    prepare_database(empty, fresh=True)
    assert _rows(empty, "SELECT COUNT(*) FROM login_failures") == [(1,)]
    assert len(builds) == 1
