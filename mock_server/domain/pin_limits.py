"""How far a member may go with verification PINs: the settings of :mod:`mock_server.domain.pin`.

The lock after 5 wrong PINs in a row is a rule, not a setting (``pin.MAX_WRONG_IN_A_ROW``).
What a member may have on the way is a setting: the bank's policy, and a load test of one
member's hundreds of operations in one frozen instant needs it wider (it says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PinLimits:
    # Operations awaiting their PIN at once, per member (expired ones do not count): another
    # is refused (409) until one is confirmed or expires; there is nothing else to wait for.
    max_pending: int = 3
    # PIN e-mails (one per operation started with a PIN) per member in a sliding window (429):
    # enough for a member paying a month's bills in one sitting, not for mail-bombing a
    # member's inbox or for fishing for PINs.
    mails: int = 10
    mail_window: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_pending < 1 or self.mails < 1 or self.mail_window <= timedelta(0):
            raise ValueError("PIN limits must be positive")


DEFAULT_PIN_LIMITS = PinLimits()
