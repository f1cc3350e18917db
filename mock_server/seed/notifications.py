"""The demo member's inbox (AVISOS, issue 17): a few notices of the seeded history, some unread.

The transfers' notices name real movements of the demo's accounts (their references, amounts
and days), so the inbox and the estado de cuenta agree. Written in Spanish, the demo's language
(as its e-mails would have been). No e-mail rows: the seed's history sent none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.domain import mail, notifications
from mock_server.domain.money import money
from mock_server.i18n import DEFAULT_LANGUAGE, _, use_language
from mock_server.seed.books import Books, MovementRow
from mock_server.seed.members import MEMBERS
from mock_server.store.meta import from_db, to_db

DEMO = "demo"


def _last(movements: list[MovementRow], prefix: str, count: int) -> list[MovementRow]:
    found = [row for row in movements if row.description.startswith(prefix)]
    return sorted(found, key=lambda row: row.seq)[-count:]


def notification_rows(
    now: datetime, member_ids: dict[str, int], books: Books
) -> list[dict[str, object]]:
    """The demo member's notices, oldest first (ids in that order): 3 unread, 2 read."""
    member = next(m for m in MEMBERS if m.username == DEMO)
    account_ids = {books.account_ids[account.number]: account.number for account in member.accounts}
    own = [row for row in books.movements if row.account_id in account_ids]
    rows: list[dict[str, object]] = []

    def add(kind: str, title: str, body: str, at: datetime, read: bool) -> None:
        rows.append(
            {
                "member_id": member_ids[DEMO],
                "kind": kind,
                "title": title,
                "body": body,
                "in_inbox": 1,
                "created_at": to_db(at),
                "read_at": to_db(at + timedelta(hours=1)) if read else None,
            }
        )

    with use_language(DEFAULT_LANGUAGE):
        terminal_at = now - timedelta(days=10)
        add(
            mail.NEW_TERMINAL,
            _("Nuevo ingreso desde un terminal nuevo"),
            _(
                "Su usuario {username} ingresó a SAN JOSÉ S.J. VIRTUAL desde un terminal "
                "nuevo el {when} (hora de Ecuador)."
            ).format(username=DEMO, when=mail.when_text(terminal_at)),
            terminal_at,
            read=True,
        )
        for row in _last(own, "Transferencia enviada", 1):
            at = from_db(row.posted_at)
            add(
                notifications.TRANSFER_OUT,
                _("Comprobante de transferencia {reference}").format(reference=row.reference),
                f"{row.description}\n{money(-row.amount_cents)} · {mail.when_text(at)}",
                at,
                read=True,
            )
        for row in _last(own, "Transferencia recibida de", 2):
            at = from_db(row.posted_at)
            add(
                notifications.TRANSFER_IN,
                _("Transferencia recibida {reference}").format(reference=row.reference),
                _(
                    "Recibió {amount} de {payer} en su cuenta {number} el {when}.\n"
                    "Descripción: {text}"
                ).format(
                    amount=money(row.amount_cents),
                    payer=row.description.removeprefix("Transferencia recibida de "),
                    number=account_ids[row.account_id],
                    when=mail.when_text(at),
                    text=row.description,
                ),
                at,
                read=False,
            )
        failed_at = now - timedelta(hours=20)
        add(
            notifications.FAILED_LOGIN,
            _("Intento de ingreso fallido"),
            _(
                "El {when} alguien intentó ingresar con su usuario {username} y una contraseña "
                "incorrecta. Si no fue usted, cambie su contraseña; tras 5 intentos fallidos "
                "seguidos su usuario se bloquea."
            ).format(when=mail.when_text(failed_at), username=DEMO),
            failed_at,
            read=False,
        )
    rows.sort(key=lambda row: str(row["created_at"]))
    return [{"id": index, **row} for index, row in enumerate(rows, start=1)]
