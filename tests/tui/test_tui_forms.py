"""The one form mechanism, as a member meets it at 80x24: Enter moves on from every kind of
field, a refusal shows beside its field only once the member has left it or submitted, keys typed
right after Enter land in the next field, checkboxes read without colour."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import RadioSet

from sjvirtual_tui import rules
from sjvirtual_tui.appearance import Appearance
from sjvirtual_tui.screens.cards import CardPaymentScreen
from sjvirtual_tui.screens.registration import RegistrationScreen
from tests.tui import SIZE, field, make_app, running, screen_text, settle
from tests.tui.steps import demo_logged_in, open_as_demo, press, submit, type_text
from tests.tui.test_tui_onboarding import TEXTILES, open_registration, registrations
from tests.tui.test_tui_payments import open_services, pick_biller
from tests.tui.test_tui_transfers import choose, step


async def type_at_once(pilot: Pilot[None], *keys: str) -> None:
    """Keys as a fast typist sends them: all queued before the app handles the first (Pilot's
    ``press`` waits for the app to settle after each key, which would hide the bug)."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = "\r" if key == "enter" else (" " if key == "space" else key)
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()
    await pilot.pause()


async def test_keys_typed_right_after_enter_land_in_the_next_field(
    server_app, seeded_db, clock, tmp_path
):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_registration(pilot)
        cedula, nombres = field(pilot, "#p-field-cedula"), field(pilot, "#p-field-nombres")
        assert app.screen.focused is cedula.input
        # The whole cédula, Enter and the name, as fast as a typist: Enter checks the cédula
        # as typed (all of it), and the name goes to the next field.
        await type_at_once(pilot, *"1710034065", "enter", "L", "u", "i", "s")
        assert cedula.value == "1710034065"
        assert nombres.value == "Luis"
        assert app.screen.focused is nombres.input


async def test_enter_on_a_radio_list_chooses_and_moves_on(server_app, seeded_db, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, RegistrationScreen)
        assert isinstance(screen.focused, RadioSet)
        # Right then Enter: Empresa chosen, and the space typed at once ticks the checkbox.
        await type_at_once(pilot, "right", "enter", "space")
        assert screen.kind == "empresa"
        assert screen.focused is screen.query_one("#accept")
        assert "[x] He leído y acepto" in screen_text(pilot)
        await press(pilot, "enter")  # the checkbox is the last field: CONFIRMAR
        assert step(pilot) == "reg-data"
        assert screen.focused is field(pilot, "#e-field-ruc").input


@pytest.mark.parametrize("no_color", [False, True])
async def test_a_checkbox_reads_ticked_or_not_without_colour(
    server_app, seeded_db, clock, tmp_path, no_color
):
    app = make_app(server_app, tmp_path, clock.now, appearance=Appearance(no_color=no_color))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2")
        assert "[ ] He leído y acepto los términos" in screen_text(pilot)
        await pilot.press("enter", "space")
        text = screen_text(pilot)
        assert "[x] He leído y acepto los términos" in text
        line = next(row for row in text.splitlines() if "He leído" in row)
        assert "▐" not in line and "X" not in line


async def test_the_external_card_form_flags_only_the_fields_the_member_has_left(
    demo_app, seeded_db, clock, tmp_path
):
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f7")
        assert isinstance(app.screen, CardPaymentScreen)
        await press(pilot, "end", "enter")  # Otra institución…
        number = field(pilot, "#cde-field-card-number")
        holder = field(pilot, "#cde-field-holder-name")
        amount = field(pilot, "#cde-field-amount-cents")
        # Choosing the issuer in its list is Enter there: on to the card number.
        await choose(pilot, "#cd-issuer", "Visa Banco Pichincha")
        await pilot.pause()
        assert app.screen.focused is number.input
        await type_text(pilot, "4111111111111112")  # a wrong check digit
        await pilot.press("enter")
        # Said beside the number, the cursor stays; the fields not reached say nothing.
        assert "no es válido" in number.error
        assert app.screen.focused is number.input
        assert holder.error == "" and amount.error == ""
        # Right again: the message goes at the key that makes it right, before any Enter.
        await pilot.press("backspace")
        await type_text(pilot, "1")
        assert number.error == ""
        await pilot.press("enter")
        assert app.screen.focused is holder.input
        assert holder.error == "" and amount.error == ""
        # Leaving with a wrong value (Tab) says why at once; leaving it empty does not.
        await type_text(pilot, "Ana_1")
        await pilot.press("tab")
        assert holder.error == rules.name_error("Ana_1", "el nombre del titular")
        assert amount.error == ""
        await pilot.press("tab")  # through the empty amount: nothing said before submitting
        assert amount.error == ""


async def test_a_partial_bill_puts_the_cursor_on_the_amount(demo_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_services(pilot)
        await pick_biller(pilot, "claro", "Claro")
        # The reference, then Enter on the optional alias: CONSULTAR.
        await submit(pilot, "0991234567", "enter")
        assert step(pilot) == "sv-bill"
        amount = field(pilot, "#sv-field-amount-cents")
        assert amount.value == "35,84" and not amount.input.disabled
        assert app.screen.focused is amount.input
        # A part of it, typed at once, replaces the suggested full amount.
        amount.input.action_select_all()
        await type_at_once(pilot, "1", "0")
        assert amount.value == "10"
        await press(pilot, "enter")  # the last field: SIGUIENTE
        assert step(pilot) == "sv-confirm"
        assert "Valor a pagar:  $10,00" in screen_text(pilot)


async def test_an_empresa_registers_its_address(server_app, seeded_db, clock, tmp_path):
    before = len(registrations(seeded_db))
    async with running(server_app, clock, tmp_path) as (_app, pilot):
        await open_registration(pilot, "empresa")
        direccion = field(pilot, "#e-field-direccion")
        assert direccion.label == "Dirección (*)"
        for name, value in TEXTILES.items():
            field(pilot, f"#e-field-{name.replace('_', '-')}").input.focus()
            await pilot.pause()
            await type_text(pilot, value)
        await press(pilot, "enter")
        assert step(pilot) == "reg-confirm"
        assert "Dirección: Av. Atahualpa 12-40, Otavalo" in screen_text(pilot)
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert step(pilot) == "reg-done"
    assert len(registrations(seeded_db)) == before + 1
    assert stored_request(seeded_db)["direccion"] == "Av. Atahualpa 12-40, Otavalo"


def stored_request(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        (request,) = conn.execute(
            "SELECT request_json FROM registrations ORDER BY id DESC LIMIT 1"
        ).fetchone()
    result: dict[str, str] = json.loads(request)
    return result
