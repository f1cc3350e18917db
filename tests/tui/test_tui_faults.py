"""Faults on the wire, seen from the TUI (issue 7): answers lost after the server applied the
request, refused connections, and a server process restarted (or killed) in the middle of a flow.

Every state-changing flow is driven at 80x24 against the real FastAPI app through
:class:`FaultyTransport`, which forwards each request to the app in-process and, on the requests it
is told to, either raises ``httpx.ReadTimeout`` *after* the server processed them (the answer is
lost) or ``httpx.ConnectError`` *before* sending them (refused). It records every send with its
Idempotency-Key. Each test checks what a member sees (the success, or "en proceso" with F5; never
a traceback or "falló"), that every resend of an operation carried the key of its first send, and
that the server applied the operation exactly once (rows and balances in the SQLite file).
"""

from __future__ import annotations

import re
import socket
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from textual.pilot import Pilot
from textual.widgets import DataTable

from mock_server.seed import seed_database
from sjvirtual_tui.models import API_PREFIX
from sjvirtual_tui.screens.base import UNEXPECTED
from sjvirtual_tui.screens.beneficiaries import BeneficiariesScreen
from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.set_password import SetPasswordScreen
from tests.api import approve, registration_id
from tests.conftest import CHEAP_HASHER
from tests.loopback import ServerProcess
from tests.tui import SIZE, make_app, running, screen_text, settle, table_rows, text_of
from tests.tui.steps import demo_logged_in, login, open_as_demo, press, submit, type_each, type_text
from tests.tui.test_tui_onboarding import LUIS, fill, last_code, open_registration
from tests.tui.test_tui_payments import enter_pin, open_services, pick_biller
from tests.tui.test_tui_transfers import (
    assert_ledger_ok,
    balances,
    choose,
    last_pin,
    new_transfer,
    open_add,
    step,
)

DEMO_A, DEMO_B, SOCIO2 = "00104721", "00204722", "00105349"


# --- the fault-injecting transport -------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    method: str
    path: str  # without the API prefix: "/transfers"
    key: str | None  # its Idempotency-Key
    # "answered", "lost" (processed, answer dropped), "refused" (never sent), or the name of a
    # real transport error (a server process that is down: "ConnectError")
    fate: str


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    kind: str  # "lose" or "refuse"
    times: int | None  # None: every matching request until heal()


