"""The settings: defaults < config file < SJV_* < flags, one boolean parser, `sjvirtual config`,
a bad file told (line and key) with the app starting on defaults, TEXTUAL_THEME, and the theme
chosen in the app kept in the file.

A start reads the values its first frame needs (start_settings.py) before the TUI: a bad one in
the file is told on stderr, a bad SJV_* variable or flag of them is exit 2. The rest is read after
the first frame: what is wrong there is told in a toast on the login screen."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest

from sjvirtual_tui import cli, i18n
from sjvirtual_tui.app import build_app
from sjvirtual_tui.appearance import TEXTUAL_THEMES, detect_appearance
from sjvirtual_tui.backend.http import HttpBackend
from sjvirtual_tui.config import (
    Settings,
    SettingsError,
    config_path,
    load_settings,
    settings_after_start,
)
from sjvirtual_tui.kiosk import is_true, parse_bool
from sjvirtual_tui.start_settings import read_start
from tests.tui import SIZE, screen_text, settle
from tests.tui.test_tui_terminal import palette_pick

pytestmark = pytest.mark.sqlite_only("the client's settings: the store is not under test")


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real, empty config directory (platformdirs follows XDG_CONFIG_HOME), no SJV_* set."""
    for name in list(os.environ):
        if name.startswith("SJV_") or name in ("TEXTUAL_THEME", "EDITOR", "VISUAL"):
            monkeypatch.delenv(name)
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    yield home / "sjvirtual-tui"
    i18n.set_language("es")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_is_in_the_platforms_config_dir_or_in_sjv_config(config_home, monkeypatch):
    assert config_path() == config_home / "config.toml"
    monkeypatch.setenv("SJV_CONFIG", "/elsewhere/sjv.toml")
    assert config_path() == Path("/elsewhere/sjv.toml")


def test_precedence_default_file_env_flag(config_home, monkeypatch):
    write(
        config_home / "config.toml",
        "idle_minutes = 5\nstatement_days = 30\nstatement_page_size = 50\n",
    )
    monkeypatch.setenv("SJV_IDLE_MINUTES", "6")
    monkeypatch.setenv("SJV_STATEMENT_DAYS", "45")
    loaded = load_settings({"idle_minutes": 7, "theme": None})
    settings = loaded.settings
    assert loaded.problems == []
    assert settings.idle_minutes == 7 and loaded.origins["idle_minutes"] == "flag"
    assert settings.statement_days == 45
    assert loaded.origins["statement_days"] == "env (SJV_STATEMENT_DAYS)"
    assert settings.statement_page_size == 50 and loaded.origins["statement_page_size"] == "file"
    assert settings.request_timeout == 10.0 and loaded.origins["request_timeout"] == "default"
    assert loaded.origins["theme"] == "default"  # a flag not given (None) is no flag


def test_settings_built_directly_never_read_the_file(config_home):
    write(config_home / "config.toml", "statement_days = 30\n")
    assert Settings().statement_days == 90


TRUE = ["1", "true", "TRUE", "yes", "Yes", "on", "ON", "sí", "SÍ", "si", " Si "]
FALSE = ["0", "false", "False", "no", "NO", "off", "Off", ""]


@pytest.mark.parametrize("word", TRUE + FALSE)
def test_every_boolean_spelling_from_env_and_file(word, monkeypatch, config_home):
    expected = word in TRUE
    assert parse_bool(word) is expected
    assert is_true(word) is expected
    monkeypatch.setenv("SJV_DEMO", word)
    monkeypatch.setenv("SJV_KIOSK", word)
    settings = load_settings().settings
    assert settings.demo is expected and settings.kiosk is expected
    monkeypatch.delenv("SJV_DEMO")
    monkeypatch.delenv("SJV_KIOSK")
    write(config_home / "config.toml", f'demo = "{word}"\nkiosk = {str(expected).lower()}\n')
    from_file = load_settings()
    assert from_file.settings.demo is expected and from_file.settings.kiosk is expected
    assert from_file.origins["demo"] == "file"


