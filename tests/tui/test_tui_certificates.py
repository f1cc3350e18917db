"""CERTIFICADO BANCARIO at 80x24 against the real app: key c, CONFIRMAR, the PDF in the export
directory (read back), the code kept by the server; and the statement's F3 PDF."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from sjvirtual_tui.screens.certificates import CertificateScreen
from sjvirtual_tui.screens.statement import StatementScreen
from tests.database import connect, rows
from tests.tui import screen_text, settle
from tests.tui.steps import demo_logged_in, press, staff_logged_in, submit


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def test_a_member_issues_a_certificate_and_gets_its_pdf(demo_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "c")
        assert isinstance(app.screen, CertificateScreen)
        await press(pilot, "tab", "enter")  # the first account is chosen; CONFIRMAR
        certificate = app.screen.certificate
        assert certificate is not None
        shown = screen_text(pilot)
        assert f"Código de verificación: {certificate.code}" in shown
        assert "Cuenta 00104721" in shown
        path = app.screen.saved
        assert path is not None and path.parent == tmp_path
        text = _pdf_text(path)
        assert "María Fernanda Guamán Quispe" in text
        assert "00104721" in text
        assert certificate.code in text
        assert "cifras" in text or "cifra" in text
    stored = rows(
        seeded_db,
        "SELECT a.number FROM certificates AS c JOIN accounts AS a ON a.id = c.account_id "
        "WHERE c.code = ?",
        certificate.code,
    )
    assert stored == [("00104721",)]


async def test_a_refusal_is_shown_beside_the_account_and_saves_nothing(
    demo_app, seeded_db, clock, tmp_path
):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "c")
        before = rows(seeded_db, "SELECT COUNT(*) FROM certificates")
        # Closed at the branch after the screen listed it.
        with connect(seeded_db) as conn:
            conn.execute("UPDATE accounts SET status = 'cerrada' WHERE number = '00104721'")
        await press(pilot, "tab", "enter")
        assert "está cerrada" in screen_text(pilot)
        assert app.screen.certificate is None
        assert not list(tmp_path.glob("certificado-*.pdf"))
        assert rows(seeded_db, "SELECT COUNT(*) FROM certificates") == before


async def test_the_statement_exports_its_range_as_pdf(demo_app, seeded_db, clock, tmp_path):
    async with demo_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, StatementScreen)
        first = app.screen.movements[0]
        await pilot.press("f3")
        await settle(pilot, rounds=8)
        path = app.screen.last_export
        assert path is not None and path.suffix == ".pdf"
        text = _pdf_text(path)
        assert "ESTADO DE CUENTA" in text
        assert "00104721" in text
        assert first.reference in text
        assert "Exportados" in screen_text(pilot)


async def test_a_teller_verifies_the_seeded_certificate_by_its_code(demo_app, clock, tmp_path):
    from mock_server.seed.certificates import DEMO_CODE

    async with staff_logged_in(demo_app, clock, tmp_path) as (app, pilot):
        await press(pilot, "f4")
        await submit(pilot, "CB-2222-2222")
        assert "no hay un certificado con" in screen_text(pilot)  # beside the field
        app.screen.code_field.input.value = ""
        await submit(pilot, DEMO_CODE.lower())
        shown = screen_text(pilot)
        assert f"Certificado válido {DEMO_CODE}" in shown
        assert "María Fernanda Guamán Quispe" in shown
        assert "****4721" in shown
        assert "cifras" in shown or "cifra" in shown
