"""The teller's counter: member search, the member file, cash deposits and withdrawals, and the
cuadre de caja (the drawer's opening float, movements, expected and counted totals).

Cash crosses the counter through the ledger. The ledger is closed (every balance sums to the
opening capital), and the seed books cash deposits against the Caja general, the counterpart of
cash that enters or leaves: at the counter, each teller's drawer account (``9901`` + the
teller's id on 4 digits, created on first use) is that counterpart. A deposit moves from the
drawer to the socio, a withdrawal from the socio to the drawer; the drawer is funded from the
Caja general ("dotación de caja") when a deposit needs more than it has. The drawer's physical
cash (the cuadre) is the opening float typed by the teller plus deposits less withdrawals of
its session. The ledger's checks hold every counter journal to exactly one operation and each
drawer's balance to its fundings, deposits and withdrawals.

Every action is audited (:func:`mock_server.domain.audit.record`) in its own transaction.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_server.domain import approvals, audit
from mock_server.domain.accounts import prefix_rule_candidates, require_funds
from mock_server.domain.errors import Conflict, Invalid, NotFound
from mock_server.domain.ledger import CAJA_NUMBER, Leg, internal_account_id, post_transfer
from mock_server.domain.members import CurrentMember
from mock_server.domain.money import money
from mock_server.domain.text import clean_text, invalid
from mock_server.i18n import _
from mock_server.store import Connection, write_transaction
from mock_server.store import accounts as accounts_store
from mock_server.store import counter as store
from mock_server.store.approvals import Approval
from mock_server.store.timestamps import from_db, to_db
from sjvirtual_tui.models import (
    AccountType,
    CashDepositRequest,
    CashDrawer,
    CashWithdrawalRequest,
    CounterOperation,
    FileAccount,
    FileMovement,
    MemberFile,
    MemberHit,
    MemberSearchResult,
    MemberTerminal,
    OnlineBanking,
    Role,
    SearchKind,
)

__all__ = [
    "CASH_WITHDRAWAL",
    "COUNTER_REVERSAL",
    "DEPOSIT_JOURNAL_KIND",
    "DRAWER_FUNDING_KIND",
    "REVERSAL_JOURNAL_KIND",
    "SEARCH_LIMIT",
    "WITHDRAWAL_APPROVAL_CENTS",
    "WITHDRAWAL_JOURNAL_KIND",
    "IdentityMismatch",
    "close_drawer",
    "deposit",
    "drawer",
    "execute_withdrawal",
    "fold",
    "member_file",
    "open_drawer",
    "reject_withdrawal",
    "request_reversal",
    "search",
    "session_operations",
    "withdrawal",
]

SEARCH_LIMIT = 50
# A withdrawal above this waits for a supervisor's approval (four eyes): $1.000,00.
WITHDRAWAL_APPROVAL_CENTS = 100_000
# What the Caja general gives a drawer at a time when a deposit needs more than it holds.
DRAWER_ALLOWANCE_CENTS = 10_000_000  # $100.000,00
LAST_MOVEMENTS = 10
MIN_REASON = 5

DEPOSIT_JOURNAL_KIND = "deposito_caja"
WITHDRAWAL_JOURNAL_KIND = "retiro_caja"
DRAWER_FUNDING_KIND = "dotacion_caja"
REVERSAL_JOURNAL_KIND = "reverso_caja"
# The four-eyes kind of a withdrawal above the threshold (mock_server.domain.approvals).
CASH_WITHDRAWAL = "cash_withdrawal"
# The four-eyes kind of the reversal of a counter operation.
COUNTER_REVERSAL = "counter_reversal"

_DIGITS = re.compile(r"[0-9]+")
_TYPE_OF_PREFIX = {"1": AccountType.AHORRO_VISTA, "9": AccountType.AHORRO_PERSONAL}


def _actor_kind(staff: CurrentMember) -> audit.ActorKind:
    """Supervisors work at the counter too: the audit log tells which of the two acted."""
    return "supervisor" if staff.role is Role.SUPERVISOR else "teller"


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared (``Guamán`` ~ ``guaman``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


# --- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    read_as: list[SearchKind]
    identifications: list[str]
    phones: list[str]
    accounts: list[tuple[str, str | None]]
    name_key: str | None
    username_prefix: str | None


def _plan(query: str) -> _Plan:
    """How a query is read, by its shape: digits are a cédula (10) or RUC (13), a phone (09…
    of 10, or a landline of 9), an account number (with or without its leading zeros, or with
    the 1/9 prefix); anything else a name (folded, anywhere in it) or a username (its start)."""
    raw = query.strip()
    compact = raw.replace(" ", "").replace("-", "")
    if _DIGITS.fullmatch(compact):
        read_as: list[SearchKind] = []
        ids: list[str] = []
        phones: list[str] = []
        accounts: list[tuple[str, str | None]] = []
        if len(compact) == 10:
            ids.append(compact)
            read_as.append("cedula")
        if len(compact) == 13:
            ids.append(compact)
            read_as.append("ruc")
        if compact.startswith("0") and len(compact) in (9, 10):
            phones.append(compact)
            read_as.append("telefono")
        if len(compact) <= 8 and compact.strip("0"):
            accounts.append((compact.zfill(8), None))
            # The registered form: 1 or 9, then the number without its leading zeros.
            type_ = _TYPE_OF_PREFIX.get(compact[0])
            if type_ is not None and len(compact) >= 2 and compact[1] != "0":
                for significant in prefix_rule_candidates(type_, compact)[:1]:
                    accounts.append((significant.zfill(8), type_.value))
            read_as.append("cuenta")
        return _Plan(read_as, ids, phones, accounts, None, None)
    key = fold(raw)
    username = raw.lower() if " " not in raw else None
    read_as = ["nombre", "usuario"] if username else ["nombre"]
    return _Plan(read_as, [], [], [], key, username)


def search(conn: Connection, query: str, limit: int = SEARCH_LIMIT) -> MemberSearchResult:
    """The socios a teller's query finds, by name, at most ``limit`` (``truncated`` if more)."""
    text = " ".join(query.split())
    if len(fold(text).replace(" ", "")) < 2:
        raise invalid("q", _("Búsqueda: escriba al menos 2 letras o dígitos."))
    plan = _plan(text)
    rows = store.search(
        conn,
        identifications=plan.identifications,
        phones=plan.phones,
        account_numbers=plan.accounts,
        name_key=plan.name_key,
        username_prefix=plan.username_prefix,
        limit=limit + 1,
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    numbers = store.account_numbers_of(conn, [int(row["holder_id"]) for row in rows])
    hits = [
        MemberHit(
            holder_id=row["holder_id"],
            identification=row["identification"],
            name=row["name"],
            kind=row["kind"],
            username=row["username"],
            phone=row["phone"],
            accounts=numbers.get(int(row["holder_id"]), []),
        )
        for row in rows
    ]
    return MemberSearchResult(query=text, read_as=plan.read_as, results=hits, truncated=truncated)


# --- the member file ----------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = clean_text(reason or "", "reason", _("Motivo"), minimum=MIN_REASON)
    return text


def _online(conn: Connection, holder_id: int) -> tuple[OnlineBanking, int | None]:
    user = store.member_of_holder(conn, holder_id)
    if user is None:
        return OnlineBanking(state="sin_usuario"), None
    if user["locked_at"] is not None:
        state = "bloqueado"
    elif user["status"] == "pending_password":
        state = "pendiente_contrasena"
    elif user["status"] == "setup":
        state = "pendiente_primer_ingreso"
    else:
        state = "activo"
    sessions, devices = store.terminals(conn, int(user["id"]))
    terminals = [
        MemberTerminal(kind=kind, created_at=from_db(row[0]), last_seen_at=from_db(row[1]))
        for kind, rows in (("sesion", sessions), ("dispositivo", devices))
        for row in rows
    ]
    online = OnlineBanking(
        state=state,
        username=user["username"],
        email=user["email"],
        locked_at=None if user["locked_at"] is None else from_db(user["locked_at"]),
        last_login_at=None if user["last_login_at"] is None else from_db(user["last_login_at"]),
        failed_logins=store.login_failures(conn, user["username"]),
        terminals=terminals,
    )
    return online, int(user["id"])


def member_file(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    holder_id: int,
    reason: str | None,
    terminal: str | None = None,
) -> MemberFile:
    """A socio's file, read in the caller's write transaction, which also records the look in
    the audit log with the teller's reason (required: Invalid without one)."""
    why = _reason(reason)
    row = store.holder(conn, holder_id)
    if row is None:
        raise NotFound("not_found", _("Socio no encontrado."))
    online, member_id = _online(conn, holder_id)
    accounts = [
        FileAccount(
            number=a["number"],
            type=AccountType(a["type"]),
            available_cents=a["balance_cents"] - a["hold_cents"],
            accounting_cents=a["balance_cents"],
            status=a["status"],
        )
        for a in store.accounts_of(conn, holder_id)
    ]
    movements = [
        FileMovement(
            account_number=m["number"],
            posted_at=from_db(m["posted_at"]),
            description=m["description"],
            reference=m["reference"],
            amount_cents=m["amount_cents"],
            balance_after_cents=m["balance_after_cents"],
        )
        for m in store.last_movements(conn, holder_id, LAST_MOVEMENTS)
    ]
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action="member.view",
        now=now,
        member_id=member_id,
        terminal=terminal,
        reason=why,
        detail=f"socio {holder_id}",
    )
    return MemberFile(
        holder_id=row["holder_id"],
        identification=row["identification"],
        name=row["name"],
        kind=row["kind"],
        phone=row["phone"],
        accounts=accounts,
        movements=movements,
        online=online,
    )


