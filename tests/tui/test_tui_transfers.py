"""Pilot walks at 80x24 of TRANSFERENCIAS (the three kinds) and of REGISTRO DE CUENTAS (both
types), against the real FastAPI app, reading the PIN DE VERIFICACIÓN from the server's outbox."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
from fastapi import FastAPI
from textual.pilot import Pilot
from textual.widgets import Select

from mock_server.domain.ledger import ledger_problems
from sjvirtual_tui.formatting import money
from sjvirtual_tui.screens.beneficiaries import AddBeneficiaryScreen, BeneficiariesScreen
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.transfer_history import ReceiptScreen, TransferHistoryScreen
from sjvirtual_tui.screens.transfers import TransferScreen
from sjvirtual_tui.widgets.pin_entry import PinEntry
from tests.tui import field, running, screen_text, settle, step, table_rows, text_of
from tests.tui.steps import demo_logged_in, login, open_wizard, press, submit, type_each, type_text

PIN = re.compile(r"PIN de verificación: (\d{4})")
DEMO_EMAIL_LIKE = "demo"


def balances(db: Path, *numbers: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            number: conn.execute(
                "SELECT balance_cents FROM accounts WHERE number = ?", (number,)
            ).fetchone()[0]
            for number in numbers
        }


def member_email(db: Path, username: str) -> str:
    with sqlite3.connect(db) as conn:
        (email,) = conn.execute(
            "SELECT email FROM members WHERE username = ?", (username,)
        ).fetchone()
    return str(email)


def last_pin(db: Path, username: str) -> str:
    """The PIN in the newest e-mail to the member, as the member would read it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC",
            (member_email(db, username),),
        ).fetchall()
    for (body,) in rows:
        match = PIN.search(body)
        if match:
            return match.group(1)
    raise AssertionError("no PIN e-mail")


def wrong_pin(db: Path, username: str) -> str:
    """A PIN that is not the one just e-mailed to the member."""
    return "0000" if last_pin(db, username) != "0000" else "1111"


async def type_pin(pilot: Pilot[None], pin: str, times: int = 1) -> None:
    for _ in range(times):
        await submit(pilot, pin)


def outbox_subjects(db: Path, username: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT subject FROM outbox WHERE to_address = ? ORDER BY id",
            (member_email(db, username),),
        ).fetchall()
    return [subject for (subject,) in rows]


def assert_ledger_ok(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert ledger_problems(conn) == []
    finally:
        conn.close()


async def choose(pilot: Pilot[None], selector: str, text: str) -> None:
    """Opens the Select with the keyboard and picks the option whose label contains ``text``
    (or, for an account, whose number it is: the list shows it masked)."""
    select = pilot.app.screen.query_one(selector, Select)
    labels = [str(label) for label, _ in select._options]
    target = next(
        i for i, (label, value) in enumerate(select._options) if text in str(label) or text == value
    )
    select.focus()
    await pilot.press("space")  # opens the list (Enter would move on from a chosen one)
    await pilot.pause()
    current = next(
        (i for i, (_, value) in enumerate(select._options) if value == select.value),
        0,
    )
    moves = target - current
    await pilot.press(*(["down"] * moves if moves > 0 else ["up"] * -moves))
    await pilot.press("enter")
    await pilot.pause()
    assert select.value == select._options[target][1], labels


async def open_transfers(pilot: Pilot[None], kind: str) -> TransferScreen:
    screen = await open_wizard(pilot, "f2", TransferScreen, "tr-kind")
    downs = {"propias": 0, "internas": 1, "interbancarias": 2}[kind]
    screen.query_one("#tr-kinds").focus()
    await press(pilot, *(["down"] * downs), "enter")  # choose the kind: Enter moves on
    assert screen.kind == kind
    assert step(pilot) == "tr-data"
    return screen


async def confirm_with_pin(pilot: Pilot[None], db: Path) -> None:
    """CONFIRMAR, then the PIN e-mailed to the demo member: the transfer's receipt."""
    await press(pilot, "enter")
    await type_pin(pilot, last_pin(db, "demo"))
    assert step(pilot) == "tr-done"


async def demo_to_socio2(pilot: Pilot[None]) -> None:
    """Logs the demo member in and fills a $15 internas transfer to socio2, up to CONFIRMAR."""
    await login(pilot, "demo", "Demo2026")
    await new_transfer(pilot, "internas", "00104721", "1105349", "15", "Cena")


async def fill_transfer(
    pilot: Pilot[None], origin: str, destination: str, amount: str, description: str
) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, TransferScreen)
    await choose(pilot, "#tr-from", origin)
    await choose(pilot, "#tr-to-own" if screen.kind == "propias" else "#tr-to", destination)
    screen.query_one("#tr-input-amount-cents").focus()
    await type_each(pilot, amount, description)  # Enter in the last field is SIGUIENTE


