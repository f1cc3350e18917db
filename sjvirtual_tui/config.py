"""Settings: one model, read from (each over the one before) built-in defaults, the config file,
``SJV_*`` environment variables, and the command line's flags.

The config file is TOML, ``platformdirs.user_config_dir("sjvirtual-tui")/config.toml`` (or the
path in ``SJV_CONFIG``); ``sjvirtual config path|show|edit`` finds, explains and opens it.
``TEXTUAL_THEME`` (Textual's own variable) is read too, between the file and ``SJV_THEME``.

A bad file never stops the program: :func:`load_settings` says what is wrong (line and key) and
goes on as if there were no file. A bad ``SJV_*`` variable or flag is the user's command of the
moment: it is an error (:class:`SettingsError`).

``Settings(...)`` built directly (as the tests do) reads defaults, environment and its
arguments, never a file: only :func:`load_settings` adds the file.

The remembered username is not a setting: it stays in the system keyring with the device token
(remember.py), per server, where a copied or shared dotfile cannot carry it and kiosk mode can
keep nothing at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import platformdirs
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from sjvirtual_tui.appearance import TEXTUAL_THEMES
from sjvirtual_tui.i18n import LANGUAGES, N_, _
from sjvirtual_tui.kiosk import parse_bool
from sjvirtual_tui.start_settings import (
    APP_NAME,
    CONFIG_ENV,
    DEFAULTS_USED,
    ENV_PREFIX,
    START_DEFAULTS,
    StartSettings,
    config_path,
    file_problem,
    other_variables,
    parse_idle_minutes,
    parse_language,
    parse_path,
    parse_text,
    parse_theme,
    read_file,
)

__all__ = ["APP_NAME", "CONFIG_ENV", "config_path", "other_variables"]

# The values a start reads before its first frame (start_settings.py) are validated here by the
# same functions, so both readings agree. Every boolean setting, from any source, is read by the
# one parser (kiosk.parse_bool): pydantic's own takes "on" but not "sí".
Bool = Annotated[bool, BeforeValidator(parse_bool)]
Text = Annotated[str | None, BeforeValidator(parse_text)]
OptionalPath = Annotated[Path | None, BeforeValidator(parse_path)]
Theme = Annotated[str | None, BeforeValidator(parse_theme)]
Language = Annotated[Literal["es", "en"] | None, BeforeValidator(parse_language)]
IdleMinutes = Annotated[int | None, BeforeValidator(parse_idle_minutes)]


def default_export_dir() -> Path:
    return Path(platformdirs.user_documents_dir()) / "sjvirtual"


# The file read by the Settings being built now (load_settings sets it); None: no file.
_config_file: ContextVar[Path | None] = ContextVar("sjv_config_file", default=None)
# SJV_* variables left out of the Settings being built now (bad ones, after the first frame).
_skipped_env: ContextVar[frozenset[str]] = ContextVar("sjv_skipped_env", default=frozenset())


class _Environment(EnvSettingsSource):
    """``SJV_<FIELD>``, less those :func:`load_settings` was told to leave out."""

    def __call__(self) -> dict[str, Any]:
        skipped = _skipped_env.get()
        return {k: v for k, v in super().__call__().items() if k not in skipped}


class _OtherVariables(PydanticBaseSettingsSource):
    """Variables that are no ``SJV_<FIELD>``: ``SJV_LANG`` (the language, spelt as ``LANG``:
    ``en_US.UTF-8`` is ``en``) and ``TEXTUAL_THEME`` (Textual's own, any of its theme names).
    Values they cannot mean are left out here; :func:`load_settings` reports a bad theme."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return other_variables(os.environ)


# --- teller counter (issue 18) ---
class PrinterSettings(BaseModel):
    """The ``[printer]`` section: an ESC/POS receipt printer (python-escpos)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    kind: Literal["none", "usb", "network", "file"] = "none"
    """``none``: receipts are saved as text files in ``export_dir``."""
    address: str | None = None
    """usb: ``vendor:product`` in hex (``04b8:0202``); network: ``host`` or ``host:port``;
    file: the device's path (``/dev/usb/lp0``)."""
    columns: Literal[42, 48] = 42
    """Characters per line: 42 (font A on 58/80 mm) or 48 (80 mm)."""
    codepage: str = "CP858"
    """The printer's code page for the accents (CP858: CP850 with the euro sign)."""


class Settings(BaseSettings):
    """What ``sjvirtual`` may be told. Each field's description is shown by ``sjvirtual config
    show`` and in the file ``sjvirtual config edit`` creates (Spanish, translated there)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", use_attribute_docstrings=True
    )

    server_url: Text = Field(
        default=START_DEFAULTS["server_url"], description=N_("URL del servidor de la cooperativa.")
    )
    """Base URL of the bank's API (``--server``, ``SJV_SERVER_URL``)."""
    demo: Bool = Field(
        default=START_DEFAULTS["demo"],
        description=N_("Usar el servidor incluido, con datos de demostración."),
    )
    """Run against the bundled mock server (``--demo``)."""
    db_path: OptionalPath = Field(
        default=START_DEFAULTS["db_path"],
        description=N_("Demostración: conservar los datos del servidor en este archivo."),
    )
    """Demo only: the bundled server's SQLite file (``--db``); none: a fresh one each run."""
    theme: Theme = Field(
        default=START_DEFAULTS["theme"],
        description=N_("Tema de colores: oscuro, claro, ansi (o un tema de Textual)."),
    )
    """``oscuro``, ``claro``, ``ansi`` or a Textual theme name; none: from the terminal."""
    language: Language = Field(
        default=START_DEFAULTS["language"], description=N_("Idioma: es o en (si no, el de LANG).")
    )
    """``es`` or ``en`` (``--lang``, ``SJV_LANG``); none: ``LANG`` decides."""
    kiosk: Bool = Field(
        default=START_DEFAULTS["kiosk"],
        description=N_("Terminal compartida: nada se guarda, bloqueo por inactividad."),
    )
    """Shared terminal: keep nothing, lock when idle (``--kiosk``)."""
    idle_minutes: IdleMinutes = Field(
        default=START_DEFAULTS["idle_minutes"],
        description=N_("Cerrar la sesión tras estos minutos sin teclas (quiosco: 2)."),
    )
    """End the session after this many minutes without a key. Default: 2 in kiosk mode, else
    the server's idle timeout."""
    request_timeout: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description=N_("Segundos de espera por cada respuesta del servidor."),
    )
    """Seconds to wait for each answer of the server."""
    export_dir: Path = Field(
        default_factory=default_export_dir,
        description=N_("Carpeta de los CSV y comprobantes guardados."),
    )
    """Where exported CSV files and saved receipts go."""
    statement_page_size: int = Field(
        default=100, ge=10, le=500, description=N_("Estado de cuenta: movimientos por página.")
    )
    """Statement: movements fetched per page."""
    statement_days: int = Field(
        default=90, ge=1, le=3660, description=N_("Estado de cuenta: días del rango inicial.")
    )
    """Statement: days of the range it opens with."""
    printer: PrinterSettings = Field(
        default_factory=lambda: PrinterSettings(),
        description=N_("Impresora de comprobantes ESC/POS (sección [printer])."),
    )
    """The teller's receipt printer; with ``kind = "none"`` receipts are saved as text files."""
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description=N_("Teclas: identificador = tecla (vea la ayuda F1 y el README)."),
    )
    """Binding id -> key(s), e.g. ``transfers = "ctrl+t"``; applied with ``App.set_keymap``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # First wins: flags (init), SJV_*, SJV_LANG and TEXTUAL_THEME, the file; then defaults.
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _Environment(settings_cls),
            _OtherVariables(settings_cls),
        ]
        path = _config_file.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


assert set(LANGUAGES) == {"es", "en"}  # the Literal above


class SettingsError(Exception):
    """An ``SJV_*`` variable or a flag that cannot be used: the command line's error."""


