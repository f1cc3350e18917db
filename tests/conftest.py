"""Fixtures shared by the server's tests and the TUI's: a seeded database and the real app."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from mock_server import create_app
from mock_server.clock import ManualClock
from mock_server.seed import seed_database
from mock_server.testing import login_token

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


@pytest.fixture
def seeded_db(_seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the small seeded database for one test."""
    path = tmp_path / "sjvirtual.sqlite"
    shutil.copyfile(_seeded_template, path)
    return path


@pytest.fixture
def server_app(seeded_db: Path, clock: ManualClock) -> FastAPI:
    return create_app(seeded_db, clock=clock)


@pytest.fixture
async def api_client(server_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        yield client


@pytest.fixture
def demo_app(seeded_db: Path, clock: ManualClock) -> FastAPI:
    """The app as ``sjvirtual --demo`` makes it (with GET /demo/outbox), with cheap hashing."""
    return create_app(seeded_db, clock=clock, hasher=CHEAP_HASHER, demo=True)


@pytest.fixture
async def demo_client(demo_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        yield client


@pytest.fixture
async def teller_token(api_client: httpx.AsyncClient) -> str:
    """A session of the seeded teller ``cajero`` (valid for every app over ``seeded_db``)."""
    return await login_token(api_client, "cajero", "Cajero2026")
