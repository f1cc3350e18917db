"""Every error answer of the server is an ``ErrorBody`` with a Spanish message.

Routes raise :class:`ApiError`; FastAPI's own errors (validation, unknown routes, wrong method)
and unexpected exceptions are turned into the same shape here. No traceback leaves the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sjvirtual_tui import rules
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
SETUP_REQUIRED_MESSAGE = "Complete la configuración de su primer ingreso."
STAFF_ONLY_MESSAGE = "Esta opción es solo para el personal de la cooperativa."
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
    "Idempotency-Key": "Clave de la operación",
    "kind": "Tipo de socio",
    "cedula": "Cédula",
    "ruc": "RUC",
    "representante_cedula": "Cédula del representante",
    "nombres": "Nombres",
    "apellidos": "Apellidos",
    "razon_social": "Razón social",
    "representante_nombre": "Nombre del representante",
    "fecha_nacimiento": "Fecha de nacimiento",
    "email": "Correo electrónico",
    "celular": "Celular",
    "telefono": "Teléfono",
    "direccion": "Dirección",
    "usuario": "Usuario",
    "cuenta": "Número de cuenta",
    "reason": "Motivo",
    "code": "Código",
    "new_password": "Nueva contraseña",
    "image": "Imagen de seguridad",
    "phrase": "Frase de seguridad",
    "own_question": "Pregunta secreta",
    "own_answer": "Respuesta secreta",
    "question_id": "Pregunta de seguridad",
    "answer": "Respuesta",
    "security_answer": "Respuesta",
    "status": "Estado",
    "id": "Número de solicitud",
    # Productos de terceros, transfers and the verification PIN
    "account_type": "Tipo de cuenta",
    "institution_code": "Institución",
    "id_type": "Tipo de identificación",
    "id_number": "Número de identificación",
    "name": "Nombre del titular",
    "beneficiary_id": "Cuenta destino",
    "from_account": "Cuenta origen",
    "to_account": "Cuenta destino",
    "amount_cents": "Monto",
    "description": "Descripción",
    "pin": "PIN de verificación",
    "payee": "Destinatario",
    "challenge_id": "Operación",
    "transfer_id": "Transferencia",
    # Pago de servicios and pago de tarjetas
    "q": "Búsqueda",
    "biller_code": "Empresa",
    "reference": "Referencia",
    "alias": "Alias",
    "frequent_id": "Servicio frecuente",
    "bill_id": "Factura",
    "card_id": "Tarjeta",
    "issuer_code": "Emisor de la tarjeta",
    "card_number": "Número de tarjeta",
    "holder_name": "Titular de la tarjeta",
    "payment_id": "Pago",
}

# "kind" names a different choice in each form.
_KIND_LABELS = {
    "registrations": "Tipo de socio",
    "beneficiaries": "Tipo de cuenta de terceros",
    "transfers": "Tipo de transferencia",
    "payments": "Tipo de pago",
}

# Fields whose format the cooperative's rules describe better than a generic "el formato no es
# válido": the member reads the same sentence the TUI would have shown for that field.
_FIELD_RULES: dict[str, Callable[[str], str | None]] = {
    "cedula": rules.cedula_error,
    "representante_cedula": rules.cedula_error,
    "ruc": rules.ruc_error,
    "email": rules.email_error,
    "celular": rules.mobile_error,
    "telefono": rules.phone_error,
    "usuario": rules.new_username_error,
    "nombres": lambda value: rules.name_error(value, "sus nombres"),
    "apellidos": lambda value: rules.name_error(value, "sus apellidos"),
    "representante_nombre": lambda value: rules.name_error(value, "el nombre del representante"),
    "card_number": lambda value: (
        "Número de tarjeta: escriba sus 13 a 19 dígitos, sin espacios ni guiones."
    ),
}

# pydantic puts the tag of a discriminated union's member in the location
# (('body', 'persona', 'cedula')); the field the member typed is what follows it.
_UNION_TAGS = frozenset(
    {"persona", "empresa", "interna", "externa", "servicio", "tarjeta", "tarjeta_externa"}
)

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
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        tags = [tag.strip(" '\"") for tag in str(ctx.get("expected_tags", "")).split(",")]
        tags = [tag for tag in tags if tag]
        if len(tags) >= 2:
            return f"use {', '.join(tags[:-1])} o {tags[-1]}."
        return "el tipo no es válido."
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
    names = [str(part) for part in loc[1:] if isinstance(part, str) and part not in _UNION_TAGS]
    if names:
        return ".".join(names)
    return "body" if not loc or loc[0] == "body" else str(loc[0])


def validation_error_body(errors: Sequence[Mapping[str, Any]], path: str = "") -> tuple[str, str]:
    """(field, message) for the first error pydantic reported on a request to ``path``."""
    if not errors:
        return "body", "Solicitud: el valor no es válido."
    first = errors[0]
    field = _field_of(first.get("loc") or ())
    if str(first.get("type", "")).startswith("union_tag_"):
        field = "kind"  # the discriminator of RegistrationRequest is missing or unknown
    name = field.rsplit(".", 1)[-1]
    rule = _FIELD_RULES.get(name)
    value = first.get("input")
    if rule is not None and isinstance(value, str):
        message = rule(value)
        if message is not None:
            return field, message
    label = _FIELD_LABELS.get(name, field)
    if name == "kind":
        label = next((text for area, text in _KIND_LABELS.items() if f"/{area}" in path), "Tipo")
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


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    field, message = validation_error_body(exc.errors(), request.url.path)
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
