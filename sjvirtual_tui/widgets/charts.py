"""The statement's pictures: the running balance as a sparkline and each month's money in and
out as bars, drawn from the movements already loaded (no request of their own).

Both read without colour: the sparkline's bars are heights (▁ to █), the months' bars are two
different glyphs (█ in, ░ out) with their amounts written beside them and a legend under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from sjvirtual_tui import rules
from sjvirtual_tui.formatting import count, money
from sjvirtual_tui.i18n import _, ngettext
from sjvirtual_tui.models import Movement

IN_GLYPH = "█"
OUT_GLYPH = "░"
# Months shown (the most recent ones loaded): what fits beside the sparkline at 24 rows.
MONTHS_SHOWN = 6


@dataclass(frozen=True)
class MonthTotals:
    year: int
    month: int
    in_cents: int
    out_cents: int  # as a positive amount

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


def monthly_totals(movements: Sequence[Movement]) -> list[MonthTotals]:
    """Money in and out per month (Ecuador's calendar), oldest month first."""
    totals: dict[tuple[int, int], list[int]] = {}
    for movement in movements:
        when = rules.local_datetime(movement.posted_at)
        sums = totals.setdefault((when.year, when.month), [0, 0])
        if movement.amount_cents > 0:
            sums[0] += movement.amount_cents
        else:
            sums[1] -= movement.amount_cents
    return [MonthTotals(y, m, i, o) for (y, m), (i, o) in sorted(totals.items())]


def _bar(cents: int, largest: int, width: int, glyph: str) -> str:
    """``cents`` as a bar of up to ``width`` glyphs (at least one when it is not zero)."""
    if cents <= 0 or largest <= 0:
        return ""
    return glyph * max(1, (cents * width + largest // 2) // largest)


def month_lines(months: Sequence[MonthTotals], width: int) -> list[str]:
    """One line per month: ``MM/AAAA  +$in ███  -$out ░░``, bars scaled to the largest amount."""
    if not months:
        return []
    ins = [f"+{money(m.in_cents)}" for m in months]
    outs = [f"-{money(m.out_cents)}" for m in months]
    amount_width = max(len(x) for x in ins + outs)
    # 7 for the month and its space, 2 spaces after each amount, 1 between the halves.
    bar_width = max(4, (width - 7 - 2 * (amount_width + 1) - 1) // 2)
    largest = max(max(m.in_cents, m.out_cents) for m in months)
    lines = []
    for month, in_text, out_text in zip(months, ins, outs, strict=True):
        in_bar = _bar(month.in_cents, largest, bar_width, IN_GLYPH)
        out_bar = _bar(month.out_cents, largest, bar_width, OUT_GLYPH)
        lines.append(
            f"{month.label} {in_text:>{amount_width}} {in_bar:<{bar_width}} "
            f"{out_text:>{amount_width}} {out_bar}".rstrip()
        )
    return lines


class StatementCharts(Vertical):
    """Sparkline of the balance after each loaded movement (oldest left) and monthly bars."""

    DEFAULT_CSS = """
    StatementCharts { height: 1fr; padding: 0 1; display: none; }
    StatementCharts.-shown { display: block; }
    StatementCharts > Sparkline { height: 3; margin-bottom: 1; }
    StatementCharts > Static { height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="balance-caption", markup=False)
        yield Sparkline([], id="balance-sparkline", summary_function=_last)
        yield Static("", id="months-caption", markup=False)
        yield Static("", id="month-bars", markup=False)
        yield Static("", id="months-legend", markup=False)

    def show(self, movements: Sequence[Movement], total: int) -> None:
        """Draws ``movements`` (newest first, as the statement lists them); ``total``: how many
        the whole range has, to say when only a part of it is loaded."""
        oldest_first = list(reversed(movements))
        caption = self.query_one("#balance-caption", Static)
        sparkline = self.query_one("#balance-sparkline", Sparkline)
        if not oldest_first:
            caption.update(_("Sin movimientos para graficar en este rango."))
            sparkline.data = []
            for part in ("#months-caption", "#month-bars", "#months-legend"):
                self.query_one(part, Static).update("")
            return
        balances = [m.balance_after_cents for m in oldest_first]
        first = rules.local_datetime(oldest_first[0].posted_at).strftime("%d/%m/%y")
        last = rules.local_datetime(oldest_first[-1].posted_at).strftime("%d/%m/%y")
        scope = (
            ngettext(
                "el {loaded} movimiento cargado de {total}",
                "los {loaded} movimientos cargados de {total}",
                len(balances),
            ).format(loaded=count(len(balances)), total=count(total))
            if len(balances) < total
            else ngettext("{total} movimiento", "{total} movimientos", total).format(
                total=count(total)
            )
        )
        caption.update(
            _("Saldo del {first} al {last} ({scope})\nmínimo {low} · máximo {high}").format(
                first=first,
                last=last,
                scope=scope,
                low=money(min(balances)),
                high=money(max(balances)),
            )
        )
        # Heights only: the amounts are written in words above.
        sparkline.data = balances
        months = monthly_totals(oldest_first)[-MONTHS_SHOWN:]
        self.query_one("#months-caption", Static).update(_("Ingresos y egresos por mes"))
        width = self.app.size.width - 2  # the whole screen's width, less the padding
        self.query_one("#month-bars", Static).update("\n".join(month_lines(months, width)))
        self.query_one("#months-legend", Static).update(
            _("{in_glyph} ingresos   {out_glyph} egresos").format(
                in_glyph=IN_GLYPH * 2, out_glyph=OUT_GLYPH * 2
            )
        )


def _last(values: Sequence[float]) -> float:
    """A bucket of the sparkline stands for the balance at its end."""
    return values[-1]
