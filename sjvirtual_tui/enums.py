"""Code lists of the wire contract (re-exported by ``sjvirtual_tui.models``).

Plain enums with no pydantic, so that the login screen can draw before pydantic is imported.
"""

from __future__ import annotations

from enum import StrEnum

from sjvirtual_tui.i18n import N_, Labels


class SecurityImageId(StrEnum):
    """The gallery of security images. The TUI draws each one (widgets/security_image.py)."""

    COLIBRI = "colibri"
    CONDOR = "condor"
    VOLCAN = "volcan"
    LLAMA = "llama"
    TORTUGA = "tortuga"
    CAFE = "cafe"
    CACAO = "cacao"
    FARO = "faro"
    BARCO = "barco"
    SOL = "sol"
    LUNA = "luna"
    GUITARRA = "guitarra"


class AccountType(StrEnum):
    AHORRO_VISTA = "ahorro_vista"
    AHORRO_PERSONAL = "ahorro_personal"


ACCOUNT_TYPE_LABELS: Labels[AccountType] = Labels(
    {
        AccountType.AHORRO_VISTA: N_("Ahorro a la vista"),
        AccountType.AHORRO_PERSONAL: N_("Ahorro personal"),
    }
)


class Role(StrEnum):
    MEMBER = "member"
    TELLER = "teller"
    # A teller who also approves the four-eyes requests and reads the audit log (issue 18).
    SUPERVISOR = "supervisor"
