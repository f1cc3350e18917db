"""BUSCAR SOCIO (teller): one query box (cédula/RUC, name, username, account number or phone)
and the socios found in a table; Enter on one asks the reason and opens its file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from sjvirtual_tui.formatting import HOLDER_KIND_LABELS
from sjvirtual_tui.i18n import N_, Labels, _, ngettext
from sjvirtual_tui.screens.base import BankScreen
from sjvirtual_tui.widgets.bindings import translate_bindings
from sjvirtual_tui.widgets.form import Form, FormField
from sjvirtual_tui.widgets.row_detail import show_row_detail
from sjvirtual_tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from sjvirtual_tui.models import MemberHit, MemberSearchResult

READ_AS_LABELS: Labels[str] = Labels(
    {
        "cedula": N_("cédula"),
        "ruc": N_("RUC"),
        "cuenta": N_("cuenta"),
        "telefono": N_("teléfono"),
        "nombre": N_("nombre"),
        "usuario": N_("usuario"),
    }
)
MIN_REASON = 5


def _cells(hit: MemberHit) -> tuple[object, ...]:
    return (
        Text(hit.identification),
        Text(hit.name),  # a socio's name is never markup
        Text(hit.username or "-"),
        Text(" ".join(hit.accounts[:2]) + (" …" if len(hit.accounts) > 2 else "")),
    )


def _detail_text(hit: MemberHit) -> str:
    """The highlighted socio in full (the table shortens a long name and shows two accounts):
    who on the first line, how to reach them and their accounts on the second."""
    who = f"{hit.name} ({HOLDER_KIND_LABELS.get(hit.kind, hit.kind)}) · {hit.identification}"
    parts = []
    if hit.username:
        parts.append(_("usuario {username}").format(username=hit.username))
    if hit.phone:
        parts.append(_("tel. {phone}").format(phone=hit.phone))
    parts.append(_("Cuentas: {accounts}").format(accounts=", ".join(hit.accounts) or "-"))
    return who + "\n" + " · ".join(parts)


class ReasonScreen(ModalScreen[str | None]):
    """Why the teller opens a socio's file (audited): at least 5 characters."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancelar"), show=True, id="reason.cancel")]

    def __init__(self, name: str, *, prompt: str | None = None, hint: str | None = None) -> None:
        """``prompt`` and ``hint``: what the box asks and what Enter does (by default, the
        reason to open ``name``'s file)."""
        super().__init__()
        self.socio_name = name
        self.prompt = prompt
        self.hint = hint
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(
                self.prompt
                or _(
                    "Ficha de {name}: escriba el motivo de la consulta (queda registrado)."
                ).format(name=self.socio_name),
                markup=False,
            )
            with Form(id="reason-form"):
                yield FormField("reason", _("Motivo"), max_length=200, prefix="ms-")
            yield Static(self.hint or _("Enter: abrir la ficha · Esc: cancelar"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#ms-input-reason", Input).focus()

    @on(Form.Submitted)
    def _submitted(self) -> None:
        field = self.query_one(FormField)
        if len(field.value) < MIN_REASON:
            field.show_error(_("Escriba al menos 5 caracteres."))
            return
        self.dismiss(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemberSearchScreen(BankScreen):
    HEADING = N_("BUSCAR SOCIO")
    BINDINGS = [Binding("escape", "app.pop_screen", N_("Volver"), show=True, id="back")]

    def __init__(self) -> None:
        super().__init__(id="member-search")
        self.hits: list[MemberHit] = []

    def compose_body(self) -> ComposeResult:
        with Form(id="search-form"):
            yield FormField(
                "q",
                _("Buscar"),
                max_length=80,
                prefix="ms-",
                placeholder=_("cédula/RUC, nombre, usuario, cuenta o teléfono"),
            )
        yield Static("", id="search-summary", markup=False)
        yield RowTable(id="search-results", cells=_cells, key=lambda hit: str(hit.holder_id))
        yield Static("", id="search-detail", markup=False)
        yield Static(_("Enter en un socio: abrir su ficha (con motivo)."), classes="hint")

    def on_mount(self) -> None:
        self.sub_title = _("Personal")
        table = self.query_one("#search-results", DataTable)
        # 14 + 27 + 9 + 17 and a column of padding each side: 75 columns, inside the box at 80
        # with room for the scroll bar (a RUC's 13 digits and the heading "Identificación").
        table.add_column(_("Identificación"), width=14)
        table.add_column(_("Nombre"), width=27)
        table.add_column(_("Usuario"), width=9)
        table.add_column(_("Cuentas"), width=17)
        self.query_one("#ms-input-q", Input).focus()

    @on(Form.Submitted, "#search-form")
    def _search(self) -> None:
        field = self.query_one("#ms-field-q", FormField)
        query = field.value
        if len(query.replace(" ", "")) < 2:
            field.show_error(_("Escriba al menos 2 letras o dígitos."))
            return

        def refused(error: object) -> bool:
            field.show_error(str(getattr(error, "message", error)))
            return True

        self.call_backend(lambda: self.backend.search_members(query), self._show, on_error=refused)

    def _show(self, result: MemberSearchResult) -> None:
        self.hits = result.results
        table = self.query_one("#search-results", RowTable)
        table.show_rows(self.hits)
        kinds = ", ".join(READ_AS_LABELS.get(k, k) for k in result.read_as)
        if not self.hits:
            summary = _("Ningún socio con «{query}» ({kinds}).")
        elif result.truncated:
            summary = _("Los primeros {count} socios con «{query}» ({kinds}): precise la búsqueda.")
        else:
            summary = ngettext(
                "{count} socio con «{query}» ({kinds}).",
                "{count} socios con «{query}» ({kinds}).",
                len(self.hits),
            )
        self.query_one("#search-summary", Static).update(
            summary.format(count=len(self.hits), query=result.query, kinds=kinds)
        )
        self._detail(0)
        if self.hits:
            table.focus()

    @on(DataTable.RowHighlighted, "#search-results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        detail = self.query_one("#search-detail", Static)
        show_row_detail(detail, self.hits, row, _detail_text, "")

    @on(DataTable.RowSelected, "#search-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        hit = next((h for h in self.hits if str(h.holder_id) == event.row_key.value), None)
        if hit is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason:
                from sjvirtual_tui.screens.member_file import MemberFileScreen

                self.app.push_screen(MemberFileScreen(hit.holder_id, reason))

        self.app.push_screen(ReasonScreen(hit.name), reason_given)
