"""Pilot walks at 80x24 of PAGO DE SERVICIOS and PAGO DE TARJETAS (own and of another
institution) against the real FastAPI app, with the PIN read from the server's outbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from sjvirtual_tui.screens.cards import CardPaymentScreen
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.services import ServicePaymentScreen
from sjvirtual_tui.screens.transfer_history import TransferHistoryScreen
from tests.tui import field, running, settle, table_rows, text_of
from tests.tui.steps import demo_logged_in, open_as_demo, open_wizard, press, submit, type_text
from tests.tui.test_tui_transfers import assert_ledger_ok, balances, choose, last_pin, step


def bill_status(db: Path, biller: str, reference: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT status FROM bills WHERE biller_code = ? AND reference = ? ORDER BY id",
            (biller, reference),
        ).fetchall()
    return [status for (status,) in rows]


async def open_services(pilot: Pilot[None]) -> ServicePaymentScreen:
    return await open_wizard(pilot, "f6", ServicePaymentScreen, "sv-biller")


async def pick_biller(pilot: Pilot[None], search: str, name: str) -> None:
    """Types in the search box, goes to the list (Enter) and takes the biller named ``name``."""
    await type_text(pilot, search)
    await pilot.press("enter")
    rows = table_rows(pilot, "#sv-billers")
    index = next(i for i, row in enumerate(rows) if row[0] == name)
    await press(pilot, *(["down"] * index), "enter")
    assert step(pilot) == "sv-reference"


async def consult(pilot: Pilot[None], reference: str, *, save_as: str) -> None:
    """Types the bill's reference and an alias to keep it under, then CONSULTAR: the bill."""
    await type_text(pilot, reference)
    await pilot.press("enter")
    await submit(pilot, save_as)  # CONSULTAR
    assert step(pilot) == "sv-bill"


async def enter_pin(pilot: Pilot[None], db: Path) -> None:
    await submit(pilot, last_pin(db, "demo"))


async def test_pay_a_bill_save_it_as_frequent_and_find_nothing_pending_after(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, "00104721")["00104721"]
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_services(pilot)
        await type_text(pilot, "agua")
        names = [row[0] for row in table_rows(pilot, "#sv-billers")]
        assert names == ["EPMAPS Agua Quito", "Interagua Guayaquil"]  # searched by name/category
        for _ in "agua":
            await pilot.press("backspace")
        await pick_biller(pilot, "epmaps", "EPMAPS Agua Quito")
        assert "Número de cuenta" in field(pilot, "#sv-field-reference").label
        await consult(pilot, "4567890", save_as="Agua casa")
        bill = text_of(pilot, "#sv-bill-text")
        assert "Valor pendiente: $18,73" in bill
        assert "Titular: M**** F******* G***** Q*****" in bill  # partly masked
        amount = field(pilot, "#sv-field-amount-cents")
        assert amount.value == "18,73" and amount.input.disabled  # exact amount only
        await press(pilot, "enter")  # SIGUIENTE has the focus
        assert step(pilot) == "sv-confirm"
        assert "Valor a pagar:  $18,73" in text_of(pilot, "#sv-summary")
        await press(pilot, "enter")  # CONFIRMAR
        assert step(pilot) == "sv-pin"
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "sv-done"
        receipt = text_of(pilot, "#sv-receipt")
        assert "COMPROBANTE DE PAGO" in receipt and "Monto:" in receipt and "$18,73" in receipt
        assert "Estado:" in receipt and "Completada" in receipt
        await pilot.press("f2")
        assert (
            Path(app.screen.receipt_path)
            .read_text(encoding="utf-8")
            .startswith("COMPROBANTE DE PAGO")
        )
        await press(pilot, "enter")  # VOLVER AL INICIO
        assert isinstance(app.screen, DashboardScreen)

        # The saved service pays again in two keys: Enter on it consults straight away;
        # the bill was paid, so the server says nothing is pending.
        await open_services(pilot)
        frequent = table_rows(pilot, "#sv-frequent")
        assert frequent == [["Agua casa", "EPMAPS Agua Quito", "4567890"]]
        app.screen.query_one("#sv-frequent", DataTable).focus()
        await press(pilot, "enter")
        assert step(pilot) == "sv-biller"
        assert "no tiene valores pendientes" in text_of(pilot, "#problem")
    assert bill_status(seeded_db, "EPMAPS", "4567890") == ["pagada"]
    assert balances(seeded_db, "00104721")["00104721"] == before - 1873
    assert_ledger_ok(seeded_db)


