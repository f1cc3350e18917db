"""The e-mails the server "sends": rows of the outbox, written in the action's own transaction.

So an e-mail exists exactly when its action committed (an approval rolled back sends nothing).
Plain text; codes appear grouped (``ABCD-EFGH-JK``) as the member types them.

An e-mail is read later, by its addressee, not by whoever made the request that sent it (a
teller approving, another member's request settling the clearing): it is written in the
member's language (``members.language``: the registration's, then each login's), whatever the
request's. Every function here writes inside :func:`writing_to`; a caller that puts translated
words of its own into an e-mail (a status label, what a PIN confirms) makes them inside the same
block. Data (names, institutions, billers, references, amounts) is never translated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import NamedTuple, Protocol, TypedDict

from mock_server.domain.periods import period_text
from mock_server.domain.text import day_count, minute_count
from mock_server.i18n import DEFAULT_LANGUAGE, N_, _, ngettext, use_language
from mock_server.store import Connection, contacts, members
from mock_server.store import mail as outbox
from mock_server.store import notifications as events
from sjvirtual_tui.rules import local_datetime

SIGNATURE = N_(
    "Atentamente,\n"
    "Cooperativa de Ahorro y Crédito San José S.J.\n"
    "SAN JOSÉ S.J. VIRTUAL\n\n"
    "Este es un mensaje automático: no lo responda. La cooperativa nunca le pedirá su "
    "contraseña, sus respuestas secretas ni sus códigos."
)

# The kinds of notice (notifications.kind) of the e-mails below: each e-mail is written from one
# event (issue 17), which the member's inbox (AVISOS) shows unless its kind is secret.
GENERIC = "correo"
APPROVAL = "approval"
REJECTION = "rejection"
PASSWORD_SET = "password_set"
ACCOUNT_READY = "account_ready"
RECOVERY_CODE = "recovery_code"
PASSWORD_RECOVERED = "password_recovered"
NEW_TERMINAL = "new_terminal"
VERIFICATION_PIN = "verification_pin"
USER_LOCKED = "user_locked"
BENEFICIARY_ADDED = "beneficiary_added"
TRANSFER_OUT = "transfer_out"
PAYMENT = "payment"
POLIZA = "poliza"
# self-service (issue 17)
PASSWORD_CHANGED = "password_changed"
SECURITY_CHANGED = "security_changed"
CONTACT_CODE = "contact_code"
CONTACT_CHANGED = "contact_changed"
CARD_BLOCKED = "card_blocked"
CARD_UNBLOCKED = "card_unblocked"
# E-mails that carry a code or a PIN: a second factor, or the way in, that must reach the
# member's mailbox only. Their events are kept (the e-mail references one) but out of the inbox,
# which whoever holds the session can read, and their text is not copied into the event.
SECRET_KINDS = frozenset({APPROVAL, RECOVERY_CODE, VERIFICATION_PIN, CONTACT_CODE})

_NOT_YOU_CHANGE = N_("Si usted no hizo este cambio, comuníquese de inmediato con la cooperativa.")

# Paragraphs several e-mails share.
_GREETING = N_("Estimado(a) {name}:")
_NOT_YOU_CHANGE = N_("Si usted no hizo este cambio, comuníquese de inmediato con la cooperativa.")


class Addressee(TypedDict):
    """Who a member's e-mail goes to: the keywords of the member's e-mails below."""

    to: str
    member_id: int
    name: str
    username: str


class _Member(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def username(self) -> str: ...


def addressee(member: _Member) -> Addressee:
    """``mail.password_set(conn, now, **addressee(member))``."""
    return {
        "to": member.email,
        "member_id": member.id,
        "name": member.full_name,
        "username": member.username,
    }


def member_language(conn: Connection, member_id: int | None) -> str:
    """The language the member's e-mails are written in (the default for no member)."""
    if member_id is None:
        return DEFAULT_LANGUAGE
    return members.language(conn, member_id) or DEFAULT_LANGUAGE


@contextmanager
def writing_to(
    conn: Connection, member_id: int | None, language: str | None = None
) -> Iterator[None]:
    """``_()`` in the language of the member's e-mails inside this block (``language``, when
    the caller has read it already)."""
    with use_language(language or member_language(conn, member_id)):
        yield


class Recipient(TypedDict):
    """A member's e-mail: the keywords of the receipts below, language included."""

    to: str
    member_id: int
    name: str
    language: str


