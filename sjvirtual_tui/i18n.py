"""One translation mechanism for everything the TUI shows: Spanish msgids, Babel catalogs.

The source strings are the manual's Spanish words; ``locale/<lang>/LC_MESSAGES/*.po`` hold the
translations (read as they are, so no compiled ``.mo`` file can go stale; Babel gives the plural
rules and the tools). Conventions:

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
import re
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
        messages: dict[str, str] = {}
        plurals: dict[str, tuple[str, ...]] = {}
        paths = [
            p for d in _catalog_dirs for p in sorted((d / language / "LC_MESSAGES").glob("*.po"))
        ]
        for path in paths:
            for msgid, strings in read_po_entries(path.read_text(encoding="utf-8")):
                if len(strings) == 1 and msgid and strings[0]:
                    messages[msgid] = strings[0]
                elif len(strings) > 1 and all(strings):
                    plurals[msgid] = strings
        _plurals[language] = plurals
        _loaded[language] = messages
    return _loaded[language]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text.strip()[1:-1])


def read_po_entries(text: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each entry of a ``.po`` file's text: its (singular) msgid and its msgstr (or the
    ``msgstr[n]`` of a plural), comments and obsolete (``#~``) entries left out, as Babel's
    reader gives them (tests/unit/test_i18n_catalog.py). Read here, not with Babel: an English
    start reads every catalog before its first frame, and Babel takes some ten times longer."""
    msgid: str | None = None
    strings: dict[int, str] = {}
    current: tuple[str, int] | None = None  # ("id" | "plural" | "str" | "ctxt", index)

    def entry() -> Iterator[tuple[str, tuple[str, ...]]]:
        if msgid is not None and strings:
            yield msgid, tuple(strings[i] for i in sorted(strings))

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is None:
                continue
            kind, index = current
            if kind == "id":
                msgid = (msgid or "") + _unquote(line)
            elif kind == "str":
                strings[index] += _unquote(line)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword in ("msgid", "msgctxt") and (msgid is not None and strings):
            yield from entry()
            msgid, strings = None, {}
        if keyword == "msgid":
            msgid, current = _unquote(rest), ("id", 0)
        elif keyword == "msgid_plural":
            current = ("plural", 0)
        elif keyword == "msgctxt":
            current = ("ctxt", 0)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            strings[index] = _unquote(rest)
            current = ("str", index)
    yield from entry()


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
