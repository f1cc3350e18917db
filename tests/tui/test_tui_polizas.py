"""Pilot walks at 80x24 of PÓLIZAS against the real FastAPI app: the demo member's póliza, the
simulator, opening one with the PIN read from the server's outbox, and refusals where typed."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.polizas import PolizaScreen
from tests.database import rows
from tests.tui import cut_off, field, screen_text, table_rows, text_of
from tests.tui.steps import demo_logged_in, open_wizard, press, type_text
from tests.tui.test_tui_transfers import (
    assert_ledger_ok,
    balances,
    last_pin,
    step,
    type_pin,
    wrong_pin,
)


async def open_polizas(pilot: Pilot[None]) -> PolizaScreen:
    return await open_wizard(pilot, "z", PolizaScreen, "pz-list")


async def type_amount_and_term(pilot: Pilot[None], amount: str, days: str) -> None:
    """From the list: ABRIR PÓLIZA (Enter on the table), the amount, Tab, the term in days."""
    await press(pilot, "enter")
    assert step(pilot) == "pz-data"
    await type_text(pilot, amount)
    await pilot.press("tab")
    await type_text(pilot, days)


async def fill(pilot: Pilot[None], amount: str, days: str) -> None:
    """The amount and the term; Enter moves on to the instruction, the account, and submits
    from the last field."""
    await type_amount_and_term(pilot, amount, days)
    await press(pilot, "enter", "enter", "enter")


async def test_open_a_poliza_with_the_pin_to_its_receipt(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, "00104721")["00104721"]
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_polizas(pilot)
        assert table_rows(pilot, "#pz-table") == [
            [
                "POL-0000001",
                "$5.000,00",
                "6,00 %",
                "180",
                pilot.app.screen.polizas[0].maturity_date.strftime("%d/%m/%Y"),
                "$150,00",
            ]
        ]
        assert "Al vencer recibe $5.147,00" in text_of(pilot, "#pz-detail")
        assert cut_off(pilot) == []
        await fill(pilot, "1000", "90")
        assert step(pilot) == "pz-confirm"
        summary = text_of(pilot, "#pz-summary")
        assert "Monto:          $1.000,00" in summary
        assert "Tasa 5,25 %" in summary and "interés $13,13" in summary
        assert "total al vencer $1.012,87" in summary
        assert "Al vencimiento: No renovar: todo a la cuenta" in summary  # the default
        assert cut_off(pilot) == []
        await press(pilot, "enter")  # CONFIRMAR
        assert step(pilot) == "pz-pin"
        pin = last_pin(seeded_db, "demo")
        await type_pin(pilot, wrong_pin(seeded_db, "demo"))
        assert step(pilot) == "pz-pin"  # a wrong PIN stays, with the attempts left
        entry = app.screen.pin_entry
        assert "no es correcto" in entry.error and "2" in entry.error
        assert balances(seeded_db, "00104721")["00104721"] == before  # nothing moved yet
        await type_pin(pilot, pin)
        assert step(pilot) == "pz-done"
        receipt = text_of(pilot, "#pz-receipt")
        assert "COMPROBANTE DE APERTURA DE PÓLIZA" in receipt
        assert "POL-0000002" in receipt and "Total al vencer:   $1.012,87" in receipt
        assert "LISTO!" in screen_text(pilot)
        assert cut_off(pilot) == []
        await press(pilot, "enter")  # VOLVER AL INICIO
        assert isinstance(app.screen, DashboardScreen)
    assert balances(seeded_db, "00104721")["00104721"] == before - 100_000
    assert rows(seeded_db, "SELECT status FROM polizas WHERE id = 2") == [("completada",)]
    assert_ledger_ok(seeded_db)


@pytest.mark.parametrize(
    ("amount", "days", "selector", "reason"),
    [
        ("99", "90", "#pz-field-amount-cents", "mínimo de una póliza es $100,00"),
        ("99999", "90", "#pz-field-amount-cents", "Saldo disponible insuficiente"),
        ("1000", "30", "#pz-field-term-days", "de 31 a 1800"),
        ("1000", "9x", "#pz-field-term-days", "de 31 a 1800"),
    ],
)
async def test_bad_input_is_said_where_typed_and_changes_nothing(
    demo_app, seeded_db, clock, tmp_path, amount, days, selector, reason
):
    before = rows(seeded_db, "SELECT COUNT(*) FROM polizas")
    async with demo_logged_in(demo_app, clock, tmp_path) as (_app, pilot):
        await open_polizas(pilot)
        await fill(pilot, amount, days)
        assert step(pilot) == "pz-data"
        assert reason in field(pilot, selector).error
    assert rows(seeded_db, "SELECT COUNT(*) FROM polizas") == before


async def test_the_simulator_shows_interest_and_total_without_opening(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_polizas(pilot)
        await type_amount_and_term(pilot, "2500", "365")
        app.screen.query_one("#pz-simulate").focus()
        await press(pilot, "enter")  # SIMULAR
        assert step(pilot) == "pz-data"
        simulated = text_of(pilot, "#pz-simulation")
        # 2.500 x 7,50 % x 365 / 360 = 190,10; 2 % withheld = 3,80
        assert "Tasa 7,50 %" in simulated and "interés $190,10" in simulated
        assert "$3,80" in simulated and "total al vencer $2.686,30" in simulated
    assert rows(seeded_db, "SELECT COUNT(*) FROM polizas") == [(1,)]


async def test_in_english(demo_app, seeded_db, clock, tmp_path, english):
    async with demo_logged_in(demo_app, clock, tmp_path) as (_app, pilot):
        await open_polizas(pilot)
        shown = screen_text(pilot)
        assert "OPEN" in shown or "Open" in shown
        assert "PÓLIZAS (DEPÓSITOS" not in shown


async def test_the_renewal_instruction_is_chosen_with_the_arrows(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (_app, pilot):
        await open_polizas(pilot)
        await type_amount_and_term(pilot, "500", "181")
        await press(pilot, "enter", "down", "enter", "enter")
        assert step(pilot) == "pz-confirm"
        summary = text_of(pilot, "#pz-summary")
        assert "Al vencimiento: Renovar el capital; intereses a la cuenta" in summary
        assert "Tasa 7,00 %" in summary
