"""PRÉSTAMOS at 80x24 against the real app, keys only: the list of the member's loans (demo's
has one instalment overdue), the amortization table and the simulator (es, en, NO_COLOR)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from textual.pilot import Pilot
from textual.widgets import DataTable

from mock_server.domain.clock import ManualClock
from sjvirtual_tui.app import SJVirtualApp
from sjvirtual_tui.appearance import detect_appearance
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.loans import (
    LoanPaymentScreen,
    LoanSimulatorScreen,
    LoansScreen,
    LoanTableScreen,
)
from sjvirtual_tui.widgets.money_input import MoneyInput
from tests.database import rows
from tests.tui import SIZE, make_app, screen_text, settle, table_rows, text_of
from tests.tui.steps import demo_logged_in, login, press, submit, type_each
from tests.tui.test_tui_payments import enter_pin
from tests.tui.test_tui_transfers import choose, step


async def open_loans(pilot: Pilot[None]) -> None:
    await press(pilot, "p")
    assert isinstance(pilot.app.screen, LoansScreen)


@asynccontextmanager
async def at_loans(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[tuple[SJVirtualApp, Pilot[None]]]:
    """The demo member logged in, on PRÉSTAMOS (P on the dashboard)."""
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_loans(pilot)
        yield app, pilot


async def simulate(pilot: Pilot[None], product: str, amount: str, months: str) -> None:
    await press(pilot, "s")
    assert isinstance(pilot.app.screen, LoanSimulatorScreen)
    await choose(pilot, "#sim-product", product)
    await settle(pilot)
    await type_each(pilot, amount, months)


async def test_the_list_shows_the_overdue_loan(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        assert "P PRÉSTAMOS" in screen_text(pilot)  # in the dashboard's MENÚ
        await open_loans(pilot)
        assert table_rows(pilot, "#loan-table") == [
            ["Crédito de consumo", "$5.000,00", "15,00 %", "24 m", "$4.077,57", "12 d"]
        ]
        detail = text_of(pilot, "#loan-detail")
        assert "Próxima cuota: $242,43, vence el 13/11/2026." in detail
        assert "EN MORA: 12 días de atraso; vencido hoy $243,58" in detail
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_enter_opens_the_amortization_table(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, LoanTableScreen)
        rows = table_rows(pilot, "#amortization-table")
        assert len(rows) == 24
        assert rows[0] == [
            "1",
            "13/06/2026",
            "$242,43",
            "$62,50",
            "$179,93",
            "$4.820,07",
            "pagada",
        ]
        assert [row[6] for row in rows[4:7]] == ["pagada", "vencida", "pendiente"]
        assert rows[-1][5] == "$0,00"
        table = app.screen.query_one("#amortization-table", DataTable)
        assert table.cursor_row == 5  # on the overdue instalment
        # The keyboard reaches the last instalment (the table scrolls at 24 lines).
        await press(pilot, "end")
        assert table.cursor_row == 23
        assert "24  13/05/2028" in screen_text(pilot)
        await press(pilot, "escape")
        assert isinstance(app.screen, LoansScreen)


async def test_the_simulator_draws_the_french_table(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        await simulate(pilot, "consumo", "5000", "12")
        # $5.000 at 15 % over 12 months: M = P·r(1+r)^n/((1+r)^n−1) = $451,29.
        assert text_of(pilot, "#sim-summary").startswith(
            "Cuota fija: $451,29 al 15,00 % anual, 12 meses."
        )
        rows = table_rows(pilot, "#sim-table")
        assert len(rows) == 12
        assert rows[0][:4] == ["1", "$451,29", "$62,50", "$388,79"]
        assert rows[-1][4] == "$0,00"
        await press(pilot, "escape")
        assert isinstance(app.screen, LoansScreen)


async def test_the_simulator_refuses_bad_input_where_typed(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path
) -> None:
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        await simulate(pilot, "consumo", "5000", "72")
        assert (
            text_of(pilot, "#sim-field-months .form-error")
            == "Plazo: escriba un número de meses entre 3 y 60."
        )
        assert not app.screen.query_one("#sim-table").display  # nothing simulated
        # The amount off the product's bounds: said beside the amount.
        await press(pilot, "backspace", "backspace", "1", "2")
        assert not app.screen.query_one("#sim-field-months .form-error").display  # fixed
        amount = app.screen.query_one("#sim-input-amount-cents")
        amount.focus()
        await pilot.press(*["backspace"] * 10)
        await submit(pilot, "100", "enter")
        assert (
            text_of(pilot, "#sim-field-amount-cents .form-error")
            == "Monto: escriba un valor entre $500,00 y $30.000,00."
        )
        assert not app.screen.query_one("#sim-table").display


async def test_loans_in_english_without_colour(
    demo_app: FastAPI, clock: ManualClock, tmp_path: Path, english: None
) -> None:
    env = {"TERM": "xterm-256color", "NO_COLOR": "1"}
    app = make_app(demo_app, tmp_path, clock.now, appearance=detect_appearance(None, env))
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        assert "P LOANS" in screen_text(pilot)
        await open_loans(pilot)
        assert table_rows(pilot, "#loan-table")[0][:3] == ["Consumer loan", "$5.000,00", "15,00 %"]
        assert "IN ARREARS: 12 days late" in text_of(pilot, "#loan-detail")
        await press(pilot, "enter")
        assert table_rows(pilot, "#amortization-table")[5][6] == "overdue"
        await press(pilot, "escape")
        await simulate(pilot, "Home loan", "200000", "360")
        # The published figure: $200,000 at 9 % for 30 years -> $1,609.25 a month.
        assert text_of(pilot, "#sim-summary").startswith("Fixed instalment: $1.609,25 at 9,00 %")
        await press(pilot, "escape")
        await press(pilot, "f2")  # pay: the review in English, what it covers
        await choose(pilot, "#lp-from", "00204722")
        await settle(pilot)
        summary = text_of(pilot, "#lp-summary")
        assert "This payment covers, in this order:" in summary
        assert "Late interest:       $1,15" in summary


async def test_pay_the_overdue_instalment_with_the_pin(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    """F2 on the loan: the amount due today is suggested; the review says what it covers
    before the PIN; the PIN pays it; the list shows the loan up to date."""
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f2")
        assert isinstance(app.screen, LoanPaymentScreen)
        assert app.screen.query_one(MoneyInput).value == "243,58"
        await choose(pilot, "#lp-from", "00204722")  # the form's last field: on to the review
        await settle(pilot)
        assert step(pilot) == "lp-confirm"
        summary = text_of(pilot, "#lp-summary")
        assert "Interés de mora:     $1,15" in summary
        assert "Interés:             $50,97" in summary
        assert "Capital vencido:     $191,46" in summary
        assert "Capital anticipado:  $0,00" in summary
        await press(pilot, "enter")  # CONFIRMAR
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "lp-done"
        receipt = text_of(pilot, "#lp-receipt")
        assert "Valor pagado:   $243,58" in receipt
        assert "Guardar comprobante" not in screen_text(pilot)  # the e-mail is the receipt
        await press(pilot, "enter")  # VOLVER AL INICIO
        assert isinstance(app.screen, LoansScreen)
        assert table_rows(pilot, "#loan-table")[0][4:] == ["$3.886,11", "0 d"]
        assert "EN MORA" not in text_of(pilot, "#loan-detail")


async def test_more_than_the_debt_is_refused_where_typed(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f2")
        amount = app.screen.query_one(MoneyInput)
        amount.value = "9.000,00"
        await choose(pilot, "#lp-from", "00204722")  # the form's last field: on to the review
        await settle(pilot)
        assert step(pilot) == "lp-data"
        assert amount.error == (
            "Monto: lo máximo que puede pagar hoy es $4.149,12, el valor que cancela todo el"
            " préstamo."
        )
        assert rows(seeded_db, "SELECT COUNT(*) FROM loan_payments") == [(0,)]


async def test_pay_off_the_whole_loan_with_the_pin(
    demo_app: FastAPI, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    """The list and the payment say the payoff for today; its button fills it in; the review
    says the later interest it waives and that it cancels the loan, before the PIN; after it
    the loan is cancelado."""
    async with at_loans(demo_app, clock, tmp_path) as (app, pilot):
        assert "Para cancelar todo el préstamo hoy: $4.149,12." in text_of(pilot, "#loan-detail")
        await press(pilot, "f2")
        amount = app.screen.query_one(MoneyInput)
        assert amount.value == "243,58"
        assert "CANCELAR TODO $4.149,12" in screen_text(pilot)
        await pilot.press("shift+tab")  # from the amount to the payoff's button
        await press(pilot, "enter")
        assert amount.value == "4.149,12"
        assert amount.input.has_focus
        await press(pilot, "shift+tab", "shift+tab", "enter")  # the instalment's button
        assert amount.value == "243,58"
        await press(pilot, "shift+tab", "enter")
        assert amount.value == "4.149,12"
        await choose(pilot, "#lp-from", "00204722")
        await settle(pilot)
        assert step(pilot) == "lp-confirm"
        summary = text_of(pilot, "#lp-summary")
        assert "Interés:             $70,40" in summary  # 50,97 due + 19,43 accrued
        assert "Capital anticipado:  $3.886,11" in summary
        assert "Con este pago su préstamo queda cancelado." in summary
        assert "Interés que ya no pagará:" in summary
        assert rows(seeded_db, "SELECT COUNT(*) FROM loan_payments") == [(0,)]
        await press(pilot, "enter")  # CONFIRMAR
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "lp-done"
        assert "Valor pagado:   $4.149,12" in text_of(pilot, "#lp-receipt")
        await press(pilot, "enter")  # VOLVER AL INICIO
        assert isinstance(app.screen, LoansScreen)
        assert table_rows(pilot, "#loan-table")[0][4:] == ["$0,00", "0 d"]
        assert text_of(pilot, "#loan-detail") == "Préstamo cancelado: no tiene cuotas por pagar."
        assert rows(seeded_db, "SELECT status FROM loans WHERE id = 1") == [("cancelado",)]
