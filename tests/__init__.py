"""The test suite, in four folders: ``unit`` (pure logic), ``api`` (the server in-process and as a
process), ``tui`` (Pilot at 80x24 against the real app) and ``e2e`` (real processes: the wheel,
the CLI, sshd and tmux). The helpers shared across folders stay here (``tests.database``,
``tests.loopback``, ``tests.postgres``…); ``tests.api`` and ``tests.tui`` are both a folder of
tests and the helpers of their kind (in their ``__init__``)."""

from pathlib import Path

# The repository's root, for the tests that read its files (sources, docs, catalogs).
ROOT = Path(__file__).resolve().parent.parent
