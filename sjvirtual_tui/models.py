"""The wire contract between the TUI and any S.J. Virtual server.

Pydantic v2 models only: no Textual, no httpx. The bundled mock server imports these same
models, so the contract cannot drift. Money is always integer cents (``*_cents``), never a float.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# The code lists live in a pydantic-free module so the first screen can start without pydantic;
# they are part of this contract all the same.
from sjvirtual_tui.enums import ACCOUNT_TYPE_LABELS as ACCOUNT_TYPE_LABELS
from sjvirtual_tui.enums import AccountType as AccountType
from sjvirtual_tui.enums import Role as Role
from sjvirtual_tui.enums import SecurityImageId as SecurityImageId

# Amounts are integer cents. The bound keeps every sum far inside SQLite's 64-bit integers.
MAX_CENTS = 100_000_000_000  # $1.000.000.000,00
Cents = Annotated[int, Field(ge=-MAX_CENTS, le=MAX_CENTS)]

API_PREFIX = "/api/v1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- errors -------------------------------------------------------------------------------------


class ErrorBody(_Model):
    """Every non-2xx answer of the API has this body."""

    code: str = Field(description="Stable machine code, e.g. invalid_credentials, locked.")
    message: str = Field(description="A sentence in Spanish that a member can read.")
    field: str | None = Field(default=None, description="The request field at fault, if any.")


# --- authentication ---------------------------------------------------------------------------


Username = Annotated[str, Field(min_length=1, max_length=64)]
Password = Annotated[str, Field(min_length=1, max_length=256)]


class ChallengeRequest(_Model):
    username: Username


class SecurityChallenge(_Model):
    """What the login screen shows after INGRESAR: the member's image and phrase.

    An unknown username gets a stable decoy of the same shape, so usernames cannot be probed.
    """

    username: str
    image: SecurityImageId
    phrase: str


class LoginRequest(_Model):
    username: Username
    password: Password


class MemberProfile(_Model):
    username: str
    full_name: str
    role: Role = Role.MEMBER


class LoginResult(_Model):
    token: str = Field(description="Opaque bearer token for the Authorization header.")
    idle_timeout_seconds: int = Field(gt=0, description="The session ends after this idle time.")
    member: MemberProfile
    last_login_at: datetime | None = Field(
        default=None, description="The member's previous successful login, if any."
    )


# --- accounts and statements ------------------------------------------------------------------

AccountNumber = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]


class Account(_Model):
    number: str = Field(description="The number as printed in the cartola, e.g. 00105349.")
    type: AccountType
    currency: Literal["USD"] = "USD"
    available_cents: Cents = Field(description="Saldo disponible.")
    accounting_cents: Cents = Field(description="Saldo contable (includes held funds).")
    status: Literal["activa", "bloqueada", "cerrada"] = "activa"


class Movement(_Model):
    id: int
    posted_at: datetime
    description: str
    reference: str
    amount_cents: Cents = Field(description="Negative for a debit, positive for a credit.")
    balance_after_cents: Cents = Field(description="Accounting balance after this movement.")


StatementOrder = Literal["asc", "desc"]


class MovementPage(_Model):
    account_number: str
    date_from: date | None
    date_to: date | None
    order: StatementOrder
    total: int = Field(ge=0, description="Movements in the whole range, all pages.")
    items: list[Movement]
    next_cursor: str | None = Field(default=None, description="Pass back to get the next page.")


class Health(_Model):
    status: Literal["ok"] = "ok"
