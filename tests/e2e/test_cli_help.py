"""Both commands' help, usage errors and --version, run as a person runs them: one language in
each (argparse's own words included), chosen by --lang, then SJV_LANG, then LANG."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import httpx
import pytest

from tests.loopback import ServerProcess

COMMANDS = {
    "sjvirtual": [sys.executable, "-m", "sjvirtual_tui"],
    "sjvirtual-mock-server": [sys.executable, "-m", "mock_server"],
}
# argparse's English words, and the Spanish ones that replace them.
ENGLISH_WORDS = ("usage:", "options:", "show this help message and exit", "show program's")
SPANISH_WORDS = ("uso:", "opciones:", "mostrar esta ayuda y salir", "mostrar la versión")


def run(command: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SJV_LANG", "LC_ALL", "LANG")}
    return subprocess.run(
        [*COMMANDS[command], *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "LANG": "C.UTF-8", **env},
        check=False,
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("args", "env", "language"),
    [
        ((), {}, "es"),
        (("--lang", "en"), {}, "en"),
        (("--lang=en",), {}, "en"),
        ((), {"SJV_LANG": "en"}, "en"),
        ((), {"LANG": "en_US.UTF-8"}, "en"),
        (("--lang", "es"), {"LANG": "en_US.UTF-8"}, "es"),  # the flag over the environment
        ((), {"SJV_LANG": "es", "LANG": "en_GB.UTF-8"}, "es"),
    ],
)
def test_help_speaks_one_language(
    command: str, args: tuple[str, ...], env: dict[str, str], language: str
) -> None:
    done = run(command, *args, "--help", **env)
    assert done.returncode == 0, done.stderr
    help_text = done.stdout
    wanted, unwanted = (
        (SPANISH_WORDS, ENGLISH_WORDS) if language == "es" else (ENGLISH_WORDS, SPANISH_WORDS)
    )
    for word in wanted:
        assert word in help_text, f"{word!r} missing from:\n{help_text}"
    for word in unwanted:
        assert word not in help_text, f"{word!r} in:\n{help_text}"
    # The program's own words follow too: the help of --lang.
    assert ("idioma" in help_text) == (language == "es")
    assert ("language" in help_text) == (language == "en")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_usage_error_is_told_in_the_chosen_language(command: str) -> None:
    # --idle-minutes (the client) and --port (the server) take integers.
    flag = "--idle-minutes" if command == "sjvirtual" else "--port"
    spanish = run(command, flag, "x")
    assert spanish.returncode == 2
    assert spanish.stderr.splitlines()[-1] == (
        f"{command}: error: argumento {flag}: valor no válido (int): 'x'"
    )
    assert "uso:" in spanish.stderr
    english = run(command, "--lang", "en", flag, "x")
    assert english.returncode == 2
    assert english.stderr.splitlines()[-1] == (
        f"{command}: error: argument {flag}: invalid int value: 'x'"
    )
    # A flag that does not exist: argparse's own message, in Spanish.
    unknown = run(command, "--no-such-flag")
    assert unknown.returncode == 2
    assert "argumentos no reconocidos: --no-such-flag" in unknown.stderr


def test_the_servers_own_errors_follow_lang() -> None:
    spanish = run("sjvirtual-mock-server", "--workers", "0")
    assert spanish.stderr.splitlines()[-1].endswith("error: --workers debe ser al menos 1")
    english = run("sjvirtual-mock-server", "--workers", "0", "--lang", "en")
    assert english.stderr.splitlines()[-1].endswith("error: --workers must be at least 1")


@pytest.mark.parametrize("command", COMMANDS)
def test_version(command: str) -> None:
    done = run(command, "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"{command} {version('sjvirtual-tui')}"


def test_the_api_keeps_each_requests_language_whatever_the_console_speaks(tmp_path) -> None:
    """A server started with --lang en says so in English on its console, and still answers a
    request without Accept-Language in the default language, Spanish (and in English one that
    asks for it): --lang is the command's language, not the API's."""
    server = ServerProcess(tmp_path / "sjv.db", "--lang", "en")
    try:
        url = server.start()
        assert server.first_line.startswith("S.J. Virtual mock server at http://127.0.0.1:")
        login = f"{url}/api/v1/auth/login"
        wrong = {"username": "demo", "password": "NoEsLaClave1"}
        spanish = httpx.post(login, json=wrong, timeout=10)
        english = httpx.post(login, json=wrong, headers={"Accept-Language": "en"}, timeout=10)
    finally:
        server.kill()
    assert spanish.status_code == english.status_code == 401
    assert "contraseña" in spanish.json()["message"].lower()
    assert "password" in english.json()["message"].lower()
