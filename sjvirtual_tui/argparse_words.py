"""argparse's own words in the language of the rest of the help.

argparse asks gettext for its words ("usage: ", "options", its error messages) in English, and
gettext answers from compiled catalogs that no Python ships. :func:`speak` answers instead from
the table below, in the language of :mod:`sjvirtual_tui.i18n` at the moment of asking, so a
``--help`` or a usage error never mixes Spanish and English. (The table is keyed by argparse's
English msgids, so it cannot live in the Spanish-keyed catalogs.)
"""

from __future__ import annotations

import argparse

from sjvirtual_tui.i18n import language

# Every message of Python 3.11-3.13's argparse a person can meet from our parsers.
SPANISH = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos posicionales",
    "options": "opciones",
    "show this help message and exit": "mostrar esta ayuda y salir",
    "show program's version number and exit": "mostrar la versión y salir",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "faltan los argumentos: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "valor no válido: %(value)r (elija entre %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valor no válido (%(type)s): %(value)r",
    "expected one argument": "falta su valor",
    "expected at least one argument": "falta al menos un valor",
    "expected at most one argument": "sobra un valor",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opción ambigua: %(option)s puede ser %(matches)s"
    ),
    "not allowed with argument %s": "no va con el argumento %s",
    "one of the arguments %s is required": "falta uno de los argumentos %s",
    "ignored explicit argument %r": "se ignoró el valor %r",
    "unexpected option string: %s": "opción inesperada: %s",
    "can't open '%(filename)s': %(error)s": "no se pudo abrir '%(filename)s': %(error)s",
}
SPANISH_PLURALS = {
    "expected %s argument": ("falta %s valor", "faltan %s valores"),
}


def _gettext(message: str) -> str:
    if language() != "es":
        return message
    return SPANISH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    forms = SPANISH_PLURALS.get(singular) if language() == "es" else None
    if forms is None:
        return singular if n == 1 else plural
    return forms[0] if n == 1 else forms[1]


def speak() -> None:
    """From now on argparse's words follow the current language (idempotent)."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


def version_action_help() -> str:
    """The ``--version`` flag's help (argparse's default is fixed in English at import)."""
    return _gettext("show program's version number and exit")
