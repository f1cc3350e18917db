"""The big account: "masivo"'s 100,000 movements, to page through a long history."""

from __future__ import annotations

from mock_server.seed.history import SeedAccount
from sjvirtual_tui.models import AccountType

BULK_MOVEMENTS = 100_000
# With bulk=False the "masivo" account still gets enough movements to page through.
SMALL_BULK_MOVEMENTS = 1_000

# Comercial Andina's account (mock_server.seed.members): three years of a busy company.
ACCOUNT = SeedAccount(
    "00190001",
    AccountType.AHORRO_VISTA,
    movements=0,  # BULK_MOVEMENTS, or SMALL_BULK_MOVEMENTS without bulk
    days=1_095,
    target_low=2_000_000,
    target_high=8_000_000,
    commercial=True,
    monthly_fee=True,
)


def movement_count(spec: SeedAccount, bulk: bool) -> int:
    """How many movements ``spec`` gets: its own count, or the big account's."""
    if spec.movements:
        return spec.movements
    return BULK_MOVEMENTS if bulk else SMALL_BULK_MOVEMENTS
