"""AVISOS: the session member's inbox of what the bank told them (issue 17)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from mock_server.api.deps import DIGITS, Conn, State, record_id
from mock_server.api.errors import ONE_RECORD, SESSION_ROUTES, error_responses
from mock_server.api.idempotency import MemberKey, Outcome
from mock_server.api.socio import Socio
from mock_server.domain import notifications
from sjvirtual_tui.models import NotificationPage, NotificationsRead

router = APIRouter(tags=["notifications"], responses=SESSION_ROUTES)

MAX_PAGE = 200

NotificationId = Annotated[int, record_id("notification"), DIGITS]


@router.get(
    "/notifications",
    response_model=NotificationPage,
    responses=error_responses(422),
    summary="The member's notices, newest first, in keyset pages, with the unread count",
)
def inbox(
    member: Socio,
    conn: Conn,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE), DIGITS] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="From next_cursor.")] = None,
) -> NotificationPage:
    return notifications.inbox(conn, member, limit=limit, cursor=cursor)


@router.post(
    "/notifications/{notification_id:int}/read",
    response_model=NotificationsRead,
    responses=ONE_RECORD,
    summary="Mark one of the member's notices read (again: no change)",
)
def mark_read(
    notification_id: NotificationId, member: Socio, idem: MemberKey, state: State, conn: Conn
) -> Response:
    def effect() -> Outcome:
        return Outcome(
            200, notifications.mark_read(conn, member, notification_id, state.clock.now())
        )

    return idem.run(conn, effect)


@router.post(
    "/notifications/read-all",
    response_model=NotificationsRead,
    responses=error_responses(422),  # a malformed Idempotency-Key
    summary="Mark every notice of the member's inbox read",
)
def mark_all_read(member: Socio, idem: MemberKey, state: State, conn: Conn) -> Response:
    def effect() -> Outcome:
        return Outcome(200, notifications.mark_all_read(conn, member, state.clock.now()))

    return idem.run(conn, effect)
