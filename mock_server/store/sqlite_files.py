"""Whole SQLite files: the seed's template and its copies (PostgreSQL's counterparts:
:mod:`mock_server.store.databases`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def without_log(path: Path) -> None:
    """Switches ``path`` to a rollback journal, so that no -wal file is left beside it and a
    plain file copy of it is a whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def copy(source: Path, target: Path) -> None:
    """Copies an SQLite database with the backup API (safe even if ``target`` is in use)."""
    src = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
