"""One translation mechanism for everything the TUI shows: Spanish msgids, Babel catalogs.

The source strings are the manual's Spanish words; ``locale/<lang>/LC_MESSAGES/*.po`` hold the
translations (read with Babel, so no compiled ``.mo`` file can go stale). Conventions:

- ``_("texto {name}").format(name=...)``: translate first, then fill in (never an f-string
  inside ``_()``, the catalog could not match it).
- Module-level strings (bindings, label tables) are marked with ``N_()`` and translated where
  they are shown, with ``_()``: the language may change after import (tests switch it).
- Data from the server (account and biller names, statement lines) is not translated; the
  server translates its own errors and e-mails (the client sends ``Accept-Language``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEFAULT_LANGUAGE = "es"
LANGUAGES = ("es", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "sjvirtual"

_language = DEFAULT_LANGUAGE
_active: dict[str, str] = {}
_loaded: dict[str, dict[str, str]] = {}


def _(message: str) -> str:
    """``message`` (Spanish) in the current language."""
    if not _active or not message:
        return message
    return _active.get(message, message)


def N_(message: str) -> str:  # noqa: N802 — gettext's name for "mark, translate later"
    """Mark ``message`` for the catalog without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _(singular) if n == 1 else _(plural)


def load_catalog(language: str) -> dict[str, str]:
    """msgid -> msgstr of every ``.po`` file of ``language`` (empty translations left out)."""
    if language not in _loaded:
        from babel.messages.pofile import read_po

        messages: dict[str, str] = {}
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")):
            with path.open("rb") as po:
                for message in read_po(po):
                    if message.id and isinstance(message.id, str) and message.string:
                        messages[message.id] = str(message.string)
        _loaded[language] = messages
    return _loaded[language]


def set_language(language: str) -> None:
    """Switch every later ``_()`` to ``language`` (one of :data:`LANGUAGES`)."""
    global _language, _active
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    _language = language
    _active = {} if language == DEFAULT_LANGUAGE else load_catalog(language)


def language() -> str:
    return _language


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``SJV_LANG``, then the POSIX order (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): en_* -> en."""
    env = os.environ if environ is None else environ
    for name in ("SJV_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
