"""The PIN DE VERIFICACIÓN: a one-time 4-digit code bound to one operation's amount and payee.

A challenge is prepared *before* the write transaction (:func:`prepare`: the argon2id hash is
slow, and the SQLite write lock must not wait for it) and stored inside it (:func:`store`),
which also e-mails the PIN. The PIN itself is never stored, logged or returned: only the hash of
``pin|challenge id|amount_cents|payee``, so it confirms that operation and nothing else.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mock_server.domain import mail, reasons
from mock_server.domain.errors import Conflict, DomainError, Invalid, Locked, TooMany
from mock_server.domain.lockout import lock_member
from mock_server.domain.pin_limits import DEFAULT_PIN_LIMITS, PinLimits
from mock_server.domain.security import PasswordChecker
from mock_server.domain.text import mask_email
from mock_server.i18n import N_, _, ngettext
from mock_server.store import Connection, Row, challenges, contacts
from mock_server.store.timestamps import from_db
from sjvirtual_tui.models import Challenge, ChallengePurpose, ConfirmRequest

PIN_TTL = timedelta(minutes=5)
# Wrong PINs that cancel one operation.
PIN_ATTEMPTS = 3
# Wrong PINs in a row, over all the member's operations, that lock the member: only a right
# PIN starts the count over (a new operation does not), so a guesser holding the password gets
# 5 guesses of 10,000, not 2 per operation for ever. Counted in members.pin_failures (the
# database: every worker process shares it).
MAX_WRONG_IN_A_ROW = 5
# What may be on the way (operations awaiting a PIN, PIN e-mails): mock_server.domain.pin_limits.

# Messages are N_() msgids: raise them as _(MESSAGE), in the request's language.
NOT_FOUND_MESSAGE = N_("No encontramos esa operación. Vuelva a empezarla.")
USED_MESSAGE = N_("Esta operación ya fue confirmada con su PIN.")
EXPIRED_MESSAGE = N_(
    "El PIN de verificación caducó (valía 5 minutos) y la operación se canceló. Vuelva a "
    "empezarla para recibir un PIN nuevo."
)
CANCELLED_MESSAGE = N_(
    "El PIN se ingresó mal 3 veces y la operación se canceló. Vuelva a empezarla para recibir "
    "un PIN nuevo."
)
# The wrong PIN that locked the member (423 to the session that typed it).
LOCKED_MESSAGE = N_(
    "PIN de verificación incorrecto 5 veces seguidas: su usuario se bloqueó. Le enviamos un "
    "correo que explica cómo desbloquearlo."
)


def too_many_pending_message(count: int) -> str:
    return ngettext(
        "Tiene {count} operación esperando su PIN de verificación. Confírmela con el PIN que le "
        "enviamos por correo, o espere a que caduque, antes de empezar otra.",
        "Tiene {count} operaciones esperando su PIN de verificación. Confírmelas con el PIN que "
        "le enviamos por correo, o espere a que caduquen, antes de empezar otra.",
        count,
    ).format(count=count)


def too_many_mails_message(count: int, minutes: int) -> str:
    # "PIN" does not change in the plural; the minutes do.
    return ngettext(
        "Le enviamos ya {count} PIN de verificación en {minutes} minuto; por su seguridad no "
        "enviamos más por ahora.",
        "Le enviamos ya {count} PIN de verificación en {minutes} minutos; por su seguridad no "
        "enviamos más por ahora.",
        minutes,
    ).format(count=count, minutes=minutes)


# A challenge cancelled before (wrong PINs, or its beneficiary deleted), confirmed again.
CLOSED_MESSAGE = N_("Esta operación fue cancelada. Vuelva a empezarla para recibir un PIN nuevo.")
# Stored with the cancelled operation (and shown translated: mock_server.domain.reasons).
EXPIRED_REASON = reasons.PIN_EXPIRED
CANCELLED_REASON = reasons.PIN_CANCELLED
LOCKED_REASON = reasons.PIN_LOCKED


def new_pin() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def _material(pin: str, challenge_id: str, amount_cents: int | None, payee: str) -> str:
    amount = "" if amount_cents is None else str(amount_cents)
    return f"{pin}|{challenge_id}|{amount}|{payee}"


@dataclass(frozen=True)
class PreparedPin:
    """A challenge's id, PIN and hash, made before the transaction that stores them."""

    challenge_id: str
    pin: str
    amount_cents: int | None
    payee: str
    pin_hash: str

    def fits(self, amount_cents: int | None, payee: str) -> bool:
        return self.amount_cents == amount_cents and self.payee == payee


