"""Files the member asks for (statement CSV, receipts): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_atomically(path: Path, write: Callable[[TextIO], None], *, newline: str = "") -> None:
    """Writes through ``write`` to a temporary file beside ``path``, then renames it.

    A failure (disk full, a bug half-way) never leaves half a file under the final name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".sjvirtual-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", newline=newline, encoding="utf-8") as handle:
            write(handle)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
