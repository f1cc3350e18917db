"""The cooperative's staff users (tellers) made outside the API: the first one of a branch's
database, from the command line (``sjvirtual-mock-server --create-staff``)."""

from __future__ import annotations

from mock_server.store.bulk import has_rows, insert_rows
from mock_server.store.engine import Connection, write_transaction


def add_teller(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    full_name: str,
    email: str,
    security_image: str,
    created_at: str,
) -> bool:
    """Adds an active teller (no holder, no accounts, no secret answers: recovery by questions
    does not apply to it); False, and nothing written, when ``username`` is taken."""
    with write_transaction(conn):
        if has_rows(conn, "members", username=username):
            return False
        insert_rows(
            conn,
            "members",
            [
                {
                    "username": username,
                    "holder_id": None,
                    "status": "active",
                    "password_hash": password_hash,
                    "full_name": full_name,
                    "email": email,
                    "role": "teller",
                    "security_image": security_image,
                    "security_phrase": "",  # no security phrase since schema 6
                    "created_at": created_at,
                }
            ],
        )
    return True
