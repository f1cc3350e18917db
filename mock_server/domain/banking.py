"""What beneficiaries and transfers share: payees, limits, the checks and the money move.

The routers (``beneficiaries``, ``transfers``, ``challenges``) call these inside their write
transactions; every check raises :class:`ApiError` with a message for the member (in the
request's language), and
the money moves through :func:`ledger.post_transfer` (one journal, two movements).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from mock_server.api.deps import Credentials, CurrentMember, Member, ServerState, authenticate
from mock_server.api.errors import ACCOUNT_NOT_FOUND_MESSAGE, ApiError
from mock_server.domain import mail, reasons
from mock_server.domain.ledger import COMPENSACION_NUMBER, Leg, internal_account_id, post_transfer
from mock_server.domain.money import money
from mock_server.i18n import N_, _, ngettext
from mock_server.store import Connection, Row
from mock_server.store.meta import from_db, to_db
from sjvirtual_tui.models import (
    ACCOUNT_TYPE_LABELS,
    AccountType,
    Beneficiary,
    BeneficiaryKind,
    ExternalAccountType,
    IdType,
    Role,
    Transfer,
    TransferKind,
    TransferLimits,
    TransferStatus,
)
from sjvirtual_tui.rules import ACCOUNT_PREFIX, ECUADOR_TZ, normalise_third_party_account

# This cooperative, as the institution of an interna beneficiary and of internal transfers.
# (The clearing codes of the other institutions are seeded: mock_server.seed.INSTITUTIONS.)
COOPERATIVE_CODE = "1050"
COOPERATIVE_NAME = "Cooperativa San José S.J."

# Limits of a member without a row in transfer_limits (the seed gives every member these).
DEFAULT_PER_TRANSACTION_CENTS = 200_000  # $2.000,00
DEFAULT_DAILY_CENTS = 500_000  # $5.000,00

# Module-level texts are N_() msgids, translated where they are shown: _(LABELS[key]).
EXTERNAL_TYPE_LABELS = {
    ExternalAccountType.AHORROS: N_("ahorros"),
    ExternalAccountType.CORRIENTE: N_("corriente"),
}

BENEFICIARY_NOT_FOUND_MESSAGE = N_("Esa cuenta no está en sus Productos de terceros.")
TRANSFER_NOT_FOUND_MESSAGE = N_("Transferencia no encontrada.")
SOCIOS_ONLY_MESSAGE = N_("Esta opción es solo para socios con cuentas en la cooperativa.")

TRANSFER_STATUS_LABELS = {
    TransferStatus.PENDIENTE: N_("PENDIENTE DE VERIFICACIÓN"),
    TransferStatus.COMPLETADA: N_("COMPLETADA"),
    TransferStatus.EN_PROCESO: N_("EN PROCESO (la otra institución la acreditará en unos minutos)"),
    TransferStatus.RECHAZADA: N_("RECHAZADA"),
    TransferStatus.CANCELADA: N_("CANCELADA"),
}

# An account's status, as "La cuenta 00104721 está bloqueada" says it.
ACCOUNT_STATUS_WORDS = {
    "activa": N_("activa"),
    "bloqueada": N_("bloqueada"),
    "cerrada": N_("cerrada"),
}

# Why an origin that is not activa cannot be used, by what the member wanted to do with it.
_INACTIVE_ORIGIN = {
    "transferir": N_(
        "La cuenta {number} está {status}: no puede transferir desde ella. Comuníquese con la "
        "cooperativa."
    ),
    "pagar": N_(
        "La cuenta {number} está {status}: no puede pagar desde ella. Comuníquese con la "
        "cooperativa."
    ),
}


def check_socio(member: CurrentMember) -> CurrentMember:
    """``member``, if it is a socio (staff have no accounts to move); 403 otherwise."""
    if member.role is not Role.MEMBER or member.holder_id is None:
        raise ApiError(403, "forbidden", _(SOCIOS_ONLY_MESSAGE))
    return member


async def require_socio(member: Member) -> CurrentMember:
    """The session's member, if it is a socio (staff have no accounts to move)."""
    return check_socio(member)


Socio = Annotated[CurrentMember, Depends(require_socio)]


@dataclass(frozen=True)
class SocioContext:
    """What :data:`SocioRequest` gives a route: the server's state and the session's socio."""

    state: ServerState
    member: CurrentMember


