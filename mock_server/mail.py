"""The e-mails the server "sends": rows of the outbox, written in the action's own transaction.

So an e-mail exists exactly when its action committed (an approval rolled back sends nothing).
Plain Spanish text; codes appear grouped (``ABCD-EFGH-JK``) as the member types them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from mock_server import db
from sjvirtual_tui.rules import local_datetime

SIGNATURE = (
    "Atentamente,\n"
    "Cooperativa de Ahorro y Crédito San José S.J.\n"
    "SAN JOSÉ S.J. VIRTUAL\n\n"
    "Este es un mensaje automático: no lo responda. La cooperativa nunca le pedirá su "
    "contraseña, sus respuestas secretas ni sus códigos."
)


def send(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int | None,
    subject: str,
    body: str,
) -> None:
    conn.execute(
        """
        INSERT INTO outbox (to_address, member_id, subject, body, created_at)
        VALUES (?, ?, ?, ?, ?)
        """,
        (to, member_id, subject, f"{body}\n\n{SIGNATURE}\n", db.to_db(now)),
    )


def _when(value: datetime) -> str:
    return local_datetime(value).strftime("%d/%m/%Y a las %H:%M")


def approval(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    username: str,
    code: str,
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Solicitud aprobada: ESTABLECER CONTRASEÑA",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"Su solicitud {reference} de registro en SAN JOSÉ S.J. VIRTUAL fue APROBADA.\n\n"
            f"Su usuario: {username}\n"
            f"Su código para ESTABLECER CONTRASEÑA: {code}\n\n"
            "El código vale 24 horas y sirve una sola vez. Para usarlo, en la pantalla de "
            "ingreso pulse F3 ESTABLECER CONTRASEÑA, o ejecute:\n\n"
            f"    sjvirtual set-password {code}\n\n"
            "La contraseña debe tener al menos 8 caracteres, un número y una letra mayúscula.\n\n"
            "PRIMER INGRESO: cuando ingrese por primera vez con su usuario verá una imagen "
            "cualquiera junto a él; es normal, todavía no tiene una. En el paso siguiente "
            "escogerá su imagen de seguridad y su frase, y las verá cada vez que ingrese.\n\n"
            "Si usted no pidió este registro, comuníquese con la cooperativa."
        ),
    )


def rejection(
    conn: sqlite3.Connection, now: datetime, *, to: str, name: str, reference: str, reason: str
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=None,
        subject="Solicitud de registro no aprobada",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"Su solicitud {reference} de registro en SAN JOSÉ S.J. VIRTUAL no fue aprobada.\n\n"
            f"Motivo: {reason}\n\n"
            "Puede presentar una nueva solicitud con los datos corregidos (REGISTRARSE en la "
            "pantalla de ingreso) o acercarse a cualquier agencia de la cooperativa."
        ),
    )


def password_set(
    conn: sqlite3.Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Contraseña establecida",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"La contraseña de su usuario {username} quedó establecida el {_when(now)}.\n\n"
            "Ahora haga su PRIMER INGRESO: escriba su usuario, pulse INGRESAR y luego su "
            "contraseña. Le pediremos una contraseña nueva, su imagen de seguridad, una pregunta "
            "secreta y una pregunta de seguridad.\n\n"
            "Si usted no hizo este cambio, comuníquese de inmediato con la cooperativa."
        ),
    )


def account_ready(
    conn: sqlite3.Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Su cuenta está lista",
        body=(
            f"Estimado(a) {name}:\n\n"
            "Su cuenta está lista y configurada para ingresar en SAN JOSÉ S.J. VIRTUAL con su "
            f"usuario {username}.\n\n"
            "Cada vez que ingrese verá la imagen y la frase de seguridad que escogió. Si no las "
            "ve, no escriba su contraseña y comuníquese con la cooperativa."
        ),
    )


def recovery_code(
    conn: sqlite3.Connection, now: datetime, *, to: str, member_id: int, name: str, code: str
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Código para recuperar su contraseña",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"Su código para recuperar la contraseña es: {code}\n\n"
            "Vale 15 minutos y sirve una sola vez; si pide otro, este deja de valer. Escríbalo "
            "junto con las respuestas a sus preguntas secretas en ¿Olvidó su contraseña?.\n\n"
            "Si usted no lo pidió, ignore este correo: su contraseña no cambia sin sus "
            "respuestas y este código."
        ),
    )


def password_recovered(
    conn: sqlite3.Connection, now: datetime, *, to: str, member_id: int, name: str, username: str
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Su contraseña fue cambiada",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"La contraseña de su usuario {username} se cambió con ¿Olvidó su contraseña? el "
            f"{_when(now)}. Todas las sesiones abiertas con la contraseña anterior se "
            "cerraron.\n\n"
            "Si usted no hizo este cambio, comuníquese de inmediato con la cooperativa."
        ),
    )


# --- verification PIN, beneficiaries and transfers ---------------------------------------------


def verification_pin(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    pin: str,
    confirms: str,
    expires_at: datetime,
) -> None:
    """The PIN DE VERIFICACIÓN: the one place a PIN is written down (never in a log)."""
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="PIN de verificación",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"PIN de verificación: {pin}\n\n"
            f"Este PIN confirma {confirms}, y nada más.\n\n"
            f"Vale 5 minutos (hasta el {_when(expires_at)}), sirve una sola vez y admite "
            "3 intentos. Escríbalo en la pantalla de confirmación y presione CONFIRMAR.\n\n"
            "Si usted no inició esta operación, no comparta este PIN con nadie y comuníquese "
            "con la cooperativa."
        ),
    )


def beneficiary_added(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    description: str,
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject="Nueva cuenta registrada",
        body=(
            f"Estimado(a) {name}:\n\n"
            f"El {_when(now)} se registró en sus Productos de terceros la cuenta:\n\n"
            f"{description}\n\n"
            "Desde ahora puede transferirle dinero con un PIN de verificación.\n\n"
            "Si usted no registró esta cuenta, comuníquese de inmediato con la cooperativa."
        ),
    )


def transfer_receipt(
    conn: sqlite3.Connection,
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
) -> None:
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject=f"Comprobante de transferencia {reference}",
        body=(
            f"Estimado(a) {name}:\n\n"
            "COMPROBANTE DE TRANSFERENCIA\n\n"
            f"Referencia: {reference}\n"
            f"Fecha y hora: {_when(executed_at)} (hora de Ecuador)\n"
            f"Cuenta origen: {origin}\n"
            f"Destino: {destination}\n"
            f"Monto: {amount}\n"
            f"Descripción: {description}\n"
            f"Estado: {status}\n\n"
            "Guarde este comprobante. Si usted no hizo esta transferencia, comuníquese de "
            "inmediato con la cooperativa."
        ),
    )


def transfer_settled(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    destination: str,
    amount: str,
    returned_to: str | None,
    reason: str | None,
) -> None:
    """The clearing's answer on an interbank transfer: credited, or returned with a reason."""
    if returned_to is None:
        subject = f"Transferencia {reference} acreditada"
        text = (
            f"Su transferencia {reference} de {amount} a {destination} fue acreditada por la "
            f"otra institución el {_when(now)}.\n\nEstado: COMPLETADA"
        )
    else:
        subject = f"Transferencia {reference} rechazada: dinero devuelto"
        text = (
            f"Su transferencia {reference} de {amount} a {destination} fue rechazada por la "
            f"otra institución.\n\nMotivo: {reason}\n\n"
            f"Devolvimos {amount} a su cuenta {returned_to} el {_when(now)}.\n\n"
            "Estado: RECHAZADA"
        )
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject=subject,
        body=f"Estimado(a) {name}:\n\n{text}",
    )


