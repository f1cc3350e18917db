"""Issue 13, B1, the member's view at 80x24: locked by wrong PINs (message, back to login), a
4th operation awaiting its PIN (409) and too many PIN e-mails (429) said on the step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from fastapi import FastAPI
from textual.pilot import Pilot

from mock_server.domain.clock import ManualClock
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.widgets.pin_entry import PinEntry
from tests.api import BENEFICIARIES, CHALLENGES, DEMO_EMAIL, OUTBOX, PIN_LINE, keyed
from tests.conftest import login_token
from tests.tui import running, screen_text, settle, text_of
from tests.tui.steps import press, submit
from tests.tui.test_tui_transfers import demo_to_socio2, step, type_pin, wrong_pin


def flat(text: str) -> str:
    """The screen's words in one line (a message wraps where its box ends)."""
    return " ".join(text.replace("│", " ").split())


async def confirm_is_refused(pilot: Pilot[None]) -> str:
    """CONFIRMAR leaves the member on the same step (no PIN step: nothing was started); returns
    the screen's words."""
    before = step(pilot)
    await press(pilot, "enter")  # CONFIRMAR
    assert step(pilot) == before
    return flat(screen_text(pilot))


async def start_beneficiaries(app: FastAPI, n: int, *, confirm: bool = False) -> None:
    """``n`` new beneficiaries started by demo over the API, each confirmed if ``confirm``."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        token = await login_token(client, "demo", "Demo2026")
        for i in range(n):
            body = {"kind": "interna", "account_type": "ahorro_vista", "number": "1107777"}
            started = await client.post(BENEFICIARIES, json=body, headers=keyed(token))
            assert started.status_code == 201, (i, started.text)
            if confirm:
                challenge = started.json()
                outbox = (await client.get(OUTBOX)).json()
                bodies = [m["body"] for m in outbox if m["to"] == DEMO_EMAIL]
                bodies = [body for body in bodies if PIN_LINE.search(body)]
                match = PIN_LINE.search(bodies[0])
                assert match is not None
                answer = {"pin": match.group(1), "amount_cents": None, "payee": challenge["payee"]}
                confirmed = await client.post(
                    f"{CHALLENGES}/{challenge['id']}/confirm", json=answer, headers=keyed(token)
                )
                assert confirmed.status_code == 200, confirmed.text
                ben_id = confirmed.json()["beneficiary"]["id"]
                deleted = await client.delete(f"{BENEFICIARIES}/{ben_id}", headers=keyed(token))
                assert deleted.is_success


async def test_locked_by_wrong_pins_the_member_is_back_at_login_and_told_why(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await demo_to_socio2(pilot)
        await press(pilot, "enter")  # CONFIRMAR: the PIN is e-mailed
        wrong = wrong_pin(seeded_db, "demo")
        for _ in range(4):
            await type_pin(pilot, wrong)
            if app.screen.query_one(PinEntry).input.disabled:  # the 3rd cancelled it
                await press(pilot, "enter")  # VOLVER A EMPEZAR
                await pilot.click("#tr-data-next")
                await settle(pilot)
                await press(pilot, "enter")  # CONFIRMAR: a new operation, a new PIN
                assert step(pilot) == "tr-pin"
        # The 4th wrong PIN in a row warns before the 5th locks.
        assert "antes de que su usuario se bloquee" in flat(screen_text(pilot))
        await type_pin(pilot, wrong)
        assert isinstance(app.screen, LoginScreen)
        notice = flat(text_of(pilot, "#notice"))
        assert notice == (
            "PIN de verificación incorrecto 5 veces seguidas: su usuario se bloqueó. Le "
            "enviamos un correo que explica cómo desbloquearlo."
        )
        # All of it on the 80x24 screen, not cut off.
        assert notice in flat(screen_text(pilot))
        # Logging in again is refused, and said without cutting anything off.
        await press(pilot, "enter")  # the username is still there
        await submit(pilot, "Demo2026")
        assert "Usuario bloqueado por intentos fallidos." in flat(screen_text(pilot))
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("SELECT lock_reason FROM members WHERE id = 1").fetchone() == ("pin",)


async def test_a_fourth_operation_awaiting_its_pin_is_said_on_the_step(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    await start_beneficiaries(demo_app, 3)
    async with running(demo_app, clock, tmp_path) as (_app, pilot):
        await demo_to_socio2(pilot)
        shown = await confirm_is_refused(pilot)
        assert "Tiene 3 operaciones esperando su PIN de verificación." in shown
        assert "Podrá intentarlo de nuevo en 5 minutos." in shown
        # Once they expire the same CONFIRMAR starts it.
        clock.advance(300)
        await press(pilot, "enter")
        assert step(pilot) == "tr-pin"


async def test_too_many_pin_e_mails_says_when_to_try_again(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    await start_beneficiaries(demo_app, 10, confirm=True)
    clock.advance(120)
    async with running(demo_app, clock, tmp_path) as (_app, pilot):
        await demo_to_socio2(pilot)
        shown = await confirm_is_refused(pilot)
        assert "Le enviamos ya 10 PIN de verificación en 15 minutos" in shown
        assert "Podrá intentarlo de nuevo en 13 minutos." in shown
