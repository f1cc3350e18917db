"""The ``[keymap]`` table of the config file, checked before Textual's ``App.set_keymap`` gets it.

Every binding of the app has an ``id`` (``Binding(..., id="transfers")``); the table maps ids to
keys (``transfers = "ctrl+t"``, several keys with commas). Textual itself applies a keymap
silently, a clash included; here each entry is checked against every binding of our screens and
widgets first, and one that cannot work is reported and left out (its binding keeps its default
key):

- an id no binding has;
- a key a global key of the app already has (F1, F9, Ctrl+Q… work on every screen);
- a key another binding of the same screen or widget keeps, or that two entries both take.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from sjvirtual_tui.flows import key_name
from sjvirtual_tui.i18n import _


@dataclass(frozen=True)
class KeymapCheck:
    accepted: dict[str, str]  # id -> keys (Textual's normal form), for App.set_keymap
    problems: list[str]


def _bindings(cls: type) -> list[Binding]:
    return list(Binding.make_bindings(cls.__dict__.get("BINDINGS", [])))


def binding_classes() -> list[type[DOMNode]]:
    """Our screens and widgets that declare keys (every module of both packages, imported)."""
    import sjvirtual_tui.screens
    import sjvirtual_tui.widgets

    found: list[type[DOMNode]] = []
    for package in (sjvirtual_tui.screens, sjvirtual_tui.widgets):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, DOMNode)
                    and value.__module__ == module.__name__
                    and value.__dict__.get("BINDINGS")
                ):
                    found.append(value)
    return found


def binding_ids(app_class: type[App[Any]], classes: Iterable[type]) -> dict[str, str]:
    """id -> default key of every binding (the first one found for an id)."""
    ids: dict[str, str] = {}
    for cls in (app_class, *classes):
        for binding in _bindings(cls):
            if binding.id:
                ids.setdefault(binding.id, binding.key)
    return ids


def check_keymap(
    keymap: Mapping[str, str], app_class: type[App[Any]], classes: Iterable[type]
) -> KeymapCheck:
    classes = list(classes)
    known = binding_ids(app_class, classes)
    normal = App._normalize_keymap(dict(keymap))
    problems: list[str] = []
    accepted: dict[str, str] = {}
    globals_ = {b.key: b.id for b in _bindings(app_class) if b.id}
    for binding_id, keys in normal.items():
        if binding_id not in known:
            problems.append(
                _("Teclas: «{id}» no es el identificador de ninguna tecla; se ignora.").format(
                    id=binding_id
                )
            )
            continue
        taken = [
            key
            for key in keys.split(",")
            if key in globals_ and globals_[key] != binding_id and globals_[key] not in normal
        ]
        if taken:
            problems.append(
                _(
                    "Teclas: {key} ya es de «{other}» en todas las pantallas; «{id}» conserva "
                    "{default}."
                ).format(
                    key=key_name(taken[0]),
                    other=globals_[taken[0]],
                    id=binding_id,
                    default=key_name(known[binding_id]),
                )
            )
            continue
        accepted[binding_id] = keys
    # Within one screen or widget (with the app's global keys): one key, one id.
    app_bindings = _bindings(app_class)
    changed = True
    while changed:
        changed = False
        for cls in classes:
            owners: dict[str, set[str]] = {}
            for binding in [*_bindings(cls), *app_bindings]:
                binding_id = binding.id or f"({binding.action})"
                for key in accepted.get(binding_id, binding.key).split(","):
                    owners.setdefault(key, set()).add(binding_id)
            for key, ids in sorted(owners.items()):
                remapped = sorted(i for i in ids if i in accepted)
                if len(ids) < 2 or not remapped:
                    continue
                others = sorted(ids - {remapped[0]})
                problems.append(
                    _(
                        "Teclas: {key} sería a la vez «{id}» y «{other}»; «{id}» conserva "
                        "{default}."
                    ).format(
                        key=key_name(key),
                        id=remapped[0],
                        other=others[0],
                        default=key_name(known[remapped[0]]),
                    )
                )
                del accepted[remapped[0]]
                changed = True
                break
            if changed:
                break
    return KeymapCheck(accepted, problems)
