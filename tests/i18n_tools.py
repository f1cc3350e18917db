"""Catalog checks shared by the i18n tests (and handy by hand while translating).

python -m tests.i18n_tools [PATH ...]   # lists msgids without an English translation
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.extract import extract_from_file

from sjvirtual_tui import i18n
from tests import ROOT

PACKAGES = ("sjvirtual_tui", "mock_server")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extracted(
    paths: list[Path] | None = None, keywords: dict[str, tuple[int, int] | None] | None = None
) -> list[tuple[str, int, str]]:
    """(file, line, msgid) for every marked string in ``paths`` (default: both packages)."""
    files = paths or sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
    found: list[tuple[str, int, str]] = []
    for path in files:
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=keywords or KEYWORDS
        ):
            # ngettext: one catalog entry, keyed by its singular (its plural is msgid_plural)
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.append((str(Path(path).resolve().relative_to(ROOT)), lineno, msgid))
        found += _inside_f_strings(Path(path), keywords or KEYWORDS)
    return found


def _inside_f_strings(
    path: Path, keywords: dict[str, tuple[int, int] | None]
) -> list[tuple[str, int, str]]:
    """The marked strings inside f-strings (``f"{_('disp.')} …"``), which Babel's extractor
    reads as one string token on this Python and so never sees."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for joined in (n for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)):
        for node in ast.walk(joined):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in keywords
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                file = str(path.resolve().relative_to(ROOT))
                found.append((file, node.lineno, node.args[0].value))
    return found


def untranslated(
    paths: list[Path] | None = None, language: str = "en"
) -> list[tuple[str, int, str]]:
    import mock_server.i18n  # noqa: F401 — registers the server's catalog

    i18n._loaded.clear()
    catalog = i18n.load_catalog(language)
    plurals = i18n._plurals[language]
    return [
        item for item in extracted(paths) if not catalog.get(item[2]) and item[2] not in plurals
    ]


if __name__ == "__main__":
    missing = untranslated([Path(p) for p in sys.argv[1:]] or None)
    for file, line, msgid in missing:
        print(f"{file}:{line}: {msgid!r}")
    print(f"{len(missing)} untranslated")
    raise SystemExit(1 if missing else 0)
