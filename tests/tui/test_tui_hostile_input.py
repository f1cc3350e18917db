"""Hostile input into every field of every wizard (issue 7).

Each wizard is walked at 80x24 against the real FastAPI app to each of its input steps; every
``Input`` shown on the step is found with ``query(Input)`` (so a new field is covered as soon as it
exists: the test then asks for a valid value for it), and each hostile value is pasted into it
(as a terminal pastes: Textual's ``max_length`` and ``restrict`` apply) with the other fields of
the step holding valid values. Then the step is submitted and, for each field and value:

- nothing crashed (the app runs, ``app._exception`` is None);
- the step stayed, with a message next to a field (the field's own, or — when its own check
  accepted the value — another's, e.g. "las contraseñas no coinciden"), or it went on with the
  value as plain text: shown literally in the step's summary (markup such as ``[bold red]x[/]``
  appears as typed) or sent literally in the request's JSON;
- an amount is never accepted (none of the hostile values is a sensible amount), nor is any
  value with control or format characters (NUL, ESC, BEL, the RTL override) outside a login
  password, which only the server judges;
- nothing changed on the server: the SQLite file's tables are the same after the step's values as
  before them. Requests that would confirm something (ESTABLECER CONTRASEÑA, the PRIMER INGRESO, the
  recovery, saving a frequent service) are held by the test's transport and never reach the
  server: what they carried is checked instead. Logins do reach it (a failed login is counted).

The last tests confirm accepted markup-like text for real and look for it where it is echoed
later: a transfer's receipt and the history's, a frequent service's notice and list, the own
question at the recovery, a company's name in the teller's queue.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, ContentSwitcher, DataTable, Input, Label, Static
from textual.widgets._data_table import default_cell_formatter
from textual.widgets._toast import Toast
from textual.worker import WorkerCancelled, WorkerFailed

from sjvirtual_tui.models import API_PREFIX
from sjvirtual_tui.screens.base import UNEXPECTED
from sjvirtual_tui.screens.cards import CardPaymentScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.recovery import RecoveryScreen
from sjvirtual_tui.screens.set_password import SetPasswordScreen
from sjvirtual_tui.screens.statement import StatementScreen
from sjvirtual_tui.screens.transfer_history import ReceiptScreen
from sjvirtual_tui.screens.wizard import WizardScreen
from sjvirtual_tui.widgets.form import FormField
from sjvirtual_tui.widgets.pin_entry import PinEntry
from tests.api import FIRST_PASSWORD, LUIS, approved_code, register, set_password
from tests.api import TEXTILES as TEXTILES_API
from tests.tui import SIZE, make_app, running, screen_text, settle, text_of
from tests.tui.steps import demo_logged_in, login, open_as_demo, staff_logged_in, type_text
from tests.tui.test_tui_onboarding import LUIS as LUIS_FORM
from tests.tui.test_tui_onboarding import TEXTILES, open_registration
from tests.tui.test_tui_payments import open_services, pick_biller
from tests.tui.test_tui_transfers import (
    choose,
    new_transfer,
    open_add,
    open_transfers,
)

HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "\x00\x1b[31m\x07",
    "\u202e",
    "Ñandú 你好 مرحبا 🏦",
    "-5",
    "0",
    "0,001",
    "0.001",
    "1e9",
    "999999999999999",
    "NaN",
    "Infinity",
    "' OR 1=1 --",
    "Robert'); DROP TABLE accounts;--",
    "[bold red]x[/]",
    "[link=http://x]y[/link]",
    "<script>",
    "%s%n",
]

# Tables whose rows must not change while hostile values are submitted. Left out: sessions (the
# idle timer), idempotency (a refusal is stored for its key) and meta.
IGNORED_TABLES = {"sessions", "idempotency", "meta"}


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def shown(value: str) -> str:
    return repr(value if len(value) < 30 else value[:12] + f"…({len(value)} chars)")


# --- the server side: the file, and requests held back ------------------------------------------


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in IGNORED_TABLES
        ]
        return {
            table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
            for table in tables
        }
    finally:
        conn.close()


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


class HoldingTransport(httpx.AsyncBaseTransport):
    """The app in-process, except the requests listed in ``held``: those are recorded (path and
    JSON body) and refused as a dead connection would be, so they never reach the server."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.held_paths: set[tuple[str, str]] = set()
        self.held: list[tuple[str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API_PREFIX)
        if (request.method, path) in self.held_paths:
            body = json.loads(request.content) if request.content else None
            self.held.append((path, body))
            raise httpx.ConnectError("held by the test", request=request)
        return await self.inner.handle_async_request(request)


def strings_in(body: Any) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, dict):
        return [s for v in body.values() for s in strings_in(v)]
    if isinstance(body, list):
        return [s for v in body for s in strings_in(v)]
    return []


