"""What a screen may ask of a bank: one async method per business action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the login screen draws before pydantic is imported (start-up time)
    from datetime import date, datetime

    from sjvirtual_tui.models import (  # polizas (issue 17)
        Account,
        AccountLookup,
        AccountType,
        Approval,
        ApprovalRequested,
        ApprovalStatus,
        AuditEntry,
        Beneficiary,
        BeneficiaryRequest,
        Bill,
        Biller,
        CardIssuer,
        CashDepositRequest,
        CashDrawer,
        CashWithdrawalRequest,
        Challenge,
        CodeResent,
        ConfirmResult,
        ContactChangeRequest,
        ContactChangeStarted,
        CounterOperation,
        CreditCard,
        DebitCard,
        FirstLoginSetup,
        FrequentService,
        FrequentServiceRequest,
        Institution,
        Loan,
        LoanPaymentCover,
        LoanPaymentRequest,
        LoanPaymentStart,
        LoanProduct,
        LoanSimulation,
        LoanSimulationRequest,
        LoanTable,
        LockedMember,
        LoginResult,
        MemberContact,
        MemberFile,
        MemberProfile,
        MemberSearchResult,
        MovementPage,
        NotificationPage,
        NotificationsRead,
        OutboxMessage,
        PasswordChange,
        Payment,
        PaymentRequest,
        PaymentStart,
        Poliza,
        PolizaRequest,
        PolizaSimulation,
        PolizaSimulationRequest,
        PolizaStart,
        RecoveryChallenge,
        RecoveryCompletion,
        RecoveryStarted,
        RegistrationReceipt,
        RegistrationRequest,
        SecurityChallenge,
        SecurityChange,
        SecurityQuestion,
        StaffRegistration,
        StatementOrder,
        Transfer,
        TransferLimits,
        TransferRequest,
        TransferStart,
    )


class Backend(Protocol):
    """Implemented by :class:`sjvirtual_tui.backend.http.HttpBackend` (and test doubles).

    Methods raise :class:`sjvirtual_tui.backend.errors.BackendError` subclasses only.
    """

    @property
    def logged_in(self) -> bool: ...

    def seconds_since_last_request(self) -> float:
        """Idle time as the server counts it: since the last request this client sent."""
        ...

    async def security_challenge(self, username: str) -> SecurityChallenge: ...

    async def login(
        self, username: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        """``device_token``: this terminal's token from an earlier login, if it kept one."""
        ...

    async def logout(self) -> None: ...

    def forget_session(self) -> None:
        """Drops the local token without telling the server (it already ended the session)."""
        ...

    async def accounts(self) -> list[Account]: ...

    async def statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        order: StatementOrder = "desc",
        limit: int = 100,
        cursor: str | None = None,
    ) -> MovementPage: ...

    def prefetch_statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 100,
    ) -> None:
        """Starts the request of the first page that ``statement`` with the same arguments
        (newest first) will return, to have it at hand; a later failure goes unsaid here."""
        ...

    def prefetched_statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 100,
    ) -> MovementPage | None:
        """That page if it has come already (then it is taken), else None."""
        ...

    # --- registration, first login, recovery (state-changing calls take the caller's
    # Idempotency-Key, chosen once per operation and reused when the member retries it) ---

    async def register(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> RegistrationReceipt: ...

    async def set_password(self, code: str, password: str, *, idempotency_key: str) -> None: ...

    async def security_questions(self) -> list[SecurityQuestion]: ...

    async def complete_setup(
        self, setup: FirstLoginSetup, *, idempotency_key: str
    ) -> MemberProfile: ...

    async def start_recovery(self, username: str) -> RecoveryStarted:
        """Asks for a recovery code by e-mail; the answer is the same for every username."""
        ...

    async def verify_recovery_code(self, username: str, code: str) -> RecoveryChallenge:
        """The member's two questions, for the code of the e-mail (AuthError otherwise)."""
        ...

    async def complete_recovery(
        self, completion: RecoveryCompletion, *, idempotency_key: str
    ) -> None: ...

    # --- staff (tellers) ---

    async def pending_registrations(self) -> list[StaffRegistration]: ...

    async def approve_registration(
        self, registration_id: int, *, idempotency_key: str
    ) -> StaffRegistration: ...

    async def reject_registration(
        self, registration_id: int, reason: str, *, idempotency_key: str
    ) -> StaffRegistration: ...

    async def locked_members(self) -> list[LockedMember]: ...

    async def unlock_member(self, username: str, *, idempotency_key: str) -> None: ...

    # --- productos de terceros and transferencias ---

    async def institutions(self) -> list[Institution]: ...

    async def beneficiaries(self) -> list[Beneficiary]: ...

    async def lookup_account(self, account_type: AccountType, number: str) -> AccountLookup: ...

    async def add_beneficiary(
        self, request: BeneficiaryRequest, *, idempotency_key: str
    ) -> Challenge: ...

    async def delete_beneficiary(self, beneficiary_id: int, *, idempotency_key: str) -> None: ...

    async def start_transfer(
        self, request: TransferRequest, *, idempotency_key: str
    ) -> TransferStart: ...

    async def confirm(
        self, challenge: Challenge, pin: str, *, idempotency_key: str
    ) -> ConfirmResult:
        """Confirms ``challenge`` with the PIN; the challenge's amount and payee are echoed."""
        ...

    async def transfers(self, limit: int = 50) -> list[Transfer]: ...

    async def transfer(self, transfer_id: int) -> Transfer: ...

    async def limits(self) -> TransferLimits: ...

    # --- pago de servicios and pago de tarjetas ---

    async def billers(self, query: str = "") -> list[Biller]: ...

    async def bill(self, biller_code: str, reference: str) -> Bill: ...

    async def frequent_services(self) -> list[FrequentService]: ...

    async def add_frequent_service(
        self, request: FrequentServiceRequest, *, idempotency_key: str
    ) -> FrequentService: ...

    async def delete_frequent_service(self, service_id: int, *, idempotency_key: str) -> None: ...

    async def cards(self) -> list[CreditCard]: ...

    async def card_issuers(self) -> list[CardIssuer]: ...

    async def start_payment(
        self, request: PaymentRequest, *, idempotency_key: str
    ) -> PaymentStart: ...

    async def payments(self, limit: int = 50) -> list[Payment]: ...

    async def payment(self, payment_id: int) -> Payment: ...

    # --- demo ---

    async def outbox(self) -> list[OutboxMessage]: ...

    async def aclose(self) -> None: ...

    # --- certificates (issue 17) ---

    async def issue_certificate(self, account_number: str, *, idempotency_key: str) -> Certificate:
        """A certificado bancario of one of the member's accounts; the server keeps its code."""
        ...

    async def verify_certificate(self, code: str) -> CertificateCheck:
        """Staff: the certificate a code stands for (NotFound for none)."""
        ...

    # --- polizas (issue 17) ---

    async def polizas(self) -> list[Poliza]: ...

    async def simulate_poliza(self, request: PolizaSimulationRequest) -> PolizaSimulation: ...

    async def start_poliza(
        self, request: PolizaRequest, *, idempotency_key: str
    ) -> PolizaStart: ...

    # --- loans (issue 17) ---

    async def loans(self) -> list[Loan]: ...

    async def loan_table(self, loan_id: int) -> LoanTable: ...

    async def loan_products(self) -> list[LoanProduct]: ...

    async def simulate_loan(self, request: LoanSimulationRequest) -> LoanSimulation: ...

    async def loan_cover(self, loan_id: int, amount_cents: int) -> LoanPaymentCover: ...

    async def start_loan_payment(
        self, loan_id: int, request: LoanPaymentRequest, *, idempotency_key: str
    ) -> LoanPaymentStart: ...

    # --- notifications (issue 17) ---

    async def notifications(self, limit: int = 50, cursor: str | None = None) -> NotificationPage:
        """A page of the member's inbox (AVISOS), newest first, with the unread count."""
        ...

    async def mark_notification_read(
        self, notification_id: int, *, idempotency_key: str
    ) -> NotificationsRead: ...

    async def mark_all_notifications_read(self, *, idempotency_key: str) -> NotificationsRead: ...

    # --- self-service (ADMINISTRACIÓN › Mi perfil y seguridad) ---

    async def change_password(self, request: PasswordChange, *, idempotency_key: str) -> None: ...

    async def change_security(self, request: SecurityChange, *, idempotency_key: str) -> None: ...

    async def my_contact(self) -> MemberContact: ...

    async def request_contact_change(
        self, request: ContactChangeRequest, *, idempotency_key: str
    ) -> ContactChangeStarted: ...

    async def confirm_contact_change(
        self, change_id: int, code: str, *, idempotency_key: str
    ) -> MemberContact: ...

    async def debit_cards(self) -> list[DebitCard]: ...

    async def block_debit_card(self, card_id: int, *, idempotency_key: str) -> DebitCard: ...

    async def member_debit_cards(self, username: str) -> list[DebitCard]: ...

    async def unblock_debit_card(
        self, card_id: int, reason: str, *, idempotency_key: str
    ) -> DebitCard: ...

    # --- approvals and audit (issue 18) ---

    async def request_security_reset(
        self, username: str, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        """A teller asks a supervisor to reset a member's security image and questions."""
        ...

    async def resend_approval_code(self, username: str, *, idempotency_key: str) -> CodeResent:
        """A new ESTABLECER CONTRASEÑA code e-mailed; the old one stops working."""
        ...

    async def register_walk_in(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> StaffRegistration:
        """A walk-in socio's registration, approved at once by the teller."""
        ...

    async def approvals(self, status: ApprovalStatus | None = None) -> list[Approval]: ...

    async def decide_approval(
        self, approval_id: int, approve: bool, reason: str, *, idempotency_key: str
    ) -> Approval: ...

    async def audit_entries(
        self,
        *,
        member: str = "",
        actor: str = "",
        action: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]: ...

    # --- teller counter (issue 18) ---

    async def search_members(self, query: str) -> MemberSearchResult: ...

    async def member_file(self, holder_id: int, reason: str) -> MemberFile: ...

    async def cash_deposit(
        self, request: CashDepositRequest, *, idempotency_key: str
    ) -> CounterOperation: ...

    async def cash_withdrawal(
        self, request: CashWithdrawalRequest, *, idempotency_key: str
    ) -> CounterOperation: ...

    async def cash_drawer(self) -> CashDrawer: ...

    async def open_cash_drawer(
        self, opening_float_cents: int, *, idempotency_key: str
    ) -> CashDrawer: ...

    async def close_cash_drawer(
        self, counted_cents: int, *, idempotency_key: str
    ) -> CashDrawer: ...

    async def cash_operations(self) -> list[CounterOperation]:
        """The operations of the teller's open drawer, oldest first."""
        ...

    async def request_counter_reversal(
        self, operation_id: int, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        """A teller asks a supervisor to reverse one of the open drawer's operations."""
        ...


if TYPE_CHECKING:
    from sjvirtual_tui.models import Certificate, CertificateCheck
