"""MoneyInput and AccountPicker: what a member may type as an amount, the maximum said beside the
field, accounts chosen with the keys, and amounts that reach the server's cents exactly."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from sjvirtual_tui.formatting import money
from sjvirtual_tui.screens.cards import CardPaymentScreen
from sjvirtual_tui.widgets.account_picker import AccountPicker
from sjvirtual_tui.widgets.money_input import MoneyInput, amount_text, cents_of, parse_cents
from sjvirtual_tui.widgets.pin_entry import PinEntry
from tests.tui import running, screen_text, settle, text_of
from tests.tui.steps import login, open_as_demo, press, submit, type_each, type_text
from tests.tui.test_tui_transfers import assert_ledger_ok, balances, last_pin, open_transfers, step

# --- what is accepted -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1.234,56", 123456),  # the Ecuadorian way
        ("$1.234,56", 123456),
        ("$ 20", 2000),
        ("1234,5", 123450),
        ("25", 2500),
        ("1234.56", 123456),  # one dot and two digits: a decimal point, nobody groups so
        ("0.1", 10),
        ("0,2", 20),
        ("1.234", 123400),  # a thousands dot
    ],
)
def test_amounts_typed_the_ways_members_write_them(typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


@pytest.mark.parametrize(
    "typed", ["1,234.56", "1.234.5", "12,345", "0", "0,00", "-5", "0.001", "1 234", "diez"]
)
def test_amounts_refused(typed: str) -> None:
    assert parse_cents(typed) is None


def test_written_back_the_way_the_app_shows_money_and_never_a_float() -> None:
    assert amount_text(123450) == "1.234,50"
    assert cents_of(Decimal("0.1") + Decimal("0.2")) == 30
    with pytest.raises(TypeError):
        cents_of(0.1 + 0.2)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cents_of(Decimal("0.005"))  # no fraction of a cent rounded away


# --- at 80x24 against the server ------------------------------------------------------------


def focused_id(pilot: Pilot[None]) -> str | None:
    focused = pilot.app.focused
    return focused.id if focused is not None else None


async def clear_and_type(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*["backspace"] * 20)
    await type_text(pilot, text)


def stored_transfers(db: Path, description: str) -> list[int]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT amount_cents FROM transfers WHERE description = ? ORDER BY id", (description,)
        ).fetchall()
    return [cents for (cents,) in rows]


async def own_transfer(pilot: Pilot[None], amount: str, description: str) -> None:
    """Between own accounts, keys only: the second account as ORIGEN (an arrow), the first
    offered DESTINO (Enter opens the list, an arrow to it, Enter chooses and moves on), then
    amount and text."""
    await open_transfers(pilot, "propias")
    assert focused_id(pilot) == "tr-from"
    picker = pilot.app.screen.query_one("#tr-from", AccountPicker)
    await pilot.press("down")
    assert picker.value == picker.accounts[1].number
    await pilot.press("enter")
    assert focused_id(pilot) == "tr-to-own"
    await press(pilot, "enter", "enter")  # Enter on the prompt chooses nothing: it stays
    assert focused_id(pilot) == "tr-to-own"
    await press(pilot, "enter", "down", "enter")
    assert focused_id(pilot) == "tr-input-amount-cents"
    await type_each(pilot, amount, description)


async def own_accounts_picker(pilot: Pilot[None]) -> AccountPicker:
    """Logs the demo member in and opens a transfer between own accounts: its origin picker."""
    await login(pilot, "demo", "Demo2026")
    await open_transfers(pilot, "propias")
    return pilot.app.screen.query_one("#tr-from", AccountPicker)


async def test_above_the_balance_is_said_beside_the_amount_and_tenths_arrive_exactly(
    demo_app, seeded_db, clock, tmp_path
):
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        picker = await own_accounts_picker(pilot)
        origin, destination = picker.accounts[1], picker.accounts[0]
        before = balances(seeded_db, origin.number, destination.number)
        # What the member sees of each account: kind, masked number, balance.
        assert f"****{picker.accounts[0].number[-4:]}" in screen_text(pilot)
        await press(pilot, "escape")
        await press(pilot, "escape")

        too_much = amount_text(origin.available_cents + 1)
        await own_transfer(pilot, too_much, "Prueba tope")
        amount = app.screen.query_one("#tr-field-amount-cents", MoneyInput)
        assert step(pilot) == "tr-data"
        assert focused_id(pilot) == "tr-input-amount-cents"  # the cursor stays on the amount
        assert "Saldo disponible insuficiente" in amount.error
        assert money(origin.available_cents) in amount.error
        assert "insuficiente" in screen_text(pilot)  # beside the field, on screen at 80x24
        await clear_and_type(pilot, "0.1")
        await settle(pilot)
        assert amount.error == ""  # goes as soon as the value is right
        await pilot.press("enter")
        assert focused_id(pilot) == "tr-input-description"
        assert amount.input.value == "0,10"  # written back the app's way once left
        await submit(pilot, "Decimos")
        assert step(pilot) == "tr-confirm", screen_text(pilot)
        assert "$0,10" in text_of(pilot, "#tr-summary")
        assert stored_transfers(seeded_db, "Prueba tope") == []  # nothing was sent
        await press(pilot, "enter")  # CONFIRMAR: between own accounts, no PIN
        assert step(pilot) == "tr-done"
        assert "$0,10" in text_of(pilot, "#tr-receipt")
        await press(pilot, "enter")  # VOLVER AL INICIO

        await own_transfer(pilot, "0,2", "Decimos")
        await press(pilot, "enter")
        assert step(pilot) == "tr-done"
        assert "$0,20" in text_of(pilot, "#tr-receipt")
    assert stored_transfers(seeded_db, "Decimos") == [10, 20]
    after = balances(seeded_db, origin.number, destination.number)
    assert after == {
        origin.number: before[origin.number] - 30,
        destination.number: before[destination.number] + 30,
    }
    assert_ledger_ok(seeded_db)


async def test_ctrl_o_hides_the_balances_in_the_account_picker(
    demo_app, seeded_db, clock, tmp_path
):
    async with running(demo_app, clock, tmp_path) as (_app, pilot):
        picker = await own_accounts_picker(pilot)
        shown = money(picker.accounts[0].available_cents)
        assert shown in screen_text(pilot)
        await press(pilot, "ctrl+o")
        await press(pilot, "space")  # the open list too
        text = screen_text(pilot)
        assert all(money(a.available_cents) not in text for a in picker.accounts)
        assert "$ ***" in text
        assert f"****{picker.accounts[1].number[-4:]}" in text  # the accounts still tell apart


async def test_a_card_paid_with_another_amount_to_the_receipt(demo_app, seeded_db, clock, tmp_path):
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f7")
        assert isinstance(app.screen, CardPaymentScreen)
        await press(pilot, "enter")  # the Visa: total $845,30
        await pilot.press("down", "down", "enter")  # Otro valor: on to its amount
        assert focused_id(pilot) == "cdo-input-amount-cents"
        amount = app.screen.query_one("#cdo-field-amount-cents", MoneyInput)
        await type_text(pilot, "900")
        await pilot.press("enter")
        assert focused_id(pilot) == "cdo-input-amount-cents"
        assert amount.error == "Puede pagar hasta $845,30, el total de su tarjeta."
        assert "el total de su tarjeta" in screen_text(pilot)
        await clear_and_type(pilot, "100.5")
        await pilot.press("enter")
        assert focused_id(pilot) == "cd-from"
        assert amount.input.value == "100,50"
        picker = app.screen.query_one("#cd-from", AccountPicker)
        origin = picker.account
        assert origin is not None
        before = balances(seeded_db, origin.number)[origin.number]
        await press(pilot, "enter")  # the account chosen: SIGUIENTE
        assert step(pilot) == "cd-confirm"
        assert "$100,50" in text_of(pilot, "#cd-summary")
        assert origin.number in text_of(pilot, "#cd-summary")  # the whole number on the review
        await press(pilot, "enter")
        assert step(pilot) == "cd-pin"
        # The PIN is a form field too: Enter with two digits says why beside it, and stays.
        pin = last_pin(seeded_db, "demo")
        await submit(pilot, pin[:2])
        entry = app.screen.query_one(PinEntry)
        assert step(pilot) == "cd-pin"
        assert "4 dígitos" in entry.error
        await type_text(pilot, pin[2:])
        await settle(pilot)
        assert entry.error == ""  # four digits: the reason goes as they are typed
        assert isinstance(app.focused, Input)
        await press(pilot, "enter")
        assert step(pilot) == "cd-done"
        assert "$100,50" in text_of(pilot, "#cd-receipt")
    with sqlite3.connect(seeded_db) as conn:
        stored = conn.execute("SELECT amount_cents FROM payments ORDER BY id DESC").fetchone()
    assert stored == (10050,)
    assert balances(seeded_db, origin.number)[origin.number] == before - 10050
    assert_ledger_ok(seeded_db)


async def test_a_card_choice_shows_the_amount_only_for_otro_valor(
    demo_app, seeded_db, clock, tmp_path
):
    async with running(demo_app, clock, tmp_path) as (_app, pilot):
        await open_as_demo(pilot, "f7")
        await press(pilot, "enter")  # the Visa
        await pilot.press("down", "down", "enter")  # Otro valor: its amount, at once
        assert focused_id(pilot) == "cdo-input-amount-cents"
        await pilot.press("shift+tab")  # back to the list, and Pago mínimo this time
        await press(pilot, "up", "up", "enter")
        assert focused_id(pilot) == "cd-from"  # no amount to type for the minimum
        assert "Otro valor (*)" not in screen_text(pilot)
        await press(pilot, "enter")
        assert step(pilot) == "cd-confirm"
        assert "$42,27" in text_of(pilot, "#cd-summary")
