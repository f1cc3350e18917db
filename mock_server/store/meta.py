"""The store's own values: the timestamp format, the ``meta`` table's secrets, reference data."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from mock_server.i18n import N_
from mock_server.store.engine import Connection, write_transaction

# The PRIMER INGRESO's list of security questions: reference data every database has (ids are
# stored with the members' answers, so they never change meaning; migration 0001 inserts them).
# Stored in Spanish, shown in the request's language (``_(text)`` where they are read).
SECURITY_QUESTIONS: tuple[str, ...] = (
    N_("¿Cuál es el nombre de su primera mascota?"),
    N_("¿En qué ciudad nació su madre?"),
    N_("¿Cuál fue su primer trabajo?"),
    N_("¿Cómo se llamaba su escuela primaria?"),
    N_("¿Cuál es su comida favorita?"),
    N_("¿Cómo se llamaba su mejor amigo de la infancia?"),
    N_("¿En qué calle vivía de niño?"),
    N_("¿Cuál es el segundo nombre de su padre?"),
)


def to_db(value: datetime) -> str:
    """A timezone-aware datetime as the store's text: 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'.

    Fixed width and always UTC, so comparing the text compares the instants (ORDER BY, keyset
    paging, date ranges).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware one")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str) -> datetime:
    return datetime.fromisoformat(value)


def meta_value(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def decoy_secret(conn: Connection) -> bytes:
    value = meta_value(conn, "decoy_secret")
    if value is None:  # pragma: no cover - init_db always writes it
        raise RuntimeError("the database has no decoy secret; run init_db first")
    return bytes.fromhex(value)


def dummy_password_hash(conn: Connection) -> str:
    value = meta_value(conn, "dummy_password_hash")
    if value is None:  # pragma: no cover - init_db always writes it
        raise RuntimeError("the database has no dummy hash; run init_db first")
    return value


def renew_decoy_secret(conn: Connection) -> None:
    """Gives a copied database its own secret (copies of one template must not share it)."""
    with write_transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('decoy_secret', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (secrets.token_hex(32),),
        )
