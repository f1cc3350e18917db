"""A count and its noun agree: ``ngettext`` reads gettext plural forms from the catalogs.

"Le queda 1 intento" / "Le quedan 2 intentos", "1 attempt left" / "2 attempts left": the form is
the catalog's ``msgstr[i]`` for Babel's plural rule of the language, in the client and in the
server's answers, and the PIN step says the attempts left once.
"""

from __future__ import annotations

import re
from pathlib import Path

from sjvirtual_tui import i18n
from sjvirtual_tui.i18n import ngettext
from tests.database import connect
from tests.i18n_tools import extracted
from tests.tui import SIZE, make_app, screen_text, settle
from tests.tui.steps import login, type_text
from tests.tui.test_tui_transfers import new_transfer, step

PIN_LINE = re.compile(r"(?:PIN de verificación|Verification PIN): (\d{4})")
ATTEMPTS = ("Le queda {attempts} intento.", "Le quedan {attempts} intentos.")
SERVER_PIN = (
    "El PIN de verificación no es correcto. Le queda {left} intento.",
    "El PIN de verificación no es correcto. Le quedan {left} intentos.",
)


def attempts(n: int) -> str:
    return ngettext(*ATTEMPTS, n).format(attempts=n)


def test_spanish_forms_follow_the_count():
    assert [attempts(n) for n in (0, 1, 2, 5)] == [
        "Le quedan 0 intentos.",
        "Le queda 1 intento.",
        "Le quedan 2 intentos.",
        "Le quedan 5 intentos.",
    ]
    minutes = ngettext(
        "Su sesión se cerró tras {minutes} minuto sin actividad. Ingrese nuevamente.",
        "Su sesión se cerró tras {minutes} minutos sin actividad. Ingrese nuevamente.",
        1,
    )
    assert "tras {minutes} minuto sin" in minutes


def test_english_forms_come_from_the_catalogs_plural_entries(english):
    assert [attempts(n) for n in (0, 1, 2)] == [
        "0 attempts left.",
        "1 attempt left.",
        "2 attempts left.",
    ]
    import mock_server.i18n  # noqa: F401 — the server's catalog, read the same way

    with i18n.use_language("en"):
        assert ngettext(*SERVER_PIN, 1).format(left=1).endswith("You have 1 attempt left.")
    with i18n.use_language("es"):  # a request in Spanish while the process is in English
        assert ngettext(*SERVER_PIN, 1).format(left=1).endswith("Le queda 1 intento.")
        assert ngettext(*SERVER_PIN, 2).format(left=2).endswith("Le quedan 2 intentos.")


def test_the_plural_rule_is_babels_for_each_language():
    from sjvirtual_tui.i18n import plural_index

    assert [plural_index("en", n) for n in (0, 1, 2, 21)] == [1, 0, 1, 1]
    assert [plural_index("es", n) for n in (0, 1, 2)] != [plural_index("es", 1)] * 3
    assert plural_index("es", 1) == 0


def test_every_count_with_a_noun_goes_through_ngettext():
    """No ``_()``/``N_()`` msgid puts a ``{count}`` before a countable noun: that is ngettext's."""
    nouns = r"(minutos?|intentos?|movimientos?|d[ií]as?|caracteres|años?|cuentas?|horas?|veces)"
    counted = re.compile(r"\{[a-z_]+\} " + nouns + r"\b")
    singular_only = extracted(keywords={"_": None, "N_": None})
    bad = [
        f"{file}:{line}: {msgid!r}" for file, line, msgid in singular_only if counted.search(msgid)
    ]
    assert bad == []


def sent_pin(db: Path) -> str:
    """The PIN of the newest PIN e-mail, in whichever language it was written."""
    with connect(db) as conn:
        bodies = [b for (b,) in conn.execute("SELECT body FROM outbox ORDER BY id DESC")]
    return next(m.group(1) for b in bodies if (m := PIN_LINE.search(b)))


async def wrong_pins_on_the_pin_step(app, seeded_db, wrong_tries: int) -> str:
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "demo", "Demo2026")
        await new_transfer(pilot, "internas", "00104721", "1105349", "40", "Préstamo")
        await pilot.press("enter")
        await settle(pilot)
        assert step(pilot) == "tr-pin"
        wrong = "0000" if sent_pin(seeded_db) != "0000" else "1111"
        for _ in range(wrong_tries):
            await type_text(pilot, wrong)
            await pilot.press("enter")
            await settle(pilot)
        assert step(pilot) == "tr-pin"
        return " ".join(screen_text(pilot).split())  # lines wrap: read it as one text


async def test_pin_step_says_one_attempt_left_once_in_spanish(demo_app, seeded_db, clock, tmp_path):
    text = await wrong_pins_on_the_pin_step(make_app(demo_app, tmp_path, clock.now), seeded_db, 2)
    assert text.count("Le queda 1 intento.") == 1, text
    assert "1 intentos" not in text and "quedan 1" not in text
    assert text.count("intento") == 1, text  # one line about attempts, not two


async def test_pin_step_says_one_attempt_left_once_in_english(
    english, demo_app, seeded_db, clock, tmp_path
):
    text = await wrong_pins_on_the_pin_step(make_app(demo_app, tmp_path, clock.now), seeded_db, 2)
    assert text.count("1 attempt left.") == 1, text
    assert "1 attempts" not in text
    assert text.count("attempt") == 1, text
