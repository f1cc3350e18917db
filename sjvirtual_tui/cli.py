"""``sjvirtual``: the command line entry point."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from sjvirtual_tui import __version__, argparse_words, kiosk
from sjvirtual_tui.appearance import THEME_CHOICES
from sjvirtual_tui.i18n import (
    LANGUAGES,
    _,
    language_asked,
    language_from_environment,
    set_language,
)

if TYPE_CHECKING:
    from sjvirtual_tui.backend import Backend
    from sjvirtual_tui.config import Settings

APP_NAME = "sjvirtual-tui"
# The script commands (script.COMMANDS), named here so that the TUI never imports them.
SCRIPT_COMMANDS = frozenset({"saldo", "movimientos"})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    argparse_words.speak()
    parser = argparse.ArgumentParser(
        prog="sjvirtual",
        description=_("San José S.J. Virtual en la terminal."),
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("usar el servidor incluido con datos")
    )
    parser.add_argument("--server", metavar="URL", help=_("URL del servidor (o SJV_SERVER_URL)"))
    parser.add_argument(
        "--db", metavar=_("RUTA"), type=Path, help=_("demo: conservar los datos aquí")
    )
    parser.add_argument(
        "--teller", action="store_true", help=_("ingreso del personal de la cooperativa")
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help=_("terminal compartida (o SJV_KIOSK=1): nada se guarda, bloqueo por inactividad"),
    )
    parser.add_argument(
        "--idle-minutes",
        type=int,
        metavar="N",
        help=_("cerrar la sesión tras N minutos sin teclas (quiosco: 2; o SJV_IDLE_MINUTES)"),
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=_("idioma (o SJV_LANG, LANG=en_*)"))
    parser.add_argument(
        "--theme",
        choices=THEME_CHOICES,
        help=_("tema de colores (NO_COLOR=1 y TERM=linux eligen uno sin colores o de 16)"),
    )
    parser.add_argument(
        "--tour",
        metavar=_("NOMBRE"),
        help=_("demo: recorrido guiado para presentar (--tour list los muestra)"),
    )
    parser.add_argument(
        "--tour-delay",
        type=float,
        metavar="S",
        help=_("recorrido: avanzar solo cada S segundos (sin esperar una tecla)"),
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=["set-password"],
        help=_("set-password CODE: ESTABLECER CONTRASEÑA con el código del correo"),
    )
    parser.add_argument("code", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=argparse_words.version_action_help(),
    )
    args = parser.parse_args(argv)
    if args.command == "set-password" and not args.code:
        parser.error(_("set-password necesita el código del correo: sjvirtual set-password CODE"))
    if args.command is None and args.code:
        parser.error(_("argumento no reconocido: {code}").format(code=args.code))
    _check_tour(parser, args)
    return args


def _check_tour(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--tour``'s name must be one of the list (that it needs the demo is checked once the
    settings say whether this is the demo: a config file may say so)."""
    if args.tour_delay is not None and (args.tour is None or args.tour_delay < 0):
        parser.error(_("--tour-delay va con --tour y es un número de segundos, 0 o más"))
    if args.tour is None:
        return
    from sjvirtual_tui.tour import tour_names

    if args.tour != "list" and args.tour not in tour_names():
        parser.error(
            _("no hay un recorrido {name}; los hay: {names}").format(
                name=args.tour, names=", ".join(tour_names())
            )
        )


def _tell(problems: list[str]) -> None:
    for problem in problems:
        print(f"sjvirtual: {problem}", file=sys.stderr)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level_from_environment() -> tuple[int, str | None]:
    """``SJV_LOG_LEVEL`` (DEBUG/INFO/WARNING/ERROR, any case; default INFO) and, for a value
    that is none of them, the message saying INFO is used instead."""
    raw = os.environ.get("SJV_LOG_LEVEL", "").strip()
    if not raw:
        return logging.INFO, None
    if raw.upper() in LOG_LEVELS:
        return getattr(logging, raw.upper()), None
    message = _(
        "sjvirtual: SJV_LOG_LEVEL={value} no es válido (use DEBUG, INFO, WARNING o ERROR); "
        "se usa INFO."
    ).format(value=raw)
    return logging.INFO, message


