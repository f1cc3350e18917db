"""The store's two engines behind one connection: SQLite (the embedded default) and PostgreSQL.

A :class:`Database` is made from a URL: ``sqlite:///PATH`` (or a bare path) or
``postgresql://user@host:port/name``. Its connections (:class:`Connection`) take SQL written once,
with ``?`` placeholders, in the subset both engines speak; for PostgreSQL the placeholders are
turned into psycopg's (``%s``) once per statement text and cached.

Connections run in autocommit: a statement outside :func:`write_transaction` is its own
transaction, as with SQLite's ``isolation_level=None``. Inside it:

- SQLite: ``BEGIN IMMEDIATE`` takes the file's one write lock up front, so two writers never
  fail half-way when they meet.
- PostgreSQL: ``BEGIN`` and a transaction-scoped advisory lock (``pg_advisory_xact_lock``), held
  by the server until COMMIT or ROLLBACK, so that writers in every worker process and on every
  host queue one after another exactly as SQLite's do; reads are never blocked. The lock lives
  in the database, not in a process: a killed worker's lock goes with its connection.
  ``write_transaction(conn, keys=...)`` is the finer form: the global lock SHARED plus one
  EXCLUSIVE advisory lock per key (in a fixed order, so two such writers never deadlock):
  writers with no key in common run side by side, writers with one in common queue, and a
  plain ``write_transaction(conn)`` (the global lock EXCLUSIVE) still waits for all of them and
  holds them all off. The keys must cover everything the transaction reads to decide and
  writes (e.g. the accounts it moves money between); a counter shared by all writers (a
  ``MAX(x) + 1``) is not covered by any key and needs a sequence or the global lock.
- PostgreSQL, inside a write transaction: statements are sent in pipeline mode (psycopg's
  :meth:`~psycopg.Connection.pipeline`): a statement is sent at once but its answer is only
  waited for when its result is used (``fetchone()``, ``fetchall()``, iterating, ``rowcount``)
  or at COMMIT, so a run of writes whose results are not read, the next read and the COMMIT
  make one round trip instead of one each. The price: a statement's error (an
  :class:`IntegrityError`, say) is raised where its result is used, at the next use of a later
  statement's result or at COMMIT, not by :meth:`Connection.execute` itself; the transaction is
  rolled back all the same. A caller that must see it at once calls :meth:`Connection.sync`.
  Likewise BEGIN and the write locks are sent, not waited for: the server runs none of the
  block's statements before the locks are granted, but the block's Python code may start
  before (it must not count on the locks for anything but its statements on ``conn``).

Rows read by either engine answer ``row["column"]``, ``row[0]`` and ``row.keys()``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

import sqlalchemy
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool, QueuePool

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any] | Mapping[str, Any]

# How long a writer waits for the write lock before it gives up ("the database is busy").
LOCK_TIMEOUT_SECONDS = 5.0

# A pooled PostgreSQL connection idle this long is checked (a round trip) before it is handed
# out again; one back from a request less than this ago is handed out as it is.
PING_AFTER_IDLE_SECONDS = 1.0

# Every writer of every process takes this one advisory lock (PostgreSQL): the number is ours.
_WRITE_LOCK_KEY = 0x534A5601  # "SJV" 1
# The class (first of two int4 keys) of the keyed writers' locks; the two-key form never
# conflicts with the one-key form of the global lock.
_KEY_LOCK_CLASS = 0x534A5602  # "SJV" 2


class StoreError(Exception):
    """A database error of either engine (the driver's error is its ``__cause__``)."""


class IntegrityError(StoreError):
    """A constraint refused the statement (unique, check, foreign key, not null)."""


class Unavailable(StoreError):
    """The database cannot be reached or is too busy now: the request may be sent again later."""


class Row(Protocol):
    """What a fetched row offers on both engines (``sqlite3.Row`` is one)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


class Cursor(Protocol):
    """What :meth:`Connection.execute` returns on both engines."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


def database_url(value: str | Path) -> URL:
    """``sqlite:///...``/``postgresql://...`` as given; a bare path is an SQLite file."""
    if isinstance(value, Path) or "://" not in value:
        return URL.create("sqlite", database=str(Path(value).expanduser().resolve()))
    url = make_url(value)
    if url.get_backend_name() == "postgres":  # the old spelling some tools still print
        url = url.set(drivername="postgresql")
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(
            f"unsupported database URL {url.render_as_string()!r}: "
            "use sqlite:///PATH or postgresql://USER@HOST/NAME"
        )
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("an SQLite database must be a file: sqlite:///PATH")
        return URL.create("sqlite", database=str(Path(url.database).expanduser().resolve()))
    return url.set(drivername="postgresql+psycopg")


def safe_url(url: URL) -> str:
    """The URL with its password hidden, for logs and messages."""
    return url.render_as_string(hide_password=True)


# --- SQLite ------------------------------------------------------------------------------

_sqlite_write_locks: dict[str, threading.Lock] = {}
_sqlite_write_locks_guard = threading.Lock()


def _sqlite_write_lock(path: str) -> threading.Lock:
    """The process's queue for one SQLite file's write lock (fairness, not correctness: SQLite's
    busy handler makes a waiting writer sleep up to 100 ms a time and lose to newcomers, this
    hands the turn over as soon as the writer before commits; SQLite's lock is what excludes)."""
    with _sqlite_write_locks_guard:
        lock = _sqlite_write_locks.get(path)
        if lock is None:
            lock = _sqlite_write_locks[path] = threading.Lock()
        return lock


def connect_sqlite(
    path: str | Path, lock_timeout: float = LOCK_TIMEOUT_SECONDS
) -> sqlite3.Connection:
    """A connection to an SQLite file set up the way the store expects (WAL; every COMMIT
    durable, so a ``kill -9`` loses no committed movement; foreign keys on); a writer waits
    ``lock_timeout`` seconds for the file's write lock."""
    # check_same_thread=False: FastAPI may enter and leave a dependency and run the endpoint on
    # different threadpool threads; the connection is still used by one request at a time.
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=lock_timeout
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


# --- PostgreSQL ----------------------------------------------------------------------------

# Quoted text (kept), a "::" cast (kept), a ":name" placeholder, a "?" placeholder, a "%".
_QMARK = re.compile(r"'(?:[^']|'')*'|::|:[A-Za-z_][A-Za-z0-9_]*|\?|%")


@functools.lru_cache(maxsize=2048)
def postgresql_sql(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` and ``:name`` ones (SQLite's named style, with a
    mapping of parameters) as ``%(name)s``; a ``%`` of the text doubled; quoted text kept."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if token == "::":
            return token
        if token.startswith(":"):
            return f"%({token[1:]})s"
        return token.replace("%", "%%")

    return _QMARK.sub(swap, sql)


class _PgRow(tuple):
    """A PostgreSQL row that reads like ``sqlite3.Row``."""

    __slots__ = ()
    _index: dict[str, int]
    _names: list[str]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@functools.lru_cache(maxsize=1024)
def _pg_row_class(names: tuple[str, ...]) -> type[_PgRow]:
    """The row class of one list of column names, made once (a class per statement cost more
    than the statement's own Python)."""
    return type(
        "Row",
        (_PgRow,),
        {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}, "_names": list(names)},
    )


def _pg_row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return None
    row_class = _pg_row_class(tuple(column.name for column in description))

    def make(values: Sequence[Any]) -> Any:
        # SUM() of integers is numeric in PostgreSQL; the store holds integers only (cents,
        # counts), so an integral Decimal is read back as the int SQLite would give.
        return row_class(
            int(v) if isinstance(v, Decimal) and v == v.to_integral_value() else v for v in values
        )

    return make


def _connect_postgresql(url: URL, lock_timeout: float = LOCK_TIMEOUT_SECONDS) -> Any:
    import psycopg

    kwargs: dict[str, Any] = {
        "autocommit": True,
        # Client-side binding: parameters are quoted into the text as SQLite binds them, so an
        # untyped NULL or a ? compared with a column needs no cast.
        "cursor_factory": psycopg.ClientCursor,
        "row_factory": _pg_row_factory,
        "connect_timeout": 5,
        # A writer waits at most this long for the write lock, then the request gets a 503.
        "options": f"-c lock_timeout={int(lock_timeout * 1000)}",
    }
    for key in ("host", "port", "username", "password", "database"):
        value = getattr(url, key)
        if value is not None:
            kwargs[{"username": "user", "database": "dbname"}.get(key, key)] = value
    kwargs.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    return psycopg.connect(**kwargs)


def _note_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """The pool's checkout: a connection idle PING_AFTER_IDLE_SECONDS or more is pinged, and
    replaced (``DisconnectionError``: the pool opens another) if the ping fails."""
    import psycopg

    checked_in = record.info.get("checked_in")
    broken = dbapi_connection.closed or dbapi_connection.info.status != psycopg.pq.ConnStatus.OK
    if not broken and (
        checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS
    ):
        return
    try:
        if broken:
            raise psycopg.OperationalError("the connection is closed")
        dbapi_connection.execute("SELECT 1")
    except psycopg.Error as exc:
        raise sqlalchemy.exc.DisconnectionError(str(exc)) from exc


# --- both ------------------------------------------------------------------------------------


def _driver_errors() -> tuple[type[BaseException], type[BaseException], type[BaseException]]:
    """(any error, integrity error, cannot-reach error) of the drivers present."""
    errors: list[type[BaseException]] = [sqlite3.Error]
    integrity: list[type[BaseException]] = [sqlite3.IntegrityError]
    unavailable: list[type[BaseException]] = []
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    else:
        errors.append(psycopg.Error)
        integrity.append(psycopg.IntegrityError)
        unavailable.append(psycopg.OperationalError)
    return tuple(errors), tuple(integrity), tuple(unavailable)  # type: ignore[return-value]


_ANY_ERROR, _INTEGRITY_ERROR, _UNAVAILABLE_ERROR = _driver_errors()


def _translated(exc: BaseException) -> StoreError:
    if isinstance(exc, _INTEGRITY_ERROR):
        return IntegrityError(str(exc))
    if isinstance(exc, _UNAVAILABLE_ERROR):
        return Unavailable(str(exc))
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return Unavailable(str(exc))
    return StoreError(str(exc))


class Database:
    """One database, by URL, with a pool of connections kept between requests."""

    def __init__(
        self,
        url: str | Path | URL,
        *,
        pooled: bool = True,
        pool_size: int = 8,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        pipelined: bool = True,
    ) -> None:
        if lock_timeout <= 0:
            raise ValueError("lock_timeout must be positive")
        self.url = url if isinstance(url, URL) else database_url(url)
        # How long a writer waits for the write lock (and a request for a pooled connection)
        # before the store says Unavailable (the API's 503).
        self.lock_timeout = lock_timeout
        # PostgreSQL: write transactions in pipeline mode (see the module's doc).
        self.pipelined = pipelined
        self.dialect: Dialect = (
            "sqlite" if self.url.get_backend_name() == "sqlite" else "postgresql"
        )
        if self.dialect == "sqlite":
            path = str(self.url.database)
            self.path: Path | None = Path(path)
            self._write_lock: threading.Lock | None = _sqlite_write_lock(path)
            # Kept open between requests: opening one sets it up again, and closing the last
            # one to a WAL file checkpoints the whole log, which the next request makes again.
            self.engine = sqlalchemy.create_engine(
                "sqlite://",
                creator=lambda: connect_sqlite(path, lock_timeout),
                **(
                    {"poolclass": QueuePool, "pool_size": 32, "max_overflow": -1}
                    if pooled
                    else {"poolclass": NullPool}
                ),
            )
        else:
            self.path = None
            self._write_lock = None
            url_ = self.url
            self.engine = sqlalchemy.create_engine(
                url_,
                creator=lambda: _connect_postgresql(url_, lock_timeout),
                **(
                    {
                        "poolclass": QueuePool,
                        "pool_size": pool_size,
                        "max_overflow": 32,
                        "pool_timeout": lock_timeout,
                    }
                    if pooled
                    else {"poolclass": NullPool}
                ),
            )
            if pooled:
                # A connection broken by a restart of PostgreSQL is replaced, not handed out.
                # Not SQLAlchemy's pool_pre_ping: that is a round trip (on the event loop) for
                # every request; a connection that answered a request a moment ago, or one
                # whose break a failed statement showed (Connection.close invalidates it), is
                # not pinged.
                sqlalchemy.event.listen(self.engine.pool, "checkin", _note_checkin)
                sqlalchemy.event.listen(self.engine.pool, "checkout", _ping_if_idle)

    def __repr__(self) -> str:
        return f"Database({safe_url(self.url)!r})"

    def connect(self) -> Connection:
        try:
            fairy = self.engine.raw_connection()
        except sqlalchemy.exc.DBAPIError as exc:
            raise Unavailable(str(exc.orig)) from exc
        except sqlalchemy.exc.TimeoutError as exc:
            raise Unavailable(str(exc)) from exc
        except _ANY_ERROR as exc:
            # The pool lets the driver's own error through when our creator fails (PostgreSQL
            # down or restarting: psycopg's OperationalError, which is Unavailable).
            raise _translated(exc) from exc
        return Connection(self, fairy)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()

    def dispose(self) -> None:
        """Closes the idle connections (a connection in use is closed when it comes back)."""
        self.engine.dispose()


class _PipelinedCursor:
    """A statement sent in pipeline mode: its answer is waited for when first used."""

    __slots__ = ("_conn", "_cursor", "_number")

    def __init__(self, conn: Connection, cursor: Any, number: int) -> None:
        self._conn, self._cursor, self._number = conn, cursor, number

    def _answered(self) -> Any:
        if self._number > self._conn._synced:
            self._conn.sync()
        return self._cursor

    @property
    def rowcount(self) -> int:
        return int(self._answered().rowcount)

    @property
    def description(self) -> Any:
        return self._answered().description

    def fetchone(self) -> Any:
        try:
            return self._answered().fetchone()
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return list(self._answered().fetchall())
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """One connection of a :class:`Database`, used by one request at a time."""

    __slots__ = (
        "_fairy",
        "_pipeline",
        "_pipeline_context",
        "_raw",
        "_sent",
        "_synced",
        "database",
        "dialect",
    )

    def __init__(self, database: Database, fairy: Any) -> None:
        self.database = database
        self.dialect: Dialect = database.dialect
        self._fairy = fairy
        self._raw: Any = fairy.driver_connection
        # PostgreSQL in pipeline mode (inside a write transaction): psycopg's pipeline context,
        # and how many statements were sent / answered, so that a result already in waits for
        # nothing.
        self._pipeline_context: AbstractContextManager[Any] | None = None
        self._pipeline: Any = None
        self._sent = self._synced = 0

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            if self.dialect == "sqlite":
                return self._raw.execute(sql, params)
            # Always with parameters (an empty tuple too): psycopg then reads the "%%" the
            # translation wrote for a "%" of the text; without them it would send "%%" as is.
            if self._pipeline is None:
                return self._raw.execute(postgresql_sql(sql), params)
            cursor = self._raw.cursor()
            cursor.execute(postgresql_sql(sql), params)
            self._sent += 1
            return _PipelinedCursor(self, cursor, self._sent)
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            if self.dialect == "sqlite":
                self._raw.executemany(sql, rows)
            elif self._pipeline is not None:
                # Queued like any statement of the pipeline (an error shows at the next sync).
                self._raw.cursor().executemany(postgresql_sql(sql), list(rows))
                self._sent += 1
            else:
                with self._raw.cursor() as cursor:
                    cursor.executemany(postgresql_sql(sql), list(rows))
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    def sync(self) -> None:
        """Waits for the answers of every statement sent so far, raising the first error among
        them (PostgreSQL in pipeline mode; otherwise each statement was answered already)."""
        if self._pipeline is None or self._synced == self._sent:
            return
        try:
            self._pipeline.sync()
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc
        finally:
            self._synced = self._sent

    def _enter_pipeline(self) -> None:
        self._pipeline_context = self._raw.pipeline()
        self._pipeline = self._pipeline_context.__enter__()
        self._sent = self._synced = 0

    def _leave_pipeline(self, failed: bool) -> None:
        """Out of pipeline mode, every answer in; raises the first error unless ``failed``
        (the block's own exception goes on, and the transaction is rolled back next)."""
        pipeline, self._pipeline_context, self._pipeline = self._pipeline_context, None, None
        if pipeline is None:
            return
        try:
            if failed:
                # psycopg logs and drops an error met while leaving after an exception.
                with suppress(_ANY_ERROR):
                    pipeline.__exit__(RuntimeError, RuntimeError("rolled back"), None)
            else:
                pipeline.__exit__(None, None, None)
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    @property
    def in_transaction(self) -> bool:
        if self.dialect == "sqlite":
            return bool(self._raw.in_transaction)
        if self._pipeline is not None:
            return True  # BEGIN may be sent but not yet answered
        import psycopg

        return bool(self._raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)

    @property
    def driver_connection(self) -> Any:
        """The driver's own connection (sqlite3 or psycopg), for tools that need it.

        A write transaction in pipeline mode leaves it here (every answer in, the first error
        raised): the tool may use what the pipeline cannot (COPY); the rest of the transaction
        sends one statement at a time."""
        self._leave_pipeline(failed=False)
        return self._raw

    def rollback(self) -> None:
        try:
            self._leave_pipeline(failed=True)
            if self.in_transaction:
                self._raw.execute("ROLLBACK")
        except _ANY_ERROR as exc:
            raise _translated(exc) from exc

    def close(self) -> None:
        """Back to the pool; a transaction left open is rolled back first."""
        try:
            self._leave_pipeline(failed=True)
            if self.in_transaction:
                self._raw.execute("ROLLBACK")
        except _ANY_ERROR:
            self._fairy.invalidate()  # never hand on a half-done transaction
        self._fairy.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def lock_key(key: Hashable) -> int:
    """The advisory lock number (int4) of a key of :func:`write_transaction`: the same on every
    process and host (a CRC of its ``repr``). Two keys may share a number: they then wait for
    each other, never more than that."""
    value = zlib.crc32(repr(key).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


@contextmanager
def write_transaction(
    conn: Connection, keys: Iterable[Hashable] | None = None
) -> Iterator[Connection]:
    """One write transaction; any exception rolls the whole thing back.

    Without ``keys``, writers one after another (see the module's doc). With ``keys`` (e.g.
    ``[("account", 17), ("account", 42)]``: what the transaction reads to decide and writes),
    on PostgreSQL, writers whose keys do not meet run side by side, and each waits for every
    plain ``write_transaction(conn)``; on SQLite, whose file has one write lock, keys change
    nothing.
    """
    lock = conn.database._write_lock
    if lock is not None and not lock.acquire(timeout=conn.database.lock_timeout):
        raise Unavailable("database is locked")
    try:
        if conn.dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
        else:
            if conn.database.pipelined:
                # BEGIN and the locks go with the transaction's first read: one round trip.
                conn._enter_pipeline()
            conn.execute("BEGIN")
            if keys is None:
                conn.execute("SELECT pg_advisory_xact_lock(?)", (_WRITE_LOCK_KEY,))
            else:
                conn.execute("SELECT pg_advisory_xact_lock_shared(?)", (_WRITE_LOCK_KEY,))
                # In one order for all writers: two that want the same keys never deadlock.
                for number in sorted({lock_key(key) for key in keys}):
                    conn.execute("SELECT pg_advisory_xact_lock(?, ?)", (_KEY_LOCK_CLASS, number))
        try:
            yield conn
            if conn.dialect == "postgresql" and conn._pipeline is not None:
                conn.execute("COMMIT")
                conn._leave_pipeline(failed=False)  # every answer in: the first error raised
            else:
                conn.execute("COMMIT")
        except BaseException:
            # Some errors (disk full, a lost connection) already ended the transaction.
            with suppress(StoreError):
                conn.rollback()
            raise
    finally:
        if lock is not None:
            lock.release()