async def test_a_reference_is_checked_where_it_is_typed(demo_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(demo_app, clock, tmp_path) as (_app, pilot):
        await open_services(pilot)
        await pick_biller(pilot, "epmaps", "EPMAPS Agua Quito")
        reference = field(pilot, "#sv-field-reference")
        for typed, reason in [
            ("12ab", "de 6 a 10 dígitos"),  # the biller's format, before any request
            ("9999999", "no"),  # unknown to the biller (from the server)
            ("1234567", "no tiene valores pendientes"),  # paid at a branch
        ]:
            reference.value = typed
            reference.input.focus()
            await press(pilot, "enter", "enter")
            assert step(pilot) == "sv-reference", typed
            assert reason in reference.error, (typed, reference.error)


async def test_pay_the_total_of_an_own_card(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, "00104721", "00204722")
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f7")
        assert isinstance(app.screen, CardPaymentScreen)
        rows = table_rows(pilot, "#cd-cards")
        assert rows[0][:3] == ["Visa **** 4521", "$845,30", "$42,27"]
        assert rows[-1][0] == "Otra institución…"
        await press(pilot, "enter")  # the Visa
        assert step(pilot) == "cd-data"
        await pilot.press("down", "enter")  # Pago total
        await choose(pilot, "#cd-from", "00204722")  # the last field: choosing it is SIGUIENTE
        await settle(pilot)
        assert step(pilot) == "cd-confirm"
        assert "Valor a pagar:  $845,30" in text_of(pilot, "#cd-summary")
        await press(pilot, "enter")
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "cd-done"
        assert "Completada" in text_of(pilot, "#cd-receipt")
        await press(pilot, "enter")
        await press(pilot, "f7")  # the card now owes nothing of its last statement
        assert table_rows(pilot, "#cd-cards")[0][1:3] == ["$0,00", "$0,00"]
    assert balances(seeded_db, "00104721", "00204722") == {
        "00104721": before["00104721"],
        "00204722": before["00204722"] - 84530,
    }
    assert_ledger_ok(seeded_db)


async def test_a_card_of_another_institution_is_en_proceso_then_settled(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, "00104721")["00104721"]
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f7")
        await press(pilot, "end", "enter")  # Otra institución…
        await choose(pilot, "#cd-issuer", "Visa Banco Pichincha")
        number = field(pilot, "#cde-field-card-number")
        number.input.focus()
        await type_text(pilot, "4111111111111112")  # a wrong check digit
        await pilot.press("enter")
        assert "no es válido" in number.error
        number.value = ""
        await type_text(pilot, "5555555555554444")  # valid, but a Mastercard
        await pilot.press("enter")
        assert "Visa" in number.error
        number.value = ""
        await type_text(pilot, "4111 1111 1111 1111")
        await pilot.press("enter")
        await type_text(pilot, "Ana Lucía Tipán")
        await pilot.press("enter")
        await type_text(pilot, "50")
        await pilot.press("enter")
        await press(pilot, "enter")  # the account ORIGEN, already chosen: SIGUIENTE
        assert step(pilot) == "cd-confirm"
        summary = text_of(pilot, "#cd-summary")
        assert "**** **** **** 1111" in summary and "4111 1111" not in summary
        await press(pilot, "enter")
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "cd-done"
        assert "En proceso" in text_of(pilot, "#cd-receipt")
        reference = app.screen.payment.reference
        await press(pilot, "enter")
        clock.advance(120)
        await press(pilot, "f4")
        assert isinstance(app.screen, TransferHistoryScreen)
        row = next(r for r in table_rows(pilot, "#transfer-table") if r[1] == reference)
        assert row[4] == "Completada"
    assert balances(seeded_db, "00104721")["00104721"] == before - 5000
    assert_ledger_ok(seeded_db)
