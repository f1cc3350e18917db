"""``uv tool install .`` gives working ``sjvirtual`` and ``sjvirtual-mock-server`` commands.

As tests/test_wheel_install.py does for a wheel: a copy of the sources outside this tree is
installed with uv's own tool install (its own environment, its own resolver) into temporary tool
and bin directories, and run from elsewhere: both commands answer ``--version``, and the tool's
environment runs the app on the bundled demo server, in English, from the installed files only.

uv resolves the dependencies from the package index (PyPI, the only one this machine and CI
reach); its cache is the user's, so a second run downloads nothing. No Python is downloaded:
the tool environment uses this interpreter.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests import ROOT
from tests.e2e.test_wheel_install import SCRIPT, copy_sources, run


def uv_binary() -> str:
    from uv import find_uv_bin  # uv is a dev dependency: its PyPI wheel carries the binary

    return find_uv_bin()


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(bin dir, tool environment, env) after ``uv tool install`` of a copy of the sources."""
    uv = uv_binary()
    cache = run(uv, "cache", "dir", cwd=ROOT, env=dict(os.environ)).strip()
    tmp = tmp_path_factory.mktemp("uvtool")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SJV_", "VIRTUAL"))}
    env = {k: v for k, v in env.items() if not k.startswith("UV_")}
    env.update(
        HOME=str(tmp),
        LANG="C.UTF-8",
        UV_TOOL_DIR=str(tmp / "tools"),
        UV_TOOL_BIN_DIR=str(tmp / "bin"),
        UV_CACHE_DIR=cache,
        UV_PYTHON=sys.executable,
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
    )
    src = tmp / "src"
    src.mkdir()
    copy_sources(src)
    run(uv, "tool", "install", ".", cwd=src, env=env, timeout=600)
    return tmp / "bin", tmp / "tools" / "sjvirtual-tui", env


def test_uv_tool_install_gives_both_commands(tool):
    bin_dir, _venv, env = tool
    cwd = bin_dir.parent  # outside the source tree and its copy
    for command in ("sjvirtual", "sjvirtual-mock-server"):
        shown = run(bin_dir / command, "--version", cwd=cwd, env=env).strip()
        assert shown == f"{command} 0.1.0"
    helptext = run(bin_dir / "sjvirtual", "--lang", "en", "--help", cwd=cwd, env=env)
    assert "San José S.J. Virtual in the terminal." in helptext


def test_the_uv_tool_runs_the_demo_from_its_own_files(tool):
    _bin, venv, env = tool
    out = run(venv / "bin" / "python", "-c", SCRIPT, cwd=venv.parent, env=env)
    login, after_password = out.split("=" * 80)
    assert "Username (*)" in login and "LOG IN" in login, login
    assert "password" in after_password.lower(), after_password
