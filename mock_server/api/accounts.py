"""Posición consolidada and estado de cuenta: the session member's accounts and movements."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, Conn, CurrentMember
from mock_server.api.errors import ERROR_RESPONSE, ApiError
from mock_server.domain import banking
from mock_server.domain.clearing import SettledSocio
from mock_server.i18n import _
from mock_server.store import Connection, Row
from mock_server.store.meta import from_db, to_db
from sjvirtual_tui.models import Account, AccountType, Movement, MovementPage, StatementOrder
from sjvirtual_tui.rules import ECUADOR_TZ

# 403: a session whose PRIMER INGRESO is pending (setup_required).
router = APIRouter(
    tags=["accounts"],
    responses={401: ERROR_RESPONSE, 403: ERROR_RESPONSE, 500: ERROR_RESPONSE},
)

MAX_PAGE = 500

AccountNumberPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{1,20}$",
        description="As printed in the cartola, e.g. 00105349.",
        openapi_examples=ex.ACCOUNT_NUMBER,
    ),
]

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` is a day in a query string: pydantic alone would also read a number
    as a Unix time (``date_to=0`` was 1970-01-01), which the OpenAPI document does not allow."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")


# A day in Ecuador, as YYYY-MM-DD (docs/api.md: Conventions).
QueryDay = Annotated[date | None, BeforeValidator(_iso_day)]

_CURSOR_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_CURSOR_VALUE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00)\|([1-9][0-9]{0,17})$"
)


def _account(row: Row) -> Account:
    return Account(
        number=row["number"],
        type=AccountType(row["type"]),
        available_cents=row["balance_cents"] - row["hold_cents"],
        accounting_cents=row["balance_cents"],
        status=row["status"],
    )


def own_account(conn: Connection, member: CurrentMember, number: str) -> Row:
    """The account ``number`` of the member's holder; anyone else's (or none) is the same 404."""
    # Staff have no holder: NULL matches no account.
    return banking.own_account(conn, member, number)


def encode_cursor(posted_at: str, seq: int) -> str:
    raw = f"{posted_at}|{seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(posted_at, seq) of the last row of the previous page; 422 on anything else."""
    bad = ApiError(
        422,
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


def _day_start_utc(day: date) -> str:
    """00:00 in Ecuador on ``day``, as stored text (UTC)."""
    return to_db(datetime.combine(day, time(0), tzinfo=ECUADOR_TZ))


@router.get(
    "/accounts",
    response_model=list[Account],
    summary="Posición consolidada: the session member's accounts",
)
def list_accounts(member: SettledSocio, conn: Conn) -> list[Account]:
    rows = conn.execute(
        """
        SELECT id, number, type, balance_cents, hold_cents, status FROM accounts
        WHERE holder_id = ? AND kind = 'member' ORDER BY number
        """,
        (member.holder_id,),
    ).fetchall()
    return [_account(row) for row in rows]


@router.get(
    "/accounts/{number}",
    response_model=Account,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="One of the session member's accounts",
)
def get_account(number: AccountNumberPath, member: SettledSocio, conn: Conn) -> Account:
    return _account(own_account(conn, member, number))


@router.get(
    "/accounts/{number}/movements",
    response_model=MovementPage,
    responses={404: ERROR_RESPONSE, 422: ERROR_RESPONSE},
    summary="Estado de cuenta: keyset pages of an account's movements",
)
def list_movements(
    number: AccountNumberPath,
    member: SettledSocio,
    conn: Conn,
    date_from: Annotated[
        QueryDay, Query(description="First day (Ecuador), inclusive.", openapi_examples=ex.DAY_FROM)
    ] = None,
    date_to: Annotated[
        QueryDay, Query(description="Last day (Ecuador), inclusive.", openapi_examples=ex.DAY_TO)
    ] = None,
    order: Annotated[StatementOrder, Query(description="desc: newest first.")] = "desc",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE), DIGITS] = 100,
    cursor: Annotated[str | None, Query(max_length=200, description="From next_cursor.")] = None,
) -> MovementPage:
    # Inputs first: a bad request changes nothing and says the same for any account number.
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ApiError(
            422,
            "validation_error",
            _("Fecha desde: debe ser anterior o igual a la fecha hasta."),
            "date_from",
        )
    after = decode_cursor(cursor) if cursor else None
    account = own_account(conn, member, number)

    where = ["account_id = ?"]
    params: list[Any] = [account["id"]]
    if date_from is not None:
        where.append("posted_at >= ?")
        params.append(_day_start_utc(date_from))
    if date_to is not None and date_to < date.max:
        where.append("posted_at < ?")  # the next Ecuador day's midnight, exclusive
        params.append(_day_start_utc(date_to + timedelta(days=1)))
    total = conn.execute(
        f"SELECT COUNT(*) FROM movements WHERE {' AND '.join(where)}", params
    ).fetchone()[0]

    if after is not None:
        # Row values keep the keyset condition on the (account_id, posted_at, seq) index.
        where.append(
            "(posted_at, seq) < (?, ?)" if order == "desc" else "(posted_at, seq) > (?, ?)"
        )
        params.extend(after)
    direction = "DESC" if order == "desc" else "ASC"
    # mock_server.domain.ledger.STATEMENT_ORDER (seq order), the order the running balances
    # chain in.
    rows = conn.execute(
        f"""
        SELECT id, seq, posted_at, description, reference, amount_cents, balance_after_cents
        FROM movements WHERE {" AND ".join(where)}
        ORDER BY posted_at {direction}, seq {direction} LIMIT ?
        """,
        [*params, limit + 1],  # one more tells whether another page exists
    ).fetchall()
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
