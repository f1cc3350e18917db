"""English (`--lang en`): every screen in English, and the catalogs complete.

The visible-string check reads each screen as drawn and looks for Spanish words: every word of the
Spanish catalog (the msgids of both packages, plus a few common words) that the English catalog
does not use itself (proper names, "PIN", "RUC" appear in both). Words of the bank's data (the
seeded database: names of billers, banks, members, statement lines) are not interface words and
are left out of the check.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input

from sjvirtual_tui import i18n
from sjvirtual_tui.demo import DEMO_HINT
from tests import ROOT
from tests.i18n_tools import extracted, untranslated
from tests.tui import running, screen_text, settle
from tests.tui.steps import logged_in, login, open_as_demo, type_text
from tests.tui.test_tui_onboarding import last_code

# Short Spanish words a screen of ours would show if a string escaped translation.
_INTERFACE_WORDS = """
    ingrese ingresar usuario contraseña cuenta cuentas usted su sus para con los las del una que
    por volver ayuda salir siguiente confirmar agregar disponible saldo saldos monto tipo origen
    destino buscar tarjeta tarjetas pagar pago pagos historial estado fecha transferir
    transferencias registrarse recuperar correo cerrar sesión está esta este nombre número valor
    pendiente seleccione elija ninguno primer paso todos desde hasta servicios menú consultar
    listo comprobante guardar terceros propias otras instituciones beneficiario titular
    contable movimientos ocultar montos teclas anterior campo aceptar botón pantalla clave
    el la y o en de al es no sí
"""
SPANISH = set(_INTERFACE_WORDS.split())
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑáéíóúñü]+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(re.sub(r"\{[a-z_]+\}", " ", text))}


def catalog_words() -> tuple[set[str], set[str]]:
    """(words of the Spanish msgids, words of their English translations)."""
    import mock_server.i18n  # noqa: F401 — the server's catalog too

    spanish: set[str] = set()
    for _file, _line, msgid in extracted():
        spanish |= _words(msgid)
    english: set[str] = set()
    i18n._loaded.clear()
    for text in i18n.load_catalog("en").values():
        english |= _words(text)
    for forms in i18n._plurals["en"].values():
        for text in forms:
            english |= _words(text)
    return spanish, english


# The bank's records a screen shows as they are (names, statement lines, the member's own words).
DATA_COLUMNS = {
    "holders": ("name",),
    "members": ("username", "full_name", "security_phrase", "own_question"),
    "accounts": ("name",),
    "movements": ("description",),
    "institutions": ("name",),
    "beneficiaries": ("name",),
    "billers": ("name",),
    "bills": ("holder_name",),
    "cards": ("holder_name",),
    "card_issuers": ("name",),
    "registrations": ("reference", "username", "request_json"),
}
EMAIL = re.compile(r"\S+@\S+")


def data_words(db: Path) -> set[str]:
    """Every word of the seeded database's records that a screen shows as data: names,
    statement lines, the members' own words. E-mail addresses are left out of the screens."""
    words: set[str] = set()
    with sqlite3.connect(db) as conn:
        for table, columns in DATA_COLUMNS.items():
            for column in columns:
                query = f"SELECT DISTINCT {column} FROM {table}"
                for (value,) in conn.execute(query):
                    if isinstance(value, str):
                        words |= _words(EMAIL.sub(" ", value))
    return words


def seed_words() -> set[str]:
    """Words of the seed's string literals (for the check without a database)."""
    words: set[str] = set()
    modules = sorted((ROOT / "mock_server" / "seed").glob("*.py"))
    assert modules, "the seed's package moved"
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words |= _words(node.value)
    return words


MARKERS = SPANISH - seed_words()


@pytest.fixture
def markers(seeded_db: Path) -> set[str]:
    from babel import Locale

    spanish, english = catalog_words()
    # Calendar words: a date or period written with Spanish month names escaped Babel's dates.
    calendar = Locale("es").months["stand-alone"]["wide"].values()
    spanish |= {w for month in calendar for w in _words(month)}
    found = (SPANISH | spanish) - english - data_words(seeded_db)
    # the check can fail: interface words are in it
    assert {"ingrese", "contraseña", "siguiente", "período", "pide", "noviembre", "correo"} <= found
    return found


def spanish_on(text: str, markers: set[str] = MARKERS) -> list[str]:
    lines = []
    for line in text.splitlines():
        found = {w for w in WORD.findall(EMAIL.sub(" ", line)) if w.lower() in markers}
        if found:
            lines.append(f"{sorted(found)}: {line.strip()}")
    return lines


def test_every_marked_string_has_an_english_translation():
    missing = untranslated()
    assert missing == [], "\n".join(f"{f}:{n}: {m!r}" for f, n, m in missing)