async def new_transfer(
    pilot: Pilot[None], kind: str, origin: str, destination: str, amount: str, description: str
) -> None:
    """From the dashboard: F2, the ``kind`` and its data, up to CONFIRMAR."""
    await open_transfers(pilot, kind)
    await fill_transfer(pilot, origin, destination, amount, description)


# --- transfers --------------------------------------------------------------------------------


async def test_between_own_accounts_needs_no_pin(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, "00104721", "00204722")
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await new_transfer(pilot, "propias", "00104721", "00204722", "25,50", "Ahorro mensual")
        assert step(pilot) == "tr-confirm"
        summary = text_of(pilot, "#tr-summary")
        assert "Monto:         $25,50" in summary and "Ahorro mensual" in summary
        assert "PIN" not in summary
        await press(pilot, "enter")  # CONFIRMAR has the focus
        assert step(pilot) == "tr-done"
        receipt = text_of(pilot, "#tr-receipt")
        assert "Estado:         Completada" in receipt
        assert "Cuenta destino: 00204722" in receipt
        assert "La transferencia fue ingresada con éxito" in text_of(pilot, "#tr-done-text")
        # F2 saves the receipt as a text file.
        await pilot.press("f2")
        saved = Path(app.screen.receipt_path)
        assert saved.parent == tmp_path and saved.read_text(encoding="utf-8").startswith(
            "COMPROBANTE DE TRANSFERENCIA"
        )
        assert app.screen.transfer.reference in saved.read_text(encoding="utf-8")
        await press(pilot, "enter")  # VOLVER AL INICIO: the dashboard shows the new balances
        assert isinstance(app.screen, DashboardScreen)
        rows = {r[0]: r for r in table_rows(pilot, "#accounts")}
        after = balances(seeded_db, "00104721", "00204722")
        assert rows["00204722"][3] == money(after["00204722"])
    assert after == {
        "00104721": before["00104721"] - 2550,
        "00204722": before["00204722"] + 2550,
    }
    assert any("Comprobante de transferencia" in s for s in outbox_subjects(seeded_db, "demo"))
    assert_ledger_ok(seeded_db)


async def test_to_a_third_party_with_the_pin_and_a_wrong_try(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, "00104721", "00105349")
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await new_transfer(pilot, "internas", "00104721", "1105349", "40", "Préstamo")
        assert step(pilot) == "tr-confirm"
        assert "PIN DE VERIFICACIÓN" in text_of(pilot, "#tr-summary")
        await press(pilot, "enter")
        assert step(pilot) == "tr-pin"
        entry = app.screen.query_one(PinEntry)
        assert "Le quedan 3 intentos." in text_of(pilot, ".pin-attempts")
        assert entry.input.password  # masked
        pin = last_pin(seeded_db, "demo")
        await type_pin(pilot, wrong_pin(seeded_db, "demo"))
        assert step(pilot) == "tr-pin"
        assert "no es correcto" in entry.error and "2" in entry.error
        # the server's message says the attempts left: said once, not again below it
        assert screen_text(pilot).count("intentos") == 1
        assert balances(seeded_db, "00104721", "00105349") == before  # nothing moved yet
        await type_pin(pilot, pin)
        assert step(pilot) == "tr-done"
        receipt = text_of(pilot, "#tr-receipt")
        assert "Estado:         Completada" in receipt and "Monto:          $40,00" in receipt
    assert balances(seeded_db, "00104721", "00105349") == {
        "00104721": before["00104721"] - 4000,
        "00105349": before["00105349"] + 4000,
    }
    assert_ledger_ok(seeded_db)


async def test_interbank_is_en_proceso_until_the_clearing_settles_it(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, "00104721")
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await new_transfer(pilot, "interbancarias", "00104721", "Pichincha", "100", "Arriendo")
        await confirm_with_pin(pilot, seeded_db)
        assert "Estado:         En proceso" in text_of(pilot, "#tr-receipt")
        assert "en proceso" in text_of(pilot, "#tr-done-text")
        assert balances(seeded_db, "00104721")["00104721"] == before["00104721"] - 10000
        reference = app.screen.transfer.reference
        await press(pilot, "enter")

        # The history shows it en proceso; after the clearing delay, F5 shows it settled.
        await press(pilot, "f4")
        assert isinstance(app.screen, TransferHistoryScreen)
        row = next(r for r in table_rows(pilot, "#transfer-table") if r[1] == reference)
        assert row[4] == "En proceso"
        clock.advance(120)
        await press(pilot, "f5")
        row = next(r for r in table_rows(pilot, "#transfer-table") if r[1] == reference)
        assert row[4] == "Completada"
        await press(pilot, "enter")
        assert isinstance(app.screen, ReceiptScreen)
        assert reference in text_of(pilot, "#receipt-text")
    assert_ledger_ok(seeded_db)


