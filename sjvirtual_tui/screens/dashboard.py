"""POSICIÓN CONSOLIDADA: the member's accounts and balances."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from sjvirtual_tui.context import OpenStatement
from sjvirtual_tui.flows import Audience, flow_bindings, menu_text
from sjvirtual_tui.formatting import local_time, money
from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, Account, LoginResult
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.notifications import unread_text
from sjvirtual_tui.screens.statement import prefetch_first_page
from sjvirtual_tui.widgets.columns import Column, add_columns
from sjvirtual_tui.widgets.row_table import RowTable


class DashboardScreen(BankScreen):
    FOOTER_HAS_ROOM = True
    HEADING = N_("POSICIÓN CONSOLIDADA")
    SUB_TITLE = N_("Posición consolidada")
    BOX_ID = "dashboard-box"
    # The members' flows (flows.py): the footer shows those it has room for at 80 columns
    # beside the keys that work everywhere (F1, F9, Ctrl+O); all are in the MENÚ and F1's list.
    BINDINGS = [
        *flow_bindings(Audience.MEMBER),
        Binding(
            "f5", "retry", N_("Actualizar"), show=False, id="refresh"
        ),  # in the MENÚ: the footer is full
    ]

    def __init__(self, login: LoginResult) -> None:
        super().__init__(id="dashboard")
        self.login = login
        self.accounts: list[Account] = []

    def compose_body(self) -> ComposeResult:
        yield Static(self._greeting(), id="member-line", markup=False)
        yield RowTable(id="accounts", cells=_account_cells, key=lambda account: account.number)
        yield Static("", id="accounts-total")
        # --- notifications (issue 17) --- the inbox's unread count (N: AVISOS).
        yield Static("", id="notices-line", markup=False)
        yield Static(
            menu_text(Audience.MEMBER, [_("F5 actualizar")]),
            id="menu",
            classes="hint",
            markup=False,
        )

    def _greeting(self) -> str:
        member = self.login.member
        last = self.login.last_login_at
        last_text = local_time(last) if last else _("primer ingreso")
        return "{name}\n{last}".format(
            name=member.full_name, last=_("Último ingreso: {when}").format(when=last_text)
        )

    def on_mount(self) -> None:
        table = self.query_one("#accounts", DataTable)
        add_columns(table, ACCOUNT_COLUMNS)
        table.focus()  # the data comes with on_screen_resume, also the first time

    def on_screen_resume(self) -> None:
        # Back from a transfer or a statement: the balances may have changed. (Not while the
        # session is ending: the screens are being popped on the way to the login screen.)
        if self.context.session is not None:
            self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.accounts, self._show_accounts)
        # Its own group: the accounts' call must not cancel it (nor it them).
        self.call_backend(
            lambda: self.backend.notifications(limit=1),
            lambda page: self.query_one("#notices-line", Static).update(unread_text(page.unread)),
            group="notices",
            busy=False,
        )

    def _show_accounts(self, accounts: list[Account]) -> None:
        self.accounts = accounts
        self.query_one("#accounts", RowTable).show_rows(accounts)
        total = sum(a.available_cents for a in accounts)
        count = len(accounts)
        line = ngettext(
            "{count} cuenta · Total disponible: {total}",
            "{count} cuentas · Total disponible: {total}",
            count,
        )
        self.query_one("#accounts-total", Static).update(
            line.format(count=count, total=money(total))
        )

    @on(DataTable.RowHighlighted, "#accounts")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Its statement's first page is asked for now: Enter then shows it at once.
        if 0 <= event.cursor_row < len(self.accounts):
            prefetch_first_page(self.context, self.accounts[event.cursor_row])

    @on(DataTable.RowSelected, "#accounts")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_open_statement(self) -> None:
        table = self.query_one("#accounts", DataTable)
        if not self.accounts or table.cursor_row < 0:
            return
        self._open(self.accounts[table.cursor_row].number)

    def _open(self, number: str | None) -> None:
        account = next((a for a in self.accounts if a.number == number), None)
        if account is not None:
            self.post_message(OpenStatement(account))


ACCOUNT_COLUMNS = (
    Column(N_("Cuenta"), "number", 10),
    Column(N_("Tipo"), "type", 18),
    Column(N_("Disponible"), "available", 16),
    Column(N_("Contable"), "accounting", 16),
)


def _account_cells(account: Account) -> tuple[object, ...]:
    return (
        account.number,
        ACCOUNT_TYPE_LABELS.get(account.type, account.type),
        _right(money(account.available_cents)),
        _right(money(account.accounting_cents)),
    )


def _right(text: str) -> Text:
    return Text(text, justify="right")
