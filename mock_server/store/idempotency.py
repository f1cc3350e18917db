"""The answers stored under an ``Idempotency-Key`` (per scope: a member, or the public)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mock_server.store.engine import Connection
from mock_server.store.meta import to_db
from mock_server.store.records import record


@dataclass(frozen=True)
class Stored:
    """A request carried out under a key, and the answer it got."""

    method: str
    path: str
    request_hash: str
    secret_hash: str | None
    status: int
    content: bytes


def find(conn: Connection, scope: str, key: str) -> Stored | None:
    row = conn.execute(
        """
        SELECT method, path, request_hash, secret_hash, status_code AS status,
               response_body AS content
        FROM idempotency WHERE scope = ? AND key = ?
        """,
        (scope, key),
    ).fetchone()
    return None if row is None else record(Stored, row)


def insert(conn: Connection, scope: str, key: str, stored: Stored, now: datetime) -> None:
    conn.execute(
        """
        INSERT INTO idempotency (scope, key, method, path, request_hash, secret_hash,
            status_code, response_body, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            scope,
            key,
            stored.method,
            stored.path,
            stored.request_hash,
            stored.secret_hash,
            stored.status,
            stored.content,
            to_db(now),
        ),
    )