@pytest.mark.parametrize("word", ["maybe", "2", "sip", "nope"])
def test_a_word_that_is_no_boolean_is_refused(word, monkeypatch):
    with pytest.raises(ValueError, match="1/0, true/false, yes/no, on/off, sí/no"):
        parse_bool(word)
    monkeypatch.setenv("SJV_DEMO", word)
    with pytest.raises(SettingsError, match="SJV_DEMO"):
        load_settings()


def test_cli_reads_sjv_demo_on_and_si_as_the_file_does(monkeypatch, capsys):
    """Start-up decisions (demo or not) come from the same settings: SJV_DEMO=on is --demo,
    and with a server given too it is the usage error of --demo with --server."""
    monkeypatch.setattr(cli.kiosk, "terminal_problem", lambda: None)
    for word in ("on", "sí"):
        monkeypatch.setenv("SJV_DEMO", word)
        monkeypatch.setenv("SJV_SERVER_URL", "http://x.test")
        assert cli.main([]) == 2
        assert "--demo o --server" in capsys.readouterr().err
    monkeypatch.setenv("SJV_DEMO", "maybe")
    assert cli.main([]) == 2
    assert "SJV_DEMO" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "line", "key", "spanish", "english"),
    [
        ('idle_minutes = 5\ntheme = "claro\n', "2", None, "no es TOML válido", "not valid TOML"),
        ("idle_minutes = 5\ncolour = 3\n", "2", "colour", "clave desconocida", "unknown key"),
        (
            '# comment\nidle_minutes = "cinco"\n',
            "2",
            "idle_minutes",
            "se esperaba un número entero",
            "a whole number was expected",
        ),
        (
            "statement_days = 30\n\n[keymap]\ntransfers = 3\n",
            "4",
            "keymap.transfers",
            "texto entre comillas",
            "quoted text",
        ),
    ],
)
def test_a_bad_file_is_told_by_line_and_key_and_left_out(
    config_home, text, line, key, spanish, english
):
    path = write(config_home / "config.toml", text)
    loaded = load_settings()
    assert loaded.settings == Settings()  # every value the default, the file's good ones too
    assert set(loaded.origins.values()) == {"default"}
    first = loaded.problems[0]
    assert str(path) in first and (f"línea {line}" in first)
    assert key is None or f"clave «{key}»" in first
    assert spanish in first
    assert "predeterminados" in loaded.problems[-1]
    i18n.set_language("en")
    first = load_settings().problems[0]
    assert f"line {line}" in first and english in first
    assert key is None or f'key "{key}"' in first


def test_a_bad_file_is_told_on_stderr_before_the_app(config_home, monkeypatch, capsys):
    write(config_home / "config.toml", "idle_minutes = 500\n")
    monkeypatch.setattr(cli.kiosk, "terminal_problem", lambda: None)
    assert cli.main([]) == 2  # no server given: the usage message after the file's
    err = capsys.readouterr().err
    assert "línea 1, clave «idle_minutes»: debe ser como máximo 60" in err
    assert err.index("línea 1") < err.index("--server URL")


def toast_text(shown: str) -> str:
    """The toasts' words as one line: a toast wraps a long path wherever its width falls (the
    tmp path of a test run under xdist is longer), "línea" on one row and "2" on the next."""
    return " ".join(row.split("▌")[-1].strip() for row in shown.splitlines() if "▌" in row)


async def test_the_app_starts_on_defaults_and_says_what_was_wrong(
    config_home, server_app, clock, tmp_path
):
    write(config_home / "config.toml", "statement_days = 30\nidle_minutes = 0\n")
    loaded = load_settings()
    settings = loaded.settings.model_copy(update={"export_dir": tmp_path})
    backend = HttpBackend("http://sjv.test", transport=httpx.ASGITransport(app=server_app))
    app = build_app(settings, backend, now=clock.now, config_problems=loaded.problems)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        shown = screen_text(pilot)
        assert "INGRESAR" in shown  # the login screen, as with no file at all
        assert "línea 2" in toast_text(shown) and "idle_minutes" in shown
        assert app.settings.statement_days == 90