@dataclass
class LoadedSettings:
    settings: Settings
    path: Path
    origins: dict[str, str]  # field -> "default", "file", "env (SJV_X)", "flag"
    problems: list[str] = field(default_factory=list)  # about the file: shown, then ignored


@contextmanager
def _reading(path: Path | None, skipped_env: frozenset[str] = frozenset()) -> Iterator[None]:
    token = _config_file.set(path)
    skipped = _skipped_env.set(skipped_env)
    try:
        yield
    finally:
        _skipped_env.reset(skipped)
        _config_file.reset(token)


# pydantic's error types -> the member's words (its own messages are English only).
_ERRORS = {
    "int_parsing": N_("se esperaba un número entero"),
    "int_type": N_("se esperaba un número entero"),
    "int_from_float": N_("se esperaba un número entero"),
    "float_parsing": N_("se esperaba un número"),
    "float_type": N_("se esperaba un número"),
    "string_type": N_("se esperaba un texto entre comillas"),
    "dict_type": N_("se esperaba una tabla"),
    "path_type": N_("se esperaba una ruta entre comillas"),
    "greater_than_equal": N_("debe ser al menos {ge}"),
    "greater_than": N_("debe ser mayor que {gt}"),
    "less_than_equal": N_("debe ser como máximo {le}"),
    "less_than": N_("debe ser menor que {lt}"),
    "literal_error": N_("use uno de: {expected}"),
    "extra_forbidden": N_("clave desconocida"),
}