def socio_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> SocioContext:
    """The session's socio (the checks of ``Socio``, in its order: 401, 403 setup, 403 staff)."""
    state: ServerState = request.app.state.server
    conn = state.connections.acquire()
    try:
        _token_hash, member = authenticate(request, state, conn, credentials)
    finally:
        state.connections.release(conn)
    return SocioContext(state, check_socio(member))


async def socio_context(request: Request, credentials: Credentials) -> SocioContext:
    """``State`` and ``Socio`` in one dependency, for the busiest routes.

    FastAPI resolves every dependency as a step of its own (six for ``Socio``, and a
    generator's exit stack for ``Conn``), which costs more than the checks themselves; this
    one makes the same checks in the same order. The route takes a connection of its own
    (``state.connections``) for its work.
    """
    return socio_of(request, credentials)


SocioRequest = Annotated[SocioContext, Depends(socio_context)]


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, field)


# --- text -------------------------------------------------------------------------------------


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text)


def clean_text(value: str, field: str, label: str, *, minimum: int = 1) -> str:
    """``value`` without stray spaces; 422 on control characters or when too short.

    ``label``: the field's name, translated (``_("Descripción")``)."""
    if has_control_characters(value):
        raise invalid(
            field,
            _("{label}: quite los caracteres de control (saltos de línea...).").format(label=label),
        )
    text = " ".join(value.split())
    if len(text) < minimum:
        raise invalid(
            field,
            _("{label}: no puede estar vacío.").format(label=label)
            if minimum == 1
            else ngettext(
                "{label}: use al menos {minimum} carácter.",
                "{label}: use al menos {minimum} caracteres.",
                minimum,
            ).format(label=label, minimum=minimum),
        )
    return text


def mask_name(name: str) -> str:
    """The first letter of each word: ``Luis Yánez Cando`` -> ``L*** Y**** C****``."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def short_name(name: str, *, company: bool = False) -> str:
    """How a statement names a person: first name and the first surname's initial.

    ``María Fernanda Guamán Quispe`` -> ``María G.``; ``Luis Cando`` -> ``Luis C.``. A
    company keeps its whole name.
    """
    words = name.split()
    if company or len(words) < 2:
        return name
    surname = words[2] if len(words) >= 4 else words[1]
    return f"{words[0]} {surname[0]}."


def mask_email(email: str) -> str:
    """``luis.yanez@correo.ec`` -> ``l****@correo.ec``."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}****@{domain}"


# --- cooperative accounts (cuentas de terceros) --------------------------------------------------


def find_cooperative_account(
    conn: Connection, account_type: AccountType, number: str
) -> Row | None:
    """An open socio account of ``account_type``, by its cartola number or registered form.

    ``00105349`` (as in the cartola) and ``1105349`` (the manual's form for ahorro a la vista)
    find the same account; a number with leading zeros is always read as a cartola number.
    """
    raw = number.strip()
    prefix = ACCOUNT_PREFIX[account_type]
    candidates = []
    if raw.startswith(prefix) and len(raw) > 1:
        candidates.append(raw[1:].lstrip("0"))  # registered: 1105349 -> 105349
    candidates.append(raw.lstrip("0"))  # cartola: 00105349 -> 105349
    for significant in candidates:
        if not significant:
            continue
        row: Row | None = conn.execute(
            """
            SELECT a.id, a.number, a.type, a.status, a.holder_id, h.name AS holder_name
            FROM accounts AS a JOIN holders AS h ON h.id = a.holder_id
            WHERE a.kind = 'member' AND a.type = ? AND ltrim(a.number, '0') = ?
              AND a.status <> 'cerrada'
            """,
            (account_type.value, significant),
        ).fetchone()
        if row is not None:
            return row
    return None


@dataclass(frozen=True)
class InternalPayee:
    account_id: int
    account_type: AccountType
    registered_number: str  # 1105349
    masked_name: str

    @property
    def payee(self) -> str:
        return f"interna:{self.registered_number}"