@contextmanager
def to_member(conn: Connection, member_id: int) -> Iterator[Recipient]:
    """The member's contact, read once, with ``_()`` in the language of the member's e-mails
    inside this block: ``with to_member(conn, id) as whom: mail.payment_receipt(conn, now,
    **whom, ...)``."""
    whom = contacts.of_member(conn, member_id)
    with writing_to(conn, member_id, whom["language"]):
        yield {
            "to": whom["email"],
            "member_id": member_id,
            "name": whom["full_name"],
            "language": whom["language"],
        }


def send(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int | None,
    subject: str,
    body: str,
    kind: str = GENERIC,
    notice: str | None = None,
) -> int:
    """Stores one e-mail and the event it is written from, in the caller's transaction; returns
    the event's id. The signature is added in the current language (call it inside
    :func:`writing_to`). ``notice``: the inbox's text when it differs from ``body`` (no
    greeting); the inbox shows neither for a :data:`SECRET_KINDS` e-mail."""
    event_id = record_event(
        conn, now, member_id=member_id, kind=kind, title=subject, body=notice or body
    )
    outbox.insert(
        conn, to, member_id, subject, f"{body}\n\n{_(SIGNATURE)}\n", now, event_id=event_id
    )
    return event_id


def record_event(
    conn: Connection, now: datetime, *, member_id: int | None, kind: str, title: str, body: str
) -> int:
    """Stores one event (what the bank told the member); returns its id. A secret kind, or an
    applicant without a user, stays out of any inbox and keeps no text but its title."""
    in_inbox = member_id is not None and kind not in SECRET_KINDS
    return events.insert(
        conn,
        member_id=member_id,
        kind=kind,
        title=title,
        body=body if in_inbox else "",
        in_inbox=in_inbox,
        now=now,
    )


@contextmanager
def _letter(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int | None,
    name: str,
    language: str | None = None,
    kind: str = GENERIC,
) -> Iterator[Callable[..., None]]:
    """Every e-mail below: ``_()`` in the addressee's language inside this block, and
    ``write(subject, *paragraphs)`` sends it, greeting ``name`` first (the inbox's copy, the
    event of ``kind``, has no greeting)."""

    def write(subject: str, *paragraphs: str) -> None:
        send(
            conn,
            now,
            to=to,
            member_id=member_id,
            subject=subject,
            body=_paragraphs(_greeting(name), *paragraphs),
            kind=kind,
            notice=_paragraphs(*paragraphs),
        )

    with writing_to(conn, member_id, language):
        yield write


def _when(value: datetime) -> str:
    """``25/11/2026 a las 10:00`` in Ecuador's time (the words in the current language)."""
    local = local_datetime(value)
    return _("{date} a las {time}").format(
        date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M")
    )


def _greeting(name: str) -> str:
    return _(_GREETING).format(name=name)


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(parts)


def approval(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    username: str,
    code: str,
    language: str | None = None,
) -> None:
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=APPROVAL
    ) as write:
        write(
            _("Solicitud aprobada: ESTABLECER CONTRASEÑA"),
            _("Su solicitud {reference} de registro en SAN JOSÉ S.J. VIRTUAL fue APROBADA.").format(
                reference=reference
            ),
            _("Su usuario: {username}\nSu código para ESTABLECER CONTRASEÑA: {code}").format(
                username=username, code=code
            ),
            _(
                "El código vale 24 horas y sirve una sola vez. Para usarlo, en la pantalla "
                "de ingreso pulse F3 ESTABLECER CONTRASEÑA, o ejecute:"
            ),
            f"    sjvirtual set-password {code}",
            _("La contraseña debe tener al menos 8 caracteres, un número y una letra mayúscula."),
            _(
                "PRIMER INGRESO: cuando ingrese por primera vez con su usuario verá una "
                "imagen cualquiera junto a él; es normal, todavía no tiene una. En el paso "
                "siguiente escogerá su imagen de seguridad, y la verá cada vez que ingrese."
            ),
            _("Si usted no pidió este registro, comuníquese con la cooperativa."),
        )