class FaultyTransport(httpx.AsyncBaseTransport):
    """Forwards to ``inner`` (the FastAPI app in-process, or a real server), injecting faults."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sends: list[Send] = []
        self.faults: list[Fault] = []

    def lose(self, method: str, path: str, times: int | None = 1) -> None:
        """The server processes the request, then the answer is lost (a read timeout)."""
        self.faults.append(Fault(method, re.compile(path), "lose", times))

    def refuse(self, method: str, path: str, times: int | None = 1) -> None:
        """The connection is refused: the request never reaches the server."""
        self.faults.append(Fault(method, re.compile(path), "refuse", times))

    def heal(self) -> None:
        self.faults.clear()

    def _fault_for(self, method: str, path: str) -> str | None:
        for fault in self.faults:
            if fault.method != method or not fault.path.fullmatch(path):
                continue
            if fault.times is None:
                return fault.kind
            if fault.times > 0:
                fault.times -= 1
                return fault.kind
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API_PREFIX)
        key = request.headers.get("Idempotency-Key")
        fault = self._fault_for(request.method, path)
        if fault == "refuse":
            self.sends.append(Send(request.method, path, key, "refused"))
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:  # a real one (a server that is down)
            self.sends.append(Send(request.method, path, key, type(exc).__name__))
            raise
        if fault == "lose":
            await response.aread()  # the server finished its work; its answer never arrives
            await response.aclose()
            self.sends.append(Send(request.method, path, key, "lost"))
            raise httpx.ReadTimeout("timed out reading the answer", request=request)
        self.sends.append(Send(request.method, path, key, "answered"))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def to(self, method: str, path: str) -> list[Send]:
        pattern = re.compile(path)
        return [s for s in self.sends if s.method == method and pattern.fullmatch(s.path)]

    def fates(self, method: str, path: str) -> list[str]:
        return [s.fate for s in self.to(method, path)]

    def one_key(self, method: str, path: str) -> str:
        """Every send of ``method path`` so far carried one and the same Idempotency-Key."""
        sends = self.to(method, path)
        assert sends, f"nothing was sent to {method} {path}"
        keys = {s.key for s in sends}
        assert len(keys) == 1 and None not in keys, f"{method} {path} sent with keys {keys}"
        return str(sends[0].key)

    def resent_once(self, *paths: str) -> None:
        """Each POST to ``paths``: the first answer lost, the resend (same key) answered."""
        for path in paths:
            assert self.fates("POST", path) == ["lost", "answered"]
            self.one_key("POST", path)


def faulty_transport(demo_app: FastAPI) -> FaultyTransport:
    """The app in-process behind a transport the test tells to lose or refuse answers."""
    return FaultyTransport(httpx.ASGITransport(app=demo_app))


# --- what the member sees ------------------------------------------------------------------------


def assert_clear(pilot: Pilot[None]) -> None:
    """Nothing broke: no exception in the app, no traceback, no "falló", no unexpected error."""
    app = pilot.app
    assert app._exception is None, app._exception
    assert app.return_code is None
    text = screen_text(pilot)
    assert "Traceback" not in text
    assert "falló" not in text.lower() and "fallo" not in text.lower()
    assert UNEXPECTED not in text


async def heal_and_resend(pilot: Pilot[None], transport: FaultyTransport) -> None:
    """The network is back: F5 resends what was in doubt (same key), and nothing broke."""
    transport.heal()
    await press(pilot, "f5")
    assert_clear(pilot)


def assert_en_proceso(pilot: Pilot[None]) -> None:
    """The outcome is unknown: the screen says so, offers F5, and does not say it failed."""
    assert_clear(pilot)
    problem = text_of(pilot, "#problem")
    assert "en proceso" in problem and "F5" in problem, problem
    assert "No se pudo conectar" not in problem, problem  # it may well have been applied


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def count(db: Path, sql: str, *params: object) -> int:
    return int(rows(db, sql, *params)[0][0])


def pin_mails(db: Path) -> int:
    return count(
        db,
        "SELECT COUNT(*) FROM outbox WHERE to_address = (SELECT email FROM members "
        "WHERE username = 'demo') AND body LIKE '%PIN de verificación:%'",
    )


# --- transfers -----------------------------------------------------------------------------------

TRANSFER = "/transfers"
CONFIRM = r"/challenges/[^/]+/confirm"


async def test_transfer_between_own_accounts_with_answers_lost_once_and_twice(
    demo_app, seeded_db, clock, tmp_path
):
    """The first and then the first two sends are applied-with-the-answer-lost: the automatic
    resends carry the same key, the receipt shows, and each transfer moved money once."""
    before = balances(seeded_db, DEMO_A, DEMO_B)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        moved = 0
        for lost, amount in ((1, 1111), (2, 2222)):
            transport.sends.clear()
            typed = f"{amount // 100},{amount % 100}"
            await new_transfer(pilot, "propias", DEMO_A, DEMO_B, typed, "Red")
            transport.lose("POST", TRANSFER, times=lost)
            await press(pilot, "enter")  # CONFIRMAR
            assert_clear(pilot)
            assert step(pilot) == "tr-done"
            assert "Completada" in text_of(pilot, "#tr-receipt")
            assert transport.fates("POST", TRANSFER) == ["lost"] * lost + ["answered"]
            transport.one_key("POST", TRANSFER)
            moved += amount
            assert balances(seeded_db, DEMO_A, DEMO_B) == {
                DEMO_A: before[DEMO_A] - moved,
                DEMO_B: before[DEMO_B] + moved,
            }
            await press(pilot, "enter")  # VOLVER AL INICIO
    assert_ledger_ok(seeded_db)


async def test_transfer_without_any_answer_is_en_proceso_and_f5_shows_the_receipt(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, DEMO_A, DEMO_B)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "13,13", "Sin respuesta")
        transport.lose("POST", TRANSFER, times=None)
        await press(pilot, "enter")
        assert step(pilot) == "tr-confirm"
        assert_en_proceso(pilot)
        assert transport.fates("POST", TRANSFER) == ["lost"] * 3  # the send and two resends
        # The server did apply it (once): the member is told "en proceso", not "falló".
        applied = {DEMO_A: before[DEMO_A] - 1313, DEMO_B: before[DEMO_B] + 1313}
        assert balances(seeded_db, DEMO_A, DEMO_B) == applied
        await heal_and_resend(pilot, transport)
        assert step(pilot) == "tr-done"
        assert "Completada" in text_of(pilot, "#tr-receipt")
        assert transport.fates("POST", TRANSFER) == ["lost"] * 3 + ["answered"]
        transport.one_key("POST", TRANSFER)
    assert balances(seeded_db, DEMO_A, DEMO_B) == applied
    assert (
        count(seeded_db, "SELECT COUNT(*) FROM transfers WHERE description = 'Sin respuesta'") == 1
    )
    assert_ledger_ok(seeded_db)


async def test_transfer_to_a_third_party_with_the_pin_and_lost_answers(
    demo_app, seeded_db, clock, tmp_path
):
    """The start and the PIN's confirmation each lose an answer; later the confirmation gets no
    answer at all: "en proceso" on the PIN step, and CONFIRMAR again (the PIN still typed) is
    the same send with the same key — not a second use of the PIN."""
    before = balances(seeded_db, DEMO_A, SOCIO2)
    challenges = count(seeded_db, "SELECT COUNT(*) FROM challenges")
    mails = pin_mails(seeded_db)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await new_transfer(pilot, "internas", DEMO_A, "1105349", "21", "Con PIN")
        transport.lose("POST", TRANSFER, times=1)
        await press(pilot, "enter")
        assert_clear(pilot)
        assert step(pilot) == "tr-pin"
        # The resend got the stored answer: one operation, one PIN e-mailed.
        assert count(seeded_db, "SELECT COUNT(*) FROM challenges") == challenges + 1
        assert pin_mails(seeded_db) == mails + 1
        transport.lose("POST", CONFIRM, times=1)
        await submit(pilot, last_pin(seeded_db, "demo"))
        assert_clear(pilot)
        assert step(pilot) == "tr-done"
        assert "Completada" in text_of(pilot, "#tr-receipt")
        transport.resent_once(TRANSFER, CONFIRM)
        first = {DEMO_A: before[DEMO_A] - 2100, SOCIO2: before[SOCIO2] + 2100}
        assert balances(seeded_db, DEMO_A, SOCIO2) == first
        await press(pilot, "enter")

        # No answer at all to the PIN's confirmation.
        transport.sends.clear()
        await new_transfer(pilot, "internas", DEMO_A, "1105349", "22", "PIN sin respuesta")
        await press(pilot, "enter")
        assert step(pilot) == "tr-pin"
        transport.lose("POST", CONFIRM, times=None)
        await submit(pilot, last_pin(seeded_db, "demo"))
        assert step(pilot) == "tr-pin"
        assert_en_proceso(pilot)
        second = {DEMO_A: first[DEMO_A] - 2200, SOCIO2: first[SOCIO2] + 2200}
        assert balances(seeded_db, DEMO_A, SOCIO2) == second  # applied, answer lost
        transport.heal()
        app.screen.pin_entry.input.focus()
        await press(pilot, "enter")  # CONFIRMAR again, the same PIN
        assert_clear(pilot)
        assert step(pilot) == "tr-done", (app.screen.pin_entry.error, transport.to("POST", CONFIRM))
        assert "Completada" in text_of(pilot, "#tr-receipt")
        assert transport.fates("POST", CONFIRM) == ["lost"] * 3 + ["answered"]
        transport.one_key("POST", CONFIRM)
    assert balances(seeded_db, DEMO_A, SOCIO2) == second
    assert_ledger_ok(seeded_db)


# --- productos de terceros -----------------------------------------------------------------------

BENEFICIARY_ADD = "/beneficiaries"
BENEFICIARY_DELETE = r"/beneficiaries/\d+"


def beneficiary_numbers(db: Path) -> list[object]:
    return [
        number
        for (number,) in rows(
            db,
            "SELECT b.number FROM beneficiaries AS b JOIN members AS m ON m.id = b.member_id "
            "WHERE m.username = 'demo' ORDER BY b.id",
        )
    ]


async def test_add_and_delete_a_beneficiary_with_lost_answers(demo_app, seeded_db, clock, tmp_path):
    before = beneficiary_numbers(seeded_db)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        screen = await open_add(pilot, "interna")
        screen.query_one("#bi-input-number").focus()
        await submit(pilot, "00107777")
        assert step(pilot) == "ben-confirm"
        transport.lose("POST", BENEFICIARY_ADD, times=1)
        transport.lose("POST", CONFIRM, times=1)
        await press(pilot, "enter")  # CONFIRMAR
        assert_clear(pilot)
        assert step(pilot) == "ben-pin"
        await submit(pilot, last_pin(seeded_db, "demo"))
        assert_clear(pilot)
        assert step(pilot) == "ben-done"
        transport.resent_once(BENEFICIARY_ADD, CONFIRM)
        assert beneficiary_numbers(seeded_db) == [*before, "1107777"]
        await press(pilot, "enter")  # VOLVER: the list
        assert isinstance(app.screen, BeneficiariesScreen)

        # Delete it; the answer of the DELETE is lost once.
        numbers = [r[3] for r in table_rows(pilot, "#beneficiary-table")]
        app.screen.query_one("#beneficiary-table", DataTable).move_cursor(
            row=numbers.index("1107777")
        )
        transport.lose("DELETE", BENEFICIARY_DELETE, times=1)
        await press(pilot, "delete")
        await press(pilot, "enter")  # sí
        assert_clear(pilot)
        assert "1107777" not in [r[3] for r in table_rows(pilot, "#beneficiary-table")]
        assert transport.fates("DELETE", BENEFICIARY_DELETE) == ["lost", "answered"]
        transport.one_key("DELETE", BENEFICIARY_DELETE)

        # Delete another with no answer at all: "en proceso", then F5 shows it gone.
        numbers = [r[3] for r in table_rows(pilot, "#beneficiary-table")]
        app.screen.query_one("#beneficiary-table", DataTable).move_cursor(
            row=numbers.index("2203456789")
        )
        transport.sends.clear()
        transport.lose("DELETE", BENEFICIARY_DELETE, times=None)
        await press(pilot, "delete")
        await press(pilot, "enter")
        assert_en_proceso(pilot)
        assert "2203456789" not in beneficiary_numbers(seeded_db)  # applied, answer lost
        await heal_and_resend(pilot, transport)
        assert "2203456789" not in [r[3] for r in table_rows(pilot, "#beneficiary-table")]
        assert transport.fates("DELETE", BENEFICIARY_DELETE) == ["lost"] * 3 + ["answered"]
        transport.one_key("DELETE", BENEFICIARY_DELETE)
    assert beneficiary_numbers(seeded_db) == [n for n in before if n != "2203456789"]


# --- pago de servicios and pago de tarjetas -----------------------------------------------------

PAYMENT = "/payments"
FREQUENT_ADD = "/frequent-services"
FREQUENT_DELETE = r"/frequent-services/\d+"


def frequent(db: Path) -> list[tuple[object, ...]]:
    return rows(db, "SELECT alias, biller_code, reference FROM frequent_services ORDER BY id")


async def test_service_payment_and_frequent_service_with_lost_answers(
    demo_app, seeded_db, clock, tmp_path
):
    """A bill with an alias to save: the save and the start lose answers (resent, applied once);
    the PIN's confirmation gets no answer at all: "en proceso", F5 shows the receipt. Then the
    saved service is deleted with its answer lost once."""
    before = balances(seeded_db, DEMO_A)[DEMO_A]
    saved_before = frequent(seeded_db)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await open_services(pilot)
        await pick_biller(pilot, "cnel", "CNEL EP")
        await type_text(pilot, "1000123456")
        await pilot.press("enter")
        await type_text(pilot, "Luz casa")
        transport.lose("POST", FREQUENT_ADD, times=1)
        await press(pilot, "enter")  # CONSULTAR (and save as frequent)
        assert_clear(pilot)
        assert step(pilot) == "sv-bill"
        assert frequent(seeded_db) == [*saved_before, ("Luz casa", "CNEL_EP", "1000123456")]
        transport.resent_once(FREQUENT_ADD)
        await press(pilot, "enter")  # SIGUIENTE
        assert step(pilot) == "sv-confirm"
        transport.lose("POST", PAYMENT, times=2)
        await press(pilot, "enter")  # CONFIRMAR
        assert_clear(pilot)
        assert step(pilot) == "sv-pin"
        assert transport.fates("POST", PAYMENT) == ["lost", "lost", "answered"]
        transport.lose("POST", CONFIRM, times=None)
        await enter_pin(pilot, seeded_db)
        assert step(pilot) == "sv-pin"
        assert_en_proceso(pilot)
        assert balances(seeded_db, DEMO_A)[DEMO_A] == before - 3245  # applied, answer lost
        await heal_and_resend(pilot, transport)
        assert step(pilot) == "sv-done"
        assert "Completada" in text_of(pilot, "#sv-receipt")
        assert transport.fates("POST", CONFIRM) == ["lost"] * 3 + ["answered"]
        transport.one_key("POST", PAYMENT)
        transport.one_key("POST", CONFIRM)
        await press(pilot, "enter")  # VOLVER AL INICIO

        # Supr on the frequent service; the DELETE's answer is lost once.
        await open_services(pilot)
        aliases = [r[0] for r in table_rows(pilot, "#sv-frequent")]
        table = app.screen.query_one("#sv-frequent", DataTable)
        table.focus()
        table.move_cursor(row=aliases.index("Luz casa"))
        transport.lose("DELETE", FREQUENT_DELETE, times=1)
        await press(pilot, "delete")
        assert_clear(pilot)
        assert "Luz casa" not in [r[0] for r in table_rows(pilot, "#sv-frequent")]
        assert transport.fates("DELETE", FREQUENT_DELETE) == ["lost", "answered"]
        transport.one_key("DELETE", FREQUENT_DELETE)
    assert frequent(seeded_db) == saved_before
    assert balances(seeded_db, DEMO_A)[DEMO_A] == before - 3245
    assert rows(
        seeded_db,
        "SELECT status FROM bills WHERE biller_code = 'CNEL_EP' AND reference = ?",
        "1000123456",
    ) == [("pagada",)]
    assert (
        count(
            seeded_db,
            "SELECT COUNT(*) FROM payments WHERE bill_id IS NOT NULL AND amount_cents = 3245",
        )
        == 1
    )
    assert_ledger_ok(seeded_db)


async def test_card_payment_with_lost_answers(demo_app, seeded_db, clock, tmp_path):
    before = balances(seeded_db, DEMO_A)[DEMO_A]
    paid_before = count(seeded_db, "SELECT paid_cents FROM cards WHERE id = 1")
    transport = faulty_transport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await open_as_demo(pilot, "f7")
        await press(pilot, "enter")  # the Visa **** 4521, pago mínimo $42,27
        await choose(pilot, "#cd-from", DEMO_A)  # the last field: choosing it is SIGUIENTE
        await settle(pilot)
        assert step(pilot) == "cd-confirm"
        transport.lose("POST", PAYMENT, times=1)
        transport.lose("POST", CONFIRM, times=1)
        await press(pilot, "enter")
        assert_clear(pilot)
        assert step(pilot) == "cd-pin"
        await enter_pin(pilot, seeded_db)
        assert_clear(pilot)
        assert step(pilot) == "cd-done"
        assert "Completada" in text_of(pilot, "#cd-receipt")
        transport.resent_once(PAYMENT, CONFIRM)
    assert balances(seeded_db, DEMO_A)[DEMO_A] == before - 4227
    assert count(seeded_db, "SELECT paid_cents FROM cards WHERE id = 1") == paid_before + 4227
    assert_ledger_ok(seeded_db)


# --- registration, ESTABLECER CONTRASEÑA and PRIMER INGRESO -------------------------------------


def member_status(db: Path, username: str) -> list[tuple[object, ...]]:
    return rows(db, "SELECT status FROM members WHERE username = ?", username)


async def test_onboarding_with_lost_answers(
    demo_app, demo_client, teller_token, seeded_db, clock, tmp_path
):
    """REGISTRARSE and ESTABLECER CONTRASEÑA lose an answer once; the PRIMER INGRESO gets no
    answer at all ("en proceso", F5). Each is applied once."""
    transport = faulty_transport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await open_registration(pilot)
        await fill(pilot, LUIS)
        assert step(pilot) == "reg-confirm"
        transport.lose("POST", "/registrations", times=1)
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert_clear(pilot)
        assert step(pilot) == "reg-done"
        transport.one_key("POST", "/registrations")
        assert transport.fates("POST", "/registrations") == ["lost", "answered"]
        assert rows(seeded_db, "SELECT status FROM registrations WHERE username = 'lyanez'") == [
            ("pendiente",)
        ]
        reference = app.screen.receipt.reference
        await approve(demo_client, teller_token, registration_id(seeded_db, reference))
        code = last_code(seeded_db, LUIS["email"])
        await press(pilot, "escape")
        assert isinstance(app.screen, LoginScreen)

        await press(pilot, "f3")
        assert isinstance(app.screen, SetPasswordScreen)
        transport.lose("POST", "/auth/set-password", times=1)
        await type_each(pilot, code, "Primera2026", "Primera2026")
        assert_clear(pilot)
        assert step(pilot) == "sp-done"
        assert transport.fates("POST", "/auth/set-password") == ["lost", "answered"]
        transport.one_key("POST", "/auth/set-password")
        assert member_status(seeded_db, "lyanez") == [("setup",)]
        await press(pilot, "escape")

        await login(pilot, "lyanez", "Primera2026")
        assert isinstance(app.screen, FirstLoginScreen)
        await type_each(pilot, "Segunda2027", "Segunda2027")
        await pilot.press("enter")  # the first image
        for text in ("Mi casa", "Nombre de mi abuela", "Rosa"):
            await submit(pilot, text)
        assert step(pilot) == "fl-question"
        app.screen.query_one("#question-list").focus()
        await pilot.press("enter")
        await type_text(pilot, "Guayaquil")
        transport.lose("POST", "/me/setup", times=None)
        await press(pilot, "enter")  # CONFIRMAR
        assert step(pilot) == "fl-question"
        assert_en_proceso(pilot)
        assert member_status(seeded_db, "lyanez") == [("active",)]  # applied, answer lost
        await heal_and_resend(pilot, transport)
        assert step(pilot) == "fl-done"
        assert transport.fates("POST", "/me/setup") == ["lost"] * 3 + ["answered"]
        transport.one_key("POST", "/me/setup")
        await press(pilot, "enter")  # CONTINUAR
        assert isinstance(app.screen, DashboardScreen)
    assert member_status(seeded_db, "lyanez") == [("active",)]
    assert count(seeded_db, "SELECT COUNT(*) FROM registrations WHERE username = 'lyanez'") == 1


# --- refused connections -------------------------------------------------------------------------


async def test_refused_connections_are_a_message_and_f5_retries(
    demo_app, seeded_db, clock, tmp_path
):
    before = balances(seeded_db, DEMO_A, DEMO_B)
    transport = faulty_transport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        assert isinstance(app.screen, DashboardScreen)

        # A read: the dashboard's refresh.
        transport.refuse("GET", "/accounts", times=None)
        await press(pilot, "f5")
        assert_clear(pilot)
        problem = text_of(pilot, "#problem")
        assert "No se pudo conectar" in problem and "F5" in problem, problem
        assert transport.fates("GET", "/accounts")[-3:] == ["refused"] * 3
        await heal_and_resend(pilot, transport)
        assert text_of(pilot, "#problem") == ""
        assert transport.fates("GET", "/accounts")[-1] == "answered"
        assert [r[0] for r in table_rows(pilot, "#accounts")] == [DEMO_A, DEMO_B]

        # A transfer whose every send is refused: nothing was applied, F5 sends it (same key).
        await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "7", "Rechazada la conexión")
        transport.refuse("POST", TRANSFER, times=None)
        await press(pilot, "enter")
        assert_clear(pilot)
        assert step(pilot) == "tr-confirm"
        problem = text_of(pilot, "#problem")
        assert "No se pudo conectar" in problem and "F5" in problem, problem
        assert balances(seeded_db, DEMO_A, DEMO_B) == before  # nothing reached the server
        await heal_and_resend(pilot, transport)
        assert step(pilot) == "tr-done"
        assert transport.fates("POST", TRANSFER) == ["refused"] * 3 + ["answered"]
        transport.one_key("POST", TRANSFER)
        await press(pilot, "enter")

        # The first send is applied with its answer lost, the resends are refused: the
        # outcome is unknown ("en proceso"), not "no se pudo conectar".
        transport.sends.clear()
        await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "8", "Perdida y rechazada")
        transport.lose("POST", TRANSFER, times=1)
        transport.refuse("POST", TRANSFER, times=None)
        await press(pilot, "enter")
        assert_en_proceso(pilot)
        await heal_and_resend(pilot, transport)
        assert step(pilot) == "tr-done"
        assert transport.fates("POST", TRANSFER) == ["lost", "refused", "refused", "answered"]
        transport.one_key("POST", TRANSFER)
    assert balances(seeded_db, DEMO_A, DEMO_B) == {
        DEMO_A: before[DEMO_A] - 1500,
        DEMO_B: before[DEMO_B] + 1500,
    }
    assert_ledger_ok(seeded_db)


# --- a real server process restarted in the middle of a flow -----------------------------------


class KillAfterAnswer(FaultyTransport):
    """Real HTTP to a server process; when armed, ``kill -9`` the server right after it answered
    a ``POST /transfers`` and drop that answer (the connection died with the server)."""

    def __init__(self, server: ServerProcess) -> None:
        super().__init__(httpx.AsyncHTTPTransport())
        self.server = server
        self.armed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API_PREFIX)
        if not (self.armed and request.method == "POST" and path == TRANSFER):
            return await super().handle_async_request(request)
        self.armed = False
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.server.kill()
        self.sends.append(
            Send(request.method, path, request.headers.get("Idempotency-Key"), "lost")
        )
        raise httpx.RemoteProtocolError("Server disconnected without a response", request=request)


def transfers_with(db: Path, description: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM transfers WHERE description = ?", (description,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_server_restarted_mid_flow_applies_each_transfer_once(tmp_path):
    db = tmp_path / "restart.sqlite"
    seed_database(db, now=datetime.now(UTC), bulk=False, hasher=CHEAP_HASHER)
    before = balances(db, DEMO_A, DEMO_B)
    port = free_port()
    server = ServerProcess(db, "--port", str(port))
    server.start()
    try:
        transport = KillAfterAnswer(server)
        app = make_app(
            None,  # type: ignore[arg-type]  # a real server, reached over loopback
            tmp_path,
            lambda: datetime.now(UTC),
            transport=transport,
            base_url=server.url,
        )
        async with app.run_test(size=SIZE) as pilot:
            await login(pilot, "demo", "Demo2026")
            assert isinstance(app.screen, DashboardScreen)

            # Stopped (cleanly) and started again while the member verifies: CONFIRMAR works.
            await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "3", "Tras reinicio")
            server.stop()
            server.start()
            assert server.url == f"http://127.0.0.1:{port}"
            await press(pilot, "enter")
            assert_clear(pilot)
            assert step(pilot) == "tr-done"
            assert "Completada" in text_of(pilot, "#tr-receipt")
            assert transfers_with(db, "Tras reinicio") == 1
            await press(pilot, "enter")

            # Killed (-9) right after it applied the transfer, before the answer got out.
            transport.sends.clear()
            await new_transfer(pilot, "propias", DEMO_A, DEMO_B, "4", "Servidor caído")
            transport.armed = True
            await press(pilot, "enter")
            assert step(pilot) == "tr-confirm"
            assert_en_proceso(pilot)
            # The resends met a dead server: refused, the outcome is unknown.
            assert transport.fates("POST", TRANSFER) == ["lost", "ConnectError", "ConnectError"]
            server.start()  # the same port and file
            await press(pilot, "f5")
            assert_clear(pilot)
            assert step(pilot) == "tr-done", text_of(pilot, "#problem")
            assert "Completada" in text_of(pilot, "#tr-receipt")
            transport.one_key("POST", TRANSFER)
    finally:
        server.stop()
    assert transfers_with(db, "Tras reinicio") == 1
    assert transfers_with(db, "Servidor caído") == 1
    assert balances(db, DEMO_A, DEMO_B) == {
        DEMO_A: before[DEMO_A] - 700,
        DEMO_B: before[DEMO_B] + 700,
    }
    assert_ledger_ok(db)