def setup_logging() -> Path | None:
    """Logs go to a file in the state folder (platformdirs' user_state_dir), never to the
    terminal the TUI draws on; ``SJV_LOG_LEVEL`` sets the level. No secrets are logged."""
    import platformdirs

    level, problem = log_level_from_environment()
    if problem:
        print(problem, file=sys.stderr)
    try:
        log_dir = Path(platformdirs.user_state_dir(APP_NAME))
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "sjvirtual.log"
        logging.basicConfig(
            filename=path,
            level=level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        # httpx logs every request at INFO; our own lines say what matters (DEBUG shows them).
        logging.getLogger("httpx").setLevel(level if level == logging.DEBUG else logging.WARNING)
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    asked = language_asked(words)
    set_language(asked if asked in LANGUAGES else language_from_environment())
    if "config" in words[:3]:  # sjvirtual [--lang xx] config path|show|edit
        from sjvirtual_tui.config_command import config_main, config_words

        rest = config_words(words)
        if rest is not None:
            return config_main(rest)
    if not SCRIPT_COMMANDS.isdisjoint(words):  # imported only then: the TUI starts faster
        from sjvirtual_tui import script

        if script.wanted(words):
            return script.main(words)
    args = parse_args(argv)
    if args.tour == "list":
        from sjvirtual_tui.tour import tour_list

        print(tour_list())
        return 0
    from sjvirtual_tui.start_settings import StartError, read_start

    # Defaults < config file < SJV_* < these flags. Only what the first frame needs is read
    # here (no pydantic): the full settings are built in a thread after it (config.py).
    try:
        start = read_start(
            {
                "demo": args.demo or None,
                "server_url": args.server,
                "db_path": args.db,
                "kiosk": args.kiosk or None,
                "idle_minutes": args.idle_minutes,
                "theme": args.theme,
                "language": args.lang,
            }
        )
    except StartError as error:
        _tell(str(error).splitlines())
        return 2
    _tell(start.problems)  # a file that is no TOML, or a bad start value in it: left out
    if start.origins["language"] == "file":  # the file's language, where nothing else chose
        set_language(start.language or language_from_environment())
    kiosk_mode = start.kiosk
    kiosk.prepare_environment(kiosk_mode)
    demo, server = start.demo, start.server_url
    if demo and server:  # the one given nearer the command wins (--demo over a file's server)
        rank = {"default": 0, "file": 1, "env": 2, "flag": 3}
        demo_rank, server_rank = (
            rank[start.origins[name].split()[0]] for name in ("demo", "server_url")
        )
        if demo_rank > server_rank:
            server = start.server_url = None
        elif server_rank > demo_rank:
            demo = start.demo = False
    if demo and server:
        print(_("sjvirtual: use --demo o --server, no ambos."), file=sys.stderr)
        return 2
    if not demo and not server:
        print(
            _(
                "sjvirtual: indique el servidor con --server URL (o SJV_SERVER_URL), "
                "o pruebe la demostración con --demo."
            ),
            file=sys.stderr,
        )
        return 2
    if args.tour is not None and not demo:
        print("sjvirtual: " + _("--tour solo funciona con --demo"), file=sys.stderr)
        return 2
    # After every usage error, so that a script without a terminal is told what it got wrong.
    problem = kiosk.terminal_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    setup_logging()
    tour = None
    if args.tour is not None:
        from sjvirtual_tui.tour import Tour, find_tour

        plan = find_tour(args.tour)
        assert plan is not None  # checked with the arguments
        tour = Tour(plan, delay=args.tour_delay)
        args.teller = args.teller or plan.teller
    if demo:
        from sjvirtual_tui.demo import prepare_demo_data

        if not prepare_demo_data(args.db):
            return 130  # Ctrl+C while the demo data was built: nothing half-built is kept

    # Start-up makes many objects and hardly any garbage: no collections until the app has
    # loaded what the screens need (then it keeps that out of them and turns them back on).
    gc.disable()
    from sjvirtual_tui.app import build_app
    from sjvirtual_tui.appearance import detect_appearance

    appearance = detect_appearance(start.theme)

    def settings() -> tuple[Settings, list[str]]:
        """In the app's thread, after the first frame: the start values and the rest; what is
        wrong with the file or another SJV_* variable is told in a toast."""
        from sjvirtual_tui.config import settings_after_start

        return settings_after_start(start)

    with ExitStack() as cleanup:

        def backend(settings: Settings) -> Backend:
            from sjvirtual_tui.backend.http import HttpBackend

            url = settings.server_url
            if settings.demo:
                from sjvirtual_tui.demo import demo_server

                url = cleanup.enter_context(demo_server(settings.db_path))
            assert url is not None
            return HttpBackend(url, timeout=settings.request_timeout)

        hint: str | None = None
        if demo:
            from sjvirtual_tui.demo import DEMO_HINT

            hint = DEMO_HINT
        app = build_app(
            settings,
            backend,
            config_file=start.path,
            demo_hint=hint,
            teller=args.teller,
            outbox=demo,
            kiosk=kiosk_mode,
            appearance=appearance,
            set_password_code=args.code if args.command == "set-password" else None,
        )
        app.tour = tour
        kiosk.end_on_hangup(app)  # SIGHUP/SIGTERM: log out and leave, never linger
        app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
