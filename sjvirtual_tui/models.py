"""The wire contract between the TUI and any S.J. Virtual server.

Pydantic v2 models only: no Textual, no httpx. The bundled mock server imports these same
models, so the contract cannot drift. Money is always integer cents (``*_cents``), never a float.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

# The code lists live in a pydantic-free module so the first screen can start without pydantic;
# they are part of this contract all the same.
from sjvirtual_tui.enums import ACCOUNT_TYPE_LABELS as ACCOUNT_TYPE_LABELS
from sjvirtual_tui.enums import AccountType as AccountType
from sjvirtual_tui.enums import Role as Role
from sjvirtual_tui.enums import SecurityImageId as SecurityImageId

# Amounts are integer cents. The bound keeps every sum far inside SQLite's 64-bit integers.
# Strict: a JSON integer and nothing else (true, "100", 1e2 and 100.0 are refused, not read
# as 1 or 100); every integer a client sends is one of the types below.
MAX_CENTS = 100_000_000_000  # $1.000.000.000,00
Cents = Annotated[int, Strict(), Field(ge=-MAX_CENTS, le=MAX_CENTS)]
# Ids a client sends back (a beneficiary, a bill, a card, a question): stored as SQLite integers,
# so bounded like the path ids (a larger number is a 422, never an overflow in the store).
MAX_ID = 2**62
RowId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]

API_PREFIX = "/api/v1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- errors -------------------------------------------------------------------------------------


class ErrorBody(_Model):
    """Every non-2xx answer of the API has this body."""

    code: str = Field(description="Stable machine code, e.g. invalid_credentials, locked.")
    message: str = Field(
        description="A sentence a member can read, in the request's language (Accept-Language: "
        "es, the default, or en)."
    )
    field: str | None = Field(default=None, description="The request field at fault, if any.")


# --- authentication ---------------------------------------------------------------------------


Username = Annotated[str, Field(min_length=1, max_length=64)]
Password = Annotated[str, Field(min_length=1, max_length=256)]


class ChallengeRequest(_Model):
    username: Username


class SecurityChallenge(_Model):
    """What the login screen shows after INGRESAR: the member's security image, nothing else.

    An unknown username gets a stable decoy from the same catalog, so usernames cannot be
    probed; nothing the member typed (a phrase, a question) is shown before the password.
    """

    username: str
    image: SecurityImageId


DeviceToken = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{32,128}$")]


class LoginRequest(_Model):
    username: Username
    password: Password
    device_token: DeviceToken | None = Field(
        default=None,
        description="The token this terminal got at an earlier login (kept in its keyring). "
        "Absent or unknown: the login is from a new terminal, and the member gets an e-mail.",
    )


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
    device_token: str | None = Field(
        default=None,
        description="A new token for this terminal when the login presented none or an unknown "
        "one (the member was e-mailed about the new terminal); null when it was recognised.",
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
    direccion: Annotated[str, Field(min_length=5, max_length=200)]
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
    own_question: Annotated[str, Field(min_length=5, max_length=120)]
    own_answer: Answer
    question_id: RowId
    answer: Answer


class RecoveryRequest(_Model):
    username: Username


class RecoveryStarted(_Model):
    """The answer to a recovery request, the same for every username: if it is a member's,
    a code is on its way to the member's e-mail."""

    username: str
    code_valid_minutes: int


class RecoveryCodeCheck(_Model):
    username: Username
    code: Code


class RecoveryChallenge(_Model):
    """Both questions of the member, given only for the code e-mailed to the member."""

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


# --- the verification PIN ----------------------------------------------------------------------

Pin = Annotated[str, Field(pattern=r"^[0-9]{4}$", description="The 4 digits of the e-mail.")]
ChallengeId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
# The payee a PIN is bound to, in the server's canonical form (echoed back on confirm).
Payee = Annotated[str, Field(min_length=1, max_length=200)]


class ChallengePurpose(StrEnum):
    BENEFICIARY = "beneficiario"
    TRANSFER = "transferencia"
    PAYMENT = "pago"
    POLIZA = "poliza"
    LOAN_PAYMENT = "pago_prestamo"  # loans (issue 17)


