"""Typed errors of the backend layer. Each carries a message a member can read.

The default messages are msgids (``N_``), translated when an error is made: the language may
change after import. Messages that come from the server are already in the member's language.
"""

from __future__ import annotations

from sjvirtual_tui.i18n import N_, _, ngettext

# Re-exported by the package: ``from sjvirtual_tui.backend import NotFound``.
__all__ = [
    "AuthError",
    "BackendError",
    "BackendUnavailable",
    "ChallengeFailed",
    "Forbidden",
    "InsufficientFunds",
    "LockedError",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "ServerBusy",
    "ServerError",
    "SessionExpired",
    "ValidationError",
]


class BackendError(Exception):
    """Base class: ``message`` is safe to show on screen."""

    default_message = N_("No se pudo completar la operación.")

    def __init__(self, message: str | None = None, *, code: str = "", field: str | None = None):
        self.message = message or _(self.default_message)
        self.code = code
        self.field = field
        super().__init__(self.message)


class AuthError(BackendError):
    """Wrong credentials. Never says which part was wrong."""

    default_message = N_("Usuario o contraseña incorrectos.")


class LockedError(BackendError):
    default_message = N_(
        "Usuario bloqueado por intentos fallidos. Comuníquese con la cooperativa para "
        "desbloquearlo."
    )


class SessionExpired(BackendError):
    default_message = N_("Su sesión terminó por inactividad. Ingrese nuevamente.")


class Forbidden(BackendError):
    default_message = N_("No tiene permiso para esta operación.")


class NotFound(BackendError):
    default_message = N_("No encontrado.")


class ValidationError(BackendError):
    default_message = N_("Revise los datos ingresados.")


class InsufficientFunds(ValidationError):
    default_message = N_("Saldo disponible insuficiente.")


class ChallengeFailed(BackendError):
    """The verification PIN's operation is over: cancelled (3 wrong PINs), expired or used."""

    default_message = N_("La operación fue cancelada. Vuelva a iniciarla.")


class RateLimited(BackendError):
    """Refused for now (429: too many PIN e-mails): the same request may go again after
    ``retry_after`` seconds (the server's message says when)."""

    default_message = N_("Demasiadas solicitudes. Intente de nuevo en unos minutos.")

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int | None = None,
        code: str = "",
        field: str | None = None,
    ):
        if message is None and retry_after is not None:
            minutes = max(1, -(-retry_after // 60))
            message = ngettext(
                "Demasiadas solicitudes. Intente de nuevo en {minutes} minuto.",
                "Demasiadas solicitudes. Intente de nuevo en {minutes} minutos.",
                minutes,
            ).format(minutes=minutes)
        super().__init__(message, code=code, field=field)
        self.retry_after = retry_after


class BackendUnavailable(BackendError):
    """The server could not be reached or did not answer in time."""

    default_message = N_("No se pudo conectar con el servidor de S.J. Virtual.")


class ServerBusy(BackendUnavailable):
    """503: the server is busy or cannot reach its database now. The request was refused
    whole, nothing of it kept (the server's promise for a 503): the same request may go again
    after ``retry_after`` seconds."""

    default_message = N_(
        "El servidor está ocupado y no hizo ningún cambio. Intente de nuevo en unos segundos."
    )

    def __init__(
        self, message: str | None = None, *, retry_after: int | None = None, code: str = ""
    ):
        if message is None and retry_after is not None:
            seconds = max(1, retry_after)
            message = ngettext(
                "El servidor está ocupado y no hizo ningún cambio. Intente de nuevo en "
                "{seconds} segundo.",
                "El servidor está ocupado y no hizo ningún cambio. Intente de nuevo en "
                "{seconds} segundos.",
                seconds,
            ).format(seconds=seconds)
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ServerError(BackendError):
    default_message = N_("El servidor tuvo un problema. Intente más tarde.")


class OutcomeUnknown(BackendUnavailable):
    """A state-changing request was sent but no answer came back, even after retries.

    It may or may not have been applied: the screen must say so ("en proceso") and retry with
    the same Idempotency-Key, never report a failure.
    """

    default_message = N_(
        "La operación está en proceso: el servidor no confirmó si la recibió. Pulse F5 para "
        "consultarlo; se reenvía con la misma clave y no se aplicará dos veces."
    )
