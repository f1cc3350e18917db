"""The client's own .po reader (an English start reads every catalog before its first frame)
gives what Babel's reader gives, for every catalog of the client and of the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sjvirtual_tui.i18n import LOCALE_DIR, read_po_entries

SERVER_LOCALE = Path(__file__).resolve().parents[2] / "mock_server" / "locale"
CATALOGS = sorted([*LOCALE_DIR.glob("*/LC_MESSAGES/*.po"), *SERVER_LOCALE.glob("*/*/*.po")])


def babel_entries(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    with path.open("rb") as po:
        catalog = read_po(po)
    entries = []
    for message in catalog:
        if not message.id:
            continue  # the header
        if isinstance(message.id, tuple | list):
            entries.append((str(message.id[0]), tuple(str(s) for s in message.string)))
        else:
            entries.append((str(message.id), (str(message.string or ""),)))
    return entries


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_the_po_reader_reads_what_babel_reads(path: Path) -> None:
    ours = [entry for entry in read_po_entries(path.read_text("utf-8")) if entry[0]]
    assert ours == babel_entries(path)
    assert len(ours) > 0


def test_escapes_plurals_and_continued_lines() -> None:
    text = (
        '# a comment\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain\\n"\n\n'
        '#, python-brace-format\nmsgid "Dijo \\"{x}\\"\\n"\nmsgstr "Said \\"{x}\\"\\n"\n\n'
        'msgid "un "\n"texto"\nmsgstr ""\n"a "\n"text"\n\n'
        'msgid "{n} intento"\nmsgid_plural "{n} intentos"\nmsgstr[0] "{n} attempt"\n'
        'msgstr[1] "{n} attempts"\n\n#~ msgid "viejo"\n#~ msgstr "old"\n'
    )
    assert list(read_po_entries(text)) == [
        ("", ("Content-Type: text/plain\n",)),
        ('Dijo "{x}"\n', ('Said "{x}"\n',)),
        ("un texto", ("a text",)),
        ("{n} intento", ("{n} attempt", "{n} attempts")),
    ]
