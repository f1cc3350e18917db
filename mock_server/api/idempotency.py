"""``Idempotency-Key``: a state-changing request is carried out once; a retry gets its answer.

A route declares the key with a dependency (:func:`public_idempotency` for the public
endpoints, :func:`member_idempotency` for a session's) and runs its effect through
:meth:`Idempotency.run`::

    Registrations = Annotated[Idempotency, Depends(public_idempotency())]

    @router.post("/registrations", status_code=201, response_model=RegistrationReceipt)
    def register(body: ..., idem: Registrations, conn: Conn) -> Response:
        def effect() -> Outcome:
            ...  # reads and writes through ``conn``; raises ApiError to refuse
            return Outcome(201, receipt)
        return idem.run(conn, effect)

The effect and its stored answer commit in one write transaction
(:func:`mock_server.domain.idempotency.once`). An effect that
raises :class:`ApiError` (below 500) is refused: whatever it wrote is rolled back, and the
refusal is stored (in a transaction of its own) so that a retry is refused the same way. An
effect that must keep a change while refusing (a counted failure) returns its error as an
:class:`Outcome` instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel

from mock_server.api.deps import CurrentMember, Member, ServerState, State
from mock_server.api.errors import ApiError, RetryLater, as_api_error, error_response, status_of
from mock_server.domain import idempotency
from mock_server.domain.clock import Clock
from mock_server.domain.connections import Connection
from mock_server.domain.errors import DomainError
from mock_server.domain.security import PasswordChecker
from mock_server.i18n import N_, _
from sjvirtual_tui.models import ErrorBody

P = TypeVar("P")

KEY_HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[A-Za-z0-9_-]{8,100}$"
ANONYMOUS_SCOPE = "anon"
# Set on a replayed answer, so a client (or a person reading a trace) can tell.
REPLAYED_HEADER = "Idempotency-Replayed"

MISMATCH_MESSAGE = N_(
    "Esta operación ya se envió con otros datos. Vuelva a empezarla para enviar los nuevos."
)

DUPLICATE_KEY_MESSAGE = N_(
    "La solicitud trae {count} claves de operación (Idempotency-Key); envíe una sola. No se "
    "hizo nada."
)


async def single_key(request: Request) -> None:
    """400 for a request with more than one key: which one would a retry repeat? Checked
    before the key itself, so no effect runs under either."""
    count = len(request.headers.getlist(KEY_HEADER))
    if count > 1:
        raise ApiError(
            400,
            "duplicate_idempotency_key",
            _(DUPLICATE_KEY_MESSAGE).format(count=count),
            KEY_HEADER,
        )


async def idempotency_key(
    _single: Annotated[None, Depends(single_key)],
    key: Annotated[
        str,
        Header(
            alias=KEY_HEADER,
            pattern=KEY_PATTERN,
            description="Chosen by the client before the first send and reused on every retry "
            "of the same operation (8..100 characters of A-Z a-z 0-9 _ -); sent once.",
        ),
    ],
) -> str:
    return key


KeyHeader = Annotated[str, Depends(idempotency_key)]


@dataclass(frozen=True)
class Outcome:
    """What an effect answers: a status below 500 and its body (``None`` for a 204)."""

    status: int
    body: BaseModel | None = None

    @classmethod
    def refusal(cls, error: DomainError) -> Outcome:
        """A refusal an effect returns instead of raising, so that what it wrote (a counted
        failure) commits with it."""
        body = ErrorBody(code=error.code, message=error.message, field=error.field)
        return cls(status_of(type(error)), body)


Effect = Callable[[], Outcome]


class _Refusal(Exception):
    """An effect's refusal, on its way out of the transaction it rolls back."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Idempotency:
    """One request's key and fingerprint, made by the route's dependency."""

    scope: str  # "member:<id>" for a session, "anon" for the public endpoints
    key: str
    method: str
    path: str
    request_hash: str  # SHA-256 of the canonical JSON body without its secret fields
    secrets: str | None  # the secret fields' values (JSON), compared through argon2id only
    passwords: PasswordChecker
    clock: Clock

    def stored_answer(self, conn: Connection) -> Response | None:
        """The answer already stored for this key (422 if it was another request), or None.

        :meth:`run` checks this itself; a route calls it first when it has slow work (argon2)
        to prepare before :meth:`run`, which a replay does not need.
        """
        # Stored answers never change, so a replay needs no write lock, and its argon2 check
        # (like the hash in run) runs outside it: other writers do not queue behind either.
        stored = idempotency.find(conn, self.scope, self.key)
        return None if stored is None else self._replay(stored)

    def run_prepared(
        self,
        conn: Connection,
        prepare: Callable[[], P],
        effect: Callable[[P], Outcome],
        keys: Iterable[Hashable] | None = None,
    ) -> Response:
        """:meth:`run` for a route with slow work (argon2) to do before its transaction:
        ``prepare`` runs outside it, and only when no answer is stored for the key (a replay
        needs none); ``effect`` gets what it prepared."""
        replayed = self.stored_answer(conn)
        if replayed is not None:
            return replayed
        prepared = prepare()
        return self.run(conn, lambda: effect(prepared), keys=keys)

    def run(
        self, conn: Connection, effect: Effect, keys: Iterable[Hashable] | None = None
    ) -> Response:
        """The stored answer for this key, or ``effect``'s, stored with it in one transaction
        (:func:`mock_server.domain.idempotency.once`; ``keys``: its write transaction's, for
        an effect that may run beside other writers).

        With secret fields, a replay is found before their argon2 hash is made (it needs
        none); without, the key is looked up once, in the transaction.

        A refusal (:class:`ApiError` below 500, or a domain error) rolls the effect's whole
        transaction back and is stored in a transaction of its own: a refusal changes nothing,
        so there is nothing for it to commit with. (A savepoint around every effect, to keep
        the transaction going, copied each page the effect wrote, and spilled to a temporary
        file past 64 KiB: a cost on every success for the sake of the rare refusal.)
        """
        secret_hash: str | None = None
        if self.secrets is not None:
            replayed = self.stored_answer(conn)
            if replayed is not None:
                return replayed
            secret_hash = self.passwords.hash(self.secrets)

        def carried_out() -> idempotency.Stored:
            try:
                outcome = effect()
            except ApiError as exc:
                if exc.status >= 500:
                    raise
                raise _Refusal(exc) from exc
            except DomainError as exc:
                raise _Refusal(as_api_error(exc)) from exc
            return self._record(outcome.status, _encode(outcome.body), secret_hash)

        try:
            return idempotency.once(
                conn,
                self.scope,
                self.key,
                carried_out,
                self._replay,
                _answer,
                self.clock.now,
                keys=keys,
            )
        except _Refusal as refusal:
            error = refusal.error
        if isinstance(error, RetryLater):
            # Nothing to store: the same key sent after Retry-After must be carried out.
            return error_response(
                error.status, error.code, error.message, error.field, headers=error.headers
            )
        content = _encode(ErrorBody(code=error.code, message=error.message, field=error.field))
        refused = self._record(error.status, content, secret_hash)
        return idempotency.keep(
            conn, self.scope, self.key, refused, self._replay, _answer, self.clock.now, keys=keys
        )

    def _record(self, status: int, content: bytes, secret_hash: str | None) -> idempotency.Stored:
        return idempotency.Stored(
            method=self.method,
            path=self.path,
            request_hash=self.request_hash,
            secret_hash=secret_hash,
            status=status,
            content=content,
        )

    def _replay(self, row: idempotency.Stored) -> Response:
        same = (
            row.method == self.method
            and row.path == self.path
            and row.request_hash == self.request_hash
            and (row.secret_hash is None) == (self.secrets is None)
        )
        if same and row.secret_hash is not None and self.secrets is not None:
            same = self.passwords.verify(row.secret_hash, self.secrets)
        if not same:
            raise ApiError(422, "idempotency_mismatch", _(MISMATCH_MESSAGE), KEY_HEADER)
        response = _response(row.status, row.content)
        response.headers[REPLAYED_HEADER] = "true"
        return response


