"""Every error answer of the server is an ``ErrorBody`` with a Spanish message.

Routes raise :class:`ApiError`; FastAPI's own errors (validation, unknown routes, wrong method)
and unexpected exceptions are turned into the same shape here. No traceback leaves the server.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sjvirtual_tui.models import ErrorBody

log = logging.getLogger(__name__)

LOCKED_MESSAGE = (
    "Usuario bloqueado por intentos fallidos. Comuníquese con la cooperativa para desbloquearlo."
)
INVALID_CREDENTIALS_MESSAGE = "Usuario o contraseña incorrectos."
NOT_AUTHENTICATED_MESSAGE = "Ingrese con su usuario y contraseña."
SESSION_ENDED_MESSAGE = "Su sesión terminó. Ingrese nuevamente."
SESSION_IDLE_MESSAGE = "Su sesión terminó por inactividad. Ingrese nuevamente."
ACCOUNT_NOT_FOUND_MESSAGE = "Cuenta no encontrada."
INTERNAL_ERROR_MESSAGE = "Ocurrió un error en el servidor. Intente nuevamente en unos minutos."

# The OpenAPI entry for an error status: every one has the ErrorBody shape.
ERROR_RESPONSE: dict[str, Any] = {"model": ErrorBody}


class ApiError(Exception):
    """An answer other than 2xx, with its stable ``code`` and a message a member can read."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, field=field)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


# --- validation errors in Spanish ---------------------------------------------------------------

# How a member would call the request fields (the TUI shows the message next to the field).
_FIELD_LABELS = {
    "username": "Usuario",
    "password": "Contraseña",
    "number": "Número de cuenta",
    "date_from": "Fecha desde",
    "date_to": "Fecha hasta",
    "order": "Orden",
    "limit": "Cantidad por página",
    "cursor": "Página",
    "body": "Solicitud",
}

_DATE_TYPES = {
    "date_parsing",
    "date_type",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_future",
    "date_past",
}
_INT_TYPES = {"int_parsing", "int_type", "int_from_float", "int_parsing_size"}


def _describe(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return "falta este dato."
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "no puede estar vacío." if minimum == 1 else f"use al menos {minimum} caracteres."
    if kind == "string_too_long":
        return f"use como máximo {ctx.get('max_length')} caracteres."
    if kind == "string_pattern_mismatch":
        return "el formato no es válido."
    if kind in _INT_TYPES:
        return "escriba un número entero."
    if kind == "greater_than_equal":
        return f"debe ser al menos {ctx.get('ge')}."
    if kind == "greater_than":
        return f"debe ser mayor que {ctx.get('gt')}."
    if kind == "less_than_equal":
        return f"debe ser como máximo {ctx.get('le')}."
    if kind == "less_than":
        return f"debe ser menor que {ctx.get('lt')}."
    if kind in _DATE_TYPES:
        return "escriba la fecha como AAAA-MM-DD."
    if kind in {"literal_error", "enum"}:
        expected = str(ctx.get("expected", "")).replace(" or ", " o ")
        return f"use uno de estos valores: {expected}."
    if kind == "extra_forbidden":
        return "este dato no se esperaba."
    if kind == "json_invalid":
        return "el cuerpo de la solicitud no es un JSON válido."
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return "se esperaba un objeto JSON."
    if kind == "string_type":
        return "se esperaba un texto."
    return "el valor no es válido."


def _field_of(loc: Sequence[Any]) -> str:
    # ('body', 'username') -> 'username'; ('query', 'limit') -> 'limit'; ('body', 12) -> 'body'
    names = [str(part) for part in loc[1:] if isinstance(part, str)]
    if names:
        return ".".join(names)
    return "body" if not loc or loc[0] == "body" else str(loc[0])


def validation_error_body(errors: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """(field, message) for the first error pydantic reported."""
    if not errors:
        return "body", "Solicitud: el valor no es válido."
    first = errors[0]
    field = _field_of(first.get("loc") or ())
    label = _FIELD_LABELS.get(field.rsplit(".", 1)[-1], field)
    return field, f"{label}: {_describe(first)}"


# --- handlers ---------------------------------------------------------------------------------

_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "La solicitud no es válida."),
    401: ("not_authenticated", NOT_AUTHENTICATED_MESSAGE),
    403: ("forbidden", "No tiene permiso para esta operación."),
    404: ("not_found", "No existe lo que busca."),
    405: ("method_not_allowed", "Operación no permitida en esta dirección."),
    413: ("payload_too_large", "La solicitud es demasiado grande."),
    415: ("unsupported_media_type", "Envíe los datos como JSON."),
    422: ("validation_error", "Los datos enviados no son válidos."),
}


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    field, message = validation_error_body(exc.errors())
    return error_response(422, "validation_error", message, field)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(
        exc.status_code, ("http_error", "La solicitud no se pudo atender.")
    )
    return error_response(exc.status_code, code, message, None, exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback stays in the server's log; the member gets a sentence. (Starlette logs the
    # exception too, after this answer is sent.)
    log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, "internal_error", INTERNAL_ERROR_MESSAGE)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
