"""Who is asking: the session's member as the bank's rules see it (no HTTP, no SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.domain.errors import Forbidden
from mock_server.i18n import N_, _
from sjvirtual_tui.models import Role

SOCIOS_ONLY_MESSAGE = N_("Esta opción es solo para socios con cuentas en la cooperativa.")


@dataclass(frozen=True)
class CurrentMember:
    id: int
    username: str
    role: Role
    holder_id: int | None  # whose accounts the member sees; None for staff
    status: str  # 'setup' or 'active' (a 'pending_password' user has no password to log in)


def check_socio(member: CurrentMember) -> CurrentMember:
    """``member``, if it is a socio (staff have no accounts to move); Forbidden otherwise."""
    if member.role is not Role.MEMBER or member.holder_id is None:
        raise Forbidden("forbidden", _(SOCIOS_ONLY_MESSAGE))
    return member
