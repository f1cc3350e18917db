"""A throwaway PostgreSQL cluster for the test session, and copies of a seeded database in it.

The suite starts its own cluster (``initdb`` + ``pg_ctl``) in a temporary directory: nothing is
installed or configured by hand, and no system-wide server is touched. ``initdb`` refuses to run
as root, so when the tests run as root the cluster runs as ``nobody`` (the data directory is made
theirs); the unix socket is in the same directory under /tmp and the server listens on
127.0.0.1 only, on a free port, with ``trust`` authentication for the loopback.

Each test that needs a seeded PostgreSQL database gets a copy of a template database seeded once
per session (``CREATE DATABASE ... TEMPLATE``: a file-level copy, milliseconds), dropped after
the test.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The PostgreSQL the tests start: the newest installed (Debian puts each version in its own
# directory), or SJV_POSTGRESQL_BIN.
BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "sjv"
# Each app's pool keeps a few connections and a test may hold several apps: raised from 100.
MAX_CONNECTIONS = 300

# Set by .ci/run: a PostgreSQL that is missing or does not start fails the session, and so does
# any skipped test of the PostgreSQL half (CI must not pass on SQLite alone).
REQUIRE_ENV = "SJV_REQUIRE_POSTGRESQL"


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


class PostgresMissing(RuntimeError):
    """No PostgreSQL binaries on this machine."""


def find_bin() -> Path:
    """The directory of ``initdb`` and ``pg_ctl``, or :class:`PostgresMissing`."""
    configured = os.environ.get("SJV_POSTGRESQL_BIN")
    candidates = (
        [configured]
        if configured
        else sorted(glob.glob(BIN_GLOB), key=lambda p: _version_key(Path(p).parent.name))
    )
    for candidate in reversed(candidates):
        path = Path(candidate)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    raise PostgresMissing(
        "PostgreSQL is not installed (no initdb in "
        f"{configured or BIN_GLOB}): Debian's 'postgresql' package provides it; "
        ".ci/run installs it"
    )


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster; :meth:`stop` removes it."""

    bin: Path
    base: Path
    port: int
    user: str | None  # the OS user the server runs as (None: the current one)
    # False for the tests (nothing to keep: no fsync); True for a benchmark that must pay for
    # every COMMIT what a branch's server pays (as SQLite's synchronous=FULL does).
    durable: bool = False
    _copies: int = field(default=0)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgresql.log"

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            user=self.user,
            group=_group_of(self.user) if self.user else None,
            extra_groups=[] if self.user else None,
            cwd=self.base,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        done = self._run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",  # a throwaway cluster: nothing to keep if the machine crashes
        )
        if done.returncode:
            raise RuntimeError(f"initdb failed:\n{done.stdout}{done.stderr}")
        self.start_server()

    def start_server(self) -> None:
        """``pg_ctl start`` on the data directory (again, after :meth:`stop_server`)."""
        settings = [
            "-c listen_addresses=127.0.0.1",
            f"-c port={self.port}",
            f"-c unix_socket_directories={self.base}",
            f"-c max_connections={MAX_CONNECTIONS}",
            "-c log_min_messages=warning",
        ]
        if not self.durable:
            # Nothing here outlives the session or a crash of the machine: no waiting for the
            # disk on every COMMIT (the tests run thousands of them).
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        done = self._run(
            str(self.bin / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            " ".join(settings),
            "--wait",
            "--timeout",
            "60",
            "start",
        )
        if done.returncode:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}{log}")

    def stop_server(self, mode: str = "fast") -> None:
        """``pg_ctl stop`` (``fast``: open sessions are ended), the data directory kept."""
        done = self._run(
            str(self.bin / "pg_ctl"), "--pgdata", str(self.data), "--mode", mode, "--wait", "stop"
        )
        if done.returncode:
            raise RuntimeError(f"pg_ctl stop failed:\n{done.stdout}{done.stderr}")

    def stop(self) -> None:
        """Stops the server (fast: open sessions are ended) and removes its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(
                    str(self.bin / "pg_ctl"),
                    "--pgdata",
                    str(self.data),
                    "--mode",
                    "immediate",
                    "--wait",
                    "stop",
                    timeout=60,
                )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    # --- databases -----------------------------------------------------------------------

    def admin(self, *statements: str) -> None:
        """Runs statements as the superuser on the ``postgres`` database, one at a time."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def copy_of(self, template: str) -> str:
        """A new database copied from ``template``; its name."""
        self._copies += 1
        name = f"sjv_test_{os.getpid()}_{self._copies}"
        # A connection left to the template (a pool of an earlier test, a seed) would make
        # CREATE DATABASE refuse: ended first.
        self.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{template}' AND pid <> pg_backend_pid()",
            # FILE_COPY: the directory copied as it is, several times faster than PostgreSQL
            # 15's default (WAL_LOG, which writes every page to the log) on a small database.
            f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY',
        )
        return name

    def drop(self, name: str) -> None:
        # FORCE: a connection a test left open (an app it made itself) must not keep it.
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _group_of(user: str) -> int:
    return pwd.getpwnam(user).pw_gid


def _unprivileged_user() -> str | None:
    """Who runs the cluster: ``nobody`` when we are root (initdb refuses root), else us."""
    if os.geteuid() != 0:
        return None
    for name in ("nobody", "postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and there is no 'nobody' user to run PostgreSQL as")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def running_cluster(*, durable: bool = False) -> Iterator[Cluster]:
    """A started cluster, stopped and removed on exit (whatever happened inside)."""
    bin_dir = find_bin()
    user = _unprivileged_user()
    # Under /tmp and short: the socket's path must fit in 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="sjv-pg-", dir="/tmp"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(bin=bin_dir, base=base, port=_free_port(), user=user, durable=durable)
    # Also at the interpreter's exit: a Ctrl+C in the middle of a test may skip the session's
    # teardown, and the server (another user's process) would outlive the tests.
    atexit.register(cluster.stop)
    # A SIGTERM (``timeout``, a CI runner giving up) would end Python without atexit: turned
    # into an interrupt, so pytest stops and the cluster with it.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for attempt in range(3):
            try:
                cluster.start()
                break
            except RuntimeError:
                # Another process may have taken the free port between the check and the
                # start: a new port, a fresh data directory.
                if attempt == 2:
                    raise
                shutil.rmtree(cluster.data, ignore_errors=True)
                cluster.log.unlink(missing_ok=True)
                cluster.port = _free_port()
                time.sleep(0.2)
        yield cluster
    finally:
        cluster.stop()
        atexit.unregister(cluster.stop)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