# --- counter operations -------------------------------------------------------------------------


class IdentityMismatch(Invalid):
    """The identity number the teller typed is not the account holder's: nothing moves."""


def _account(conn: Connection, typed: str) -> Any:
    """The socio account a teller typed: its cartola number (8 digits, or without the leading
    zeros) or its registered form with the 1/9 prefix."""
    raw = typed.strip()
    candidates: list[tuple[str, str | None]] = []
    if len(raw) <= 8:
        candidates.append((raw.zfill(8), None))
    type_ = _TYPE_OF_PREFIX.get(raw[:1])
    if type_ is not None and len(raw) >= 2 and raw[1] != "0":
        candidates.extend((s.zfill(8), type_.value) for s in prefix_rule_candidates(type_, raw)[:1])
    for number, wanted in candidates:
        row = store.member_account(conn, number)
        if row is not None and (wanted is None or row["type"] == wanted):
            return row
    raise NotFound(
        "account_not_found",
        _("Cuenta {number}: no existe una cuenta de socio con ese número.").format(number=raw),
        "account",
    )


def _require_active(account: Any) -> None:
    if account["status"] != "activa":
        raise Conflict(
            "account_unavailable",
            _("La cuenta {number} no está activa: no admite depósitos ni retiros.").format(
                number=account["number"]
            ),
            "account",
        )


