"""Receipts of transfers and payments: their text, and saving it as a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sjvirtual_tui.files import write_atomically
from sjvirtual_tui.formatting import (
    payment_receipt,
    payment_receipt_file_name,
    receipt_file_name,
    transfer_receipt,
)

if TYPE_CHECKING:
    from sjvirtual_tui.models import Payment, Transfer


def receipt_text(operation: Transfer | Payment) -> str:
    from sjvirtual_tui.models import Transfer

    if isinstance(operation, Transfer):
        return transfer_receipt(operation)
    return payment_receipt(operation)


def write_receipt(directory: Path, operation: Transfer | Payment) -> Path:
    """``directory/comprobante-<reference>.txt``; raises OSError when it cannot be written."""
    from sjvirtual_tui.models import Transfer

    if isinstance(operation, Transfer):
        path = directory / receipt_file_name(operation)
    else:
        path = directory / payment_receipt_file_name(operation)
    text = receipt_text(operation) + "\n"

    def write(handle: TextIO) -> None:
        handle.write(text)

    write_atomically(path, write, newline="\n")
    return path
