"""Every status a route can answer, read from the code, put in the OpenAPI document.

Routes declared their error statuses by hand, and 16 that the domain raised (409, 423, 429...)
were missing. Here they are derived: the bytecode of each route's endpoint and dependencies is
followed through every function of ``mock_server`` it names (a module's function, a method by
its name, a closure), and each integer literal between 400 and 599 it meets (``ApiError(409,
...)``, ``Outcome(423, ...)``, ``return 422, body``) is a status the route may answer. The
walk over-approximates (a method is followed by its name, whichever class it belongs to): a
status documented and never answered costs nothing, one answered and not documented breaks
clients. To these come the statuses the HTTP layer adds to any route: 422 (parameters, a body,
or text that is not Unicode: :mod:`mock_server.api.wire`), 404 for a path whose id is not a number
(``{id:int}``), 500.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from mock_server.api.errors import status_of
from mock_server.domain.errors import DomainError

_PACKAGE = "mock_server"
_STATUSES = range(400, 600)


def _ours(obj: object) -> bool:
    if isinstance(obj, types.ModuleType):
        module = obj.__name__
    else:
        module = getattr(obj, "__module__", None) or ""
    return module == _PACKAGE or module.startswith(f"{_PACKAGE}.")


@cache
def _methods_by_name() -> dict[str, tuple[types.FunctionType, ...]]:
    """Every method of every class of the package, by name (``idem.run`` -> Idempotency.run)."""
    found: dict[str, list[types.FunctionType]] = {}
    for name, module in list(sys.modules.items()):
        if not (name == _PACKAGE or name.startswith(f"{_PACKAGE}.")) or module is None:
            continue
        for cls in vars(module).values():
            if not (isinstance(cls, type) and _ours(cls)):
                continue
            for attr, value in vars(cls).items():
                if isinstance(value, staticmethod | classmethod):
                    value = value.__func__
                if isinstance(value, types.FunctionType):
                    found.setdefault(attr, []).append(value)
    return {name: tuple(funcs) for name, funcs in found.items()}


def _ours_or_function(value: object) -> bool:
    return callable(value) and (_ours(value) or isinstance(value, types.FunctionType))


def _functions_in(value: object) -> Iterator[types.FunctionType]:
    """The package's functions ``value`` is, wraps or holds (a class: its methods)."""
    value = inspect.unwrap(value) if callable(value) else value
    if isinstance(value, types.FunctionType):
        if _ours(value):
            yield value
    elif isinstance(value, types.MethodType):
        yield from _functions_in(value.__func__)
    elif isinstance(value, type) and _ours(value):
        for member in vars(value).values():
            yield from _functions_in(member)
    elif callable(value) and _ours(type(value)):
        yield from _functions_in(type(value).__call__)


def statuses_of(*roots: Callable[..., Any]) -> set[int]:
    """The 4xx/5xx literals in ``roots`` and every package function they reach."""
    found: set[int] = set()
    queued: set[types.CodeType] = set()
    pending: list[tuple[types.CodeType, dict[str, Any]]] = []

    def push(func: types.FunctionType) -> None:
        stack = [func]
        while stack:
            func = stack.pop()
            if func.__code__ in queued:
                continue
            queued.add(func.__code__)
            # Names a closure holds count as globals (a module imported in the outer function).
            namespace = dict(func.__globals__)
            for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
                try:
                    held = cell.cell_contents
                except ValueError:  # an empty cell
                    continue
                namespace[name] = held
                stack.extend(_functions_in(held))
            pending.append((func.__code__, namespace))

    for root in roots:
        root = inspect.unwrap(root)
        if isinstance(root, types.FunctionType):
            push(root)  # a route's own code, wherever it is defined
        else:
            for func in _functions_in(root):
                push(func)
    methods = _methods_by_name()
    while pending:
        code, namespace = pending.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                if const not in queued:
                    queued.add(const)
                    pending.append((const, namespace))
            elif isinstance(const, int) and not isinstance(const, bool) and const in _STATUSES:
                found.add(const)
        names = (*code.co_names, *code.co_freevars)
        holders = [namespace.get(name) for name in names]
        modules = [value for value in holders if isinstance(value, types.ModuleType)]
        # Attributes of these may be statuses too: status.HTTP_429_..., HTTPStatus.CONFLICT.
        scopes = [*modules, *(value for value in holders if isinstance(value, type))]
        for name in names:
            candidates: list[object] = [namespace.get(name), *methods.get(name, ())]
            candidates += [getattr(scope, name, None) for scope in scopes]
            for candidate in candidates:
                # A status kept in a named constant (LOCKED = 423) counts like a literal.
                if isinstance(candidate, int) and not isinstance(candidate, bool):
                    if int(candidate) in _STATUSES:
                        found.add(int(candidate))
                    continue
                # A domain error's class (NotFound(...)) answers the status the API maps it to.
                if isinstance(candidate, type) and issubclass(candidate, DomainError):
                    found.add(status_of(candidate))
                    continue
                if isinstance(candidate, types.ModuleType) or not _ours_or_function(candidate):
                    continue
                for func in _functions_in(candidate):
                    push(func)
    return found


def _dependency_calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def api_routes(app: FastAPI) -> Iterator[Any]:
    """The app's API routes (with their prefixes; newer FastAPI keeps included routers whole)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before lazy included routers
        yield from (route for route in app.routes if isinstance(route, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def route_statuses(route: Any) -> set[int]:
    """Every error status ``route`` (an APIRoute or its context) can answer."""
    dependant = route.dependant
    found = statuses_of(route.endpoint, *_dependency_calls(dependant))
    found |= {422, 500}  # validation, text that is not Unicode (any header); the unexpected
    if any(":" in part for part in route.path.split("{")[1:]):
        found.add(404)  # an id that is not a number matches no route
    return found


ERROR_DESCRIPTION = "An ErrorBody: code, a message in the request's language, the field."


def document_statuses(app: FastAPI) -> None:
    """Makes ``app.openapi()`` declare every status :func:`route_statuses` finds.

    The routes' code is read when the document is first asked for, not here: it takes seconds
    (every function a route calls, walked), and each worker builds its app at start, so a worker
    that replaces one that died would serve that much later; most apps (every test's, the
    demo's) never serve the document.
    """
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        statuses = {
            (method.lower(), route.path_format): route_statuses(route)
            for route in api_routes(app)
            for method in route.methods
        }
        document = make()
        error = {
            "description": ERROR_DESCRIPTION,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
        }
        for path, item in document["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for status in sorted(statuses.get((method, path), ())):
                    responses.setdefault(str(status), error)
                operation["responses"] = dict(sorted(responses.items()))
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
