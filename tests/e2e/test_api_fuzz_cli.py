"""schemathesis' own CLI, with every check, against a real server process (issue 13 B8).

The in-suite run (tests/api/test_api_fuzz.py) drives the app in-process; this one is the run from
outside: ``.venv/bin/schemathesis run`` against a fresh ``sjvirtual-mock-server`` on a loopback
port, authenticated by a real login (``tests/fuzz_hooks.py``: a member's session, the teller's
for the staff operations, a fresh Idempotency-Key per request). It must find 0 failures.
Bounded: a few examples per operation (``SJV_FUZZ_CLI_EXAMPLES``), every phase.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests import ROOT
from tests.loopback import ServerProcess

EXAMPLES = int(os.environ.get("SJV_FUZZ_CLI_EXAMPLES", "4"))
SEED = int(os.environ.get("SJV_FUZZ_SEED", "20261125"))
TIME_LIMIT = 300  # seconds: a hung run fails instead of holding the suite


def _schemathesis() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    return str(found) if found.exists() else (shutil.which("schemathesis") or "schemathesis")


def test_schemathesis_cli_from_outside_finds_nothing(
    seeded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = seeded_db
    stats = tmp_path / "stats.jsonl"
    with ServerProcess(db) as server:
        env = {
            **os.environ,
            "SJV_FUZZ_URL": server.url,
            "SJV_FUZZ_STATS": str(stats),
            "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks",
            "PYTHONPATH": str(ROOT),
            "NO_COLOR": "1",
        }
        command = [
            _schemathesis(),
            "--config-file",
            str(ROOT / "tests" / "schemathesis.toml"),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--suppress-health-check",
            "too_slow",
            "--continue-on-failure",
        ]
        started = time.monotonic()
        run = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT
        )
        seconds = time.monotonic() - started
        server_errors = server.stderr
    output = run.stdout + run.stderr
    events = Counter(json.loads(line)["event"] for line in stats.read_text().splitlines())
    tested = re.search(r"Tested:\s+(\d+)", output)
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    summary = (
        f"schemathesis CLI (all checks) against a server process: "
        f"{tested.group(1) if tested else '?'} operations, "
        f"{cases.group(1) if cases else '?'} test cases, {events['request']} requests, "
        f"{events['fresh_key']} fresh Idempotency-Keys, {events['login']} logins, "
        f"{events['unlock']} unlocks, exit {run.returncode}, {seconds:.0f} s"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    assert run.returncode == 0, output[-6000:]
    assert cases is not None and cases.group(1) == cases.group(2), output[-3000:]
    assert tested is not None and int(tested.group(1)) >= 40
    assert events["request"] > 500
    assert "Traceback" not in server_errors, server_errors[-3000:]
