"""``sjvirtual saldo`` and ``sjvirtual movimientos``: the bank from a script or a cron job.

They use the same ``Backend`` as the screens (never a screen): log in, ask, write the answer to
stdout, log out. stdout carries only data; every message goes to stderr. Exit codes:

- 0: done;
- 1: an error (server unreachable, account not found, file not written…);
- 2: a usage error (argparse's own, a bad date or account number, no server, no user);
- 3: authentication (wrong password, locked user, PRIMER INGRESO pending, session ended).

The password comes from ``--password-stdin``, else from the keyring entry the member put there
for scripts (:func:`sjvirtual_tui.remember.stored_password`), else a prompt on the terminal
(/dev/tty, never echoed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import io
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from sjvirtual_tui import argparse_words, exports, kiosk, rules
from sjvirtual_tui.backend import AuthError, BackendError, LockedError, SessionExpired
from sjvirtual_tui.formatting import count, plain_amount
from sjvirtual_tui.i18n import LANGUAGES, _, ngettext
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, Account

COMMANDS = ("saldo", "movimientos")
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_AUTH = 0, 1, 2, 3
# Options of either parser that take a value: their value is never the command's name.
_VALUE_OPTIONS = frozenset(
    {"--server", "--db", "--lang", "--theme", "--idle-minutes", "--usuario", "--desde"}
    | {"--hasta", "--formato"}
)


def wanted(argv: Sequence[str]) -> bool:
    """True when the command line's first word (not an option's value) is a script command."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in _VALUE_OPTIONS
        else:
            return arg in COMMANDS
    return False


