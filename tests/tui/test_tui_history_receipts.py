"""What a member reads after operating, at 80x24 against the real FastAPI app: the F4 history of
transfers and payments, a rejected transfer's receipt, and a statement movement's detail line."""

from __future__ import annotations

import re

from textual.pilot import Pilot
from textual.widgets import DataTable

from sjvirtual_tui.formatting import money
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.statement import StatementScreen
from sjvirtual_tui.screens.transfer_history import ReceiptScreen, TransferHistoryScreen
from tests.tui import screen_text, table_rows, text_of
from tests.tui.steps import demo_logged_in, press, submit
from tests.tui.test_tui_payments import enter_pin, open_services, pick_biller
from tests.tui.test_tui_transfers import (
    confirm_with_pin,
    new_transfer,
    step,
)


async def transfer_between_own_accounts(pilot: Pilot[None], amount: str) -> str:
    await new_transfer(pilot, "propias", "00104721", "00204722", amount, "Ahorro")
    await press(pilot, "enter")  # CONFIRMAR: no PIN between own accounts
    assert step(pilot) == "tr-done"
    reference = str(pilot.app.screen.transfer.reference)  # type: ignore[attr-defined]
    await press(pilot, "enter")  # VOLVER AL INICIO
    return reference


async def pay_the_water_bill(pilot: Pilot[None], db: object) -> str:
    await open_services(pilot)
    await pick_biller(pilot, "epmaps", "EPMAPS Agua Quito")
    await submit(pilot, "4567890", "enter")  # the reference, then CONSULTAR (no name to save)
    assert step(pilot) == "sv-bill"
    await press(pilot, "enter")  # SIGUIENTE
    await press(pilot, "enter")  # CONFIRMAR
    await enter_pin(pilot, db)  # type: ignore[arg-type]
    assert step(pilot) == "sv-done"
    reference = str(pilot.app.screen.payment.reference)  # type: ignore[attr-defined]
    await press(pilot, "enter")
    return reference


async def test_history_lists_a_transfer_and_a_payment_sharing_an_id(
    demo_app, seeded_db, clock, tmp_path
):
    """The seed has no operations: the first transfer and the first payment are both id 1."""
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        transfer = await transfer_between_own_accounts(pilot, "10")
        payment = await pay_the_water_bill(pilot, seeded_db)
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "f4")
        assert isinstance(app.screen, TransferHistoryScreen)
        assert {op.id for op in app.screen.transfers} == {1}  # the same number, both kinds
        rows = table_rows(pilot, "#transfer-table")
        assert sorted(r[1] for r in rows) == sorted([transfer, payment])
        # Enter on each row opens that row's own receipt.
        for index, row in enumerate(rows):
            app.screen.query_one("#transfer-table", DataTable).move_cursor(row=index)
            await press(pilot, "enter")
            assert isinstance(app.screen, ReceiptScreen)
            receipt = text_of(pilot, "#receipt-text")
            title = "COMPROBANTE DE PAGO" if row[1] == payment else "COMPROBANTE DE TRANSFERENCIA"
            assert receipt.startswith(title) and row[1] in receipt
            await press(pilot, "escape")
            assert isinstance(app.screen, TransferHistoryScreen)


async def test_a_rejected_transfers_reason_is_on_screen_at_80x24(
    demo_app, seeded_db, clock, tmp_path
):
    """Diego Andrade's account at Produbanco is closed: the clearing sends the money back."""
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await new_transfer(pilot, "interbancarias", "00104721", "Produbanco", "30", "Cuota")
        await confirm_with_pin(pilot, seeded_db)
        reference = app.screen.transfer.reference
        await press(pilot, "enter")
        clock.advance(120)  # past the clearing delay
        await press(pilot, "f4")
        rows = table_rows(pilot, "#transfer-table")
        assert [r[4] for r in rows if r[1] == reference] == ["Rechazada"]
        await press(pilot, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        shown = screen_text(pilot)  # the 24 lines a member sees, nothing scrolled
        reason = "Produbanco rechazó la transferencia: la cuenta destino está cerrada."
        assert reason in app.screen.transfer.reason
        assert re.search(r"Motivo: +Produbanco rechazó la transferencia", shown), shown
        assert reference in shown and "Rechazada" in shown
        # A reason longer than the line goes on under itself, not under the labels.
        body = text_of(pilot, "#receipt-text").splitlines()[3:]
        assert all(re.match(r"[^ ][^:]*: +\S|  +\S", line) for line in body), body


async def test_a_movements_detail_shows_its_reference_once_and_the_whole_amount(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        reference = await transfer_between_own_accounts(pilot, "1.234,56")
        await press(pilot, "enter")  # ESTADO DE CUENTA of the first account
        assert isinstance(app.screen, StatementScreen)
        newest = app.screen.movements[0]
        assert newest.reference == reference and reference in newest.description
        status = text_of(pilot, "#statement-status")
        shown = screen_text(pilot)  # as drawn: what does not fit the 80 columns is not here
        detail = shown[shown.index("Movimiento 1 de") :]
        assert detail.count(reference) == 1, detail
        assert money(-123456) == "-$1.234,56"
        assert "-$1.234,56" in detail, detail
        assert "Transferencia a cuenta propia 00204722" in detail, detail
        assert status.count(reference) == 1
