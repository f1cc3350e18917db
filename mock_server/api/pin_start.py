"""Starting a transfer or a payment that awaits its PIN: the one flow both routes follow.

The clearing is caught up (funds and limits) and the PIN's argon2 hash made before the write
lock, and only for a key with no stored answer; the operation is then started in the key's
transaction (:meth:`Idempotency.run_prepared`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel

from mock_server.api.deps import ServerState
from mock_server.api.idempotency import Idempotency, Outcome
from mock_server.domain import operations
from mock_server.domain.clearing import ClearingSettings
from mock_server.domain.connections import Connection
from mock_server.domain.members import CurrentMember
from mock_server.domain.pin import PreparedPin
from mock_server.domain.pin_limits import PinLimits
from mock_server.domain.security import PasswordChecker

Body = TypeVar("Body")
Prepare = Callable[[Connection, PasswordChecker, CurrentMember, datetime, Body], PreparedPin | None]
Start = Callable[
    [Connection, PasswordChecker, PreparedPin | None, CurrentMember, datetime, Body, PinLimits],
    BaseModel,
]


def start_with_pin(
    state: ServerState,
    clearing: ClearingSettings,
    conn: Connection,
    member: CurrentMember,
    idem: Idempotency,
    body: Body,
    prepare: Prepare[Body],
    start: Start[Body],
) -> Response:
    """``prepare`` then ``start`` the operation ``body`` asks for (201 and its start)."""

    def prepared_pin() -> PreparedPin | None:
        operations.catch_up(conn, state.clock, clearing.delay_seconds)
        return prepare(conn, state.passwords, member, state.clock.now(), body)

    def effect(prepared: PreparedPin | None) -> Outcome:
        started = start(
            conn, state.passwords, prepared, member, state.clock.now(), body, state.pin_limits
        )
        return Outcome(201, started)

    return idem.run_prepared(conn, prepared_pin, effect, keys=operations.member_keys(member))