# --- a step, and what one hostile value did on it -----------------------------------------------


def current_step(pilot: Pilot[None]) -> str:
    return pilot.app.screen.query_one(ContentSwitcher).current or ""


async def quiet(pilot: Pilot[None]) -> None:
    """A much lighter ``settle`` (hundreds of values go through each wizard): the messages
    queued on the screen are handled, the step's workers finish, their results are handled.
    It does not wait for the CPU to be idle, as ``pilot.pause()`` does."""
    for _ in range(3):  # a message bubbling up to the screen, then what its worker answers
        await pilot._wait_for_screen()
        # An exclusive worker replaced, or a failure the screen reports itself: not ours.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()


Submit = Callable[[Pilot[None], Input], Awaitable[None]]


async def push(pilot: Pilot[None], button_id: str) -> None:
    pilot.app.screen.query_one(f"#{button_id}", Button).press()
    await quiet(pilot)


def press(button_id: str) -> Submit:
    """The step's button (SIGUIENTE, CONFIRMAR...)."""

    async def submit(pilot: Pilot[None], _typed_in: Input) -> None:
        await push(pilot, button_id)

    return submit


async def enter(pilot: Pilot[None], typed_in: Input) -> None:
    """Enter in the input that was typed in (its ``submit`` action)."""
    await typed_in.action_submit()
    await quiet(pilot)


async def escape(pilot: Pilot[None]) -> None:
    """Escape: the wizard's ``back`` action."""
    screen = pilot.app.screen
    assert isinstance(screen, WizardScreen | LoginScreen)
    screen.action_back()
    await quiet(pilot)


@dataclass
class Step:
    name: str
    container: str  # the id of the widget holding the step's inputs
    valid: dict[str, str]  # input id -> a value the step accepts
    submit: Submit
    stayed: Callable[[Pilot[None]], bool]
    back: Callable[[Pilot[None]], Awaitable[None]] | None = escape
    echo: str | None = None  # the Static where accepted values are shown (a summary)
    secret: set[str] = field(default_factory=set)  # never echoed (passwords, card numbers)
    amounts: set[str] = field(default_factory=set)  # every hostile amount must be refused
    free: set[str] = field(default_factory=set)  # no check at all (a search box)
    errors: dict[str, str] = field(default_factory=dict)  # bare Input id -> its error label
    shown_as: Callable[[str], str] = str  # how the echo writes an accepted value
    may_change: set[str] = field(default_factory=set)  # tables the step's submit may write
    # Inputs whose value goes to the server as is, control characters too (a login password:
    # the server says whether it is right; it is never shown).
    raw: set[str] = field(default_factory=set)


def on_step(step_id: str) -> Callable[[Pilot[None]], bool]:
    return lambda pilot: current_step(pilot) == step_id


def step_inputs(pilot: Pilot[None], step: Step) -> list[Input]:
    container = pilot.app.screen.query_one(f"#{step.container}")
    return [
        widget
        for widget in container.query(Input)
        if WizardScreen._can_take_focus(widget, container)
    ]


def error_next_to(pilot: Pilot[None], step: Step, widget: Input) -> str:
    for ancestor in widget.ancestors:
        if isinstance(ancestor, FormField | PinEntry):
            return ancestor.error
    selector = step.errors.get(widget.id or "")
    assert selector, f"{step.name}: where does {widget.id} show its errors?"
    return str(pilot.app.screen.query_one(selector, Label).render())


def other_errors(pilot: Pilot[None], step: Step, widget: Input) -> list[str]:
    container = pilot.app.screen.query_one(f"#{step.container}")
    found = []
    for field_ in container.query(FormField):
        if field_.input is not widget and field_.error:
            found.append(field_.error)
    return found


