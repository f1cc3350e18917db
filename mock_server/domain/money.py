"""Money as a member reads it, ``$1.234,56``: the TUI's :func:`sjvirtual_tui.formatting.money`,
without babel's per-call pattern parsing and ``Decimal`` arithmetic.

The server formats amounts in every receipt e-mail and refusal message, inside write
transactions. The symbols are babel's own (read once); the output is byte for byte the TUI's,
which ``tests/api/test_api_transfers.py`` checks over a range of amounts.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _symbols() -> tuple[str, str, str, str]:
    """(currency symbol, minus sign, decimal separator, group separator) of USD in es_EC."""
    from babel import Locale
    from babel.numbers import (
        get_currency_symbol,
        get_decimal_symbol,
        get_group_symbol,
        get_minus_sign_symbol,
    )

    locale = Locale.parse("es_EC")
    return (
        get_currency_symbol("USD", locale),
        get_minus_sign_symbol(locale),
        get_decimal_symbol(locale),
        get_group_symbol(locale),
    )


def money(cents: int) -> str:
    """``123456`` -> ``$1.234,56``; ``-1250`` -> ``-$12,50`` (pattern ``¤#,##0.00;-¤#,##0.00``)."""
    symbol, minus, decimal, group = _symbols()
    whole, rest = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", group)
    return f"{minus if cents < 0 else ''}{symbol}{grouped}{decimal}{rest:02d}"
