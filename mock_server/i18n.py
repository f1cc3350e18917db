"""The server's messages in the request's language: the client's mechanism, the server's catalog."""

from __future__ import annotations

from pathlib import Path

from sjvirtual_tui.i18n import N_, _, add_catalog_dir, language_from_header, use_language

add_catalog_dir(Path(__file__).parent / "locale")

__all__ = ["N_", "_", "language_from_header", "use_language"]
