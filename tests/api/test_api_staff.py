"""The teller's side: the registration queue, approval with its e-mailed code, rejection,
unlocking, and the record of who did what."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mock_server.domain.clock import ManualClock
from mock_server.domain.security import decoy_image
from mock_server.store.meta import decoy_secret
from mock_server.testing import login_token
from tests.api import (
    CHALLENGE,
    LOGIN,
    LUIS,
    STAFF,
    STATE_TABLES,
    TEXTILES,
    approve,
    auth,
    code_in,
    counts,
    keyed,
    mails,
    register,
    registration_id,
    rows,
)
from tests.conftest import CLOCK_START
from tests.database import connect

FORBIDDEN = {
    "code": "forbidden",
    "message": "Esta opción es solo para el personal de la cooperativa.",
    "field": None,
}
STAFF_CALLS = [
    ("GET", f"{STAFF}/registrations", None),
    ("GET", f"{STAFF}/registrations/1", None),
    ("POST", f"{STAFF}/registrations/1/approve", None),
    ("POST", f"{STAFF}/registrations/1/reject", {"reason": "Datos incompletos"}),
    ("GET", f"{STAFF}/locked-members", None),
    ("POST", f"{STAFF}/members/bloqueado/unlock", None),
]


def _staff_actions(db: Path) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT m.username, a.action, a.target, a.detail, a.created_at FROM staff_actions AS a "
        "JOIN members AS m ON m.id = a.staff_member_id ORDER BY a.id",
    )


async def test_staff_endpoints_refuse_members_and_strangers(
    demo_client: httpx.AsyncClient, seeded_db: Path
) -> None:
    before = counts(seeded_db, *STATE_TABLES)
    member = auth(await login_token(demo_client, "socio2", "Socio2026"))
    for method, path, body in STAFF_CALLS:
        as_member = await demo_client.request(method, path, json=body, headers=keyed(None))
        assert as_member.status_code == 401, path
        assert as_member.json()["code"] == "not_authenticated"
        refused = await demo_client.request(
            method, path, json=body, headers={**member, **keyed(None)}
        )
        assert refused.status_code == 403, path
        assert refused.json() == FORBIDDEN
    # Nothing was decided or unlocked; only the member's own login left a trace (its session,
    # and the e-mail about a login from a new terminal).
    after = counts(seeded_db, *STATE_TABLES)
    assert after == {**before, "sessions": before["sessions"] + 1, "outbox": before["outbox"] + 1}
    assert rows(seeded_db, "SELECT status FROM registrations WHERE id = 1") == [("pendiente",)]
    still_locked = "SELECT locked_at IS NOT NULL FROM members WHERE username = 'bloqueado'"
    assert rows(seeded_db, still_locked) == [(1,)]


async def test_the_queue_oldest_first_and_one_by_id(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, clock: ManualClock
) -> None:
    clock.advance(60)
    await register(demo_client, TEXTILES)
    clock.advance(60)
    await register(demo_client, LUIS)
    headers = auth(teller_token)
    pending = await demo_client.get(
        f"{STAFF}/registrations", params={"status": "pendiente"}, headers=headers
    )
    assert pending.status_code == 200
    queue = pending.json()
    assert [(r["reference"], r["request"]["usuario"]) for r in queue] == [
        ("SOL-000001", "gcisneros"),  # seeded yesterday
        ("SOL-000002", "textiles"),
        ("SOL-000003", "lyanez"),
    ]
    assert queue[1]["request"] == TEXTILES
    assert {r["status"] for r in queue} == {"pendiente"}
    assert {r["decided_at"] for r in queue} == {None}

    one = await demo_client.get(f"{STAFF}/registrations/{queue[2]['id']}", headers=headers)
    assert one.json() == queue[2]
    missing = await demo_client.get(f"{STAFF}/registrations/999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    bad = await demo_client.get(f"{STAFF}/registrations", params={"status": "x"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"

    await approve(demo_client, teller_token, queue[1]["id"])
    still = await demo_client.get(
        f"{STAFF}/registrations", params={"status": "pendiente"}, headers=headers
    )
    assert [r["reference"] for r in still.json()] == ["SOL-000001", "SOL-000003"]
    everything = await demo_client.get(f"{STAFF}/registrations", headers=headers)
    assert [r["status"] for r in everything.json()] == ["pendiente", "aprobada", "pendiente"]


async def test_approval_creates_the_user_and_emails_a_code(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, clock: ManualClock
) -> None:
    receipt = await register(demo_client, LUIS)
    reg_id = registration_id(seeded_db, receipt["reference"])
    clock.advance(200)  # within the teller's idle timeout
    approved = await approve(demo_client, teller_token, reg_id)
    decided_at = CLOCK_START + timedelta(seconds=200)
    assert approved["status"] == "aprobada"
    assert approved["decided_by"] == "cajero"
    assert datetime.fromisoformat(approved["decided_at"]) == decided_at
    assert approved["request"] == LUIS

    # The user exists, with no password, image or answers yet, on Luis's holder.
    ((holder, status, password_hash, image, full_name, email, role),) = rows(
        seeded_db,
        "SELECT h.identification, m.status, m.password_hash, m.security_image, m.full_name, "
        "m.email, m.role FROM members AS m JOIN holders AS h ON h.id = m.holder_id "
        "WHERE m.username = 'lyanez'",
    )
    assert (holder, status, password_hash, image) == ("1710034065", "pending_password", None, None)
    assert (full_name, email, role) == ("Luis Alberto Yánez Cevallos", LUIS["email"], "member")

    # The e-mail: the username, a code, how to use it, what the first login looks like.
    (mail,) = await mails(demo_client, LUIS["email"])
    body = mail["body"]
    code = code_in(body)
    assert "ESTABLECER CONTRASEÑA" in mail["subject"]
    assert "Su usuario: lyanez" in body
    assert "24 horas" in body and "una sola vez" in body
    assert "pulse F3 ESTABLECER CONTRASEÑA" in body
    assert f"sjvirtual set-password {code}" in body
    assert "imagen cualquiera" in body
    assert datetime.fromisoformat(mail["created_at"]) == decided_at
    # Only its digest is stored, valid 24 hours.
    plain = code.replace("-", "")
    ((code_hash, purpose, expires_at, used_at),) = rows(
        seeded_db,
        "SELECT c.code_hash, c.purpose, c.expires_at, c.used_at FROM codes AS c "
        "JOIN members AS m ON m.id = c.member_id WHERE m.username = 'lyanez'",
    )
    assert code_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert (purpose, used_at) == ("set_password", None)
    assert datetime.fromisoformat(expires_at) == decided_at + timedelta(hours=24)

    assert _staff_actions(seeded_db) == [
        ("cajero", "approve", receipt["reference"], "usuario lyanez", _stamp(decided_at))
    ]

    # Until the password is set: no login (a wrong password, counted), the decoy image.
    login = await demo_client.post(LOGIN, json={"username": "lyanez", "password": "Nada2026"})
    assert login.status_code == 401
    assert login.json()["code"] == "invalid_credentials"
    assert rows(seeded_db, "SELECT count FROM login_failures WHERE username = 'lyanez'") == [(1,)]
    challenge = (await demo_client.post(CHALLENGE, json={"username": "lyanez"})).json()
    assert challenge == {
        "username": "lyanez",
        "image": decoy_image(_decoy_secret(seeded_db), "lyanez").value,
    }


def _stamp(value: datetime) -> str:
    """A time as the store writes it."""
    return value.isoformat(timespec="microseconds")


def _decoy_secret(db: Path) -> bytes:
    conn = connect(db)
    try:
        return decoy_secret(conn)
    finally:
        conn.close()


async def test_a_decided_request_cannot_be_decided_again(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    reg_id = registration_id(seeded_db, (await register(demo_client, LUIS))["reference"])
    await approve(demo_client, teller_token, reg_id)
    before = counts(seeded_db, *STATE_TABLES)
    again = await demo_client.post(
        f"{STAFF}/registrations/{reg_id}/approve", headers=keyed(teller_token)
    )
    assert again.status_code == 409
    assert again.json()["code"] == "not_pending"
    assert "ya fue aprobada" in again.json()["message"]
    rejected = await demo_client.post(
        f"{STAFF}/registrations/{reg_id}/reject",
        json={"reason": "Cambio de opinión"},
        headers=keyed(teller_token),
    )
    assert rejected.status_code == 409
    assert rejected.json()["code"] == "not_pending"
    missing = await demo_client.post(
        f"{STAFF}/registrations/999/approve", headers=keyed(teller_token)
    )
    assert missing.status_code == 404
    assert counts(seeded_db, *STATE_TABLES) == before


async def test_rejection_emails_the_reason(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str
) -> None:
    reason = "La firma no coincide con la registrada en la cooperativa."
    response = await demo_client.post(
        f"{STAFF}/registrations/1/reject", json={"reason": reason}, headers=keyed(teller_token)
    )
    assert response.status_code == 200
    decided = response.json()
    assert (decided["status"], decided["reason"], decided["decided_by"]) == (
        "rechazada",
        reason,
        "cajero",
    )
    (mail,) = await mails(demo_client, "gabriela@correo.ec")
    assert "no fue aprobada" in mail["body"]
    assert f"Motivo: {reason}" in mail["body"]
    assert "SOL-000001" in mail["body"]
    assert rows(seeded_db, "SELECT COUNT(*) FROM members WHERE username = 'gcisneros'") == [(0,)]
    assert _staff_actions(seeded_db) == [
        ("cajero", "reject", "SOL-000001", reason, _stamp(CLOCK_START))
    ]


@pytest.mark.parametrize(("reason", "says"), [("no", "al menos 5"), ("  a    b  ", "al menos 5")])
async def test_a_reason_is_required(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, reason: str, says: str
) -> None:
    response = await demo_client.post(
        f"{STAFF}/registrations/1/reject", json={"reason": reason}, headers=keyed(teller_token)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reason"
    assert says in response.json()["message"]
    assert rows(seeded_db, "SELECT status FROM registrations WHERE id = 1") == [("pendiente",)]


async def test_unlocking_a_locked_member(
    demo_client: httpx.AsyncClient, seeded_db: Path, teller_token: str, clock: ManualClock
) -> None:
    headers = auth(teller_token)
    locked = (await demo_client.get(f"{STAFF}/locked-members", headers=headers)).json()
    assert [(m["username"], m["full_name"]) for m in locked] == [("bloqueado", "Rosa Elena Chimbo")]
    assert locked[0]["locked_at"] is not None
    refused = await demo_client.post(
        LOGIN, json={"username": "bloqueado", "password": "Bloqueado2026"}
    )
    assert refused.status_code == 423

    clock.advance(120)
    response = await demo_client.post(
        f"{STAFF}/members/Bloqueado/unlock", headers=keyed(teller_token)
    )
    assert response.status_code == 204
    assert response.content == b""
    assert (await demo_client.get(f"{STAFF}/locked-members", headers=headers)).json() == []
    assert rows(seeded_db, "SELECT COUNT(*) FROM login_failures WHERE username = 'bloqueado'") == [
        (0,)
    ]
    assert await login_token(demo_client, "bloqueado", "Bloqueado2026")
    ((who, action, target, detail, when),) = _staff_actions(seeded_db)
    assert (who, action, target) == ("cajero", "unlock", "bloqueado")
    assert detail.startswith("bloqueado desde ")
    assert datetime.fromisoformat(when) == CLOCK_START + timedelta(seconds=120)

    unknown = await demo_client.post(f"{STAFF}/members/nadie/unlock", headers=keyed(teller_token))
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Usuario no encontrado."
