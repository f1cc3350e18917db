"""The teller's counter at 80x24 against the real server, keys only: open the drawer, search a
socio (accents, the 1/9 rule), open its file with a reason, deposit with the receipt saved (no
printer configured) and the message saying where, a withdrawal with the wrong ID refused beside
the field, and the cuadre with its difference."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from mock_server.domain.clock import ManualClock
from sjvirtual_tui.screens.cash_drawer import CashDrawerScreen
from sjvirtual_tui.screens.counter import CounterScreen
from sjvirtual_tui.screens.member_file import MemberFileScreen
from sjvirtual_tui.screens.member_search import MemberSearchScreen, ReasonScreen
from tests.database import rows, scalar
from tests.tui import screen_text, table_rows, text_of
from tests.tui.steps import press, staff_logged_in, submit, type_each


def balance(db: Path, number: str) -> int:
    return int(scalar(db, "SELECT balance_cents FROM accounts WHERE number = ?", number))


async def open_drawer(pilot: Pilot[None], opening_float: str) -> None:
    """F8 CUADRE DE CAJA on a closed drawer: the float typed and Enter opens it."""
    await press(pilot, "f8")
    assert isinstance(pilot.app.screen, CashDrawerScreen)
    assert "Su caja está cerrada" in text_of(pilot, "#drawer-text")
    await submit(pilot, opening_float)


async def counter_operation(pilot: Pilot[None], key: str, amount: str, who: str) -> None:
    """From the socio's file, F6 DEPÓSITO or F7 RETIRO: the amount, then the depositor's name or
    the holder's cédula, and Enter on CONFIRMAR's question (yes)."""
    await press(pilot, key)
    assert isinstance(pilot.app.screen, CounterScreen)
    await type_each(pilot, amount, who)
    await press(pilot, "enter")  # yes


async def test_open_search_file_deposit_and_withdraw(
    server_app, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    before = balance(seeded_db, "00105349")
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        footer = screen_text(pilot).splitlines()[-1]
        assert "f11 Buscar" in footer and "f8 Caja" in footer and "^o Montos" in footer

        # The drawer is opened with its float (F8, CUADRE DE CAJA).
        await open_drawer(pilot, "500")
        assert "Fondo inicial" in text_of(pilot, "#drawer-text")
        assert "$500,00" in text_of(pilot, "#drawer-text")
        await press(pilot, "escape")

        # F11 BUSCAR SOCIO: by name, without accents.
        await press(pilot, "f11")
        assert isinstance(app.screen, MemberSearchScreen)
        await submit(pilot, "pillajo tituana")
        assert table_rows(pilot, "#search-results") == [
            ["1704567898", "Carlos Andrés Pillajo Tituaña", "socio2", "00105349"]
        ]
        # The 29-character name does not fit its column: the line under the table, drawn at
        # 80 columns, names the highlighted socio in full with every account.
        shown = [line.strip() for line in screen_text(pilot).splitlines()]
        detail = shown.index("Carlos Andrés Pillajo Tituaña (Persona) · 1704567898")
        assert shown[detail + 1] == "usuario socio2 · tel. 0915838662 · Cuentas: 00105349"
        # Then by the registered account number (the 1/9 prefix rule).
        app.screen.query_one("#ms-input-q").focus()
        app.screen.query_one("#ms-input-q").value = ""
        await submit(pilot, "1105349")
        assert [r[1] for r in table_rows(pilot, "#search-results")] == [
            "Carlos Andrés Pillajo Tituaña"
        ]
        assert "cuenta" in text_of(pilot, "#search-summary")
        assert text_of(pilot, "#search-summary").startswith("1 socio con «1105349»")

        # Enter on the socio asks why; too short a reason is refused where it was typed.
        await press(pilot, "enter")
        assert isinstance(app.screen, ReasonScreen)
        # Centred, and its input whole inside the box at 80 columns (not cut at the edge).
        box = app.screen.query_one("#reason-box").region
        field = app.screen.query_one("#ms-input-reason").region
        assert box.width == 76 and abs(box.x - (80 - box.right)) <= 1
        assert box.contains_region(field) and field.right < box.right - 1 and field.width >= 40
        await submit(pilot, "ver")
        assert isinstance(app.screen, ReasonScreen)
        await submit(pilot, " saldo en ventanilla")
        assert isinstance(app.screen, MemberFileScreen)
        shown = text_of(pilot, "#member-file-text")
        assert "Carlos Andrés Pillajo Tituaña" in shown
        assert "00105349" in shown and "ÚLTIMOS MOVIMIENTOS" in shown
        assert "usuario socio2" in shown
        assert rows(
            seeded_db, "SELECT actor, action, reason FROM audit_log WHERE action = 'member.view'"
        ) == [("cajero", "member.view", "ver saldo en ventanilla")]

        # F6 DEPÓSITO: the account comes from the file; amount, depositor, CONFIRMAR.
        await counter_operation(pilot, "f6", "25,50", "Ana León")
        receipt = text_of(pilot, "#counter-receipt")
        saved = tmp_path / "comprobante-CAJ-0000001.txt"
        assert f"Sin impresora configurada: comprobante guardado en:\n{saved}" in receipt
        assert "COMPROBANTE DE VENTANILLA" in receipt and "$25,50" in receipt
        assert "Ana León" in saved.read_text(encoding="utf-8")
        # The toast names the file only: the whole path would wrap mid-name in its box.
        assert [n.message for n in app._notifications] == [
            "Comprobante guardado: comprobante-CAJ-0000001.txt"
        ]
        await press(pilot, "escape")

        # F7 RETIRO with another socio's cédula: refused beside the field, nothing moves.
        await counter_operation(pilot, "f7", "10", "1712345675")
        field = app.screen.query_one("#c-field-identification")
        assert "no es la del titular" in field.error
    after = balance(seeded_db, "00105349")
    assert after == before + 2_550


async def test_cuadre_de_caja_records_the_difference(
    server_app, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    async with staff_logged_in(server_app, clock, tmp_path) as (_app, pilot):
        await open_drawer(pilot, "200")
        await submit(pilot, "199,50")
        await press(pilot, "enter")  # yes
        shown = text_of(pilot, "#drawer-text")
        assert "Total contado" in shown and "$199,50" in shown
        assert "-$0,50" in shown and "faltante" in shown
        assert "Su caja está cerrada" in shown
    assert rows(
        seeded_db,
        "SELECT opening_float_cents, expected_cents, counted_cents, difference_cents "
        "FROM cash_drawer_sessions",
    ) == [(20_000, 20_000, 19_950, -50)]


async def test_withdrawals_paid_and_pending_approval(
    server_app, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    before = balance(seeded_db, "00104721")
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await open_drawer(pilot, "1000")
        await press(pilot, "escape")
        await press(pilot, "f11")
        await submit(pilot, "1712345675")  # the cédula
        assert [r[0] for r in table_rows(pilot, "#search-results")] == ["1712345675"]
        await press(pilot, "enter")
        await submit(pilot, "Retiro en ventanilla")
        assert isinstance(app.screen, MemberFileScreen)

        # A withdrawal the teller pays at once: the receipt has a line to sign.
        await counter_operation(pilot, "f7", "40", "1712345675")
        receipt = text_of(pilot, "#counter-receipt")
        assert "Retiro en efectivo" in receipt and "$40,00" in receipt
        assert "Firma del socio" in receipt
        await press(pilot, "escape")

        # Above $1.000,00 it waits for a supervisor: nothing is paid.
        await counter_operation(pilot, "f7", "1500", "1712345675")
        shown = text_of(pilot, "#counter-receipt")
        assert "PENDIENTE DE APROBACIÓN" in shown and "no entregue el dinero" in shown
    after = balance(seeded_db, "00104721")
    assert after == before - 4_000
    assert rows(
        seeded_db, "SELECT kind, amount_cents, status FROM counter_operations ORDER BY id"
    ) == [("retiro", 4_000, "completada"), ("retiro", 150_000, "pendiente_aprobacion")]