class Challenge(_Model):
    """An operation waiting for its PIN DE VERIFICACIÓN (sent to the member's e-mail).

    The PIN is bound to ``amount_cents`` and ``payee``: the confirmation echoes both, and a PIN
    confirms nothing else. It expires at ``expires_at``; ``attempts_left`` wrong entries cancel it.
    """

    id: ChallengeId
    purpose: ChallengePurpose
    amount_cents: Cents | None = Field(description="None for a new beneficiary.")
    payee: Payee
    sent_to: str = Field(description="The member's e-mail, partly masked: l****@correo.ec")
    expires_at: datetime
    attempts_left: int = Field(ge=0)


class ConfirmRequest(_Model):
    pin: Pin
    amount_cents: Cents | None = Field(description="The challenge's amount, echoed.")
    payee: Payee = Field(description="The challenge's payee, echoed.")


# --- Productos de terceros (REGISTRO DE CUENTAS) ----------------------------------------------


class BeneficiaryKind(StrEnum):
    INTERNA = "interna"  # cuenta de terceros: another socio's account in this cooperative
    EXTERNA = "externa"  # otras instituciones financieras


class ExternalAccountType(StrEnum):
    AHORROS = "ahorros"
    CORRIENTE = "corriente"


class IdType(StrEnum):
    CEDULA = "cedula"
    RUC = "ruc"
    PASAPORTE = "pasaporte"


class Institution(_Model):
    """Another financial institution (seeded list), by its clearing code."""

    code: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    name: str
    kind: Literal["banco", "cooperativa", "mutualista"]


class AccountLookup(_Model):
    """A cooperative account found for REGISTRO DE CUENTAS, shown to verify before AGREGAR."""

    registered_number: str = Field(description="By the manual's rule: 00105349 -> 1105349.")
    account_type: AccountType
    holder_name: str = Field(description="Partly masked: L*** Y**** C*****.")


InternalNumber = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,20}$",
        description="As in the cartola (00105349) or already prefixed (1105349).",
    ),
]
ExternalNumber = Annotated[str, Field(pattern=r"^[0-9]{5,20}$")]
IdNumber = Annotated[str, Field(pattern=r"^[A-Z0-9]{5,20}$")]


class InternalBeneficiaryRequest(_Model):
    kind: Literal["interna"] = "interna"
    account_type: AccountType
    number: InternalNumber


class ExternalBeneficiaryRequest(_Model):
    kind: Literal["externa"] = "externa"
    institution_code: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    account_type: ExternalAccountType
    number: ExternalNumber
    id_type: IdType
    id_number: IdNumber = Field(description="Cédula and RUC are checked; pasaporte 5..20.")
    name: Name
    email: Email | None = None


BeneficiaryRequest = Annotated[
    InternalBeneficiaryRequest | ExternalBeneficiaryRequest, Field(discriminator="kind")
]


class Beneficiary(_Model):
    id: int
    kind: BeneficiaryKind
    name: str = Field(description="Interna: the holder, partly masked. Externa: as registered.")
    number: str = Field(description="Interna: the registered form (1105349).")
    account_type: AccountType | ExternalAccountType
    institution_code: str
    institution_name: str
    id_type: IdType | None = None
    id_number: str | None = None
    email: str | None = None
    created_at: datetime


# --- TRANSFERENCIAS ---------------------------------------------------------------------------


class TransferKind(StrEnum):
    PROPIAS = "propias"  # entre cuentas propias: no PIN
    INTERNAS = "internas"  # internas a terceros (a registered interna beneficiary)
    INTERBANCARIAS = "interbancarias"  # a otras instituciones financieras (externa beneficiary)


class TransferStatus(StrEnum):
    PENDIENTE = "pendiente_verificacion"  # waiting for the PIN; no money moved
    COMPLETADA = "completada"  # credited
    EN_PROCESO = "en_proceso"  # interbank: debited, waiting for the clearing
    RECHAZADA = "rechazada"  # interbank: refused by the other institution, money returned
    CANCELADA = "cancelada"  # 3 wrong PINs or the PIN expired; no money moved


PositiveCents = Annotated[int, Strict(), Field(ge=1, le=MAX_CENTS)]
Description = Annotated[str, Field(min_length=1, max_length=60)]


class TransferRequest(_Model):
    kind: TransferKind
    from_account: AccountNumber = Field(description="The origin, as in the cartola.")
    to_account: AccountNumber | None = Field(
        default=None, description="propias only: the member's other account."
    )
    beneficiary_id: RowId | None = Field(default=None, description="internas and interbancarias.")
    amount_cents: PositiveCents
    description: Description


