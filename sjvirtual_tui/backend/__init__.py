"""The backend layer: the ``Backend`` protocol, its typed errors and the HTTP implementation.

Nothing here imports Textual; screens receive a ``Backend`` and never know which one.
"""

from sjvirtual_tui.backend import errors
from sjvirtual_tui.backend.errors import *  # noqa: F403 - every typed error, as errors.__all__ lists
from sjvirtual_tui.backend.protocol import Backend

__all__ = ["Backend", *errors.__all__]
