"""``Backend`` over HTTP with httpx: speaks the API of docs/api.md to any server."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
import pydantic

from sjvirtual_tui.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailable,
    ChallengeFailed,
    Forbidden,
    InsufficientFunds,
    LockedError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerBusy,
    ServerError,
    SessionExpired,
    ValidationError,
)
from sjvirtual_tui.i18n import _, language
from sjvirtual_tui.models import (  # polizas (issue 17)
    API_PREFIX,
    Account,
    AccountLookup,
    AccountType,
    Approval,
    ApprovalDecision,
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
    ChallengeRequest,
    CodeResent,
    ConfirmRequest,
    ConfirmResult,
    ContactChangeRequest,
    ContactChangeStarted,
    ContactCode,
    CounterOperation,
    CreditCard,
    DebitCard,
    DebitCardUnblock,
    DrawerCloseRequest,
    DrawerOpenRequest,
    ErrorBody,
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
    LoginRequest,
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
    RecoveryCodeCheck,
    RecoveryCompletion,
    RecoveryRequest,
    RecoveryStarted,
    RegistrationReceipt,
    RegistrationRequest,
    RejectRequest,
    SecurityChallenge,
    SecurityChange,
    SecurityQuestion,
    SetPasswordRequest,
    StaffReason,
    StaffRegistration,
    StatementOrder,
    Transfer,
    TransferLimits,
    TransferRequest,
    TransferStart,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=pydantic.BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
# Pauses before the 2nd and 3rd send of a state-changing request whose answer was lost. Safe
# because each send carries the operation's Idempotency-Key: the server applies it once.
RETRY_DELAYS = (0.25, 1.0)
# Errors raised before the request left this machine: it cannot have been applied.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A statement's first page asked for ahead (the account highlighted on the dashboard) serves
# the statement opened within this long, if nothing was sent to the server meanwhile.
PREFETCH_SECONDS = 30.0

_StatementKey = tuple[str, date | None, date | None, str, int, str | None]
_CHALLENGE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_BILLER_CODE = re.compile(r"^[A-Z0-9_]{2,20}$")


def _retry_after(response: httpx.Response) -> int | None:
    """The ``Retry-After`` seconds of an answer (an HTTP date is not used by our server)."""
    value = response.headers.get("Retry-After", "").strip()
    return int(value) if value.isdigit() else None


class HttpBackend:
    """A ``Backend`` for a server at ``base_url``.

    ``transport`` lets tests run against the FastAPI app in-process (``httpx.ASGITransport``)
    or inject faults; ``monotonic`` lets them drive the idle clock.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": "sjvirtual-tui", "Accept": "application/json"},
        )
        self._token: str | None = None
        self._monotonic = monotonic
        self._last_request = monotonic()
        self._retry_delays = retry_delays
        # statement arguments -> (when asked, the request under way or done): see prefetch
        self._prefetched: dict[_StatementKey, tuple[float, asyncio.Task[MovementPage]]] = {}

    # --- session state -------------------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def seconds_since_last_request(self) -> float:
        return self._monotonic() - self._last_request

    def forget_session(self) -> None:
        self._token = None
        self._forget_prefetched()

    # --- transport -----------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        # The server answers its errors and writes its e-mails in the member's language.
        headers = {"Accept-Language": language()}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if auth:
            if self._token is None:
                raise SessionExpired(_("Su sesión terminó. Ingrese nuevamente."))
            headers["Authorization"] = f"Bearer {self._token}"
        # Only reads and requests with a key are sent again: for them a lost answer is harmless
        # to retry. (A read also meets the commonest failure: a kept-alive connection that the
        # server closed while the member was reading the screen.)
        if method != "GET":  # it may change balances: pages read ahead are stale now
            self._forget_prefetched()
        retry = idempotency_key is not None or method == "GET"
        delays = self._retry_delays if retry else ()
        maybe_applied = False
        for attempt in range(len(delays) + 1):
            self._last_request = self._monotonic()
            try:
                response = await self._client.request(
                    method, API_PREFIX + path, json=json, params=params, headers=headers
                )
                break
            except httpx.TransportError as exc:  # timeouts included
                log.info("%s %s failed: %s", method, path, type(exc).__name__)
                maybe_applied = maybe_applied or not isinstance(exc, _NOT_SENT)
                if attempt < len(delays):
                    await asyncio.sleep(delays[attempt])
                    continue
                if idempotency_key is not None and maybe_applied:
                    raise OutcomeUnknown() from exc
                if isinstance(exc, httpx.TimeoutException):
                    raise BackendUnavailable(
                        _("El servidor de S.J. Virtual no respondió a tiempo.")
                    ) from exc
                raise BackendUnavailable(
                    _("No se pudo conectar con el servidor de S.J. Virtual ({url}).").format(
                        url=self.base_url
                    )
                ) from exc
        self._last_request = self._monotonic()
        if response.is_success:
            return response
        if response.status_code == 503 and idempotency_key is not None and maybe_applied:
            # This send was refused whole, but an earlier one whose answer was lost may have
            # been applied: still unknown, not "no change".
            raise OutcomeUnknown()
        raise self._error_for(response)

    def _error_for(self, response: httpx.Response) -> BackendError:
        body: ErrorBody | None
        try:
            body = ErrorBody.model_validate(response.json())
        except (ValueError, pydantic.ValidationError):
            body = None
        message = body.message if body else None
        code = body.code if body else ""
        field = body.field if body else None
        status = response.status_code
        log.info("API error %s %s", status, code)
        if status == 401:
            if code in ("session_expired", "not_authenticated"):
                self._token = None
                return SessionExpired(message, code=code)
            return AuthError(message, code=code)  # wrong credentials, answers or code
        if status == 423:
            return LockedError(message, code=code)
        if status == 403:
            return Forbidden(message, code=code)
        if status == 404:
            return NotFound(message, code=code)
        if code == "insufficient_funds":
            return InsufficientFunds(message, code=code, field=field)
        if status == 429:
            return RateLimited(message, retry_after=_retry_after(response), code=code, field=field)
        if status == 503:
            # Busy, or its database is down: the client's own words, with the wait it asked for
            # (a proxy's 503 has no ErrorBody: the same words).
            return ServerBusy(retry_after=_retry_after(response), code=code)
        if code in ("challenge_cancelled", "challenge_expired", "challenge_used"):
            return ChallengeFailed(message, code=code, field=field)
        if status in (400, 409, 422):
            return ValidationError(message, code=code, field=field)
        if status >= 500:
            return ServerError(None, code=code)
        return BackendError(message, code=code, field=field)

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise ServerError(_("El servidor envió una respuesta que no se entiende.")) from exc

    # --- authentication ------------------------------------------------------------------------

    async def security_challenge(self, username: str) -> SecurityChallenge:
        body = ChallengeRequest(username=username).model_dump(mode="json")
        response = await self._request("POST", "/auth/challenge", json=body, auth=False)
        return self._parse(SecurityChallenge, response)

    async def login(
        self, username: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        request = LoginRequest(username=username, password=password, device_token=device_token)
        body = request.model_dump(mode="json", exclude_none=True)
        response = await self._request("POST", "/auth/login", json=body, auth=False)
        result = self._parse(LoginResult, response)
        self._token = result.token
        return result

    async def logout(self) -> None:
        if self._token is None:
            return
        try:
            await self._request("POST", "/auth/logout")
        except BackendError as exc:
            # The token is dropped either way, and the server expires the session on its own.
            log.info("logout: %s", exc.code or type(exc).__name__)
        finally:
            self._token = None

    # --- accounts ------------------------------------------------------------------------------

    async def accounts(self) -> list[Account]:
        return await self._list(Account, "/accounts")

    async def statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        order: StatementOrder = "desc",
        limit: int = 100,
        cursor: str | None = None,
    ) -> MovementPage:
        key = (number, date_from, date_to, order, limit, cursor)
        asked, task = self._prefetched.pop(key, (0.0, None))
        if task is not None and self._monotonic() - asked <= PREFETCH_SECONDS:
            try:
                return await task
            except BackendError:
                pass  # asked for again below: the member sees this request's own answer
        return await self._statement(key)

    def prefetch_statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 100,
    ) -> None:
        """Asks now for the page :meth:`statement` will be asked for with these arguments
        (newest first, the first page), so that it is at hand when the member opens it."""
        key = (number, date_from, date_to, "desc", limit, None)
        asked, task = self._prefetched.get(key, (0.0, None))
        if task is not None and self._monotonic() - asked <= PREFETCH_SECONDS:
            return
        if task is not None:
            task.cancel()
        task = asyncio.get_running_loop().create_task(self._statement(key))
        # A failure is told by the statement's own request, asked again: never "not retrieved".
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._prefetched[key] = (self._monotonic(), task)

    def prefetched_statement(
        self,
        number: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 100,
    ) -> MovementPage | None:
        """The page :meth:`prefetch_statement` asked for, if it has come (taken: once)."""
        key = (number, date_from, date_to, "desc", limit, None)
        asked, task = self._prefetched.get(key, (0.0, None))
        if task is None or not task.done() or self._monotonic() - asked > PREFETCH_SECONDS:
            return None
        del self._prefetched[key]
        if task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    def _forget_prefetched(self) -> None:
        for _asked, task in self._prefetched.values():
            task.cancel()
        self._prefetched.clear()

    async def _statement(self, key: _StatementKey) -> MovementPage:
        number, date_from, date_to, order, limit, cursor = key
        if not number.isascii() or not number.isdigit():
            raise NotFound(_("Cuenta no encontrada."))  # never let a value reshape the URL path
        params: dict[str, Any] = {"order": order, "limit": limit}
        if date_from:
            params["date_from"] = date_from.isoformat()
        if date_to:
            params["date_to"] = date_to.isoformat()
        if cursor:
            params["cursor"] = cursor
        response = await self._request("GET", f"/accounts/{number}/movements", params=params)
        return self._parse(MovementPage, response)

    async def _list(self, model: type[M], path: str, *, auth: bool = True) -> list[M]:
        response = await self._request("GET", path, auth=auth)
        return self._parse_list(model, response)

    @staticmethod
    def _parse_list(model: type[M], response: httpx.Response) -> list[M]:
        try:
            return [model.model_validate(item) for item in response.json()]
        except (ValueError, TypeError, pydantic.ValidationError) as exc:
            raise ServerError(_("El servidor envió una respuesta que no se entiende.")) from exc

    # --- registration, first login, recovery ---------------------------------------------------

    async def register(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> RegistrationReceipt:
        response = await self._request(
            "POST",
            "/registrations",
            json=request.model_dump(mode="json"),
            auth=False,
            idempotency_key=idempotency_key,
        )
        return self._parse(RegistrationReceipt, response)

    async def set_password(self, code: str, password: str, *, idempotency_key: str) -> None:
        body = SetPasswordRequest(code=code, password=password).model_dump(mode="json")
        await self._request(
            "POST", "/auth/set-password", json=body, auth=False, idempotency_key=idempotency_key
        )

    async def security_questions(self) -> list[SecurityQuestion]:
        return await self._list(SecurityQuestion, "/security-questions", auth=False)

    async def complete_setup(
        self, setup: FirstLoginSetup, *, idempotency_key: str
    ) -> MemberProfile:
        response = await self._request(
            "POST", "/me/setup", json=setup.model_dump(mode="json"), idempotency_key=idempotency_key
        )
        return self._parse(MemberProfile, response)

    async def start_recovery(self, username: str) -> RecoveryStarted:
        body = RecoveryRequest(username=username).model_dump(mode="json")
        response = await self._request("POST", "/auth/recovery", json=body, auth=False)
        return self._parse(RecoveryStarted, response)

    async def verify_recovery_code(self, username: str, code: str) -> RecoveryChallenge:
        body = RecoveryCodeCheck(username=username, code=code).model_dump(mode="json")
        response = await self._request("POST", "/auth/recovery/verify", json=body, auth=False)
        return self._parse(RecoveryChallenge, response)

    async def complete_recovery(
        self, completion: RecoveryCompletion, *, idempotency_key: str
    ) -> None:
        await self._request(
            "POST",
            "/auth/recovery/complete",
            json=completion.model_dump(mode="json"),
            auth=False,
            idempotency_key=idempotency_key,
        )

    # --- staff ---------------------------------------------------------------------------------

    async def pending_registrations(self) -> list[StaffRegistration]:
        return await self._list(StaffRegistration, "/staff/registrations?status=pendiente")

    async def approve_registration(
        self, registration_id: int, *, idempotency_key: str
    ) -> StaffRegistration:
        response = await self._request(
            "POST",
            f"/staff/registrations/{int(registration_id)}/approve",
            idempotency_key=idempotency_key,
        )
        return self._parse(StaffRegistration, response)

    async def reject_registration(
        self, registration_id: int, reason: str, *, idempotency_key: str
    ) -> StaffRegistration:
        response = await self._request(
            "POST",
            f"/staff/registrations/{int(registration_id)}/reject",
            json=RejectRequest(reason=reason).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(StaffRegistration, response)

    async def locked_members(self) -> list[LockedMember]:
        return await self._list(LockedMember, "/staff/locked-members")

    async def unlock_member(self, username: str, *, idempotency_key: str) -> None:
        if not username.isascii() or not all(ch.isalnum() or ch in "._-" for ch in username):
            raise NotFound(_("Usuario no encontrado."))  # never let a value reshape the URL path
        await self._request(
            "POST", f"/staff/members/{username}/unlock", idempotency_key=idempotency_key
        )

    # --- productos de terceros ------------------------------------------------------------------

    async def institutions(self) -> list[Institution]:
        return await self._list(Institution, "/institutions")

    async def beneficiaries(self) -> list[Beneficiary]:
        return await self._list(Beneficiary, "/beneficiaries")

    async def lookup_account(self, account_type: AccountType, number: str) -> AccountLookup:
        params = {"account_type": account_type.value, "number": number}
        response = await self._request("GET", "/beneficiaries/lookup", params=params)
        return self._parse(AccountLookup, response)

    async def add_beneficiary(
        self, request: BeneficiaryRequest, *, idempotency_key: str
    ) -> Challenge:
        response = await self._request(
            "POST",
            "/beneficiaries",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(Challenge, response)

    async def delete_beneficiary(self, beneficiary_id: int, *, idempotency_key: str) -> None:
        await self._request(
            "DELETE", f"/beneficiaries/{int(beneficiary_id)}", idempotency_key=idempotency_key
        )

    # --- transferencias and the verification PIN -----------------------------------------------

    async def start_transfer(
        self, request: TransferRequest, *, idempotency_key: str
    ) -> TransferStart:
        response = await self._request(
            "POST",
            "/transfers",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(TransferStart, response)

    async def confirm(
        self, challenge: Challenge, pin: str, *, idempotency_key: str
    ) -> ConfirmResult:
        if not _CHALLENGE_ID.match(challenge.id):
            raise NotFound(_("Operación no encontrada."))  # never let a value reshape the URL path
        body = ConfirmRequest(pin=pin, amount_cents=challenge.amount_cents, payee=challenge.payee)
        response = await self._request(
            "POST",
            f"/challenges/{challenge.id}/confirm",
            json=body.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(ConfirmResult, response)

    async def transfers(self, limit: int = 50) -> list[Transfer]:
        return await self._list(Transfer, f"/transfers?limit={int(limit)}")

    async def transfer(self, transfer_id: int) -> Transfer:
        response = await self._request("GET", f"/transfers/{int(transfer_id)}")
        return self._parse(Transfer, response)

    async def limits(self) -> TransferLimits:
        response = await self._request("GET", "/limits")
        return self._parse(TransferLimits, response)

    # --- pago de servicios and pago de tarjetas -------------------------------------------------

    async def billers(self, query: str = "") -> list[Biller]:
        response = await self._request("GET", "/billers", params={"q": query} if query else None)
        return self._parse_list(Biller, response)

    async def bill(self, biller_code: str, reference: str) -> Bill:
        if not _BILLER_CODE.match(biller_code):
            raise NotFound(_("Empresa no encontrada."))  # never let a value reshape the URL path
        response = await self._request(
            "GET", f"/billers/{biller_code}/bills", params={"reference": reference}
        )
        return self._parse(Bill, response)

    async def frequent_services(self) -> list[FrequentService]:
        return await self._list(FrequentService, "/frequent-services")

    async def add_frequent_service(
        self, request: FrequentServiceRequest, *, idempotency_key: str
    ) -> FrequentService:
        response = await self._request(
            "POST",
            "/frequent-services",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(FrequentService, response)

    async def delete_frequent_service(self, service_id: int, *, idempotency_key: str) -> None:
        await self._request(
            "DELETE", f"/frequent-services/{int(service_id)}", idempotency_key=idempotency_key
        )

    async def cards(self) -> list[CreditCard]:
        return await self._list(CreditCard, "/cards")

    async def card_issuers(self) -> list[CardIssuer]:
        return await self._list(CardIssuer, "/card-issuers")

    async def start_payment(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentStart:
        response = await self._request(
            "POST",
            "/payments",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(PaymentStart, response)

    async def payments(self, limit: int = 50) -> list[Payment]:
        return await self._list(Payment, f"/payments?limit={int(limit)}")

    async def payment(self, payment_id: int) -> Payment:
        response = await self._request("GET", f"/payments/{int(payment_id)}")
        return self._parse(Payment, response)

    # --- demo ----------------------------------------------------------------------------------

    async def outbox(self) -> list[OutboxMessage]:
        return await self._list(OutboxMessage, "/demo/outbox", auth=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- certificates (issue 17) ---------------------------------------------------------------

    async def issue_certificate(self, account_number: str, *, idempotency_key: str) -> Certificate:
        response = await self._request(
            "POST",
            "/certificates",
            json=CertificateRequest(account_number=account_number).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(Certificate, response)

    async def verify_certificate(self, code: str) -> CertificateCheck:
        wanted = code.strip()
        if not _CERTIFICATE_CODE.match(wanted):
            # never let a value reshape the URL path; the message is the server's own
            raise NotFound(_("Código de verificación: no hay un certificado con ese código."))
        response = await self._request("GET", f"/staff/certificates/{wanted}")
        return self._parse(CertificateCheck, response)

    # --- polizas (issue 17) ----------------------------------------------------------------------

    async def polizas(self) -> list[Poliza]:
        return await self._list(Poliza, "/polizas")

    async def simulate_poliza(self, request: PolizaSimulationRequest) -> PolizaSimulation:
        # A calculation: a new key each time (the server keys every POST).
        response = await self._request(
            "POST",
            "/polizas/simulate",
            json=request.model_dump(mode="json"),
            idempotency_key=uuid.uuid4().hex,
        )
        return self._parse(PolizaSimulation, response)

    async def start_poliza(self, request: PolizaRequest, *, idempotency_key: str) -> PolizaStart:
        response = await self._request(
            "POST",
            "/polizas",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(PolizaStart, response)

    # --- loans (issue 17) ----------------------------------------------------------------------

    async def loans(self) -> list[Loan]:
        return await self._list(Loan, "/loans")

    async def loan_table(self, loan_id: int) -> LoanTable:
        response = await self._request("GET", f"/loans/{int(loan_id)}/table")
        return self._parse(LoanTable, response)

    async def loan_products(self) -> list[LoanProduct]:
        return await self._list(LoanProduct, "/loan-products")

    async def simulate_loan(self, request: LoanSimulationRequest) -> LoanSimulation:
        response = await self._request(
            "GET", "/loans/simulate", params=request.model_dump(mode="json")
        )
        return self._parse(LoanSimulation, response)

    async def loan_cover(self, loan_id: int, amount_cents: int) -> LoanPaymentCover:
        response = await self._request(
            "GET", f"/loans/{int(loan_id)}/cover", params={"amount_cents": int(amount_cents)}
        )
        return self._parse(LoanPaymentCover, response)

    async def start_loan_payment(
        self, loan_id: int, request: LoanPaymentRequest, *, idempotency_key: str
    ) -> LoanPaymentStart:
        response = await self._request(
            "POST",
            f"/loans/{int(loan_id)}/payments",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(LoanPaymentStart, response)

    # --- notifications (issue 17) ---

    async def notifications(self, limit: int = 50, cursor: str | None = None) -> NotificationPage:
        params: dict[str, Any] = {"limit": int(limit)}
        if cursor is not None:
            params["cursor"] = cursor
        response = await self._request("GET", "/notifications", params=params)
        return self._parse(NotificationPage, response)

    async def mark_notification_read(
        self, notification_id: int, *, idempotency_key: str
    ) -> NotificationsRead:
        response = await self._request(
            "POST",
            f"/notifications/{int(notification_id)}/read",
            idempotency_key=idempotency_key,
        )
        return self._parse(NotificationsRead, response)

    async def mark_all_notifications_read(self, *, idempotency_key: str) -> NotificationsRead:
        response = await self._request(
            "POST", "/notifications/read-all", idempotency_key=idempotency_key
        )
        return self._parse(NotificationsRead, response)

    # --- self-service (ADMINISTRACIÓN › Mi perfil y seguridad) ---------------------------------

    async def change_password(self, request: PasswordChange, *, idempotency_key: str) -> None:
        await self._request(
            "POST",
            "/me/password",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    async def change_security(self, request: SecurityChange, *, idempotency_key: str) -> None:
        await self._request(
            "POST",
            "/me/security",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    async def my_contact(self) -> MemberContact:
        return self._parse(MemberContact, await self._request("GET", "/me/contact"))

    async def request_contact_change(
        self, request: ContactChangeRequest, *, idempotency_key: str
    ) -> ContactChangeStarted:
        response = await self._request(
            "POST",
            "/me/contact",
            json=request.model_dump(mode="json", exclude_none=True),
            idempotency_key=idempotency_key,
        )
        return self._parse(ContactChangeStarted, response)

    async def confirm_contact_change(
        self, change_id: int, code: str, *, idempotency_key: str
    ) -> MemberContact:
        response = await self._request(
            "POST",
            f"/me/contact/{int(change_id)}/confirm",
            json=ContactCode(code=code).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(MemberContact, response)

    async def debit_cards(self) -> list[DebitCard]:
        return await self._list(DebitCard, "/debit-cards")

    async def block_debit_card(self, card_id: int, *, idempotency_key: str) -> DebitCard:
        response = await self._request(
            "POST", f"/debit-cards/{int(card_id)}/block", idempotency_key=idempotency_key
        )
        return self._parse(DebitCard, response)

    async def member_debit_cards(self, username: str) -> list[DebitCard]:
        return await self._list(DebitCard, f"/staff/members/{username}/debit-cards")

    async def unblock_debit_card(
        self, card_id: int, reason: str, *, idempotency_key: str
    ) -> DebitCard:
        response = await self._request(
            "POST",
            f"/staff/debit-cards/{int(card_id)}/unblock",
            json=DebitCardUnblock(reason=reason).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(DebitCard, response)

    # --- approvals and audit (issue 18) ---

    @staticmethod
    def _member_path(username: str) -> str:
        if not username.isascii() or not all(ch.isalnum() or ch in "._-" for ch in username):
            raise NotFound(_("Usuario no encontrado."))  # never let a value reshape the URL path
        return f"/staff/members/{username}"

    async def request_security_reset(
        self, username: str, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        response = await self._request(
            "POST",
            f"{self._member_path(username)}/security-reset",
            json=StaffReason(reason=reason).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(ApprovalRequested, response)

    async def resend_approval_code(self, username: str, *, idempotency_key: str) -> CodeResent:
        response = await self._request(
            "POST",
            f"{self._member_path(username)}/resend-approval-code",
            idempotency_key=idempotency_key,
        )
        return self._parse(CodeResent, response)

    async def register_walk_in(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> StaffRegistration:
        response = await self._request(
            "POST",
            "/staff/registrations",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(StaffRegistration, response)

    async def approvals(self, status: ApprovalStatus | None = None) -> list[Approval]:
        query = "" if status is None else f"?status={ApprovalStatus(status).value}"
        return await self._list(Approval, f"/staff/approvals{query}")

    async def decide_approval(
        self, approval_id: int, approve: bool, reason: str, *, idempotency_key: str
    ) -> Approval:
        verb = "approve" if approve else "reject"
        response = await self._request(
            "POST",
            f"/staff/approvals/{int(approval_id)}/{verb}",
            json=ApprovalDecision(reason=reason).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(Approval, response)

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
    ) -> list[AuditEntry]:
        params: dict[str, Any] = {"limit": int(limit)}
        for name, value in (("member", member), ("actor", actor), ("action", action)):
            if value.strip():
                params[name] = value.strip()
        if since is not None:
            params["since"] = since.isoformat()
        if until is not None:
            params["until"] = until.isoformat()
        if before_id is not None:
            params["before_id"] = int(before_id)
        response = await self._request("GET", "/staff/audit", params=params)
        return self._parse_list(AuditEntry, response)

    # --- teller counter (issue 18) ---

    async def search_members(self, query: str) -> MemberSearchResult:
        response = await self._request("GET", "/staff/members", params={"q": query})
        return self._parse(MemberSearchResult, response)

    async def member_file(self, holder_id: int, reason: str) -> MemberFile:
        response = await self._request(
            "GET", f"/staff/members/{int(holder_id)}/file", params={"reason": reason}
        )
        return self._parse(MemberFile, response)

    async def cash_deposit(
        self, request: CashDepositRequest, *, idempotency_key: str
    ) -> CounterOperation:
        response = await self._request(
            "POST",
            "/staff/cash/deposits",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(CounterOperation, response)

    async def cash_withdrawal(
        self, request: CashWithdrawalRequest, *, idempotency_key: str
    ) -> CounterOperation:
        response = await self._request(
            "POST",
            "/staff/cash/withdrawals",
            json=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(CounterOperation, response)

    async def cash_drawer(self) -> CashDrawer:
        return self._parse(CashDrawer, await self._request("GET", "/staff/cash/drawer"))

    async def open_cash_drawer(
        self, opening_float_cents: int, *, idempotency_key: str
    ) -> CashDrawer:
        body = DrawerOpenRequest(opening_float_cents=opening_float_cents)
        response = await self._request(
            "POST",
            "/staff/cash/drawer/open",
            json=body.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(CashDrawer, response)

    async def close_cash_drawer(self, counted_cents: int, *, idempotency_key: str) -> CashDrawer:
        body = DrawerCloseRequest(counted_cents=counted_cents)
        response = await self._request(
            "POST",
            "/staff/cash/drawer/close",
            json=body.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(CashDrawer, response)

    async def cash_operations(self) -> list[CounterOperation]:
        return self._parse_list(
            CounterOperation, await self._request("GET", "/staff/cash/operations")
        )

    async def request_counter_reversal(
        self, operation_id: int, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        response = await self._request(
            "POST",
            f"/staff/cash/operations/{operation_id}/reversal",
            json=StaffReason(reason=reason).model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        return self._parse(ApprovalRequested, response)


# --- certificates (issue 17) ---
from sjvirtual_tui.models import (  # noqa: E402 - one block for the merge of issue 17
    Certificate,
    CertificateCheck,
    CertificateRequest,
)

_CERTIFICATE_CODE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
