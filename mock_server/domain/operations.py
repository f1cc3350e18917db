"""The operation pipeline every money movement (and a new beneficiary) goes through:

    plan -> (PIN) -> execute -> receipt        (or cancel, when the PIN is not given)

An operation's kind is found in :data:`KINDS`, by what its PIN challenge confirms: transfers
(own accounts, internal to third parties, interbank: :mod:`.transfers`), payments (services,
cooperative cards, cards of other institutions: :mod:`.payments`) and beneficiaries
(:mod:`.beneficiaries`). Each kind plans a request, stores it ``pendiente_verificacion``,
executes it once its PIN is confirmed (checking again what its plan checked, and e-mailing the
receipt) and cancels it when the PIN expires, is wrong too often or the member is locked.

:func:`start` is the one way an operation that needs a PIN begins, :func:`confirm` the one way
its PIN is checked, :func:`cancel` the one way it ends unconfirmed. The PIN challenge itself is
:mod:`.pin`, below this module: it never knows what it confirms.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from mock_server.domain import beneficiaries, clearing, loans, payments, pin, polizas, transfers
from mock_server.domain.clock import Clock
from mock_server.domain.errors import Conflict, DomainError, Locked, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.pin_limits import PinLimits
from mock_server.domain.security import PasswordChecker
from mock_server.i18n import _
from mock_server.store import Connection, Row, write_transaction
from sjvirtual_tui.models import (
    Challenge,
    ChallengePurpose,
    ConfirmRequest,
    ConfirmResult,
    LoanPaymentStart,
    PaymentStart,
    PolizaRequest,
    PolizaStart,
    TransferKind,
    TransferRequest,
    TransferStart,
)


class Kind(Protocol):
    """One kind of operation: its steps in the pipeline."""

    purpose: ChallengePurpose

    def confirm(
        self, conn: Connection, member: CurrentMember, challenge: Row, now: datetime
    ) -> ConfirmResult:
        """Executes the operation of a confirmed challenge (checks again, moves, receipt)."""
        ...

    def cancel(self, conn: Connection, challenge: Row, reason: str) -> None:
        """The operation of a challenge that was not confirmed is cancelada."""
        ...


@dataclass  # not frozen: Kind.purpose is a plain attribute
class _Operation:
    """A kind of the pipeline: the challenge's column that names its operation, how the
    operation executes once confirmed and how it ends unconfirmed."""

    purpose: ChallengePurpose
    column: str  # of the challenge: transfer_id, payment_id, payload
    result: str  # the field of ConfirmResult that carries what was executed
    run: Callable[[Connection, CurrentMember, Any, datetime], Any]  # executes it, confirmed
    # None: nothing is stored before the PIN (the challenge's payload was the whole request).
    drop: Callable[[Connection, Any, str], None] | None

    def confirm(
        self, conn: Connection, member: CurrentMember, challenge: Row, now: datetime
    ) -> ConfirmResult:
        executed = self.run(conn, member, challenge[self.column], now)
        return ConfirmResult(purpose=self.purpose, **{self.result: executed})

    def cancel(self, conn: Connection, challenge: Row, reason: str) -> None:
        if self.drop is not None:
            self.drop(conn, challenge[self.column], reason)


_P = TypeVar(
    "_P",
    transfers.TransferPlan,
    payments.PaymentPlan,
    polizas.PolizaPlan,
    loans.LoanPaymentPlan,
)
_M = TypeVar("_M")

KINDS: dict[ChallengePurpose, Kind] = {
    kind.purpose: kind
    for kind in (
        _Operation(
            ChallengePurpose.TRANSFER,
            column="transfer_id",
            result="transfer",
            run=transfers.confirm_transfer,
            drop=transfers.cancel_transfer,
        ),
        _Operation(
            ChallengePurpose.PAYMENT,
            column="payment_id",
            result="payment",
            run=payments.confirm_payment,
            drop=payments.cancel_payment,
        ),
        _Operation(
            ChallengePurpose.BENEFICIARY,
            column="payload",
            result="beneficiary",
            run=beneficiaries.confirm_beneficiary,
            drop=None,
        ),
        # --- polizas (issue 17) ---
        _Operation(
            ChallengePurpose.POLIZA,
            column="poliza_id",
            result="poliza",
            run=polizas.confirm_poliza,
            drop=polizas.cancel_poliza,
        ),
        # --- loans (issue 17) ---
        _Operation(
            ChallengePurpose.LOAN_PAYMENT,
            column="loan_payment_id",
            result="loan_payment",
            run=loans.confirm_loan_payment,
            drop=loans.cancel_loan_payment,
        ),
    )
}


# --- start --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    """An operation stored ``pendiente_verificacion`` and the challenge that confirms it."""

    operation_id: int
    challenge: Challenge


def start(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    now: datetime,
    *,
    member: CurrentMember,
    purpose: ChallengePurpose,
    amount_cents: int,
    payee: str | None,
    confirms: Callable[[], str],
    insert: Callable[[], int],
    limits: PinLimits,
) -> Started:
    """The one start of an operation that needs a PIN (inside the write transaction): the
    checked plan is stored (``insert``) and a challenge bound to its amount and payee (the
    PIN binding) is stored and e-mailed; ``confirms`` says what the PIN confirms."""
    assert payee is not None
    # Admitted before the operation is stored: a refusal then leaves no id taken (PostgreSQL's
    # sequences do not give back the id of a row rolled back).
    pin.admit(conn, member.id, now, limits)
    operation_id = insert()
    challenge = pin.store(
        conn,
        passwords,
        prepared,
        now,
        member_id=member.id,
        purpose=purpose,
        amount_cents=amount_cents,
        payee=payee,
        confirms=confirms,
        transfer_id=operation_id if purpose is ChallengePurpose.TRANSFER else None,
        payment_id=operation_id if purpose is ChallengePurpose.PAYMENT else None,
        poliza_id=operation_id if purpose is ChallengePurpose.POLIZA else None,
        limits=limits,
        admitted=True,
        loan_payment_id=operation_id if purpose is ChallengePurpose.LOAN_PAYMENT else None,
    )
    return Started(operation_id, challenge)


def prepare(
    passwords: PasswordChecker, binding: Callable[[], tuple[int, str | None]]
) -> pin.PreparedPin | None:
    """The PIN's argon2 hash, made before the write transaction for a request that can
    succeed (None for one that cannot: the start refuses it again, inside, with the key).
    ``binding``: plans the request, answers its (amount, payee)."""
    try:
        amount_cents, payee = binding()
    except DomainError:
        return None
    assert payee is not None
    return pin.prepare(passwords, amount_cents, payee)


def _binding(
    plan: transfers.TransferPlan
    | payments.PaymentPlan
    | polizas.PolizaPlan
    | loans.LoanPaymentPlan,
) -> tuple[int, str | None]:
    return plan.amount_cents, plan.payee


def _start_plan(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    now: datetime,
    member: CurrentMember,
    plan: _P,
    purpose: ChallengePurpose,
    limits: PinLimits,
    *,
    insert: Callable[[Connection, CurrentMember, _P, datetime], int],
    get: Callable[[Connection, CurrentMember, int], _M],
) -> tuple[_M, Challenge]:
    """:func:`start` for a checked plan (the PIN bound to its amount and payee): the stored
    operation, as the member sees it, and its challenge."""
    started = start(
        conn,
        passwords,
        prepared,
        now,
        member=member,
        purpose=purpose,
        amount_cents=plan.amount_cents,
        payee=plan.payee,
        confirms=plan.confirms,
        insert=lambda: insert(conn, member, plan, now),
        limits=limits,
    )
    return get(conn, member, started.operation_id), started.challenge


def prepare_transfer(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    now: datetime,
    body: TransferRequest,
) -> pin.PreparedPin | None:
    return prepare(passwords, lambda: _binding(transfers.plan_transfer(conn, member, now, body)))


def start_transfer(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    member: CurrentMember,
    now: datetime,
    body: TransferRequest,
    limits: PinLimits,
) -> TransferStart:
    """POST /transfers (inside the write transaction): propias are executed at once; the
    others are stored pendiente_verificacion with a PIN challenge."""
    plan = transfers.plan_transfer(conn, member, now, body)
    if body.kind is TransferKind.PROPIAS:
        return TransferStart(transfer=transfers.execute_propias(conn, member, plan, now))
    transfer, challenge = _start_plan(
        conn,
        passwords,
        prepared,
        now,
        member,
        plan,
        ChallengePurpose.TRANSFER,
        limits,
        insert=transfers.insert_transfer,
        get=transfers.get_transfer,
    )
    return TransferStart(transfer=transfer, challenge=challenge)


def prepare_payment(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    now: datetime,
    body: payments.PaymentBody,
) -> pin.PreparedPin | None:
    return prepare(passwords, lambda: _binding(payments.plan_payment(conn, member, now, body)))


def start_payment(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    member: CurrentMember,
    now: datetime,
    body: payments.PaymentBody,
    limits: PinLimits,
) -> PaymentStart:
    """POST /payments (inside the write transaction): stored pendiente_verificacion with a
    PIN challenge."""
    plan = payments.plan_payment(conn, member, now, body)
    payment, challenge = _start_plan(
        conn,
        passwords,
        prepared,
        now,
        member,
        plan,
        ChallengePurpose.PAYMENT,
        limits,
        insert=payments.insert_payment,
        get=payments.get_payment,
    )
    return PaymentStart(payment=payment, challenge=challenge)


# --- loans (issue 17) ---


def prepare_loan_payment(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    now: datetime,
    body: loans.LoanPaymentBody,
) -> pin.PreparedPin | None:
    return prepare(passwords, lambda: _binding(loans.plan_loan_payment(conn, member, now, body)))


def start_loan_payment(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    member: CurrentMember,
    now: datetime,
    body: loans.LoanPaymentBody,
    limits: PinLimits,
) -> LoanPaymentStart:
    """POST /loans/{id}/payments (inside the write transaction): stored
    pendiente_verificacion, with what it covers, and a PIN challenge."""
    plan = loans.plan_loan_payment(conn, member, now, body)
    payment, challenge = _start_plan(
        conn,
        passwords,
        prepared,
        now,
        member,
        plan,
        ChallengePurpose.LOAN_PAYMENT,
        limits,
        insert=loans.insert_loan_payment,
        get=loans.get_loan_payment,
    )
    return LoanPaymentStart(loan_payment=payment, challenge=challenge)


# --- confirm ------------------------------------------------------------------------------------


def verify_before(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    challenge_id: str,
    body: ConfirmRequest,
    now: datetime,
) -> bool | None:
    """The argon2 check of the PIN, made before the write transaction (the write lock must
    not wait for it): None when the challenge is not open (the confirmation then answers why)."""
    before = pin.load(conn, member.id, challenge_id)
    if before is None or before["status"] != "pendiente" or pin.is_expired(before, now):
        return None
    return pin.verify(passwords, before, body)


def member_keys(member: CurrentMember) -> list[Hashable]:
    """The write transaction's keys (``write_transaction``) of starting an operation that awaits
    its PIN, and of confirming a transfer: what they read to decide and write is the member's
    own (PIN counters and lockout, daily limits, pending operations and challenges, all under
    this key), or rows they lock (the accounts, ``FOR NO KEY UPDATE``; the settlement account,
    by the UPDATE of its balance). So members' operations run side by side on PostgreSQL, and one
    member's queue. Anything else (payments' confirmation: bills and cards are shared by
    members) takes the plain write transaction, which waits for all of these."""
    return [("member", member.id)]


def confirm_keys(
    conn: Connection, member: CurrentMember, challenge_id: str
) -> list[Hashable] | None:
    """The keys of confirming this challenge: a transfer's are the member's
    (:func:`member_keys`); any other runs alone (None)."""
    row = pin.load(conn, member.id, challenge_id)
    if row is not None and ChallengePurpose(row["purpose"]) is ChallengePurpose.TRANSFER:
        return member_keys(member)
    return None


def confirm(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    challenge_id: str,
    body: ConfirmRequest,
    now: datetime,
    verified: bool | None,
) -> ConfirmResult | DomainError:
    """CONFIRMAR (inside the write transaction): the operation of a challenge whose PIN is
    right is executed. Wrong PINs, expiry and the lock are refusals that keep a change (the
    count, the cancellation): they are returned, not raised, so that they commit."""
    row = pin.load(conn, member.id, challenge_id)
    if row is None:
        raise NotFound("not_found", _(pin.NOT_FOUND_MESSAGE))
    if row["status"] == "usado":
        raise Conflict("challenge_used", _(pin.USED_MESSAGE))
    if row["status"] == "caducado":
        raise Conflict("challenge_expired", _(pin.EXPIRED_MESSAGE))
    if row["status"] == "cancelado":
        raise Conflict("challenge_cancelled", _(pin.CLOSED_MESSAGE))
    if pin.is_expired(row, now):
        expire(conn, row["id"], now)
        return Conflict("challenge_expired", _(pin.EXPIRED_MESSAGE))
    # Verified before while the challenge was already open; it is still open, and its hash
    # never changes. (Only a clock set back could leave it unverified.)
    ok = verified if verified is not None else pin.verify(passwords, row, body)
    if not ok:
        refusal, closed = pin.wrong_pin(conn, row, now)
        # The lockout by PIN cancels every operation awaiting one; the third wrong PIN of an
        # operation cancels that one.
        reason = pin.LOCKED_REASON if isinstance(refusal, Locked) else pin.CANCELLED_REASON
        for challenge in closed:
            cancel(conn, challenge, reason)
        return refusal
    result = KINDS[ChallengePurpose(row["purpose"])].confirm(conn, member, row, now)
    pin.mark_used(conn, row, now)
    return result


# --- cancel and expire --------------------------------------------------------------------------


def cancel(conn: Connection, challenge: Row, reason: str) -> None:
    """The operation of a challenge that was not confirmed is cancelada (``reason``: stored,
    shown translated: :mod:`mock_server.domain.reasons`)."""
    KINDS[ChallengePurpose(challenge["purpose"])].cancel(conn, challenge, reason)


def expire(conn: Connection, challenge_id: str, now: datetime) -> None:
    """A pending challenge past its time is caducado, its operation cancelada."""
    closed = pin.expire(conn, challenge_id, now)
    if closed is not None:
        cancel(conn, closed, pin.EXPIRED_REASON)


def expire_due(conn: Connection, now: datetime) -> int:
    """Expires every pending challenge past its time (one transaction); returns how many."""
    due = pin.due(conn, now)
    if not due:
        return 0
    with write_transaction(conn):
        for challenge_id in due:
            expire(conn, challenge_id, now)
    return len(due)


def catch_up(conn: Connection, clock: Clock, delay_seconds: int) -> None:
    """What is due before a read: settlements, and PINs that expired unused (asked first in
    one read: most requests find nothing due)."""
    if not anything_due(conn, clock.now(), delay_seconds):
        return
    clearing.settle_due(conn, clock, delay_seconds)
    expire_due(conn, clock.now())


def anything_due(conn: Connection, now: datetime, delay_seconds: int) -> bool:
    """Whether :func:`catch_up` has work: one read of two indexes, no write."""
    return clearing.anything_due(conn, now, delay_seconds)


# --- polizas (issue 17) -------------------------------------------------------------------------


def prepare_poliza(
    conn: Connection,
    passwords: PasswordChecker,
    member: CurrentMember,
    now: datetime,
    body: PolizaRequest,
) -> pin.PreparedPin | None:
    return prepare(passwords, lambda: _binding(polizas.plan_poliza(conn, member, now, body)))


def start_poliza(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: pin.PreparedPin | None,
    member: CurrentMember,
    now: datetime,
    body: PolizaRequest,
    limits: PinLimits,
) -> PolizaStart:
    """POST /polizas (inside the write transaction): stored pendiente_verificacion with a PIN
    challenge; the confirmation opens it (the capital moves to "Depósitos a plazo")."""
    plan = polizas.plan_poliza(conn, member, now, body)
    poliza, challenge = _start_plan(
        conn,
        passwords,
        prepared,
        now,
        member,
        plan,
        ChallengePurpose.POLIZA,
        limits,
        insert=polizas.insert_poliza,
        get=polizas.get_poliza,
    )
    return PolizaStart(poliza=poliza, challenge=challenge)
