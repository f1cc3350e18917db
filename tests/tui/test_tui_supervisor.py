"""Pilot walks at 80x24 of issue 18's staff flows against the real FastAPI app: a supervisor
(``sjvirtual --teller``) approves the seeded four-eyes request with a reason, filters the audit
view and exports it to CSV; a teller asks for a security reset, sends a new ESTABLECER
CONTRASEÑA code and registers a walk-in socio; a teller has no supervisor's screen."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from textual.widgets import ContentSwitcher

from sjvirtual_tui.screens.supervisor import SupervisorScreen
from sjvirtual_tui.screens.teller import TellerScreen
from sjvirtual_tui.screens.teller_access import TellerAccessScreen, WalkInRegistrationScreen
from sjvirtual_tui.widgets.form import FormField
from tests.tui import running, screen_text, settle, table_rows, text_of
from tests.tui.steps import login, press, staff_logged_in, submit, type_text
from tests.tui.test_tui_onboarding import LUIS


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


async def test_a_supervisor_approves_the_waiting_request(server_app, seeded_db, clock, tmp_path):
    async with staff_logged_in(server_app, clock, tmp_path, "supervisor") as (app, pilot):
        await press(pilot, "f12")
        assert isinstance(app.screen, SupervisorScreen)
        (row,) = table_rows(pilot, "#approvals")
        assert row[1:4] == ["Restablecer seguridad", "masivo", "cajero"]
        assert "olvidó sus respuestas" in text_of(pilot, "#approval-detail")
        await press(pilot, "a")  # APROBAR
        await submit(pilot, "Verificado con la cedula")
        assert table_rows(pilot, "#approvals") == []
        assert "No hay solicitudes pendientes" in text_of(pilot, "#approval-detail")
    assert _rows(seeded_db, "SELECT status, reason FROM approvals") == [
        ("aprobada", "Verificado con la cedula")
    ]
    assert _rows(seeded_db, "SELECT status FROM members WHERE username = 'masivo'") == [("setup",)]


async def test_a_rejection_needs_a_reason_typed(server_app, seeded_db, clock, tmp_path):
    async with staff_logged_in(server_app, clock, tmp_path, "supervisor") as (app, pilot):
        await press(pilot, "f12")
        await press(pilot, "r")  # RECHAZAR
        await press(pilot, "enter")
        assert "al menos 5" in app.screen.reason.error
        await submit(pilot, "No vino el socio")
        assert table_rows(pilot, "#approvals") == []
    assert _rows(seeded_db, "SELECT status FROM approvals") == [("rechazada",)]
    assert _rows(seeded_db, "SELECT status FROM members WHERE username = 'masivo'") == [("active",)]


async def test_the_audit_view_filters_and_exports(server_app, seeded_db, clock, tmp_path):
    async with running(server_app, clock, tmp_path, teller=True) as (app, pilot):
        # The teller's actions leave their rows: an unlock.
        await login(pilot, "supervisor", "Supervisor2026")
        app.screen.query_one("#teller-tabs").active = "tab-locked"
        await settle(pilot)
        app.screen.query_one("#locked").focus()
        await press(pilot, "enter")
        await press(pilot, "enter")  # yes
        await press(pilot, "f12", "f3")  # the supervisor's screen, Auditoría
        assert isinstance(app.screen, SupervisorScreen)
        assert [r[1:4] for r in table_rows(pilot, "#audit")] == [
            ["supervisor", "access.unlock", "bloqueado"]
        ]
        await submit(pilot, "nadie")  # Socio
        assert table_rows(pilot, "#audit") == []
        assert "Ningún registro" in text_of(pilot, "#audit-detail")
        member = app.screen.query_one("#f-member")
        member.value = ""
        app.screen.query_one("#f-since").value = "32/13/2026"
        app.screen.query_one("#f-since").focus()
        await press(pilot, "enter")
        assert "Desde" in text_of(pilot, "#problem")
        app.screen.query_one("#f-since").value = ""
        app.screen.query_one("#f-action").value = "access.unlock"
        app.screen.query_one("#f-action").focus()
        await press(pilot, "enter")
        assert len(table_rows(pilot, "#audit")) == 1
        await press(pilot, "f4")  # Exportar CSV
        path = app.screen.exported
        assert path is not None and path.parent == tmp_path
        assert str(path) in screen_text(pilot).replace("\n", "") or path.exists()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:6] == ["id", "fecha", "tipo_actor", "actor", "terminal", "accion"]
    assert [(r[3], r[5], r[6], r[8]) for r in rows[1:]] == [
        ("supervisor", "access.unlock", "bloqueado", "ok")
    ]


async def test_a_teller_asks_for_a_reset_and_cannot_approve_it(
    server_app, seeded_db, clock, tmp_path
):
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f12")  # a teller has no supervisor's screen
        assert isinstance(app.screen, TellerScreen)
        await press(pilot, "f10")
        assert isinstance(app.screen, TellerAccessScreen)
        await type_text(pilot, "demo")
        await press(pilot, "f2")  # RESTABLECER: the reason is missing
        assert "obligatorio" in app.screen.reason.error
        app.screen.reason.input.focus()
        await type_text(pilot, "Olv")
        await press(pilot, "f2")  # too short for the supervisor to read
        assert "al menos 5" in app.screen.reason.error
        await type_text(pilot, "ido sus respuestas")
        await press(pilot, "f2")
        assert "espera la aprobación de un supervisor" in text_of(pilot, "#access-result")
        # An unknown user is said where it was typed.
        app.screen.username.value = "nadie"
        await press(pilot, "f3")  # REENVIAR CÓDIGO
        assert "no encontrado" in app.screen.username.error
    assert _rows(
        seeded_db,
        "SELECT a.status, m.username, r.username FROM approvals AS a"
        " JOIN members AS m ON m.id = a.member_id JOIN members AS r ON r.id = a.requested_by"
        " ORDER BY a.id",
    ) == [("pendiente", "masivo", "cajero"), ("pendiente", "demo", "cajero")]
    assert _rows(seeded_db, "SELECT status FROM members WHERE username = 'demo'") == [("active",)]


async def test_a_teller_registers_a_walk_in_socio(server_app, seeded_db, clock, tmp_path):
    async with staff_logged_in(server_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f10")
        await press(pilot, "f4")  # REGISTRAR SOCIO
        assert isinstance(app.screen, WalkInRegistrationScreen)
        await pilot.press("enter")  # Persona
        await press(pilot, "space", "enter")  # accepts the terms; CONFIRMAR
        for name, value in LUIS.items():  # the applicant the online registration uses
            field = next(f for f in app.screen.query(FormField) if f.field_name == name)
            if field.display and field.id and field.id.startswith("p-"):
                field.input.focus()
                await type_text(pilot, value)
        await press(pilot, "enter")  # SIGUIENTE
        assert app.screen.query_one(ContentSwitcher).current == "reg-confirm"
        await pilot.click("#reg-submit")
        await settle(pilot)
        assert app.screen.query_one(ContentSwitcher).current == "reg-done"
        done = text_of(pilot, "#done-text")
        assert "APROBADO" in done and "lyanez" in done
        # A new code for the same socio, from the access screen.
        await pilot.click("#reg-home")
        await settle(pilot)
        assert isinstance(app.screen, TellerAccessScreen)
        app.screen.username.value = "lyanez"
        await press(pilot, "f3")
        assert "l****@correo.ec" in text_of(pilot, "#access-result")
    assert _rows(seeded_db, "SELECT status, role FROM members WHERE username = 'lyanez'") == [
        ("pending_password", "member")
    ]
    assert _rows(
        seeded_db,
        "SELECT action, actor FROM audit_log WHERE action IN"
        " ('registration.walk_in', 'access.resend_code') ORDER BY id",
    ) == [("registration.walk_in", "cajero"), ("access.resend_code", "cajero")]
