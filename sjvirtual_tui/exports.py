"""A statement written out for other programs: CSV, OFX 2, an hledger/ledger journal, JSON.

One module for the statement screen's F2 and for ``sjvirtual movimientos``: the same rows, the
same bytes. Amounts are integer cents from the server, written as exact decimals (``Decimal`` or
``plain_amount``), never through a float. Movements are fetched oldest first, page by page, and
each page is reported to a ``progress(done, total)`` callback.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from sjvirtual_tui import rules
from sjvirtual_tui.backend import Backend, BackendError
from sjvirtual_tui.files import atomic_text_file, write_atomically, write_bytes_atomically
from sjvirtual_tui.formatting import plain_amount
from sjvirtual_tui.i18n import _
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, Account, Certificate, Movement, MovementPage

EXPORT_PAGE = 500
FORMATS = ("csv", "ofx", "ledger", "json")
CSV_HEADER = ["fecha", "descripcion", "referencia", "debito", "credito", "saldo"]
# The OFX <BANKID> of the cooperative (OFX asks for one; Ecuador has no routing numbers).
OFX_BANK_ID = "COACSJ"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Statement:
    """The movements of ``account`` in a range, oldest first, and the balance before them."""

    account: Account
    date_from: date | None
    date_to: date | None
    movements: list[Movement]
    opening_cents: int
    generated_at: datetime

    @property
    def closing_cents(self) -> int:
        return self.movements[-1].balance_after_cents if self.movements else self.opening_cents


# --- fetching ------------------------------------------------------------------------------------


async def movement_pages(
    backend: Backend,
    number: str,
    date_from: date | None,
    date_to: date | None,
    *,
    page_size: int = EXPORT_PAGE,
) -> AsyncIterator[MovementPage]:
    """Every page of the range, oldest movement first."""
    cursor: str | None = None
    while True:
        page = await backend.statement(
            number,
            date_from=date_from,
            date_to=date_to,
            order="asc",
            limit=page_size,
            cursor=cursor,
        )
        yield page
        cursor = page.next_cursor
        if cursor is None:
            return


async def fetch_statement(
    backend: Backend,
    account: Account,
    date_from: date | None,
    date_to: date | None,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> Statement:
    movements: list[Movement] = []
    async for page in movement_pages(backend, account.number, date_from, date_to):
        movements.extend(page.items)
        if progress is not None:
            progress(len(movements), page.total)
    if movements:
        first = movements[0]
        opening = first.balance_after_cents - first.amount_cents
    elif date_from is not None:
        # Nothing in the range: the balance is the one after the last movement before it.
        before = await backend.statement(
            account.number, date_to=date_from - timedelta(days=1), order="desc", limit=1
        )
        opening = before.items[0].balance_after_cents if before.items else 0
    else:
        opening = 0  # no movement at all up to date_to
    return Statement(account, date_from, date_to, movements, opening, now)


# --- CSV -----------------------------------------------------------------------------------------


def _csv_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula (descriptions can come from other people)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_row(m: Movement) -> list[str]:
    return [
        rules.local_datetime(m.posted_at).isoformat(timespec="seconds"),
        _csv_text(m.description),
        _csv_text(m.reference),
        plain_amount(-m.amount_cents) if m.amount_cents < 0 else "",
        plain_amount(m.amount_cents) if m.amount_cents > 0 else "",
        plain_amount(m.balance_after_cents),
    ]


def write_csv(handle: TextIO, movements: Iterable[Movement]) -> None:
    """RFC 4180 CSV (open ``handle`` with ``newline=""``), dot decimals and ISO local times:
    what spreadsheets and scripts read."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_row(m) for m in movements)


def export_file_name(
    number: str, date_from: date | None, date_to: date | None, extension: str = "csv"
) -> str:
    start = date_from.strftime("%Y%m%d") if date_from else "inicio"
    end = date_to.strftime("%Y%m%d") if date_to else "hoy"
    return f"estado-{number}-{start}-{end}.{extension}"


def write_statement_csv(path: Path, movements: list[Movement]) -> None:
    """The CSV of ``movements`` at ``path``, written to a temporary file and renamed, so a
    failed export never leaves half a file."""
    write_atomically(path, lambda handle: write_csv(handle, movements))


