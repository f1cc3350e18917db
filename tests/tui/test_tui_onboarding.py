"""Pilot walks at 80x24 of REGISTRO DE SOCIOS -> teller approval -> ESTABLECER CONTRASEÑA ->
PRIMER INGRESO -> dashboard, and of recovery, against the real FastAPI app."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from sjvirtual_tui.screens.dashboard import DashboardScreen
from sjvirtual_tui.screens.first_login import FirstLoginScreen
from sjvirtual_tui.screens.login import LoginScreen
from sjvirtual_tui.screens.registration import RegistrationScreen
from sjvirtual_tui.widgets.form import FormField
from sjvirtual_tui.widgets.image_gallery import ImageGallery
from sjvirtual_tui.widgets.security_image import SecurityImage
from tests import api
from tests.tui import running, settle, step, table_rows, text_of
from tests.tui.steps import (
    demo_logged_in,
    logged_in,
    login,
    press,
    staff_logged_in,
    submit,
    type_each,
    type_text,
)

CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})\b")

LUIS = {
    "cedula": "1710034065",
    "nombres": "Luis Alberto",
    "apellidos": "Yánez Cevallos",
    "fecha_nacimiento": "15/03/1985",
    "email": "luis.yanez@correo.ec",
    "celular": "0991234567",
    "direccion": "Calle Sucre 123, Quito",
    "usuario": "lyanez",
    "cuenta": "00107777",
}

# The API tests' Empresa, as the registration form takes it (the kind is the form's choice).
TEXTILES = {name: value for name, value in api.TEXTILES.items() if name != "kind"}


def field(pilot: Pilot[None], name: str) -> FormField:
    screen = pilot.app.screen
    assert isinstance(screen, RegistrationScreen)
    return next(f for f in screen.fields() if f.field_name == name)


def last_code(db: Path, to: str) -> str:
    """The code in the newest e-mail to ``to``, read from the server's outbox table."""
    with sqlite3.connect(db) as conn:
        (body,) = conn.execute(
            "SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC LIMIT 1", (to,)
        ).fetchone()
    match = CODE.search(body)
    assert match, body
    return match.group(1)


def registrations(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT kind, username, status FROM registrations ORDER BY id"
        ).fetchall()


async def open_registration(pilot: Pilot[None], kind: str = "persona") -> None:
    await press(pilot, "f2")
    assert isinstance(pilot.app.screen, RegistrationScreen)
    assert pilot.app.screen.query_one("#reg-accept").disabled  # not before accepting
    if kind == "empresa":
        await pilot.press("right")  # in the RadioSet: Empresa
    await pilot.press("enter")  # chooses it and moves on to the checkbox
    await press(pilot, "space", "enter")  # ticks it; Enter on the last field is CONFIRMAR
    assert step(pilot) == "reg-data"


async def fill(pilot: Pilot[None], values: dict[str, str]) -> None:
    for name, value in values.items():
        field(pilot, name).input.focus()
        await type_text(pilot, value)
    await press(pilot, "enter")  # Enter in the last field is SIGUIENTE


