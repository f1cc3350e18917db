"""English (`--lang en`): every main screen in English, and the catalogs complete.

The visible-string check reads each main screen as drawn and looks for Spanish words of the
interface. Words that are also part of the bank's data (names of billers, banks, members,
statement lines: the server's seed) are not interface words and are left out of the check.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sjvirtual_tui import i18n
from tests.i18n_tools import untranslated
from tests.tui import SIZE, login, make_app, screen_text, settle

ROOT = Path(__file__).resolve().parent.parent

# Spanish words a screen of ours would show if a string escaped translation.
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


def data_words() -> set[str]:
    """Every word of the seed's string literals: names and texts that are data, not interface."""
    words: set[str] = set()
    seed = ROOT / "mock_server" / "seed.py"
    for node in ast.walk(ast.parse(seed.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.update(w.lower() for w in WORD.findall(node.value))
    return words


MARKERS = SPANISH - data_words()


def spanish_on(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        found = {w for w in WORD.findall(line) if w.lower() in MARKERS}
        if found:
            lines.append(f"{sorted(found)}: {line.strip()}")
    return lines


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("es")


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


async def test_main_screens_show_no_spanish_in_english(english, demo_app, clock, tmp_path):
    assert {"ingrese", "contraseña", "siguiente", "transferir"} <= MARKERS  # the check can fail
    seen: dict[str, str] = {}
    app = make_app(demo_app, tmp_path, clock.now)
    async with app.run_test(size=SIZE) as pilot:

        async def look(name: str, *keys: str) -> None:
            if keys:
                await pilot.press(*keys)
            await settle(pilot)
            seen[name] = screen_text(pilot)

        await look("login")
        await pilot.press(*"demo", "enter")
        await look("password")
        await pilot.press(*"Demo2026", "enter")
        await look("dashboard")
        assert "ACCOUNT SUMMARY" in seen["dashboard"]
        await look("help", "f1")
        await look("palette", "escape", "ctrl+p")
        await look("statement", "escape", "enter")
        await look("transfers", "escape", "f2")
        await look("beneficiaries", "escape", "f3")
        await look("history", "escape", "f4")
        await look("services", "escape", "f6")
        await look("cards", "escape", "f7")
        await look("logged out", "escape", "f9")
        await look("registration", "f2")
    problems = {name: spanish_on(text) for name, text in seen.items()}
    assert {name: lines for name, lines in problems.items() if lines} == {}


async def test_server_errors_come_in_english_too(english, demo_app, clock, tmp_path):
    app = make_app(demo_app, tmp_path, clock.now)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Wrong2026")
        text = screen_text(pilot)
        assert "password" in text.lower()
        assert not spanish_on(text), spanish_on(text)
