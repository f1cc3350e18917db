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

    # The business methods below go through these four: the request is built in one place, so
    # a method says only its path, its body (or query) and the model of its answer.

    async def _get(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        """A read (sent again if its answer is lost): GET ``path``, the answer as ``model``."""
        return self._parse(model, await self._request("GET", path, params=params))

    async def _list(
        self, model: type[M], path: str, params: dict[str, Any] | None = None, *, auth: bool = True
    ) -> list[M]:
        """A read whose answer is a JSON array of ``model``."""
        return self._parse_list(model, await self._request("GET", path, params=params, auth=auth))

    async def _send(
        self,
        path: str,
        body: pydantic.BaseModel | None = None,
        *,
        idempotency_key: str | None,
        method: str = "POST",
        auth: bool = True,
        exclude_none: bool = False,
    ) -> httpx.Response:
        """A request that changes something, ``body`` as JSON. Every caller names its
        ``idempotency_key``: with one, a lost answer is sent again (the server applies it once);
        without one (login, logout, the first steps of a recovery) it is sent once."""
        json = None if body is None else body.model_dump(mode="json", exclude_none=exclude_none)
        return await self._request(
            method, path, json=json, auth=auth, idempotency_key=idempotency_key
        )

    async def _post(
        self,
        model: type[M],
        path: str,
        body: pydantic.BaseModel | None = None,
        *,
        idempotency_key: str | None,
        auth: bool = True,
    ) -> M:
        """:meth:`_send` whose answer is a ``model``."""
        response = await self._send(path, body, idempotency_key=idempotency_key, auth=auth)
        return self._parse(model, response)

    @staticmethod
    def _parse_list(model: type[M], response: httpx.Response) -> list[M]:
        try:
            return [model.model_validate(item) for item in response.json()]
        except (ValueError, TypeError, pydantic.ValidationError) as exc:
            raise ServerError(_("El servidor envió una respuesta que no se entiende.")) from exc

    @staticmethod
    def _member_path(username: str) -> str:
        if (
            not username
            or not username.isascii()
            or not all(ch.isalnum() or ch in "._-" for ch in username)
        ):
            raise NotFound(_("Usuario no encontrado."))  # never let a value reshape the URL path
        return f"/staff/members/{username}"

    # --- authentication ------------------------------------------------------------------------

    async def security_challenge(self, username: str) -> SecurityChallenge:
        body = ChallengeRequest(username=username)
        return await self._post(
            SecurityChallenge, "/auth/challenge", body, idempotency_key=None, auth=False
        )

    async def login(
        self, username: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        request = LoginRequest(username=username, password=password, device_token=device_token)
        response = await self._send(
            "/auth/login", request, idempotency_key=None, auth=False, exclude_none=True
        )
        result = self._parse(LoginResult, response)
        self._token = result.token
        return result

    async def logout(self) -> None:
        if self._token is None:
            return
        try:
            await self._send("/auth/logout", idempotency_key=None)
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
        return await self._get(MovementPage, f"/accounts/{number}/movements", params)

    # --- registration, first login, recovery ---------------------------------------------------

    async def register(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> RegistrationReceipt:
        return await self._post(
            RegistrationReceipt,
            "/registrations",
            request,
            idempotency_key=idempotency_key,
            auth=False,
        )

    async def set_password(self, code: str, password: str, *, idempotency_key: str) -> None:
        body = SetPasswordRequest(code=code, password=password)
        await self._send("/auth/set-password", body, idempotency_key=idempotency_key, auth=False)

    async def security_questions(self) -> list[SecurityQuestion]:
        return await self._list(SecurityQuestion, "/security-questions", auth=False)

    async def complete_setup(
        self, setup: FirstLoginSetup, *, idempotency_key: str
    ) -> MemberProfile:
        return await self._post(MemberProfile, "/me/setup", setup, idempotency_key=idempotency_key)

    async def start_recovery(self, username: str) -> RecoveryStarted:
        body = RecoveryRequest(username=username)
        return await self._post(
            RecoveryStarted, "/auth/recovery", body, idempotency_key=None, auth=False
        )

    async def verify_recovery_code(self, username: str, code: str) -> RecoveryChallenge:
        body = RecoveryCodeCheck(username=username, code=code)
        return await self._post(
            RecoveryChallenge, "/auth/recovery/verify", body, idempotency_key=None, auth=False
        )

    async def complete_recovery(
        self, completion: RecoveryCompletion, *, idempotency_key: str
    ) -> None:
        await self._send(
            "/auth/recovery/complete", completion, idempotency_key=idempotency_key, auth=False
        )

    # --- staff ---------------------------------------------------------------------------------

    async def pending_registrations(self) -> list[StaffRegistration]:
        return await self._list(StaffRegistration, "/staff/registrations?status=pendiente")

    async def approve_registration(
        self, registration_id: int, *, idempotency_key: str
    ) -> StaffRegistration:
        path = f"/staff/registrations/{int(registration_id)}/approve"
        return await self._post(StaffRegistration, path, idempotency_key=idempotency_key)

    async def reject_registration(
        self, registration_id: int, reason: str, *, idempotency_key: str
    ) -> StaffRegistration:
        path = f"/staff/registrations/{int(registration_id)}/reject"
        body = RejectRequest(reason=reason)
        return await self._post(StaffRegistration, path, body, idempotency_key=idempotency_key)

    async def locked_members(self) -> list[LockedMember]:
        return await self._list(LockedMember, "/staff/locked-members")

    async def unlock_member(self, username: str, *, idempotency_key: str) -> None:
        await self._send(f"{self._member_path(username)}/unlock", idempotency_key=idempotency_key)

    # --- productos de terceros ------------------------------------------------------------------

    async def institutions(self) -> list[Institution]:
        return await self._list(Institution, "/institutions")

    async def beneficiaries(self) -> list[Beneficiary]:
        return await self._list(Beneficiary, "/beneficiaries")

    async def lookup_account(self, account_type: AccountType, number: str) -> AccountLookup:
        params = {"account_type": account_type.value, "number": number}
        return await self._get(AccountLookup, "/beneficiaries/lookup", params)

    async def add_beneficiary(
        self, request: BeneficiaryRequest, *, idempotency_key: str
    ) -> Challenge:
        return await self._post(
            Challenge, "/beneficiaries", request, idempotency_key=idempotency_key
        )

    async def delete_beneficiary(self, beneficiary_id: int, *, idempotency_key: str) -> None:
        path = f"/beneficiaries/{int(beneficiary_id)}"
        await self._send(path, method="DELETE", idempotency_key=idempotency_key)

    # --- transferencias and the verification PIN -----------------------------------------------

    async def start_transfer(
        self, request: TransferRequest, *, idempotency_key: str
    ) -> TransferStart:
        return await self._post(
            TransferStart, "/transfers", request, idempotency_key=idempotency_key
        )

    async def confirm(
        self, challenge: Challenge, pin: str, *, idempotency_key: str
    ) -> ConfirmResult:
        if not _CHALLENGE_ID.match(challenge.id):
            raise NotFound(_("Operación no encontrada."))  # never let a value reshape the URL path
        body = ConfirmRequest(pin=pin, amount_cents=challenge.amount_cents, payee=challenge.payee)
        path = f"/challenges/{challenge.id}/confirm"
        return await self._post(ConfirmResult, path, body, idempotency_key=idempotency_key)

    async def transfers(self, limit: int = 50) -> list[Transfer]:
        return await self._list(Transfer, f"/transfers?limit={int(limit)}")

    async def transfer(self, transfer_id: int) -> Transfer:
        return await self._get(Transfer, f"/transfers/{int(transfer_id)}")

    async def limits(self) -> TransferLimits:
        return await self._get(TransferLimits, "/limits")

    # --- pago de servicios and pago de tarjetas -------------------------------------------------

    async def billers(self, query: str = "") -> list[Biller]:
        return await self._list(Biller, "/billers", {"q": query} if query else None)

    async def bill(self, biller_code: str, reference: str) -> Bill:
        if not _BILLER_CODE.match(biller_code):
            raise NotFound(_("Empresa no encontrada."))  # never let a value reshape the URL path
        return await self._get(Bill, f"/billers/{biller_code}/bills", {"reference": reference})

    async def frequent_services(self) -> list[FrequentService]:
        return await self._list(FrequentService, "/frequent-services")

    async def add_frequent_service(
        self, request: FrequentServiceRequest, *, idempotency_key: str
    ) -> FrequentService:
        return await self._post(
            FrequentService, "/frequent-services", request, idempotency_key=idempotency_key
        )

    async def delete_frequent_service(self, service_id: int, *, idempotency_key: str) -> None:
        path = f"/frequent-services/{int(service_id)}"
        await self._send(path, method="DELETE", idempotency_key=idempotency_key)

    async def cards(self) -> list[CreditCard]:
        return await self._list(CreditCard, "/cards")

    async def card_issuers(self) -> list[CardIssuer]:
        return await self._list(CardIssuer, "/card-issuers")

    async def start_payment(self, request: PaymentRequest, *, idempotency_key: str) -> PaymentStart:
        return await self._post(PaymentStart, "/payments", request, idempotency_key=idempotency_key)

    async def payments(self, limit: int = 50) -> list[Payment]:
        return await self._list(Payment, f"/payments?limit={int(limit)}")

    async def payment(self, payment_id: int) -> Payment:
        return await self._get(Payment, f"/payments/{int(payment_id)}")

    # --- demo ----------------------------------------------------------------------------------

    async def outbox(self) -> list[OutboxMessage]:
        return await self._list(OutboxMessage, "/demo/outbox", auth=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    # --- certificates (issue 17) ---------------------------------------------------------------

    async def issue_certificate(self, account_number: str, *, idempotency_key: str) -> Certificate:
        body = CertificateRequest(account_number=account_number)
        return await self._post(Certificate, "/certificates", body, idempotency_key=idempotency_key)

    async def verify_certificate(self, code: str) -> CertificateCheck:
        wanted = code.strip()
        if not _CERTIFICATE_CODE.match(wanted):
            # never let a value reshape the URL path; the message is the server's own
            raise NotFound(_("Código de verificación: no hay un certificado con ese código."))
        return await self._get(CertificateCheck, f"/staff/certificates/{wanted}")

    # --- polizas (issue 17) ----------------------------------------------------------------------

    async def polizas(self) -> list[Poliza]:
        return await self._list(Poliza, "/polizas")

    async def simulate_poliza(self, request: PolizaSimulationRequest) -> PolizaSimulation:
        # A calculation: a new key each time (the server keys every POST).
        return await self._post(
            PolizaSimulation, "/polizas/simulate", request, idempotency_key=uuid.uuid4().hex
        )

    async def start_poliza(self, request: PolizaRequest, *, idempotency_key: str) -> PolizaStart:
        return await self._post(PolizaStart, "/polizas", request, idempotency_key=idempotency_key)

    # --- loans (issue 17) ----------------------------------------------------------------------

    async def loans(self) -> list[Loan]:
        return await self._list(Loan, "/loans")

    async def loan_table(self, loan_id: int) -> LoanTable:
        return await self._get(LoanTable, f"/loans/{int(loan_id)}/table")

    async def loan_products(self) -> list[LoanProduct]:
        return await self._list(LoanProduct, "/loan-products")

    async def simulate_loan(self, request: LoanSimulationRequest) -> LoanSimulation:
        return await self._get(LoanSimulation, "/loans/simulate", request.model_dump(mode="json"))

    async def loan_cover(self, loan_id: int, amount_cents: int) -> LoanPaymentCover:
        params = {"amount_cents": int(amount_cents)}
        return await self._get(LoanPaymentCover, f"/loans/{int(loan_id)}/cover", params)

    async def start_loan_payment(
        self, loan_id: int, request: LoanPaymentRequest, *, idempotency_key: str
    ) -> LoanPaymentStart:
        path = f"/loans/{int(loan_id)}/payments"
        return await self._post(LoanPaymentStart, path, request, idempotency_key=idempotency_key)

    # --- notifications (issue 17) ---

    async def notifications(self, limit: int = 50, cursor: str | None = None) -> NotificationPage:
        params: dict[str, Any] = {"limit": int(limit)}
        if cursor is not None:
            params["cursor"] = cursor
        return await self._get(NotificationPage, "/notifications", params)

    async def mark_notification_read(
        self, notification_id: int, *, idempotency_key: str
    ) -> NotificationsRead:
        path = f"/notifications/{int(notification_id)}/read"
        return await self._post(NotificationsRead, path, idempotency_key=idempotency_key)

    async def mark_all_notifications_read(self, *, idempotency_key: str) -> NotificationsRead:
        path = "/notifications/read-all"
        return await self._post(NotificationsRead, path, idempotency_key=idempotency_key)

    # --- self-service (ADMINISTRACIÓN › Mi perfil y seguridad) ---------------------------------

    async def change_password(self, request: PasswordChange, *, idempotency_key: str) -> None:
        await self._send("/me/password", request, idempotency_key=idempotency_key)

    async def change_security(self, request: SecurityChange, *, idempotency_key: str) -> None:
        await self._send("/me/security", request, idempotency_key=idempotency_key)

    async def my_contact(self) -> MemberContact:
        return await self._get(MemberContact, "/me/contact")

    async def request_contact_change(
        self, request: ContactChangeRequest, *, idempotency_key: str
    ) -> ContactChangeStarted:
        # Only the contact details being changed are sent: the others are left out, not null.
        response = await self._send(
            "/me/contact", request, idempotency_key=idempotency_key, exclude_none=True
        )
        return self._parse(ContactChangeStarted, response)

    async def confirm_contact_change(
        self, change_id: int, code: str, *, idempotency_key: str
    ) -> MemberContact:
        path = f"/me/contact/{int(change_id)}/confirm"
        body = ContactCode(code=code)
        return await self._post(MemberContact, path, body, idempotency_key=idempotency_key)

    async def debit_cards(self) -> list[DebitCard]:
        return await self._list(DebitCard, "/debit-cards")

    async def block_debit_card(self, card_id: int, *, idempotency_key: str) -> DebitCard:
        path = f"/debit-cards/{int(card_id)}/block"
        return await self._post(DebitCard, path, idempotency_key=idempotency_key)

    async def member_debit_cards(self, username: str) -> list[DebitCard]:
        return await self._list(DebitCard, f"{self._member_path(username)}/debit-cards")

    async def unblock_debit_card(
        self, card_id: int, reason: str, *, idempotency_key: str
    ) -> DebitCard:
        path = f"/staff/debit-cards/{int(card_id)}/unblock"
        body = DebitCardUnblock(reason=reason)
        return await self._post(DebitCard, path, body, idempotency_key=idempotency_key)

    # --- approvals and audit (issue 18) ---

    async def request_security_reset(
        self, username: str, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        path = f"{self._member_path(username)}/security-reset"
        body = StaffReason(reason=reason)
        return await self._post(ApprovalRequested, path, body, idempotency_key=idempotency_key)

    async def resend_approval_code(self, username: str, *, idempotency_key: str) -> CodeResent:
        path = f"{self._member_path(username)}/resend-approval-code"
        return await self._post(CodeResent, path, idempotency_key=idempotency_key)

    async def register_walk_in(
        self, request: RegistrationRequest, *, idempotency_key: str
    ) -> StaffRegistration:
        return await self._post(
            StaffRegistration, "/staff/registrations", request, idempotency_key=idempotency_key
        )

    async def approvals(self, status: ApprovalStatus | None = None) -> list[Approval]:
        query = "" if status is None else f"?status={ApprovalStatus(status).value}"
        return await self._list(Approval, f"/staff/approvals{query}")

    async def decide_approval(
        self, approval_id: int, approve: bool, reason: str, *, idempotency_key: str
    ) -> Approval:
        verb = "approve" if approve else "reject"
        path = f"/staff/approvals/{int(approval_id)}/{verb}"
        body = ApprovalDecision(reason=reason)
        return await self._post(Approval, path, body, idempotency_key=idempotency_key)

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
        return await self._list(AuditEntry, "/staff/audit", params)

    # --- teller counter (issue 18) ---

    async def search_members(self, query: str) -> MemberSearchResult:
        return await self._get(MemberSearchResult, "/staff/members", {"q": query})

    async def member_file(self, holder_id: int, reason: str) -> MemberFile:
        path = f"/staff/members/{int(holder_id)}/file"
        return await self._get(MemberFile, path, {"reason": reason})

    async def cash_deposit(
        self, request: CashDepositRequest, *, idempotency_key: str
    ) -> CounterOperation:
        path = "/staff/cash/deposits"
        return await self._post(CounterOperation, path, request, idempotency_key=idempotency_key)

    async def cash_withdrawal(
        self, request: CashWithdrawalRequest, *, idempotency_key: str
    ) -> CounterOperation:
        path = "/staff/cash/withdrawals"
        return await self._post(CounterOperation, path, request, idempotency_key=idempotency_key)

    async def cash_drawer(self) -> CashDrawer:
        return await self._get(CashDrawer, "/staff/cash/drawer")

    async def open_cash_drawer(
        self, opening_float_cents: int, *, idempotency_key: str
    ) -> CashDrawer:
        body = DrawerOpenRequest(opening_float_cents=opening_float_cents)
        path = "/staff/cash/drawer/open"
        return await self._post(CashDrawer, path, body, idempotency_key=idempotency_key)

    async def close_cash_drawer(self, counted_cents: int, *, idempotency_key: str) -> CashDrawer:
        body = DrawerCloseRequest(counted_cents=counted_cents)
        path = "/staff/cash/drawer/close"
        return await self._post(CashDrawer, path, body, idempotency_key=idempotency_key)

    async def cash_operations(self) -> list[CounterOperation]:
        return await self._list(CounterOperation, "/staff/cash/operations")

    async def request_counter_reversal(
        self, operation_id: int, reason: str, *, idempotency_key: str
    ) -> ApprovalRequested:
        path = f"/staff/cash/operations/{int(operation_id)}/reversal"
        body = StaffReason(reason=reason)
        return await self._post(ApprovalRequested, path, body, idempotency_key=idempotency_key)


# --- certificates (issue 17) ---
from sjvirtual_tui.models import (  # noqa: E402 - one block for the merge of issue 17
    Certificate,
    CertificateCheck,
    CertificateRequest,
)

_CERTIFICATE_CODE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