class Transfer(_Model):
    """A transfer and, once executed, its receipt."""

    id: int
    reference: str = Field(description="e.g. TRF-0000123")
    kind: TransferKind
    status: TransferStatus
    from_account: str
    to_account: str
    to_name: str
    to_institution: str
    amount_cents: PositiveCents
    description: str
    created_at: datetime
    executed_at: datetime | None = Field(default=None, description="When the money left.")
    settled_at: datetime | None = Field(default=None, description="Interbank: cleared/returned.")
    reason: str | None = Field(default=None, description="Why it was rejected or cancelled.")


class TransferStart(_Model):
    """``challenge`` is None for propias, which are executed at once."""

    transfer: Transfer
    challenge: Challenge | None = None


class ConfirmResult(_Model):
    purpose: ChallengePurpose
    beneficiary: Beneficiary | None = None
    transfer: Transfer | None = None
    payment: Payment | None = None
    poliza: Poliza | None = None
    loan_payment: LoanPayment | None = None  # loans (issue 17)


class TransferLimits(_Model):
    """Limits on transfers to third parties (internas and interbancarias); propias have none."""

    per_transaction_cents: Cents
    daily_cents: Cents
    used_today_cents: Cents
    available_today_cents: Cents


# --- PAGO DE SERVICIOS and PAGO DE TARJETAS -----------------------------------------------------


class BillerCategory(StrEnum):
    ELECTRICIDAD = "electricidad"
    AGUA = "agua"
    TELEFONIA = "telefonia"  # teléfono e internet
    TV = "tv"
    IMPUESTOS = "impuestos"  # municipales y vehiculares
    EDUCACION = "educacion"


class AmountRule(StrEnum):
    EXACTO = "exacto"  # exactly the amount due
    PARCIAL = "parcial"  # from $0,01 up to the amount due
    ABIERTO = "abierto"  # any amount from $0,01 (the amount due is a suggestion)


BillerCode = Annotated[str, Field(pattern=r"^[A-Z0-9_]{2,20}$")]
Reference = Annotated[str, Field(min_length=1, max_length=30)]


class Biller(_Model):
    """A company or institution whose bills members pay (seeded catalog)."""

    code: BillerCode
    name: str
    category: BillerCategory
    reference_label: str = Field(description="What the reference is: Número de contrato, ...")
    reference_hint: str = Field(description="Its format in words: 10 dígitos, ...")
    reference_pattern: str = Field(description="A regular expression the reference matches.")
    amount_rule: AmountRule


class Bill(_Model):
    """The pending bill found for a reference (CONSULTAR)."""

    id: int
    biller_code: str
    biller_name: str
    reference: str
    holder_name: str = Field(description="Partly masked.")
    period: str = Field(description="e.g. Noviembre 2026")
    amount_due_cents: PositiveCents
    due_date: date
    amount_rule: AmountRule
    min_amount_cents: PositiveCents
    max_amount_cents: PositiveCents


class FrequentService(_Model):
    id: int
    biller_code: str
    biller_name: str
    reference: str
    alias: str


class FrequentServiceRequest(_Model):
    biller_code: BillerCode
    reference: Reference
    alias: Annotated[str, Field(min_length=1, max_length=30)]


class CardBrand(StrEnum):
    VISA = "visa"
    MASTERCARD = "mastercard"
    DINERS = "diners"


class CreditCard(_Model):
    """One of the member's own cooperative credit cards."""

    id: int
    brand: CardBrand
    masked_number: str = Field(description="**** **** **** 4521")
    holder_name: str
    credit_limit_cents: Cents
    total_due_cents: Cents = Field(description="Pago total (saldo a la fecha de corte).")
    minimum_due_cents: Cents = Field(description="Pago mínimo.")
    due_date: date
    available_credit_cents: Cents


class CardIssuer(_Model):
    """A card of another institution: brand + issuing bank (seeded list)."""

    code: BillerCode
    name: str = Field(description="e.g. Visa Banco Pichincha")
    brand: CardBrand
    institution_code: str


CardNumber = Annotated[str, Field(pattern=r"^[0-9]{13,19}$")]