def test_a_bad_start_variable_or_flag_is_exit_2_naming_it(monkeypatch, capsys):
    monkeypatch.setattr(cli.kiosk, "terminal_problem", lambda: None)
    monkeypatch.setenv("SJV_IDLE_MINUTES", "500")
    assert cli.main(["--server", "http://x.test"]) == 2
    assert "SJV_IDLE_MINUTES: debe ser como máximo 60" in capsys.readouterr().err
    monkeypatch.delenv("SJV_IDLE_MINUTES")
    assert cli.main(["--server", "http://x.test", "--idle-minutes", "0"]) == 2
    assert "--idle-minutes: debe ser al menos 1" in capsys.readouterr().err
    monkeypatch.setenv("SJV_THEME", "rosa")
    assert cli.main(["--server", "http://x.test"]) == 2
    assert "SJV_THEME: tema desconocido" in capsys.readouterr().err


def run_started(server_app, clock, tmp_path):
    """The app as the command line makes it: the start values read now, the rest (and what is
    wrong with it) in the loader's thread after the first frame."""
    start = read_start()
    backend = HttpBackend("http://sjv.test", transport=httpx.ASGITransport(app=server_app))

    def settings():
        built, problems = settings_after_start(start)
        return built.model_copy(update={"export_dir": tmp_path}), problems

    return start, build_app(settings, backend, now=clock.now, config_file=start.path)


async def test_a_bad_later_value_in_the_file_is_told_in_a_toast(
    config_home, server_app, clock, tmp_path
):
    """An unknown key or a wrong type of a value the first frame does not need: the start goes
    on with the file's theme (already on screen); the rest of the file is left out, and said."""
    write(config_home / "config.toml", 'theme = "claro"\nstatement_days = "x"\ncolour = 3\n')
    start, app = run_started(server_app, clock, tmp_path)
    assert start.problems == [] and start.theme == "claro"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        shown = screen_text(pilot)
        assert "INGRESAR" in shown
        assert "línea 2" in toast_text(shown) and "statement_days" in shown
        assert app.settings.statement_days == 90 and app.settings.theme == "claro"
    problems = settings_after_start(start)[1]
    assert "clave «colour»: clave desconocida" in problems[1]
    assert problems[-1] == "Se usan los valores predeterminados en lugar del resto del archivo."


