"""ESTADO DE CUENTA: the movements of one account in a date range, fetched page by page.

Only the pages the member scrolls to are fetched, so an account with 100,000 movements opens
as fast as one with ten. F2 exports the whole range to CSV.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from sjvirtual_tui import rules
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.files import write_atomically
from sjvirtual_tui.formatting import count, local_time, money, plain_amount
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, Account, Movement, MovementPage
from sjvirtual_tui.screens.base import BankScreen, Problem
from sjvirtual_tui.widgets.row_table import RowTable

# Fetch the next page when the cursor comes this close to the last loaded row.
PREFETCH_ROWS = 20
EXPORT_PAGE = 500


class StatementScreen(BankScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Volver"), show=True),
        Binding("f2", "export", N_("CSV"), show=True, tooltip=N_("Exportar CSV")),
        Binding("f5", "retry", N_("Actualizar"), show=True),
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
        # The member reached the end while the page ahead was still on its way.
        self.wanted = False
        self.last_export: Path | None = None

    def compose(self) -> ComposeResult:
        settings = self.context.settings
        today = rules.today_in_ecuador(self.context.now())
        start = today - timedelta(days=settings.statement_days)
        kind = ACCOUNT_TYPE_LABELS.get(self.account.type, self.account.type)
        title = _("ESTADO DE CUENTA")
        yield Header(show_clock=False)
        with Vertical(id="statement-box"):
            yield Static(f"{title} · {self.account.number} · {kind}", classes="screen-title")
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
                yield Label(_("Enter consulta"), classes="hint range-hint")
            yield Label("", id="range-error", classes="field-error")
            yield RowTable(id="movements")
            yield Static("", id="statement-status", markup=False)
            yield Problem(id="problem")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.sub_title = _("Estado de cuenta")
        table = self.query_one("#movements", DataTable)
        # 8+13+11+11+11+13 columns, their padding and a 1-column scrollbar make exactly 80.
        # The line under the table repeats the whole row, so nothing cut here is lost.
        table.add_column(_("Fecha"), key="date", width=8)
        table.add_column(_("Descripción"), key="description", width=13)
        table.add_column(_("Referencia"), key="reference", width=11)
        table.add_column(_("Débito"), key="debit", width=11)
        table.add_column(_("Crédito"), key="credit", width=11)
        table.add_column(_("Saldo"), key="balance", width=13)
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
        self.next_cursor = None
        self.ahead = None
        self.wanted = True
        self.total = 0
        self.query_one("#movements", DataTable).clear()
        self._status(_("Consultando…"))
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
        if self.wanted:
            self._show_ahead()

    def _read_ahead(self) -> None:
        if self.next_cursor and self.ahead is None and not self.fetching:
            self._fetch_page()

    def _show_ahead(self) -> None:
        page, self.ahead, self.wanted = self.ahead, None, False
        assert page is not None
        self._add_page(page)
        # After the rows are drawn: the demo's server answers in this process, and its work
        # would hold up the frame the member is waiting for.
        self.call_after_refresh(self._read_ahead)

    def _add_page(self, page: MovementPage) -> None:
        table = self.query_one("#movements", DataTable)
        for movement in page.items:
            debit = money(-movement.amount_cents) if movement.amount_cents < 0 else ""
            credit = money(movement.amount_cents) if movement.amount_cents > 0 else ""
            table.add_row(
                rules.local_datetime(movement.posted_at).strftime("%d/%m/%y"),
                # Text: descriptions are typed by whoever sent the money, never markup.
                Text(movement.description),
                Text(movement.reference),
                Text(debit, justify="right"),
                Text(credit, justify="right"),
                Text(money(movement.balance_after_cents), justify="right"),
                key=str(movement.id),
            )
        self.movements.extend(page.items)
        self.total = page.total
        self.next_cursor = page.next_cursor
        self._show_position()

    @on(DataTable.RowHighlighted, "#movements")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_position(event.cursor_row)
        near_end = event.cursor_row >= len(self.movements) - PREFETCH_ROWS
        if not near_end or not self.next_cursor:
            return
        if self.ahead is not None:
            self._show_ahead()
        else:
            self.wanted = True  # shown as soon as it arrives
            self._read_ahead()

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
        self.query_one("#statement-status", Static).update(text)

    # --- export --------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.refuse_files_in_kiosk():
            return
        wanted = self._read_range()
        if wanted is None:
            return
        date_from, date_to = wanted
        number = self.account.number
        export_dir = self.context.settings.export_dir
        self._status(_("Exportando…"))

        async def export() -> tuple[Path, int]:
            rows: list[Movement] = []
            cursor: str | None = None
            while True:
                page = await self.backend.statement(
                    number,
                    date_from=date_from,
                    date_to=date_to,
                    order="asc",
                    limit=EXPORT_PAGE,
                    cursor=cursor,
                )
                rows.extend(page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
            path = export_dir / export_file_name(number, date_from, date_to)
            try:
                write_statement_csv(path, rows)
            except OSError as exc:
                raise BackendError(
                    _("No se pudo guardar {path}: {error}.").format(
                        path=path, error=exc.strerror or exc
                    )
                ) from exc
            return path, len(rows)

        self.call_backend(export, self._exported, group="export")

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

    def action_back(self) -> None:
        self.app.pop_screen()


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


def _csv_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (descriptions can come from other people)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_file_name(number: str, date_from: date | None, date_to: date | None) -> str:
    start = date_from.strftime("%Y%m%d") if date_from else "inicio"
    end = date_to.strftime("%Y%m%d") if date_to else "hoy"
    return f"estado-{number}-{start}-{end}.csv"


def write_statement_csv(path: Path, movements: list[Movement]) -> None:
    """RFC 4180 CSV, UTF-8, dot decimals and ISO times: what spreadsheets and scripts read.

    Written to a temporary file and renamed, so a failed export never leaves half a file.
    """

    def write(handle: TextIO) -> None:
        writer = csv.writer(handle)
        writer.writerow(["fecha", "descripcion", "referencia", "debito", "credito", "saldo"])
        for m in movements:
            writer.writerow(
                [
                    rules.local_datetime(m.posted_at).isoformat(timespec="seconds"),
                    _csv_text(m.description),
                    _csv_text(m.reference),
                    plain_amount(-m.amount_cents) if m.amount_cents < 0 else "",
                    plain_amount(m.amount_cents) if m.amount_cents > 0 else "",
                    plain_amount(m.balance_after_cents),
                ]
            )

    write_atomically(path, write)