class ServicePaymentRequest(_Model):
    kind: Literal["servicio"] = "servicio"
    bill_id: RowId
    from_account: AccountNumber
    amount_cents: PositiveCents


class CardPaymentRequest(_Model):
    kind: Literal["tarjeta"] = "tarjeta"
    card_id: RowId
    from_account: AccountNumber
    amount_cents: PositiveCents


class ExternalCardPaymentRequest(_Model):
    kind: Literal["tarjeta_externa"] = "tarjeta_externa"
    issuer_code: BillerCode
    card_number: CardNumber = Field(description="Luhn-checked; only its last 4 digits are kept.")
    holder_name: Name
    from_account: AccountNumber
    amount_cents: PositiveCents


PaymentRequest = Annotated[
    ServicePaymentRequest | CardPaymentRequest | ExternalCardPaymentRequest,
    Field(discriminator="kind"),
]


class PaymentKind(StrEnum):
    SERVICIO = "servicio"
    TARJETA = "tarjeta"
    TARJETA_EXTERNA = "tarjeta_externa"


class Payment(_Model):
    """A payment and, once executed, its receipt. Statuses as for transfers."""

    id: int
    reference: str = Field(description="e.g. PAG-0000123")
    kind: PaymentKind
    status: TransferStatus
    from_account: str
    payee_name: str = Field(description="The biller, or the card (Visa Banco Pichincha).")
    payee_reference: str = Field(description="The contract/reference, or the masked card.")
    holder_name: str
    period: str | None = None
    amount_cents: PositiveCents
    created_at: datetime
    executed_at: datetime | None = None
    settled_at: datetime | None = None
    reason: str | None = None


class PaymentStart(_Model):
    payment: Payment
    challenge: Challenge


# --- polizas (issue 17) ---------------------------------------------------------------------------

# A term in days of a póliza (depósito a plazo fijo): from 31 days to 5 years.
MIN_POLIZA_DAYS = 31
MAX_POLIZA_DAYS = 1800
PolizaDays = Annotated[int, Strict(), Field(ge=MIN_POLIZA_DAYS, le=MAX_POLIZA_DAYS)]
# Basis points (1 % = 100): rates and the withholding never travel as floats.
BasisPoints = Annotated[int, Strict(), Field(ge=0, le=10_000)]


class PolizaRenewal(StrEnum):
    """What the cooperative does at maturity (the member's instruction)."""

    RENOVAR_TOTAL = "renovar_total"  # capital and interest, for the same term
    RENOVAR_CAPITAL = "renovar_capital"  # capital renewed, interest to the account
    NO_RENOVAR = "no_renovar"  # everything to the account


class PolizaRate(_Model):
    """One row of the rate table: terms from ``min_days`` to ``max_days`` (None: no upper end)."""

    min_days: int
    max_days: int | None
    rate_bp: BasisPoints = Field(description="Annual rate in basis points: 450 = 4,50 %.")


class PolizaSimulationRequest(_Model):
    amount_cents: PositiveCents
    term_days: PolizaDays
    withholding_bp: BasisPoints | None = Field(
        default=None, description="Withholding on the interest; None: the default (2 %)."
    )


class PolizaSimulation(_Model):
    amount_cents: PositiveCents
    term_days: int
    rate_bp: BasisPoints
    interest_cents: Cents = Field(description="Gross interest at maturity.")
    withholding_bp: BasisPoints
    withholding_cents: Cents
    net_interest_cents: Cents
    total_cents: Cents = Field(description="Capital plus net interest, at maturity.")
    start_date: date
    maturity_date: date


class PolizaRequest(_Model):
    from_account: AccountNumber = Field(description="The savings account it is paid from.")
    amount_cents: PositiveCents
    term_days: PolizaDays
    renewal: PolizaRenewal = PolizaRenewal.NO_RENOVAR


class Poliza(_Model):
    """A póliza (depósito a plazo fijo) and, once opened, its receipt."""

    id: int
    reference: str = Field(description="e.g. POL-0000123")
    status: TransferStatus = Field(description="completada: opened (vigente).")
    from_account: str
    amount_cents: PositiveCents
    rate_bp: BasisPoints
    term_days: int
    start_date: date
    maturity_date: date
    interest_cents: Cents
    withholding_bp: BasisPoints
    withholding_cents: Cents
    net_interest_cents: Cents
    total_cents: Cents
    renewal: PolizaRenewal
    created_at: datetime
    executed_at: datetime | None = None
    reason: str | None = None


