"""The first `sjvirtual --demo` of the day builds the demo data (seconds): its progress goes to
stderr before the TUI starts, and Ctrl+C there leaves no half-built template (the next start
builds it again, whole). Real processes, with their caches under tmp_path."""

from __future__ import annotations

import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from mock_server.seed import seed_database, template_path
from mock_server.seed.build import STAGE_POINTS, TOTAL_POINTS
from tests.conftest import CHEAP_HASHER

SJVIRTUAL = [sys.executable, "-m", "sjvirtual_tui"]
BUILD_TIMEOUT = 180.0  # the machine may be busy: the build takes 7-25 s


def start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`sjvirtual --demo` with a terminal on stdin/stdout (the TUI needs one) and stderr on a
    pipe (not a terminal: the progress comes as lines)."""
    main, terminal = pty.openpty()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SJV_") and key not in ("NO_COLOR",)
    }
    env.update(
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DOCUMENTS_DIR=str(tmp_path / "docs"),
        TERM="xterm-256color",
        SJV_LANG="es",
    )
    process = subprocess.Popen(
        [*SJVIRTUAL, "--demo"],
        stdin=terminal,
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    return process, main


def read_until(process: subprocess.Popen[bytes], marker: str) -> list[str]:
    """stderr's lines up to the first that holds ``marker``."""
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + BUILD_TIMEOUT
    while time.monotonic() < deadline:
        raw = process.stderr.readline()
        if not raw:
            break
        line = raw.decode("utf-8").rstrip("\n")
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} never came on stderr: {lines}")


def template_files(tmp_path: Path) -> list[str]:
    cache = tmp_path / "cache" / "sjvirtual-tui"
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def stop(process: subprocess.Popen[bytes], main: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    os.close(main)


def test_progress_then_ctrl_c_leaves_nothing_and_the_next_start_builds_it_whole(tmp_path):
    # 1. Interrupted once a stage is done: nothing of it is kept.
    process, main = start(tmp_path)
    try:
        lines = read_until(process, "% · ")
        assert lines[0].startswith("Preparando los datos de la demostración")
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C: the terminal signals the whole group
        assert process.wait(timeout=60) == 130
        assert process.stderr is not None
        rest = process.stderr.read().decode("utf-8")
        assert "Cancelado: no quedó nada a medias" in rest
        assert "Traceback" not in rest
    finally:
        stop(process, main)
    assert template_files(tmp_path) == []  # no template, no .tmp, no -wal beside it

    # 2. The next start builds it again, stage by stage, with the time left; then the TUI.
    process, main = start(tmp_path)
    try:
        lines = read_until(process, "100 % ·")
        stages = [line for line in lines if " % · " in line]
        assert [line.split(" · ")[1] for line in stages] == [
            "esquema de la base listo",
            "cuentas y movimientos listo",
            "socios y sus claves listo",
            "personal de la cooperativa listo",
            "escribiendo las filas listo",
            "revisando el libro mayor listo",
        ]
        percents = [int(line.split(" %")[0]) for line in stages]
        assert percents == sorted(percents) and percents[-1] == 100
        assert all("quedan unos" in line for line in stages)
        # Renamed into place, then the TUI starts: a TERM now ends the TUI, not the build.
        deadline = time.monotonic() + 30
        while not any(name.endswith(".sqlite") for name in template_files(tmp_path)):
            assert time.monotonic() < deadline, template_files(tmp_path)
            time.sleep(0.05)
    finally:
        stop(process, main)
    names = template_files(tmp_path)
    assert len(names) == 1 and names[0].startswith("seed-v") and names[0].endswith(".sqlite")
    with sqlite3.connect(tmp_path / "cache" / "sjvirtual-tui" / names[0]) as conn:
        (members,) = conn.execute("SELECT count(*) FROM members").fetchone()
        (movements,) = conn.execute("SELECT count(*) FROM movements").fetchone()
    assert members > 0 and movements > 100_000
    assert names[0] == template_path(tmp_path / "cache" / "sjvirtual-tui").name


def test_a_term_signal_while_building_is_a_cancel_too(tmp_path):
    """A closed terminal (SIGHUP) or a TERM in the middle of the build: nothing is left."""
    process, main = start(tmp_path)
    try:
        read_until(process, "% · ")
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) == 130
    finally:
        stop(process, main)
    assert template_files(tmp_path) == []


def test_the_seed_tells_each_stage_in_order_up_to_its_total(tmp_path):
    told: list[tuple[str, int, int]] = []
    seed_database(
        tmp_path / "small.sqlite",
        bulk=False,
        hasher=CHEAP_HASHER,
        progress=lambda stage, done, total: told.append((stage, done, total)),
    )
    assert [stage for stage, _d, _t in told if stage != "rows"] == [
        "schema",
        "books",
        "members",
        "staff",
        "ledger",
    ]
    assert "rows" in [stage for stage, _d, _t in told]  # told table by table
    done = [d for _s, d, _t in told]
    assert done == sorted(done) and done[-1] == TOTAL_POINTS == sum(STAGE_POINTS.values())
    assert {total for _s, _d, total in told} == {TOTAL_POINTS}


def test_a_start_with_todays_template_never_imports_the_server(tmp_path):
    # The first frame does not wait for the server's imports: today's template is found by name.
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    probe = (
        "import sys\n"
        "from sjvirtual_tui.demo import prepare_demo_data\n"
        "print(prepare_demo_data(), 'mock_server.seed' in sys.modules)\n"
    )
    run = [sys.executable, "-c", probe]
    first = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    assert first.stdout.split() == ["True", "True"], first.stderr  # built: the server was needed
    code = "import mock_server.seed as s; print(s.template_path())"
    built = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    assert Path(built).exists()
    again = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert again.stdout.split() == ["True", "False"], again.stderr
