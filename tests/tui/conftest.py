"""The TUI's tests (Pilot at 80x24 against the real app, and the snapshots in ``__snapshots__``
beside tests/tui/test_snapshots.py, as pytest-textual-snapshot keeps them).

They stay on SQLite (tests/conftest.py: the client sees the same API on both engines). The
helpers they share are in ``tests.tui`` (this folder's ``__init__``) and ``tests.tui.steps``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sjvirtual_tui import i18n


@pytest.fixture
def english() -> Iterator[None]:
    """The client in English for one test (``--lang en``), Spanish again after it."""
    i18n.set_language("en")
    yield
    i18n.set_language("es")