# ConfirmResult.model_rebuild(): at the end (it names LoanPayment, issue 17).


# --- loans (issue 17) ---
# A yearly rate as a Decimal string with two decimals ("15.00" = 15,00 %): never a float.
Rate = Annotated[str, Field(pattern=r"^[0-9]{1,3}\.[0-9]{2}$", examples=["15.00"])]
LoanMonths = Annotated[int, Strict(), Field(ge=1, le=600)]


class LoanProductCode(StrEnum):
    CONSUMO = "consumo"
    MICROCREDITO = "microcredito"
    VIVIENDA = "vivienda"


class LoanProduct(_Model):
    """A loan product of the cooperative (demo data): its rate and bounds."""

    code: LoanProductCode
    label: str
    rate: Rate
    min_amount_cents: PositiveCents
    max_amount_cents: PositiveCents
    min_months: LoanMonths
    max_months: LoanMonths


class InstalmentStatus(StrEnum):
    PAGADA = "pagada"
    VENCIDA = "vencida"
    PENDIENTE = "pendiente"


class AmortizationRow(_Model):
    """One period of a French amortization table (the last absorbs the rounding)."""

    number: int
    payment_cents: Cents
    interest_cents: Cents
    capital_cents: Cents
    balance_cents: Cents = Field(description="Capital owed after this period.")
    due_date: date | None = None
    status: InstalmentStatus | None = None


class Loan(_Model):
    """One of the member's loans, as of today."""

    id: int
    product: LoanProductCode
    product_label: str
    amount_cents: PositiveCents
    rate: Rate
    months: LoanMonths
    disbursed_on: date
    instalment_cents: Cents = Field(description="The fixed instalment (French system).")
    balance_cents: Cents = Field(description="Capital still owed.")
    next_due_date: date | None = None
    next_due_cents: Cents = Field(description="What is still owed of the next instalment.")
    days_overdue: int = Field(ge=0, description="Days since the oldest unpaid instalment fell due.")
    overdue_cents: Cents = Field(description="Due today: mora, interest and capital past due.")
    mora_cents: Cents = Field(description="Late-payment interest owed today.")
    payoff_cents: Cents = Field(
        0,
        description="What cancels the loan today: everything due, the interest accrued so far"
        " in the running period and the capital not yet due (later interest is not charged).",
    )
    status: Literal["vigente", "cancelado"]


class LoanTable(_Model):
    loan: Loan
    rows: list[AmortizationRow]


class LoanSimulationRequest(_Model):
    product: LoanProductCode
    amount_cents: PositiveCents
    months: LoanMonths


class LoanSimulation(_Model):
    product: LoanProductCode
    rate: Rate
    amount_cents: PositiveCents
    months: LoanMonths
    instalment_cents: Cents
    total_interest_cents: Cents
    rows: list[AmortizationRow]


class LoanPaymentCover(_Model):
    """What a payment of ``amount_cents`` would pay of a loan today, in the order it is
    applied: mora, interest due, capital due, the running instalment's interest accrued so far
    (in ``interest_cents``), then capital not yet due (early: the later interest on it is
    waived and the instalments left recomputed)."""

    loan_id: int
    amount_cents: PositiveCents
    mora_cents: Cents
    interest_cents: Cents
    capital_cents: Cents
    early_capital_cents: Cents
    owed_now_cents: Cents = Field(description="Everything due today (mora included).")
    max_cents: Cents = Field(description="The most that can be paid today: the payoff.")
    waived_interest_cents: Cents = Field(
        0, description="Later interest no longer charged: the capital paid ahead stops accruing."
    )
    closes: bool = Field(False, description="The payment is the payoff: it cancels the loan.")


class LoanPaymentRequest(_Model):
    """Pay a loan from one of the member's savings accounts: an instalment, part of it, or
    capital ahead (what it covers: GET /loans/{id}/cover)."""

    from_account: AccountNumber
    amount_cents: PositiveCents


class LoanPayment(_Model):
    """A loan payment and, once executed, its receipt: what it paid, in the order applied."""

    id: int
    reference: str = Field(description="e.g. PRE-0000123")
    loan_id: int
    product_label: str
    status: Literal["pendiente_verificacion", "completada", "cancelada"]
    from_account: str
    amount_cents: PositiveCents
    mora_cents: Cents
    interest_cents: Cents
    capital_cents: Cents
    early_capital_cents: Cents
    created_at: datetime
    executed_at: datetime | None = None
    reason: str | None = None