def rejection(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    name: str,
    reference: str,
    reason: str,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """To an applicant who has no user: in the language the request was filed in."""
    with _letter(
        conn, now, to=to, member_id=None, name=name, language=language, kind=REJECTION
    ) as write:
        write(
            _("Solicitud de registro no aprobada"),
            _(
                "Su solicitud {reference} de registro en SAN JOSÉ S.J. VIRTUAL no fue aprobada."
            ).format(reference=reference),
            _("Motivo: {reason}").format(reason=reason),
            _(
                "Puede presentar una nueva solicitud con los datos corregidos (REGISTRARSE "
                "en la pantalla de ingreso) o acercarse a cualquier agencia de la "
                "cooperativa."
            ),
        )


def password_set(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=PASSWORD_SET) as write:
        write(
            _("Contraseña establecida"),
            _("La contraseña de su usuario {username} quedó establecida el {when}.").format(
                username=username, when=_when(now)
            ),
            _(
                "Ahora haga su PRIMER INGRESO: escriba su usuario, pulse INGRESAR y luego su "
                "contraseña. Le pediremos una contraseña nueva, su imagen de seguridad, una "
                "pregunta secreta y una pregunta de seguridad."
            ),
            _(_NOT_YOU_CHANGE),
        )


def account_ready(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=ACCOUNT_READY) as write:
        write(
            _("Su cuenta está lista"),
            _(
                "Su cuenta está lista y configurada para ingresar en SAN JOSÉ S.J. VIRTUAL "
                "con su usuario {username}."
            ).format(username=username),
            _(
                "Cada vez que ingrese verá la imagen de seguridad que escogió. Si no la ve, "
                "no escriba su contraseña y comuníquese con la cooperativa."
            ),
        )


def recovery_code(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, code: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=RECOVERY_CODE) as write:
        write(
            _("Código para recuperar su contraseña"),
            _("Su código para recuperar la contraseña es: {code}").format(code=code),
            _(
                "Vale 15 minutos y sirve una sola vez; si pide otro, este deja de valer. "
                "Escríbalo en ¿Olvidó su contraseña?: después verá sus preguntas secretas."
            ),
            _(
                "Si usted no lo pidió, ignore este correo: su contraseña no cambia sin sus "
                "respuestas y este código."
            ),
        )


def password_recovered(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, kind=PASSWORD_RECOVERED
    ) as write:
        write(
            _("Su contraseña fue cambiada"),
            _(
                "La contraseña de su usuario {username} se cambió con ¿Olvidó su contraseña? "
                "el {when}. Todas las sesiones abiertas con la contraseña anterior se "
                "cerraron."
            ).format(username=username, when=_when(now)),
            _(_NOT_YOU_CHANGE),
        )


def new_device(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    username: str,
    language: str | None = None,
) -> None:
    """A login from a terminal the member has not used before (no or an unknown device token)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=NEW_TERMINAL
    ) as write:
        write(
            _("Nuevo ingreso desde un terminal nuevo"),
            _(
                "Su usuario {username} ingresó a SAN JOSÉ S.J. VIRTUAL desde un terminal "
                "nuevo el {when} (hora de Ecuador)."
            ).format(username=username, when=_when(now)),
            _("Si fue usted, no tiene que hacer nada: en ese terminal no le volveremos a avisar."),
            _("Si no fue usted, cambie su contraseña y comuníquese con la cooperativa."),
        )


# --- verification PIN, beneficiaries and transfers ---------------------------------------------


def verification_pin(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    pin: str,
    confirms: str,
    expires_at: datetime,
    language: str | None = None,
) -> None:
    """The PIN DE VERIFICACIÓN: the one place a PIN is written down (never in a log).

    ``confirms``: what the PIN confirms, written in the member's language (inside
    :func:`writing_to`)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=VERIFICATION_PIN
    ) as write:
        write(
            _("PIN de verificación"),
            _("PIN de verificación: {pin}").format(pin=pin),
            _("Este PIN confirma {what}, y nada más.").format(what=confirms),
            _(
                "Vale 5 minutos (hasta el {when}), sirve una sola vez y admite 3 intentos. "
                "Escríbalo en la pantalla de confirmación y presione CONFIRMAR."
            ).format(when=_when(expires_at)),
            _(
                "Si usted no inició esta operación, no comparta este PIN con nadie y "
                "comuníquese con la cooperativa."
            ),
        )


