"""Receipts on paper: counter operations and transfers on an ESC/POS receipt printer.

A receipt is formatted to the printer's width (42 or 48 columns) and sent through python-escpos
to the printer the config's ``[printer]`` section names (USB, network or a device file), in the
printer's code page so that the accents print (CP858 by default). With no printer configured
(``kind = "none"``), or when the printer fails, the receipt is saved as a text file in the
export folder, and the teller is told where.

python-escpos is imported only when a receipt is printed: the rest of the program never needs it.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sjvirtual_tui.formatting import TRANSFER_STATUS_LABELS, local_time, money, transfer_rows
from sjvirtual_tui.i18n import N_, Labels, _

if TYPE_CHECKING:
    from sjvirtual_tui.config import PrinterSettings
    from sjvirtual_tui.models import CounterOperation, Transfer

COOPERATIVE = "Cooperativa San José S.J."

COUNTER_KIND_LABELS: Labels[str] = Labels(
    {"deposito": N_("Depósito en efectivo"), "retiro": N_("Retiro en efectivo")}
)
COUNTER_STATUS_LABELS: Labels[str] = Labels(
    {
        "completada": N_("Completada"),
        "pendiente_aprobacion": N_("Pendiente de aprobación"),
        "rechazada": N_("Rechazada"),
    }
)


@dataclass(frozen=True)
class PaperReceipt:
    """What a receipt says, before it is fitted to a width."""

    title: str
    reference: str
    rows: tuple[tuple[str, str], ...]
    footer: str = ""


def counter_receipt(operation: CounterOperation) -> PaperReceipt:
    rows = [
        (_("Referencia"), operation.reference),
        (_("Estado"), COUNTER_STATUS_LABELS.get(operation.status, operation.status)),
        (_("Fecha y hora"), local_time(operation.executed_at or operation.created_at)),
        (_("Operación"), COUNTER_KIND_LABELS.get(operation.kind, operation.kind)),
        (_("Cuenta"), operation.account),
        (_("Titular"), operation.holder_name),
    ]
    if operation.depositor:
        rows.append((_("Depositante"), operation.depositor))
    rows += [(_("Monto"), money(operation.amount_cents)), (_("Cajero"), operation.teller)]
    footer = (
        _("Firma del socio")
        if operation.kind == "retiro"
        else _("Conserve este comprobante de su depósito.")
    )
    return PaperReceipt(
        _("COMPROBANTE DE VENTANILLA"), operation.reference, tuple(rows), footer=footer
    )


def transfer_paper_receipt(transfer: Transfer) -> PaperReceipt:
    rows = (
        (_("Referencia"), transfer.reference),
        (_("Estado"), TRANSFER_STATUS_LABELS.get(transfer.status, transfer.status)),
        *transfer_rows(transfer),
    )
    return PaperReceipt(_("COMPROBANTE DE TRANSFERENCIA"), transfer.reference, rows)


def _fit(text: str) -> str:
    # One character a cell on paper: characters the printer cannot draw (no-break spaces from
    # the money format) become plain ones.
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text)


def receipt_lines(receipt: PaperReceipt, columns: int) -> list[str]:
    """The receipt fitted to ``columns`` (42 or 48): centred heading, one row a line (label on
    the left, value on the right) or, when they do not fit together, the value under its
    label."""
    rule = "-" * columns
    lines = [COOPERATIVE.center(columns).rstrip(), receipt.title.center(columns).rstrip(), rule]
    for label, raw in receipt.rows:
        value = _fit(raw)
        head = f"{label}:"
        if len(head) + 1 + len(value) <= columns:
            lines.append(head + value.rjust(columns - len(head)))
            continue
        lines.append(head)
        lines += [part.rjust(columns) for part in textwrap.wrap(value, columns)]
    lines.append(rule)
    if receipt.footer:
        if receipt.footer == _("Firma del socio"):
            lines += ["", "", ("_" * min(30, columns)).center(columns).rstrip()]
        lines += [receipt.footer.center(columns).rstrip()]
    return lines


def receipt_text(receipt: PaperReceipt, columns: int) -> str:
    return "\n".join(receipt_lines(receipt, columns)) + "\n"


def print_on(printer: Any, receipt: PaperReceipt, columns: int, codepage: str) -> None:
    """Sends the receipt to an escpos printer (any of python-escpos's, Dummy included)."""
    printer.charcode(codepage)
    for line in receipt_lines(receipt, columns):
        printer.text(line + "\n")
    printer.cut()


def open_printer(settings: PrinterSettings) -> Any:
    """The python-escpos printer of the ``[printer]`` section (ValueError if misconfigured)."""
    from escpos import printer

    address = (settings.address or "").strip()
    if settings.kind == "usb":
        vendor, _sep, product = address.partition(":")
        try:
            return printer.Usb(int(vendor, 16), int(product, 16))
        except ValueError as exc:
            raise ValueError(
                _("[printer] address: use vendor:product en hex (04b8:0202).")
            ) from exc
    if settings.kind == "network":
        host, _sep, port = address.partition(":")
        return printer.Network(host, int(port) if port.isdigit() else 9100, timeout=5)
    if settings.kind == "file":
        return printer.File(address)
    raise ValueError(settings.kind)


@dataclass(frozen=True)
class Delivered:
    """Where a receipt went: ``printed``, or saved at ``path``; ``message`` tells the teller."""

    printed: bool
    path: Path | None
    message: str


def receipt_file_name(receipt: PaperReceipt) -> str:
    return f"comprobante-{receipt.reference}.txt"


def save_receipt(receipt: PaperReceipt, columns: int, export_dir: Path) -> Path:
    export_dir.mkdir(parents=True, exist_ok=True)
    path = export_dir / receipt_file_name(receipt)
    path.write_text(receipt_text(receipt, columns), encoding="utf-8")
    return path


def deliver(
    receipt: PaperReceipt,
    settings: PrinterSettings,
    export_dir: Path,
    printer: Any = None,
) -> Delivered:
    """Prints the receipt (on ``printer`` if given, else the configured one) or saves it.

    Never raises for a printer's trouble: the receipt is saved instead and the message says
    why. An OSError of the save itself is the caller's to show.
    """
    columns = settings.columns
    problem = None
    if printer is not None or settings.kind != "none":
        try:
            device = printer if printer is not None else open_printer(settings)
            print_on(device, receipt, columns, settings.codepage)
            if printer is None:
                device.close()
            return Delivered(True, None, _("Comprobante impreso."))
        except Exception as exc:  # any driver's error: the receipt must not be lost
            problem = str(exc) or type(exc).__name__
    path = save_receipt(receipt, columns, export_dir)
    if problem is None:
        message = _("Sin impresora configurada: comprobante guardado en:\n{path}").format(path=path)
    else:
        message = _("La impresora falló ({problem}): comprobante guardado en:\n{path}").format(
            problem=problem, path=path
        )
    return Delivered(False, path, message)