def _drawer_account_id(conn: Connection, teller: CurrentMember, now: datetime) -> int:
    row = store.drawer_account(conn, teller.id)
    if row is not None:
        return int(row["id"])
    return store.create_drawer_account(
        conn, teller.id, f"Caja de ventanilla · {teller.username}", to_db(now)
    )


def _session(conn: Connection, teller: CurrentMember) -> Any:
    row = store.current_session(conn, teller.id)
    if row is None:
        raise Conflict(
            "drawer_closed",
            _("Abra la caja (cuadre de caja) con su fondo inicial antes de operar."),
        )
    return row


def _next_reference(conn: Connection) -> str:
    return f"CAJ-{store.next_operation_id(conn):07d}"


def _fund(conn: Connection, now: datetime, drawer_id: int, needed: int) -> None:
    """Gives the drawer what a deposit needs from the Caja general (one journal)."""
    row = accounts_store.by_id(conn, drawer_id)
    if row is not None and row["balance_cents"] - row["hold_cents"] >= needed:
        return
    amount = max(needed, DRAWER_ALLOWANCE_CENTS)
    post_transfer(
        conn,
        now,
        kind=DRAWER_FUNDING_KIND,
        description="Dotación de caja de ventanilla",
        reference=f"DOT-{drawer_id}",
        amount_cents=amount,
        debit=Leg(internal_account_id(conn, CAJA_NUMBER), "Dotación de caja de ventanilla"),
        credit=Leg(drawer_id, "Dotación de caja de ventanilla"),
    )