# --- pago de servicios and pago de tarjetas -----------------------------------------------------


def payment_receipt(
    conn: sqlite3.Connection,
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
) -> None:
    """COMPROBANTE DE PAGO: a service, a cooperative card or a card of another institution."""
    period_line = f"Período: {period}\n" if period else ""
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject=f"Comprobante de pago {reference}",
        body=(
            f"Estimado(a) {name}:\n\n"
            "COMPROBANTE DE PAGO\n\n"
            f"Referencia: {reference}\n"
            f"Fecha y hora: {_when(executed_at)} (hora de Ecuador)\n"
            f"Cuenta origen: {origin}\n"
            f"Pagado a: {payee}\n"
            f"Referencia del pago: {payee_reference}\n"
            f"Titular: {holder}\n"
            f"{period_line}"
            f"Monto: {amount}\n"
            f"Estado: {status}\n\n"
            "Guarde este comprobante. Si usted no hizo este pago, comuníquese de inmediato con "
            "la cooperativa."
        ),
    )


def payment_settled(
    conn: sqlite3.Connection,
    now: datetime,
    *,
    to: str,
    member_id: int,
    name: str,
    reference: str,
    payee: str,
    amount: str,
    returned_to: str | None,
    reason: str | None,
) -> None:
    """The clearing's answer on a payment to a card of another institution."""
    if returned_to is None:
        subject = f"Pago {reference} acreditado"
        text = (
            f"Su pago {reference} de {amount} a {payee} fue acreditado por la otra institución "
            f"el {_when(now)}.\n\nEstado: COMPLETADO"
        )
    else:
        subject = f"Pago {reference} rechazado: dinero devuelto"
        text = (
            f"Su pago {reference} de {amount} a {payee} fue rechazado por la otra "
            f"institución.\n\nMotivo: {reason}\n\n"
            f"Devolvimos {amount} a su cuenta {returned_to} el {_when(now)}.\n\n"
            "Estado: RECHAZADO"
        )
    send(
        conn,
        now,
        to=to,
        member_id=member_id,
        subject=subject,
        body=f"Estimado(a) {name}:\n\n{text}",
    )