async def test_a_bad_later_sjv_variable_is_told_in_a_toast(
    config_home, server_app, clock, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("SJV_STATEMENT_DAYS", "noventa")
    monkeypatch.setenv("SJV_REQUEST_TIMEOUT", "5")
    _start, app = run_started(server_app, clock, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        shown = screen_text(pilot)
        assert "INGRESAR" in shown and "SJV_STATEMENT_DAYS" in shown
        assert app.settings.statement_days == 90  # the variable left out
        assert app.settings.request_timeout == 5.0  # the good one kept
    # `sjvirtual config show` still says it is an error.
    assert cli.main(["config", "show"]) == 2
    assert "SJV_STATEMENT_DAYS: se esperaba un número entero" in capsys.readouterr().err


def test_config_path_show_edit(config_home, monkeypatch, capsys, tmp_path):
    assert cli.main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_home / "config.toml")

    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'statement_days = 30\\n' >> \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("VISUAL", "/nonexistent/never-run")
    assert cli.main(["config", "edit"]) == 0
    written = (config_home / "config.toml").read_text()
    assert written.startswith("# Configuración de sjvirtual (TOML).")  # the template first
    assert '# theme = "oscuro"' in written and "# [keymap]" in written
    assert written.endswith("statement_days = 30\n")  # then what the editor wrote

    monkeypatch.setenv("SJV_SERVER_URL", "https://socio:clave-secreta@banca.test/api")
    assert cli.main(["--lang", "en", "config", "show"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert out.splitlines()[0] == f"File: {config_home / 'config.toml'} (exists)"
    assert rows["statement_days"] == ["30", "file"]
    assert rows["server_url"] == ["https://socio:***@banca.test/api", "env", "(SJV_SERVER_URL)"]
    assert rows["request_timeout"] == ["10.0", "default"]
    assert "clave-secreta" not in out


def test_edit_takes_visual_when_editor_is_unset(config_home, monkeypatch, tmp_path):
    from sjvirtual_tui.config_command import editor_command

    assert editor_command({"VISUAL": "code --wait"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "vim", "VISUAL": "code"}) == ["vim"]
    assert editor_command({})[0].endswith(("nano", "vi"))


def test_textual_theme_between_sjv_theme_and_the_file(config_home, monkeypatch):
    write(config_home / "config.toml", 'theme = "claro"\n')
    assert load_settings().settings.theme == "claro"
    monkeypatch.setenv("TEXTUAL_THEME", "nord")
    loaded = load_settings()
    assert loaded.settings.theme == "nord"
    assert loaded.origins["theme"] == "env (TEXTUAL_THEME)"
    assert detect_appearance("nord", {"TERM": "xterm"}).textual_theme == "nord"
    # NO_COLOR still wins: the terminal's own colours, stripped.
    assert detect_appearance("nord", {"NO_COLOR": "1"}).textual_theme == "ansi-dark"
    monkeypatch.setenv("SJV_THEME", "ansi")
    assert load_settings().settings.theme == "ansi"
    assert load_settings({"theme": "oscuro"}).settings.theme == "oscuro"
    monkeypatch.setenv("TEXTUAL_THEME", "no-such-theme")
    monkeypatch.delenv("SJV_THEME")
    loaded = load_settings()
    assert loaded.settings.theme == "claro"  # the file's
    assert any("TEXTUAL_THEME=no-such-theme" in problem for problem in loaded.problems)


def test_our_list_of_textual_themes_is_textuals():
    from textual.theme import BUILTIN_THEMES

    assert set(TEXTUAL_THEMES) == set(BUILTIN_THEMES)


async def test_a_theme_chosen_in_the_app_is_kept_in_the_file(
    config_home, server_app, clock, tmp_path
):
    path = write(config_home / "config.toml", "statement_days = 30\n\n[keymap]\n")
    backend = HttpBackend("http://sjv.test", transport=httpx.ASGITransport(app=server_app))
    app = build_app(Settings(export_dir=tmp_path), backend, now=clock.now, config_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "tema claro")
        await settle(pilot)
        assert app.theme == "textual-light"
    assert path.read_text() == 'statement_days = 30\n\ntheme = "claro"\n[keymap]\n'
    loaded = load_settings()
    assert loaded.settings.theme == "claro" and loaded.origins["theme"] == "file"
    assert detect_appearance(loaded.settings.theme, {}).textual_theme == "textual-light"


async def test_kiosk_keeps_no_theme(config_home, server_app, clock, tmp_path):
    path = config_home / "config.toml"
    backend = HttpBackend("http://sjv.test", transport=httpx.ASGITransport(app=server_app))
    app = build_app(
        Settings(export_dir=tmp_path), backend, now=clock.now, config_file=path, kiosk=True
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "tema claro")
        await settle(pilot)
        assert app.theme == "textual-light"
    assert not path.exists()


def test_the_files_language_where_no_flag_or_sjv_lang_chose(config_home, monkeypatch, capsys):
    monkeypatch.setattr(cli.kiosk, "terminal_problem", lambda: None)
    monkeypatch.setenv("LANG", "es_EC.UTF-8")
    write(config_home / "config.toml", 'language = "en"\n')
    assert cli.main([]) == 2  # no server: the usage message, in the file's language
    assert "give the server with --server URL" in capsys.readouterr().err
    i18n.set_language("es")
    monkeypatch.setenv("SJV_LANG", "es")
    assert cli.main([]) == 2
    assert "indique el servidor" in capsys.readouterr().err
    monkeypatch.delenv("SJV_LANG")
    assert cli.main(["--lang", "es"]) == 2
    assert "indique el servidor" in capsys.readouterr().err
