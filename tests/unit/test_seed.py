"""The seed: ledger invariants, the demo people, determinism, the cached template."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import mock_server.seed as seed
from mock_server import cli
from mock_server.cli import prepare_database
from mock_server.seed import history, masivo, template
from mock_server.store.meta import SECURITY_QUESTIONS
from mock_server.store.migrations import HEAD
from sjvirtual_tui.rules import ECUADOR_TZ, cedula_error, ruc_error
from tests.conftest import CLOCK_START
from tests.database import DB, execute, ledger_problems_of, rows

# Cheap parameters where a test seeds again: only the data is under test there.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _rows(path: DB, sql: str, *params: object) -> list[tuple[object, ...]]:
    return rows(path, sql, *params)


def test_the_ledger_balances(seeded_db: Path) -> None:
    # Recomputed here in Python, independently of mock_server.domain.ledger's SQL.
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
    # 8 of socios, Caja general, the two interbank accounts, the two of payments, the
    # loans' and the pólizas' (issue 17)
    assert len(accounts) == 15
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
    assert ledger_problems_of(seeded_db) == []


def test_the_ledger_check_catches_a_broken_ledger(seeded_db: Path) -> None:
    execute(
        seeded_db,
        "UPDATE movements SET amount_cents = amount_cents + 1 WHERE id = "
        "(SELECT MAX(id) FROM movements)",
    )
    problems = ledger_problems_of(seeded_db)
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
    assert set(members) == {"demo", "socio2", "masivo", "bloqueado", "cajero", "supervisor"}
    assert members["demo"][:5] == (
        "María Fernanda Guamán Quispe",
        "demo@socios.coacsanjose.ec",
        "colibri",
        "",  # no security phrase since schema 6: nothing a member wrote is shown before login
        "member",
    )
    assert members["socio2"][0] == "Carlos Andrés Pillajo Tituaña"
    assert members["socio2"][2] == "condor"
    assert members["masivo"][0] == "Comercial Andina Cía. Ltda."
    assert members["masivo"][2] == "faro"
    assert members["bloqueado"][0] == "Rosa Elena Chimbo"
    assert members["bloqueado"][2] == "llama"
    assert members["bloqueado"][5] is not None
    assert [m[5] for name, m in members.items() if name != "bloqueado"] == [None] * 5
    assert members["cajero"][:5] == (
        "Jorge Luis Paredes",
        "cajero@coacsanjose.ec",
        "cafe",
        "",
        "teller",
    )
    assert members["supervisor"][:5] == (
        "Ana Lucía Benítez Correa",
        "supervisor@coacsanjose.ec",
        "faro",
        "",
        "supervisor",
    )
    # The four-eyes request a supervisor finds waiting in the demo.
    assert _rows(
        seeded_db,
        "SELECT a.kind, m.username, r.username, a.status FROM approvals AS a"
        " JOIN members AS m ON m.id = a.member_id JOIN members AS r ON r.id = a.requested_by",
    ) == [("security_reset", "masivo", "cajero", "pendiente")]
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
            SELECT a.number, COALESCE(m.username, h.name), a.kind, a.type, a.balance_cents,
                   a.hold_cents,
                   (SELECT COUNT(*) FROM movements WHERE account_id = a.id),
                   (SELECT MIN(posted_at) FROM movements WHERE account_id = a.id),
                   (SELECT MAX(posted_at) FROM movements WHERE account_id = a.id)
            FROM accounts AS a LEFT JOIN holders AS h ON h.id = a.holder_id
            LEFT JOIN members AS m ON m.holder_id = a.holder_id
            """,
        )
    }
    assert {n: a[:3] for n, a in accounts.items()} == {
        "00104721": ("demo", "member", "ahorro_vista"),
        "00204722": ("demo", "member", "ahorro_personal"),
        "00105349": ("socio2", "member", "ahorro_vista"),
        "00190001": ("masivo", "member", "ahorro_vista"),
        "00104999": ("bloqueado", "member", "ahorro_vista"),
        # holders without a user (yet): REGISTRO DE SOCIOS
        "00107777": ("Luis Alberto Yánez Cevallos", "member", "ahorro_vista"),
        "00108888": ("Gabriela Cisneros Mora", "member", "ahorro_vista"),
        "00190077": ("Textiles Otavalo S.A.", "member", "ahorro_vista"),
        "99000001": (None, "internal", None),
        "99000002": (None, "internal", None),
        "99000003": (None, "internal", None),
        "99000004": (None, "internal", None),
        "99000005": (None, "internal", None),
        "99000006": (None, "internal", None),  # loans (issue 17)
        "99000007": (None, "internal", None),
    }
    counts = {n: a[5] for n, a in accounts.items() if not n.startswith("99")}
    assert counts == {
        "00104721": 1_200,
        "00204722": 150,
        "00105349": 50,
        "00190001": seed.SMALL_BULK_MOVEMENTS,
        "00104999": 20,
        "00107777": 12,
        "00108888": 8,
        "00190077": 40,
    }
    vista, personal = accounts["00104721"], accounts["00204722"]
    assert 200_000 <= int(str(vista[3])) <= 500_000 and vista[4] == 15_000
    assert 800_000 <= int(str(personal[3])) <= 1_200_000 and personal[4] == 0

    today = CLOCK_START.astimezone(ECUADOR_TZ).date()
    # The interbank and payment accounts start empty: no movement before the first use.
    empty = {"99000002", "99000003", "99000004", "99000005", "99000006"}
    assert {n: (a[3], a[5]) for n, a in accounts.items() if n in empty} == {
        number: (0, 0) for number in empty
    }
    # The demo's póliza, opened at the branch in cash: one movement into "Depósitos a plazo".
    assert (accounts["99000007"][3], accounts["99000007"][5]) == (500_000, 1)
    for number, account in accounts.items():
        if number in empty or number == "99000007":
            continue
        first = datetime.fromisoformat(str(account[6]))
        last = datetime.fromisoformat(str(account[7]))
        assert first < last < CLOCK_START, number
        if number != "99000001":
            assert last.astimezone(ECUADOR_TZ).date() == today, number
    first_demo = datetime.fromisoformat(str(vista[6])).astimezone(ECUADOR_TZ).date()
    assert first_demo == today - timedelta(days=730)
    assert _rows(
        seeded_db, "SELECT number, name FROM accounts WHERE kind = 'internal' ORDER BY number"
    ) == [
        ("99000001", "Caja general"),
        ("99000002", "Compensación interbancaria"),
        ("99000003", "Salidas interbancarias"),
        ("99000004", "Recaudación de servicios"),
        ("99000005", "Cartera de tarjetas"),
        ("99000006", "Cartera de créditos"),  # loans (issue 17)
        ("99000007", "Depósitos a plazo"),
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
    query = (
        "SELECT id, account_id, posted_at, description, reference, amount_cents FROM movements "
        "ORDER BY id"
    )
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
    assert history.epoch_us(start) < times[0]
    assert times[-1] < history.epoch_us(CLOCK_START)
    last_day = (history.EPOCH + timedelta(microseconds=times[-1])).astimezone(ECUADOR_TZ).date()
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
    monkeypatch.setattr(masivo, "BULK_MOVEMENTS", 3_000)  # the real bulk is timed in the report
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / "seed-v0-2020-01-01.sqlite"
    stale.write_bytes(b"old")
    builds: list[Path] = []
    real_seed = seed.seed_database

    def counting_seed(path: Path, **kwargs: object) -> None:
        builds.append(path)
        real_seed(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(template, "seed_database", counting_seed)
    first = seed.fresh_database(tmp_path / "a" / "one.sqlite", cache_dir=cache)
    second = seed.fresh_database(tmp_path / "two.sqlite", cache_dir=cache)
    assert len(builds) == 1
    templates = sorted(p.name for p in cache.iterdir())
    today = datetime.now(ECUADOR_TZ).date().isoformat()
    assert templates == [f"seed-v{seed.SEED_VERSION}-r{HEAD}-{today}.sqlite"]
    assert not stale.exists()

    query = "SELECT account_id, posted_at, amount_cents FROM movements ORDER BY id"
    assert _rows(first, query) == _rows(second, query)
    assert _rows(first, "SELECT COUNT(*) FROM movements WHERE account_id = 5") == [(3_000,)]
    secrets = "SELECT value FROM meta WHERE key = 'decoy_secret'"
    assert _rows(first, secrets) != _rows(second, secrets)  # each copy has its own
    assert _rows(first, "PRAGMA journal_mode") == [("wal",)]

    # The CLI's rule: an empty file is seeded, one with data is kept unless --fresh.
    monkeypatch.setattr(template, "template_dir", lambda: cache)
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    prepare_database(empty)
    assert _rows(empty, "SELECT COUNT(*) FROM members") == [
        (6,)
    ]  # four socios, a teller, a supervisor
    with sqlite3.connect(empty) as conn:
        conn.execute("DELETE FROM login_failures")
    prepare_database(empty)
    assert _rows(empty, "SELECT COUNT(*) FROM login_failures") == [(0,)]
    prepare_database(empty, fresh=True)
    assert _rows(empty, "SELECT COUNT(*) FROM login_failures") == [(1,)]
    assert len(builds) == 1


def test_holders_questions_and_the_pending_request(seeded_db: Path) -> None:
    holders = _rows(
        seeded_db,
        "SELECT h.identification, h.kind, h.name, m.username FROM holders AS h "
        "LEFT JOIN members AS m ON m.holder_id = h.id ORDER BY h.id",
    )
    assert holders == [
        ("1712345675", "persona", "María Fernanda Guamán Quispe", "demo"),
        ("1704567898", "persona", "Carlos Andrés Pillajo Tituaña", "socio2"),
        ("1791234561001", "empresa", "Comercial Andina Cía. Ltda.", "masivo"),
        ("0603123456", "persona", "Rosa Elena Chimbo", "bloqueado"),
        ("1710034065", "persona", "Luis Alberto Yánez Cevallos", None),
        ("0926687856", "persona", "Gabriela Cisneros Mora", None),
        ("1792060346001", "empresa", "Textiles Otavalo S.A.", None),
    ]
    for identification, kind, _name, _user in holders:
        check = cedula_error if kind == "persona" else ruc_error
        assert check(str(identification)) is None, identification
    assert _rows(seeded_db, "SELECT holder_id, role FROM members WHERE username = 'cajero'") == [
        (None, "teller")
    ]
    assert [str(text) for (text,) in _rows(seeded_db, "SELECT text FROM security_questions")] == [
        *SECURITY_QUESTIONS
    ]
    assert len(SECURITY_QUESTIONS) == 8

    # Every seeded user finished the PRIMER INGRESO, with answers hashed in normalised form.
    users = _rows(
        seeded_db,
        "SELECT username, status, own_question, own_answer_hash, question_id, answer_hash "
        "FROM members ORDER BY id",
    )
    assert {row[1] for row in users} == {"active"}
    demo = users[0]
    assert demo[2] == "¿Cuál es mi volcán favorito?" and demo[4] == 1
    assert PasswordHasher().verify(str(demo[3]), "cotopaxi")
    assert PasswordHasher().verify(str(demo[5]), "firulais")
    assert all(row[3] and row[5] for row in users)

    ((reference, kind, identification, username, status, request_json),) = _rows(
        seeded_db,
        "SELECT reference, kind, identification, username, status, request_json FROM registrations",
    )
    assert (reference, kind, identification, username, status) == (
        "SOL-000001",
        "persona",
        "0926687856",
        "gcisneros",
        "pendiente",
    )
    assert json.loads(str(request_json))["direccion"] == "Av. Amazonas N34-120, Quito"


def test_a_file_of_an_older_schema_is_refused_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    conn.close()
    assert cli.main(["--db", str(path), "--port", "0"]) == 1
    assert "--fresh" in capsys.readouterr().err


def test_institutions_beneficiaries_and_limits(seeded_db: Path) -> None:
    institutions = _rows(seeded_db, "SELECT code, name, kind FROM institutions ORDER BY code")
    assert len(institutions) == len(seed.INSTITUTIONS) >= 20
    by_name = {name: (code, kind) for code, name, kind in institutions}
    for name in (
        "Banco Pichincha",
        "Banco Guayaquil",
        "Banco del Pacífico",
        "Produbanco",
        "Banco Internacional",
        "Banco Bolivariano",
        "Banco del Austro",
        "Banco de Machala",
        "Banco de Loja",
        "Banco General Rumiñahui",
        "Banco Solidario",
        "BanEcuador",
        "Cooperativa JEP",
        "Cooperativa Jardín Azuayo",
        "Cooperativa 29 de Octubre",
        "Cooperativa Policía Nacional",
        "Mutualista Pichincha",
    ):
        assert name in by_name, name
    assert by_name["Banco Pichincha"] == ("0010", "banco")
    assert by_name["Produbanco"] == ("0036", "banco")
    assert {kind for _code, _name, kind in institutions} == {"banco", "cooperativa", "mutualista"}
    assert all(len(str(code)) == 4 and str(code).isdigit() for code, _n, _k in institutions)
    assert _rows(
        seeded_db, "SELECT institution_code, number FROM closed_external_accounts ORDER BY 1"
    ) == [
        ("0017", "0012345678"),
        ("0036", "02005123456"),
    ]

    beneficiaries = _rows(
        seeded_db,
        """
        SELECT b.id, m.username, b.kind, b.number, b.account_type, a.number,
               b.institution_code, b.id_type, b.id_number, b.name
        FROM beneficiaries AS b JOIN members AS m ON m.id = b.member_id
        LEFT JOIN accounts AS a ON a.id = b.account_id ORDER BY b.id
        """,
    )
    assert beneficiaries == [
        (1, "demo", "interna", "1105349", "ahorro_vista", "00105349", None, None, None,
         "C***** A***** P****** T******"),
        (2, "demo", "externa", "2203456789", "ahorros", None, "0010", "cedula", "1715223341",
         "Ana Lucía Tipán Morales"),
        (3, "demo", "externa", "02005123456", "corriente", None, "0036", "cedula", "0912345675",
         "Diego Fernando Andrade Salazar"),
        (4, "socio2", "interna", "1104721", "ahorro_vista", "00104721", None, None, None,
         "M**** F******* G***** Q*****"),
    ]  # fmt: skip
    for row in beneficiaries:
        if row[7] == "cedula":
            assert cedula_error(str(row[8])) is None
    created = _rows(seeded_db, "SELECT MIN(created_at), MAX(created_at) FROM beneficiaries")[0]
    assert str(created[1]) < CLOCK_START.isoformat()

    assert _rows(
        seeded_db,
        "SELECT m.username, l.per_transaction_cents, l.daily_cents FROM transfer_limits AS l "
        "JOIN members AS m ON m.id = l.member_id ORDER BY m.id",
    ) == [
        ("demo", 200_000, 500_000),
        ("socio2", 200_000, 500_000),
        ("masivo", 200_000, 500_000),
        ("bloqueado", 200_000, 500_000),
    ]
    assert _rows(seeded_db, "SELECT COUNT(*) FROM transfers") == [(0,)]
    assert _rows(seeded_db, "SELECT SUM(pin_failures) FROM members") == [(0,)]


def test_billers_bills_cards_and_issuers(seeded_db: Path) -> None:
    billers = _rows(
        seeded_db,
        "SELECT code, name, category, reference_pattern, amount_rule FROM billers ORDER BY code",
    )
    assert len(billers) == len(seed.BILLERS) >= 12
    by_code = {str(code): row for code, *row in billers}
    for code, name in (
        ("CNEL_EP", "CNEL EP"),
        ("EEQ", "Empresa Eléctrica Quito"),
        ("EPMAPS", "EPMAPS Agua Quito"),
        ("INTERAGUA", "Interagua Guayaquil"),
        ("CNT", "CNT EP"),
        ("CLARO", "Claro"),
        ("DIRECTV", "DIRECTV"),
        ("UCE", "Universidad Central del Ecuador"),
    ):
        assert by_code[code][0] == name
    assert {row[1] for row in by_code.values()} == {
        "electricidad", "agua", "telefonia", "tv", "impuestos", "educacion"
    }  # fmt: skip
    rules = [row[3] for row in by_code.values()]
    assert rules.count("exacto") > len(rules) / 2  # most demand the exact amount
    assert {"parcial", "abierto"} <= set(rules)

    bills = _rows(
        seeded_db,
        "SELECT id, biller_code, reference, period, amount_cents, paid_cents, due_date, status, "
        "paid_by FROM bills ORDER BY id",
    )
    assert len(bills) == len(seed.BILLS)
    for _id, code, reference, _period, amount, paid, due, status, paid_by in bills:
        # Every seeded reference fits its biller's format.
        assert re.fullmatch(str(by_code[str(code)][2]), str(reference)), (code, reference)
        assert int(str(amount)) > 0 and paid == 0 and paid_by is None
        assert date.fromisoformat(str(due))
        assert status in {"pendiente", "pagada"}
    assert bills[0][1:8] == (
        "CNEL_EP", "1000123456", "2026-10", 3_245, 0, "2026-11-30", "pendiente"
    )  # fmt: skip
    # Periods are stored neutral; the server writes them in the reader's language.
    assert [b[3] for b in bills if b[2] == "1000765432"] == ["2026-09", "2026-10"]
    assert [(b[2], b[7]) for b in bills if b[7] == "pagada"] == [("1234567", "pagada")]

    cards = _rows(
        seeded_db,
        "SELECT c.id, m.username, c.brand, c.last4, c.credit_limit_cents, "
        "c.statement_total_cents, c.statement_minimum_cents, c.paid_cents, c.unbilled_cents "
        "FROM cards AS c JOIN members AS m ON m.holder_id = c.holder_id ORDER BY c.id",
    )
    assert cards == [
        (1, "demo", "visa", "4521", 250_000, 84_530, 4_227, 0, 12_000),
        (2, "demo", "mastercard", "8830", 100_000, 0, 0, 0, 3_520),
        (3, "socio2", "visa", "7702", 150_000, 31_245, 2_500, 0, 0),
    ]

    issuers = _rows(
        seeded_db,
        "SELECT c.name, c.brand, i.name FROM card_issuers AS c "
        "JOIN institutions AS i ON i.code = c.institution_code ORDER BY c.code",
    )
    assert len(issuers) == len(seed.CARD_ISSUERS)
    assert {brand for _n, brand, _i in issuers} == {"visa", "mastercard", "diners"}
    assert {bank for _n, _b, bank in issuers} == {
        "Banco Pichincha", "Produbanco", "Banco Guayaquil", "Banco del Pacífico",
        "Banco Bolivariano", "Banco Internacional",
    }  # fmt: skip
    assert ("Diners Club del Ecuador", "diners", "Banco Pichincha") in issuers
    assert _rows(seeded_db, "SELECT issuer_code, last4 FROM closed_external_cards") == [
        ("VISA_GUAYAQUIL", "1881")
    ]
    assert _rows(seeded_db, "SELECT COUNT(*) FROM payments") == [(0,)]
    assert _rows(seeded_db, "SELECT COUNT(*) FROM frequent_services") == [(0,)]
