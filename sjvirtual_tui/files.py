"""Files the member asks for (statement CSV and PDF, receipts): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def _temporary_beside(path: Path) -> Iterator[int]:
    """The descriptor of a new temporary file beside ``path``, renamed to ``path`` when the
    block ends and removed if it fails (an error, a cancellation): a failure never leaves half
    a file under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".sjvirtual-", suffix=path.suffix)
    try:
        yield fd
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text_file(path: Path, *, newline: str = "") -> Iterator[TextIO]:
    """A UTF-8 text file that becomes ``path`` only once the block has written it whole."""
    with (
        _temporary_beside(path) as fd,
        os.fdopen(fd, "w", newline=newline, encoding="utf-8") as handle,
    ):
        yield handle


def write_atomically(path: Path, write: Callable[[TextIO], None], *, newline: str = "") -> None:
    """Writes through ``write`` to a temporary file beside ``path``, then renames it."""
    with atomic_text_file(path, newline=newline) as handle:
        write(handle)


def write_bytes_atomically(path: Path, content: bytes) -> None:
    """``content`` at ``path``, through a temporary file renamed when whole."""
    with _temporary_beside(path) as fd, os.fdopen(fd, "wb") as handle:
        handle.write(content)