async def test_refusals_show_under_the_field_and_move_nothing(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, "00104721", "00204722")
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await open_transfers(pilot, "internas")
        await choose(pilot, "#tr-from", "00104721")
        await choose(pilot, "#tr-to", "1105349")
        amount = field(pilot, "#tr-field-amount-cents")
        amount.input.focus()
        await type_text(pilot, "2.500,00")
        await pilot.press("enter")
        # Over the per-transfer limit: refused where it was typed, the cursor stays there.
        assert "límite por transferencia de $2.000,00" in amount.error
        assert app.screen.focused is amount.input
        for typed, reason in [
            ("0,001", "coma decimal"),
            ("-5", "mayor que cero"),
            ("1e9", "coma decimal"),
            ("99999999", "insuficiente"),
        ]:
            amount.value = typed
            await pilot.press("enter")
            assert step(pilot) == "tr-data"
            assert reason in amount.error, (typed, amount.error)
        await pilot.click("#tr-data-next")
        await settle(pilot)
        assert step(pilot) == "tr-data"
        await press(pilot, "escape", "escape")  # back to the kinds, then leave
        assert isinstance(app.screen, DashboardScreen)
    assert balances(seeded_db, "00104721", "00204722") == before


class LosesTransferAnswers(httpx.AsyncBaseTransport):
    """The app in-process, but the server's answers to POST /transfers are lost after it applied
    them (``error`` is raised instead): the first ``lose`` of them, or every one while ``lose`` is
    None. Keeps each send's Idempotency-Key."""

    def __init__(
        self, app: FastAPI, error: tuple[type[httpx.TransportError], str], lose: int | None = None
    ) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.error = error
        self.lose = lose
        self.keys: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/transfers"):
            self.keys.append(request.headers["Idempotency-Key"])
            if self.lose is None or len(self.keys) <= self.lose:
                await response.aread()
                error, message = self.error
                raise error(message, request=request)
        return response


async def test_a_lost_answer_is_retried_with_the_same_key_and_applied_once(
    demo_app, seeded_db, clock, tmp_path
):
    """The server applies the transfer but its answer is lost: the client sends it again with
    the same Idempotency-Key, gets the original answer, and the money moves once."""
    transport = LosesTransferAnswers(demo_app, (httpx.ReadTimeout, "answer lost"), lose=1)
    before = balances(seeded_db, "00104721", "00204722")
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await new_transfer(pilot, "propias", "00104721", "00204722", "10", "Reintento")
        await press(pilot, "enter")
        assert step(pilot) == "tr-done"
        assert "Completada" in text_of(pilot, "#tr-receipt")
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
    assert balances(seeded_db, "00104721", "00204722") == {
        "00104721": before["00104721"] - 1000,
        "00204722": before["00204722"] + 1000,
    }
    assert_ledger_ok(seeded_db)


# --- productos de terceros --------------------------------------------------------------------


async def open_add(pilot: Pilot[None], kind: str) -> AddBeneficiaryScreen:
    await press(pilot, "f3")
    assert isinstance(pilot.app.screen, BeneficiariesScreen)
    await press(pilot, "f2")  # AGREGAR
    screen = pilot.app.screen
    assert isinstance(screen, AddBeneficiaryScreen)
    if kind == "externa":
        await pilot.press("down")
    await press(pilot, "enter")  # chooses the kind and moves on
    assert screen.kind == kind
    assert step(pilot) == "ben-data"
    return screen