def _error_text(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors in the current language."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in context:
        return str(context["error"])  # our own validators' words, translated already
    words = _ERRORS.get(error["type"])
    if words is None:
        return str(error["msg"])
    values = {k: str(v).replace("' or '", "', '") for k, v in context.items()}
    return _(words).format(**values)


def load_settings(
    flags: Mapping[str, object] | None = None, *, started: StartSettings | None = None
) -> LoadedSettings:
    """The settings from every source, each value's origin, and what was wrong with the file.

    ``flags``: the command line's values (None: not given). Raises :class:`SettingsError` for a
    bad environment variable or flag; a bad file is reported in ``problems`` and left out.

    ``started``: the start values the app runs with already (start_settings.py, read before the
    first frame; this runs after it). They win over every source, so a file left out here
    leaves them as they are; a bad ``SJV_*`` variable of the other settings is then a problem
    told (and left out), no error: the app is up.
    """
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    if started is not None:
        given = {**given, **started.values()}
    path = config_path()
    data, problems = read_file(path)
    if started is not None and started.problems:  # the start left the file out: so here
        data, problems = {}, [p for p in started.problems if p != _(DEFAULTS_USED)]
    env_values = _Environment(Settings)()
    others = other_variables(os.environ)
    skipped: set[str] = set()
    settings: Settings | None = None
    for _attempt in range(3):  # the file left out, then bad variables left out
        try:
            with _reading(path if data else None, frozenset(skipped)):
                settings = Settings(**given)  # type: ignore[arg-type]
            break
        except ValidationError as invalid:
            text = path.read_text(encoding="utf-8", errors="replace") if data else ""
            outside: list[str] = []
            for error in invalid.errors():
                key = ".".join(str(part) for part in error["loc"])
                top = str(error["loc"][0]) if error["loc"] else ""
                if top in given:
                    outside.append(
                        _("--{flag}: {problem}").format(
                            flag=top.replace("_", "-"), problem=_error_text(error)
                        )
                    )
                elif top in env_values and top not in skipped:
                    outside.append(
                        _("{name}: {problem}").format(
                            name=ENV_PREFIX + top.upper(), problem=_error_text(error)
                        )
                    )
                    skipped.add(top)
                elif data:
                    line_key = str(error["loc"][-1]) if error["loc"] else key
                    problems.append(file_problem(path, text, key, _error_text(error), line_key))
            if outside and started is None:
                raise SettingsError("\n".join(outside)) from None
            problems.extend(outside)
            data = {}
    assert settings is not None
    if any(p.startswith(str(path)) for p in problems):
        kept = started is not None and "file" in started.origins.values()
        problems.append(
            _("Se usan los valores predeterminados en lugar del resto del archivo.")
            if kept
            else _(DEFAULTS_USED)
        )
    raw_theme = os.environ.get("TEXTUAL_THEME", "").strip()
    if raw_theme and raw_theme not in TEXTUAL_THEMES:
        problems.append(
            _("TEXTUAL_THEME={name}: Textual no tiene ese tema; se ignora.").format(name=raw_theme)
        )
    origins: dict[str, str] = {}
    for name in Settings.model_fields:
        if name in given:
            origins[name] = "flag"
        elif name in env_values and name not in skipped:
            origins[name] = f"env ({ENV_PREFIX}{name.upper()})"
        elif name in others:
            origins[name] = "env (SJV_LANG)" if name == "language" else "env (TEXTUAL_THEME)"
        elif name in data:
            origins[name] = "file"
        else:
            origins[name] = "default"
    return LoadedSettings(settings, path, origins, problems)


def settings_after_start(started: StartSettings) -> tuple[Settings, list[str]]:
    """The app's settings, built after its first frame (in a thread): the start values it runs
    with and the rest, and what to tell in a toast about the file or other variables."""
    loaded = load_settings(started=started)
    return loaded.settings, loaded.problems


def shown_value(name: str, value: object) -> str:
    """A value as ``config show`` prints it (TOML-like); a password in a URL is hidden."""
    if value is None:
        return "-"
    if name == "server_url" and isinstance(value, str):
        parts = urlsplit(value)
        if parts.password is not None:
            host = parts.hostname or ""
            netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
            value = urlunsplit(parts._replace(netloc=netloc))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, BaseModel):  # a section: [printer]
        value = {k: v for k, v in value.model_dump().items() if v is not None}
    if isinstance(value, dict):
        return "{" + ", ".join(f'{k} = "{v}"' for k, v in value.items()) + "}"
    return str(value)


