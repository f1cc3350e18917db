"""The audit log on both engines: entries are kept as written, and the database itself refuses
to change or remove one, whoever asks (the server's code included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mock_server.domain import audit
from tests.database import connect, scalar

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def _member_id(db: Path | str) -> int:
    return int(scalar(db, "SELECT id FROM members WHERE username = 'demo'"))


def test_entries_come_back_newest_first_and_filtered(seeded_db: Path | str) -> None:
    member = _member_id(seeded_db)
    with connect(seeded_db) as conn:
        first = audit.record(
            conn,
            actor_kind="member",
            actor="demo",
            action="password.change",
            now=NOW,
            member_id=member,
            terminal="term-1",
        )
        second = audit.record(
            conn,
            actor_kind="teller",
            actor="cajero",
            action="member.view",
            now=NOW + timedelta(minutes=1),
            member_id=member,
            reason="Consulta en ventanilla",
        )
        audit.record(
            conn,
            actor_kind="system",
            actor="system",
            action="nightly.check",
            now=NOW,
            outcome="refused",
        )
        mine = audit.entries(conn, member_id=member)
        by_teller = audit.entries(conn, actor="cajero")
        paged = audit.entries(conn, member_id=member, before_id=second)
    assert [entry.id for entry in mine] == [second, first]
    assert mine[0].reason == "Consulta en ventanilla" and mine[0].recorded_at == NOW + timedelta(
        minutes=1
    )
    assert mine[1].terminal == "term-1" and mine[1].outcome == "ok"
    assert [entry.action for entry in by_teller] == ["member.view"]
    assert [entry.id for entry in paged] == [first]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET outcome = 'refused'",
        "UPDATE audit_log SET reason = 'otra' WHERE id = ?",
        "DELETE FROM audit_log WHERE id = ?",
        "DELETE FROM audit_log",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_entry(
    seeded_db: Path | str, statement: str
) -> None:
    with connect(seeded_db) as conn:
        entry = audit.record(conn, actor_kind="member", actor="demo", action="card.block", now=NOW)
    params = (entry,) if "?" in statement else ()
    with connect(seeded_db) as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(statement, params)
    if statement == "DELETE FROM audit_log" and conn.dialect == "postgresql":
        # TRUNCATE is no row operation: PostgreSQL has a trigger of its own for it.
        with connect(seeded_db) as conn, pytest.raises(Exception, match="append-only"):
            conn.execute("TRUNCATE audit_log")
    with connect(seeded_db) as conn:
        (kept,) = audit.entries(conn)
    assert (kept.id, kept.outcome, kept.reason) == (entry, "ok", None)