class PolizaStart(_Model):
    poliza: Poliza
    challenge: Challenge


class LoanPaymentStart(_Model):
    loan_payment: LoanPayment
    challenge: Challenge


ConfirmResult.model_rebuild()


# --- certificates (issue 17) ---

# A certificate's verification code, as printed on it: CB- and two groups of 4 of a
# 31-letter alphabet (no 0/O, 1/I/L: read aloud at a counter without doubt).
CERTIFICATE_CODE_PATTERN = r"^CB-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$"


class BalanceLevel(StrEnum):
    """Where the average falls among the numbers of its digits: 1-3 bajos, 4-6 medios, 7-9
    altos (the leading digit), as Ecuadorian certificates say "cifras medias"."""

    BAJOS = "bajos"
    MEDIOS = "medios"
    ALTOS = "altos"


class CertificateRequest(_Model):
    account_number: AccountNumber = Field(description="The account to certify, e.g. 00105349.")


class Certificate(_Model):
    """A certificado bancario: who holds which account since when, and the band of its average
    daily balance (never the amount). ``code`` lets a teller verify it."""

    code: str = Field(pattern=CERTIFICATE_CODE_PATTERN, description="e.g. CB-7K2M-9XQ4")
    holder_name: str
    identification: str = Field(description="The holder's cédula or RUC.")
    account_number: str
    account_type: AccountType
    opened_on: date = Field(description="The account's opening day (Ecuador).")
    issued_at: datetime
    average_digits: int = Field(ge=1, le=12, description="Digits of the average in dollars.")
    average_level: BalanceLevel
    window_days: int = Field(ge=1, description="Days of the average (the last 90).")


class CertificateCheck(_Model):
    """What a teller sees of a certificate by its code (the account masked)."""

    code: str
    holder_name: str
    account_masked: str = Field(description="The account's last 4 digits, e.g. ****5349.")
    account_type: AccountType
    issued_at: datetime
    average_digits: int
    average_level: BalanceLevel


# --- notifications (issue 17) ---


class Notification(_Model):
    """One notice of the member's inbox (AVISOS): what the bank told the member, the event
    its e-mail (if any) was written from. Title and body are in the member's language as it
    was when the notice was made."""

    id: int
    kind: str = Field(
        description="transfer_out, transfer_in, payment, failed_login, new_terminal, "
        "card_blocked, instalment_due, ... (more may come)."
    )
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None = None


class NotificationPage(_Model):
    """A keyset page of the inbox, newest first, with the inbox's counts."""

    total: int = Field(ge=0, description="Notices in the whole inbox, all pages.")
    unread: int = Field(ge=0, description="Of them, not read yet.")
    items: list[Notification]
    next_cursor: str | None = Field(default=None, description="Pass back to get the next page.")


class NotificationsRead(_Model):
    """The answer of marking read: the inbox's unread count after it."""

    unread: int = Field(ge=0)


# --- self-service (ADMINISTRACIÓN › Mi perfil y seguridad) ---------------------------------------

Phone = Annotated[str, Field(pattern=r"^09[0-9]{8}$", description="A mobile number: 09 + 8.")]


class PasswordChange(_Model):
    """Cambiar contraseña: the current one, the new one and its repetition."""

    current_password: Password
    new_password: Password
    confirm_password: Password


class SecurityChange(_Model):
    """Cambiar imagen y preguntas: the shapes of the PRIMER INGRESO, with the current password."""

    current_password: Password
    image: SecurityImageId
    own_question: Annotated[str, Field(min_length=5, max_length=120)]
    own_answer: Answer
    question_id: RowId
    answer: Answer


class MemberContact(_Model):
    email: str
    phone: str | None = None


class ContactChangeRequest(_Model):
    """A new e-mail and/or mobile phone; a code goes to the new address."""

    email: Email | None = None
    phone: Phone | None = None


class ContactChangeStarted(_Model):
    id: int = Field(description="The change's id, for POST /me/contact/{id}/confirm.")
    sent_to: list[str] = Field(description="Where the code went (the new e-mail, the phone).")
    code_valid_minutes: int


