"""Accounts: the member's own (posición consolidada, estado de cuenta), the cooperative's other
socios' (cuentas de terceros, by the 1/9 prefix rule), and what a move asks of them."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mock_server.domain.errors import Conflict, Invalid, NotFound
from mock_server.domain.members import CurrentMember
from mock_server.domain.money import money
from mock_server.domain.text import mask_name, short_name
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store import accounts as store
from mock_server.store.timestamps import from_db
from sjvirtual_tui.models import (
    ACCOUNT_TYPE_LABELS,
    Account,
    AccountType,
    Movement,
    MovementPage,
    StatementOrder,
)
from sjvirtual_tui.rules import ACCOUNT_PREFIX, ECUADOR_TZ, normalise_third_party_account

# This cooperative, as the institution of an interna beneficiary and of internal transfers.
# (The clearing codes of the other institutions are seeded: mock_server.seed.INSTITUTIONS.)
COOPERATIVE_CODE = "1050"
COOPERATIVE_NAME = "Cooperativa San José S.J."

ACCOUNT_NOT_FOUND_MESSAGE = N_("Cuenta no encontrada.")

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


# --- the member's own accounts ------------------------------------------------------------------


def account_model(row: Row) -> Account:
    return Account(
        number=row["number"],
        type=AccountType(row["type"]),
        available_cents=row["balance_cents"] - row["hold_cents"],
        accounting_cents=row["balance_cents"],
        status=row["status"],
    )


def list_accounts(conn: Connection, member: CurrentMember) -> list[Account]:
    """Posición consolidada: the member's accounts, by number."""
    return [account_model(row) for row in store.member_accounts_of_holder(conn, member.holder_id)]


def own_account(conn: Connection, member: CurrentMember, number: str) -> Row:
    """The member's account ``number`` (any status); anyone else's (or none) is the same
    NotFound. (Staff have no holder: NULL matches no account.)"""
    row = store.of_holder(conn, member.holder_id, number)
    if row is None:
        raise NotFound("not_found", _(ACCOUNT_NOT_FOUND_MESSAGE))
    return row


def get_account(conn: Connection, member: CurrentMember, number: str) -> Account:
    return account_model(own_account(conn, member, number))


def account_by_id(conn: Connection, account_id: int) -> Row:
    row = store.by_id(conn, account_id)
    assert row is not None, "callers pass the id of an account they stored"
    return row


def holder_name(conn: Connection, holder_id: int | None) -> str:
    row = store.holder(conn, holder_id)
    return str(row["name"]) if row is not None else ""


def statement_name(name: str, holder_kind: str | None) -> str:
    """How another holder's statement names this one (a company keeps its whole name)."""
    return short_name(name, company=holder_kind == "empresa")


# --- estado de cuenta ---------------------------------------------------------------------------

_CURSOR_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_CURSOR_VALUE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00)\|([1-9][0-9]{0,17})$"
)


def encode_cursor(posted_at: str, seq: int) -> str:
    raw = f"{posted_at}|{seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(posted_at, seq) of the last row of the previous page; Invalid on anything else."""
    bad = Invalid(
        "validation_error",
        _("Página: la referencia de la página no es válida. Vuelva a la primera página."),
        "cursor",
    )
    if not _CURSOR_TEXT.match(cursor):
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise bad from None
    match = _CURSOR_VALUE.match(raw)
    if not match:
        raise bad
    try:
        datetime.fromisoformat(match.group(1))
    except ValueError:
        raise bad from None
    return match.group(1), int(match.group(2))


def day_start(day: date) -> datetime:
    """00:00 in Ecuador on ``day``."""
    return datetime.combine(day, time(0), tzinfo=ECUADOR_TZ)