async def export_csv_file(
    backend: Backend,
    number: str,
    date_from: date | None,
    date_to: date | None,
    path: Path,
    *,
    progress: Progress | None = None,
) -> int:
    """Fetches the range page by page into a temporary file beside ``path``, renamed to it
    only once every row is in: a failure or a cancellation (``CancelledError`` at any await)
    removes the temporary file and leaves nothing. Returns the number of rows."""
    done = 0
    with _saving(path), atomic_text_file(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        async for page in movement_pages(backend, number, date_from, date_to):
            writer.writerows(csv_row(m) for m in page.items)
            done += len(page.items)
            if progress is not None:
                progress(done, page.total)
    return done


@contextmanager
def _saving(path: Path) -> Iterator[None]:
    """A file system error while saving ``path`` as the message a screen shows."""
    try:
        yield
    except OSError as exc:
        raise _save_error(path, exc) from exc


def _save_error(path: Path, exc: OSError) -> BackendError:
    return BackendError(
        _("No se pudo guardar {path}: {error}.").format(path=path, error=exc.strerror or exc)
    )


# --- JSON ----------------------------------------------------------------------------------------


def _decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def account_json(account: Account) -> dict[str, str]:
    """Amounts as strings ("1234.56"): exact in every JSON reader (no float on the way)."""
    return {
        "cuenta": account.number,
        "tipo": str(account.type),
        "moneda": account.currency,
        "disponible": plain_amount(account.available_cents),
        "contable": plain_amount(account.accounting_cents),
        "estado": account.status,
    }


def write_json(handle: TextIO, statement: Statement) -> None:
    document = {
        "cuenta": statement.account.number,
        "tipo": str(statement.account.type),
        "moneda": statement.account.currency,
        "desde": statement.date_from.isoformat() if statement.date_from else None,
        "hasta": statement.date_to.isoformat() if statement.date_to else None,
        "saldo_inicial": plain_amount(statement.opening_cents),
        "saldo_final": plain_amount(statement.closing_cents),
        "movimientos": [
            {
                "id": m.id,
                "fecha": rules.local_datetime(m.posted_at).isoformat(timespec="seconds"),
                "descripcion": m.description,
                "referencia": m.reference,
                "importe": plain_amount(m.amount_cents),
                "saldo": plain_amount(m.balance_after_cents),
            }
            for m in statement.movements
        ],
    }
    json.dump(document, handle, ensure_ascii=False, indent=2)
    handle.write("\n")


# --- OFX 2 ---------------------------------------------------------------------------------------


def _range_start(statement: Statement) -> datetime:
    if statement.date_from is not None:
        return _ecuador_midnight(statement.date_from)
    if statement.movements:
        return statement.movements[0].posted_at
    return statement.generated_at


def _range_end(statement: Statement) -> datetime:
    if statement.date_to is not None:
        end = _ecuador_midnight(statement.date_to + timedelta(days=1)) - timedelta(seconds=1)
        return min(end, statement.generated_at)
    return statement.generated_at


def _ecuador_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=rules.ECUADOR_TZ)


def write_ofx(handle: TextIO, statement: Statement) -> None:
    """An OFX 2.2 bank statement (``<STMTRS>``) built and checked by ofxtools' models."""
    import xml.etree.ElementTree as ET

    from ofxtools.header import make_header
    from ofxtools.models import (
        BANKACCTFROM,
        BANKMSGSRSV1,
        BANKTRANLIST,
        LEDGERBAL,
        OFX,
        SIGNONMSGSRSV1,
        SONRS,
        STATUS,
        STMTRS,
        STMTTRN,
        STMTTRNRS,
    )

    transactions = [
        STMTTRN(
            trntype="CREDIT" if m.amount_cents > 0 else "DEBIT",
            dtposted=m.posted_at,
            trnamt=_decimal(m.amount_cents),
            fitid=str(m.id),
            refnum=_clip(m.reference, 32) or None,
            name=_clip(m.description, 32) or None,
            memo=_clip(m.description, 255) if len(m.description) > 32 else None,
        )
        for m in statement.movements
    ]
    ok = STATUS(code=0, severity="INFO")
    stmtrs = STMTRS(
        curdef=statement.account.currency,
        bankacctfrom=BANKACCTFROM(
            bankid=OFX_BANK_ID, acctid=statement.account.number, accttype="SAVINGS"
        ),
        banktranlist=BANKTRANLIST(
            *transactions, dtstart=_range_start(statement), dtend=_range_end(statement)
        ),
        ledgerbal=LEDGERBAL(balamt=_decimal(statement.closing_cents), dtasof=_range_end(statement)),
    )
    ofx = OFX(
        signonmsgsrsv1=SIGNONMSGSRSV1(
            sonrs=SONRS(status=ok, dtserver=statement.generated_at, language="SPA")
        ),
        bankmsgsrsv1=BANKMSGSRSV1(STMTTRNRS(trnuid="0", status=ok, stmtrs=stmtrs)),
    )
    handle.write(str(make_header(version=220)))
    handle.write(ET.tostring(ofx.to_etree(), encoding="unicode"))
    handle.write("\n")


