"""Hide every amount on screen at once (Ctrl+O): a line filter over what Textual draws.

A filter sees each drawn line, whatever widget drew it (tables, receipts, the PIN step's echo,
a border title), so no screen needs to know about hiding and none can forget to.
"""

from __future__ import annotations

import re
from functools import cache

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

# "$ 1.234,56", "-$ 12,00", "$ 2.000" — the dollar sign, then digits with their separators.
AMOUNT = r"-?\$ ?-?\d[\d.,]*\d|-?\$ ?\d"


@cache
def _amount() -> re.Pattern[str]:
    """AMOUNT compiled when first used: no amount is hidden before the first frame."""
    return re.compile(AMOUNT)


HIDDEN = "$ ***"


def mask_amounts(text: str) -> str:
    """``text`` with each amount replaced by ``$ ***``, padded to the same width."""
    return _amount().sub(lambda m: HIDDEN[: len(m[0])].ljust(len(m[0])), text)


class AmountMask(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        text = "".join(segment.text for segment in segments if not segment.control)
        if "$" not in text:
            return segments
        masked = mask_amounts(text)
        if masked == text:
            return segments
        # Same characters in, same count out: cut the new text along the old segments.
        result: list[Segment] = []
        position = 0
        for segment in segments:
            if segment.control:
                result.append(segment)
                continue
            end = position + len(segment.text)
            result.append(Segment(masked[position:end], segment.style))
            position = end
        return result
