"""Certificados bancarios: one the demo's member was issued, for the teller to verify.

Issued three days before the seeding moment, with a code of its own (:data:`DEMO_CODE`, a
code of the same alphabet as the random ones) so that the demo and the manual can name it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.domain import certificates
from mock_server.domain.members import CurrentMember
from mock_server.store import Connection
from sjvirtual_tui.models import Role

DEMO_CODE = "CB-SJVD-EM26"
DEMO_ACCOUNT = "00104721"
DEMO_DAYS_AGO = 3


def seed_certificates(conn: Connection, now: datetime, member_id: int, holder_id: int) -> None:
    """The demo member's certificate of :data:`DEMO_ACCOUNT`, inside the caller's write
    transaction (after the movements: its band is read from them)."""
    member = CurrentMember(
        id=member_id, username="demo", role=Role.MEMBER, holder_id=holder_id, status="active"
    )
    certificates.issue(
        conn, member, DEMO_ACCOUNT, now - timedelta(days=DEMO_DAYS_AGO), code=DEMO_CODE
    )