def _model(conn: Connection, operation_id: int) -> CounterOperation:
    row = store.operation(conn, operation_id)
    if row is None:
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    return CounterOperation(
        id=row["id"],
        reference=row["reference"],
        kind=row["kind"],
        status=row["status"],
        account=row["account_number"],
        holder_name=row["holder_name"],
        amount_cents=row["amount_cents"],
        depositor=row["depositor"],
        teller=row["teller"],
        created_at=from_db(row["created_at"]),
        executed_at=None if row["executed_at"] is None else from_db(row["executed_at"]),
        approved_by=row["approved_by"],
        reversal=row["reversal"],
        reversed_at=None if row["reversed_at"] is None else from_db(row["reversed_at"]),
        reversed_by=row["reversed_by"],
    )


def _post(
    conn: Connection,
    now: datetime,
    kind: str,
    reference: str,
    account: Any,
    drawer_id: int,
    amount: int,
) -> int:
    number = account["number"]
    if kind == "deposito":
        _fund(conn, now, drawer_id, amount)
        return post_transfer(
            conn,
            now,
            kind=DEPOSIT_JOURNAL_KIND,
            description="Depósito en efectivo en ventanilla",
            reference=reference,
            amount_cents=amount,
            debit=Leg(drawer_id, f"Depósito en efectivo · cta. {number}"),
            credit=Leg(account["id"], "Depósito en efectivo en ventanilla"),
        )
    return post_transfer(
        conn,
        now,
        kind=WITHDRAWAL_JOURNAL_KIND,
        description="Retiro en ventanilla",
        reference=reference,
        amount_cents=amount,
        debit=Leg(account["id"], "Retiro en ventanilla"),
        credit=Leg(drawer_id, f"Retiro en ventanilla · cta. {number}"),
    )


def deposit(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    request: CashDepositRequest,
    terminal: str | None = None,
) -> CounterOperation:
    """A cash deposit, executed at once (in the caller's write transaction)."""
    depositor = clean_text(request.depositor, "depositor", _("Depositante"), minimum=2)
    session = _session(conn, teller)
    account = _account(conn, request.account)
    _require_active(account)
    drawer_id = int(session["account_id"])
    reference = _next_reference(conn)
    journal_id = _post(conn, now, "deposito", reference, account, drawer_id, request.amount_cents)
    operation_id = store.insert_operation(
        conn,
        {
            "reference": reference,
            "teller_id": teller.id,
            "kind": "deposito",
            "account_id": account["id"],
            "drawer_account_id": drawer_id,
            "session_id": session["id"],
            "amount_cents": request.amount_cents,
            "status": "completada",
            "depositor": depositor,
            "journal_id": journal_id,
            "created_at": to_db(now),
            "executed_at": to_db(now),
            "terminal": terminal,
        },
    )
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action="cash.deposit",
        now=now,
        member_id=account["member_id"],
        terminal=terminal,
        detail=f"{reference} cta. {account['number']} {money(request.amount_cents)}",
    )
    return _model(conn, operation_id)


def withdrawal(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    request: CashWithdrawalRequest,
    terminal: str | None = None,
    approval_cents: int = WITHDRAWAL_APPROVAL_CENTS,
) -> CounterOperation:
    """A cash withdrawal (in the caller's write transaction): the typed identity number must be
    the holder's (:class:`IdentityMismatch` otherwise: nothing written, the caller records the
    refusal with :func:`record_refusal`). Above ``approval_cents`` it is stored
    ``pendiente_aprobacion`` and nothing moves until :func:`execute_withdrawal`."""
    session = _session(conn, teller)
    account = _account(conn, request.account)
    if request.identification != account["identification"]:
        raise IdentityMismatch(
            "identity_mismatch",
            _(
                "Cédula/RUC: no es la del titular de la cuenta {number}. Revise el documento; "
                "no se entregó dinero."
            ).format(number=account["number"]),
            "identification",
        )
    _require_active(account)
    require_funds(account, request.amount_cents)
    drawer_id = int(session["account_id"])
    reference = _next_reference(conn)
    pending = request.amount_cents > approval_cents
    journal_id = (
        None
        if pending
        else _post(conn, now, "retiro", reference, account, drawer_id, request.amount_cents)
    )
    operation_id = store.insert_operation(
        conn,
        {
            "reference": reference,
            "teller_id": teller.id,
            "kind": "retiro",
            "account_id": account["id"],
            "drawer_account_id": drawer_id,
            "session_id": None if pending else session["id"],
            "amount_cents": request.amount_cents,
            "status": "pendiente_aprobacion" if pending else "completada",
            "journal_id": journal_id,
            "created_at": to_db(now),
            "executed_at": None if pending else to_db(now),
            "terminal": terminal,
        },
    )
    if pending:
        # Four eyes: a supervisor other than this teller approves it (execute_withdrawal).
        approvals.request(
            conn,
            CASH_WITHDRAWAL,
            teller,
            account["member_id"],
            {
                "counter_op_id": operation_id,
                "reference": reference,
                "account": account["number"],
                "amount_cents": request.amount_cents,
            },
            now,
            reason=_("Retiro en efectivo sobre {limit}: requiere aprobación").format(
                limit=money(approval_cents)
            ),
            terminal=terminal,
        )
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action="cash.withdrawal.request" if pending else "cash.withdrawal",
        now=now,
        member_id=account["member_id"],
        terminal=terminal,
        detail=f"{reference} cta. {account['number']} {money(request.amount_cents)}"
        + (" pendiente de aprobación" if pending else ""),
    )
    return _model(conn, operation_id)


