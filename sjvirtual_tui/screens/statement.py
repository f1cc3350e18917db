"""ESTADO DE CUENTA: the movements of one account in a date range, fetched page by page.

Only the pages the member scrolls to are fetched, so an account with 100,000 movements opens
as fast as one with ten. F2 exports the whole range to CSV, F3 to PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Label, Static

from sjvirtual_tui import exports, rules
from sjvirtual_tui.context import BankContext
from sjvirtual_tui.formatting import count, local_time, money
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, Account, Movement, MovementPage
from sjvirtual_tui.screens.base import BACK, BankScreen
from sjvirtual_tui.widgets.charts import StatementCharts
from sjvirtual_tui.widgets.columns import Column, add_columns
from sjvirtual_tui.widgets.progress import ExportProgress
from sjvirtual_tui.widgets.row_table import RowTable

# Fetch the next page when the cursor comes this close to the last loaded row.
PREFETCH_ROWS = 20
# Rows drawn with the frame that shows a page (more than a screen holds); the rest follow.
FIRST_ROWS = 30


class StatementScreen(BankScreen):
    SUB_TITLE = N_("Estado de cuenta")
    BOX_ID = "statement-box"
    BINDINGS = [
        BACK,
        Binding(
            "f2", "export", N_("CSV"), show=True, tooltip=N_("Exportar CSV"), id="statement.export"
        ),
        Binding(
            "f3",
            "export_pdf",
            N_("PDF"),
            show=False,  # the footer is full at 80 columns: F1 lists it
            tooltip=N_("Exportar PDF"),
            id="statement.export_pdf",
        ),
        Binding("f5", "retry", N_("Actualizar"), show=True, id="refresh"),
        # At 24 rows the pictures and the table do not fit together: F6 shows one or the other.
        Binding("f6", "toggle_charts", N_("Gráficos"), show=False, id="statement.charts"),
    ]

    def __init__(self, account: Account) -> None:
        super().__init__(id="statement")
        self.account = account
        self.date_from: date | None = None
        self.date_to: date | None = None
        self.movements: list[Movement] = []
        self.total = 0
        # The cursor of the first page not shown yet (None: no more, or the first one).
        self.next_cursor: str | None = None
        self.fetching = False
        # Read ahead: the page after the shown ones, fetched as soon as the one before it is
        # shown, so that reaching the end shows it at once instead of waiting for the server.
        self.ahead: MovementPage | None = None
        self._ahead_rows: list[Row] = []  # its rows, made ready for the table when it came
        self._rows_pending = 0  # parts of shown pages still to be added (see _add_page)
        self._range_serial = 0  # counts the ranges asked for: a part of an older one is dropped
        # The member reached the end while the page ahead was still on its way.
        self.wanted = False
        self.last_export: Path | None = None

    def heading(self) -> str:
        kind = ACCOUNT_TYPE_LABELS.get(self.account.type, self.account.type)
        return f"{_('ESTADO DE CUENTA')} · {self.account.number} · {kind}"

    def compose_body(self) -> ComposeResult:
        start, today = default_range(self.context)
        yield Static(
            _("Disponible {available}   Contable {accounting}").format(
                available=money(self.account.available_cents),
                accounting=money(self.account.accounting_cents),
            ),
            id="balances",
        )
        with Horizontal(id="range-row"):
            yield Label(_("Desde"), classes="range-label")
            yield Input(rules.format_date(start), id="date-from", max_length=10, compact=True)
            yield Label(_("Hasta"), classes="range-label")
            yield Input(rules.format_date(today), id="date-to", max_length=10, compact=True)
            yield Label(_("Enter consulta · F6 gráficos"), classes="hint range-hint")
        yield Label("", id="range-error", classes="field-error")
        yield MovementTable(self._before_last_row, id="movements")
        yield Static("", id="statement-status", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#movements", DataTable)
        add_columns(table, MOVEMENT_COLUMNS)
        table.focus()
        self.consult()

    # --- the date range ------------------------------------------------------------------------

    def _read_range(self) -> tuple[date | None, date | None] | None:
        """The range typed by the member, or None (with the reason shown) when it is wrong."""
        values: list[date | None] = []
        for field_id, name in (("date-from", N_("Desde")), ("date-to", N_("Hasta"))):
            text = self.query_one(f"#{field_id}", Input).value.strip()
            if not text:
                values.append(None)
                continue
            try:
                values.append(rules.parse_date(text))
            except ValueError as exc:
                self._range_error(f"{_(name)}: {exc}", field_id)
                return None
        date_from, date_to = values
        if date_from and date_to and date_from > date_to:
            self._range_error(_("«Desde» debe ser anterior o igual a «Hasta»."), "date-from")
            return None
        self._range_error(None)
        return date_from, date_to

    def _range_error(self, message: str | None, field_id: str | None = None) -> None:
        # About both dates: it goes when either changes.
        self.show_field_error("range-error", message, "date-from", "date-to")
        if field_id:
            self.query_one(f"#{field_id}", Input).focus()

    @on(Input.Submitted)
    def consult(self) -> None:
        wanted = self._read_range()
        if wanted is None:
            return
        self.date_from, self.date_to = wanted
        self.movements = []
        self._range_serial += 1
        self._rows_pending = 0
        self.next_cursor = None
        self.ahead = None
        self.wanted = True
        self.total = 0
        self.query_one("#movements", DataTable).clear()
        self._charts_changed()
        self._status(_("Consultando…"))
        # Asked for ahead (the account highlighted on the dashboard) and come: drawn with the
        # screen's first frame.
        page = self.backend.prefetched_statement(
            self.account.number,
            date_from=self.date_from,
            date_to=self.date_to,
            limit=self.context.settings.statement_page_size,
        )
        if page is not None:
            self.workers.cancel_group(self, "page")
            self._arrived(page)
            return
        self._fetch_page()  # a new page worker: the one of the previous range is cancelled

    def refresh_data(self) -> None:
        self.consult()

    # --- pages ---------------------------------------------------------------------------------

    def _fetch_page(self) -> None:
        """Fetches the page at ``next_cursor`` (the first one when it is None); it is shown
        when it arrives if the member is waiting for it, else kept as the page ahead."""
        self.fetching = True
        cursor = self.next_cursor
        number, date_from, date_to = self.account.number, self.date_from, self.date_to
        page_size = self.context.settings.statement_page_size

        async def fetch() -> MovementPage:
            return await self.backend.statement(
                number, date_from=date_from, date_to=date_to, limit=page_size, cursor=cursor
            )

        def failed(_error: object) -> bool:
            self.fetching = False
            return False

        # Read ahead quietly; a page the member waits for says it is coming.
        self.call_backend(fetch, self._arrived, on_error=failed, group="page", busy=self.wanted)

    def _arrived(self, page: MovementPage) -> None:
        self.fetching = False
        self.ahead = page
        # Formatted now, while the member reads: reaching the end only adds them.
        self._ahead_rows = table_rows(page.items)
        if self.wanted:
            self._show_ahead()

    def _read_ahead(self) -> None:
        if self.next_cursor and self.ahead is None and not self.fetching:
            self._fetch_page()

    def _show_ahead(self) -> None:
        page, rows = self.ahead, self._ahead_rows
        self.ahead, self._ahead_rows, self.wanted = None, [], False
        assert page is not None
        self._add_page(page, rows)
        # After the rows are drawn: the demo's server answers in this process, and its work
        # would hold up the frame the member is waiting for.
        self.call_after_refresh(self._read_ahead)

    def _add_page(self, page: MovementPage, rows: list[Row]) -> None:
        """The page's rows under the shown ones: those a screen shows at once first, the rest
        right after that frame (measuring and drawing 100 rows would hold it up)."""
        self.total = page.total
        self.next_cursor = page.next_cursor
        self._add_rows(page.items[:FIRST_ROWS], rows[:FIRST_ROWS])
        if len(rows) > FIRST_ROWS:
            self._rows_pending += 1
            rest = page.items[FIRST_ROWS:], rows[FIRST_ROWS:]
            self.call_after_refresh(self._add_rest, self._range_serial, *rest)

    def _add_rest(self, serial: int, movements: list[Movement], rows: list[Row]) -> None:
        if serial != self._range_serial:
            return  # of a range asked for before the shown one
        self._rows_pending -= 1
        self._add_rows(movements, rows)

    def _add_rows(self, movements: list[Movement], rows: list[Row]) -> None:
        table = self.query_one("#movements", DataTable)
        for movement, row in zip(movements, rows, strict=True):
            table.add_row(*row, key=str(movement.id))
        self.movements.extend(movements)
        self._show_position()
        self._charts_changed()

    def _before_last_row(self, row: int) -> None:
        """End on the table, before the cursor goes to ``row``: the page ahead comes with it,
        in the same frame."""
        near_end = row >= len(self.movements) - PREFETCH_ROWS
        if near_end and self.next_cursor and self.ahead is not None and not self._rows_pending:
            self._show_ahead()

    @on(DataTable.RowHighlighted, "#movements")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_position(event.cursor_row)
        near_end = event.cursor_row >= len(self.movements) - PREFETCH_ROWS
        if not near_end or not self.next_cursor or self._rows_pending:
            return
        if self.ahead is not None:
            self._show_ahead()
        else:
            self.wanted = True  # shown as soon as it arrives
            self._read_ahead()

    # --- pictures ------------------------------------------------------------------------------

    async def action_toggle_charts(self) -> None:
        charts = self._charts()
        if charts is None:  # made the first time they are asked for: opening costs nothing
            charts = StatementCharts(id="charts")
            await self.query_one("#statement-box").mount(charts, after="#movements")
        shown = not charts.has_class("-shown")
        charts.set_class(shown, "-shown")
        table = self.query_one("#movements", DataTable)
        table.display = not shown
        if shown:
            self._draw_charts()
        else:
            table.focus()

    def _charts(self) -> StatementCharts | None:
        found = self.query(StatementCharts)
        return found.first() if found else None

    def _charts_changed(self) -> None:
        """The loaded movements changed: the pictures follow, after the rows' frame."""
        charts = self._charts()
        if charts is not None and charts.has_class("-shown"):
            self.call_after_refresh(self._draw_charts)

    def _draw_charts(self) -> None:
        charts = self._charts()
        if charts is not None:
            charts.show(self.movements, self.total)

    def _show_position(self, row: int | None = None) -> None:
        if not self.movements:
            self._status(_("No hay movimientos en este rango de fechas."))
            return
        if row is None:
            row = max(self.query_one("#movements", DataTable).cursor_row, 0)
        row = min(row, len(self.movements) - 1)
        current = self.movements[row]
        more = _(" · bajando se cargan más") if self.next_cursor else ""
        position = _("Movimiento {row} de {total} (cargados {loaded}{more})").format(
            row=count(row + 1),
            total=count(self.total),
            loaded=count(len(self.movements)),
            more=more,
        )
        self._status(f"{position}\n{movement_detail(current)}")

    def _status(self, text: str) -> None:
        # Its height is fixed (app.tcss): no layout of the screen for a new line.
        self.query_one("#statement-status", Static).update(text, layout=False)

    # --- export (the formats and the file: sjvirtual_tui.exports) -----------------------------

    def action_export(self) -> None:
        self._export("csv")

    def action_export_pdf(self) -> None:
        """The shown range as an estado de cuenta in PDF (sjvirtual_tui.pdf), beside the CSV."""
        self._export(exports.PDF_FORMAT)

    def _export(self, kind: str) -> None:
        if self.refuse_files_in_kiosk() or self.query(ExportProgress):
            return  # one export at a time: its own Escape cancels it
        wanted = self._read_range()
        if wanted is None:
            return
        date_from, date_to = wanted
        number = self.account.number
        account = self.account
        path = self.context.settings.export_dir / exports.export_file_name(
            number, date_from, date_to, kind
        )
        now = self.context.now()
        progress = ExportProgress(id="export-progress")
        mounted = self.query_one("#statement-box").mount(progress, before="#statement-status")
        progress.focus()

        async def export() -> tuple[Path, int]:
            # A short export can end before the bar is in the screen: it would then be mounted
            # after its removal and stay, holding the focus and Escape.
            await mounted
            try:
                if kind == exports.PDF_FORMAT:
                    rows = await exports.export_pdf_file(
                        self.backend,
                        account,
                        date_from,
                        date_to,
                        path,
                        now=now,
                        progress=progress.advance_to,
                    )
                else:
                    rows = await exports.export_csv_file(
                        self.backend,
                        number,
                        date_from,
                        date_to,
                        path,
                        progress=progress.advance_to,
                    )
            finally:  # done, failed or cancelled: the bar goes, the table has the keys again
                if progress.is_mounted:
                    # At once (not after the next refresh): an Escape typed right now is the
                    # screen's again, never a cancel of an export that has ended.
                    if progress.has_focus:
                        self.set_focus(self.query_one("#movements", DataTable))
                    progress.display = False
                    progress.remove()
            return path, rows

        self.call_backend(export, self._exported, group="export", busy=False)

    @on(ExportProgress.Cancelled)
    def _cancel_export(self) -> None:
        if not any(w.group == "export" and not w.is_finished for w in self.workers):
            return  # it ended as the key came: the file is saved and said so
        # The worker's CancelledError removes the half-written temporary file.
        self.workers.cancel_group(self, "export")
        self._status(_("Exportación cancelada: no se guardó ningún archivo."))

    def _exported(self, result: tuple[Path, int]) -> None:
        path, exported = result
        self.last_export = path
        self._status(
            ngettext(
                "Exportado {count} movimiento a:\n{path}",
                "Exportados {count} movimientos a:\n{path}",
                exported,
            ).format(count=count(exported), path=path)
        )
        self.notify(str(path), title=_("Estado de cuenta exportado"))


