"""Fixtures shared by the server's tests and the TUI's: a seeded database and the real app."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from mock_server import create_app
from mock_server.clock import ManualClock
from mock_server.seed import seed_database
from mock_server.testing import login_token

__all__ = ["CLOCK_START", "login_token"]

# 10:00 in Ecuador: the seed's history ends earlier this same day.
CLOCK_START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


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