def test_language_comes_from_the_flag_then_the_environment():
    assert i18n.language_from_environment({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.language_from_environment({"LANG": "es_EC.UTF-8"}) == "es"
    assert i18n.language_from_environment({"LANG": "C.UTF-8"}) == "es"
    assert i18n.language_from_environment({"LC_ALL": "en_GB", "LANG": "es_EC"}) == "en"
    assert i18n.language_from_environment({"SJV_LANG": "es", "LANG": "en_US"}) == "es"
    assert i18n.language_from_environment({}) == "es"


class Walk:
    """What each screen showed, by name, as a member saw it at 80x24."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.seen: dict[str, str] = {}

    async def look(self, name: str, *keys: str) -> str:
        if keys:
            await self.pilot.press(*keys)
        await settle(self.pilot)
        self.seen[name] = screen_text(self.pilot)
        return self.seen[name]

    async def type(self, *texts: str) -> None:
        """Each of ``texts`` typed and Enter, field after field."""
        for text in texts:
            await type_text(self.pilot, text)
            await self.pilot.press("enter")
            await settle(self.pilot)

    def problems(self, markers: set[str]) -> dict[str, list[str]]:
        found = {name: spanish_on(text, markers) for name, text in self.seen.items()}
        return {name: lines for name, lines in found.items() if lines}


def sent_code(db: Path, pattern: str) -> str:
    """The newest code or PIN of the outbox that ``pattern`` (one group) finds."""
    with sqlite3.connect(db) as conn:
        bodies = [b for (b,) in conn.execute("SELECT body FROM outbox ORDER BY id DESC")]
    return next(m.group(1) for b in bodies if (m := re.search(pattern, b)))


PIN_MAIL = r"(?:PIN de verificación|Verification PIN): (\d{4})"


async def test_member_screens_show_no_spanish_in_english(
    english, markers, demo_app, seeded_db, clock, tmp_path
):
    from textual.widgets import DataTable, Select

    async with running(demo_app, clock, tmp_path, outbox=True, demo_hint=DEMO_HINT) as (app, pilot):
        walk = Walk(pilot)
        await walk.look("login")
        await walk.type("demo")
        await walk.look("password")
        await walk.type("Demo2026")
        text = await walk.look("dashboard")
        assert "ACCOUNT SUMMARY" in text
        await walk.look("help", "f1")
        await walk.look("palette", "escape", "ctrl+p")
        await walk.look("statement", "escape", "enter")
        await walk.look("statement detail", "tab", "enter")

        # Transfers to a member: every step, a menu open, a wrong PIN, the receipt.
        await walk.look("transfers", "escape", "escape", "f2")
        app.screen.query_one("#tr-kinds").focus()
        await pilot.press("down", "enter")  # Enter on the list moves on
        await walk.look("transfer data")
        app.screen.query_one("#tr-to", Select).focus()
        text = await walk.look("transfer menu open", "enter")
        assert "Dismiss menu" in text  # Textual's own key, in the member's language
        await pilot.press("down", "enter")
        app.screen.query_one("#tr-input-amount-cents").focus()
        await walk.type("40", "Loan")
        await walk.look("transfer confirm")
        await walk.look("transfer pin", "enter")
        wrong = "0000" if sent_code(seeded_db, PIN_MAIL) != "0000" else "1111"
        await walk.type(wrong)
        await walk.look("transfer wrong pin")
        await walk.type(sent_code(seeded_db, PIN_MAIL))
        await walk.look("transfer receipt")

        # Beneficiaries: the list and the form to add one.
        await walk.look("dashboard again", "escape")
        await walk.look("beneficiaries", "f3")
        await walk.look("beneficiary form", "f2")

        # Bill payments: the catalog, a reference refused (by the client, by the server), the
        # bill with its period, the confirmation, the receipt.
        await walk.look("dashboard 3", "escape", "escape", "escape")
        await walk.look("services", "f6")
        await walk.type("directv")
        await walk.look("service reference", "enter")
        await walk.type("12ab", "")  # the reference, no alias: CONSULTAR
        await walk.look("service reference refused")
        reference = app.screen.query_one("#sv-field-reference")
        reference.value = "99999999"
        reference.input.focus()
        await walk.look("service reference unknown", "enter", "enter")
        reference.value = "80012345"  # due this month (November)
        reference.input.focus()
        text = await walk.look("service bill", "enter", "enter")
        assert "Period:" in text
        await walk.look("service confirm", "enter")
        await walk.look("service pin", "enter")
        await walk.type(sent_code(seeded_db, PIN_MAIL))
        await walk.look("service receipt")

        # Cards, the history and a receipt from it, the demo's mailbox, the logout.
        await walk.look("dashboard 4", "escape")
        await walk.look("cards", "f7")
        await walk.look("history", "escape", "f4")
        table = app.screen.query(DataTable).first()
        table.focus()
        await walk.look("history receipt", "enter")
        await walk.look("mail", "escape", "escape", "f8")
        await walk.look("logged out", "escape", "f9")
    problems = walk.problems(markers)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


async def test_logged_out_screens_show_no_spanish_in_english(
    english, markers, demo_app, seeded_db, clock, tmp_path
):
    async with running(demo_app, clock, tmp_path) as (_app, pilot):
        walk = Walk(pilot)
        await walk.look("registration", "f2")
        await pilot.press("tab", "tab", "space", "tab", "enter")
        await walk.look("registration data")
        await walk.look("registration errors", "enter")
        await walk.look("set password", "escape", "escape", "f3")
        await walk.type("NOTACODE", "Nueva2026", "Nueva2026")
        await walk.look("set password refused")
        await walk.look("recovery", "escape", "f4")
        await walk.type("demo")
        await walk.look("recovery code")
        await walk.type("ABCD-EFGH-JK")  # nobody's code
        await walk.look("recovery code refused")
        code = pilot.app.screen.query_one("#rc-input-code", Input)
        code.value = ""
        code.focus()
        await walk.type(last_code(seeded_db, "demo@socios.coacsanjose.ec"))
        await walk.look("recovery questions")
        await walk.type("wrong", "wrong", "Nueva2026", "Nueva2026")
        await walk.look("recovery refused")
        assert pilot.app.screen.step == "rc-answers"  # refused where it was typed
    problems = walk.problems(markers)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


async def test_teller_and_first_login_show_no_spanish_in_english(
    english, markers, demo_app, seeded_db, clock, tmp_path
):
    import httpx

    from mock_server.testing import login_token
    from tests.api import FIRST_PASSWORD, LUIS, approved_code, set_password

    async with running(demo_app, clock, tmp_path, teller=True) as (app, pilot):
        walk = Walk(pilot)
        await login(pilot, "cajero", "Cajero2026")
        await walk.look("teller requests")
        await walk.look("teller reject", "f7")
        await walk.type("no")
        await walk.look("teller reject refused")
        await walk.look("teller locked", "escape", "f3")
        await walk.look("teller drawer closed", "escape", "f8")
        await walk.type("500")
        await walk.look("teller drawer open")
        await walk.look("teller search", "escape", "f11")
        await walk.type("pillajo")
        await walk.look("teller search results")
        await pilot.press("enter")
        await walk.type("balance at the counter")
        await walk.look("teller member file")
    problems = walk.problems(markers)
    # The walk reached the drawer's sums and the member file's accounts (not a refusal).
    assert "$500,00" in walk.seen["teller drawer open"]
    assert "00105349" in walk.seen["teller member file"]

    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sjv.test") as client:
        teller = await login_token(client, "cajero", "Cajero2026")
        code = await approved_code(client, seeded_db, teller)
        assert (await set_password(client, code, FIRST_PASSWORD)).status_code == 204
    async with running(demo_app, clock, tmp_path) as (app, pilot):
        walk = Walk(pilot)
        await login(pilot, LUIS["usuario"], FIRST_PASSWORD)
        await walk.look("first login password")
        await walk.type("Primera2026", "Primera2026")
        await walk.look("first login password refused")
        screen = app.screen
        screen.pair.password.value = ""
        screen.pair.repeat.value = ""
        screen.pair.password.input.focus()
        await walk.type("Segunda2027", "Segunda2027")
        await walk.look("first login image")
        await pilot.press("right", "right", "enter")
        await walk.type("My house")
        await walk.look("first login own question")
        await walk.type("Grandmother", "Rosa")
        await walk.look("first login question")
        app.screen.query_one("#question-list").focus()
        await pilot.press("down", "enter")
        await walk.type("Guayaquil")
        await walk.look("first login done")
    problems |= walk.problems(markers)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


async def test_server_errors_come_in_english_too(english, demo_app, clock, tmp_path):
    async with logged_in(demo_app, clock, tmp_path, "demo", "Wrong2026") as (_app, pilot):
        text = screen_text(pilot)
        assert "password" in text.lower()
        assert not spanish_on(text), spanish_on(text)


async def test_textuals_own_keys_speak_the_members_language(demo_app, clock, tmp_path):
    """The open menu of a Select shows Textual's "esc Dismiss menu": in Spanish, in Spanish."""
    from textual.widgets import Select

    async with running(demo_app, clock, tmp_path) as (app, pilot):
        await open_as_demo(pilot, "f2")
        app.screen.query_one("#tr-kinds").focus()
        await pilot.press("down", "enter")  # Enter on the list moves on
        await settle(pilot)
        app.screen.query_one("#tr-to", Select).focus()
        await pilot.press("enter")
        await settle(pilot)
        footer = screen_text(pilot).splitlines()[-1]
        assert "esc Cerrar menú" in footer and "Dismiss" not in footer, footer
