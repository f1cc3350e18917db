"""The settings a start needs before its first frame, read without pydantic.

The login screen needs only: demo or server (with the demo's file), kiosk mode, theme, language
and the idle lock given on the command line. They are read here from the config file (tomllib),
``SJV_*`` (and ``SJV_LANG``, ``TEXTUAL_THEME``) and the flags, in the order of config.py, with
the same parsers: config.py's model validates these fields with the functions below, so both
readings agree (tests/unit/test_start_settings.py checks a table of inputs). The full settings
(pydantic) are built in a thread after the first frame (SJVirtualApp._load).

A bad ``SJV_*`` variable or flag of these values is an error (:class:`StartError`, exit 2); a
file that is no TOML or that has a bad start value is told on stderr and left out, as
:func:`config.load_settings` leaves it out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sjvirtual_tui.appearance import TEXTUAL_THEMES, THEME_CHOICES
from sjvirtual_tui.i18n import LANGUAGES, N_, _
from sjvirtual_tui.kiosk import parse_bool

APP_NAME = "sjvirtual-tui"
CONFIG_ENV = "SJV_CONFIG"
ENV_PREFIX = "SJV_"
IDLE_MINUTES_MIN, IDLE_MINUTES_MAX = 1, 60

# Each start value: its default (config.py's fields use the same).
START_DEFAULTS: dict[str, Any] = {
    "server_url": None,
    "demo": False,
    "db_path": None,
    "theme": None,
    "language": None,
    "kiosk": False,
    "idle_minutes": None,
}
NOT_A_TEXT = N_("se esperaba un texto entre comillas")
NOT_A_PATH = N_("se esperaba una ruta entre comillas")
NOT_AN_INTEGER = N_("se esperaba un número entero")
AT_LEAST = N_("debe ser al menos {ge}")
AT_MOST = N_("debe ser como máximo {le}")
ONE_OF = N_("use uno de: {expected}")
DEFAULTS_USED = N_("Se usan los valores predeterminados en lugar del archivo.")


def parse_text(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(_(NOT_A_TEXT))


def parse_path(value: object) -> object:
    if value is None or isinstance(value, Path):
        return value
    if isinstance(value, str):
        return Path(value)
    raise ValueError(_(NOT_A_PATH))


def parse_language(value: object) -> object:
    """``en``, ``EN``, ``en_US.UTF-8`` -> ``en`` (the spelling of LANG works here too)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip().split("_")[0].split(".")[0].lower()
        if value in LANGUAGES:
            return value
    raise ValueError(_(ONE_OF).format(expected=", ".join(f"'{code}'" for code in LANGUAGES)))


def parse_theme(value: object) -> object:
    if value is None or value in THEME_CHOICES or value in TEXTUAL_THEMES:
        return value
    if not isinstance(value, str):
        raise ValueError(_(NOT_A_TEXT))
    raise ValueError(
        _("tema desconocido: use {names} o un tema de Textual").format(
            names=", ".join(THEME_CHOICES)
        )
    )


