"""One translation mechanism for everything the TUI shows: Spanish msgids, Babel catalogs.

The source strings are the manual's Spanish words; ``locale/<lang>/LC_MESSAGES/*.po`` hold the
translations (read with Babel, so no compiled ``.mo`` file can go stale). Conventions:

- ``_("texto {name}").format(name=...)``: translate first, then fill in (never an f-string
  inside ``_()``, the catalog could not match it).
- Module-level strings (bindings, label tables) are marked with ``N_()`` and translated where
  they are shown, with ``_()``: the language may change after import (tests switch it).
- Data from the server (account and biller names, statement lines) is not translated; the
  server translates its own errors and e-mails (the client sends ``Accept-Language``).

The client sets one language for the process (:func:`set_language`). The bundled server uses the
same functions but answers each request in that request's language: it wraps the request in
:func:`use_language`, a context variable that wins over the process's language. Packages add
their own catalogs with :func:`add_catalog_dir` (the server keeps its e-mails in its own).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import TypeVar

_K = TypeVar("_K")

DEFAULT_LANGUAGE = "es"
LANGUAGES = ("es", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "sjvirtual"

_language = DEFAULT_LANGUAGE
_catalog_dirs: list[Path] = [LOCALE_DIR]
_loaded: dict[str, dict[str, str]] = {}
# Plural entries (``msgid_plural``/``msgstr[n]``) of each language, keyed by the singular msgid.
_plurals: dict[str, dict[str, tuple[str, ...]]] = {}
_request_language: ContextVar[str | None] = ContextVar("sjv_request_language", default=None)


def _(message: str) -> str:
    """``message`` (Spanish) in the current language."""
    lang = _request_language.get() or _language
    if lang == DEFAULT_LANGUAGE or not message:
        return message
    return load_catalog(lang).get(message, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` (Spanish msgids) agreeing with ``n``, translated.

    gettext's plural forms: the catalog's ``msgstr[i]`` where ``i`` is Babel's plural rule of the
    language applied to ``n`` (``1 intento``, ``2 intentos``; ``1 attempt``, ``2 attempts``).
    Untranslated (or Spanish): the msgid for index 0, ``plural`` for any other.
    """
    lang = _request_language.get() or _language
    if lang != DEFAULT_LANGUAGE:
        load_catalog(lang)
        forms = _plurals.get(lang, {}).get(singular)
        if forms:
            return forms[min(plural_index(lang, n), len(forms) - 1)]
    return singular if plural_index(DEFAULT_LANGUAGE, n) == 0 else plural


@cache
def _plural_rule(language: str) -> Callable[[int], int]:
    from babel.messages.plurals import get_plural

    return gettext.c2py(get_plural(language).plural_expr)


def plural_index(language: str, n: int) -> int:
    """Which ``msgstr[i]`` gettext uses for ``n`` in ``language`` (Babel's Plural-Forms)."""
    return int(_plural_rule(language)(abs(n)))


def load_catalog(language: str) -> dict[str, str]:
    """msgid -> msgstr of every ``.po`` file of ``language`` (empty translations left out)."""
    if language not in _loaded:
        from babel.messages.pofile import read_po

        messages: dict[str, str] = {}
        plurals: dict[str, tuple[str, ...]] = {}
        paths = [
            p for d in _catalog_dirs for p in sorted((d / language / "LC_MESSAGES").glob("*.po"))
        ]
        for path in paths:
            with path.open("rb") as po:
                for message in read_po(po):
                    if message.id and isinstance(message.id, str) and message.string:
                        messages[message.id] = str(message.string)
                    elif isinstance(message.string, tuple | list) and all(message.string):
                        plurals[str(message.id[0])] = tuple(str(s) for s in message.string)
        _plurals[language] = plurals
        _loaded[language] = messages
    return _loaded[language]


def add_catalog_dir(path: Path) -> None:
    """Also read ``path/<lang>/LC_MESSAGES/*.po`` (for a package with its own messages)."""
    if path not in _catalog_dirs:
        _catalog_dirs.append(path)
        _loaded.clear()


def set_language(language: str) -> None:
    """Switch every later ``_()`` of this process to ``language`` (one of :data:`LANGUAGES`)."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r}")
    if language != DEFAULT_LANGUAGE:
        load_catalog(language)  # read now: a broken catalog fails at start, not mid-screen
    _language = language


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """``_()`` in ``language`` inside this block (and tasks it starts): the server's per-request
    language. Unknown languages mean the default."""
    token = _request_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _request_language.reset(token)


def language_from_header(accept_language: str | None) -> str:
    """The first supported language of an ``Accept-Language`` header (``en-US,en;q=0.9``)."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().split("-")[0].split("_")[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def language() -> str:
    """The language ``_()`` uses here and now."""
    return _request_language.get() or _language


def language_asked(argv: list[str]) -> str | None:
    """``--lang xx`` or ``--lang=xx`` of a command line, read before argparse so that its help
    and its errors speak it too."""
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    return None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``SJV_LANG``, then the POSIX order (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): en_* -> en."""
    env = os.environ if environ is None else environ
    for name in ("SJV_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


class Labels(Mapping[_K, str]):
    """A label table written with ``N_()`` msgids that answers in the current language.

    ``LABELS[key]``, ``.get``, ``.items()`` and ``.values()`` all translate when read, so the
    tables stay module constants and their users need no ``_()``.
    """

    def __init__(self, labels: Mapping[_K, str]) -> None:
        self._labels = dict(labels)

    def __getitem__(self, key: _K) -> str:
        return _(self._labels[key])

    def __iter__(self) -> Iterator[_K]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)
