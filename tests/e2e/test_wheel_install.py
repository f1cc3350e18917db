"""A real install keeps English: the wheel carries the catalogs (issue 13, A8).

The package is built into a wheel from a copy of the sources, installed into a fresh virtual
environment in a temporary directory, and run from there: ``sjvirtual --lang en --help`` and the
login screen (with an answer of the bundled server) must be English. The new environment borrows
this one's dependencies through a ``.pth`` line (nothing is downloaded), but ``sjvirtual_tui`` and
``mock_server`` come from the wheel only, which the script checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests import ROOT

# Runs inside the new environment: the installed app, headless at 80x24, on the bundled server.
SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path

    import mock_server, sjvirtual_tui
    venv = Path(sys.prefix).resolve()
    for module in (sjvirtual_tui, mock_server):
        where = Path(module.__file__).resolve()
        assert venv in where.parents, f"{module.__name__} from {where}, not from {venv}"

    from sjvirtual_tui.i18n import set_language
    set_language("en")
    from sjvirtual_tui.app import build_app
    from sjvirtual_tui.backend.http import HttpBackend
    from sjvirtual_tui.config import Settings
    from sjvirtual_tui.demo import demo_server

    def screen(app):
        update = app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens
        )
        return "\\n".join("".join(s.text for s in line) for line in update.strips)

    async def settle(pilot):
        for _ in range(4):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def main(url):
        app = build_app(Settings(export_dir=Path.cwd()), HttpBackend(url))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            print(screen(app))
            print("=" * 80)
            await pilot.press(*"demo", "enter")
            await settle(pilot)
            await pilot.press(*"Wrong2026", "enter")
            await settle(pilot)
            print(screen(app))

    with demo_server() as url:
        asyncio.run(main(url))
    """
)


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def copy_sources(src: Path) -> None:
    """What a package is built from, copied to ``src`` (no caches, no build leftovers)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("sjvirtual_tui", "mock_server"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(wheel, venv, env): the wheel built from a copy of the sources, installed in a new venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SJV_", "VIRTUAL"))}
    env.update(HOME=str(tmp), LANG="C.UTF-8", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    src = tmp / "src"
    src.mkdir()
    copy_sources(src)
    dist = tmp / "dist"
    pip = (sys.executable, "-m", "pip")
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, src, cwd=tmp, env=env)
    (wheel,) = dist.glob("sjvirtual_tui-*.whl")

    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", "-q", wheel, cwd=tmp, env=env)
    purelib = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp, env=env
    ).strip()
    # Dependencies from this environment (its own .pth files, e.g. the editable install of this
    # source tree, are not read from a directory a .pth line adds).
    (Path(purelib) / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return wheel, venv, env


def test_the_wheel_carries_every_catalog(installed):
    wheel, _venv, _env = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    catalogs = {
        str(p.relative_to(ROOT))
        for package in ("sjvirtual_tui", "mock_server")
        for p in (ROOT / package / "locale").rglob("*.po")
    }
    assert catalogs, "no catalogs in the source tree?"
    assert catalogs - names == set()


def test_the_wheel_carries_its_license_and_type_hints(installed):
    wheel, venv, env = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"sjvirtual_tui/py.typed", "mock_server/py.typed"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), sorted(names)[-8:]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text
    cwd = venv.parent
    for command in ("sjvirtual", "sjvirtual-mock-server"):
        shown = run(venv / "bin" / command, "--version", cwd=cwd, env=env).strip()
        assert shown == f"{command} 0.1.0"


def test_installed_sjvirtual_speaks_english(installed):
    _wheel, venv, env = installed
    cwd = venv.parent  # outside the source tree: nothing can be imported from it
    helptext = run(venv / "bin" / "sjvirtual", "--lang", "en", "--help", cwd=cwd, env=env)
    assert "San José S.J. Virtual in the terminal." in helptext
    assert "use the bundled server" in helptext.lower() or "--demo" in helptext
    assert "terminal compartida" not in helptext and "idioma" not in helptext

    out = run(venv / "bin" / "python", "-c", SCRIPT, cwd=cwd, env=env)
    login, after_password = out.split("=" * 80)
    assert "Username (*)" in login and "LOG IN" in login, login
    assert "Usuario" not in login and "INGRESAR" not in login, login
    # the bundled server's catalog came with the wheel too: its refusal is in English
    assert "password" in after_password.lower(), after_password
    assert "contraseña" not in after_password.lower(), after_password
