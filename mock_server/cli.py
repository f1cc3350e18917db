"""``sjvirtual-mock-server``: the bundled server over a seeded SQLite file."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from pathlib import Path

import platformdirs
import uvicorn

from mock_server.app import create_app
from mock_server.seed import APP_NAME, fresh_database, template_path
from mock_server.store.migrate import SchemaVersionError


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "mock-server.sqlite"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sjvirtual-mock-server",
        description="Servidor de pruebas de S.J. Virtual (FastAPI + SQLite, datos sembrados).",
    )
    # Loopback by default: the seeded passwords are public, this server must not be reachable.
    parser.add_argument("--host", default="127.0.0.1", help="dirección (por omisión 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="puerto (por omisión 8765)")
    parser.add_argument(
        "--db", type=Path, default=None, metavar="PATH", help="archivo SQLite de los datos"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="reemplazar los datos por una siembra nueva"
    )
    parser.add_argument(
        "--clearing-delay",
        type=int,
        default=60,
        metavar="SECONDS",
        help="segundos hasta que la compensación liquide una transferencia interbancaria "
        "(por omisión 60)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="detalle del registro de uvicorn",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error("el puerto va de 0 a 65535")
    if args.clearing_delay < 0:
        parser.error("--clearing-delay no puede ser negativo")
    return args


def prepare_database(path: Path, *, fresh: bool = False) -> Path:
    """Seeds ``path`` (from the cached template) when asked to, or when it has no data yet."""
    if fresh or not path.exists() or path.stat().st_size == 0:
        if not template_path().exists():
            # The day's template takes seconds to build; say why the start is slow.
            print(
                "sjvirtual-mock-server: preparando los datos de demostración "
                "(solo la primera vez de cada día)...",
                file=sys.stderr,
                flush=True,
            )
        fresh_database(path)
    return path


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    path = (args.db or default_db_path()).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    prepare_database(path, fresh=args.fresh)
    try:
        app = create_app(path, clearing_delay_seconds=args.clearing_delay)
    except SchemaVersionError as exc:
        # A file of another server version: say so (and how to fix it), not a traceback.
        print(f"sjvirtual-mock-server: {exc}", file=sys.stderr)
        return 1
    # Bound here so that the printed URL carries the real port (also with --port 0).
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        print(
            f"sjvirtual-mock-server: no se pudo abrir {args.host}:{args.port} ({exc.strerror})",
            file=sys.stderr,
        )
        return 1
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if not _is_loopback(args.host):
        print(
            "sjvirtual-mock-server: aviso: escucha fuera de loopback y las contraseñas de la "
            "demostración son públicas.",
            file=sys.stderr,
        )
    print(f"S.J. Virtual mock server en http://{shown}:{port} (datos: {path})", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
