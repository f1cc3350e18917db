"""The steps that close every operation confirmed with the PIN DE VERIFICACIÓN (transfers to
third parties, payments, loan payments, pólizas, new beneficiaries): VERIFIQUE Y CONFIRME, the PIN
and LISTO! with the receipt.

A wizard starts the operation (the server e-mails a 4-digit PIN and answers a ``Challenge``),
shows :class:`PinEntry`, and gets the ``ConfirmResult`` in :meth:`confirmed`. Wrong PINs stay on
the step with the attempts left; a cancelled or expired operation must be started again (with a
new Idempotency-Key); a locked member is sent back to the login screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from sjvirtual_tui.backend import BackendError, ChallengeFailed, LockedError
from sjvirtual_tui.context import SessionEnded
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.screens.wizard import WizardScreen, new_idempotency_key
from sjvirtual_tui.widgets.form import Form
from sjvirtual_tui.widgets.pin_entry import PinEntry
from sjvirtual_tui.widgets.receipt import receipt_text
from sjvirtual_tui.widgets.wizard import StepTitle

if TYPE_CHECKING:
    from sjvirtual_tui.models import (
        CardPaymentRequest,
        Challenge,
        ConfirmResult,
        ExternalCardPaymentRequest,
        Payment,
        ServicePaymentRequest,
        Transfer,
    )

EMAILED = N_("Automáticamente usted recibirá un correo electrónico con el comprobante.")


def with_emailed_receipt(text: str) -> str:
    """LISTO!'s words for an operation whose receipt the server e-mails."""
    return text + " " + _(EMAILED)


class HasChallenge(Protocol):
    """The server's answer to an operation's start: the PIN it e-mailed is asked for."""

    @property
    def challenge(self) -> Challenge: ...


def closing_steps(prefix: str) -> tuple[str, str, str]:
    """The steps :meth:`VerifiedWizard.compose_closing_steps` makes: verify, PIN and LISTO!."""
    return f"{prefix}confirm", f"{prefix}pin", f"{prefix}done"


