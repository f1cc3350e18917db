"""Every error answer of the server is an ``ErrorBody`` with a message in the request's language.

Routes raise :class:`ApiError` with a message already translated (``_()``, in the request's
language: :class:`mock_server.i18n.LanguageMiddleware`); FastAPI's own errors (validation,
unknown routes, wrong method) and unexpected exceptions are turned into the same shape here. No
traceback leaves the server. Messages kept as module constants are marked with ``N_()`` (their
Spanish text, which tests compare) and translated where they are raised: ``_(LOCKED_MESSAGE)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from mock_server.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotAuthenticated,
    NotFound,
    Refused,
    TooMany,
    Unavailable,
)
from mock_server.domain.sessions import NOT_AUTHENTICATED_MESSAGE
from mock_server.i18n import N_, _, language_from_header, ngettext, use_language
from sjvirtual_tui import rules
from sjvirtual_tui.models import ErrorBody

log = logging.getLogger(__name__)

ACCOUNT_NOT_FOUND_MESSAGE = N_("Cuenta no encontrada.")
SETUP_REQUIRED_MESSAGE = N_("Complete la configuración de su primer ingreso.")
STAFF_ONLY_MESSAGE = N_("Esta opción es solo para el personal de la cooperativa.")
INTERNAL_ERROR_MESSAGE = N_("Ocurrió un error en el servidor. Intente nuevamente en unos minutos.")
UNAVAILABLE_MESSAGE = N_(
    "El servidor está ocupado o no puede llegar a su base de datos. "
    "Intente nuevamente en unos segundos."
)
# What a 503 asks the client to wait: about one lock timeout, or a restart of PostgreSQL.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5

# The OpenAPI entry for an error status: every one has the ErrorBody shape.
ERROR_RESPONSE: dict[str, Any] = {"model": ErrorBody}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route (or router) that may answer these error statuses."""
    return {status: ERROR_RESPONSE for status in statuses}


# A router behind the session: 401 without one, 403 for the wrong role or a pending PRIMER
# INGRESO (setup_required).
SESSION_ROUTES = error_responses(401, 403, 500)
# A route naming one of the member's records by path: 404 if not theirs, 422 if malformed.
ONE_RECORD = error_responses(404, 422)
# A POST that starts an operation awaiting its PIN: 404 unknown account or payee, 409 not
# allowed now, 422 invalid, 429 too many operations or PIN e-mails on the way.
PIN_START = error_responses(404, 409, 422, 429)
# A route that checks a secret and counts the failures: 401 wrong, 423 locked.
SECRET_CHECK = error_responses(401, 422, 423)


class ApiError(Exception):
    """An answer other than 2xx, with its stable ``code`` and a message a member can read
    (already in the request's language: ``_("...")`` where it is raised)."""

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


# The one map from the domain's refusals to HTTP statuses (mock_server.domain.errors).
STATUS_OF: dict[type[DomainError], int] = {
    Refused: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Locked: 423,
    TooMany: 429,
}


def status_of(error: type[DomainError]) -> int:
    """The HTTP status of a domain error's kind (its nearest listed class)."""
    for kind in error.__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500


class RetryLater(ApiError):
    """A refusal for now (too many operations awaiting a PIN, too many PIN e-mails): an
    Idempotency-Key refused so is not kept, so the same request sent later is carried out."""


def as_api_error(error: DomainError) -> ApiError:
    """A domain error as the answer it becomes (a refusal for now stays a RetryLater)."""
    status = status_of(type(error))
    if error.retry_after is not None:
        headers = {"Retry-After": str(error.retry_after)}
        return RetryLater(status, error.code, error.message, error.field, headers=headers)
    return ApiError(status, error.code, error.message, error.field)


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, field=field)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


# --- validation errors in the member's words ------------------------------------------------

