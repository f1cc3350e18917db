"""The start values read before the first frame (start_settings.py, no pydantic) are the values
the full settings (config.py, pydantic) give: the same file, variables and flags, the same
result, origin, problem or error, for every row of a table."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sjvirtual_tui import i18n
from sjvirtual_tui.config import SettingsError, load_settings
from sjvirtual_tui.start_settings import START_DEFAULTS, StartError, read_start

FILE, ENV, FLAGS = "file", "env", "flags"
LATER = "later"  # a bad value the first frame does not need: the start keeps the file's
CASES: list[dict[str, object]] = [
    {},
    {FILE: 'server_url = "https://a.test"\ntheme = "claro"\nlanguage = "EN"\n'},
    {FILE: 'demo = "sí"\nkiosk = "on"\nidle_minutes = 5\ndb_path = "/tmp/d.sqlite"\n'},
    {FILE: "idle_minutes = 5.0\n"},
    {FILE: 'idle_minutes = "7"\n'},
    {FILE: "idle_minutes = 5.5\n"},
    {FILE: "idle_minutes = true\n"},
    {FILE: "idle_minutes = 500\n"},
    {FILE: 'idle_minutes = "cinco"\n'},
    {FILE: "server_url = 3\n"},
    {FILE: "db_path = 3\n"},
    {FILE: "theme = 3\n"},
    {FILE: 'theme = "rosa"\n'},
    {FILE: 'theme = "nord"\n'},
    {FILE: 'language = "fr"\n'},
    {FILE: 'language = "en_US.UTF-8"\n'},
    {FILE: 'kiosk = "maybe"\n'},
    {FILE: "kiosk = 1\n"},
    {FILE: 'theme = "claro\n'},  # no TOML
    {FILE: 'theme = "claro"\ncolour = 3\n', LATER: True},  # told after the first frame
    {FILE: 'language = "en"\nstatement_days = "x"\n', LATER: True},
    {ENV: {"SJV_DEMO": "on", "SJV_KIOSK": " SÍ "}},
    {ENV: {"SJV_DEMO": "maybe"}},
    {ENV: {"sjv_demo": "yes"}},
    {ENV: {"SJV_IDLE_MINUTES": " 12 "}},
    {ENV: {"SJV_IDLE_MINUTES": "+3"}},
    {ENV: {"SJV_IDLE_MINUTES": "3.0"}},
    {ENV: {"SJV_IDLE_MINUTES": ""}},
    {ENV: {"SJV_IDLE_MINUTES": "61"}},
    {ENV: {"SJV_THEME": "ansi"}},
    {ENV: {"SJV_THEME": ""}},
    {ENV: {"SJV_THEME": "rosa"}},
    {ENV: {"SJV_LANGUAGE": "EN"}},
    {ENV: {"SJV_LANGUAGE": "fr"}},
    {ENV: {"SJV_LANG": "en_GB.UTF-8"}},
    {ENV: {"SJV_LANG": "fr_FR.UTF-8"}},
    {ENV: {"TEXTUAL_THEME": "nord"}},
    {ENV: {"TEXTUAL_THEME": "nord", "SJV_THEME": "claro"}},
    {ENV: {"SJV_SERVER_URL": "http://b.test", "SJV_DB_PATH": "d.sqlite"}},
    {ENV: {"SJV_SERVER_URL": ""}},
    {FILE: 'theme = "claro"\nlanguage = "en"\n', ENV: {"TEXTUAL_THEME": "nord", "SJV_LANG": "es"}},
    {FILE: "idle_minutes = 5\n", ENV: {"SJV_IDLE_MINUTES": "6"}, FLAGS: {"idle_minutes": 7}},
    {FILE: "kiosk = true\n", ENV: {"SJV_KIOSK": "0"}},
    {FLAGS: {"demo": True, "server_url": "http://c.test", "db_path": Path("x.sqlite")}},
    {FLAGS: {"theme": "oscuro", "language": "en", "kiosk": True}},
    {FLAGS: {"idle_minutes": 0}},
    {FLAGS: {"idle_minutes": 61}, ENV: {"SJV_DEMO": "nope"}},
    {FILE: 'demo = true\nserver_url = "https://a.test"\n', FLAGS: {"demo": None, "theme": None}},
]


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().startswith("sjv_") or name == "TEXTUAL_THEME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SJV_CONFIG", str(tmp_path / "config.toml"))


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("case", CASES, ids=[str(n) for n in range(len(CASES))])
def test_the_start_reads_what_the_full_settings_read(
    case: dict[str, object], language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if FILE in case:
        (tmp_path / "config.toml").write_text(str(case[FILE]), encoding="utf-8")
    for name, value in dict(case.get(ENV, {})).items():  # type: ignore[call-overload]
        monkeypatch.setenv(name, value)
    flags = dict(case.get(FLAGS, {}))  # type: ignore[call-overload]
    i18n.set_language(language)
    try:
        try:
            full = load_settings(flags)
        except SettingsError as error:
            with pytest.raises(StartError) as refused:
                read_start(flags)
            assert sorted(str(refused.value).splitlines()) == sorted(str(error).splitlines())
            return
        start = read_start(flags)
        after = load_settings(flags, started=start)  # what the app has after its first frame
    finally:
        i18n.set_language("es")
    assert start.path == full.path
    for name in START_DEFAULTS:
        assert getattr(start, name) == getattr(after.settings, name), name
        if not case.get(LATER):
            assert getattr(start, name) == getattr(full.settings, name), name
            assert start.origins[name] == full.origins[name], name
    if case.get(LATER):  # the full settings leave the file out; the start had kept it
        assert start.problems == [] and "file" in start.origins.values()
        assert full.problems[-1] != after.problems[-1]
        assert full.problems[:-1] == after.problems[:-1] != []
    elif start.problems:  # a file the start left out: the same words, the same file left out
        assert start.problems == full.problems == after.problems
    else:
        assert full.problems == after.problems == []


def test_the_start_imports_no_pydantic() -> None:
    """The first frame's settings are read without pydantic (some 170 ms at start)."""
    import subprocess

    code = (
        "import sys; from sjvirtual_tui.start_settings import read_start; read_start(); "
        "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'httpx', 'keyring'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert done.stdout.strip() == "[]"
