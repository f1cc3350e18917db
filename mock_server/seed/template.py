"""The seeded template of the day and fresh copies of it: ``sjvirtual --demo`` starts fast.

Seeding takes seconds (100,000 movements, argon2 hashes); a copy of a seeded template takes
milliseconds: an SQLite file copied, or PostgreSQL's ``CREATE DATABASE ... TEMPLATE``. A copy
gets a decoy secret of its own.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import platformdirs
from argon2 import PasswordHasher

from mock_server.seed.build import SEED_VERSION, SeedProgress, seed_database
from mock_server.store import Database, databases, sqlite_files
from mock_server.store.meta import renew_decoy_secret
from mock_server.store.migrations import HEAD
from sjvirtual_tui.rules import ECUADOR_TZ

APP_NAME = "sjvirtual-tui"


def template_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME))


def template_path(cache_dir: Path | None = None, *, today: date | None = None) -> Path:
    """The template of this seed version and schema revision for ``today`` (Ecuador): the
    history ends that day. The revision is in the name so that a new migration never copies a
    template of the old schema."""
    day = today or datetime.now(ECUADOR_TZ).date()
    name = f"seed-v{SEED_VERSION}-r{HEAD}-{day.isoformat()}.sqlite"
    return (cache_dir or template_dir()) / name


def ensure_template(
    cache_dir: Path | None = None,
    *,
    now: datetime | None = None,
    progress: SeedProgress | None = None,
) -> Path:
    """The seeded template for today, built (seconds) the first time it is asked for;
    ``progress`` is told how far the build is. Interrupted (Ctrl+C), it leaves nothing."""
    now = now or datetime.now(UTC)
    path = template_path(cache_dir, today=now.astimezone(ECUADOR_TZ).date())
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Built beside its final name and renamed: a reader never sees half a template, and two
    # processes building at once both end with a whole one.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        seed_database(tmp, now=now, bulk=True, progress=progress)
        # A template is only ever copied: a rollback journal leaves no -wal file beside it.
        sqlite_files.without_log(tmp)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    _remove_stale_templates(path)
    return path


def _remove_stale_templates(keep: Path) -> None:
    # Yesterday's templates (and those of older seed versions) are never used again.
    for old in keep.parent.glob("seed-v*-*.sqlite"):
        if old != keep:
            old.unlink(missing_ok=True)


def fresh_database(path: Path, *, cache_dir: Path | None = None) -> Path:
    """Makes ``path`` a freshly seeded database (replacing what it held); returns ``path``."""
    path = Path(path)
    template = ensure_template(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    sqlite_files.copy(template, path)
    database = Database(path, pooled=False)  # back to WAL mode, and a decoy secret of its own
    try:
        with database.connection() as conn:
            renew_decoy_secret(conn)
    finally:
        database.dispose()
    return path


# --- PostgreSQL: a seeded template database and fresh copies ----------------------------------


def postgresql_template_name(now: datetime, *, bulk: bool = True) -> str:
    day = now.astimezone(ECUADOR_TZ).date()
    return f"sjv_seed_v{SEED_VERSION}_r{HEAD}_{day:%Y%m%d}" + ("" if bulk else "_small")


def ensure_postgresql_template(
    server: Database,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
) -> Database:
    """The seeded template database for ``now``'s day on ``server``'s PostgreSQL, seeded the
    first time it is asked for (under another name, then renamed: a reader never sees half a
    template, and two processes building at once both end with a whole one)."""
    now = now or datetime.now(UTC)
    name = postgresql_template_name(now, bulk=bulk)
    template = databases.on_server(server, name)
    if databases.exists(template):
        return template
    building = databases.on_server(server, f"{name}_{secrets.token_hex(4)}")
    databases.create(building)
    try:
        seed_database(building, now=now, bulk=bulk, hasher=hasher)
        databases.rename(building, name)
    except BaseException:
        databases.drop(building)
        if not databases.exists(template):
            raise
    return template


def fresh_postgresql_database(
    server: Database,
    name: str,
    *,
    now: datetime | None = None,
    bulk: bool = True,
    hasher: PasswordHasher | None = None,
) -> Database:
    """Makes database ``name`` on ``server``'s PostgreSQL a freshly seeded one (a copy of the
    template, replacing what it held): the counterpart of :func:`fresh_database`."""
    template = ensure_postgresql_template(server, now=now, bulk=bulk, hasher=hasher)
    database = databases.copy(template, name)
    with database.connection() as conn:  # a decoy secret of its own
        renew_decoy_secret(conn)
    return database