def locked_by_pin(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    wrong: int,
) -> None:
    """The member's user was locked by ``wrong`` wrong verification PINs in a row."""
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=USER_LOCKED) as write:
        write(
            _("Su usuario de S.J. Virtual fue bloqueado"),
            ngettext(
                "El {when} se ingresó mal el PIN de verificación {wrong} vez, y por su "
                "seguridad bloqueamos su usuario: se cerraron sus sesiones y se cancelaron "
                "las operaciones que esperaban su PIN. No se movió dinero.",
                "El {when} se ingresó mal el PIN de verificación {wrong} veces seguidas, y "
                "por su seguridad bloqueamos su usuario: se cerraron sus sesiones y se "
                "cancelaron las operaciones que esperaban su PIN. No se movió dinero.",
                wrong,
            ).format(when=_when(now), wrong=wrong),
            _(
                "Para desbloquearlo, recupere su contraseña con la opción ¿Olvidó su "
                "contraseña? o acérquese a una agencia de la cooperativa."
            ),
            _(
                "Si no fue usted, alguien conoce su contraseña: cámbiela al recuperarla y "
                "comuníquese con la cooperativa."
            ),
        )


def beneficiary_added(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    description: str,
    language: str | None = None,
) -> None:
    """``description``: the account's lines, in the member's language (inside
    :func:`writing_to`)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=BENEFICIARY_ADDED
    ) as write:
        write(
            _("Nueva cuenta registrada"),
            _("El {when} se registró en sus Productos de terceros la cuenta:").format(
                when=_when(now)
            ),
            description,
            _("Desde ahora puede transferirle dinero con un PIN de verificación."),
            _("Si usted no registró esta cuenta, comuníquese de inmediato con la cooperativa."),
        )


def transfer_receipt(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    executed_at: datetime,
    origin: str,
    destination: str,
    amount: str,
    description: str,
    status: str,
    language: str | None = None,
) -> None:
    """``destination`` and ``status`` in the member's language (inside :func:`writing_to`)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=TRANSFER_OUT
    ) as write:
        lines = _(
            "Referencia: {reference}\n"
            "Fecha y hora: {when} (hora de Ecuador)\n"
            "Cuenta origen: {origin}\n"
            "Destino: {destination}\n"
            "Monto: {amount}\n"
            "Descripción: {description}\n"
            "Estado: {status}"
        ).format(
            reference=reference,
            when=_when(executed_at),
            origin=origin,
            destination=destination,
            amount=amount,
            description=description,
            status=status,
        )
        write(
            _("Comprobante de transferencia {reference}").format(reference=reference),
            _("COMPROBANTE DE TRANSFERENCIA"),
            lines,
            _(
                "Guarde este comprobante. Si usted no hizo esta transferencia, comuníquese "
                "de inmediato con la cooperativa."
            ),
        )


class Settled(NamedTuple):
    """The texts (N_() msgids) of one kind's e-mail on the clearing's answer."""

    credited_subject: str
    credited: str  # with {when}, the time of the answer
    completed: str
    refused_subject: str
    refused: str
    rejected: str
    kind: str = GENERIC  # of notice: the event's


TRANSFER_SETTLED = Settled(
    credited_subject=N_("Transferencia {reference} acreditada"),
    credited=N_(
        "Su transferencia {reference} de {amount} a {destination} fue acreditada "
        "por la otra institución el {when}."
    ),
    completed=N_("Estado: COMPLETADA"),
    refused_subject=N_("Transferencia {reference} rechazada: dinero devuelto"),
    refused=N_(
        "Su transferencia {reference} de {amount} a {destination} fue rechazada por "
        "la otra institución."
    ),
    rejected=N_("Estado: RECHAZADA"),
    kind="transfer_settled",
)
PAYMENT_SETTLED = Settled(
    credited_subject=N_("Pago {reference} acreditado"),
    credited=N_(
        "Su pago {reference} de {amount} a {payee} fue acreditado por la otra "
        "institución el {when}."
    ),
    completed=N_("Estado: COMPLETADO"),
    refused_subject=N_("Pago {reference} rechazado: dinero devuelto"),
    refused=N_("Su pago {reference} de {amount} a {payee} fue rechazado por la otra institución."),
    rejected=N_("Estado: RECHAZADO"),
    kind="payment_settled",
)


