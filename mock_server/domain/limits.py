"""The daily limit and the per-transaction limit on money sent to third parties."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from mock_server.domain.errors import Invalid
from mock_server.domain.money import money
from mock_server.i18n import _
from mock_server.store import Connection
from mock_server.store import transfers as store
from sjvirtual_tui.models import TransferLimits
from sjvirtual_tui.rules import ECUADOR_TZ

# Limits of a member without a row in transfer_limits (the seed gives every member these).
DEFAULT_PER_TRANSACTION_CENTS = 200_000  # $2.000,00
DEFAULT_DAILY_CENTS = 500_000  # $5.000,00


def today_in_ecuador(now: datetime) -> tuple[datetime, datetime]:
    """Today in Ecuador: [00:00, next 00:00)."""
    day = now.astimezone(ECUADOR_TZ).date()
    start = datetime.combine(day, time(0), tzinfo=ECUADOR_TZ)
    return start, start + timedelta(days=1)


def transfer_limits(conn: Connection, member_id: int, now: datetime) -> TransferLimits:
    """The member's limits and what is left today: executed transfers to third parties count,
    and payments to cards of other institutions (paid like an interbancaria); a returned
    (rechazada) one does not."""
    own_per_transaction, own_daily, used = store.limits_and_used(
        conn, member_id, *today_in_ecuador(now)
    )
    per_transaction = own_per_transaction or DEFAULT_PER_TRANSACTION_CENTS
    daily = own_daily or DEFAULT_DAILY_CENTS
    return TransferLimits(
        per_transaction_cents=per_transaction,
        daily_cents=daily,
        used_today_cents=used,
        available_today_cents=max(0, daily - used),
    )


def require_within_limits(
    conn: Connection, member_id: int, now: datetime, amount_cents: int
) -> None:
    """The daily limit (and the per-transaction one): Invalid ``limit_exceeded`` past either."""
    limits = transfer_limits(conn, member_id, now)
    left = money(limits.available_today_cents)
    if amount_cents > limits.per_transaction_cents:
        message = _(
            "El monto supera su límite por transacción de {limit}. Hoy le quedan {left}."
        ).format(limit=money(limits.per_transaction_cents), left=left)
    elif amount_cents > limits.available_today_cents:
        message = _("El monto supera su límite diario de {limit}. Hoy le quedan {left}.").format(
            limit=money(limits.daily_cents), left=left
        )
    else:
        return
    raise Invalid("limit_exceeded", message, "amount_cents")
