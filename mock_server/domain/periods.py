"""A bill's period in the reader's language: stored neutral, written out when it is shown.

The database keeps ``YYYY-MM`` (a month), ``YYYY`` (a year), optionally after a concept
(``Pensión 2026-11``, ``Predial 2026``). :func:`period_text` writes it in the language of the
request or e-mail: the month with Babel's month names ("Noviembre 2026", "November 2026"), the
concept through the catalog. Any other text (a database seeded before this form) is shown as is.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date

from mock_server.i18n import N_, _, language

_PERIOD = re.compile(r"^(?:(?P<concept>.+) )?(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2]))?$")

# The concepts the seed's billers put before a period (translated where shown).
CONCEPTS = (N_("Predial"), N_("Matrícula"), N_("Aranceles"), N_("Pensión"))


def period_text(stored: str | None) -> str | None:
    """``stored`` for the reader: "Pensión Noviembre 2026" / "School fees November 2026"."""
    if not stored:
        return stored
    match = _PERIOD.match(stored)
    if match is None:
        return stored
    year, month, concept = int(match["year"]), match["month"], match["concept"]
    when = str(year)
    if month:
        when = format_date(date(year, int(month), 1), "LLLL y", locale=language())
        when = when[:1].upper() + when[1:]  # Spanish month names are lower-case mid-sentence
    return f"{_(concept)} {when}" if concept else when
