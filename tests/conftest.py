"""Fixtures shared by the server's tests and the TUI's: a seeded database and the real app.

Two engines, one fixture: ``seeded_db`` (and so ``server_app``, ``api_client``, ``demo_app``,
``demo_client``, ``teller_token``) depends on ``engine``, which ``pytest_generate_tests`` makes
``sqlite`` and ``postgresql`` for every test that uses it, so the same test body runs on both.
On SQLite ``seeded_db`` is the path of a copy of a file seeded once per session; on PostgreSQL
it is the URL of a copy (``CREATE DATABASE ... TEMPLATE``) of a database seeded once per session
in the suite's own throwaway cluster (tests/postgres.py), dropped after the test. Tests read and
write the database directly only through tests/database.py, which takes either. A module that
builds its own world (a module-scoped app, a template of its own) asks ``engine`` and
``seeded_databases`` for its copies: ``engine`` is parametrized per module, so such a world is
built once per engine. Each app a fixture makes has its pool disposed after the test.

Which tests run on both: every test that uses ``engine`` (directly or through the fixtures
above), unless the rule below says SQLite only. Tests that seed or copy a file of their own
(``tmp_path / "x.sqlite"``: a crash of an SQLite file, the seed's template cache) use no
``engine`` and run on SQLite, which they are about.

Which tests stay on SQLite only (their ``engine`` is not parametrized, so their ids and snapshot
names carry no ``[sqlite]``):
- the TUI's (``test_tui_*.py`` and the files in ``SQLITE_ONLY_FILES``): they test the client, which
  sees the same API on both engines, and doubling them would double a 35-minute suite;
- tests marked ``@pytest.mark.sqlite_only("why")``: what they test is the SQLite file itself
  (a ``kill -9`` in the middle of a write to it, old schema files, its journal).

PostgreSQL missing: the PostgreSQL half is skipped with the reason, unless
``SJV_REQUIRE_POSTGRESQL=1`` (set by .ci/run): then a missing or broken cluster is an error, and a
session in which any PostgreSQL test was skipped fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from mock_server import create_app
from mock_server.domain.clock import ManualClock
from mock_server.seed import seed_database
from mock_server.testing import login_token
from tests.postgres import (
    REQUIRE_ENV,
    Cluster,
    PostgresMissing,
    find_bin,
    required,
    running_cluster,
)

if TYPE_CHECKING:
    from tests.tui import MemoryKeyring

__all__ = ["CHEAP_HASHER", "CLOCK_START", "login_token"]

# 10:00 in Ecuador: the seed's history ends earlier this same day.
CLOCK_START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

# For the secrets a test makes through the API (new passwords, answers): the flows are under
# test, not argon2's cost. The seeded users keep their real hashes.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _no_keyring() -> Iterator[None]:
    """Every test starts with keyring's ``fail`` backend, as on a headless Linux, whatever the
    machine has (a desktop's Secret Service would show "Recordar usuario" in snapshots); the
    keyring tests put their own backend in."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A keyring that works, in memory: what the test finds in it is what the client kept (the
    device token's one legitimate place)."""
    import keyring

    from tests.tui import MemoryKeyring

    before = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(before)


ENGINES = ("sqlite", "postgresql")
# Whole files of the TUI that use the server's fixtures but stay on SQLite (see the docstring).
SQLITE_ONLY_FILES = frozenset(
    {
        "test_snapshots.py",
        "test_ssh_kiosk.py",
        "test_wheel_install.py",
        "test_i18n_plurals.py",  # its server tests drive the TUI's PIN step
        # The TUI's flows, then every file under tmp_path, the SQLite file's bytes included.
        "test_secrets_in_logs.py",
    }
)


FOLDERS = ("unit", "api", "tui", "e2e")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): runs on SQLite only, because it tests the SQLite file itself",
    )
    config.addinivalue_line(
        "markers", "slow: left out of `make check` (minutes of real processes or examples)"
    )
    config.addinivalue_line(
        "markers",
        "postgresql: the PostgreSQL half of a test over both engines (set by this conftest; "
        "`make check` leaves it to `make test`)",
    )
    # A test file straight in tests/ would run under a bare `pytest tests/x.py` but in none of
    # the Makefile's folders: it is refused until it is put in one.
    stray = sorted(p.name for p in Path(__file__).parent.glob("test_*.py"))
    if stray:
        raise pytest.UsageError(
            f"tests/{stray[0]}: a test file belongs in one of tests/"
            + ", tests/".join(FOLDERS)
            + " (README, Tests)"
        )


