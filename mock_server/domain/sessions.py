"""Sessions: who a token is, the idle timeout, logout."""

from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.domain.errors import NotAuthenticated
from mock_server.domain.members import CurrentMember
from mock_server.domain.security import hash_token
from mock_server.i18n import N_, _
from mock_server.store import Connection, write_transaction
from mock_server.store import sessions as store
from sjvirtual_tui.models import Role

NOT_AUTHENTICATED_MESSAGE = N_("Ingrese con su usuario y contraseña.")
SESSION_ENDED_MESSAGE = N_("Su sesión terminó. Ingrese nuevamente.")
SESSION_IDLE_MESSAGE = N_("Su sesión terminó por inactividad. Ingrese nuevamente.")

# A request within this time of the session's last recorded one does not write the time again:
# refreshing the idle timer on every request was a write transaction (and an fsync) for each
# one, reads included. The idle timeout (minutes) cannot tell a second apart.
TOUCH_INTERVAL = timedelta(seconds=1)


def not_authenticated(message: str = NOT_AUTHENTICATED_MESSAGE) -> NotAuthenticated:
    """``message``: one of the N_() constants above."""
    code = "not_authenticated" if message == NOT_AUTHENTICATED_MESSAGE else "session_expired"
    return NotAuthenticated(code, _(message))


def authenticate(
    conn: Connection, token: str | None, now: datetime, idle_timeout_seconds: int
) -> tuple[str, CurrentMember]:
    """The session's token hash and member; refreshes the idle timer.

    The refresh is written at most once per :data:`TOUCH_INTERVAL`: a session seen within the
    last second is only read. Both run on the event loop: one indexed read, and once a second a
    one-row write transaction (under a millisecond with its fsync), cost less than a trip to
    the threadpool, where a thread holding the write lock also waited for the GIL at each
    statement while the event loop was busy (and the loop's own writers waited for it).
    """
    if token is None:
        raise not_authenticated()
    token_hash = hash_token(token)
    session = store.find(conn, token_hash)
    if session is None:
        raise not_authenticated()
    since = now - session.last_seen_at
    if session.ended_at is not None or not timedelta(0) <= since < TOUCH_INTERVAL:
        # Not touched in the last second (or ended): check and refresh under the write lock.
        session = _touch(conn, token_hash, now, timedelta(seconds=idle_timeout_seconds))
    return token_hash, CurrentMember(
        id=session.member_id,
        username=session.username,
        role=Role(session.role),
        holder_id=session.holder_id,
        status=session.status,
    )


def _touch(
    conn: Connection, token_hash: str, now: datetime, idle_limit: timedelta
) -> store.Session:
    """Ends the session if it was idle too long, or records ``now`` as its last request."""
    expired: str | None = None
    # Keyed by the session: touches of different sessions run side by side (PostgreSQL);
    # a logout or a lock (plain write transactions) still waits for them all.
    with write_transaction(conn, keys=[("session", token_hash)]):
        session = store.find(conn, token_hash)
        if session is None:  # pragma: no cover - sessions are never deleted
            raise not_authenticated()
        if session.ended_at is not None:
            # A logout ends the session at its last request; idle time ends it later.
            idle = session.ended_at - session.last_seen_at > idle_limit
            expired = SESSION_IDLE_MESSAGE if idle else SESSION_ENDED_MESSAGE
        elif now - session.last_seen_at > idle_limit:
            # Ended for good: going back within the timeout (a clock set back) must not revive it.
            store.end(conn, token_hash, now)
            expired = SESSION_IDLE_MESSAGE
        else:
            store.touch(conn, token_hash, now)
    # Raised after COMMIT, so the session stays marked as ended.
    if expired is not None:
        raise not_authenticated(expired)
    return session


def logout(conn: Connection, token_hash: str, now: datetime) -> None:
    with write_transaction(conn):
        store.end(conn, token_hash, now)
