"""``sjvirtual``: the command line entry point."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sjvirtual_tui import __version__
from sjvirtual_tui.config import APP_NAME, Settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sjvirtual",
        description="San José S.J. Virtual en la terminal.",
    )
    parser.add_argument("--demo", action="store_true", help="usar el servidor incluido con datos")
    parser.add_argument("--server", metavar="URL", help="URL del servidor (o SJV_SERVER_URL)")
    parser.add_argument("--db", metavar="PATH", type=Path, help="demo: conservar los datos aquí")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def setup_logging() -> Path | None:
    """Logs go to a file, never to the terminal the TUI draws on. No secrets are logged."""
    import platformdirs

    try:
        log_dir = Path(platformdirs.user_log_dir(APP_NAME))
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "sjvirtual.log"
        logging.basicConfig(
            filename=path,
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        # httpx logs full URLs at INFO; ours carry no secrets, but keep the log about us.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        return path
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides: dict[str, object] = {}
    if args.demo:
        overrides["demo"] = True
    if args.server:
        overrides["server_url"] = args.server
    if args.db:
        overrides["db_path"] = args.db
    settings = Settings(**overrides)  # type: ignore[arg-type]
    setup_logging()

    if not settings.demo and not settings.server_url:
        print(
            "sjvirtual: indique el servidor con --server URL (o SJV_SERVER_URL), "
            "o pruebe la demostración con --demo.",
            file=sys.stderr,
        )
        return 2
    if settings.demo and settings.server_url:
        print("sjvirtual: use --demo o --server, no ambos.", file=sys.stderr)
        return 2

    if settings.demo:
        from sjvirtual_tui.demo import DEMO_HINT, demo_server

        with demo_server(settings.db_path) as url:
            return _run(settings, url, DEMO_HINT)
    assert settings.server_url is not None
    return _run(settings, settings.server_url, None)


def _run(settings: Settings, url: str, demo_hint: str | None) -> int:
    from sjvirtual_tui.app import build_app
    from sjvirtual_tui.backend.http import HttpBackend

    backend = HttpBackend(url, timeout=settings.request_timeout)
    app = build_app(settings, backend, demo_hint=demo_hint)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