class VerifiedWizard(WizardScreen):
    """A wizard whose operation is confirmed with the verification PIN."""

    # The prefix of the ids of a wizard that ends with compose_closing_steps ("tr-"): its
    # PIN and LISTO! steps are named after it, so PIN_STEP, DONE_STEP and FINAL follow.
    PREFIX: ClassVar[str] = ""
    PIN_STEP: ClassVar[str]
    # The step where the member fixes the data and starts again after a cancelled operation.
    RESTART_STEP: ClassVar[str]
    # LISTO!, with the receipt (transfers and payments; a new beneficiary has no receipt).
    DONE_STEP: ClassVar[str] = ""
    # Whether LISTO! offers the receipt as a file (F2, GUARDAR): a loan payment's and a
    # póliza's are only shown and e-mailed.
    SAVES_RECEIPT: ClassVar[bool] = True

    BINDINGS = [
        Binding("f2", "save_receipt", N_("Guardar comprobante"), show=True, id="receipt.save")
    ]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "PREFIX" in cls.__dict__:
            _verify, cls.PIN_STEP, cls.DONE_STEP = closing_steps(cls.PREFIX)
            cls.FINAL = (cls.DONE_STEP,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.challenge: Challenge | None = None
        self.receipt_of: Transfer | Payment | None = None
        self.receipt_path = ""
        # (challenge id, PIN, key) of the PIN sent last while its answer has not come: the same
        # PIN sent again (CONFIRMAR after "en proceso") is that send again, with its key.
        self._pin_send: tuple[str, str, str] | None = None

    # --- the shared steps ------------------------------------------------------------------------

    def compose_verify_steps(self, prefix: str, step: int) -> ComposeResult:
        """VERIFIQUE Y CONFIRME (the summary, CONFIRMAR) and PIN DE VERIFICACIÓN, both ``step``."""
        with Vertical(id=f"{prefix}confirm"):
            yield StepTitle(step, _("VERIFIQUE Y CONFIRME"))
            yield Static("", id=f"{prefix}summary", classes="operation-summary", markup=False)
            yield Button(_("CONFIRMAR"), id=f"{prefix}submit", variant="primary", compact=True)
        with Vertical(id=f"{prefix}pin"):
            yield StepTitle(step, _("PIN DE VERIFICACIÓN"))
            yield from self.compose_pin_step(prefix)

    def compose_closing_steps(self, step: int) -> ComposeResult:
        """The verify steps numbered ``step``, then LISTO! with the receipt as ``step + 1``
        (their ids: :func:`closing_steps` of the wizard's PREFIX)."""
        yield from self.compose_verify_steps(self.PREFIX, step)
        with Vertical(id=self.DONE_STEP):
            yield StepTitle(step + 1, _("LISTO!"))
            yield from self.compose_done_step(self.PREFIX)

    def compose_pin_step(self, prefix: str) -> ComposeResult:
        yield PinEntry(prefix=prefix)
        yield Button(_("CONFIRMAR"), id=f"{prefix}pin-confirm", classes="pin-confirm", compact=True)
        restart = Button(
            _("VOLVER A EMPEZAR"), id=f"{prefix}restart", classes="pin-restart", compact=True
        )
        restart.display = False  # only once the operation is over
        yield restart

    def compose_done_step(self, prefix: str) -> ComposeResult:
        yield Static("", id=f"{prefix}done-text", classes="done-text", markup=False)
        with VerticalScroll(id=f"{prefix}receipt-box", classes="receipt-box", can_focus=False):
            yield Static("", id=f"{prefix}receipt", classes="receipt", markup=False)
        with Horizontal(classes="buttons"):
            save = Button(
                _("GUARDAR (F2)"), id=f"{prefix}save", classes="receipt-save", compact=True
            )
            # A kiosk keeps no files: the receipt is e-mailed.
            save.display = self.SAVES_RECEIPT and not self.kiosk_mode
            yield save
            yield Button(
                _("VOLVER AL INICIO"),
                id=f"{prefix}home",
                classes="receipt-home",
                variant="primary",
                compact=True,
            )

    def show_summary(self, lines: list[str], *, with_pin: bool = True) -> None:
        """VERIFIQUE Y CONFIRME: the operation in ``lines``, and the focus on CONFIRMAR."""
        if with_pin:
            lines = [
                *lines,
                "",
                _("Al CONFIRMAR le enviaremos un PIN DE VERIFICACIÓN a su correo."),
            ]
        summary = self.query_one(".operation-summary", Static)
        summary.update("\n".join(lines))
        step = summary.parent  # the step's one button is CONFIRMAR
        assert step is not None and step.id is not None
        self.go(step.id, focus=step.query_one(Button))

    def start_verified(self, request: Any, send: Callable[..., Awaitable[HasChallenge]]) -> None:
        """CONFIRMAR of an operation that always asks for the PIN: ``send(request)`` makes the
        server keep it waiting and e-mail the PIN, and the PIN step follows."""
        self.send_operation(request, send, lambda start: self.ask_pin(start.challenge))

    def start_payment(
        self, request: CardPaymentRequest | ExternalCardPaymentRequest | ServicePaymentRequest
    ) -> None:
        """CONFIRMAR of a payment."""
        self.start_verified(request, self.backend.start_payment)

    def show_receipt(self, operation: Transfer | Payment, text: str) -> None:
        """LISTO! of an operation whose receipt F2 saves as a file."""
        self.receipt_of = operation
        self.show_done(text, receipt_text(operation))

    def show_done(self, text: str, receipt: str) -> None:
        """LISTO!: what happened, the receipt, and the way home."""
        step = self.query_one(f"#{self.DONE_STEP}")
        step.query_one(".done-text", Static).update(text)
        step.query_one(".receipt", Static).update(receipt)
        self.go(self.DONE_STEP, focus=step.query_one(".receipt-home", Button))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_receipt":
            return self.SAVES_RECEIPT and bool(self.DONE_STEP) and self.step == self.DONE_STEP
        return True

    @on(Button.Pressed, ".receipt-save")
    def action_save_receipt(self) -> None:
        if self.receipt_of is None or self.step != self.DONE_STEP:
            return
        path = self.save_receipt(self.receipt_of)
        if path is not None:
            self.receipt_path = str(path)

    @on(Button.Pressed, ".receipt-home")
    def _receipt_home(self) -> None:
        self.leave()

    @on(Button.Pressed, ".pin-confirm")
    @on(Form.Submitted, "PinEntry")
    def _pin_pressed(self) -> None:
        self.submit_pin()

    @on(Button.Pressed, ".pin-restart")
    def _restart_pressed(self) -> None:
        self.restart()

    # --- the PIN -------------------------------------------------------------------------------

    @property
    def pin_entry(self) -> PinEntry:
        return self.query_one(PinEntry)

    def ask_pin(self, challenge: Challenge) -> None:
        self.challenge = challenge
        self._pin_send = None
        self.pin_entry.start(challenge)
        self.query_one(".pin-restart", Button).display = False
        self.query_one(".pin-confirm", Button).display = True
        self.go(self.PIN_STEP, focus=self.pin_entry.input)

    def submit_pin(self) -> None:
        challenge = self.challenge
        if challenge is None or not self.pin_entry.check():
            return
        pin = self.pin_entry.value
        # A new key for each PIN the member sends (the same wrong PIN typed twice is two
        # attempts); a retry of this send (lost answer, F5) reuses it, and so does CONFIRMAR
        # with the same PIN while the last send's outcome is unknown: with a new key the
        # server would answer "already confirmed" to a PIN that did confirm the operation.
        pending = self._pin_send
        if pending is not None and pending[:2] == (challenge.id, pin):
            key = pending[2]
        else:
            key = new_idempotency_key()
        self._pin_send = (challenge.id, pin, key)
        self.call_backend(
            lambda: self.backend.confirm(challenge, pin, idempotency_key=key),
            self._confirmed,
            on_error=self._pin_refused,
        )

    def _confirmed(self, result: ConfirmResult) -> None:
        self._pin_send = None
        self.keys.forget()
        self.confirmed(result)

    def confirmed(self, result: ConfirmResult) -> None:
        raise NotImplementedError

    def _pin_refused(self, error: BackendError) -> bool:
        self._pin_send = None  # an answer came: the next PIN sent is a new attempt
        if isinstance(error, LockedError):
            self.post_message(SessionEnded(error.message))
            return True
        if isinstance(error, ChallengeFailed):
            # Over for good: starting again must be a new operation, with a new key.
            self.keys.forget()
            self.pin_entry.over(error.message)
            self.query_one(".pin-confirm", Button).display = False
            restart = self.query_one(".pin-restart", Button)
            restart.display = True
            restart.focus()
            return True
        if error.field == "pin":
            self.pin_entry.wrong(error.message)
            self.pin_entry.input.focus()
            return True
        return self.refused(error)

    def restart(self) -> None:
        self.challenge = None
        self.go(self.RESTART_STEP)
        self.refresh_data()  # balances and limits may have changed meanwhile


class PaymentWizard(VerifiedWizard):
    """A payment (a credit card's or a service's): CONFIRMAR starts the request the steps
    before made, and LISTO! shows the payment's receipt."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request: (
            CardPaymentRequest | ExternalCardPaymentRequest | ServicePaymentRequest | None
        ) = None
        self.payment: Payment | None = None

    def submit(self) -> None:
        if self.request is not None:
            self.start_payment(self.request)

    def confirmed(self, result: ConfirmResult) -> None:
        payment = result.payment
        if payment is None:
            return
        self.payment = payment
        self.show_receipt(payment, with_emailed_receipt(self.done_text(payment)))

    def done_text(self, payment: Payment) -> str:
        """What LISTO! says happened."""
        return _("El pago fue realizado con éxito.")