def _sqlite_only(metafunc: pytest.Metafunc) -> bool:
    name = Path(metafunc.definition.path).name
    return (
        name.startswith("test_tui_")
        or name in SQLITE_ONLY_FILES
        or metafunc.definition.get_closest_marker("sqlite_only") is not None
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames and not _sqlite_only(metafunc):
        # Module scope: a module's tests run on SQLite, then on PostgreSQL, so a module-scoped
        # fixture over ``engine`` (a world built once per module) is built once per engine.
        metafunc.parametrize("engine", ENGINES, indirect=True, scope="module")


# The PostgreSQL tests of this session that were skipped (with SJV_REQUIRE_POSTGRESQL=1, any
# one fails the session).
_postgresql_skipped: list[str] = []
# Each PostgreSQL test says so in its reports: under pytest-xdist the items are collected in the
# workers, and only their reports reach the controller, which decides the session's status.
_ENGINE_PROPERTY = "sjv_engine"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the marker set here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("engine") == "postgresql":
            item.user_properties.append((_ENGINE_PROPERTY, "postgresql"))
            item.add_marker(pytest.mark.postgresql)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    postgresql = any(tuple(p) == (_ENGINE_PROPERTY, "postgresql") for p in report.user_properties)
    if report.skipped and postgresql and not hasattr(report, "wasxfail"):
        _postgresql_skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if required() and _postgresql_skipped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if required() and _postgresql_skipped:
        terminalreporter.write_line(
            f"{len(_postgresql_skipped)} PostgreSQL test(s) skipped with {REQUIRE_ENV}=1: "
            "the session fails (first: " + ", ".join(_postgresql_skipped[:3]) + ")",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="module")
def engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the engine of ``seeded_db`` (SQLite for the tests that are
    not parametrized over both)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """The session's throwaway PostgreSQL, started on first use, stopped at the end."""
    try:
        find_bin()
        missing = ""
    except PostgresMissing as exc:
        missing = str(exc)
    if missing and required():
        pytest.fail(f"{missing} ({REQUIRE_ENV}=1)", pytrace=False)
    if missing:
        pytest.skip(missing)
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(CLOCK_START)


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeded once per session (argon2 hashing and the ledger check take about a second)."""
    path = tmp_path_factory.mktemp("seed") / "template.sqlite"
    seed_database(path, now=CLOCK_START, bulk=False)
    # Closed and checkpointed: a plain file copy of it is a whole database.
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture(scope="session")
def _postgres_template(postgres_cluster: Cluster) -> str:
    """The PostgreSQL twin of ``_seeded_template``: a database seeded once, copied per test."""
    name = "sjv_seeded"
    postgres_cluster.admin(f'CREATE DATABASE "{name}"')
    seed_database(postgres_cluster.url(name), now=CLOCK_START, bulk=False)
    return name


class SeededDatabases:
    """Private copies of the session's seeded database, on either engine: ``new(engine)`` gives
    an SQLite file's path or a PostgreSQL database's URL; ``copy(db)`` copies any of them (a
    template a module prepared); ``drop(db)`` removes a PostgreSQL copy (an SQLite copy stays in
    pytest's temporary directory, for a look after a failure)."""

    def __init__(self, request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> None:
        self._request = request
        self._tmp = tmp

    def template(self, engine: str) -> Path | str:
        if engine == "sqlite":
            return Path(self._request.getfixturevalue("_seeded_template"))
        return self._cluster.url(self._request.getfixturevalue("_postgres_template"))

    def new(self, engine: str, into: Path | None = None) -> Path | str:
        """A copy of the seeded database (an SQLite file in ``into``, else a new directory)."""
        return self.copy(self.template(engine), into)

    def empty(self, engine: str) -> Path | str:
        """A new empty database (for a test that seeds its own, at another time)."""
        if engine == "sqlite":
            return self._tmp.mktemp("db") / "sjvirtual.sqlite"
        self._empties = getattr(self, "_empties", 0) + 1
        name = f"sjv_empty_{os.getpid()}_{self._empties}"
        self._cluster.admin(f'CREATE DATABASE "{name}"')
        return self._cluster.url(name)

    def copy(self, source: Path | str, into: Path | None = None) -> Path | str:
        if isinstance(source, Path):
            path = (into or self._tmp.mktemp("db")) / "sjvirtual.sqlite"
            shutil.copyfile(source, path)
            return path
        return self._cluster.url(self._cluster.copy_of(_database_name(source)))

    def drop(self, db: Path | str) -> None:
        if isinstance(db, str):
            self._cluster.drop(_database_name(db))

    @property
    def _cluster(self) -> Cluster:
        cluster: Cluster = self._request.getfixturevalue("postgres_cluster")
        return cluster


def _database_name(url: str) -> str:
    return str(make_url(url).database)


@pytest.fixture(scope="session")
def seeded_databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> SeededDatabases:
    return SeededDatabases(request, tmp_path_factory)


@pytest.fixture
def seeded_db(
    engine: str, seeded_databases: SeededDatabases, tmp_path: Path
) -> Iterator[Path | str]:
    """A private copy of the small seeded database for one test: an SQLite file in the test's
    ``tmp_path``, or a PostgreSQL database's URL (dropped after the test)."""
    db = seeded_databases.new(engine, tmp_path)
    try:
        yield db
    finally:
        seeded_databases.drop(db)


def _disposed(app: FastAPI) -> Iterator[FastAPI]:
    """The app for one test, its pool closed after it: left open, every test's connections
    would add up until PostgreSQL refuses more (and its database could not be dropped)."""
    yield app
    app.state.server.database.dispose()


async def _client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        yield client


@pytest.fixture
def server_app(seeded_db: Path, clock: ManualClock) -> Iterator[FastAPI]:
    yield from _disposed(create_app(seeded_db, clock=clock))


@pytest.fixture
async def api_client(server_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client_of(server_app):
        yield client


@pytest.fixture
def demo_app(seeded_db: Path, clock: ManualClock) -> Iterator[FastAPI]:
    """The app as ``sjvirtual --demo`` makes it (with GET /demo/outbox), with cheap hashing."""
    yield from _disposed(create_app(seeded_db, clock=clock, hasher=CHEAP_HASHER, demo=True))


@pytest.fixture
async def demo_client(demo_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client_of(demo_app):
        yield client


@pytest.fixture
async def teller_token(api_client: httpx.AsyncClient) -> str:
    """A session of the seeded teller ``cajero`` (valid for every app over ``seeded_db``)."""
    return await login_token(api_client, "cajero", "Cajero2026")