def resolve_internal(
    conn: Connection, member: CurrentMember, account_type: AccountType, number: str
) -> InternalPayee:
    """The account a member wants to register as a cuenta de terceros (404 / 422 own)."""
    row = find_cooperative_account(conn, account_type, number)
    if row is None:
        raise ApiError(
            404,
            "not_found",
            _(
                "No encontramos una cuenta de {account_type} con ese número. Revíselo en la "
                "cartola de la otra persona."
            ).format(account_type=ACCOUNT_TYPE_LABELS[account_type].lower()),
            "number",
        )
    if row["holder_id"] == member.holder_id:
        raise ApiError(
            422,
            "own_account",
            _(
                "Esa cuenta es suya: para mover dinero entre sus cuentas use Transferencias "
                "entre cuentas propias."
            ),
            "number",
        )
    return InternalPayee(
        account_id=row["id"],
        account_type=account_type,
        registered_number=normalise_third_party_account(row["number"], account_type),
        masked_name=mask_name(row["holder_name"]),
    )


# --- beneficiaries ------------------------------------------------------------------------------

_SELECT_BENEFICIARY = """
    SELECT b.id, b.member_id, b.kind, b.number, b.account_type, b.account_id,
           b.institution_code, i.name AS institution_name, b.id_type, b.id_number, b.name,
           b.email, b.created_at
    FROM beneficiaries AS b LEFT JOIN institutions AS i ON i.code = b.institution_code
"""


def beneficiary_model(row: Row) -> Beneficiary:
    interna = row["kind"] == BeneficiaryKind.INTERNA
    return Beneficiary(
        id=row["id"],
        kind=BeneficiaryKind(row["kind"]),
        name=row["name"],
        number=row["number"],
        account_type=(
            AccountType(row["account_type"])
            if interna
            else ExternalAccountType(row["account_type"])
        ),
        institution_code=COOPERATIVE_CODE if interna else row["institution_code"],
        institution_name=COOPERATIVE_NAME if interna else row["institution_name"],
        id_type=IdType(row["id_type"]) if row["id_type"] else None,
        id_number=row["id_number"],
        email=row["email"],
        created_at=from_db(row["created_at"]),
    )


def list_beneficiaries(conn: Connection, member_id: int) -> list[Row]:
    return conn.execute(
        f"{_SELECT_BENEFICIARY} WHERE b.member_id = ? ORDER BY lower(b.name), b.id",
        (member_id,),
    ).fetchall()