Row = tuple[str, Text, Text, Text, Text, Text]

# 8+11+13+11+11+13 columns, their padding and a 1-column scrollbar make exactly 80.
# The line under the table repeats the whole row, so nothing cut here is lost.
MOVEMENT_COLUMNS = (
    Column(N_("Fecha"), "date", 8),
    Column(N_("Descripción"), "description", 11),
    Column(N_("Referencia"), "reference", 13),
    Column(N_("Débito"), "debit", 11),
    Column(N_("Crédito"), "credit", 11),
    Column(N_("Saldo"), "balance", 13),
)


class MovementTable(RowTable):
    """The statement's table: End goes to the last loaded row, and tells the screen first, so
    the rows read ahead are drawn in the frame that shows the cursor there."""

    def __init__(self, before_last_row: Callable[[int], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._before_last_row = before_last_row

    def action_scroll_bottom(self) -> None:
        last = self.row_count - 1
        if last >= 0:
            self._before_last_row(last)
        self._set_hover_cursor(False)
        self.move_cursor(row=max(last, 0), animate=False)


def table_rows(movements: list[Movement]) -> list[Row]:
    """The cells of the table for ``movements``."""
    rows: list[Row] = []
    for movement in movements:
        cents = movement.amount_cents
        rows.append(
            (
                rules.local_datetime(movement.posted_at).strftime("%d/%m/%y"),
                # Text: descriptions are typed by whoever sent the money, never markup.
                Text(movement.description),
                Text(movement.reference),
                Text(money(-cents) if cents < 0 else "", justify="right"),
                Text(money(cents) if cents > 0 else "", justify="right"),
                Text(money(movement.balance_after_cents), justify="right"),
            )
        )
    return rows


def default_range(context: BankContext) -> tuple[date, date]:
    """The range a statement opens with: the last ``statement_days`` days, today included."""
    today = rules.today_in_ecuador(context.now())
    return today - timedelta(days=context.settings.statement_days), today


def prefetch_first_page(context: BankContext, account: Account) -> None:
    """Asks for the first page the statement of ``account`` opens with (the dashboard does it
    when the account is highlighted), so that Enter shows it without waiting for the server."""
    if not context.is_ready:
        return
    start, today = default_range(context)
    context.backend.prefetch_statement(
        account.number,
        date_from=start,
        date_to=today,
        limit=context.settings.statement_page_size,
    )


def movement_detail(movement: Movement) -> str:
    """The row the table cuts, whole, in two lines: time, amount and reference first (their
    width is known, so 80 columns never cut the amount), the description alone under it.
    Servers often write the reference into the description too: it is said once."""
    reference = movement.reference
    description = _strip_reference(movement.description, reference) if reference else ""
    description = description or movement.description
    first = [local_time(movement.posted_at), money(movement.amount_cents)]
    if reference and reference not in description:
        first.append(reference)
    return " · ".join(first) + "\n" + description


def _strip_reference(description: str, reference: str) -> str:
    """``description`` without ``reference`` when it is a part of its own between " · "."""
    parts = description.split(" · ")
    if reference in parts and len(parts) > 1:
        parts.remove(reference)
    return " · ".join(parts)
