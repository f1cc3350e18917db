"""The demo launcher: the one place in ``sjvirtual_tui`` that imports the bundled mock server.

It seeds a fresh SQLite file (or keeps the one given with ``--db``) and serves the real FastAPI
app over HTTP on a free 127.0.0.1 port, in a thread of this process.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sjvirtual_tui.i18n import N_

# Shown under the login screen (translated there: the language is set after import).
DEMO_HINT = N_("Demo: socio demo / Demo2026 · cajero / Cajero2026 (--teller) · F8 Correo")


class DemoError(RuntimeError):
    """The demo cannot start; ``user_message`` says why, in words for the screen."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@contextmanager
def demo_server(db_path: Path | None = None) -> Iterator[str]:
    """Yields the base URL of a bundled server running on a loopback port."""
    from mock_server import create_app
    from mock_server.seed import fresh_database
    from mock_server.store.migrate import SchemaVersionError
    from mock_server.testing import run_server_in_thread

    with tempfile.TemporaryDirectory(prefix="sjvirtual-demo-") as tmp:
        if db_path is None:
            path = fresh_database(Path(tmp) / "demo.sqlite")
        else:
            path = db_path
            if not path.exists() or path.stat().st_size == 0:
                path.parent.mkdir(parents=True, exist_ok=True)
                fresh_database(path)
        try:
            app = create_app(path, demo=True)
        except SchemaVersionError as exc:
            raise DemoError(
                f"El archivo {path} es de otra versión del servidor de demostración: "
                "use otro --db o bórrelo."
            ) from exc
        with run_server_in_thread(app) as base_url:
            yield base_url
