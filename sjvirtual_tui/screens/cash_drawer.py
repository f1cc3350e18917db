"""CUADRE DE CAJA (teller): open the drawer with its opening float; then the float, the
deposits and withdrawals of the session and the expected total; at the close, the counted
total typed by the teller and the difference, recorded by the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from sjvirtual_tui.backend import NotFound
from sjvirtual_tui.formatting import local_time, money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.models import DRAWER_FLOAT_MAX_CENTS
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.screens.confirm import ConfirmScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.form import Form
from sjvirtual_tui.widgets.money_input import MoneyInput

if TYPE_CHECKING:
    from sjvirtual_tui.backend import BackendError
    from sjvirtual_tui.models import CashDrawer


def drawer_text(drawer: CashDrawer) -> str:
    lines = [
        _("Caja {account} abierta {time}").format(
            account=drawer.drawer_account, time=local_time(drawer.opened_at)
        ),
        "",
        f"{_('Fondo inicial'):<28}{money(drawer.opening_float_cents):>16}",
        f"{_('Depósitos') + f' ({drawer.deposits_count})':<28}"
        f"{'+' + money(drawer.deposits_cents):>16}",
        f"{_('Retiros') + f' ({drawer.withdrawals_count})':<28}"
        f"{'-' + money(drawer.withdrawals_cents):>16}",
        f"{_('Total esperado'):<28}{money(drawer.expected_cents):>16}",
    ]
    if drawer.closed_at is not None and drawer.counted_cents is not None:
        difference = drawer.difference_cents or 0
        word = (
            _("cuadra") if difference == 0 else (_("sobrante") if difference > 0 else _("faltante"))
        )
        lines += [
            f"{_('Total contado'):<28}{money(drawer.counted_cents):>16}",
            f"{_('Diferencia'):<28}{money(difference):>16}  {word}",
            "",
            _("Caja cerrada {time}: el cuadre quedó registrado.").format(
                time=local_time(drawer.closed_at)
            ),
        ]
    return "\n".join(lines)


def _float_maximum() -> tuple[int, str]:
    return DRAWER_FLOAT_MAX_CENTS, _("El fondo inicial es de máximo {maximum}.").format(
        maximum=money(DRAWER_FLOAT_MAX_CENTS)
    )


class CashDrawerScreen(BankScreen):
    HEADING = N_("CUADRE DE CAJA")
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Volver"), show=True, id="back")]

    def __init__(self) -> None:
        super().__init__(id="cash-drawer")
        self.keys = OperationKeys()
        self.drawer: CashDrawer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(_("Consultando su caja…"), id="drawer-text", markup=False)
        with Form(id="open-form"):
            yield MoneyInput(
                "opening_float", _("Fondo inicial"), prefix="d-", maxima=[_float_maximum]
            )
        with Form(id="close-form"):
            yield MoneyInput("counted", _("Total contado"), prefix="d-")
        yield Static("", id="drawer-hint", classes="hint")

    def on_mount(self) -> None:
        self.sub_title = _("Personal")
        self.query_one("#open-form").display = False
        self.query_one("#close-form").display = False
        self.refresh_data()

    def refresh_data(self) -> None:
        def closed(error: BackendError) -> bool:
            if isinstance(error, NotFound):
                self._show_closed()
                return True
            return False

        self.call_backend(self.backend.cash_drawer, self._show_open, on_error=closed)

    def _show_closed(self, after: CashDrawer | None = None) -> None:
        self.drawer = None
        text = drawer_text(after) + "\n\n" if after is not None else ""
        self.query_one("#drawer-text", Static).update(
            text + _("Su caja está cerrada. Cuente el fondo con que empieza y ábrala.")
        )
        self.query_one("#close-form").display = False
        self.query_one("#open-form").display = True
        self.query_one("#drawer-hint", Static).update(_("Enter: abrir la caja con este fondo."))
        self.query_one("#d-input-opening-float", Input).focus()

    def _show_open(self, drawer: CashDrawer) -> None:
        self.drawer = drawer
        self.query_one("#drawer-text", Static).update(drawer_text(drawer))
        self.query_one("#open-form").display = False
        self.query_one("#close-form").display = True
        self.query_one("#drawer-hint", Static).update(
            _("Al cerrar: cuente el efectivo, escriba el total y Enter. F5: actualizar.")
        )
        self.query_one("#d-input-counted", Input).focus()

    @on(Form.Submitted, "#open-form")
    def _open(self) -> None:
        field = self.query_one("#d-field-opening-float", MoneyInput)
        if not field.validate_value() or field.cents is None:
            return
        cents = field.cents
        key = self.keys.key_for(("open", cents))
        self.call_backend(
            lambda: self.backend.open_cash_drawer(cents, idempotency_key=key), self._opened
        )

    def _opened(self, drawer: CashDrawer) -> None:
        self.keys.forget()
        self.notify(_("Caja abierta."), title=_("Cuadre de caja"))
        self._show_open(drawer)

    @on(Form.Submitted, "#close-form")
    def _close(self) -> None:
        field = self.query_one("#d-field-counted", MoneyInput)
        if not field.validate_value() or field.cents is None:
            return
        cents = field.cents

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            key = self.keys.key_for(("close", cents))
            self.call_backend(
                lambda: self.backend.close_cash_drawer(cents, idempotency_key=key),
                self._drawer_closed,
            )

        self.app.push_screen(
            ConfirmScreen(_("¿Cerrar la caja con {amount} contados?").format(amount=money(cents))),
            decided,
        )

    def _drawer_closed(self, drawer: CashDrawer) -> None:
        self.keys.forget()
        self.query_one("#d-field-counted", MoneyInput).cents = None
        self._show_closed(drawer)