class ScriptError(Exception):
    """Ends the command with ``message`` on stderr and ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def say(message: str) -> None:
    print(f"sjvirtual: {message}", file=sys.stderr, flush=True)


# --- the command line ----------------------------------------------------------------------------


def _iso_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("fecha no válida: {text} (escríbala AAAA-MM-DD)").format(text=text)
        ) from None


def build_parser() -> argparse.ArgumentParser:
    argparse_words.speak()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--server", metavar="URL", help=_("URL del servidor (o SJV_SERVER_URL)"))
    common.add_argument(
        "--demo", action="store_true", help=_("usar el servidor incluido con datos")
    )
    common.add_argument(
        "--db", metavar=_("RUTA"), type=Path, help=_("demo: conservar los datos aquí")
    )
    common.add_argument(
        "--usuario", metavar=_("USUARIO"), help=_("usuario (si no, el recordado en el llavero)")
    )
    common.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("leer la contraseña de la primera línea de la entrada estándar"),
    )
    common.add_argument("--lang", choices=LANGUAGES, help=_("idioma (o SJV_LANG, LANG=en_*)"))

    parser = argparse.ArgumentParser(
        prog="sjvirtual",
        description=_(
            "Consultas para scripts: los datos salen por la salida estándar y los mensajes por "
            "la de errores. Salida: 0 bien, 1 error, 2 uso, 3 autenticación."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("COMANDO"))
    saldo = commands.add_parser(
        "saldo",
        parents=[common],
        help=_("cuentas y saldos"),
        description=_("Sus cuentas con el saldo disponible y el contable."),
    )
    saldo.add_argument(
        "--formato", choices=("tabla", "json"), default="tabla", help=_("tabla (o json)")
    )
    movimientos = commands.add_parser(
        "movimientos",
        parents=[common],
        help=_("movimientos de una cuenta en csv, ofx, ledger o json"),
        description=_(
            "Los movimientos de una cuenta en un rango de fechas, del más antiguo al más reciente."
        ),
    )
    movimientos.add_argument(
        "cuenta",
        metavar=_("CUENTA"),
        help=_("número de cuenta como en la cartola (00104721), sin ceros o con su prefijo"),
    )
    movimientos.add_argument(
        "--desde", type=_iso_date, metavar=_("AAAA-MM-DD"), help=_("desde esta fecha")
    )
    movimientos.add_argument(
        "--hasta", type=_iso_date, metavar=_("AAAA-MM-DD"), help=_("hasta esta fecha")
    )
    movimientos.add_argument(
        "--formato",
        choices=(*exports.FORMATS, exports.PDF_FORMAT),
        default="csv",
        help=_("csv (o ofx, ledger, json, pdf)"),
    )
    return parser


def typed_account(text: str) -> str:
    """The account number as typed, without spaces or dashes; ValueError says what is wrong."""
    raw = text.strip().replace(" ", "").replace("-", "")
    if not raw:
        raise ValueError(_("Ingrese el número de cuenta."))
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(_("El número de cuenta solo lleva dígitos."))
    return raw


def find_account(raw: str, accounts: list[Account]) -> Account:
    """The member's account ``raw`` names: the cartola's number (``00104721``), the same
    without its zeros (``104721``) or in the registered form of the manual's rule
    (``1104721``, :func:`rules.normalise_third_party_account`)."""
    for account in accounts:
        forms = {account.number, account.number.lstrip("0")}
        if account.type in rules.ACCOUNT_PREFIX:
            forms.add(rules.normalise_third_party_account(account.number, account.type))
        if raw in forms:
            return account
    for account in accounts:
        if raw.zfill(rules.CARTOLA_WIDTH) == account.number:
            return account
    raise ScriptError(
        _("La cuenta {number} no es una de sus cuentas ({numbers}).").format(
            number=raw, numbers=", ".join(a.number for a in accounts) or "-"
        )
    )


# --- login ---------------------------------------------------------------------------------------


def read_password(args: argparse.Namespace, server_key: str, username: str) -> str:
    from sjvirtual_tui import remember

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ScriptError(
                _("--password-stdin: no llegó ninguna contraseña por la entrada estándar."),
                EXIT_USAGE,
            )
        return password
    stored = remember.stored_password(server_key, username)
    if stored:
        return stored
    try:
        with open("/dev/tty"):
            pass
    except OSError:
        raise ScriptError(
            _(
                "No hay una terminal donde pedir la contraseña: use --password-stdin o "
                "guárdela en el llavero."
            ),
            EXIT_AUTH,
        ) from None
    try:
        return getpass.getpass(_("Contraseña de {username}: ").format(username=username))
    except EOFError:
        raise ScriptError(_("No se ingresó la contraseña."), EXIT_AUTH) from None


# --- output --------------------------------------------------------------------------------------


def balance_table(accounts: list[Account]) -> str:
    """A plain aligned table, amounts with a dot and no thousands separator (awk reads it)."""
    header = [_("Cuenta"), _("Tipo"), _("Disponible"), _("Contable")]
    rows = [
        [
            a.number,
            _(ACCOUNT_TYPE_LABELS.get(a.type, a.type)),
            plain_amount(a.available_cents),
            plain_amount(a.accounting_cents),
        ]
        for a in accounts
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(
            [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            + [row[i].rjust(widths[i]) for i in (2, 3)]
        ).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def _stdout() -> TextIO:
    """stdout as UTF-8 with the newlines written as given (the CSV's CRLF stays CRLF)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return sys.stdout
    sys.stdout.flush()
    return io.TextIOWrapper(buffer, encoding="utf-8", newline="")


def _emit(write: Callable[[TextIO], object]) -> None:
    out = _stdout()
    try:
        write(out)
        out.flush()
    finally:
        if out is not sys.stdout and isinstance(out, io.TextIOWrapper):
            out.detach()


# --- the commands --------------------------------------------------------------------------------


def _progress() -> exports.Progress | None:
    """Rows fetched so far, on a terminal's stderr only (never in a log or a pipe)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(
            "\r"
            + ngettext(
                "Descargando {done} de {total} movimiento…",
                "Descargando {done} de {total} movimientos…",
                total,
            ).format(done=count(done), total=count(total)),
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


async def _session(
    args: argparse.Namespace, url: str, server_key: str, username: str, password: str
) -> None:
    from sjvirtual_tui import remember
    from sjvirtual_tui.backend.http import HttpBackend

    backend = HttpBackend(url)
    try:
        token = await asyncio.to_thread(remember.device_token, server_key, username)
        try:
            result = await backend.login(username, password, token)
        except (AuthError, LockedError) as exc:
            raise ScriptError(exc.message, EXIT_AUTH) from exc
        if result.device_token:  # this terminal is known from now on: no new-terminal e-mail
            await asyncio.to_thread(
                remember.keep_device_token, server_key, username, result.device_token
            )
        if result.setup_required:
            raise ScriptError(
                _(
                    "Falta el PRIMER INGRESO: complételo en la aplicación (sjvirtual) antes de "
                    "usar los comandos."
                ),
                EXIT_AUTH,
            )
        accounts = await backend.accounts()
        if args.command == "saldo":
            if args.formato == "json":
                _emit(lambda out: _write_json_accounts(out, accounts))
            else:
                _emit(lambda out: out.write(balance_table(accounts)))
            return
        account = find_account(args.cuenta_typed, accounts)
        if args.formato == exports.PDF_FORMAT and sys.stdout.isatty():
            # a PDF is no text for a terminal: refused before anything is fetched
            raise ScriptError(
                _("--formato pdf: redirija la salida a un archivo, p. ej. > estado.pdf")
            )
        statement = await exports.fetch_statement(
            backend,
            account,
            args.desde,
            args.hasta,
            now=datetime.now(UTC),
            progress=_progress(),
        )
        if args.formato == exports.PDF_FORMAT:
            from sjvirtual_tui.pdf import statement_pdf

            sys.stdout.flush()
            sys.stdout.buffer.write(statement_pdf(statement))
            sys.stdout.buffer.flush()
            return
        writer = exports.WRITERS[args.formato]
        _emit(lambda out: writer(out, statement))
    except SessionExpired as exc:
        raise ScriptError(exc.message, EXIT_AUTH) from exc
    except BackendError as exc:
        raise ScriptError(exc.message) from exc
    finally:
        await backend.logout()  # no session is left open on the server
        await backend.aclose()


def _write_json_accounts(out: TextIO, accounts: list[Account]) -> None:
    import json

    json.dump([exports.account_json(a) for a in accounts], out, ensure_ascii=False, indent=2)
    out.write("\n")


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "movimientos":
        try:
            args.cuenta_typed = typed_account(args.cuenta)
        except ValueError as exc:
            return _usage(parser, str(exc))
        if args.desde and args.hasta and args.desde > args.hasta:
            return _usage(parser, _("--desde debe ser anterior o igual a --hasta."))
    demo = args.demo or kiosk.is_true(os.environ.get("SJV_DEMO"))
    server = args.server or os.environ.get("SJV_SERVER_URL")
    if demo and server:
        return _usage(parser, _("use --demo o --server, no ambos."))
    if not demo and not server:
        return _usage(
            parser, _("indique el servidor con --server URL (o SJV_SERVER_URL), o --demo.")
        )
    from sjvirtual_tui.cli import setup_logging

    setup_logging()
    server_key = server or "demo"  # the keyring's key, as the login screen keeps it
    try:
        username = args.usuario or _remembered(server_key)
        if not username:
            raise ScriptError(
                _("indique el usuario con --usuario (o recuérdelo al ingresar en la aplicación)."),
                EXIT_USAGE,
            )
        password = read_password(args, server_key, username)
        with ExitStack() as stack:
            url = server or _start_demo(stack, args.db)
            asyncio.run(_session(args, url, server_key, username, password))
    except ScriptError as exc:
        say(exc.message)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and nothing to say it on.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    return EXIT_OK


def _usage(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    say(message)
    return EXIT_USAGE


def _remembered(server_key: str) -> str | None:
    from sjvirtual_tui import remember

    return remember.remembered_username(server_key)


def _start_demo(stack: ExitStack, db: Path | None) -> str:
    from sjvirtual_tui.demo import DemoError, demo_server

    say(_("preparando el servidor de demostración (la primera vez tarda unos segundos)…"))
    try:
        return stack.enter_context(demo_server(db))
    except DemoError as exc:
        raise ScriptError(exc.user_message) from exc