def record_refusal(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    action: str,
    account: str,
    error: Exception,
    terminal: str | None = None,
) -> None:
    """Records a refused counter operation (in a write transaction the caller commits)."""
    member_id = None
    with contextlib.suppress(NotFound):
        member_id = _account(conn, account)["member_id"]
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action=action,
        now=now,
        member_id=member_id,
        terminal=terminal,
        outcome="refused",
        detail=f"cta. {account}: {getattr(error, 'code', type(error).__name__)}",
    )


def execute_withdrawal(
    conn: Connection, counter_op_id: int, approver: str, now: datetime
) -> CounterOperation:
    """Executes a withdrawal that waited ``pendiente_aprobacion`` (the four-eyes executor
    "cash_withdrawal"), in the caller's write transaction: the socio's funds are checked again
    and the money moves to the teller's drawer. ``approver``: the supervisor's username."""
    row = store.operation(conn, counter_op_id)
    if row is None or row["kind"] != "retiro":
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    if row["status"] != "pendiente_aprobacion":
        raise Conflict(
            "not_pending",
            _("El retiro {reference} ya no está pendiente.").format(reference=row["reference"]),
        )
    account = accounts_store.by_id(conn, row["account_id"])
    if account is None:  # pragma: no cover - accounts are never deleted
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    _require_active(account)
    require_funds(account, row["amount_cents"])
    journal_id = _post(
        conn,
        now,
        "retiro",
        row["reference"],
        account,
        row["drawer_account_id"],
        row["amount_cents"],
    )
    session = store.current_session(conn, row["teller_id"])
    store.mark_executed(
        conn,
        counter_op_id,
        journal_id=journal_id,
        executed_at=to_db(now),
        approved_by=approver,
        session_id=None if session is None else session["id"],
    )
    user = store.member_of_holder(conn, row["holder_id"])
    audit.record(
        conn,
        actor_kind="supervisor",
        actor=approver,
        action="cash.withdrawal.execute",
        now=now,
        member_id=None if user is None else user["id"],
        detail=f"{row['reference']} cta. {row['account_number']} {money(row['amount_cents'])}",
    )
    return _model(conn, counter_op_id)


def reject_withdrawal(
    conn: Connection, counter_op_id: int, approver: str, now: datetime
) -> CounterOperation:
    """A pending withdrawal refused by a supervisor: nothing moves."""
    row = store.operation(conn, counter_op_id)
    if row is None or row["kind"] != "retiro":
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    if not store.mark_rejected(conn, counter_op_id, approver):
        raise Conflict(
            "not_pending",
            _("El retiro {reference} ya no está pendiente.").format(reference=row["reference"]),
        )
    audit.record(
        conn,
        actor_kind="supervisor",
        actor=approver,
        action="cash.withdrawal.reject",
        now=now,
        detail=row["reference"],
    )
    return _model(conn, counter_op_id)


def operation(conn: Connection, counter_op_id: int) -> CounterOperation:
    return _model(conn, counter_op_id)


# --- four eyes: the executor of "cash_withdrawal" ------------------------------------------------


