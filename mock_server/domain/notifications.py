"""AVISOS: the member's inbox of what the bank told them (issue 17).

One event record per notice (:mod:`mock_server.store.notifications`): an e-mail of the outbox is
written from one (:func:`mock_server.domain.mail.send`, in the same transaction), and a notice
without an e-mail (a transfer received, a failed login) is one too. The inbox lists a member's
events newest first, counts the unread ones and marks them read; an e-mail that carries a code
or a PIN stays out of it (:data:`mock_server.domain.mail.SECRET_KINDS`).

Other areas tell a member something with :func:`notify` (debit cards: ``CARD_BLOCKED``; loans:
``INSTALMENT_DUE``), inside their own write transaction.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, timedelta

from mock_server.domain import mail
from mock_server.domain.errors import NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.money import money
from mock_server.domain.text import invalid
from mock_server.i18n import N_, _
from mock_server.store import Connection
from mock_server.store import notifications as store
from sjvirtual_tui.models import Notification, NotificationPage, NotificationsRead
from sjvirtual_tui.rules import ECUADOR_TZ

# The kinds of notice besides the e-mails' (mail.TRANSFER_OUT, mail.PAYMENT, mail.NEW_TERMINAL...).
TRANSFER_IN = "transfer_in"
FAILED_LOGIN = "failed_login"
CARD_BLOCKED = "card_blocked"
INSTALMENT_DUE = "instalment_due"
TRANSFER_OUT = mail.TRANSFER_OUT
PAYMENT = mail.PAYMENT
NEW_TERMINAL = mail.NEW_TERMINAL

NOTIFICATION_NOT_FOUND_MESSAGE = N_("Aviso no encontrado.")
BAD_CURSOR_MESSAGE = N_("cursor: no es uno de los que dio esta lista. Pida la primera página.")

_KIND = re.compile(r"[a-z_]{1,40}")


def notify(
    conn: Connection,
    member_id: int,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    *,
    email: bool = False,
) -> int:
    """Tells the member something (inside the caller's write transaction); returns the event's id.

    ``title`` and ``body`` are shown as given: write them in the member's language, inside
    ``with mail.writing_to(conn, member_id):``. ``email``: also e-mail it (greeting and
    signature added), written from the same event.
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(f"a kind of notice is a-z and _: {kind!r}")
    if email:
        return mail.letter(conn, now, member_id, kind, title, body)
    return mail.record_event(conn, now, member_id=member_id, kind=kind, title=title, body=body)


# --- the notices the server makes without an e-mail -----------------------------------------


def transfer_received(
    conn: Connection,
    now: datetime,
    *,
    to_account_id: int,
    to_number: str,
    sender_id: int,
    payer: str,
    reference: str,
    amount_cents: int,
    description: str,
) -> int | None:
    """A transfer between socios credited ``to_account_id``: a notice to its holder's user
    (none when the holder has no user of S.J. Virtual, or is the sender). No e-mail: the
    cooperative e-mails the receipt to whoever sent the money, not to whoever got it."""
    receiver = store.member_of_account(conn, to_account_id)
    if receiver is None or receiver == sender_id:
        return None
    with mail.writing_to(conn, receiver):
        title = _("Transferencia recibida {reference}").format(reference=reference)
        body = _(
            "Recibió {amount} de {payer} en su cuenta {number} el {when}.\nDescripción: {text}"
        ).format(
            amount=money(amount_cents),
            payer=payer,
            number=to_number,
            when=mail.when_text(now),
            text=description,
        )
        return notify(conn, receiver, TRANSFER_IN, title, body, now)


def failed_login(conn: Connection, now: datetime, member_id: int, username: str) -> int:
    """A wrong password for the member's username (unknown usernames tell nobody)."""
    with mail.writing_to(conn, member_id):
        title = _("Intento de ingreso fallido")
        body = _(
            "El {when} alguien intentó ingresar con su usuario {username} y una contraseña "
            "incorrecta. Si no fue usted, cambie su contraseña; tras 5 intentos fallidos "
            "seguidos su usuario se bloquea."
        ).format(when=mail.when_text(now), username=username)
        return notify(conn, member_id, FAILED_LOGIN, title, body, now)


# Issue 17: "instalment due in 3 days".
INSTALMENT_NOTICE_DAYS = 3


def instalments_falling_due(conn: Connection, now: datetime, member_id: int) -> int | None:
    """At a member's login: one notice of the loan instalments falling due in the next
    :data:`INSTALMENT_NOTICE_DAYS` days (today included), unless every one of them was told
    already (a notice of this kind written on or after the day its window opened). Returns
    the event's id, or None when there is nothing new to tell. Overdue instalments are not
    told here: PRÉSTAMOS shows them and their mora."""
    today = now.astimezone(ECUADOR_TZ).date()
    due = store.instalments_falling_due(
        conn, member_id, today, today + timedelta(days=INSTALMENT_NOTICE_DAYS)
    )
    if not due:
        return None
    told = store.last_of_kind(conn, member_id, INSTALMENT_DUE)
    told_on = told.astimezone(ECUADOR_TZ).date() if told is not None else None
    windows = [date_of(row["due_date"]) - timedelta(days=INSTALMENT_NOTICE_DAYS) for row in due]
    if told_on is not None and all(told_on >= opened for opened in windows):
        return None
    with mail.writing_to(conn, member_id):
        title = _("Cuota por vencer")
        lines = [
            _("Cuota {number} de su crédito N.º {loan}: {amount}, vence el {day}.").format(
                number=row["number"],
                loan=row["loan_id"],
                amount=money(row["owed_cents"]),
                day=date_of(row["due_date"]).strftime("%d/%m/%Y"),
            )
            for row in due
        ]
        body = "\n".join(
            [
                *lines,
                _(
                    "Puede pagarla en PRÉSTAMOS (P) desde una de sus cuentas; desde el día "
                    "siguiente al vencimiento se cobra interés de mora."
                ),
            ]
        )
        return notify(conn, member_id, INSTALMENT_DUE, title, body, now)


def date_of(text: str) -> date:
    return date.fromisoformat(text)


# --- the inbox ----------------------------------------------------------------------------------


def _model(row: store.Notification) -> Notification:
    return Notification(
        id=row.id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        read_at=row.read_at,
    )


def encode_cursor(notification_id: int) -> str:
    return base64.urlsafe_b64encode(f"n{notification_id}".encode("ascii")).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a page continues before; 422 for a cursor this list did not give."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not re.fullmatch(r"n[1-9][0-9]{0,17}", raw):
        raise invalid("cursor", _(BAD_CURSOR_MESSAGE))
    return int(raw[1:])


def inbox(
    conn: Connection, member: CurrentMember, *, limit: int, cursor: str | None
) -> NotificationPage:
    """A page of the member's inbox, newest first, with its counts."""
    before = decode_cursor(cursor) if cursor else None
    rows = store.page(conn, member.id, limit + 1, before)
    more = len(rows) > limit
    rows = rows[:limit]
    total, unread = store.counts(conn, member.id)
    return NotificationPage(
        total=total,
        unread=unread,
        items=[_model(row) for row in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


def mark_read(
    conn: Connection, member: CurrentMember, notification_id: int, now: datetime
) -> NotificationsRead:
    """Marks one of the member's notices read (again: no change); another's is 404."""
    if store.of_member(conn, member.id, notification_id) is None:
        raise NotFound("not_found", _(NOTIFICATION_NOT_FOUND_MESSAGE))
    store.mark_read(conn, member.id, notification_id, now)
    return NotificationsRead(unread=store.counts(conn, member.id)[1])


def mark_all_read(conn: Connection, member: CurrentMember, now: datetime) -> NotificationsRead:
    store.mark_all_read(conn, member.id, now)
    return NotificationsRead(unread=0)