def settled(
    conn: Connection,
    now: datetime,
    texts: Settled,
    values: dict[str, str],
    *,
    to: str,
    member_id: int,
    name: str,
    returned_to: str | None,
    reason: str | None,
    language: str | None,
) -> None:
    """The clearing's answer on an interbank transfer or a payment to a card of another
    institution (``texts``: TRANSFER_SETTLED or PAYMENT_SETTLED; ``values``: the reference, the
    amount and the destination or payee they name): credited, or refused with its ``reason``
    and the money returned to ``returned_to``. ``values`` and ``reason`` in the member's
    language (inside :func:`writing_to`)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=texts.kind
    ) as write:
        if returned_to is None:
            subject = _(texts.credited_subject).format(**values)
            text = _paragraphs(
                _(texts.credited).format(**values, when=_when(now)), _(texts.completed)
            )
        else:
            subject = _(texts.refused_subject).format(**values)
            text = _paragraphs(
                _(texts.refused).format(**values),
                _("Motivo: {reason}").format(reason=reason),
                _("Devolvimos {amount} a su cuenta {account} el {when}.").format(
                    amount=values["amount"], account=returned_to, when=_when(now)
                ),
                _(texts.rejected),
            )
        write(subject, text)


# --- pago de servicios and pago de tarjetas -----------------------------------------------------


def payment_receipt(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    executed_at: datetime,
    origin: str,
    payee: str,
    payee_reference: str,
    holder: str,
    period: str | None,
    amount: str,
    status: str,
    language: str | None = None,
) -> None:
    """COMPROBANTE DE PAGO: a service, a cooperative card or a card of another institution.

    ``status`` in the member's language (inside :func:`writing_to`)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=PAYMENT
    ) as write:
        head = _(
            "Referencia: {reference}\n"
            "Fecha y hora: {when} (hora de Ecuador)\n"
            "Cuenta origen: {origin}\n"
            "Pagado a: {payee}\n"
            "Referencia del pago: {payee_reference}\n"
            "Titular: {holder}"
        ).format(
            reference=reference,
            when=_when(executed_at),
            origin=origin,
            payee=payee,
            payee_reference=payee_reference,
            holder=holder,
        )
        period_line = (
            _("Período: {period}").format(period=period_text(period)) + "\n" if period else ""
        )
        tail = _("Monto: {amount}\nEstado: {status}").format(amount=amount, status=status)
        write(
            _("Comprobante de pago {reference}").format(reference=reference),
            _("COMPROBANTE DE PAGO"),
            f"{head}\n{period_line}{tail}",
            _(
                "Guarde este comprobante. Si usted no hizo este pago, comuníquese de "
                "inmediato con la cooperativa."
            ),
        )


def sent(conn: Connection) -> list[outbox.Mail]:
    """Every e-mail sent, newest first (the demo's mailbox)."""
    return outbox.newest_first(conn)


# --- polizas (issue 17) ---


def poliza_receipt(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    executed_at: datetime,
    origin: str,
    amount: str,
    rate: str,
    days: int,
    start: date,
    maturity: date,
    interest: str,
    withholding: str,
    total: str,
    renewal: str,
    language: str | None = None,
) -> None:
    """COMPROBANTE DE APERTURA DE PÓLIZA (``renewal`` already in the member's language)."""
    with _letter(
        conn, now, to=to, member_id=member_id, name=name, language=language, kind=POLIZA
    ) as write:
        body = _(
            "Referencia: {reference}\n"
            "Fecha y hora: {when} (hora de Ecuador)\n"
            "Cuenta origen: {origin}\n"
            "Monto: {amount}\n"
            "Tasa anual: {rate}\n"
            "Plazo: {days}, del {start} al {maturity}\n"
            "Interés al vencimiento: {interest}\n"
            "Retención: {withholding}\n"
            "Total al vencimiento: {total}\n"
            "Al vencimiento: {renewal}"
        ).format(
            reference=reference,
            when=_when(executed_at),
            origin=origin,
            amount=amount,
            rate=rate,
            days=day_count(days),
            start=start.strftime("%d/%m/%Y"),
            maturity=maturity.strftime("%d/%m/%Y"),
            interest=interest,
            withholding=withholding,
            total=total,
            renewal=renewal,
        )
        write(
            _("Comprobante de póliza {reference}").format(reference=reference),
            _("COMPROBANTE DE APERTURA DE PÓLIZA"),
            body,
            _(
                "Guarde este comprobante. Si usted no abrió esta póliza, comuníquese de "
                "inmediato con la cooperativa."
            ),
        )


# --- notifications (issue 17) ---


