"""Teller search benchmark: GET /staff/members?q= over 100,000 socios (issue 18).

Seeds a database with the demo data plus ``--socios`` more socios (the seed's ``socios``
option: each with a user and an account), starts the bundled server on a loopback port, logs
the teller ``cajero`` in, and times each kind of query over HTTP (median and p95 of
``--runs`` requests), beside the server's own ``/health`` (no database) in the same run: the
difference is what the search itself costs. Ends with a ``target 300 ms PASS/FAIL`` line for the
slowest kind's p95.

    .venv/bin/python bench/teller_search.py [--socios 100000] [--runs 30] [--engine both]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TARGET_MS = 300.0

# Query kind -> what a teller types (the mass socios' names are drawn from Ecuadorian first
# names and surnames, accented; their cédulas and accounts follow their number).
QUERIES = {
    "cedula": "1712345675",
    "ruc": "1791234561001",
    "cuenta (cartola)": "01054321",
    "cuenta (1/9 prefix)": "11054321",
    "telefono 09": "0907919331",
    "nombre (accents, partial)": "guaman quis",
    "nombre (common, 50+ hits)": "maria",
    "usuario": "socio0543",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(target: str, socios: int) -> float:
    from mock_server.seed.build import seed_database

    started = time.perf_counter()
    seed_database(target, bulk=False, socios=socios)
    return time.perf_counter() - started


def _wait(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _times(
    client: httpx.Client, path: str, params: dict[str, str] | None, runs: int
) -> list[float]:
    client.get(path, params=params)  # warm: the first request of a path compiles its route
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path, params=params)
        found.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return found


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _measure(target: str, url: bool, socios: int, runs: int) -> list[tuple[str, list[float], int]]:
    seconds = _seed(target, socios)
    print(f"seeded {socios:,} more socios in {seconds:.1f} s")
    port = _free_port()
    where = ["--database-url", target] if url else ["--db", target]
    server = subprocess.Popen(
        [sys.executable, "-m", "mock_server", *where, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "SJV_LANG": "es"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base, time.monotonic() + 60)
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": "cajero", "password": "Cajero2026"}
            )
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['token']}"
            rows = [("/health (no database)", _times(client, "/health", None, runs), 0)]
            for kind, q in QUERIES.items():
                hits = len(client.get("/api/v1/staff/members", params={"q": q}).json()["results"])
                rows.append(
                    (f"{kind} {q!r}", _times(client, "/api/v1/staff/members", {"q": q}, runs), hits)
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def _report(engine: str, rows: list[tuple[str, list[float], int]]) -> None:
    print(f"{engine}")
    print(f"{'query':44} {'hits':>4} {'median ms':>10} {'p95 ms':>8}")
    for name, times, hits in rows:
        print(f"{name:44} {hits:>4} {statistics.median(times):>10.1f} {_p95(times):>8.1f}")
    worst = max(_p95(times) for _name, times, _hits in rows[1:])
    verdict = "PASS" if worst <= TARGET_MS else "FAIL"
    print(f"target {TARGET_MS:.0f} ms (slowest kind's p95: {worst:.1f} ms) {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socios", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    for engine in engines:
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                rows = _measure(str(Path(tmp) / "bench.db"), False, args.socios, args.runs)
        else:
            # A throwaway cluster as the tests start one (tests/postgres.py), over its socket.
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.postgres
            from tests.postgres import SUPERUSER, running_cluster

            with running_cluster(durable=True) as cluster:
                cluster.admin('CREATE DATABASE "bench"')
                url = f"postgresql://{SUPERUSER}@/bench?host={cluster.base}&port={cluster.port}"
                rows = _measure(url, True, args.socios, args.runs)
        _report(f"{engine}, {args.socios:,} more socios, {args.runs} requests a kind", rows)


if __name__ == "__main__":
    main()