async def test_register_approve_set_password_first_login(server_app, seeded_db, clock, tmp_path):
    before = len(registrations(seeded_db))
    # 1. The applicant registers.
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_registration(pilot)
        await fill(pilot, LUIS)
        assert step(pilot) == "reg-confirm"
        summary = text_of(pilot, "#summary")
        assert "Cédula: 1710034065" in summary and "Usuario deseado: lyanez" in summary
        await pilot.press("escape")  # back keeps what was typed
        assert step(pilot) == "reg-data"
        assert field(pilot, "apellidos").value == "Yánez Cevallos"
        await pilot.click("#reg-next")
        await settle(pilot)
        assert step(pilot) == "reg-confirm"
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert step(pilot) == "reg-done"
        done = text_of(pilot, "#done-text")
        assert "PROCESO DE APROBACIÓN" in done and "luis.yanez@correo.ec" in done
        assert app.screen.receipt is not None
        assert app.screen.receipt.reference in done
    assert registrations(seeded_db)[before:] == [("persona", "lyanez", "pendiente")]

    # 2. A teller approves it.
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        rows = table_rows(pilot, "#requests")
        row = next(i for i, r in enumerate(rows) if r[4] == "lyanez")
        app.screen.query_one("#requests").move_cursor(row=row)
        await press(pilot, "f6")  # APROBAR
        await press(pilot, "enter")  # yes
        assert "lyanez" not in [r[4] for r in table_rows(pilot, "#requests")]
    assert registrations(seeded_db)[before:] == [("persona", "lyanez", "aprobada")]
    code = last_code(seeded_db, "luis.yanez@correo.ec")

    # 3. The applicant sets the password with the e-mailed code, then does the PRIMER INGRESO.
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f3")
        await type_each(pilot, code, "Primera2026", "Primera2026")
        assert step(pilot) == "sp-done"
        await press(pilot, "escape")
        assert isinstance(app.screen, LoginScreen)

        await login(pilot, "lyanez", "Primera2026")
        assert isinstance(app.screen, FirstLoginScreen)
        await pilot.press("escape")  # cannot be skipped
        assert step(pilot) == "fl-password"
        await type_text(pilot, "Primera2026")  # the same password again is refused
        await pilot.press("enter")  # said at once beside it; the cursor stays there
        assert "distinta de la actual" in app.screen.pair.password.error
        assert app.screen.focused is app.screen.pair.password.input
        app.screen.pair.password.value = ""
        await type_each(pilot, "Segunda2027", "Segunda2027")
        assert step(pilot) == "fl-image"
        await pilot.press("right", "right", "enter")  # the third image: volcán, SIGUIENTE
        assert app.screen.query_one(ImageGallery).image == "volcan"
        await settle(pilot)
        assert step(pilot) == "fl-own"
        await type_each(pilot, "Nombre de mi abuela", "Rosa")
        assert step(pilot) == "fl-question"
        await settle(pilot)
        app.screen.query_one("#question-list").focus()
        await pilot.press("down", "enter")  # the second question
        await submit(pilot, "Guayaquil")
        assert step(pilot) == "fl-done"
        assert "Su cuenta está lista" in text_of(pilot, "#fl-done-text")
        await press(pilot, "enter")  # CONTINUAR
        assert isinstance(app.screen, DashboardScreen)
        assert [r[0] for r in table_rows(pilot, "#accounts")] == ["00107777"]

    # 4. Next time: the chosen image, the new password, straight to the dashboard.
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await submit(pilot, "lyanez")
        assert app.screen.query_one(SecurityImage).image == "volcan"
        await submit(pilot, "Segunda2027")
        assert isinstance(app.screen, DashboardScreen)


async def test_register_empresa(server_app, seeded_db, clock, tmp_path):
    before = len(registrations(seeded_db))
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_registration(pilot, "empresa")
        assert app.screen.kind == "empresa"
        await fill(pilot, TEXTILES)
        assert step(pilot) == "reg-confirm"
        assert "Razón social: Textiles Otavalo S.A." in text_of(pilot, "#summary")
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert step(pilot) == "reg-done"
    assert registrations(seeded_db)[before:] == [("empresa", "textiles", "pendiente")]


async def test_wrong_fields_are_refused_next_to_them(server_app, seeded_db, clock, tmp_path):
    before = registrations(seeded_db)
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await open_registration(pilot)
        bad = {
            **LUIS,
            "cedula": "1710034066",
            "fecha_nacimiento": "01/01/2015",
            "email": "luis@",
            "celular": "12345",
            "usuario": "Luis Y",
        }
        await fill(pilot, bad)
        assert step(pilot) == "reg-data"
        assert "último dígito" in field(pilot, "cedula").error
        assert "mayor de 18" in field(pilot, "fecha_nacimiento").error
        assert "correo válido" in field(pilot, "email").error
        assert "09" in field(pilot, "celular").error
        assert "minúsculas" in field(pilot, "usuario").error
        assert field(pilot, "nombres").error == ""
        assert app.focused is field(pilot, "cedula").input  # the first wrong field

        # Fixed by hand, but the account belongs to someone else: the server says so there.
        for name in ("cedula", "fecha_nacimiento", "email", "celular", "usuario"):
            field(pilot, name).value = LUIS[name]
        field(pilot, "cuenta").value = "00104721"  # demo's account
        await pilot.click("#reg-next")
        await settle(pilot)
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert step(pilot) == "reg-data"
        assert "No encontramos una cuenta" in field(pilot, "cuenta").error
    assert registrations(seeded_db) == before  # nothing stored


