"""The server over a real loopback socket: in a thread, and as the console script."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mock_server import cli, create_app
from mock_server.testing import login_token, run_server_in_thread
from tests.database import server_args


async def test_login_and_accounts_over_loopback(seeded_db: Path) -> None:
    with run_server_in_thread(create_app(seeded_db)) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=base_url) as client:
            assert (await client.get("/health")).json() == {"status": "ok"}
            token = await login_token(client, "demo", "Demo2026")
            headers = {"Authorization": f"Bearer {token}"}
            accounts = await client.get("/api/v1/accounts", headers=headers)
            assert accounts.status_code == 200
            assert [a["number"] for a in accounts.json()] == ["00104721", "00204722"]
            page = await client.get(
                "/api/v1/accounts/00104721/movements", params={"limit": 5}, headers=headers
            )
            assert len(page.json()["items"]) == 5
    # Stopped on exit: nothing answers on that port any more.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/health", timeout=2)


async def test_answers_do_not_wait_for_delayed_acks(seeded_db: Path) -> None:
    # uvicorn writes an answer's head and body apart; without TCP_NODELAY on the accepted
    # connection (asyncio sets it only on a socket made with IPPROTO_TCP) the body waited for
    # the client's delayed ACK: ~40 ms for every request on a keep-alive connection.
    with cli._bind("127.0.0.1", 0) as listening:
        assert listening.proto == socket.IPPROTO_TCP
    with run_server_in_thread(create_app(seeded_db)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            await client.get("/health")
            times = []
            for _ in range(15):
                start = time.perf_counter()
                assert (await client.get("/health")).status_code == 200
                times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.02, times


@pytest.mark.sqlite_only("the write-ahead log beside the file is SQLite's")
async def test_the_server_closes_its_connections_when_it_stops(seeded_db: Path) -> None:
    wal = Path(f"{seeded_db}-wal")
    app = create_app(seeded_db)  # still referenced after the stop: nothing is garbage-collected
    with run_server_in_thread(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await login_token(client, "demo", "Demo2026")
            headers = {"Authorization": f"Bearer {token}"}
            assert (await client.get("/api/v1/accounts", headers=headers)).status_code == 200
        assert wal.exists()  # the pooled connections keep the write-ahead log between requests
    # On shutdown the pool closes them; the last one checkpoints the log and removes it.
    assert not wal.exists()
    assert app.state.server.connections.idle_count() == 0


def test_console_script_prints_its_url_and_serves(seeded_db: Path, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", *server_args(seeded_db), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("S.J. Virtual mock server en http://127.0.0.1:"), line
        url = line.split(" en ", 1)[1].split()[0]
        assert not url.endswith(":0")
        for _ in range(50):
            try:
                response = httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        else:
            raise AssertionError("the console script's server never answered")
        assert response.json() == {"status": "ok"}
        challenge = httpx.post(f"{url}/api/v1/auth/challenge", json={"username": "socio2"})
        assert challenge.json()["image"] == "condor"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode is not None


async def test_an_interbank_transfer_over_loopback(seeded_db: Path) -> None:
    from tests.api import DEMO_EMAIL, DEMO_PICHINCHA, auth, ledger_problems_of, transfer_with_pin
    from tests.conftest import CHEAP_HASHER

    app = create_app(seeded_db, demo=True, hasher=CHEAP_HASHER, clearing_delay_seconds=0)
    with run_server_in_thread(app) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await login_token(client, "demo", "Demo2026")
            transfer = await transfer_with_pin(
                client,
                token,
                DEMO_EMAIL,
                kind="interbancarias",
                from_account="00204722",
                beneficiary_id=DEMO_PICHINCHA,
                amount_cents=4_321,
            )
            assert transfer["status"] == "en_proceso"
            # With no clearing delay the next read settles it.
            settled = await client.get(f"/api/v1/transfers/{transfer['id']}", headers=auth(token))
            assert settled.json()["status"] == "completada"
    assert ledger_problems_of(seeded_db) == []


def test_the_clearing_delay_option() -> None:
    from mock_server import cli

    assert cli.parse_args([]).clearing_delay == 60
    assert cli.parse_args(["--clearing-delay", "5"]).clearing_delay == 5
    with pytest.raises(SystemExit):
        cli.parse_args(["--clearing-delay", "-1"])
    with pytest.raises(ValueError):
        create_app(Path("unused.sqlite"), clearing_delay_seconds=-1)
