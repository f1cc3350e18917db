"""CERTIFICADO BANCARIO: the member chooses an account, CONFIRMAR, the server issues the
certificate (and keeps its code), and its PDF is saved in the export directory.

The paper says the band of the account's average balance (:mod:`sjvirtual_tui.pdf`), never the
amount; a teller verifies it by its code (F4 on the teller's screen).
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Label, Select, Static

from sjvirtual_tui import exports
from sjvirtual_tui.backend import BackendError
from sjvirtual_tui.formatting import local_time
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.models import Account, Certificate
from sjvirtual_tui.pdf import band_text
from sjvirtual_tui.screens.base import BACK, BankScreen
from sjvirtual_tui.screens.wizard import OperationKeys
from sjvirtual_tui.widgets.account_picker import AccountPicker
from sjvirtual_tui.widgets.form import field_row

KIOSK_NO_CERTIFICATE = N_(
    "En esta terminal compartida no se guardan archivos: pida su certificado desde su propio "
    "equipo o en una agencia."
)


class CertificateScreen(BankScreen):
    DEFAULT_CSS = """
    #certificate-box { padding: 0 1; height: 1fr; }
    #certificate-result { height: auto; margin-top: 1; }
    """

    HEADING = N_("CERTIFICADO BANCARIO")
    SUB_TITLE = N_("Certificado bancario")
    BOX_ID = "certificate-box"
    BINDINGS = [BACK, Binding("f5", "retry", N_("Actualizar"), show=False, id="refresh")]

    def __init__(self) -> None:
        super().__init__(id="certificates")
        self.keys = OperationKeys()
        self.accounts: list[Account] = []
        self.certificate: Certificate | None = None
        self.saved: Path | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(
            _(
                "Certifica que usted es titular de la cuenta, desde cuándo, y sus saldos "
                "promedios de los últimos 90 días en cifras (sin montos). Se guarda en PDF "
                "con un código que cualquier agencia puede verificar."
            ),
            classes="hint",
        )
        yield field_row(_("Cuenta (*)"), AccountPicker(id="ct-account"))
        yield Label("", id="ct-account-error", classes="field-error")
        yield Button(_("CONFIRMAR"), id="ct-confirm", variant="primary", compact=True)
        yield Static("", id="certificate-result", markup=False)

    def on_mount(self) -> None:
        self.query_one("#ct-account", AccountPicker).focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        self.call_backend(self.backend.accounts, self._loaded, group="load")

    def _loaded(self, accounts: list[Account]) -> None:
        self.accounts = accounts
        self.query_one("#ct-account", AccountPicker).set_accounts(accounts)

    @on(Select.Changed, "#ct-account")
    def _account_changed(self) -> None:
        self.query_one("#certificate-result", Static).update("")

    @on(Button.Pressed, "#ct-confirm")
    def confirm(self) -> None:
        account = self.query_one("#ct-account", AccountPicker).account
        if account is None:
            self.show_field_error(
                "ct-account-error", _("Cuenta: elija la cuenta que desea certificar."), "ct-account"
            )
            self.query_one("#ct-account").focus()
            return
        if self.kiosk_mode:
            self.show_problem(_(KIOSK_NO_CERTIFICATE))
            return
        number = account.number
        key = self.keys.key_for(("certificate", number))

        async def issue() -> tuple[Certificate, Path]:
            certificate = await self.backend.issue_certificate(number, idempotency_key=key)
            try:
                path = exports.save_certificate_pdf(certificate, self.context.settings.export_dir)
            except BackendError as exc:
                # Issued, not saved: the code is still the member's (the server kept it).
                raise BackendError(
                    _("{message} Código de verificación: {code}.").format(
                        message=exc.message, code=certificate.code
                    )
                ) from exc
            return certificate, path

        self.call_backend(issue, self._issued, on_error=self._refused)

    def _refused(self, error: BackendError) -> bool:
        if error.field == "account_number":
            self.show_field_error("ct-account-error", error.message, "ct-account")
            return True
        return False

    def _issued(self, result: tuple[Certificate, Path]) -> None:
        self.certificate, self.saved = result
        self.keys.forget()
        certificate, path = result
        lines = [
            _("Certificado emitido {time}.").format(time=local_time(certificate.issued_at)),
            _("Cuenta {number} · saldos promedios de {band}.").format(
                number=certificate.account_number,
                band=band_text(certificate.average_digits, certificate.average_level),
            ),
            _("Código de verificación: {code}").format(code=certificate.code),
            _("Guardado en:"),
            str(path),
        ]
        self.query_one("#certificate-result", Static).update("\n".join(lines))
        self.notify(str(path), title=_("Certificado guardado"))
