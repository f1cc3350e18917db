"""``sjvirtual-mock-server``: the bundled server, on an SQLite file (the default) or PostgreSQL.

One process by default; ``--workers N`` runs N uvicorn worker processes on one listening socket
that this process binds (so the loopback rules and the printed URL are the same either way). The
database is prepared here, once, before any worker starts: seeded when new, migrated when older.
Each worker then builds its app with :func:`app_from_environment` from the settings this process
leaves in the environment (:class:`ServerSettings`).
"""

from __future__ import annotations

import argparse
import copy
import getpass
import ipaddress
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import platformdirs
import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG
from uvicorn.supervisors import Multiprocess

from mock_server import seed
from mock_server.app import IDLE_TIMEOUT_SECONDS, create_app
from mock_server.domain.clearing import DEFAULT_DELAY_SECONDS
from mock_server.domain.security import PasswordChecker, normalise_username
from mock_server.i18n import LANGUAGES, _, use_language
from mock_server.seed import APP_NAME, fresh_database, template_path
from mock_server.store import (
    URL,
    Database,
    StoreError,
    Unavailable,
    database_url,
    databases,
    safe_url,
)
from mock_server.store.engine import LOCK_TIMEOUT_SECONDS
from mock_server.store.meta import to_db
from mock_server.store.migrate import SchemaVersionError, init_db
from mock_server.store.tellers import add_teller
from sjvirtual_tui import __version__, argparse_words
from sjvirtual_tui.i18n import language_asked, language_from_environment
from sjvirtual_tui.models import SecurityImageId
from sjvirtual_tui.rules import new_username_error, password_error

# The database, for this command and for the tools around it (its password, if any, included).
DATABASE_URL_ENV = "SJV_DATABASE_URL"
# What the parent process hands to its workers (not meant to be set by hand).
_DEMO_ENV = "SJV_MOCK_SERVER_DEMO"
_CLEARING_DELAY_ENV = "SJV_MOCK_SERVER_CLEARING_DELAY"
_IDLE_TIMEOUT_ENV = "SJV_MOCK_SERVER_IDLE_TIMEOUT"
_LOCK_TIMEOUT_ENV = "SJV_MOCK_SERVER_LOCK_TIMEOUT"

# How long a worker may take to answer the parent's health ping before it is replaced.
WORKER_HEALTHCHECK_SECONDS = 20

# The import string uvicorn's worker processes load (``factory=True``: it is called).
APP_FACTORY = "mock_server.cli:app_from_environment"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "mock-server.sqlite"


@dataclass(frozen=True)
class ServerSettings:
    """What builds the app: the same in the one-process server and in each worker."""

    database_url: str
    demo: bool = False
    clearing_delay_seconds: int = DEFAULT_DELAY_SECONDS
    idle_timeout_seconds: int = IDLE_TIMEOUT_SECONDS
    lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS

    def environ(self) -> dict[str, str]:
        """The settings as environment variables (read back by :meth:`from_environ`)."""
        return {
            DATABASE_URL_ENV: self.database_url,
            _DEMO_ENV: "1" if self.demo else "0",
            _CLEARING_DELAY_ENV: str(self.clearing_delay_seconds),
            _IDLE_TIMEOUT_ENV: str(self.idle_timeout_seconds),
            _LOCK_TIMEOUT_ENV: repr(self.lock_timeout_seconds),
        }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ServerSettings:
        url = environ.get(DATABASE_URL_ENV)
        if not url:
            raise RuntimeError(f"{DATABASE_URL_ENV} is not set: start the server with the CLI")
        return cls(
            database_url=url,
            demo=environ.get(_DEMO_ENV, "0") == "1",
            clearing_delay_seconds=int(
                environ.get(_CLEARING_DELAY_ENV, str(DEFAULT_DELAY_SECONDS))
            ),
            idle_timeout_seconds=int(environ.get(_IDLE_TIMEOUT_ENV, str(IDLE_TIMEOUT_SECONDS))),
            lock_timeout_seconds=float(environ.get(_LOCK_TIMEOUT_ENV, str(LOCK_TIMEOUT_SECONDS))),
        )

    def database(self) -> Database:
        return Database(self.database_url, lock_timeout=self.lock_timeout_seconds)

    def app(self) -> FastAPI:
        return create_app(
            self.database(),
            demo=self.demo,
            clearing_delay_seconds=self.clearing_delay_seconds,
            idle_timeout_seconds=self.idle_timeout_seconds,
        )