def prepare(passwords: PasswordChecker, amount_cents: int | None, payee: str) -> PreparedPin:
    challenge_id = secrets.token_urlsafe(18)  # 144 bits, 24 characters
    pin = new_pin()
    return PreparedPin(
        challenge_id=challenge_id,
        pin=pin,
        amount_cents=amount_cents,
        payee=payee,
        pin_hash=passwords.hash(_material(pin, challenge_id, amount_cents, payee)),
    )


def store(
    conn: Connection,
    passwords: PasswordChecker,
    prepared: PreparedPin | None,
    now: datetime,
    *,
    member_id: int,
    purpose: ChallengePurpose,
    amount_cents: int | None,
    payee: str,
    confirms: Callable[[], str],
    payload: str | None = None,
    transfer_id: int | None = None,
    payment_id: int | None = None,
    poliza_id: int | None = None,
    limits: PinLimits = DEFAULT_PIN_LIMITS,
    admitted: bool = False,
    loan_payment_id: int | None = None,
) -> Challenge:
    """Stores a challenge (inside the caller's transaction) and e-mails its PIN.

    ``prepared`` is used when it was made for this amount and payee; otherwise (the data
    changed while it was hashed) a new one is made here. ``confirms`` writes what the PIN
    confirms; it is called in the member's language, the e-mail's.
    """
    if not admitted:  # the caller may have called admit() itself, in this transaction
        admit(conn, member_id, now, limits)
    if prepared is None or not prepared.fits(amount_cents, payee):
        prepared = prepare(passwords, amount_cents, payee)
    expires_at = now + PIN_TTL
    challenges.insert(
        conn,
        {
            "id": prepared.challenge_id,
            "member_id": member_id,
            "purpose": purpose.value,
            "amount_cents": amount_cents,
            "payee": payee,
            "pin_hash": prepared.pin_hash,
            "payload": payload,
            "transfer_id": transfer_id,
            "payment_id": payment_id,
            "poliza_id": poliza_id,
            "loan_payment_id": loan_payment_id,
            "attempts_left": PIN_ATTEMPTS,
        },
        now,
        expires_at,
    )
    member = contacts.of_member(conn, member_id)
    with mail.writing_to(conn, member_id, member["language"]):
        mail.verification_pin(
            conn,
            now,
            to=member["email"],
            member_id=member_id,
            name=member["full_name"],
            pin=prepared.pin,
            confirms=confirms(),
            expires_at=expires_at,
            language=member["language"],
        )
    return Challenge(
        id=prepared.challenge_id,
        purpose=purpose,
        amount_cents=amount_cents,
        payee=payee,
        sent_to=mask_email(member["email"]),
        expires_at=expires_at,
        attempts_left=PIN_ATTEMPTS,
    )


def _retry_later(
    kind: type[Conflict | TooMany], code: str, refusal: str, wait: timedelta
) -> DomainError:
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes = math.ceil(seconds / 60)
    # When the member may try again (Retry-After says the same in seconds).
    retry = ngettext(
        "Podrá intentarlo de nuevo en {minutes} minuto.",
        "Podrá intentarlo de nuevo en {minutes} minutos.",
        minutes,
    ).format(minutes=minutes)
    return kind(code, f"{refusal} {retry}", retry_after=seconds)


def admit(
    conn: Connection,
    member_id: int,
    now: datetime,
    limits: PinLimits = DEFAULT_PIN_LIMITS,
) -> None:
    """Refuses a new challenge (inside the caller's write transaction, before it is stored):
    Conflict with ``max_pending`` operations of the member awaiting their PIN, TooMany past
    the PIN e-mails of the window; both say when to try again (``retry_after``) and are not
    kept with the key. Counted in the database: every worker process sees the same."""
    count, first = challenges.pending_open(conn, member_id, now)
    if count >= limits.max_pending:
        assert first is not None
        refusal = too_many_pending_message(count)
        raise _retry_later(Conflict, "too_many_pending", refusal, first - now)
    sent = challenges.sent_since(conn, member_id, now - limits.mail_window, limits.mails)
    if len(sent) >= limits.mails:
        # the oldest of the last ``mails`` leaves the window first
        wait = sent[-1] + limits.mail_window - now
        window = round(limits.mail_window.total_seconds() / 60)
        refusal = too_many_mails_message(limits.mails, window)
        raise _retry_later(TooMany, "too_many_pins", refusal, wait)


