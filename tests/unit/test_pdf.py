"""The certificate's band rule (mock_server.domain.certificates) and the PDFs read back (pypdf)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from mock_server.domain.certificates import average_daily_balance, balance_band, new_code
from sjvirtual_tui import i18n
from sjvirtual_tui.exports import Statement
from sjvirtual_tui.models import (
    CERTIFICATE_CODE_PATTERN,
    Account,
    AccountType,
    BalanceLevel,
    Certificate,
    Movement,
)
from sjvirtual_tui.pdf import band_text, certificate_pdf, latin1, statement_pdf

D = date(2026, 9, 1)


def _text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the band rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "band"),
    [
        (0, (1, BalanceLevel.BAJOS)),
        (99, (1, BalanceLevel.BAJOS)),  # $0,99: no whole dollar
        (400, (1, BalanceLevel.MEDIOS)),
        (999_99, (3, BalanceLevel.ALTOS)),  # $999,99
        (1000_00, (4, BalanceLevel.BAJOS)),
        (3999_99, (4, BalanceLevel.BAJOS)),
        (4000_00, (4, BalanceLevel.MEDIOS)),
        (6999_99, (4, BalanceLevel.MEDIOS)),
        (7000_00, (4, BalanceLevel.ALTOS)),
        (12345_67, (5, BalanceLevel.BAJOS)),
        (98_765_432_10, (8, BalanceLevel.ALTOS)),  # $98.765.432,10
    ],
)
def test_the_band_is_the_digits_of_the_dollars_and_the_leading_one(
    cents: int, band: tuple[int, BalanceLevel]
) -> None:
    assert balance_band(cents) == band


def test_a_negative_average_is_no_band() -> None:
    with pytest.raises(ValueError):
        balance_band(-1)


def test_each_day_counts_with_its_closing_balance() -> None:
    # 4 days: opening 100; day 2 moves twice (closes 300); day 4 closes 0.
    closings = [(D + timedelta(days=1), 500), (D + timedelta(days=1), 300), (D + timedelta(3), 0)]
    # days: 100, 300, 300, 0 -> 700 / 4 = 175
    assert average_daily_balance(100, closings, D, D + timedelta(days=3)) == 175


def test_the_average_is_floored_in_whole_cents() -> None:
    # 1 + 2 + 2 = 5 cents over 3 days: 1.66 -> 1 cent (integers only, never a float)
    assert average_daily_balance(1, [(D + timedelta(1), 2)], D, D + timedelta(2)) == 1


def test_a_window_without_days_is_refused() -> None:
    with pytest.raises(ValueError):
        average_daily_balance(0, [], D, D - timedelta(days=1))


def test_codes_follow_the_pattern_and_differ() -> None:
    import re

    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(CERTIFICATE_CODE_PATTERN, code) for code in codes)


# --- the papers ------------------------------------------------------------------------------

CERTIFICATE = Certificate(
    code="CB-7K2M-9XQ4",
    holder_name="María Fernanda Guamán Quispe",
    identification="1712345675",
    account_number="00104721",
    account_type=AccountType.AHORRO_VISTA,
    opened_on=date(2024, 12, 3),
    issued_at=datetime(2026, 12, 5, 15, 30, tzinfo=UTC),
    average_digits=4,
    average_level=BalanceLevel.MEDIOS,
    window_days=90,
)


def test_the_certificate_says_who_which_account_the_band_and_the_code() -> None:
    with i18n.use_language("es"):
        text = _text(certificate_pdf(CERTIFICATE))
    flat = " ".join(text.split())
    assert "CERTIFICADO BANCARIO" in flat
    assert "María Fernanda Guamán Quispe" in flat  # accents as they are (Latin-1)
    assert "1712345675" in flat
    assert "00104721" in flat
    assert "03/12/2024" in flat  # opening day
    assert "4 cifras medias" in flat
    assert "CB-7K2M-9XQ4" in flat
    assert "$" not in flat  # a band, never an amount


def test_the_certificate_in_english() -> None:
    with i18n.use_language("en"):
        flat = " ".join(_text(certificate_pdf(CERTIFICATE)).split())
        band = band_text(4, BalanceLevel.MEDIOS)
    assert "BANK CERTIFICATE" in flat
    assert band in flat
    assert "CB-7K2M-9XQ4" in flat


def _movement(i: int, cents: int, after: int, description: str) -> Movement:
    return Movement(
        id=i,
        posted_at=datetime(2026, 11, 1, 15, tzinfo=UTC) + timedelta(days=i),
        description=description,
        reference=f"REF-{i:04d}",
        amount_cents=cents,
        balance_after_cents=after,
    )


def test_the_statement_has_every_movement_and_exact_sums() -> None:
    account = Account(
        number="00104721",
        type=AccountType.AHORRO_VISTA,
        available_cents=1_234_56,
        accounting_cents=1_234_56,
    )
    movements = [
        _movement(1, 1_000_00, 1_100_00, "Depósito en ventanilla"),
        _movement(2, -45_67, 1_054_33, "Pago CNEL EP ☀ luz"),  # not Latin-1: printed as ?
        _movement(3, 180_23, 1_234_56, "Transferencia de Carlos P."),
    ]
    # Many more, so the table goes on to a second page with its head again.
    balance = 1_234_56
    for i in range(4, 90):
        balance += 1
        movements.append(_movement(i, 1, balance, f"Interés {i}"))
    statement = Statement(
        account,
        date(2026, 11, 1),
        date(2026, 11, 30),
        movements,
        100_00,
        datetime(2026, 12, 5, tzinfo=UTC),
    )
    with i18n.use_language("es"):
        content = statement_pdf(statement)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    assert "Descripción" in reader.pages[1].extract_text()
    flat = " ".join(_text(content).split())
    assert "ESTADO DE CUENTA" in flat
    assert "00104721" in flat
    assert "01/11/2026 - 30/11/2026" in flat
    assert "Depósito en ventanilla" in flat
    assert "Pago CNEL EP ? luz" in flat
    assert "$1.000,00" in flat and "$45,67" in flat and "$180,23" in flat
    assert "Saldo inicial $100,00" in flat
    assert "Débitos $45,67" in flat
    assert f"Saldo final ${balance // 100:,},{balance % 100:02d}".replace(",", ".", 1) in flat
    assert "REF-0089" in flat


def test_text_outside_latin1_never_fails() -> None:
    assert latin1("“Pago” — 5€ … ✓") == '"Pago" - 5? ... ?'
