"""The server's tests: the sessions most of them start from, written once.

``demo`` and ``socio2`` are the seeded members' session tokens on ``demo_client`` (the app as
``sjvirtual --demo`` makes it, over this test's copy of the seeded database, on each engine). The
database, the apps and the clients come from tests/conftest.py, shared with the TUI's tests.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mock_server.testing import login_token


@pytest.fixture
async def demo(demo_client: httpx.AsyncClient) -> str:
    return await login_token(demo_client, "demo", "Demo2026")


@pytest.fixture
async def socio2(demo_client: httpx.AsyncClient) -> str:
    return await login_token(demo_client, "socio2", "Socio2026")


# Left out of `make check` (`-m 'not slow'`), run by `make test`: each takes a minute or more of
# server processes, kill -9, fuzzing or the bank's state machine.
SLOW = frozenset(
    {
        "test_api_fuzz.py",
        "test_bank_model.py",
        "test_crash.py",
        "test_enumeration.py",
        "test_faults_workers.py",
        "test_ledger_concurrency.py",
        "test_ledger_order.py",
        "test_pin_limits.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.parent == here and item.path.name in SLOW:
            item.add_marker(pytest.mark.slow)