def template() -> str:
    """The commented file ``sjvirtual config edit`` creates: every setting, all commented."""
    lines = [
        _("# Configuración de sjvirtual (TOML). Quite el # de una línea para usarla."),
        _("# Orden: valores predeterminados < este archivo < variables SJV_* < opciones."),
        "",
    ]
    examples: dict[str, str] = {
        "server_url": '"https://sjvirtual.example.ec"',
        "demo": "false",
        "db_path": '"/ruta/a/demo.sqlite"',
        "theme": '"oscuro"',
        "language": '"es"',
        "kiosk": "false",
        "idle_minutes": "5",
        "request_timeout": "10.0",
        "export_dir": f'"{default_export_dir()}"',
        "statement_page_size": "100",
        "statement_days": "90",
    }
    for name, info in Settings.model_fields.items():
        if name in ("keymap", "printer"):
            continue
        lines.append(f"# {_(info.description or '')}")
        lines.append(f"# {name} = {examples[name]}")
        lines.append("")
    printer = Settings.model_fields["printer"]
    lines.append(f"# {_(printer.description or '')}")
    lines.append("# [printer]")
    lines.append('# kind = "network"')
    lines.append('# address = "192.0.2.10:9100"')
    lines.append("# columns = 42")
    lines.append('# codepage = "CP858"')
    lines.append("")
    keymap = Settings.model_fields["keymap"]
    lines.append(f"# {_(keymap.description or '')}")
    lines.append("# [keymap]")
    lines.append('# transfers = "ctrl+t"')
    lines.append("")
    return "\n".join(lines)


def save_setting(path: Path, name: str, value: str) -> None:
    """Write ``name = "value"`` as a top-level key of the file, keeping everything else: the
    line that sets it (or its commented example) is replaced, or one is added before the first
    table."""
    if name not in Settings.model_fields:
        raise KeyError(name)
    text = path.read_text(encoding="utf-8") if path.exists() else template()
    lines = text.splitlines()
    new = f'{name} = "{value}"'
    set_line = re.compile(rf"^\s*{re.escape(name)}\s*=")
    example = re.compile(rf"^\s*#\s*{re.escape(name)}\s*=")
    first_table = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines)
    )
    top = lines[:first_table]
    index = next((i for i, line in enumerate(top) if set_line.match(line)), None)
    if index is None:
        index = next((i for i, line in enumerate(top) if example.match(line)), None)
        if index is not None:
            lines.insert(index + 1, new)
        else:
            lines.insert(first_table, new)
    else:
        lines[index] = new
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