def _pending_operation_id(approval: Approval) -> int:
    return int(approvals.payload_of(approval)["counter_op_id"])


def _execute_cash_withdrawal(conn: Connection, approval: Approval, now: datetime) -> None:
    execute_withdrawal(
        conn, _pending_operation_id(approval), approval.decided_by_username or "?", now
    )


def _reject_cash_withdrawal(conn: Connection, approval: Approval, now: datetime) -> None:
    reject_withdrawal(
        conn, _pending_operation_id(approval), approval.decided_by_username or "?", now
    )


def _describe_cash_withdrawal(approval: Approval) -> str:
    payload = approvals.payload_of(approval)
    return _("Retiro en efectivo {reference}: {amount} de la cuenta {account}").format(
        reference=payload.get("reference", "?"),
        amount=money(int(payload.get("amount_cents", 0))),
        account=payload.get("account", "?"),
    )


approvals.register(
    CASH_WITHDRAWAL,
    _execute_cash_withdrawal,
    describe=_describe_cash_withdrawal,
    reject=_reject_cash_withdrawal,
)


# --- four eyes: the reversal of a counter operation ("counter_reversal") ----------------------


def _kind_word(kind: str) -> str:
    return _("depósito") if kind == "deposito" else _("retiro")


def _reversible(conn: Connection, row: Any, *, approving: bool = False) -> None:
    """Refuses (Conflict) what cannot be reversed: an operation not executed, already reversed
    or with a reversal waiting, of a drawer session already closed, or a deposit whose money
    the socio no longer has. ``approving``: the pending reversal is the one being carried out."""
    reference = row["reference"]
    if row["status"] != "completada":
        raise Conflict(
            "not_executed",
            _("La operación {reference} no se ejecutó: no hay nada que reversar.").format(
                reference=reference
            ),
        )
    if row["reversal"] == "reversada":
        raise Conflict(
            "already_reversed",
            _("La operación {reference} ya fue reversada.").format(reference=reference),
        )
    if row["reversal"] == "pendiente" and not approving:
        raise Conflict(
            "reversal_pending",
            _("La operación {reference} ya tiene un reverso pendiente de aprobación.").format(
                reference=reference
            ),
        )
    session = None if row["session_id"] is None else store.session(conn, row["session_id"])
    if session is None or session["closed_at"] is not None:
        raise Conflict(
            "drawer_closed",
            _(
                "La caja de la operación {reference} ya se cerró: solo se reversan operaciones "
                "de la caja abierta."
            ).format(reference=reference),
        )
    if row["kind"] == "deposito":
        account = accounts_store.by_id(conn, row["account_id"])
        available = 0 if account is None else account["balance_cents"] - account["hold_cents"]
        if available < row["amount_cents"]:
            raise Conflict(
                "already_spent",
                _(
                    "No se puede reversar el depósito {reference}: la cuenta {number} ya no "
                    "tiene ese dinero (disponible {available}). No se cambió nada."
                ).format(
                    reference=reference, number=row["account_number"], available=money(available)
                ),
            )


def session_operations(conn: Connection, teller: CurrentMember) -> list[CounterOperation]:
    """The operations of the teller's open drawer session (none when the drawer is closed)."""
    session = store.current_session(conn, teller.id)
    if session is None:
        return []
    rows = store.operations_of_session(
        conn, teller.id, int(session["id"]), str(session["opened_at"])
    )
    return [_model(conn, int(row["id"])) for row in rows]


def request_reversal(
    conn: Connection,
    now: datetime,
    staff: CurrentMember,
    counter_op_id: int,
    reason: str,
    terminal: str | None = None,
) -> Approval:
    """Asks a supervisor to reverse one of the operations of the caller's open drawer (in the
    caller's write transaction): a pending ``counter_reversal`` approval; nothing moves."""
    why = _reason(reason)
    row = store.operation(conn, counter_op_id)
    if row is None or row["teller_id"] != staff.id:
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    _reversible(conn, row)
    user = store.member_of_holder(conn, row["holder_id"])
    member_id = None if user is None else int(user["id"])
    approval = approvals.request(
        conn,
        COUNTER_REVERSAL,
        staff,
        member_id,
        {
            "counter_op_id": counter_op_id,
            "reference": row["reference"],
            "kind": row["kind"],
            "account": row["account_number"],
            "amount_cents": row["amount_cents"],
        },
        now,
        reason=why,
        terminal=terminal,
    )
    store.insert_reversal(
        conn,
        counter_op_id=counter_op_id,
        approval_id=approval.id,
        requested_by=staff.id,
        requested_at=to_db(now),
        reason=why,
    )
    audit.record(
        conn,
        actor_kind=_actor_kind(staff),
        actor=staff.username,
        action="cash.reversal.request",
        now=now,
        member_id=member_id,
        terminal=terminal,
        reason=why,
        detail=f"{row['reference']} {row['kind']} cta. {row['account_number']} "
        f"{money(row['amount_cents'])}",
    )
    return approval


