"""Logging of the client: SJV_LOG_LEVEL sets the level (a bad value is said, INFO is used), the
log file lives in platformdirs' state folder. Through the real `sjvirtual` process too."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from sjvirtual_tui import cli


@pytest.fixture
def fresh_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The root logger without handlers (basicConfig acts), state folder under tmp_path."""
    state = tmp_path / "state"
    monkeypatch.setattr(platformdirs, "user_state_dir", lambda *a, **k: str(state))
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    httpx_level = logging.getLogger("httpx").level
    root.handlers = []
    try:
        yield state
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = kept
        root.setLevel(level)
        logging.getLogger("httpx").setLevel(httpx_level)


def setup_logging() -> Path | None:
    # pytest puts its capture handlers on the root logger for the test's call; basicConfig
    # does nothing while any is there (the fixture gives them back afterwards).
    logging.getLogger().handlers = []
    return cli.setup_logging()


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("DEBUG", logging.DEBUG),
        ("warning", logging.WARNING),
        ("Error", logging.ERROR),
        ("", logging.INFO),
    ],
)
def test_sjv_log_level_sets_the_level_of_the_state_folder_log(
    value, level, fresh_root, monkeypatch, capsys
):
    monkeypatch.setenv("SJV_LOG_LEVEL", value)
    path = setup_logging()
    assert path == fresh_root / "sjvirtual.log"
    assert logging.getLogger().level == level
    logging.getLogger("sjvirtual_tui.test").warning("a warning line")
    logging.getLogger("sjvirtual_tui.test").info("an info line")
    text = path.read_text(encoding="utf-8")
    assert ("a warning line" in text) == (level <= logging.WARNING)
    assert ("an info line" in text) == (level <= logging.INFO)
    assert capsys.readouterr().err == ""


def test_a_bad_sjv_log_level_is_said_and_info_is_used(fresh_root, monkeypatch, capsys):
    monkeypatch.setenv("SJV_LOG_LEVEL", "verbose")
    setup_logging()
    assert logging.getLogger().level == logging.INFO
    err = capsys.readouterr().err
    assert "SJV_LOG_LEVEL=verbose no es válido" in err
    assert "DEBUG, INFO, WARNING o ERROR" in err and "se usa INFO" in err


def test_the_real_command_writes_its_log_in_the_state_folder(tmp_path):
    """A fresh process with XDG_STATE_HOME set (platformdirs reads it on Linux): the log is
    there, at the level SJV_LOG_LEVEL asks for."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg-state"), "SJV_LOG_LEVEL": "debug"}
    code = (
        "import logging; from sjvirtual_tui import cli; p = cli.setup_logging(); "
        "logging.getLogger('sjvirtual_tui').debug('hello from debug'); print(p)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    path = Path(done.stdout.strip())
    assert path == tmp_path / "xdg-state" / "sjvirtual-tui" / "sjvirtual.log"
    assert "DEBUG sjvirtual_tui: hello from debug" in path.read_text(encoding="utf-8")
