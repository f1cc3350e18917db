"""Checks on the raw request, before routing: text that is not Unicode never reaches a route.

A lone surrogate (``"\\ud800"``, a JSON escape json.loads accepts) or bytes that are not UTF-8
cannot be encoded again: the idempotency fingerprint, SQLite and the JSON answer (an error
naming the field echoes it) all failed with a 500 on one. :class:`UnicodeGuard` refuses such a
request at the door with a 422 naming the field (a body field, a query parameter, a header, or
the path), in the request's language, so nothing behind it meets such a string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import Message, Receive, Scope, Send

from mock_server.api.errors import invalid_text_response
from mock_server.i18n import HttpMiddleware

# A JSON escape of a surrogate (\ud800-\udfff): a quick test before parsing the body. A pair
# (an emoji written as two escapes) matches too; the parse tells a pair from a lone one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _bad_string(value: Any, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path of the first key or string in ``value`` that holds a surrogate, or None."""
    if isinstance(value, str):
        return path if _has_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _has_surrogate(key):
                return path  # a bad name cannot be named: its object is at fault
            found = _bad_string(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _bad_string(item, path)
            if found is not None:
                return found
    return None


def body_fault(raw: bytes) -> str | None:
    """The body field holding text that is not Unicode (``"body"`` if none can be named)."""
    valid = _is_utf8(raw)
    if valid and _SURROGATE_ESCAPE.search(raw) is None:
        return None
    # Bytes that are not UTF-8 become lone surrogates here too, so one search finds either.
    try:
        value = json.loads(raw.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError):
        return None  # not JSON at all: the route's parser says so (422 on the body)
    path = _bad_string(value, ())
    if path is None:
        return None if valid else "body"
    return ".".join(path) or "body"


def _query_fault(query: bytes) -> str | None:
    for pair in query.split(b"&"):
        name, _sep, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        if not _is_utf8(raw_name):
            return "query"
        if not _is_utf8(unquote_to_bytes(value.replace(b"+", b" "))):
            return raw_name.decode("utf-8")
    return None


def request_fault(scope: Scope) -> str | None:
    """The path, query parameter or header whose text is not UTF-8, or None."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogatepass")
    if not _is_utf8(unquote_to_bytes(raw_path)):
        return "path"
    fault = _query_fault(scope.get("query_string", b""))
    if fault is not None:
        return fault
    for name, value in scope.get("headers", ()):
        if not _is_utf8(value):
            # As it is spelled in the documents (Idempotency-Key), not as ASGI lowers it.
            return "-".join(part.capitalize() for part in name.decode("latin-1").split("-"))
    return None


_BODY_HEADERS = (b"content-length", b"transfer-encoding")


def _header_names(scope: Scope) -> Iterator[bytes]:
    for name, _value in scope.get("headers", ()):
        yield name


class UnicodeGuard(HttpMiddleware):
    """Refuses, with a 422 naming the field, a request whose path, query, headers or body
    hold text that is not Unicode (raw bytes that are not UTF-8, or a lone surrogate escaped
    in the JSON body). Runs inside :class:`mock_server.i18n.LanguageMiddleware`.

    A request with a body is read whole here and handed on as one message (the server's
    bodies are small JSON documents); one without is handed on untouched.
    """

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = request_fault(scope)
        if fault is not None:
            await invalid_text_response(fault, scope["path"])(scope, receive, send)
            return
        if not any(name in _BODY_HEADERS for name in _header_names(scope)):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        fault = body_fault(body) if body else None
        if fault is not None:
            await invalid_text_response(fault, scope["path"])(scope, receive, send)
            return
        first: Message = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay([first], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