def own_beneficiary(conn: Connection, member_id: int, beneficiary_id: int) -> Row:
    """The member's beneficiary; anyone else's (or none) is the same 404."""
    row: Row | None = conn.execute(
        f"{_SELECT_BENEFICIARY} WHERE b.id = ? AND b.member_id = ?", (beneficiary_id, member_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", _(BENEFICIARY_NOT_FOUND_MESSAGE))
    return row


def beneficiary_payee(row: Row) -> str:
    """What a PIN for a transfer to this beneficiary is bound to."""
    return f"transferencia:{row['id']}:{row['number']}"


# --- accounts, limits and funds -----------------------------------------------------------------

_ACCOUNT_COLUMNS = "id, number, type, balance_cents, hold_cents, status, holder_id"


def account_by_id(conn: Connection, account_id: int) -> Row:
    row: Row = conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    return row


def own_account(conn: Connection, member: CurrentMember, number: str) -> Row:
    """The member's account ``number`` (any status); anyone else's is the same 404."""
    row: Row | None = conn.execute(
        f"""
        SELECT {_ACCOUNT_COLUMNS} FROM accounts
        WHERE number = ? AND holder_id = ? AND kind = 'member'
        """,
        (number, member.holder_id),
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", _(ACCOUNT_NOT_FOUND_MESSAGE))
    return row


def require_active(account: Row, *, origin: bool, action: str = "transferir") -> None:
    if account["status"] == "activa":
        return
    if origin:
        status = ACCOUNT_STATUS_WORDS.get(account["status"], account["status"])
        message = _(_INACTIVE_ORIGIN[action]).format(number=account["number"], status=_(status))
    else:
        message = _("La cuenta destino no puede recibir transferencias en este momento.")
    raise ApiError(409, "account_unavailable", message, "from_account" if origin else None)


def require_funds(account: Row, amount_cents: int) -> None:
    available = account["balance_cents"] - account["hold_cents"]
    if amount_cents > available:
        raise ApiError(
            409,
            "insufficient_funds",
            _("Saldo insuficiente: la cuenta {number} tiene {available} disponibles.").format(
                number=account["number"], available=money(available)
            ),
            "amount_cents",
        )


def _day_bounds(now: datetime) -> tuple[str, str]:
    """Today in Ecuador, as stored text: [00:00, next 00:00)."""
    day = now.astimezone(ECUADOR_TZ).date()
    start = datetime.combine(day, time(0), tzinfo=ECUADOR_TZ)
    return to_db(start), to_db(start + timedelta(days=1))


def transfer_limits(conn: Connection, member_id: int, now: datetime) -> TransferLimits:
    row = conn.execute(
        "SELECT per_transaction_cents, daily_cents FROM transfer_limits WHERE member_id = ?",
        (member_id,),
    ).fetchone()
    per_transaction, daily = (
        (row["per_transaction_cents"], row["daily_cents"])
        if row is not None
        else (DEFAULT_PER_TRANSACTION_CENTS, DEFAULT_DAILY_CENTS)
    )
    start, end = _day_bounds(now)
    # Executed transfers to third parties count, and payments to cards of other institutions
    # (paid like an interbancaria); a returned (rechazada) one does not.
    used = conn.execute(
        """
        SELECT (
            SELECT COALESCE(SUM(amount_cents), 0) FROM transfers
            WHERE member_id = :member AND executed_at >= :start AND executed_at < :end
              AND kind IN ('internas', 'interbancarias')
              AND status IN ('completada', 'en_proceso')
        ) + (
            SELECT COALESCE(SUM(amount_cents), 0) FROM payments
            WHERE member_id = :member AND executed_at >= :start AND executed_at < :end
              AND kind = 'tarjeta_externa' AND status IN ('completada', 'en_proceso')
        )
        """,
        {"member": member_id, "start": start, "end": end},
    ).fetchone()[0]
    return TransferLimits(
        per_transaction_cents=per_transaction,
        daily_cents=daily,
        used_today_cents=used,
        available_today_cents=max(0, daily - used),
    )


def require_within_limits(
    conn: Connection, member_id: int, now: datetime, amount_cents: int
) -> None:
    limits = transfer_limits(conn, member_id, now)
    left = money(limits.available_today_cents)
    if amount_cents > limits.per_transaction_cents:
        message = _(
            "El monto supera su límite por transacción de {limit}. Hoy le quedan {left}."
        ).format(limit=money(limits.per_transaction_cents), left=left)
    elif amount_cents > limits.available_today_cents:
        message = _("El monto supera su límite diario de {limit}. Hoy le quedan {left}.").format(
            limit=money(limits.daily_cents), left=left
        )
    else:
        return
    raise ApiError(422, "limit_exceeded", message, "amount_cents")


# --- transfers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferPlan:
    """A checked transfer request, ready to be stored (and executed)."""

    kind: TransferKind
    origin: Row
    destination: Row | None  # propias and internas: the account credited
    beneficiary_id: int | None
    to_account: str
    to_name: str
    to_institution: str
    to_institution_code: str
    amount_cents: int
    description: str
    payee: str | None  # what the PIN is bound to (None for propias)


def check_transfer(
    conn: Connection,
    member: CurrentMember,
    now: datetime,
    *,
    kind: TransferKind,
    origin: Row,
    destination: Row | None,
    amount_cents: int,
) -> None:
    """What the start checks and the confirmation checks again: status, limits, funds."""
    require_active(origin, origin=True)
    if destination is not None:
        require_active(destination, origin=False)
    if kind is not TransferKind.PROPIAS:
        require_within_limits(conn, member.id, now, amount_cents)
    require_funds(origin, amount_cents)


def plan_transfer(
    conn: Connection,
    member: CurrentMember,
    now: datetime,
    *,
    kind: TransferKind,
    from_account: str,
    to_account: str | None,
    beneficiary_id: int | None,
    amount_cents: int,
    description: str,
) -> TransferPlan:
    """Checks a TransferRequest in the order of the form; the first problem is raised."""
    if kind is TransferKind.PROPIAS:
        if to_account is None:
            raise invalid("to_account", _("Cuenta destino: elija la cuenta propia que recibe."))
        if beneficiary_id is not None:
            raise invalid(
                "beneficiary_id",
                _(
                    "Cuenta destino: entre cuentas propias se elige una cuenta suya, no una de "
                    "Productos de terceros."
                ),
            )
    else:
        if beneficiary_id is None:
            raise invalid(
                "beneficiary_id",
                _("Cuenta destino: elija una cuenta de sus Productos de terceros."),
            )
        if to_account is not None:
            raise invalid(
                "to_account",
                _(
                    "Cuenta destino: a terceros se transfiere a una cuenta de Productos de "
                    "terceros."
                ),
            )
    text = clean_text(description, "description", _("Descripción"))
    origin = own_account(conn, member, from_account)

    destination: Row | None = None
    beneficiary: Row | None = None
    if kind is TransferKind.PROPIAS:
        assert to_account is not None
        destination = own_account(conn, member, to_account)
        if destination["id"] == origin["id"]:
            raise invalid(
                "to_account", _("La cuenta destino debe ser distinta de la cuenta origen.")
            )
        to_number, to_name = destination["number"], _holder_name(conn, member.holder_id)
        to_institution, to_code = COOPERATIVE_NAME, COOPERATIVE_CODE
    else:
        assert beneficiary_id is not None
        beneficiary = own_beneficiary(conn, member.id, beneficiary_id)
        wanted = (
            BeneficiaryKind.INTERNA if kind is TransferKind.INTERNAS else BeneficiaryKind.EXTERNA
        )
        if beneficiary["kind"] != wanted:
            raise invalid(
                "beneficiary_id",
                _(
                    "Esa cuenta es de otra institución: use Transferencias a otras instituciones "
                    "financieras."
                )
                if wanted is BeneficiaryKind.INTERNA
                else _("Esa cuenta es de la cooperativa: use Transferencias internas a terceros."),
            )
        if wanted is BeneficiaryKind.INTERNA:
            destination = account_by_id(conn, beneficiary["account_id"])
        model = beneficiary_model(beneficiary)
        to_number, to_name = model.number, model.name
        to_institution, to_code = model.institution_name, model.institution_code
    check_transfer(
        conn,
        member,
        now,
        kind=kind,
        origin=origin,
        destination=destination,
        amount_cents=amount_cents,
    )
    return TransferPlan(
        kind=kind,
        origin=origin,
        destination=destination,
        beneficiary_id=beneficiary["id"] if beneficiary is not None else None,
        to_account=to_number,
        to_name=to_name,
        to_institution=to_institution,
        to_institution_code=to_code,
        amount_cents=amount_cents,
        description=text,
        payee=beneficiary_payee(beneficiary) if beneficiary is not None else None,
    )


def _holder_name(conn: Connection, holder_id: int | None) -> str:
    row = conn.execute("SELECT name FROM holders WHERE id = ?", (holder_id,)).fetchone()
    return str(row["name"]) if row is not None else ""


def _statement_name_of_holder(conn: Connection, holder_id: int | None) -> str:
    row = conn.execute("SELECT name, kind FROM holders WHERE id = ?", (holder_id,)).fetchone()
    return short_name(row["name"], company=row["kind"] == "empresa")


def next_transfer_id(conn: Connection) -> int:
    """The id (and so the reference) of the next transfer."""
    # Inside BEGIN IMMEDIATE no other writer can take the same id (and so the same reference).
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM transfers").fetchone()[0])


def insert_transfer(
    conn: Connection, member: CurrentMember, plan: TransferPlan, now: datetime
) -> int:
    """Stores the plan as a transfer pendiente_verificacion; returns its id."""
    transfer_id = next_transfer_id(conn)
    conn.execute(
        """
        INSERT INTO transfers (id, reference, member_id, kind, status, from_account_id,
            to_account_id, beneficiary_id, to_account, to_name, to_institution,
            to_institution_code, amount_cents, description, created_at)
        VALUES (?, ?, ?, ?, 'pendiente_verificacion', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            transfer_id,
            f"TRF-{transfer_id:07d}",
            member.id,
            plan.kind.value,
            plan.origin["id"],
            plan.destination["id"] if plan.destination is not None else None,
            plan.beneficiary_id,
            plan.to_account,
            plan.to_name,
            plan.to_institution,
            plan.to_institution_code,
            plan.amount_cents,
            plan.description,
            to_db(now),
        ),
    )
    return transfer_id


# A transfer as stored (``transfers.*`` and its origin's ``from_number``): read from the store,
# or built while it is executed.
TransferRow = Row | dict[str, Any]

_SELECT_TRANSFER = """
    SELECT t.*, a.number AS from_number FROM transfers AS t
    JOIN accounts AS a ON a.id = t.from_account_id
"""


def load_transfer(conn: Connection, member_id: int, transfer_id: int) -> Row:
    row: Row | None = conn.execute(
        f"{_SELECT_TRANSFER} WHERE t.id = ? AND t.member_id = ?", (transfer_id, member_id)
    ).fetchone()
    if row is None:
        raise ApiError(404, "not_found", _(TRANSFER_NOT_FOUND_MESSAGE))
    return row


def executed_transfers(conn: Connection, member_id: int, limit: int) -> list[Row]:
    return conn.execute(
        f"""
        {_SELECT_TRANSFER}
        WHERE t.member_id = ? AND t.status IN ('completada', 'en_proceso', 'rechazada')
        ORDER BY t.executed_at DESC, t.id DESC LIMIT ?
        """,
        (member_id, limit),
    ).fetchall()


def transfer_model(row: TransferRow) -> Transfer:
    def when(column: str) -> datetime | None:
        value = row[column]
        return from_db(value) if value else None

    return Transfer(
        id=row["id"],
        reference=row["reference"],
        kind=TransferKind(row["kind"]),
        status=TransferStatus(row["status"]),
        from_account=row["from_number"],
        to_account=row["to_account"],
        to_name=row["to_name"],
        to_institution=row["to_institution"],
        amount_cents=row["amount_cents"],
        description=row["description"],
        created_at=from_db(row["created_at"]),
        executed_at=when("executed_at"),
        settled_at=when("settled_at"),
        reason=reasons.shown(row["reason"]),
    )


def destination_text(row: TransferRow) -> str:
    """The destination as a receipt shows it (in the current language: call it inside
    :func:`mock_server.domain.mail.writing_to`)."""
    if row["kind"] == TransferKind.PROPIAS:
        return _("Cuenta propia {number}").format(number=row["to_account"])
    return _("{name} · cuenta {number} · {institution}").format(
        name=row["to_name"], number=row["to_account"], institution=row["to_institution"]
    )


def transfer_confirms(plan: TransferPlan) -> str:
    """What a transfer's PIN confirms, in its e-mail (in the current language)."""
    return _(
        "la transferencia de {amount} desde su cuenta {origin} a {name}, cuenta {number} de "
        "{institution}"
    ).format(
        amount=money(plan.amount_cents),
        origin=plan.origin["number"],
        name=plan.to_name,
        number=plan.to_account,
        institution=plan.to_institution,
    )


def execute_transfer(
    conn: Connection, member: CurrentMember, transfer_id: int, now: datetime
) -> TransferRow:
    """Moves the money of a checked transfer and e-mails its receipt; returns the stored row.

    propias and internas end ``completada``; interbancarias ``en_proceso``, their money held
    in the settlement account until the clearing answers (:mod:`mock_server.domain.clearing`).
    """
    row = _as_dict(load_transfer(conn, member.id, transfer_id))
    status, journal_id = _move_money(conn, member, row, now)
    executed_at = to_db(now)
    conn.execute(
        "UPDATE transfers SET status = ?, executed_at = ?, journal_id = ? WHERE id = ?",
        (status.value, executed_at, journal_id, transfer_id),
    )
    # The stored row as it now is (only these columns changed): no need to read it back.
    row.update(status=status.value, executed_at=executed_at, journal_id=journal_id)
    _email_receipt(conn, member, row, now)
    return row


def execute_propias(
    conn: Connection, member: CurrentMember, plan: TransferPlan, now: datetime
) -> TransferRow:
    """A checked propias plan, executed at once; returns the stored row.

    What :func:`insert_transfer` and :func:`execute_transfer` do for a transfer that needs no
    PIN, in fewer statements: the journal is posted first and the transfer inserted
    ``completada`` (it is never seen ``pendiente_verificacion``: all of it commits together),
    and nothing is read back.
    """
    if plan.kind is not TransferKind.PROPIAS or plan.destination is None:
        raise ValueError("execute_propias executes propias plans only")
    transfer_id = next_transfer_id(conn)
    stamp = to_db(now)
    row: dict[str, Any] = {
        "id": transfer_id,
        "reference": f"TRF-{transfer_id:07d}",
        "member_id": member.id,
        "kind": plan.kind.value,
        "status": TransferStatus.COMPLETADA.value,
        "from_account_id": plan.origin["id"],
        "to_account_id": plan.destination["id"],
        "beneficiary_id": None,
        "to_account": plan.to_account,
        "to_name": plan.to_name,
        "to_institution": plan.to_institution,
        "to_institution_code": plan.to_institution_code,
        "amount_cents": plan.amount_cents,
        "description": plan.description,
        "created_at": stamp,
        "executed_at": stamp,
        "settled_at": None,
        "reason": None,
        "journal_id": None,
        "settlement_journal_id": None,
        "from_number": plan.origin["number"],
    }
    status, row["journal_id"] = _move_money(conn, member, row, now)
    assert status is TransferStatus.COMPLETADA
    conn.execute(
        """
        INSERT INTO transfers (id, reference, member_id, kind, status, from_account_id,
            to_account_id, beneficiary_id, to_account, to_name, to_institution,
            to_institution_code, amount_cents, description, created_at, executed_at, journal_id)
        VALUES (:id, :reference, :member_id, :kind, :status, :from_account_id,
            :to_account_id, :beneficiary_id, :to_account, :to_name, :to_institution,
            :to_institution_code, :amount_cents, :description, :created_at, :executed_at,
            :journal_id)
        """,
        row,
    )
    _email_receipt(conn, member, row, now)
    return row


def _as_dict(row: Row) -> dict[str, Any]:
    return dict(zip(row.keys(), row, strict=True))


def _move_money(
    conn: Connection, member: CurrentMember, row: TransferRow, now: datetime
) -> tuple[TransferStatus, int]:
    """Posts the journal of a transfer (its row, stored or about to be); (status, journal id)."""
    reference = row["reference"]
    kind = TransferKind(row["kind"])
    if kind is TransferKind.PROPIAS:
        journal_kind, status = "trf_propia", TransferStatus.COMPLETADA
        debit = Leg(
            row["from_account_id"],
            f"Transferencia a cuenta propia {row['to_account']} · {reference}",
        )
        credit = Leg(
            row["to_account_id"],
            f"Transferencia desde cuenta propia {row['from_number']} · {reference}",
        )
    elif kind is TransferKind.INTERNAS:
        journal_kind, status = "trf_interna", TransferStatus.COMPLETADA
        payee = _statement_name_of_holder(
            conn, account_by_id(conn, row["to_account_id"])["holder_id"]
        )
        payer = _statement_name_of_holder(conn, member.holder_id)
        debit = Leg(row["from_account_id"], f"Transferencia a {payee} · {reference}")
        credit = Leg(row["to_account_id"], f"Transferencia de {payer} · {reference}")
    else:
        journal_kind, status = "trf_interbancaria", TransferStatus.EN_PROCESO
        beneficiary = conn.execute(
            "SELECT id_type FROM beneficiaries WHERE id = ?", (row["beneficiary_id"],)
        ).fetchone()
        company = beneficiary is not None and beneficiary["id_type"] == IdType.RUC
        payee = short_name(row["to_name"], company=company)
        debit = Leg(
            row["from_account_id"],
            f"Transferencia a {payee} ({row['to_institution']}) · {reference}",
        )
        credit = Leg(
            internal_account_id(conn, COMPENSACION_NUMBER),
            f"{reference} a {row['to_institution']} · cta. {row['from_number']}",
        )
    journal_id = post_transfer(
        conn,
        now,
        kind=journal_kind,
        description=f"{reference} · {row['description']}",
        reference=reference,
        amount_cents=row["amount_cents"],
        debit=debit,
        credit=credit,
    )
    return status, journal_id


def _email_receipt(
    conn: Connection, member: CurrentMember, row: TransferRow, now: datetime
) -> None:
    whom = conn.execute(
        "SELECT email, full_name, language FROM members WHERE id = ?", (member.id,)
    ).fetchone()
    with mail.writing_to(conn, member.id, whom["language"]):
        mail.transfer_receipt(
            conn,
            now,
            to=whom["email"],
            member_id=member.id,
            name=whom["full_name"],
            reference=row["reference"],
            executed_at=now,
            origin=row["from_number"],
            destination=destination_text(row),
            amount=money(row["amount_cents"]),
            description=row["description"],
            status=_(TRANSFER_STATUS_LABELS[TransferStatus(row["status"])]),
            language=whom["language"],
        )


def cancel_transfer(conn: Connection, transfer_id: int, reason: str) -> None:
    conn.execute(
        """
        UPDATE transfers SET status = 'cancelada', reason = ?
        WHERE id = ? AND status = 'pendiente_verificacion'
        """,
        (reason, transfer_id),
    )
