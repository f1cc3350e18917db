"""The server's messages in the request's language: the client's mechanism, the server's catalog.

Every request runs inside :func:`use_language` of its ``Accept-Language`` header
(:class:`LanguageMiddleware`): ``_()`` answers in that language in the endpoint, in its
dependencies (also those FastAPI runs in its threadpool, which copies the context) and in the
exception handlers. E-mails are read later, by their addressee: they are written in the member's
stored language (:mod:`mock_server.domain.mail`), not the request's.
"""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from sjvirtual_tui.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    _,
    add_catalog_dir,
    language,
    language_from_header,
    ngettext,
    use_language,
)

add_catalog_dir(Path(__file__).parent / "locale")

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "HttpMiddleware",
    "LanguageMiddleware",
    "_",
    "language",
    "language_from_header",
    "ngettext",
    "request_language",
    "use_language",
]


def request_language(headers: list[tuple[bytes, bytes]] | None) -> str:
    """The language of a request's raw ASGI headers (the first ``Accept-Language`` wins)."""
    for name, value in headers or ():
        if name == b"accept-language":
            return language_from_header(value.decode("latin-1"))
    return DEFAULT_LANGUAGE


class HttpMiddleware:
    """A pure ASGI middleware (no ``BaseHTTPMiddleware``) of HTTP requests: :meth:`http` sees
    each one; other scopes (the lifespan) pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class LanguageMiddleware(HttpMiddleware):
    """Runs each HTTP request inside ``use_language(<its Accept-Language>)``.

    A header scan and a context variable, nothing that would slow the fast path of
    ``POST /transfers``. Starlette's outermost ``ServerErrorMiddleware`` runs outside it: its
    handler (the 500 answer) reads the header itself
    (:func:`mock_server.api.errors.install_error_handlers`).
    """

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        with use_language(request_language(scope.get("headers"))):
            await self.app(scope, receive, send)
