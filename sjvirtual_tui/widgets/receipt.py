"""A transfer's receipt saved as a text file (in the export folder, like statements)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sjvirtual_tui.files import write_atomically
from sjvirtual_tui.formatting import receipt_file_name, transfer_receipt

if TYPE_CHECKING:
    from sjvirtual_tui.models import Transfer


def write_receipt(directory: Path, transfer: Transfer) -> Path:
    """``directory/comprobante-TRF-….txt``; raises OSError when it cannot be written."""
    path = directory / receipt_file_name(transfer)
    text = transfer_receipt(transfer) + "\n"

    def write(handle: TextIO) -> None:
        handle.write(text)

    write_atomically(path, write, newline="\n")
    return path
