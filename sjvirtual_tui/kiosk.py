"""Kiosk mode (`sjvirtual --kiosk`, ``SJV_KIOSK=1``): a shared, untrusted terminal over SSH.

Nothing is kept on the terminal (no keyring, no receipt files), an idle session is ended on the
server and the screen cleared, and the program never runs without a terminal to draw on. A
hang-up (any mode) logs out and ends the process: :func:`end_on_hangup`. docs/kiosk.md has the SSH
set-up, tests/e2e/test_ssh_kiosk.py runs it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import MutableMapping
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from sjvirtual_tui.i18n import _

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)

# Textual waits this long after a lone Escape for the rest of a key's sequence. Over a slow SSH
# link the bytes of one function key can arrive apart; a longer wait keeps F2 from reading as
# Escape + "OQ". Read by Textual at import, so it is set before Textual is imported.
KIOSK_ESCDELAY_MS = "300"
KIOSK_IDLE_SECONDS = 120


# The one reading of a yes/no value, for every boolean setting (SJV_DEMO, SJV_KIOSK, the config
# file's ``demo = "sí"``): config.Bool validates with it. Case and spaces do not matter.
TRUE_WORDS = ("1", "true", "yes", "on", "si", "sí")
FALSE_WORDS = ("0", "false", "no", "off", "")


def parse_bool(value: object) -> bool:
    """``1/0, true/false, yes/no, on/off, sí/si/no`` (any case) -> bool; anything else is a
    ValueError naming the words that are understood."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(
        _("{value!r} no es sí o no (use 1/0, true/false, yes/no, on/off, sí/no)").format(
            value=value
        )
    )


def is_true(value: str | None) -> bool:
    """An environment variable read as a boolean (unset or empty: False)."""
    return parse_bool(value or "")


def terminal_problem(stdin: TextIO | None = None) -> str | None:
    """Why the TUI cannot start here, or None. ``ssh -T`` gives no terminal: refuse at once,
    so nothing is left running behind a session that cannot draw."""
    stream = sys.stdin if stdin is None else stdin
    try:
        if stream is not None and stream.isatty():
            return None
    except (ValueError, OSError):  # closed or detached stdin
        pass
    return _("sjvirtual: la entrada estándar no es una terminal (use ssh -t o una terminal real).")


def prepare_environment(kiosk: bool, environ: MutableMapping[str, str] | None = None) -> None:
    """Before Textual is imported: a longer Escape delay in kiosk mode, unless one is set."""
    env = os.environ if environ is None else environ
    if kiosk:
        env.setdefault("ESCDELAY", KIOSK_ESCDELAY_MS)


# After a hang-up the app has this long to log out and leave; then the process ends anyway (a
# terminal that is gone can block Textual's output thread for ever).
HANGUP_GRACE_SECONDS = 5.0
HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


def end_on_hangup(app: App[Any], grace: float = HANGUP_GRACE_SECONDS) -> None:
    """SIGHUP (the SSH link or the terminal window closed) and SIGTERM leave the app as Ctrl+Q
    does, so the session is ended on the server too; after ``grace`` seconds the process ends
    whatever it is waiting for. Nothing is left running behind a dropped link.

    Called by the CLI just before ``app.run()``: only the real program takes over these signals,
    never an app run by the tests. The handler runs on the main thread, which runs the app's
    event loop; the exit is handed to that loop (``call_soon_threadsafe`` also wakes it up).
    """
    started: list[bool] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        code = 128 + signum
        if started:  # a second signal while leaving: the watchdog is already counting
            return
        started.append(True)
        log.info("signal %s: leaving the app", signal.Signals(signum).name)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app is not running (yet, or any more): die as by default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        watchdog = threading.Timer(grace, _force_exit, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        loop.call_soon_threadsafe(app.exit, None, code)

    for signum in HANGUP_SIGNALS:
        signal.signal(signum, on_signal)


def _force_exit(code: int) -> None:
    log.warning("the app did not leave after a hang-up; ending the process")
    logging.shutdown()
    os._exit(code)