def _answer(stored: idempotency.Stored) -> Response:
    return _response(stored.status, stored.content)


def _encode(body: BaseModel | None) -> bytes:
    return b"" if body is None else body.model_dump_json().encode("utf-8")


def _response(status: int, content: bytes) -> Response:
    if not content:
        return Response(status_code=status)
    return Response(content=content, status_code=status, media_type="application/json")


# The ``parsed`` body of a caller that has not parsed it.
UNPARSED: Any = object()


async def _fingerprint(
    request: Request, secret_fields: tuple[str, ...], parsed: Any = UNPARSED
) -> tuple[str, str | None]:
    """(hash of the body without its secret fields, the secret values as JSON or None).

    ``parsed``: the body's JSON value, when the caller has parsed it already.
    """
    value: Any = parsed
    if value is UNPARSED:
        raw = await request.body()  # cached by Starlette: the endpoint's body parsing reads it
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = raw.hex()  # FastAPI refuses such a body anyway; hash it as it came
    secrets: str | None = None
    if secret_fields:
        fields = dict(value) if isinstance(value, dict) else {}
        secrets = _canonical([fields.pop(name, None) for name in secret_fields])
        value = fields if isinstance(value, dict) else value
    # Canonical JSON: the same body with its keys in another order or spaced differently is
    # the same request.
    digest = hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()
    return digest, secrets


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


async def _idempotency(
    request: Request,
    state: ServerState,
    scope: str,
    key: str,
    secret_fields: tuple[str, ...],
    parsed: Any = UNPARSED,
) -> Idempotency:
    request_hash, secrets = await _fingerprint(request, secret_fields, parsed)
    return Idempotency(
        scope=scope,
        key=key,
        method=request.method,
        path=request.url.path,
        request_hash=request_hash,
        secrets=secrets,
        passwords=state.passwords,
        clock=state.clock,
    )


def public_idempotency(*secret_fields: str) -> Callable[..., Awaitable[Idempotency]]:
    """The dependency of a public endpoint; ``secret_fields`` never reach a plain hash."""

    async def dependency(request: Request, state: State, key: KeyHeader) -> Idempotency:
        return await _idempotency(request, state, ANONYMOUS_SCOPE, key, secret_fields)

    return dependency


async def member_key(
    request: Request,
    state: ServerState,
    member: CurrentMember,
    key: str,
    *secret_fields: str,
    parsed: Any = UNPARSED,
) -> Idempotency:
    """What :func:`member_idempotency`'s dependency makes, for a route that checked the key
    header (:data:`KeyHeader`) and the session itself. ``parsed``: the body's JSON value, when
    the route has it (the body is not parsed again)."""
    return await _idempotency(request, state, f"member:{member.id}", key, secret_fields, parsed)


def member_idempotency(*secret_fields: str) -> Callable[..., Awaitable[Idempotency]]:
    """The dependency of a session's endpoint: keys are the session member's own."""

    async def dependency(
        request: Request, state: State, member: Member, key: KeyHeader
    ) -> Idempotency:
        return await _idempotency(request, state, f"member:{member.id}", key, secret_fields)

    return dependency


# The key of a session's request without secret fields (most of them), and of a public one.
MemberKey = Annotated[Idempotency, Depends(member_idempotency())]
PublicKey = Annotated[Idempotency, Depends(public_idempotency())]