async def test_duplicate_request_is_refused_with_a_reason(server_app, seeded_db, clock, tmp_path):
    before = registrations(seeded_db)
    gabriela = {  # she already has a pending request in the seed
        "cedula": "0926687856",
        "nombres": "Gabriela",
        "apellidos": "Cisneros Mora",
        "fecha_nacimiento": "12/04/1990",
        "email": "gabriela@correo.ec",
        "celular": "0987654321",
        "direccion": "Av. Amazonas N34-120, Quito",
        "usuario": "gcisneros2",
        "cuenta": "00108888",
    }
    async with running(server_app, clock, tmp_path) as (_app, pilot):
        await open_registration(pilot)
        await fill(pilot, gabriela)
        await pilot.click("#reg-submit")
        await settle(pilot)
        problem = text_of(pilot, "#problem")
        cedula_error = field(pilot, "cedula").error
        assert "solicitud" in (problem + cedula_error).lower()
        assert step(pilot) in ("reg-confirm", "reg-data")
    assert registrations(seeded_db) == before


async def test_recovery_with_the_code_then_both_answers(server_app, seeded_db, clock, tmp_path):
    async with running(server_app, clock, tmp_path) as (app, pilot):
        await type_text(pilot, "demo")
        await press(pilot, "f4")
        await press(pilot, "enter")  # the username came along from the login screen
        assert step(pilot) == "rc-code"
        code = last_code(seeded_db, "demo@socios.coacsanjose.ec")
        await submit(pilot, code)
        assert step(pilot) == "rc-answers"
        assert "volcán favorito" in text_of(pilot, "#rc-own-question")
        await type_each(pilot, "  COTOPAXÍ ", "firulais", "Nueva2026", "Nueva2026")
        assert step(pilot) == "rc-done"
        await press(pilot, "escape")
        app.screen.query_one("#username").value = ""
        await login(pilot, "demo", "Nueva2026")
        assert isinstance(app.screen, DashboardScreen)


async def test_staff_and_members_each_use_their_own_app(server_app, clock, tmp_path):
    async with demo_logged_in(server_app, clock, tmp_path, teller=True) as (app, pilot):
        assert isinstance(app.screen, LoginScreen)
        assert "solo para el personal" in text_of(pilot, "#notice")
    async with logged_in(server_app, clock, tmp_path, "cajero", "Cajero2026") as (app, pilot):
        assert isinstance(app.screen, LoginScreen)
        assert "--teller" in text_of(pilot, "#notice")


async def test_teller_rejects_with_a_reason_and_unlocks(server_app, seeded_db, clock, tmp_path):
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        assert [r[4] for r in table_rows(pilot, "#requests")] == ["gcisneros"]
        await pilot.press("f7")  # RECHAZAR
        await submit(pilot, "no")
        assert "al menos 5" in app.screen.reason.error
        await submit(pilot, " coincide la firma")
        assert table_rows(pilot, "#requests") == []

        app.screen.query_one("#teller-tabs").active = "tab-locked"
        await settle(pilot)
        assert "bloqueado" in [r[0] for r in table_rows(pilot, "#locked")]
        app.screen.query_one("#locked").focus()
        await press(pilot, "enter")
        await press(pilot, "enter")  # yes
        assert "bloqueado" not in [r[0] for r in table_rows(pilot, "#locked")]
    assert registrations(seeded_db)[-1] == ("persona", "gcisneros", "rechazada")
    with sqlite3.connect(seeded_db) as conn:
        (body,) = conn.execute(
            "SELECT body FROM outbox WHERE to_address = 'gabriela@correo.ec' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert "no coincide la firma" in body
