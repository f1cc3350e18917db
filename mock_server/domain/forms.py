"""A value typed in a form that breaks a rule: the one ``validation_error`` of every form."""

from __future__ import annotations

from mock_server.domain.errors import Invalid


def invalid(field: str, message: str) -> Invalid:
    """``message``: already in the request's language; ``field``: the request field it is
    about (the client shows the message next to it)."""
    return Invalid("validation_error", message, field)