class ContactCode(_Model):
    code: Annotated[str, Field(min_length=1, max_length=20)]


class DebitCardStatus(StrEnum):
    ACTIVA = "activa"
    BLOQUEADA = "bloqueada"


class DebitCard(_Model):
    id: int
    number: str = Field(description="Masked: **** **** **** 1234.")
    last4: str
    account: str = Field(description="The account the card draws on.")
    status: DebitCardStatus
    blocked_at: datetime | None = None


class DebitCardUnblock(_Model):
    reason: Annotated[str, Field(min_length=5, max_length=300)]


# --- approvals and audit (issue 18) ---


class ApprovalStatus(StrEnum):
    PENDIENTE = "pendiente"
    APROBADA = "aprobada"
    RECHAZADA = "rechazada"


class ApprovalKind(StrEnum):
    """The kinds of four-eyes request the server knows (others may be added)."""

    SECURITY_RESET = "security_reset"
    CASH_WITHDRAWAL = "cash_withdrawal"
    COUNTER_REVERSAL = "counter_reversal"


class StaffReason(_Model):
    """Why a teller asks for something (a security reset): at least 5 characters."""

    reason: Annotated[str, Field(min_length=5, max_length=300)]


class ApprovalDecision(_Model):
    """A supervisor's decision; a rejection needs a reason (an approval may carry one)."""

    reason: Annotated[str, Field(max_length=300)] = ""


class Approval(_Model):
    """A four-eyes request as a supervisor sees it in the queue."""

    id: int
    kind: str = Field(description="security_reset, cash_withdrawal, counter_reversal, ...")
    summary: str = Field(description="What approving it does, in the request's language.")
    member: str | None = Field(description="The username of the member it is for.")
    payload: dict[str, object] = Field(description="The kind's details.")
    requested_by: str
    requested_at: datetime
    terminal: str | None = None
    request_reason: str
    status: ApprovalStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


class ApprovalRequested(_Model):
    """The answer (202) to a request that waits for a supervisor."""

    approval: Approval


class CodeResent(_Model):
    """A new ESTABLECER CONTRASEÑA code was e-mailed (to this masked address)."""

    username: str
    email: str


class AuditEntry(_Model):
    """One row of the audit log (append-only)."""

    id: int
    recorded_at: datetime
    actor_kind: str
    actor: str
    terminal: str | None = None
    action: str
    member: str | None = Field(default=None, description="The username acted on or for.")
    reason: str | None = None
    outcome: str
    detail: str | None = None


# --- teller counter (issue 18) ---

# What a search query was read as (one query can be read several ways: 09… is a cédula or a
# phone).
SearchKind = Literal["cedula", "ruc", "cuenta", "telefono", "nombre", "usuario"]
CounterKind = Literal["deposito", "retiro"]
CounterStatus = Literal["completada", "pendiente_aprobacion", "rechazada"]
CounterReversalState = Literal["pendiente", "reversada"]
# The online-banking state a teller reads in a member file.
OnlineState = Literal[
    "sin_usuario", "pendiente_contrasena", "pendiente_primer_ingreso", "activo", "bloqueado"
]
# What a teller types in the search box: digits, letters, spaces and the name's accents.
SearchQuery = Annotated[str, Field(min_length=2, max_length=80)]
CounterAccount = Annotated[str, Field(pattern=r"^[0-9]{1,13}$")]
TypedIdentification = Annotated[str, Field(pattern=r"^[0-9]{10}([0-9]{3})?$")]
NonNegativeCents = Annotated[int, Strict(), Field(ge=0, le=MAX_CENTS)]
Reason = Annotated[str, Field(min_length=5, max_length=200)]


class MemberHit(_Model):
    """One socio found by the teller's search."""

    holder_id: int = Field(description="The socio's id: the member file's key.")
    identification: str
    name: str
    kind: Literal["persona", "empresa"]
    username: str | None = None
    phone: str | None = None
    accounts: list[str] = Field(default_factory=list, description="Cartola numbers.")


class MemberSearchResult(_Model):
    query: str
    read_as: list[SearchKind] = Field(description="How the query was read.")
    results: list[MemberHit]
    truncated: bool = Field(description="More matched than the limit: refine the query.")


class FileAccount(_Model):
    number: str
    type: AccountType
    available_cents: Cents
    accounting_cents: Cents
    status: str