def _pending_reversal(conn: Connection, approval: Approval) -> tuple[Any, Any]:
    reversal = store.reversal_of_approval(conn, approval.id)
    if reversal is None:  # pragma: no cover - written with its approval
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    row = store.operation(conn, int(reversal["counter_op_id"]))
    if row is None:  # pragma: no cover - operations are never deleted
        raise NotFound("not_found", _("Operación de caja no encontrada."))
    return reversal, row


def _execute_counter_reversal(conn: Connection, approval: Approval, now: datetime) -> None:
    """Posts the exact opposite of the operation's journal (``reverso_caja``) and marks the
    reversal done, in the approval's transaction; a refusal (Conflict) leaves it pending."""
    reversal, row = _pending_reversal(conn, approval)
    if reversal["status"] != "pendiente":
        raise Conflict("not_pending", _("Esta solicitud ya fue decidida: no se puede cambiar."))
    _reversible(conn, row, approving=True)  # its own pending reversal is the one being done
    approver = approval.decided_by_username or "?"
    reference = row["reference"]
    number = row["account_number"]
    drawer_id = int(row["drawer_account_id"])
    amount = int(row["amount_cents"])
    description = f"Reverso de {reference}"
    if row["kind"] == "deposito":
        journal_id = post_transfer(
            conn,
            now,
            kind=REVERSAL_JOURNAL_KIND,
            description=description,
            reference=reference,
            amount_cents=amount,
            debit=Leg(int(row["account_id"]), f"Reverso de depósito en ventanilla {reference}"),
            credit=Leg(drawer_id, f"Reverso de depósito · cta. {number}"),
        )
    else:
        _fund(conn, now, drawer_id, amount)
        journal_id = post_transfer(
            conn,
            now,
            kind=REVERSAL_JOURNAL_KIND,
            description=description,
            reference=reference,
            amount_cents=amount,
            debit=Leg(drawer_id, f"Reverso de retiro · cta. {number}"),
            credit=Leg(int(row["account_id"]), f"Reverso de retiro en ventanilla {reference}"),
        )
    if not store.mark_reversed(
        conn, int(reversal["id"]), journal_id=journal_id, decided_at=to_db(now), decided_by=approver
    ):  # pragma: no cover - the approval's transaction excludes another decision
        raise Conflict("not_pending", _("Esta solicitud ya fue decidida: no se puede cambiar."))
    audit.record(
        conn,
        actor_kind="supervisor",
        actor=approver,
        action="cash.reversal.execute",
        now=now,
        member_id=approval.member_id,
        detail=f"{reference} {row['kind']} cta. {number} {money(amount)}",
    )


def _reject_counter_reversal(conn: Connection, approval: Approval, now: datetime) -> None:
    """A reversal refused by a supervisor: the operation stays as it was."""
    reversal, row = _pending_reversal(conn, approval)
    approver = approval.decided_by_username or "?"
    store.mark_reversal_rejected(
        conn, int(reversal["id"]), decided_at=to_db(now), decided_by=approver
    )
    audit.record(
        conn,
        actor_kind="supervisor",
        actor=approver,
        action="cash.reversal.reject",
        now=now,
        member_id=approval.member_id,
        detail=row["reference"],
    )


def _describe_counter_reversal(approval: Approval) -> str:
    payload = approvals.payload_of(approval)
    return _("Reverso del {kind} {reference}: {amount}, cuenta {account}").format(
        kind=_kind_word(str(payload.get("kind", "deposito"))),
        reference=payload.get("reference", "?"),
        amount=money(int(payload.get("amount_cents", 0))),
        account=payload.get("account", "?"),
    )