# How a member would call the request fields (the TUI shows the message next to the field).
_FIELD_LABELS = {
    "username": N_("Usuario"),
    "password": N_("Contraseña"),
    "number": N_("Número de cuenta"),
    "date_from": N_("Fecha desde"),
    "date_to": N_("Fecha hasta"),
    "order": N_("Orden"),
    "limit": N_("Cantidad por página"),
    "cursor": N_("Página"),
    "body": N_("Solicitud"),
    "Idempotency-Key": N_("Clave de la operación"),
    "kind": N_("Tipo de socio"),
    "cedula": N_("Cédula"),
    "ruc": N_("RUC"),
    "representante_cedula": N_("Cédula del representante"),
    "nombres": N_("Nombres"),
    "apellidos": N_("Apellidos"),
    "razon_social": N_("Razón social"),
    "representante_nombre": N_("Nombre del representante"),
    "fecha_nacimiento": N_("Fecha de nacimiento"),
    "email": N_("Correo electrónico"),
    "celular": N_("Celular"),
    "telefono": N_("Teléfono"),
    "direccion": N_("Dirección"),
    "usuario": N_("Usuario"),
    "cuenta": N_("Número de cuenta"),
    "reason": N_("Motivo"),
    "code": N_("Código"),
    "new_password": N_("Nueva contraseña"),
    "image": N_("Imagen de seguridad"),
    "phrase": N_("Frase de seguridad"),
    "own_question": N_("Pregunta secreta"),
    "own_answer": N_("Respuesta secreta"),
    "question_id": N_("Pregunta de seguridad"),
    "answer": N_("Respuesta"),
    "security_answer": N_("Respuesta"),
    "status": N_("Estado"),
    "id": N_("Número de solicitud"),
    # Productos de terceros, transfers and the verification PIN
    "account_type": N_("Tipo de cuenta"),
    "institution_code": N_("Institución"),
    "id_type": N_("Tipo de identificación"),
    "id_number": N_("Número de identificación"),
    "name": N_("Nombre del titular"),
    "beneficiary_id": N_("Cuenta destino"),
    "from_account": N_("Cuenta origen"),
    "to_account": N_("Cuenta destino"),
    "amount_cents": N_("Monto"),
    "description": N_("Descripción"),
    "pin": N_("PIN de verificación"),
    "payee": N_("Destinatario"),
    "challenge_id": N_("Operación"),
    "transfer_id": N_("Transferencia"),
    "device_token": N_("Identificador del terminal"),
    # Pago de servicios and pago de tarjetas
    "q": N_("Búsqueda"),
    "biller_code": N_("Empresa"),
    "reference": N_("Referencia"),
    "alias": N_("Alias"),
    "frequent_id": N_("Servicio frecuente"),
    "bill_id": N_("Factura"),
    "card_id": N_("Tarjeta"),
    "issuer_code": N_("Emisor de la tarjeta"),
    "card_number": N_("Número de tarjeta"),
    "holder_name": N_("Titular de la tarjeta"),
    "payment_id": N_("Pago"),
    # Where text that is not Unicode can come (mock_server.api.wire)
    "path": N_("Dirección de la solicitud"),
    "query": N_("Parámetros de la consulta"),
    "Authorization": N_("Credencial de la sesión"),
    "Accept-Language": N_("Idioma"),
    "Content-Type": N_("Tipo de contenido"),
}

