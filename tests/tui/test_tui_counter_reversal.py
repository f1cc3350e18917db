"""The reversal of a counter operation at 80x24 against the real server (issue 18, four eyes):
the teller selects a deposit in CUADRE DE CAJA (F8), F7 asks for its reversal with a reason and
the row shows PENDIENTE; a supervisor finds it in the queue (F12) with its one-line summary and
approves it; the teller's drawer then shows it REVERSADA and the expected total without it."""

from __future__ import annotations

from pathlib import Path

from mock_server.domain.clock import ManualClock
from sjvirtual_tui.models import CashDepositRequest
from sjvirtual_tui.screens.cash_drawer import CashDrawerScreen
from sjvirtual_tui.screens.member_search import ReasonScreen
from sjvirtual_tui.screens.supervisor import SupervisorScreen
from tests.api import ledger_problems_of
from tests.database import rows
from tests.tui import screen_text, table_rows, text_of
from tests.tui.steps import press, staff_logged_in, submit
from tests.tui.test_tui_teller_counter import balance, open_drawer

ACCOUNT = "00105349"


async def test_a_teller_asks_and_a_supervisor_approves_a_reversal(
    server_app, seeded_db: Path, clock: ManualClock, tmp_path: Path
) -> None:
    before = balance(seeded_db, ACCOUNT)
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await open_drawer(pilot, "500")
        # Two deposits at the counter (the counter screen's own walk is tested elsewhere).
        for cents, key in ((2_550, "a" * 32), (1_000, "b" * 32)):
            await app.backend.cash_deposit(
                CashDepositRequest(account=ACCOUNT, amount_cents=cents, depositor="Ana León"),
                idempotency_key=key,
            )
        await press(pilot, "f5")
        assert table_rows(pilot, "#drawer-ops") == [
            ["CAJ-0000001", "Depósito", ACCOUNT, "$25,50", "hecha"],
            ["CAJ-0000002", "Depósito", ACCOUNT, "$10,00", "hecha"],
        ]
        footer = screen_text(pilot).splitlines()[-1]
        assert "f7 Reversar" in footer and "esc Volver" in footer
        # The first one selected, F7 asks why (too short is refused where it was typed).
        app.screen.query_one("#drawer-ops").focus()
        await pilot.press("home")
        await press(pilot, "f7")
        assert isinstance(app.screen, ReasonScreen)
        assert "Reverso del depósito CAJ-0000001 de $25,50" in screen_text(pilot)
        await submit(pilot, "mal")
        assert isinstance(app.screen, ReasonScreen)
        await submit(pilot, " digitada la cuenta")
        assert isinstance(app.screen, CashDrawerScreen)
        assert table_rows(pilot, "#drawer-ops")[0][4] == "PENDIENTE reverso"
        assert "espera la aprobación de un supervisor" in screen_text(pilot)
    assert balance(seeded_db, ACCOUNT) == before + 3_550
    assert rows(seeded_db, "SELECT status, reason FROM counter_reversals") == [
        ("pendiente", "mal digitada la cuenta")
    ]

    async with staff_logged_in(server_app, clock, tmp_path, "supervisor") as (app, pilot):
        await press(pilot, "f12")
        assert isinstance(app.screen, SupervisorScreen)
        queue = table_rows(pilot, "#approvals")
        assert [row[1:4] for row in queue] == [
            ["Restablecer seguridad", "masivo", "cajero"],
            ["Reverso de operación", "socio2", "cajero"],
        ]
        await press(pilot, "down")
        detail = text_of(pilot, "#approval-detail")
        assert "Reverso del depósito CAJ-0000001: $25,50, cuenta 00105349" in detail
        assert "mal digitada la cuenta" in detail
        await press(pilot, "a")  # APROBAR
        await press(pilot, "enter")
        assert [row[1] for row in table_rows(pilot, "#approvals")] == ["Restablecer seguridad"]
    assert balance(seeded_db, ACCOUNT) == before + 1_000
    assert rows(seeded_db, "SELECT status, decided_by FROM counter_reversals") == [
        ("reversada", "supervisor")
    ]
    assert ledger_problems_of(seeded_db) == []

    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f8")
        assert table_rows(pilot, "#drawer-ops")[0][4] == "REVERSADA"
        shown = text_of(pilot, "#drawer-text")
        assert "Reversos (1)" in shown and "-$25,50" in shown
        assert "$510,00" in shown  # 500 + 25,50 + 10 - 25,50
        # A reversed operation is not asked again.
        app.screen.query_one("#drawer-ops").focus()
        await pilot.press("home")
        await press(pilot, "f7")
        assert isinstance(app.screen, CashDrawerScreen)