def assert_alive(pilot: Pilot[None], *, look: bool = True) -> None:
    """The app runs and shows no traceback and no "unexpected error" (``look``: drawing the
    whole screen to read it, which costs; the exception checks catch what fails to draw)."""
    app = pilot.app
    assert app._exception is None, app._exception
    assert app.return_code is None
    assert app.is_running
    if look:
        text = screen_text(pilot)
        assert "Traceback" not in text and UNEXPECTED not in text
    else:
        problem = app.screen.query("#problem")
        assert not problem or UNEXPECTED not in str(problem.first(Static).render())


def paste(widget: Input, value: str) -> None:
    """What a terminal's paste does to an empty input (``Input._on_paste``): the first line
    goes in, unless ``max_length`` or ``restrict`` refuse it (then nothing does)."""
    widget.value = ""
    widget.focus()
    if value:
        widget._on_paste(events.Paste(value))


async def probe_step(
    pilot: Pilot[None], step: Step, db: Path, transport: HoldingTransport, failures: list[str]
) -> None:
    """Every hostile value in every input of ``step``; what went wrong goes to ``failures``."""
    before = snapshot(db)
    inputs = step_inputs(pilot, step)
    ids = [widget.id or "" for widget in inputs]
    missing = [i for i in ids if i not in step.valid]
    assert not missing, f"{step.name}: add a valid value for the new field(s) {missing}"
    for widget_id in ids:
        for value in HOSTILE:
            where = f"{step.name} {widget_id}={shown(value)}"
            screen = pilot.app.screen
            for other in ids:  # the rest of the step holds valid values
                other_input = screen.query_one(f"#{other}", Input)
                if other != widget_id and other_input.value != step.valid[other]:
                    other_input.value = step.valid[other]
            widget = screen.query_one(f"#{widget_id}", Input)
            paste(widget, value)
            typed = widget.value
            if typed not in (value, ""):
                failures.append(f"{where}: the field kept {shown(typed)}")
            held_before = len(transport.held)
            await step.submit(pilot, widget)
            assert_alive(pilot, look=False)
            if widget_id in step.free:
                if pilot.app.screen.query_one(f"#{widget_id}", Input).value != typed:
                    failures.append(f"{where}: the search box changed what was typed")
                continue
            held = transport.held[held_before:]
            if step.stayed(pilot) and not held:
                own = error_next_to(pilot, step, widget)
                if not own and not other_errors(pilot, step, widget):
                    failures.append(f"{where}: refused without a message next to the field")
                continue
            # Accepted: as plain text, never an amount, never with control characters (they
            # would reach a terminal raw when shown: colours, a bell, a reordered line).
            if widget_id in step.amounts:
                failures.append(f"{where}: accepted as an amount")
            if widget_id not in step.raw and has_control_characters(typed):
                failures.append(f"{where}: accepted with its control characters")
            literal = typed if widget_id in step.secret else typed.strip()
            if held:
                sent = [s for _path, body in held for s in strings_in(body)]
                if literal and literal not in sent:
                    failures.append(f"{where}: sent as {sent!r}, not literally")
            elif step.echo and widget_id not in step.secret and literal:
                echoed = str(pilot.app.screen.query_one(step.echo, Static).render())
                wanted = step.shown_as(literal)
                if wanted not in echoed:
                    failures.append(f"{where}: not shown literally in {step.echo}: {echoed!r}")
            if step.back is None or step.stayed(pilot):
                continue
            await step.back(pilot)
            if not step.stayed(pilot):
                failures.append(f"{where}: could not go back to the step")
                break
    changed = [t for t in changed_tables(before, snapshot(db)) if t not in step.may_change]
    if changed:
        failures.append(f"{step.name}: the server's tables changed: {changed}")


async def probe(
    pilot: Pilot[None], steps: list[Step], db: Path, transport: HoldingTransport
) -> list[str]:
    failures: list[str] = []
    for step in steps:
        await pilot.pause()
        container = pilot.app.screen.query_one(f"#{step.container}")
        assert container.display and container.parent is not None, f"not on {step.name}"
        await probe_step(pilot, step, db, transport, failures)
        await pilot.pause()  # a whole refresh: whatever was left to draw is drawn
        assert_alive(pilot)
    return failures


