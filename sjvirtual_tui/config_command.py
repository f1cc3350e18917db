"""``sjvirtual config path|show|edit``.

``path`` prints where the config file is (``SJV_CONFIG`` or the platform's config directory);
``show`` prints every setting's value in effect and where it comes from; ``edit`` opens the file
in ``$EDITOR`` (then ``$VISUAL``, then ``nano`` or ``vi``), creating a commented template first.
(The settings a start of the app reads: start_settings.py, then config.load_settings.)
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping

from sjvirtual_tui import argparse_words
from sjvirtual_tui.i18n import N_, _

ORIGINS = {
    "default": N_("predeterminado"),
    "file": N_("archivo"),
    "env": N_("entorno"),
    "flag": N_("opción"),
}


def origin_words(origin: str) -> str:
    """``env (SJV_DEMO)`` -> ``entorno (SJV_DEMO)`` in the current language."""
    kind, _sep, rest = origin.partition(" ")
    return f"{_(ORIGINS[kind])} {rest}".rstrip()


def report_problems(problems: list[str]) -> None:
    for problem in problems:
        print(f"sjvirtual: {problem}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    argparse_words.speak()
    parser = argparse.ArgumentParser(
        prog="sjvirtual config",
        description=_("El archivo de configuración de sjvirtual."),
    )
    parser.add_argument("--lang", help=argparse.SUPPRESS)  # read before, by cli.main
    parser.add_argument(
        "action",
        choices=["path", "show", "edit"],
        help=_("path: dónde está; show: valores en uso y su origen; edit: abrirlo en $EDITOR"),
    )
    return parser


def config_words(argv: list[str]) -> list[str] | None:
    """The words after ``config`` if the command is ``sjvirtual [--lang xx] config ...``."""
    words = list(argv)
    lang: list[str] = []
    if words[:1] == ["--lang"]:
        lang, words = words[:2], words[2:]
    elif words[:1] and words[0].startswith("--lang="):
        lang, words = words[:1], words[1:]
    if words[:1] != ["config"]:
        return None
    return [*words[1:], *lang]


def config_main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from sjvirtual_tui.config import config_path

    if args.action == "path":
        print(config_path())
        return 0
    if args.action == "show":
        return show()
    return edit()


def show() -> int:
    from sjvirtual_tui.config import SettingsError, load_settings, shown_value

    try:
        loaded = load_settings()
    except SettingsError as error:
        report_problems(str(error).splitlines())
        return 2
    report_problems(loaded.problems)
    state = _("existe") if loaded.path.is_file() else _("no existe")
    print(_("Archivo: {path} ({state})").format(path=loaded.path, state=state))
    settings = loaded.settings
    rows = [
        (name, shown_value(name, getattr(settings, name)), origin_words(loaded.origins[name]))
        for name in type(settings).model_fields
    ]
    width = max(len(name) for name, _value, _origin in rows)
    value_width = min(40, max(len(value) for _name, value, _origin in rows))
    for name, value, origin in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {origin}")
    if settings.keymap:  # checked as the app checks it at start
        from sjvirtual_tui.app import SJVirtualApp
        from sjvirtual_tui.keymap import binding_classes, check_keymap

        report_problems(check_keymap(settings.keymap, SJVirtualApp, binding_classes()).problems)
    return 0


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """``$EDITOR``, then ``$VISUAL`` (either may carry arguments), then nano, then vi."""
    env = os.environ if environ is None else environ
    for name in ("EDITOR", "VISUAL"):
        value = env.get(name, "").strip()
        if value:
            return shlex.split(value)
    for fallback in ("nano", "vi"):
        found = shutil.which(fallback)
        if found:
            return [found]
    return ["vi"]


def edit() -> int:
    from sjvirtual_tui.config import config_path, load_settings, template

    path = config_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template(), encoding="utf-8")
    command = [*editor_command(), str(path)]
    try:
        done = subprocess.run(command, check=False)
    except OSError as error:
        print(
            _("sjvirtual: no se pudo abrir el editor {editor} ({detail}); defina EDITOR.").format(
                editor=command[0], detail=error.strerror or error
            ),
            file=sys.stderr,
        )
        return 1
    if done.returncode != 0:
        return 1
    try:
        problems = load_settings().problems
    except Exception:  # a bad SJV_* variable is not the file's problem
        problems = []
    report_problems(problems)
    return 1 if problems else 0
