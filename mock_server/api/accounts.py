"""Posición consolidada and estado de cuenta: the session member's accounts and movements."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from mock_server.api import openapi_examples as ex
from mock_server.api.deps import DIGITS, Conn
from mock_server.api.errors import ONE_RECORD, SESSION_ROUTES
from mock_server.api.socio import SettledSocio
from mock_server.domain import accounts
from sjvirtual_tui.models import Account, MovementPage, StatementOrder

# 403: a session whose PRIMER INGRESO is pending (setup_required).
router = APIRouter(tags=["accounts"], responses=SESSION_ROUTES)

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


@router.get(
    "/accounts",
    response_model=list[Account],
    summary="Posición consolidada: the session member's accounts",
)
def list_accounts(member: SettledSocio, conn: Conn) -> list[Account]:
    return accounts.list_accounts(conn, member)


@router.get(
    "/accounts/{number}",
    response_model=Account,
    responses=ONE_RECORD,
    summary="One of the session member's accounts",
)
def get_account(number: AccountNumberPath, member: SettledSocio, conn: Conn) -> Account:
    return accounts.get_account(conn, member, number)


@router.get(
    "/accounts/{number}/movements",
    response_model=MovementPage,
    responses=ONE_RECORD,
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
    return accounts.statement(
        conn,
        member,
        number,
        date_from=date_from,
        date_to=date_to,
        order=order,
        limit=limit,
        cursor=cursor,
    )