def report(failures: list[str]) -> None:
    assert not failures, "\n".join(failures[:60]) + (
        f"\n… and {len(failures) - 60} more" if len(failures) > 60 else ""
    )


async def fill_inputs(pilot: Pilot[None], values: dict[str, str]) -> None:
    for widget_id, value in values.items():
        pilot.app.screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.pause()


# --- the wizards ---------------------------------------------------------------------------------


def login_step(pilot: Pilot[None]) -> str:
    return pilot.app.screen.query_one("#login-steps", ContentSwitcher).current or ""


async def test_login(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await settle(pilot)
        username = Step(
            "login/usuario",
            "step-user",
            {"username": "demo"},
            press("ingresar"),
            lambda p: login_step(p) == "step-user",
            echo="#security-user",
            shown_as=str.lower,  # usernames do not depend on case: the server answers in lower
        )
        failures = await probe(pilot, [username], seeded_db, transport)
        app.screen.query_one("#username", Input).value = ""
        # The password step of an unknown user (its decoy image): each try is a failed login,
        # which the server counts — that table may change, nothing else.
        await type_text(pilot, "intruso.x")
        await pilot.press("enter")
        await settle(pilot)
        assert login_step(pilot) == "step-password"
        password = Step(
            "login/contraseña",
            "step-password",
            {"password": "Valida2026"},
            press("siguiente"),
            lambda p: login_step(p) == "step-password",
            back=None,
            secret={"password"},
            may_change={"login_failures"},
            raw={"password"},
        )
        failures += await probe(pilot, [password], seeded_db, transport)
        assert isinstance(app.screen, LoginScreen)
    report(failures)


REGISTRATION_FORMS = {
    "persona": ("p-", LUIS_FORM),
    "empresa": ("e-", TEXTILES),
}


@pytest.mark.parametrize("kind", ["persona", "empresa"])
async def test_registration(kind, demo_app, seeded_db, clock, tmp_path):
    prefix, values = REGISTRATION_FORMS[kind]
    transport = HoldingTransport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await settle(pilot)
        await open_registration(pilot, kind)
        step = Step(
            f"registro/{kind}",
            f"form-{kind}",
            {f"{prefix}input-{name.replace('_', '-')}": value for name, value in values.items()},
            press("reg-next"),
            on_step("reg-data"),
            echo="#summary",
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_set_password(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    transport.held_paths.add(("POST", "/auth/set-password"))
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, SetPasswordScreen)
        step = Step(
            "establecer-contraseña",
            "sp-form",
            {
                "sp-input-code": "ABCD-EFGH-JK",
                "sp-input-password": "Valida2026",
                "sp-input-repeat": "Valida2026",
            },
            press("sp-submit"),
            on_step("sp-form"),
            secret={"sp-input-password", "sp-input-repeat"},
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_recovery(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    # Each step's request is held while its values are probed: nothing reaches the server.
    transport.held_paths.add(("POST", "/auth/recovery"))
    transport.held_paths.add(("POST", "/auth/recovery/verify"))
    transport.held_paths.add(("POST", "/auth/recovery/complete"))
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, RecoveryScreen)
        user = Step(
            "recuperar/usuario",
            "rc-user",
            {"rc-input-username": "demo"},
            press("rc-start"),
            on_step("rc-user"),
        )
        failures = await probe(pilot, [user], seeded_db, transport)
        transport.held_paths.discard(("POST", "/auth/recovery"))
        app.screen.query_one("#rc-input-username", Input).value = "demo"
        await push(pilot, "rc-start")
        assert current_step(pilot) == "rc-code"
        code = Step(
            "recuperar/código",
            "rc-code",
            {"rc-input-code": "ABCD-EFGH-JK"},
            press("rc-verify"),
            on_step("rc-code"),
        )
        failures += await probe(pilot, [code], seeded_db, transport)
        transport.held_paths.discard(("POST", "/auth/recovery/verify"))
        app.screen.query_one("#rc-input-code", Input).value = last_mailed_code(seeded_db)
        await push(pilot, "rc-verify")
        assert current_step(pilot) == "rc-answers"
        answers = Step(
            "recuperar/respuestas",
            "rc-answers",
            {
                "rc-input-own-answer": "Cotopaxi",
                "rc-input-security-answer": "firulais",
                "rc-input-password": "Nueva2026",
                "rc-input-repeat": "Nueva2026",
            },
            press("rc-submit"),
            on_step("rc-answers"),
            secret={"rc-input-password", "rc-input-repeat"},
        )
        failures += await probe(pilot, [answers], seeded_db, transport)
    report(failures)


def last_mailed_code(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        (body,) = conn.execute("SELECT body FROM outbox ORDER BY id DESC LIMIT 1").fetchone()
    match = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}\b", body)
    assert match, body
    return match.group(0)


async def test_first_login(demo_app, demo_client, teller_token, seeded_db, clock, tmp_path):
    code = await approved_code(demo_client, seeded_db, teller_token, LUIS)
    assert (await set_password(demo_client, code, FIRST_PASSWORD)).status_code == 204
    transport = HoldingTransport(demo_app)
    transport.held_paths.add(("POST", "/me/setup"))
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await settle(pilot)
        await login(pilot, "lyanez", FIRST_PASSWORD)
        assert isinstance(app.screen, FirstLoginScreen)
        password = Step(
            "primer-ingreso/contraseña",
            "fl-password",
            {"fl-input-password": "Segunda2027", "fl-input-repeat": "Segunda2027"},
            press("fl-password-ok"),
            on_step("fl-password"),
            secret={"fl-input-password", "fl-input-repeat"},
        )
        failures = await probe(pilot, [password], seeded_db, transport)
        await fill_inputs(pilot, password.valid)
        await push(pilot, "fl-password-ok")
        await push(pilot, "fl-image-ok")  # the image step has no text field (no phrase)
        own = Step(
            "primer-ingreso/pregunta-propia",
            "fl-own",
            {"input-own-question": "Nombre de mi abuela", "input-own-answer": "Rosa"},
            press("fl-own-ok"),
            on_step("fl-own"),
        )
        failures += await probe(pilot, [own], seeded_db, transport)
        await fill_inputs(pilot, own.valid)
        await push(pilot, "fl-own-ok")
        question = Step(
            "primer-ingreso/pregunta",
            "fl-question",
            {"input-answer": "Guayaquil"},
            press("fl-submit"),
            on_step("fl-question"),
        )
        failures += await probe(pilot, [question], seeded_db, transport)
    report(failures)


async def test_add_beneficiary_of_the_cooperative(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await open_add(pilot, "interna")
        step = Step(
            "agregar/cuenta-de-terceros",
            "form-interna",
            {"bi-input-number": "00107777"},
            press("ben-data-next"),
            on_step("ben-data"),
            echo=None,  # the summary shows the number the manual's rule registers
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_add_beneficiary_of_another_institution(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await open_add(pilot, "externa")
        await settle(pilot)
        await choose(pilot, "#be-institution", "Banco Guayaquil")
        step = Step(
            "agregar/otra-institución",
            "form-externa",
            {
                "be-input-number": "0012345678",
                "be-input-id-number": "1710034065",
                "be-input-name": "Luis Yánez",
                "be-input-email": "luis@correo.ec",
            },
            press("ben-data-next"),
            on_step("ben-data"),
            echo="#ben-summary",
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_transfer_data_and_pin(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await open_transfers(pilot, "internas")
        await choose(pilot, "#tr-from", "00104721")
        await choose(pilot, "#tr-to", "1105349")
        data = Step(
            "transferencias/datos",
            "tr-data",
            {"tr-input-amount-cents": "10", "tr-input-description": "Prueba"},
            press("tr-data-next"),
            on_step("tr-data"),
            echo="#tr-summary",
            amounts={"tr-input-amount-cents"},
        )
        failures = await probe(pilot, [data], seeded_db, transport)
        await fill_inputs(pilot, data.valid)
        await push(pilot, "tr-data-next")
        await push(pilot, "tr-submit")  # CONFIRMAR: the server e-mails a PIN
        assert current_step(pilot) == "tr-pin"
        pin = Step(
            "transferencias/pin",
            "tr-pin",
            {"tr-pin-input": ""},
            press("tr-pin-confirm"),
            on_step("tr-pin"),
            back=None,
            secret={"tr-pin-input"},
        )
        failures += await probe(pilot, [pin], seeded_db, transport)
    report(failures)


async def test_service_payment(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    transport.held_paths.add(("POST", "/frequent-services"))  # saving is what CONSULTAR confirms
    async with demo_logged_in(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await open_services(pilot)
        search = Step(
            "servicios/buscar",
            "sv-biller",
            {"sv-search": ""},
            enter,
            on_step("sv-biller"),
            back=None,
            free={"sv-search"},
        )
        failures = await probe(pilot, [search], seeded_db, transport)
        app.screen.query_one("#sv-search", Input).value = ""
        app.screen.query_one("#sv-search", Input).focus()
        await pick_biller(pilot, "claro", "Claro")
        reference = Step(
            "servicios/referencia",
            "sv-reference",
            {"sv-input-reference": "0991234567", "sv-input-alias": ""},
            press("sv-consult"),
            on_step("sv-reference"),
        )
        failures += await probe(pilot, [reference], seeded_db, transport)
        app.screen.query_one("#sv-input-alias", Input).value = ""
        await push(pilot, "sv-consult")
        assert current_step(pilot) == "sv-bill"
        amount = Step(
            "servicios/valor",
            "sv-bill",
            {"sv-input-amount-cents": "10"},
            press("sv-bill-next"),
            on_step("sv-bill"),
            amounts={"sv-input-amount-cents"},
        )
        failures += await probe(pilot, [amount], seeded_db, transport)
    report(failures)


async def test_card_payment_other_value(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await open_as_demo(pilot, "f7")
        assert isinstance(app.screen, CardPaymentScreen)
        await pilot.press("enter")  # the Visa
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # Otro valor
        await quiet(pilot)
        step = Step(
            "tarjetas/otro-valor",
            "cd-data",
            {"cdo-input-amount-cents": "10"},
            press("cd-data-next"),
            on_step("cd-data"),
            amounts={"cdo-input-amount-cents"},
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_card_of_another_institution(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (_app, pilot):
        await open_as_demo(pilot, "f7")
        await pilot.press("end", "enter")  # Otra institución…
        await settle(pilot)
        await choose(pilot, "#cd-issuer", "Visa Banco Pichincha")
        step = Step(
            "tarjetas/otra-institución",
            "cd-data",
            {
                "cde-input-card-number": "4111 1111 1111 1111",
                "cde-input-holder-name": "Ana Lucía Tipán",
                "cde-input-amount-cents": "50",
            },
            press("cd-data-next"),
            on_step("cd-data"),
            echo="#cd-summary",
            secret={"cde-input-card-number"},  # shown masked
            amounts={"cde-input-amount-cents"},
        )
        report(await probe(pilot, [step], seeded_db, transport))


async def test_statement_date_range(demo_app, seeded_db, clock, tmp_path):
    transport = HoldingTransport(demo_app)
    async with running(demo_app, clock, tmp_path, transport=transport) as (app, pilot):
        await open_as_demo(pilot, "enter")
        assert isinstance(app.screen, StatementScreen)

        def refused(p: Pilot[None]) -> bool:
            return bool(str(p.app.screen.query_one("#range-error", Label).render()))

        step = Step(
            "estado-de-cuenta/fechas",
            "range-row",
            {"date-from": "01/11/2026", "date-to": "25/11/2026"},
            enter,
            refused,
            back=None,
            errors={"date-from": "#range-error", "date-to": "#range-error"},
        )
        failures = await probe(pilot, [step], seeded_db, transport)
        # An empty «Desde» or «Hasta» is an open range: accepted, the movements come.
        assert app.screen.movements
    report(failures)


# --- accepted text, confirmed, where it is echoed later ------------------------------------------

MARKUP = "[link=http://x]y[/link]"  # Textual's markup parser refuses it: a crash if parsed
STYLED = "[bold red]x[/]"


def toasts(pilot: Pilot[None]) -> list[str]:
    return [str(toast.render()) for toast in pilot.app.screen.query(Toast)]


async def test_markup_like_text_is_shown_as_written_after_it_is_confirmed(
    demo_app, seeded_db, clock, tmp_path
):
    """A transfer's description and a frequent service's alias, confirmed for real: the
    receipt, the history's receipt, the notice and the list of frequent services show them as
    typed."""
    description = f"{MARKUP} {STYLED}"
    app = make_app(demo_app, tmp_path, clock.now)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await login(pilot, "demo", "Demo2026")
        await new_transfer(pilot, "propias", "00104721", "00204722", "1", description)
        assert description in text_of(pilot, "#tr-summary")
        await pilot.press("enter")
        await settle(pilot)
        assert current_step(pilot) == "tr-done"
        assert description in text_of(pilot, "#tr-receipt")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f4")  # the history; Enter: the newest one's receipt
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert description in text_of(pilot, "#receipt-text")
        assert "[link=http:" in screen_text(pilot)
        assert_alive(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)

        await open_services(pilot)
        await pick_biller(pilot, "epmaps", "EPMAPS Agua Quito")
        await type_text(pilot, "4567890")
        await pilot.press("enter")
        app.screen.query_one("#sv-input-alias", Input).value = MARKUP
        await pilot.press("enter")  # CONSULTAR: the alias is saved
        await settle(pilot)
        assert_alive(pilot)
        await pilot.pause()
        assert any(MARKUP in toast for toast in toasts(pilot)), toasts(pilot)
        await pilot.press("escape", "escape", "escape")  # back to the dashboard, then F6
        await settle(pilot)
        await open_services(pilot)
        cell = app.screen.query_one("#sv-frequent", DataTable).get_row_at(0)[0]
        assert default_cell_formatter(cell).plain == MARKUP
        assert_alive(pilot)
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("SELECT alias FROM frequent_services").fetchall() == [(MARKUP,)]


async def test_a_markup_like_question_is_shown_as_written(
    demo_app, demo_client, teller_token, seeded_db, clock, tmp_path
):
    """The PRIMER INGRESO with a markup-like own question: the recovery shows it as typed
    (after the e-mailed code)."""
    code = await approved_code(demo_client, seeded_db, teller_token, LUIS)
    assert (await set_password(demo_client, code, FIRST_PASSWORD)).status_code == 204
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await login(pilot, "lyanez", FIRST_PASSWORD)
        assert isinstance(app.screen, FirstLoginScreen)
        for text in ("Segunda2027", "Segunda2027"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await settle(pilot)
        await push(pilot, "fl-image-ok")
        await settle(pilot)
        assert current_step(pilot) == "fl-own"
        app.screen.query_one("#input-own-question", Input).value = f"{STYLED} ¿de qué color?"
        app.screen.query_one("#input-own-answer", Input).value = "Rojo"
        await push(pilot, "fl-own-ok")
        await settle(pilot)
        assert current_step(pilot) == "fl-question"
        app.screen.query_one("#input-answer", Input).value = "Guayaquil"
        await push(pilot, "fl-submit")
        await settle(pilot)
        assert current_step(pilot) == "fl-done", text_of(pilot, "#problem")
    # The next login, on a fresh app: the recovery shows the own question as typed.
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await type_text(pilot, "lyanez")
        await pilot.press("f4")
        await settle(pilot)
        await push(pilot, "rc-start")
        await settle(pilot)
        app.screen.query_one("#rc-input-code", Input).value = last_mailed_code(seeded_db)
        await push(pilot, "rc-verify")
        await settle(pilot)
        assert_alive(pilot)
        assert text_of(pilot, "#rc-own-question") == f"1. {STYLED} ¿de qué color?"


async def test_a_markup_like_company_name_reaches_the_teller_as_written(
    demo_app, demo_client, seeded_db, clock, tmp_path
):
    name = f"{STYLED} {MARKUP} S.A."
    await register(demo_client, {**TEXTILES_API, "razon_social": name})
    async with staff_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        rows = app.screen.query_one("#requests", DataTable)
        cells = [rows.get_row_at(i)[3] for i in range(rows.row_count)]
        assert name in [default_cell_formatter(cell).plain for cell in cells]
        assert_alive(pilot)