async def test_add_a_cooperative_account_by_its_cartola_number(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        screen = await open_add(pilot, "interna")
        screen.query_one("#bi-input-number").focus()
        await type_text(pilot, "00107777")
        # Live: the number the manual's rule registers.
        assert text_of(pilot, "#bi-registered") == "Se registrará como: 1107777"
        await press(pilot, "enter")
        assert step(pilot) == "ben-confirm"
        summary = text_of(pilot, "#ben-summary")
        assert "1107777" in summary
        assert "L*** " in summary and "Yánez" not in summary  # the holder, partly masked
        await press(pilot, "enter")  # CONFIRMAR
        assert step(pilot) == "ben-pin"
        await submit(pilot, last_pin(seeded_db, "demo"))
        assert step(pilot) == "ben-done"
        assert "1107777" in text_of(pilot, "#ben-done-text")
        await press(pilot, "enter")  # VOLVER: the list has it
        assert isinstance(app.screen, BeneficiariesScreen)
        assert "1107777" in [r[3] for r in table_rows(pilot, "#beneficiary-table")]

        # The same account again is refused where it was typed.
        screen = await open_add(pilot, "interna")
        screen.query_one("#bi-input-number").focus()
        await submit(pilot, "1107777")
        if step(pilot) == "ben-confirm":
            await press(pilot, "enter")
        assert step(pilot) == "ben-data"
        assert "ya está en sus Productos de terceros" in field(pilot, "#bi-field-number").error
    assert_ledger_ok(seeded_db)


async def test_add_an_account_in_another_institution_and_delete_it(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        screen = await open_add(pilot, "externa")
        await settle(pilot)
        await choose(pilot, "#be-institution", "Banco Guayaquil")
        screen.query_one("#be-input-number").focus()
        await type_text(pilot, "0012345678")
        await pilot.press("enter")
        await pilot.press("enter")  # the kind of identification: Cédula, and on
        await type_text(pilot, "1710034066")  # a wrong check digit
        await pilot.press("enter")
        assert "no es válida" in field(pilot, "#be-field-id-number").error
        field(pilot, "#be-field-id-number").value = ""
        await type_text(pilot, "1710034065")
        await pilot.press("enter")
        await type_text(pilot, "Luis Yánez")
        await pilot.press("enter")
        await press(pilot, "enter")  # the e-mail is optional: SIGUIENTE
        assert step(pilot) == "ben-confirm"
        summary = text_of(pilot, "#ben-summary")
        assert "Banco Guayaquil" in summary and "Ahorros 0012345678" in summary
        await press(pilot, "enter")
        await submit(pilot, last_pin(seeded_db, "demo"))
        assert step(pilot) == "ben-done"
        await press(pilot, "enter")
        rows = table_rows(pilot, "#beneficiary-table")
        row = next(i for i, r in enumerate(rows) if r[3] == "0012345678")
        assert rows[row][1] == "Banco Guayaquil"

        # Delete it, confirmed.
        app.screen.query_one("#beneficiary-table").move_cursor(row=row)
        await press(pilot, "delete")
        await press(pilot, "enter")  # sí
        assert "0012345678" not in [r[3] for r in table_rows(pilot, "#beneficiary-table")]


async def test_three_wrong_pins_cancel_and_start_again_is_a_new_operation(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, "00104721", "00105349")
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await demo_to_socio2(pilot)
        await press(pilot, "enter")
        await type_pin(pilot, wrong_pin(seeded_db, "demo"), times=3)
        entry = app.screen.query_one(PinEntry)
        assert "cancel" in entry.error
        assert entry.input.disabled
        await press(pilot, "enter")  # VOLVER A EMPEZAR has the focus
        assert step(pilot) == "tr-data"
        await pilot.click("#tr-data-next")
        await settle(pilot)
        await press(pilot, "enter")  # CONFIRMAR: a new operation, a new PIN
        assert step(pilot) == "tr-pin"
        new_pin = last_pin(seeded_db, "demo")
        await submit(pilot, new_pin)
        assert step(pilot) == "tr-done"
    assert balances(seeded_db, "00104721", "00105349") == {
        "00104721": before["00104721"] - 1500,
        "00105349": before["00105349"] + 1500,
    }


async def test_an_expired_session_during_a_transfer_returns_to_login(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await new_transfer(pilot, "propias", "00104721", "00204722", "5", "Tarde")
        clock.advance(360)
        await press(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "inactividad" in text_of(pilot, "#notice")


async def test_no_answer_at_all_says_en_proceso_and_f5_shows_the_true_outcome(
    demo_app, seeded_db, clock, tmp_path
):
    """Every send of the transfer is applied-or-not with its answer lost: the screen must not say
    it failed. F5 (with the server answering again) sends the same key and shows the receipt."""
    transport = LosesTransferAnswers(demo_app, (httpx.RemoteProtocolError, "connection dropped"))
    before = balances(seeded_db, "00104721", "00204722")
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await new_transfer(pilot, "propias", "00104721", "00204722", "12", "Sin respuesta")
        await press(pilot, "enter")
        assert step(pilot) == "tr-confirm"
        problem = text_of(pilot, "#problem")
        assert "en proceso" in problem and "F5" in problem
        assert "falló" not in problem
        # The first send and two retries, with one key.
        assert len(transport.keys) == 3 and len(set(transport.keys)) == 1
        transport.lose = 0  # the server answers again
        await press(pilot, "f5")
        assert step(pilot) == "tr-done"
        assert "Completada" in text_of(pilot, "#tr-receipt")
    assert len(set(transport.keys)) == 1
    assert balances(seeded_db, "00104721", "00204722") == {
        "00104721": before["00104721"] - 1200,
        "00204722": before["00204722"] + 1200,
    }
    assert_ledger_ok(seeded_db)