# "kind" names a different choice in each form.
_KIND_LABELS = {
    "registrations": N_("Tipo de socio"),
    "beneficiaries": N_("Tipo de cuenta de terceros"),
    "transfers": N_("Tipo de transferencia"),
    "payments": N_("Tipo de pago"),
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
    "nombres": lambda value: rules.name_error(value, _("sus nombres")),
    "apellidos": lambda value: rules.name_error(value, _("sus apellidos")),
    "representante_nombre": lambda value: rules.name_error(value, _("el nombre del representante")),
    "card_number": lambda value: _(
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
        return _("falta este dato.")
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        if minimum == 1:
            return _("no puede estar vacío.")
        return ngettext(
            "use al menos {minimum} carácter.", "use al menos {minimum} caracteres.", minimum
        ).format(minimum=minimum)
    if kind == "string_too_long":
        maximum = int(ctx.get("max_length", 0))
        return ngettext(
            "use como máximo {maximum} carácter.", "use como máximo {maximum} caracteres.", maximum
        ).format(maximum=maximum)
    if kind == "string_pattern_mismatch":
        return _("el formato no es válido.")
    if kind in _INT_TYPES:
        return _("escriba un número entero.")
    if kind == "greater_than_equal":
        return _("debe ser al menos {limit}.").format(limit=ctx.get("ge"))
    if kind == "greater_than":
        return _("debe ser mayor que {limit}.").format(limit=ctx.get("gt"))
    if kind == "less_than_equal":
        return _("debe ser como máximo {limit}.").format(limit=ctx.get("le"))
    if kind == "less_than":
        return _("debe ser menor que {limit}.").format(limit=ctx.get("lt"))
    if kind in _DATE_TYPES:
        return _("escriba la fecha como AAAA-MM-DD.")
    if kind in {"literal_error", "enum"}:
        # pydantic writes "'a', 'b' or 'c'": its "or" in the member's language.
        conjunction = _("o")
        expected = str(ctx.get("expected", "")).replace(" or ", f" {conjunction} ")
        return _("use uno de estos valores: {values}.").format(values=expected)
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        tags = [tag.strip(" '\"") for tag in str(ctx.get("expected_tags", "")).split(",")]
        tags = [tag for tag in tags if tag]
        if len(tags) >= 2:
            return _("use {options} o {last}.").format(options=", ".join(tags[:-1]), last=tags[-1])
        return _("el tipo no es válido.")
    if kind == "extra_forbidden":
        return _("este dato no se esperaba.")
    if kind == "json_invalid":
        return _("el cuerpo de la solicitud no es un JSON válido.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("se esperaba un objeto JSON.")
    if kind == "string_type":
        return _("se esperaba un texto.")
    if kind == "string_unicode":
        return _("contiene caracteres que no son texto Unicode válido (UTF-8).")
    return _("el valor no es válido.")


def _field_of(loc: Sequence[Any]) -> str:
    # ('body', 'username') -> 'username'; ('query', 'limit') -> 'limit'; ('body', 12) -> 'body'
    names = [str(part) for part in loc[1:] if isinstance(part, str) and part not in _UNION_TAGS]
    if names:
        return ".".join(names)
    return "body" if not loc or loc[0] == "body" else str(loc[0])


def validation_error_body(errors: Sequence[Mapping[str, Any]], path: str = "") -> tuple[str, str]:
    """(field, message) for the first error pydantic reported on a request to ``path``."""
    if not errors:
        return "body", _("Solicitud: el valor no es válido.")
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
        label = next(
            (text for area, text in _KIND_LABELS.items() if f"/{area}" in path), N_("Tipo")
        )
    return field, f"{_(label)}: {_describe(first)}"


def invalid_text_response(field: str, path: str) -> JSONResponse:
    """The 422 of a request whose ``field`` holds text that is not Unicode (api.wire)."""
    _field, message = validation_error_body(
        [{"type": "string_unicode", "loc": ("body", *field.split("."))}], path
    )
    return error_response(422, "validation_error", message, field)


# --- handlers ---------------------------------------------------------------------------------

_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", N_("La solicitud no es válida.")),
    401: ("not_authenticated", NOT_AUTHENTICATED_MESSAGE),
    403: ("forbidden", N_("No tiene permiso para esta operación.")),
    404: ("not_found", N_("No existe lo que busca.")),
    405: ("method_not_allowed", N_("Operación no permitida en esta dirección.")),
    413: ("payload_too_large", N_("La solicitud es demasiado grande.")),
    415: ("unsupported_media_type", N_("Envíe los datos como JSON.")),
    422: ("validation_error", N_("Los datos enviados no son válidos.")),
}


# The handlers below run inside the request's language (LanguageMiddleware), except the last:
# Starlette's ServerErrorMiddleware, outside every middleware, calls it.


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return error_response(status_of(type(exc)), exc.code, exc.message, exc.field, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    field, message = validation_error_body(exc.errors(), request.url.path)
    return error_response(422, "validation_error", message, field)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI answers 400 "There was an error parsing the body", raised from the parser's
        # error, for a JSON body it cannot read at all (not UTF-8, nested too deep): the same
        # mistake as any other malformed JSON body, so the same answer, 422 on ``body``.
        field, message = validation_error_body(
            [{"type": "json_invalid", "loc": ("body",)}], request.url.path
        )
        return error_response(422, "validation_error", message, field)
    code, message = _HTTP_CODES.get(
        exc.status_code, ("http_error", N_("La solicitud no se pudo atender."))
    )
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return error_response(exc.status_code, code, _(message), None, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path.

    Starlette's 405 names only the methods of the first route that matched the path, so
    PUT /transfers said ``Allow: POST`` although GET /transfers is a route too.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before lazy included routers
        routes: Iterable[Any] = request.app.routes
    else:
        routes = iter_route_contexts(request.app.routes)
    methods: set[str] = set()
    for route in routes:
        match, _scope = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is down or its write lock stayed taken past the lock timeout: the write
    # transaction rolled back (nothing half done, no Idempotency-Key kept), so the same request
    # sent again later is carried out. The driver's text (host, SQL) stays out of the answer.
    log.warning("database unavailable on %s %s", request.method, request.url.path)
    return error_response(
        503,
        "unavailable",
        _(UNAVAILABLE_MESSAGE),
        None,
        {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback stays in the server's log; the member gets a sentence. (Starlette logs the
    # exception too, after this answer is sent.)
    log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    with use_language(language_from_header(request.headers.get("accept-language"))):
        return error_response(500, "internal_error", _(INTERNAL_ERROR_MESSAGE))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Unavailable, not every StoreError: any other store error is a bug, the 500 below.
    app.add_exception_handler(Unavailable, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)


# --- approvals and audit (issue 18) ---

SUPERVISOR_ONLY_MESSAGE = N_("Esta opción es solo para un supervisor de la cooperativa.")


# --- teller counter (issue 18) ---
_FIELD_LABELS.update(
    {
        "account": N_("Cuenta"),
        "depositor": N_("Depositante"),
        "identification": N_("Cédula/RUC"),
        "opening_float_cents": N_("Fondo inicial"),
        "counted_cents": N_("Total contado"),
    }
)