def statement(
    conn: Connection,
    member: CurrentMember,
    number: str,
    *,
    date_from: date | None,
    date_to: date | None,
    order: StatementOrder,
    limit: int,
    cursor: str | None,
) -> MovementPage:
    """Estado de cuenta: a keyset page of the movements of one of the member's accounts."""
    # Inputs first: a bad request changes nothing and says the same for any account number.
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Invalid(
            "validation_error",
            _("Fecha desde: debe ser anterior o igual a la fecha hasta."),
            "date_from",
        )
    after = decode_cursor(cursor) if cursor else None
    account = own_account(conn, member, number)
    total, rows = store.movements_page(
        conn,
        account["id"],
        since=day_start(date_from) if date_from is not None else None,
        # the next Ecuador day's midnight, exclusive
        before=(
            day_start(date_to + timedelta(days=1))
            if date_to is not None and date_to < date.max
            else None
        ),
        after=after,
        descending=order == "desc",
        limit=limit + 1,  # one more tells whether another page exists
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return MovementPage(
        account_number=account["number"],
        date_from=date_from,
        date_to=date_to,
        order=order,
        total=total,
        items=[
            Movement(
                id=row["id"],
                posted_at=from_db(row["posted_at"]),
                description=row["description"],
                reference=row["reference"],
                amount_cents=row["amount_cents"],
                balance_after_cents=row["balance_after_cents"],
            )
            for row in rows
        ],
        next_cursor=encode_cursor(rows[-1]["posted_at"], rows[-1]["seq"]) if more else None,
    )


# --- what a move asks of an account -------------------------------------------------------------


def require_active(account: Row, *, origin: bool, action: str = "transferir") -> None:
    if account["status"] == "activa":
        return
    if origin:
        status = ACCOUNT_STATUS_WORDS.get(account["status"], account["status"])
        message = _(_INACTIVE_ORIGIN[action]).format(number=account["number"], status=_(status))
    else:
        message = _("La cuenta destino no puede recibir transferencias en este momento.")
    raise Conflict("account_unavailable", message, "from_account" if origin else None)


def require_funds(account: Row, amount_cents: int) -> None:
    available = account["balance_cents"] - account["hold_cents"]
    if amount_cents > available:
        raise Conflict(
            "insufficient_funds",
            _("Saldo insuficiente: la cuenta {number} tiene {available} disponibles.").format(
                number=account["number"], available=money(available)
            ),
            "amount_cents",
        )


# --- cuentas de terceros: the 1/9 prefix rule ---------------------------------------------------


def prefix_rule_candidates(account_type: AccountType, number: str) -> list[str]:
    """The 1/9 prefix rule: the significant digits a typed number may stand for.

    A third party's account is registered with its type's prefix (1 = ahorro a la vista,
    9 = ahorro personal) before the cartola number without its leading zeros: ``00105349``
    (as in the cartola) and ``1105349`` (the manual's form) are the same account. A number with
    leading zeros is always read as a cartola number.
    """
    raw = number.strip()
    prefix = ACCOUNT_PREFIX[account_type]
    candidates = []
    if raw.startswith(prefix) and len(raw) > 1:
        candidates.append(raw[1:].lstrip("0"))  # registered: 1105349 -> 105349
    candidates.append(raw.lstrip("0"))  # cartola: 00105349 -> 105349
    return [significant for significant in candidates if significant]


def find_cooperative_account(
    conn: Connection, account_type: AccountType, number: str
) -> Row | None:
    """An open socio account of ``account_type``, by its cartola number or registered form
    (:func:`prefix_rule_candidates`)."""
    for significant in prefix_rule_candidates(account_type, number):
        row = store.member_account_by_digits(conn, account_type.value, significant)
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
    """The account a member wants to register as a cuenta de terceros (NotFound / own)."""
    row = find_cooperative_account(conn, account_type, number)
    if row is None:
        raise NotFound(
            "not_found",
            _(
                "No encontramos una cuenta de {account_type} con ese número. Revíselo en la "
                "cartola de la otra persona."
            ).format(account_type=ACCOUNT_TYPE_LABELS[account_type].lower()),
            "number",
        )
    if row["holder_id"] == member.holder_id:
        raise Invalid(
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
