"""What a terminal may remember, in the system keyring only: the username and a device token.

The app never writes the password (a member may put one there for the script commands, see
:func:`stored_password`), never a PIN; never in kiosk mode; and never anywhere but a real keyring
backend — with keyring's ``fail`` or ``null`` backend (a headless Linux) the option is hidden and
nothing is written to a file instead. Every call may block (D-Bus, an unlock prompt): callers
run these in a thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "sjvirtual-tui"


def _backend() -> KeyringBackend | None:
    """The keyring backend if it can really keep a secret, else None."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):
            return None
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return None
        return backend
    except Exception:  # a broken keyring installation is "no keyring", never a crash
        log.warning("keyring unavailable", exc_info=True)
        return None


def available() -> bool:
    return _backend() is not None


def _get(key: str) -> str | None:
    backend = _backend()
    if backend is None:
        return None
    try:
        return backend.get_password(SERVICE, key)
    except Exception:
        log.warning("keyring read failed", exc_info=True)
        return None


def _set(key: str, value: str | None) -> None:
    backend = _backend()
    if backend is None:
        return
    try:
        if value is None:
            if backend.get_password(SERVICE, key) is not None:
                backend.delete_password(SERVICE, key)
        else:
            backend.set_password(SERVICE, key, value)
    except Exception:
        log.warning("keyring write failed", exc_info=True)


def remembered_username(server: str) -> str | None:
    return _get(f"usuario@{server}")


def remember_username(server: str, username: str | None) -> None:
    """Keep ``username`` for ``server``, or forget it (None)."""
    _set(f"usuario@{server}", username)


def device_token(server: str, username: str) -> str | None:
    return _get(f"dispositivo@{server}/{username}")


def keep_device_token(server: str, username: str, token: str) -> None:
    _set(f"dispositivo@{server}/{username}", token)


def password_key(server: str, username: str) -> str:
    return f"contraseña@{server}/{username}"


def stored_password(server: str, username: str) -> str | None:
    """The password the member put in the keyring for ``sjvirtual saldo``/``movimientos``
    (``keyring set sjvirtual-tui 'contraseña@SERVER/USER'``). Only read, never written here."""
    return _get(password_key(server, username))