approvals.register(
    COUNTER_REVERSAL,
    _execute_counter_reversal,
    describe=_describe_counter_reversal,
    reject=_reject_counter_reversal,
)


# --- cuadre de caja -------------------------------------------------------------------------------


def _drawer_model(conn: Connection, session_id: int) -> CashDrawer:
    row = store.session(conn, session_id)
    if row is None:  # pragma: no cover - callers pass a session they just read
        raise NotFound("not_found", _("Sesión de caja no encontrada."))
    deposits, n_deposits, withdrawals, n_withdrawals = store.session_totals(conn, session_id)
    reversed_deposits, reversed_withdrawals, n_reversals = store.session_reversals(conn, session_id)
    number = store.account_number(conn, row["account_id"])
    expected = (
        row["opening_float_cents"]
        + deposits
        - withdrawals
        - reversed_deposits
        + reversed_withdrawals
    )
    return CashDrawer(
        session_id=row["id"],
        drawer_account=number,
        opened_at=from_db(row["opened_at"]),
        opening_float_cents=row["opening_float_cents"],
        deposits_cents=deposits,
        deposits_count=n_deposits,
        withdrawals_cents=withdrawals,
        withdrawals_count=n_withdrawals,
        reversed_deposits_cents=reversed_deposits,
        reversed_withdrawals_cents=reversed_withdrawals,
        reversals_count=n_reversals,
        expected_cents=row["expected_cents"] if row["closed_at"] else expected,
        closed_at=None if row["closed_at"] is None else from_db(row["closed_at"]),
        counted_cents=row["counted_cents"],
        difference_cents=row["difference_cents"],
    )


def open_drawer(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    opening_float_cents: int,
    terminal: str | None = None,
) -> CashDrawer:
    """Opens the teller's drawer session with the float it starts with."""
    if store.current_session(conn, teller.id) is not None:
        raise Conflict(
            "drawer_open",
            _("Su caja ya está abierta: ciérrela (cuadre) antes de abrirla otra vez."),
        )
    drawer_id = _drawer_account_id(conn, teller, now)
    session_id = store.insert_session(
        conn,
        teller_id=teller.id,
        account_id=drawer_id,
        opened_at=to_db(now),
        opening_float_cents=opening_float_cents,
        terminal=terminal,
    )
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action="cash_drawer.open",
        now=now,
        terminal=terminal,
        detail=f"fondo inicial {money(opening_float_cents)}",
    )
    return _drawer_model(conn, session_id)


def drawer(conn: Connection, teller: CurrentMember) -> CashDrawer:
    """The open session's cuadre so far (NotFound when the drawer is closed)."""
    row = store.current_session(conn, teller.id)
    if row is None:
        raise NotFound("drawer_closed", _("Su caja está cerrada: ábrala con su fondo inicial."))
    return _drawer_model(conn, int(row["id"]))


def close_drawer(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    counted_cents: int,
    terminal: str | None = None,
) -> CashDrawer:
    """Closes the session: the counted total, the expected one and their difference."""
    row = store.current_session(conn, teller.id)
    if row is None:
        raise NotFound("drawer_closed", _("Su caja está cerrada: ábrala con su fondo inicial."))
    state = _drawer_model(conn, int(row["id"]))
    store.close_session(
        conn,
        int(row["id"]),
        closed_at=to_db(now),
        expected_cents=state.expected_cents,
        counted_cents=counted_cents,
    )
    difference = counted_cents - state.expected_cents
    audit.record(
        conn,
        actor_kind=_actor_kind(teller),
        actor=teller.username,
        action="cash_drawer.close",
        now=now,
        terminal=terminal,
        detail=(
            f"esperado {money(state.expected_cents)} contado {money(counted_cents)} "
            f"diferencia {money(difference)}"
        ),
    )
    return _drawer_model(conn, int(row["id"]))


def open_member_file(
    conn: Connection,
    now: datetime,
    teller: CurrentMember,
    holder_id: int,
    reason: str | None,
    terminal: str | None = None,
) -> MemberFile:
    """:func:`member_file` in a write transaction of its own (the look and its audit entry
    commit together)."""
    with write_transaction(conn):
        return member_file(conn, now, teller, holder_id, reason, terminal)