def when_text(value: datetime) -> str:
    """``25/11/2026 a las 10:00`` in Ecuador's time, as the e-mails write a moment (for the
    notices without an e-mail, :mod:`mock_server.domain.notifications`)."""
    return _when(value)


def letter(
    conn: Connection, now: datetime, member_id: int, kind: str, subject: str, body: str
) -> int:
    """An e-mail to a member of ``kind``: greeting, ``body`` and signature (in the member's
    language: call it inside :func:`writing_to`); returns its event's id."""
    whom = contacts.of_member(conn, member_id)
    return send(
        conn,
        now,
        to=whom["email"],
        member_id=member_id,
        subject=subject,
        body=_paragraphs(_greeting(whom["full_name"]), body),
        kind=kind,
        notice=body,
    )


# --- self-service (ADMINISTRACIÓN › Mi perfil y seguridad) -------------------------------------


def password_changed(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=PASSWORD_CHANGED) as write:
        write(
            _("Contraseña cambiada"),
            _(
                "La contraseña de su usuario {username} se cambió en Mi perfil y seguridad "
                "el {when}. Las demás sesiones abiertas se cerraron."
            ).format(username=username, when=_when(now)),
            _(_NOT_YOU_CHANGE),
        )


def security_changed(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=SECURITY_CHANGED) as write:
        write(
            _("Imagen y preguntas de seguridad cambiadas"),
            _(
                "La imagen de seguridad y las preguntas secretas de su usuario {username} se "
                "cambiaron el {when}."
            ).format(username=username, when=_when(now)),
            _(_NOT_YOU_CHANGE),
        )


def contact_code(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, code: str, minutes: int
) -> None:
    """The code of a contact change, to the NEW e-mail address."""
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=CONTACT_CODE) as write:
        write(
            _("Código para confirmar su nuevo correo"),
            _(
                "Para confirmar este correo como su nueva dirección en SAN JOSÉ S.J. VIRTUAL, "
                "escriba este código: {code}"
            ).format(code=code),
            _("Vale {minutes}. Si usted no lo pidió, ignore este mensaje.").format(
                minutes=minute_count(minutes)
            ),
        )


def contact_sms(
    conn: Connection, now: datetime, *, phone: str, member_id: int, code: str, minutes: int
) -> None:
    """The demo has no SMS gateway: the text message is a row of the outbox addressed to the
    phone number, subject "SMS", no greeting or signature."""
    with writing_to(conn, member_id):
        body = _(
            "SAN JOSÉ S.J. VIRTUAL: su código para confirmar este celular es {code}. "
            "Vale {minutes}. No lo comparta."
        ).format(code=code, minutes=minute_count(minutes))
        outbox.insert(conn, phone, member_id, "SMS", body, now)


def contact_changed(
    conn: Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    new_email: str | None,
    new_phone: str | None,
) -> None:
    """To the OLD address: the member's contact data changed."""
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=CONTACT_CHANGED) as write:
        lines = []
        if new_email is not None:
            lines.append(_("Nuevo correo: {email}").format(email=new_email))
        if new_phone is not None:
            lines.append(_("Nuevo celular: {phone}").format(phone=new_phone))
        write(
            _("Sus datos de contacto cambiaron"),
            _("Sus datos de contacto se actualizaron el {when}.").format(when=_when(now)),
            "\n".join(lines),
            _(_NOT_YOU_CHANGE),
        )


def debit_card_blocked(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, last4: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=CARD_BLOCKED) as write:
        write(
            _("Tarjeta bloqueada"),
            _("Su tarjeta de débito ****{last4} quedó bloqueada el {when}.").format(
                last4=last4, when=_when(now)
            ),
            _("Para desbloquearla acuda a una agencia de la cooperativa con su cédula."),
            _("Si usted no la bloqueó, comuníquese de inmediato con la cooperativa."),
        )


def debit_card_unblocked(
    conn: Connection, now: datetime, *, to: str, member_id: int, name: str, last4: str
) -> None:
    with _letter(conn, now, to=to, member_id=member_id, name=name, kind=CARD_UNBLOCKED) as write:
        write(
            _("Tarjeta desbloqueada"),
            _("Su tarjeta de débito ****{last4} fue desbloqueada en agencia el {when}.").format(
                last4=last4, when=_when(now)
            ),
            _(_NOT_YOU_CHANGE),
        )
