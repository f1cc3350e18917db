"""The backend layer: the ``Backend`` protocol, its typed errors and the HTTP implementation.

Nothing here imports Textual; screens receive a ``Backend`` and never know which one.
"""

from sjvirtual_tui.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailable,
    ChallengeFailed,
    Forbidden,
    InsufficientFunds,
    LockedError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerBusy,
    ServerError,
    SessionExpired,
    ValidationError,
)
from sjvirtual_tui.backend.protocol import Backend

__all__ = [
    "AuthError",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "ChallengeFailed",
    "Forbidden",
    "InsufficientFunds",
    "LockedError",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "ServerBusy",
    "ServerError",
    "SessionExpired",
    "ValidationError",
]