def load(conn: Connection, member_id: int, challenge_id: str) -> Row | None:
    """The member's challenge (another member's is None, like an unknown id)."""
    return challenges.of_member(conn, member_id, challenge_id)


def is_expired(row: Row, now: datetime) -> bool:
    return now >= from_db(row["expires_at"])


def verify(passwords: PasswordChecker, row: Row, body: ConfirmRequest) -> bool:
    """Whether ``body`` is this challenge's PIN with its exact amount and payee echoed."""
    if body.amount_cents != row["amount_cents"] or body.payee != row["payee"]:
        return False  # a tampered echo fails like a wrong PIN (and needs no argon2)
    return passwords.verify(
        row["pin_hash"], _material(body.pin, row["id"], row["amount_cents"], row["payee"])
    )


def expire(conn: Connection, challenge_id: str, now: datetime) -> Row | None:
    """Marks a pending challenge caducado (expiry is not counted as a wrong PIN); returns it,
    for its operation to be cancelled (:mod:`mock_server.domain.operations`), or None when it
    was no longer pending."""
    row = challenges.pending(conn, challenge_id)
    if row is None:
        return None
    challenges.close(conn, challenge_id, "caducado", now)
    return row


def due(conn: Connection, now: datetime) -> list[str]:
    """The ids of the pending challenges past their time."""
    return challenges.due(conn, now)


def wrong_pin(conn: Connection, row: Row, now: datetime) -> tuple[DomainError, list[Row]]:
    """Counts a wrong PIN (inside the caller's transaction): the refusal to answer, and the
    challenges it closed (their operations are cancelled by the caller).

    The lockout by PIN: the member's fifth wrong PIN in a row, in any operations, locks the
    member (Locked); otherwise the operation's third cancels it (Conflict); otherwise
    Invalid with the tries left before either.
    """
    member_id = row["member_id"]
    wrong = challenges.count_wrong_pin(conn, member_id)
    left = row["attempts_left"] - 1
    if wrong >= MAX_WRONG_IN_A_ROW:
        # The lock closes every challenge awaiting a PIN, this one too, before its tries are
        # written down: a pending challenge with none left breaks the table's CHECK (the
        # member's fifth wrong PIN can also be the operation's third).
        closed = lock_by_pin(conn, member_id, now, wrong)
        challenges.set_attempts_left(conn, row["id"], max(left, 0))
        return Locked("locked", _(LOCKED_MESSAGE)), closed
    if left > 0:
        challenges.set_attempts_left(conn, row["id"], left)
        before_lock = MAX_WRONG_IN_A_ROW - wrong
        if before_lock <= left:
            message = ngettext(
                "El PIN de verificación no es correcto. Le queda {left} intento antes de que "
                "su usuario se bloquee.",
                "El PIN de verificación no es correcto. Le quedan {left} intentos antes de que "
                "su usuario se bloquee.",
                before_lock,
            ).format(left=before_lock)
        else:
            message = ngettext(
                "El PIN de verificación no es correcto. Le queda {left} intento.",
                "El PIN de verificación no es correcto. Le quedan {left} intentos.",
                left,
            ).format(left=left)
        return Invalid("pin_incorrect", message, "pin"), []
    challenges.close(conn, row["id"], "cancelado", now, attempts_left=0)
    return Conflict("challenge_cancelled", _(CANCELLED_MESSAGE), "pin"), [row]


def lock_by_pin(conn: Connection, member_id: int, now: datetime, wrong: int) -> list[Row]:
    """Locks the member (sessions ended), closes every challenge awaiting its PIN, and tells
    the member by e-mail (inside the caller's transaction). Returns the closed challenges."""
    lock_member(conn, member_id, now)
    pending = challenges.pending_of_member(conn, member_id)
    for challenge in pending:
        challenges.close(conn, challenge["id"], "cancelado", now)
    member = contacts.of_member(conn, member_id)
    mail.locked_by_pin(
        conn, now, to=member["email"], member_id=member_id, name=member["full_name"], wrong=wrong
    )
    return pending


def mark_used(conn: Connection, row: Row, now: datetime) -> None:
    """The operation is confirmed: the challenge is spent and the wrong-PIN count starts over."""
    challenges.close(conn, row["id"], "usado", now)
    challenges.reset_wrong_pins(conn, row["member_id"])
