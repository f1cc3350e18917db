"""The demo's mailbox: every e-mail the server "sent" (only on a server made with demo=True)."""

from __future__ import annotations

from fastapi import APIRouter

from mock_server.api.deps import Conn
from mock_server.api.errors import error_responses
from mock_server.domain import mail
from sjvirtual_tui.models import OutboxMessage

router = APIRouter(tags=["demo"], responses=error_responses(500))


@router.get(
    "/demo/outbox",
    response_model=list[OutboxMessage],
    summary="Demo only: the e-mails the server sent, newest first",
)
def outbox(conn: Conn) -> list[OutboxMessage]:
    # Public on purpose: the demo's Correo view reads the codes before anyone can log in. A
    # server made without demo=True has no such route (404).
    return [
        OutboxMessage(
            id=row.id,
            to=row.to_address,
            subject=row.subject,
            body=row.body,
            created_at=row.created_at,
        )
        for row in mail.sent(conn)
    ]
