"""The start of `sjvirtual`: the login screen's first frame comes before pydantic, httpx, keyring,
Babel and the other screens are imported (they load in the background after it), and Ctrl+Q at
once, while they load, ends the program cleanly. Real processes."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SJVIRTUAL = [sys.executable, "-m", "sjvirtual_tui"]
LATER = ("pydantic", "pydantic_settings", "httpx", "keyring", "babel")

# The real entry point, headless, that prints what is imported when the first frame of the
# login screen goes to the terminal (as bench/startup.py measures it).
PROBE = """
import json, sys
from textual.app import App
from sjvirtual_tui import cli, kiosk
from sjvirtual_tui.app import SJVirtualApp

real_display, seen = App._display, {}

def display(self, screen, renderable):
    real_display(self, screen, renderable)
    if not seen and renderable is not None and type(screen).__name__ == "LoginScreen":
        seen["modules"] = sorted(sys.modules)
        seen["theme"] = self.theme

App._display = display
real_run = SJVirtualApp.run

async def first_frame(pilot):
    while not seen:
        await pilot.pause(0.01)
    pilot.app.exit()

SJVirtualApp.run = lambda self, **_: real_run(
    self, headless=True, size=(80, 24), auto_pilot=first_frame
)
kiosk.terminal_problem = lambda stdin=None: None
cli.main(sys.argv[1:])
print(json.dumps(seen))
"""


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SJV_") and key not in ("NO_COLOR", "TEXTUAL_THEME")
    }
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DOCUMENTS_DIR=str(tmp_path / "docs"),
        TERM="xterm-256color",
        **extra,
    )
    return env


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_first_frame_comes_before_pydantic_httpx_keyring_and_babel(tmp_path, language):
    config = tmp_path / "config" / "sjvirtual-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    # The file's start values apply to the first frame; its later ones load after it.
    config.write_text(f'theme = "claro"\nlanguage = "{language}"\nstatement_days = 30\n')
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--server", "http://127.0.0.1:9"],
        env=environment(tmp_path, LANG="C.UTF-8"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    loaded = {name.split(".")[0] for name in seen["modules"]}
    assert loaded.isdisjoint(LATER), sorted(loaded & set(LATER))
    screens = {name for name in seen["modules"] if name.startswith("sjvirtual_tui.screens.")}
    assert screens == {"sjvirtual_tui.screens.base", "sjvirtual_tui.screens.login"}
    assert "sjvirtual_tui.config" not in seen["modules"]
    assert seen["theme"] == "textual-light"  # the file's theme, on the first frame


def test_ctrl_q_right_after_the_start_ends_it_with_0(tmp_path):
    """Ctrl+Q as soon as the terminal shows anything: the password step, the later styles and
    the settings may still be loading."""
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [*SJVIRTUAL, "--server", "http://127.0.0.1:9"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,  # Textual draws there
        env=environment(tmp_path, SJV_LANG="es"),
        start_new_session=True,
    )
    os.close(terminal)
    try:
        deadline = time.monotonic() + 60
        shown = b""
        while process.poll() is None and time.monotonic() < deadline:
            ready, _w, _x = select.select([main], [], [], 0.02)
            if ready:
                try:
                    shown += os.read(main, 65536)
                except OSError:
                    break
            if shown:  # the terminal is Textual's: Ctrl+Q, again until it is read
                os.write(main, b"\x11")
        assert process.wait(timeout=30) == 0, shown[-2000:]
        while select.select([main], [], [], 0.1)[0]:
            try:
                shown += os.read(main, 65536)
            except OSError:
                break
        assert b"Traceback" not in shown and b"Error" not in shown
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        os.close(main)
