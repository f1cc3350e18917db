"""The bundled mock S.J. Virtual server: FastAPI over SQLite, speaking docs/api.md."""

from mock_server.app import create_app

__all__ = ["create_app"]