def app_from_environment() -> FastAPI:
    """The app of one worker process, from the settings its parent left in the environment."""
    return ServerSettings.from_environ(os.environ).app()


# "postgresql:/..." or "sqlite:/...": a URL (as a Path has made it) given to --db.
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    argparse_words.speak()
    parser = argparse.ArgumentParser(
        prog="sjvirtual-mock-server",
        description=_(
            "Servidor de pruebas de S.J. Virtual (FastAPI sobre SQLite o PostgreSQL, "
            "datos sembrados)."
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_(
            "idioma de la ayuda y de los mensajes de este comando (o SJV_LANG, LANG=en_*); "
            "las respuestas de la API siguen el Accept-Language de cada solicitud"
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=argparse_words.version_action_help(),
    )
    # Loopback by default: the seeded passwords are public, this server must not be reachable.
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        metavar=_("DIRECCIÓN"),
        help=_("dirección (por omisión 127.0.0.1)"),
    )
    parser.add_argument(
        "--port", type=int, default=8765, metavar=_("PUERTO"), help=_("puerto (por omisión 8765)")
    )
    parser.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help=_(
            "base de datos: sqlite:///RUTA o postgresql://USUARIO@HOST:PUERTO/NOMBRE (por "
            "omisión ${env}, y si no está, el archivo SQLite de siempre)"
        ).format(env=DATABASE_URL_ENV),
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar=_("RUTA"),
        help=_("archivo SQLite de los datos (forma corta de --database-url sqlite:///RUTA)"),
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help=_(
            "reemplazar los datos por una siembra nueva. En SQLite reemplaza el archivo; en "
            "PostgreSQL borra todas las tablas de la base y la siembra de nuevo, y pide además "
            "--confirm-wipe NOMBRE. Sin --fresh, una base nueva (sin tablas) se siembra sola y una "
            "existente solo se migra."
        ),
    )
    parser.add_argument(
        "--confirm-wipe",
        default=None,
        metavar=_("NOMBRE"),
        help=_("PostgreSQL: el nombre de la base que --fresh va a borrar, escrito otra vez"),
    )
    parser.add_argument(
        "--migrate-only",
        action="store_true",
        help=_("crear el esquema o migrarlo a esta versión y salir, sin sembrar ni atender"),
    )
    parser.add_argument(
        "--create-staff",
        default=None,
        metavar=_("USUARIO"),
        help=_(
            "crear un usuario del personal (cajero) en la base y salir, sin sembrar ni "
            "atender: el primero de una base nueva. Pide la contraseña dos veces (o la lee de la "
            "entrada con --password-stdin); la base sin tablas recibe el esquema, no los datos de "
            "demostración"
        ),
    )
    parser.add_argument(
        "--full-name",
        default=None,
        metavar=_("NOMBRE"),
        help=_("con --create-staff: el nombre que ve el cajero (por omisión, el usuario)"),
    )
    parser.add_argument(
        "--email",
        default="",
        metavar=_("CORREO"),
        help=_("con --create-staff: su correo (opcional)"),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("con --create-staff: leer la contraseña de la primera línea de la entrada estándar"),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help=_(
            "procesos de uvicorn que atienden (por omisión 1); la base se prepara una sola "
            "vez antes de que arranquen"
        ),
    )
    parser.add_argument(
        "--clearing-delay",
        type=int,
        default=DEFAULT_DELAY_SECONDS,
        metavar=_("SEGUNDOS"),
        help=_(
            "segundos hasta que la compensación liquide una transferencia interbancaria "
            "(por omisión {seconds})"
        ).format(seconds=DEFAULT_DELAY_SECONDS),
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=LOCK_TIMEOUT_SECONDS,
        metavar=_("SEGUNDOS"),
        help=_(
            "segundos que una escritura espera su turno antes de responder 503 "
            "(por omisión {seconds})"
        ).format(seconds=f"{LOCK_TIMEOUT_SECONDS:g}"),
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help=_(
            "detalle del registro de uvicorn (info: una línea por solicitud, con el PID del "
            "proceso que la atendió)"
        ),
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(_("el puerto va de 0 a 65535"))
    if args.clearing_delay < 0:
        parser.error(_("--clearing-delay no puede ser negativo"))
    if not args.lock_timeout > 0:
        parser.error(_("--lock-timeout debe ser mayor que cero"))
    if args.workers < 1:
        parser.error(_("--workers debe ser al menos 1"))
    if args.db is not None and args.database_url is not None:
        parser.error(
            _(
                "use --db RUTA o --database-url URL, no los dos (--db RUTA es --database-url "
                "sqlite:///RUTA)"
            )
        )
    if args.db is not None and _URL_SCHEME.match(str(args.db)):
        # Path("postgresql://u@h/db") is a relative path: a new SQLite file would appear there.
        parser.error(_("--db es la ruta de un archivo SQLite; para una URL use --database-url URL"))
    if args.fresh and args.migrate_only:
        parser.error(_("--fresh y --migrate-only no van juntos"))
    if args.create_staff is None:
        for flag, value in (
            ("--full-name", args.full_name),
            ("--email", args.email),
            ("--password-stdin", args.password_stdin),
        ):
            if value:
                parser.error(_("{flag} va con --create-staff USUARIO").format(flag=flag))
    elif args.fresh or args.migrate_only:
        parser.error(_("--create-staff no va con --fresh ni con --migrate-only"))
    try:
        args.url = _chosen_url(args, os.environ)
    except ValueError as exc:
        parser.error(str(exc))
    if args.url.get_backend_name() == "postgresql":
        if args.fresh and args.confirm_wipe != args.url.database:
            parser.error(
                _(
                    "--fresh borra todos los datos de la base PostgreSQL {database}; "
                    "para hacerlo, agregue --confirm-wipe {name}"
                ).format(database=_shown(args.url), name=args.url.database)
            )
    elif args.confirm_wipe is not None:
        parser.error(_("--confirm-wipe es solo para una base PostgreSQL"))
    return args


def _shown(url: URL) -> str:
    """The database for a person: an SQLite file by its path, a URL as given (no password)."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return safe_url(url.set(drivername="postgresql"))


def _chosen_url(args: argparse.Namespace, environ: Mapping[str, str]) -> URL:
    """--db, else --database-url, else $SJV_DATABASE_URL, else the default SQLite file (the
    command line over the environment)."""
    if args.db is not None:
        return database_url(Path(args.db).expanduser())
    value = args.database_url or environ.get(DATABASE_URL_ENV) or default_db_path()
    return database_url(value)


def prepare_database(path: Path, *, fresh: bool = False) -> Path:
    """Seeds ``path`` (from the cached template) when asked to, or when it has no data yet."""
    if fresh or not path.exists() or path.stat().st_size == 0:
        if not template_path().exists():
            # The day's template takes seconds to build; say why the start is slow.
            print(
                "sjvirtual-mock-server: "
                + _("preparando los datos de demostración (solo la primera vez de cada día)..."),
                file=sys.stderr,
                flush=True,
            )
        fresh_database(path)
    return path


def prepare_postgresql(database: Database, *, fresh: bool = False) -> None:
    """Seeds a PostgreSQL database that has no tables yet (after wiping it, with ``fresh``);
    one that has tables is left to the migrations."""
    if fresh:
        print(
            "sjvirtual-mock-server: "
            + _("borrando y sembrando de nuevo {database}...").format(
                database=_shown(database.url)
            ),
            file=sys.stderr,
            flush=True,
        )
        databases.wipe(database)
    if databases.has_tables(database):
        return
    if not fresh:
        print(
            "sjvirtual-mock-server: "
            + _("sembrando los datos de demostración en {database}...").format(
                database=_shown(database.url)
            ),
            file=sys.stderr,
            flush=True,
        )
    # Through the store: the schema (the migrations) and the rows, in the given database.
    seed.seed_database(database)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on the connections it accepts only
    # when the listening socket says it is TCP (``sock.proto``). Without it every answer waits
    # for the client's delayed ACK (Nagle): ~40 ms per request on Linux.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the worker's PID on each request line (which worker answered)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["fmt"] = (
        '%(levelprefix)s [%(process)d] %(client_addr)s - "%(request_line)s" %(status_code)s'
    )
    return config


def _fail(message: str) -> int:
    print(f"sjvirtual-mock-server: {message}", file=sys.stderr)
    return 1


@dataclass(frozen=True)
class NewStaff:
    """A teller to create (--create-staff), checked, its password already hashed."""

    username: str
    full_name: str
    email: str
    password_hash: str


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line, without its line break (a password may hold spaces).
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError(_("sin terminal para pedir la contraseña: use --password-stdin"))
    password = getpass.getpass(_("Contraseña del nuevo usuario: "))
    if getpass.getpass(_("Repita la contraseña: ")) != password:
        raise ValueError(_("las dos contraseñas no coinciden; no se creó el usuario"))
    return password


def new_staff(args: argparse.Namespace, hasher: PasswordChecker | None = None) -> NewStaff:
    """The teller of --create-staff, under the rules of a member's username and password
    (GUIDE.md: >= 8 characters, a digit, an upper-case letter); ValueError says what is wrong."""
    username = normalise_username(args.create_staff)
    problem = new_username_error(username)
    if problem:
        raise ValueError(
            _("usuario {username}: {problem}").format(
                username=repr(args.create_staff), problem=problem
            )
        )
    full_name = (args.full_name or username).strip()
    if not full_name:
        raise ValueError(_("--full-name no puede quedar vacío"))
    password = _read_password(args.password_stdin)
    problem = password_error(password)
    if problem:
        raise ValueError(_("{problem} No se creó el usuario.").format(problem=problem))
    return NewStaff(
        username=username,
        full_name=full_name,
        email=args.email.strip(),
        password_hash=(hasher or PasswordChecker()).hash(password),
    )


def create_staff(database: Database, staff: NewStaff, shown_url: str) -> int:
    """Writes the teller (the schema is up to date); 1 when its username is taken."""
    # Its security image, shown before the password at each login: one of the catalog's.
    image = secrets.choice(list(SecurityImageId))
    with database.connection() as conn:
        added = add_teller(
            conn,
            username=staff.username,
            password_hash=staff.password_hash,
            full_name=staff.full_name,
            email=staff.email,
            security_image=image.value,
            created_at=to_db(datetime.now(UTC)),
        )
    if not added:
        return _fail(
            _("el usuario {username} ya existe en {database}; no se cambió nada").format(
                username=staff.username, database=shown_url
            )
        )
    print(
        "sjvirtual-mock-server: "
        + _(
            "usuario del personal {username} creado en {database} (imagen de seguridad: "
            "{image}); ingrese con sjvirtual --teller"
        ).format(username=staff.username, database=shown_url, image=image.value),
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """``sjvirtual-mock-server``: its help, errors and console lines in the language of
    ``--lang``, else SJV_LANG, else LANG; the API answers each request in its own language, so
    the serving runs outside that language."""
    argv = sys.argv[1:] if argv is None else argv
    with use_language(language_asked(argv) or language_from_environment()):
        started = _start(argv)
    return started if isinstance(started, int) else started()


def _start(argv: list[str]) -> int | Callable[[], int]:
    """Everything before serving: an exit code, or the function that serves."""
    args = parse_args(argv)
    url: URL = args.url
    shown_url = _shown(url)  # never the password
    settings = ServerSettings(
        database_url=url.render_as_string(hide_password=False),
        clearing_delay_seconds=args.clearing_delay,
        lock_timeout_seconds=args.lock_timeout,
    )
    staff: NewStaff | None = None
    if args.create_staff is not None:
        # Checked before the database is touched: a refusal changes nothing.
        try:
            staff = new_staff(args)
        except ValueError as exc:
            return _fail(str(exc))
    # Only the server's start seeds a database that has no data yet.
    seeds = not (args.migrate_only or staff)
    database = Database(url, pooled=False, lock_timeout=args.lock_timeout)
    try:
        if database.path is not None:
            database.path.parent.mkdir(parents=True, exist_ok=True)
            if seeds:
                prepare_database(database.path, fresh=args.fresh)
        elif seeds:
            prepare_postgresql(database, fresh=args.fresh)
        # Migrations run here, once, before any worker starts (a worker finds nothing to do).
        init_db(database)
        if staff is not None:
            return create_staff(database, staff, shown_url)
    except SchemaVersionError as exc:
        # A database of another server version: say so (and how to fix it), not a traceback.
        return _fail(str(exc))
    except Unavailable:
        return _fail(
            _("no se pudo conectar con la base de datos {database}").format(database=shown_url)
        )
    except StoreError as exc:
        return _fail(
            _("error de la base de datos {database}: {error}").format(
                database=shown_url, error=type(exc.__cause__).__name__
            )
        )
    finally:
        database.dispose()
    if args.migrate_only:
        print(
            "sjvirtual-mock-server: "
            + _("esquema al día en {database}").format(database=shown_url),
            flush=True,
        )
        return 0
    app = settings.app() if args.workers == 1 else None
    # Bound here so that the printed URL carries the real port (also with --port 0), and so
    # that every worker accepts on the one socket bound under the rules below.
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        return _fail(
            _("no se pudo abrir {address} ({error})").format(
                address=f"{args.host}:{args.port}", error=exc.strerror
            )
        )
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if not _is_loopback(args.host):
        print(
            "sjvirtual-mock-server: "
            + _(
                "aviso: escucha fuera de loopback y las contraseñas de la demostración son "
                "públicas."
            ),
            file=sys.stderr,
        )
    workers = _(", {n} procesos").format(n=args.workers) if args.workers > 1 else ""
    print(
        _("S.J. Virtual mock server en {url} (datos: {database}{workers})").format(
            url=f"http://{shown}:{port}", database=shown_url, workers=workers
        ),
        flush=True,
    )
    return partial(_serve, args, settings, app, sock)


def _serve(
    args: argparse.Namespace, settings: ServerSettings, app: FastAPI | None, sock: socket.socket
) -> int:
    try:
        if app is not None:
            config = uvicorn.Config(app, log_level=args.log_level, log_config=_log_config())
            uvicorn.Server(config).run(sockets=[sock])
        else:
            # The workers are spawned (a new interpreter each): they read their settings from
            # the environment they inherit and import the app factory by name.
            os.environ.update(settings.environ())
            config = uvicorn.Config(
                APP_FACTORY,
                factory=True,
                workers=args.workers,
                log_level=args.log_level,
                log_config=_log_config(),
                # A worker answers the parent's health pings once it has imported the app
                # (seconds on a busy machine); uvicorn's 5 s would kill it before it starts.
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            )
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
    return 0