class FileMovement(_Model):
    account_number: str
    posted_at: datetime
    description: str
    reference: str
    amount_cents: Cents
    balance_after_cents: Cents


class MemberTerminal(_Model):
    kind: Literal["sesion", "dispositivo"]
    created_at: datetime
    last_seen_at: datetime


class OnlineBanking(_Model):
    state: OnlineState
    username: str | None = None
    email: str | None = None
    locked_at: datetime | None = None
    last_login_at: datetime | None = None
    failed_logins: int = 0
    terminals: list[MemberTerminal] = Field(default_factory=list)


class MemberFile(_Model):
    """A socio's file as a teller reads it (read-only)."""

    holder_id: int
    identification: str
    name: str
    kind: Literal["persona", "empresa"]
    phone: str | None = None
    accounts: list[FileAccount]
    movements: list[FileMovement] = Field(description="The last 10, newest first.")
    online: OnlineBanking
    # Loans and pólizas join the file once the server has them.
    loans: list[str] = Field(default_factory=list)
    polizas: list[str] = Field(default_factory=list)


# Cash at the counter: a drawer's opening float and one deposit or withdrawal are of
# $100.000,00 at most (cash a teller can count; larger sums go by transfer). The bound keeps
# a drawer's and an account's totals far inside the cents every model reads.
DRAWER_FLOAT_MAX_CENTS = 10_000_000
COUNTER_CASH_MAX_CENTS = 10_000_000
CounterCents = Annotated[int, Strict(), Field(ge=1, le=COUNTER_CASH_MAX_CENTS)]


class CashDepositRequest(_Model):
    account: CounterAccount = Field(description="The socio's account, as in the cartola.")
    amount_cents: CounterCents
    depositor: Name = Field(description="Who hands in the cash.")


class CashWithdrawalRequest(_Model):
    account: CounterAccount
    amount_cents: CounterCents
    identification: TypedIdentification = Field(
        description="The holder's cédula or RUC, typed by the teller from the document."
    )


class CounterOperation(_Model):
    """A cash deposit or withdrawal at the counter and, once executed, its receipt."""

    id: int
    reference: str = Field(description="e.g. CAJ-0000012")
    kind: CounterKind
    status: CounterStatus
    account: str
    holder_name: str
    amount_cents: PositiveCents
    depositor: str | None = None
    teller: str
    created_at: datetime
    executed_at: datetime | None = None
    approved_by: str | None = None
    reversal: CounterReversalState | None = Field(
        default=None,
        description="pendiente: a reversal waits for a supervisor; reversada: it was reversed.",
    )
    reversed_at: datetime | None = None
    reversed_by: str | None = Field(default=None, description="The supervisor who approved it.")


class DrawerOpenRequest(_Model):
    opening_float_cents: Annotated[int, Strict(), Field(ge=0, le=DRAWER_FLOAT_MAX_CENTS)]


class DrawerCloseRequest(_Model):
    counted_cents: NonNegativeCents


# A sum of many operations: bounded by the largest integer every JSON reader keeps exact
# (2^53 - 1), not by one amount's maximum.
TOTAL_MAX_CENTS = 2**53 - 1
DrawerTotal = Annotated[int, Strict(), Field(ge=0, le=TOTAL_MAX_CENTS)]
SignedTotal = Annotated[int, Strict(), Field(ge=-TOTAL_MAX_CENTS, le=TOTAL_MAX_CENTS)]


class CashDrawer(_Model):
    """The cuadre de caja of a teller's drawer session."""

    session_id: int
    drawer_account: str
    opened_at: datetime
    opening_float_cents: NonNegativeCents
    # Sums of a day's operations: each operation is bounded, their sum is not (a drawer that
    # took many large deposits must still be read and closed).
    deposits_cents: DrawerTotal
    deposits_count: int
    withdrawals_cents: DrawerTotal
    withdrawals_count: int
    reversed_deposits_cents: DrawerTotal = 0
    reversed_withdrawals_cents: DrawerTotal = 0
    reversals_count: int = 0
    expected_cents: SignedTotal = Field(
        description="Float + deposits - withdrawals - deposits reversed + withdrawals reversed."
    )
    closed_at: datetime | None = None
    counted_cents: NonNegativeCents | None = None
    difference_cents: SignedTotal | None = None