def parse_idle_minutes(value: object) -> object:
    """A whole number of minutes, 1 to 60 (``"5"``, ``5``, ``5.0``; not ``true`` or ``5.5``)."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        number = int(value.strip())
    if number is None:
        raise ValueError(_(NOT_AN_INTEGER))
    if number < IDLE_MINUTES_MIN:
        raise ValueError(_(AT_LEAST).format(ge=IDLE_MINUTES_MIN))
    if number > IDLE_MINUTES_MAX:
        raise ValueError(_(AT_MOST).format(le=IDLE_MINUTES_MAX))
    return number


PARSERS = {
    "server_url": parse_text,
    "demo": parse_bool,
    "db_path": parse_path,
    "theme": parse_theme,
    "language": parse_language,
    "kiosk": parse_bool,
    "idle_minutes": parse_idle_minutes,
}
assert set(PARSERS) == set(START_DEFAULTS)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The config file: ``SJV_CONFIG``, else ``config.toml`` in the user's config directory."""
    env = os.environ if environ is None else environ
    chosen = env.get(CONFIG_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def other_variables(environ: Mapping[str, str]) -> dict[str, Any]:
    """``SJV_LANG`` (spelt as ``LANG``) and ``TEXTUAL_THEME``: values they cannot mean are left
    out (config.load_settings reports a bad TEXTUAL_THEME)."""
    found: dict[str, Any] = {}
    with suppress(ValueError):  # SJV_LANG=fr: LANG's rules, not an error
        found["language"] = parse_language(environ.get("SJV_LANG", ""))
    theme = environ.get("TEXTUAL_THEME", "").strip()
    if theme in TEXTUAL_THEMES:
        found["theme"] = theme
    return found


def line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def read_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The file's table, or the problem with it (no file: an empty table)."""
    if not path.is_file():
        return {}, []
    import tomllib  # only with a file (some 2 ms of a start)

    try:
        with path.open("rb") as file:
            return tomllib.load(file), []
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        line = found.group(1) if found else "?"
        return {}, [
            _("{path}, línea {line}: el archivo no es TOML válido ({detail}).").format(
                path=path, line=line, detail=str(error)
            )
        ]
    except (OSError, UnicodeDecodeError) as error:
        return {}, [_("{path}: no se pudo leer ({detail}).").format(path=path, detail=error)]


def file_problem(path: Path, text: str, key: str, problem: str, line_key: str = "") -> str:
    """``key`` (``keymap.transfers``) is found by its last part (``line_key``)."""
    line = line_of(text, line_key or key)
    return _("{path}, línea {line}, clave «{key}»: {problem}.").format(
        path=path, line=line or "?", key=key, problem=problem
    )


class StartError(Exception):
    """An ``SJV_*`` variable or a flag that cannot be used: the command line's error."""


@dataclass
class StartSettings:
    """The start values, each one's origin (as config.LoadedSettings says it) and what was
    wrong with the file (then left out)."""

    server_url: str | None
    demo: bool
    db_path: Path | None
    theme: str | None
    language: str | None
    kiosk: bool
    idle_minutes: int | None
    path: Path
    origins: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in START_DEFAULTS}


def _environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``SJV_<NAME>`` of each start value (any case, as pydantic-settings reads them)."""
    wanted = {ENV_PREFIX.lower() + name: name for name in START_DEFAULTS}
    return {wanted[key.lower()]: value for key, value in environ.items() if key.lower() in wanted}


def read_start(
    flags: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> StartSettings:
    """Defaults < file < ``SJV_LANG``/``TEXTUAL_THEME`` < ``SJV_*`` < flags (None: not given)."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    data, problems = read_file(path)
    from_file: dict[str, Any] = {}
    if data:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in START_DEFAULTS:
            if name in data:
                try:
                    from_file[name] = PARSERS[name](data[name])
                except ValueError as error:
                    problems.append(file_problem(path, text, name, str(error)))
        if problems:  # as load_settings: a bad file is left out whole
            from_file = {}
    if problems:
        problems.append(_(DEFAULTS_USED))
    values: dict[str, Any] = dict(START_DEFAULTS)
    origins = dict.fromkeys(START_DEFAULTS, "default")
    values.update(from_file)
    origins.update(dict.fromkeys(from_file, "file"))
    others = other_variables(env)
    values.update(others)
    for name in others:
        origins[name] = "env (SJV_LANG)" if name == "language" else "env (TEXTUAL_THEME)"
    wrong: list[str] = []
    for name, raw in _environment(env).items():
        try:
            values[name] = PARSERS[name](raw)
            origins[name] = f"env ({ENV_PREFIX}{name.upper()})"
        except ValueError as error:
            wrong.append(
                _("{name}: {problem}").format(name=ENV_PREFIX + name.upper(), problem=error)
            )
    for name, given in (flags or {}).items():
        if given is None or name not in START_DEFAULTS:
            continue
        try:
            values[name] = PARSERS[name](given)
            origins[name] = "flag"
        except ValueError as error:
            wrong.append(
                _("--{flag}: {problem}").format(flag=name.replace("_", "-"), problem=error)
            )
    if wrong:
        raise StartError("\n".join(wrong))
    return StartSettings(**values, path=path, origins=origins, problems=problems)
