"""The wire contract between the TUI and any S.J. Virtual server.

Pydantic v2 models only: no Textual, no httpx. The bundled mock server imports these same
models, so the contract cannot drift. Money is always integer cents (``*_cents``), never a float.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
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
    setup_required: bool = Field(
        default=False,
        description="PRIMER INGRESO pending: until POST /me/setup nothing else is reachable.",
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


# --- registration (REGISTRO DE SOCIOS) --------------------------------------------------------

Email = Annotated[
    str, Field(min_length=5, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
]
NewUsername = Annotated[
    str,
    Field(
        min_length=4,
        max_length=30,
        pattern=r"^[a-z][a-z0-9._-]{3,29}$",
        description="Lower-case letters, digits, dot, dash or underscore; starts with a letter.",
    ),
]
Name = Annotated[str, Field(min_length=2, max_length=80)]
Digits10 = Annotated[str, Field(pattern=r"^[0-9]{10}$")]
Digits13 = Annotated[str, Field(pattern=r"^[0-9]{13}$")]


class PersonaRegistration(_Model):
    kind: Literal["persona"] = "persona"
    cedula: Digits10
    nombres: Name
    apellidos: Name
    fecha_nacimiento: date
    email: Email
    celular: Annotated[str, Field(pattern=r"^09[0-9]{8}$")]
    direccion: Annotated[str, Field(min_length=5, max_length=200)]
    usuario: NewUsername
    cuenta: AccountNumber


class EmpresaRegistration(_Model):
    kind: Literal["empresa"] = "empresa"
    ruc: Digits13
    razon_social: Annotated[str, Field(min_length=2, max_length=120)]
    representante_cedula: Digits10
    representante_nombre: Name
    email: Email
    telefono: Annotated[str, Field(pattern=r"^0[2-9][0-9]{7,8}$")]
    usuario: NewUsername
    cuenta: AccountNumber


RegistrationRequest = Annotated[
    PersonaRegistration | EmpresaRegistration, Field(discriminator="kind")
]


class RegistrationStatus(StrEnum):
    PENDIENTE = "pendiente"
    APROBADA = "aprobada"
    RECHAZADA = "rechazada"


class RegistrationReceipt(_Model):
    """What the applicant sees after CONFIRMAR: the request is en proceso de aprobación."""

    reference: str = Field(description="e.g. SOL-000123")
    status: RegistrationStatus
    created_at: datetime


class StaffRegistration(_Model):
    """A request as the teller sees it in the queue."""

    id: int
    reference: str
    status: RegistrationStatus
    created_at: datetime
    request: RegistrationRequest
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None


class RejectRequest(_Model):
    reason: Annotated[str, Field(min_length=5, max_length=300)]


class LockedMember(_Model):
    username: str
    full_name: str
    locked_at: datetime | None


# --- ESTABLECER CONTRASEÑA, PRIMER INGRESO, recovery ------------------------------------------

Code = Annotated[str, Field(min_length=4, max_length=32)]
Answer = Annotated[str, Field(min_length=2, max_length=80)]


class SetPasswordRequest(_Model):
    code: Code
    password: Password


class SecurityQuestion(_Model):
    id: int
    text: str


class FirstLoginSetup(_Model):
    """Everything the PRIMER INGRESO wizard collects, sent once at the final CONFIRMAR."""

    new_password: Password
    image: SecurityImageId
    phrase: Annotated[str, Field(min_length=3, max_length=60)]
    own_question: Annotated[str, Field(min_length=5, max_length=120)]
    own_answer: Answer
    question_id: int
    answer: Answer


class RecoveryRequest(_Model):
    username: Username


class RecoveryChallenge(_Model):
    """Both questions of the member (stable decoys for an unknown username)."""

    username: str
    own_question: str
    security_question: str


class RecoveryCompletion(_Model):
    username: Username
    own_answer: Answer
    security_answer: Answer
    code: Code
    new_password: Password


class OutboxMessage(_Model):
    """An e-mail the server "sent" (demo only: the Correo view)."""

    id: int
    to: str
    subject: str
    body: str
    created_at: datetime
