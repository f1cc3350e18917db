"""Receipts on paper: fitted to 42 and 48 columns, sent to python-escpos's Dummy printer in the
printer's code page (the accents come out as the printer's bytes), or saved as a text file when
no printer is configured or the printer fails."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from escpos.printer import Dummy

from sjvirtual_tui.config import PrinterSettings
from sjvirtual_tui.models import CounterOperation, Transfer, TransferKind, TransferStatus
from sjvirtual_tui.receipts import (
    counter_receipt,
    deliver,
    print_on,
    receipt_lines,
    transfer_paper_receipt,
)

WHEN = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # 10:30 in Ecuador
DEPOSIT = CounterOperation(
    id=1,
    reference="CAJ-0000001",
    kind="deposito",
    status="completada",
    account="00105349",
    holder_name="Carlos Andrés Pillajo Tituaña",
    amount_cents=123_456,
    depositor="Ñusta Guamán Yánez",
    teller="cajero",
    created_at=WHEN,
    executed_at=WHEN,
)
# ESC/POS commands: ESC or GS and what follows them (ESC t n, ESC d n, GS V m ...).
_COMMANDS = re.compile(rb"\x1b[@-~][\x00-\xff]?|\x1d[@-~][\x00-\xff]?")


def _printed_text(output: bytes, codepage: str = "cp858") -> str:
    return _COMMANDS.sub(b"", output).decode(codepage)


@pytest.mark.parametrize("columns", [42, 48])
def test_a_counter_receipt_fits_its_width(columns: int) -> None:
    lines = receipt_lines(counter_receipt(DEPOSIT), columns)
    assert max(len(line) for line in lines) == columns
    assert lines[0].strip() == "Cooperativa San José S.J."
    assert lines[1].strip() == "COMPROBANTE DE VENTANILLA"
    amount = next(line for line in lines if line.startswith("Monto:"))
    assert amount.endswith("$1.234,56") and len(amount) == columns
    holder = next(line for line in lines if line.startswith("Titular:"))
    assert holder.endswith("Carlos Andrés Pillajo Tituaña") and len(holder) == columns
    # A value too long for its label's line goes under it, to the right.
    company = DEPOSIT.model_copy(update={"holder_name": "Comercial Andina Cía. Ltda. Sucursal Sur"})
    fitted = receipt_lines(counter_receipt(company), columns)
    below = fitted.index("Titular:")
    assert fitted[below + 1] == "Comercial Andina Cía. Ltda. Sucursal Sur".rjust(columns)


def test_the_dummy_printer_gets_the_accents_in_its_code_page() -> None:
    printer = Dummy()
    print_on(printer, counter_receipt(DEPOSIT), 42, "CP858")
    output = printer.output
    assert output.startswith(b"\x1bt\x13")  # ESC t 19: code page 858
    assert output.endswith(b"\x1dV\x00")  # the cut
    text = _printed_text(output)
    assert "Cooperativa San José S.J." in text
    assert "Depósito en efectivo" in text
    assert "Ñusta Guamán Yánez" in text
    assert "Fecha y hora:" in text and "04/12/2026 10:30" in text
    assert "Conserve este comprobante de su depósito." in text
    # The accents are the code page's single bytes, not UTF-8.
    assert "Guamán".encode("cp858") in output
    assert "Guamán".encode() not in output


def test_a_withdrawal_has_a_line_to_sign_and_48_columns_print_too() -> None:
    printer = Dummy()
    withdrawal = DEPOSIT.model_copy(update={"kind": "retiro", "depositor": None})
    print_on(printer, counter_receipt(withdrawal), 48, "CP858")
    text = _printed_text(printer.output)
    lines = text.splitlines()
    assert "Retiro en efectivo" in text
    assert "Depositante" not in text
    assert any(set(line.strip()) == {"_"} for line in lines)
    assert lines[-1].strip() == "Firma del socio"
    assert max(len(line) for line in lines) == 48


def test_a_transfer_receipt_prints() -> None:
    transfer = Transfer(
        id=7,
        reference="TRF-0000007",
        kind=TransferKind("internas"),
        status=TransferStatus("completada"),
        from_account="00104721",
        to_account="1107777",
        to_name="Luis Alberto Yánez Cevallos",
        to_institution="Cooperativa San José S.J.",
        amount_cents=5_000,
        description="Pago de arriendo",
        created_at=WHEN,
        executed_at=WHEN,
    )
    printer = Dummy()
    print_on(printer, transfer_paper_receipt(transfer), 42, "CP858")
    text = _printed_text(printer.output)
    assert "COMPROBANTE DE TRANSFERENCIA" in text
    assert "TRF-0000007" in text and "$50,00" in text and "Yánez" in text


def test_without_a_printer_the_receipt_is_saved_and_the_teller_told(tmp_path: Path) -> None:
    done = deliver(counter_receipt(DEPOSIT), PrinterSettings(), tmp_path)
    assert not done.printed
    assert done.path == tmp_path / "comprobante-CAJ-0000001.txt"
    assert str(done.path) in done.message
    assert done.message.startswith("Sin impresora configurada")
    saved = done.path.read_text(encoding="utf-8")
    assert "Ñusta Guamán Yánez" in saved
    assert saved.splitlines() == receipt_lines(counter_receipt(DEPOSIT), 42)


def test_a_configured_printer_prints_and_a_failing_one_falls_back(tmp_path: Path) -> None:
    printer = Dummy()
    settings = PrinterSettings(kind="file", address="/dev/null", columns=48)
    done = deliver(counter_receipt(DEPOSIT), settings, tmp_path, printer=printer)
    assert done.printed and done.path is None
    assert "Ñusta" in _printed_text(printer.output)
    missing = PrinterSettings(kind="file", address=str(tmp_path / "no" / "such" / "lp0"))
    failed = deliver(counter_receipt(DEPOSIT), missing, tmp_path)
    assert not failed.printed
    assert failed.message.startswith("La impresora falló")
    assert failed.path is not None and failed.path.exists()


def test_the_printer_comes_from_the_config_files_printer_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sjvirtual_tui.config import load_settings, shown_value

    path = tmp_path / "config.toml"
    path.write_text(
        '[printer]\nkind = "network"\naddress = "192.0.2.10:9100"\ncolumns = 48\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SJV_CONFIG", str(path))
    loaded = load_settings()
    assert loaded.problems == []
    printer = loaded.settings.printer
    assert (printer.kind, printer.address, printer.columns, printer.codepage) == (
        "network",
        "192.0.2.10:9100",
        48,
        "CP858",
    )
    assert loaded.origins["printer"] == "file"
    assert shown_value("printer", printer) == (
        '{kind = "network", address = "192.0.2.10:9100", columns = "48", codepage = "CP858"}'
    )
    path.write_text("[printer]\ncolumns = 40\n", encoding="utf-8")
    refused = load_settings()
    assert refused.settings.printer.columns == 42  # a bad file is reported and left out
    assert any("columns" in problem for problem in refused.problems)
