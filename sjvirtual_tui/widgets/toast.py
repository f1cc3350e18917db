"""How long a toast (``notify``) stays: long enough to read a line, short enough not to linger
over the next step. One value for every toast of the client."""

from __future__ import annotations

TOAST_SECONDS = 4.0