def _clip(text: str, width: int) -> str:
    return _one_line(text)[:width]


# --- hledger / ledger journal --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _journal_text(text: str) -> str:
    """A description or code that cannot start a comment or end the field early."""
    return _one_line(text).replace(";", ",").replace("(", "[").replace(")", "]")


def _journal_amount(cents: int, currency: str) -> str:
    return f"{plain_amount(cents)} {currency}"


def write_ledger(handle: TextIO, statement: Statement) -> None:
    """A plain-text journal that hledger and ledger read: an opening balance, then one
    transaction per movement; each asserts the bank's running balance (``= saldo``), so
    ``hledger check`` proves the file matches the statement."""
    account = statement.account
    currency = account.currency
    kind = _(ACCOUNT_TYPE_LABELS.get(account.type, account.type))
    bank = _("Activos:Cooperativa San José:{kind} {number}").format(
        kind=kind, number=account.number
    )
    opening_account = _("Patrimonio:Saldos iniciales")
    income = _("Ingresos:Sin clasificar")
    expenses = _("Gastos:Sin clasificar")
    first_day = statement.date_from or (
        rules.local_datetime(statement.movements[0].posted_at).date()
        if statement.movements
        else rules.local_datetime(statement.generated_at).date()
    )
    write = handle.write
    write(
        "; "
        + _("Estado de cuenta {number} ({kind}), {start} a {end}").format(
            number=account.number,
            kind=kind,
            start=statement.date_from.isoformat() if statement.date_from else "…",
            end=statement.date_to.isoformat() if statement.date_to else "…",
        )
        + "\n\n"
    )
    write(f"{first_day.isoformat()} * {_('Saldo inicial')}\n")
    write(f"    {bank}  {_journal_amount(statement.opening_cents, currency)}\n")
    write(f"    {opening_account}  {_journal_amount(-statement.opening_cents, currency)}\n\n")
    for m in statement.movements:
        day = rules.local_datetime(m.posted_at).date().isoformat()
        code = f" ({_journal_text(m.reference)})" if m.reference.strip() else ""
        other = income if m.amount_cents > 0 else expenses
        write(f"{day} *{code} {_journal_text(m.description) or '-'}\n")
        write(
            f"    {bank}  {_journal_amount(m.amount_cents, currency)}"
            f" = {_journal_amount(m.balance_after_cents, currency)}\n"
        )
        write(f"    {other}  {_journal_amount(-m.amount_cents, currency)}\n\n")


WRITERS: dict[str, Callable[[TextIO, Statement], None]] = {
    "csv": lambda handle, statement: write_csv(handle, statement.movements),
    "ofx": write_ofx,
    "ledger": write_ledger,
    "json": write_json,
}


# --- PDF (issue 17: certificates and statements) -------------------------------------------------

PDF_FORMAT = "pdf"


def _write_bytes(path: Path, content: bytes) -> None:
    """``content`` at ``path``, through a temporary file renamed when whole (never half a file)."""
    with _saving(path):
        write_bytes_atomically(path, content)


async def export_pdf_file(
    backend: Backend,
    account: Account,
    date_from: date | None,
    date_to: date | None,
    path: Path,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """The estado de cuenta of the range as a PDF at ``path`` (the movements fetched page by
    page first: a failure or a cancellation leaves no file). Returns the number of movements."""
    from sjvirtual_tui.pdf import statement_pdf

    statement = await fetch_statement(
        backend, account, date_from, date_to, now=now, progress=progress
    )
    _write_bytes(path, statement_pdf(statement))
    return len(statement.movements)


def certificate_file_name(certificate: Certificate) -> str:
    return f"certificado-{certificate.account_number}-{certificate.code}.pdf"


def save_certificate_pdf(certificate: Certificate, directory: Path) -> Path:
    """The certificado bancario as a PDF in ``directory``; its path."""
    from sjvirtual_tui.pdf import certificate_pdf

    path = directory / certificate_file_name(certificate)
    _write_bytes(path, certificate_pdf(certificate))
    return path
