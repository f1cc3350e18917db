"""What the bank's rules answer when they say no: domain errors, free of HTTP.

A rule raises one of these with a stable ``code``, a message a member can read (already in the
request's language: ``_("...")`` where it is raised) and the request ``field`` it is about. Which
HTTP status each kind becomes is decided in one place, :data:`mock_server.api.errors.STATUS_OF`;
the domain never names a status.
"""

from __future__ import annotations

from mock_server.store import Unavailable

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "Locked",
    "NotAuthenticated",
    "NotFound",
    "Refused",
    "TooMany",
    "Unavailable",
]


class DomainError(Exception):
    """A rule said no. ``retry_after`` (seconds) marks a refusal for now: the same request sent
    after that long may be carried out, so an Idempotency-Key refused so is not kept."""

    def __init__(
        self, code: str, message: str, field: str | None = None, *, retry_after: int | None = None
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after


class Refused(DomainError):
    """The request itself cannot be taken as sent (two Idempotency-Keys, a malformed request)."""


class NotAuthenticated(DomainError):
    """No session, a session that ended, wrong credentials."""


class Forbidden(DomainError):
    """The member (or teller) may not do this."""


class NotFound(DomainError):
    """What was asked for does not exist for this member (never says whether it exists for
    someone else)."""


class Conflict(DomainError):
    """The state of things refuses it now: a used code, an operation no longer pending, funds."""


class Locked(DomainError):
    """The user is locked (failed logins, wrong PINs) until the cooperative unlocks them."""


class Invalid(DomainError):
    """A value the member typed breaks a rule; ``field`` names it."""


class TooMany(DomainError):
    """Too many tries or requests in a window; usually with ``retry_after``."""
