"""Typed errors of the backend layer. Each carries a message a member can read (Spanish)."""

from __future__ import annotations


class BackendError(Exception):
    """Base class: ``message`` is safe to show on screen."""

    default_message = "No se pudo completar la operación."

    def __init__(self, message: str | None = None, *, code: str = "", field: str | None = None):
        self.message = message or self.default_message
        self.code = code
        self.field = field
        super().__init__(self.message)


class AuthError(BackendError):
    """Wrong credentials. Never says which part was wrong."""

    default_message = "Usuario o contraseña incorrectos."


class LockedError(BackendError):
    default_message = (
        "Usuario bloqueado por intentos fallidos. Comuníquese con la cooperativa para "
        "desbloquearlo."
    )


class SessionExpired(BackendError):
    default_message = "Su sesión terminó por inactividad. Ingrese nuevamente."


class Forbidden(BackendError):
    default_message = "No tiene permiso para esta operación."


class NotFound(BackendError):
    default_message = "No encontrado."


class ValidationError(BackendError):
    default_message = "Revise los datos ingresados."


class InsufficientFunds(ValidationError):
    default_message = "Saldo disponible insuficiente."


class ChallengeFailed(BackendError):
    """The verification PIN's operation is over: cancelled (3 wrong PINs), expired or used."""

    default_message = "La operación fue cancelada. Vuelva a iniciarla."


class BackendUnavailable(BackendError):
    """The server could not be reached or did not answer in time."""

    default_message = "No se pudo conectar con el servidor de S.J. Virtual."


class ServerError(BackendError):
    default_message = "El servidor tuvo un problema. Intente más tarde."


class OutcomeUnknown(BackendUnavailable):
    """A state-changing request was sent but no answer came back, even after retries.

    It may or may not have been applied: the screen must say so ("en proceso") and retry with
    the same Idempotency-Key, never report a failure.
    """

    default_message = (
        "La operación está en proceso: el servidor no confirmó si la recibió. Pulse F5 para "
        "consultarlo; se reenvía con la misma clave y no se aplicará dos veces."
    )
