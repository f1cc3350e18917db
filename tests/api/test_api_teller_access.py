"""Access care at the counter (issue 18): a new ESTABLECER CONTRASEÑA code (the old one stops
working), a walk-in registration approved at once, unlocking, and the supervisors' audit view
with its filters. Every action leaves its audit row."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from mock_server.domain.clock import ManualClock
from mock_server.testing import login_token
from tests.api import (
    FIRST_PASSWORD,
    LUIS,
    STAFF,
    TEXTILES,
    approved_code,
    audit_rows,
    auth,
    code_in,
    keyed,
    mails,
    rows,
    set_password,
)
from tests.conftest import CLOCK_START

AUDIT = f"{STAFF}/audit"


def _audit(db: Path | str, action: str) -> list[tuple[Any, ...]]:
    return audit_rows(db, action, "a.actor_kind, a.actor, m.username, a.outcome")


async def test_a_resent_code_replaces_the_old_one(
    demo_client: httpx.AsyncClient, seeded_db: Path | str, teller_token: str
) -> None:
    old = await approved_code(demo_client, seeded_db, teller_token)
    resent = await demo_client.post(
        f"{STAFF}/members/lyanez/resend-approval-code", headers=keyed(teller_token)
    )
    assert resent.status_code == 200, resent.text
    assert resent.json() == {"username": "lyanez", "email": "l****@correo.ec"}
    letters = await mails(demo_client, LUIS["email"])
    assert len(letters) == 2
    new = code_in(letters[0]["body"])  # newest first
    assert new != old and "Su usuario: lyanez" in letters[0]["body"]
    # The old code no longer works; the new one does, once.
    refused = await set_password(demo_client, old, FIRST_PASSWORD)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_code"
    assert (await set_password(demo_client, new, FIRST_PASSWORD)).status_code == 204
    # A user with a password needs no code.
    again = await demo_client.post(
        f"{STAFF}/members/lyanez/resend-approval-code", headers=keyed(teller_token)
    )
    assert again.status_code == 409
    assert again.json()["code"] == "has_password"
    assert _audit(seeded_db, "access.resend_code") == [("teller", "cajero", "lyanez", "ok")]


async def test_a_walk_in_socio_is_registered_and_approved_at_once(
    demo_client: httpx.AsyncClient, seeded_db: Path | str, teller_token: str
) -> None:
    created = await demo_client.post(
        f"{STAFF}/registrations", json=LUIS, headers=keyed(teller_token)
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["decided_by"], body["request"]) == ("aprobada", "cajero", LUIS)
    assert rows(seeded_db, "SELECT status, role FROM members WHERE username = 'lyanez'") == [
        ("pending_password", "member")
    ]
    # The member gets the approval e-mail and sets a password with its code.
    (letter,) = await mails(demo_client, LUIS["email"])
    assert (
        await set_password(demo_client, code_in(letter["body"]), FIRST_PASSWORD)
    ).status_code == 204
    assert (await login_token(demo_client, "lyanez", FIRST_PASSWORD)) != ""
    assert _audit(seeded_db, "registration.walk_in") == [("teller", "cajero", "lyanez", "ok")]

    # Checked as the public form is: the same username again, a wrong account.
    twice = await demo_client.post(f"{STAFF}/registrations", json=LUIS, headers=keyed(teller_token))
    assert twice.status_code == 409
    wrong = {**TEXTILES, "cuenta": "00107777"}
    refused = await demo_client.post(
        f"{STAFF}/registrations", json=wrong, headers=keyed(teller_token)
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "cuenta"
    member = await login_token(demo_client, "socio2", "Socio2026")
    forbidden = await demo_client.post(
        f"{STAFF}/registrations", json=TEXTILES, headers=keyed(member)
    )
    assert forbidden.status_code == 403


async def test_every_staff_action_is_audited(
    demo_client: httpx.AsyncClient, seeded_db: Path | str, teller_token: str
) -> None:
    unlocked = await demo_client.post(
        f"{STAFF}/members/bloqueado/unlock",
        headers={**keyed(teller_token), "X-SJV-Terminal": "CAJA-02"},
    )
    assert unlocked.status_code == 204, unlocked.text
    assert _audit(seeded_db, "access.unlock") == [("teller", "cajero", "bloqueado", "ok")]
    assert rows(seeded_db, "SELECT terminal FROM audit_log WHERE action = 'access.unlock'") == [
        ("CAJA-02",)
    ]
    rejected = await demo_client.post(
        f"{STAFF}/registrations/1/reject",
        json={"reason": "Documentos incompletos."},
        headers=keyed(teller_token),
    )
    assert rejected.status_code == 200
    assert rows(
        seeded_db, "SELECT actor, reason FROM audit_log WHERE action = 'registration.reject'"
    ) == [("cajero", "Documentos incompletos.")]
    # The teller's older record is kept as it was.
    assert rows(seeded_db, "SELECT action FROM staff_actions ORDER BY id") == [
        ("unlock",),
        ("reject",),
    ]


async def test_the_audit_view_filters_and_pages(
    demo_client: httpx.AsyncClient,
    seeded_db: Path | str,
    teller_token: str,
    clock: ManualClock,
) -> None:
    await approved_code(demo_client, seeded_db, teller_token)  # registration.approve, lyanez
    clock.advance(60)
    await demo_client.post(f"{STAFF}/members/bloqueado/unlock", headers=keyed(teller_token))
    clock.advance(60)
    await demo_client.post(
        f"{STAFF}/members/lyanez/resend-approval-code", headers=keyed(teller_token)
    )
    supervisor = await login_token(demo_client, "supervisor", "Supervisor2026")
    headers = auth(supervisor)

    async def view(**params: Any) -> list[dict[str, Any]]:
        response = await demo_client.get(AUDIT, params=params, headers=headers)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found

    everything = await view()
    assert [e["action"] for e in everything] == [
        "access.resend_code",
        "access.unlock",
        "registration.approve",
    ]
    assert everything[0]["member"] == "lyanez" and everything[0]["actor"] == "cajero"
    assert [e["action"] for e in await view(member="lyanez")] == [
        "access.resend_code",
        "registration.approve",
    ]
    assert [e["action"] for e in await view(action="access.unlock")] == ["access.unlock"]
    assert await view(actor="supervisor") == []
    assert await view(member="nadie") == []
    since = (CLOCK_START + timedelta(seconds=30)).isoformat()
    until = (CLOCK_START + timedelta(seconds=90)).isoformat()
    assert [e["action"] for e in await view(since=since, until=until)] == ["access.unlock"]
    page = await view(limit=2)
    rest = await view(before_id=page[-1]["id"])
    assert [e["action"] for e in page + rest] == [e["action"] for e in everything]
    # Supervisors only; a naive time is refused.
    teller = await demo_client.get(AUDIT, headers=auth(teller_token))
    assert teller.status_code == 403
    naive = await demo_client.get(AUDIT, params={"since": "2026-12-01T10:00"}, headers=headers)
    assert naive.status_code == 422
