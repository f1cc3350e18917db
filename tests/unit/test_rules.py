"""Table tests of the cooperative's rules (sjvirtual_tui/rules.py)."""

from datetime import UTC, date, datetime

import pytest

from sjvirtual_tui import rules
from sjvirtual_tui.formatting import count, local_time, money, plain_amount
from sjvirtual_tui.models import AccountType

VISTA, PERSONAL = AccountType.AHORRO_VISTA, AccountType.AHORRO_PERSONAL


@pytest.mark.parametrize(
    ("cartola", "kind", "registered"),
    [
        ("00105349", VISTA, "1105349"),  # the manual's example
        ("00105349", PERSONAL, "9105349"),
        ("105349", VISTA, "1105349"),
        (" 0010-5349 ", VISTA, "1105349"),
        ("00000001", PERSONAL, "91"),
        ("10", VISTA, "110"),  # zeros inside the number stay
    ],
)
def test_third_party_account_number(cartola: str, kind: AccountType, registered: str) -> None:
    assert rules.normalise_third_party_account(cartola, kind) == registered


@pytest.mark.parametrize(
    ("cartola", "message"),
    [
        ("", "Ingrese el número de cuenta."),
        ("0000", "El número de cuenta no puede ser solo ceros."),
        ("0010534a", "El número de cuenta solo lleva dígitos."),
        ("١٢٣", "El número de cuenta solo lleva dígitos."),  # other scripts' digits
        ("1" * 13, "El número de cuenta es demasiado largo."),
    ],
)
def test_third_party_account_number_refused(cartola: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.normalise_third_party_account(cartola, VISTA)


@pytest.mark.parametrize(
    ("registered", "kind", "cartola"),
    [("1105349", VISTA, "00105349"), ("9105349", PERSONAL, "00105349")],
)
def test_registered_number_back_to_cartola(registered: str, kind: AccountType, cartola: str):
    assert rules.cartola_number_from_registered(registered) == (kind, cartola)


def test_registered_number_with_unknown_prefix() -> None:
    with pytest.raises(ValueError, match="empezar con 1"):
        rules.cartola_number_from_registered("5105349")


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("Demo2026", None),
        ("Abcdefg1", None),
        ("Ñandú2026", None),
        ("Abc1", "La contraseña debe tener al menos 8 caracteres."),
        ("abcdefgh1", "La contraseña debe tener una letra mayúscula."),
        ("Abcdefghi", "La contraseña debe tener un número."),
        ("abc", "La contraseña debe tener al menos 8 caracteres, un número y una letra mayúscula."),
        ("", "La contraseña debe tener al menos 8 caracteres, un número y una letra mayúscula."),
    ],
)
def test_password_policy(password: str, error: str | None) -> None:
    assert rules.password_error(password) == error


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("1710034065", None),
        ("0926687856", None),
        ("1710034066", "La cédula no es válida (revise el último dígito)."),
        ("171003406", "La cédula tiene 10 dígitos."),
        ("17100340a5", "La cédula solo lleva dígitos."),
        ("", "Ingrese el número de cédula."),
        ("9910034065", "La cédula no es válida (revise el último dígito)."),  # no province 99
    ],
)
def test_cedula(value: str, error: str | None) -> None:
    assert rules.cedula_error(value) == error


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("1792060346001", None),  # a company (third digit 9)
        ("1710034065001", None),  # a natural person: cédula + 001
        ("1792060347001", "El RUC no es válido."),  # wrong check digit
        ("179206034600", "El RUC tiene 13 dígitos."),
        ("", "Ingrese el número de RUC."),
    ],
)
def test_ruc(value: str, error: str | None) -> None:
    assert rules.ruc_error(value) == error


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("25", 2500),
        ("25,5", 2550),
        ("25,50", 2550),
        ("1.234,56", 123456),
        ("$1.234,56", 123456),
        ("$ 10", 1000),
        ("25.50", 2550),  # a dot with two decimals is a decimal point
        ("0,01", 1),
        ("1.000.000", 100000000),
    ],
)
def test_parse_amount(text: str, cents: int) -> None:
    assert rules.parse_amount_cents(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ingrese el monto."),
        ("-5", "mayor que cero"),
        ("0", "mayor que cero"),
        ("0,00", "mayor que cero"),
        ("0,001", "coma decimal"),
        ("1e9", "coma decimal"),
        ("0.001", "coma decimal"),  # a thousands group after a zero: not $1,00
        ("0.500,00", "coma decimal"),
        ("12,345", "coma decimal"),
        ("1.23.4", "coma decimal"),
        ("abc", "coma decimal"),
        ("10000000000", "demasiado grande"),
    ],
)
def test_parse_amount_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse_amount_cents(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("25/11/2026", date(2026, 11, 25)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01-02-2026", date(2026, 2, 1)),
    ],
)
def test_parse_date(text: str, value: date) -> None:
    assert rules.parse_date(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [("2026-11-25", "dd/mm/aaaa"), ("31/02/2026", "no existe"), ("", "dd/mm/aaaa")],
)
def test_parse_date_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse_date(text)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0,00"),
        (5, "$0,05"),
        (123456, "$1.234,56"),
        (-1250, "-$12,50"),
        (100000000, "$1.000.000,00"),
    ],
)
def test_money_is_dollars_the_ecuadorian_way(cents: int, text: str) -> None:
    assert money(cents) == text


@pytest.mark.parametrize(("cents", "text"), [(0, "0.00"), (5, "0.05"), (-123456, "-1234.56")])
def test_plain_amount(cents: int, text: str) -> None:
    assert plain_amount(cents) == text


def test_times_are_shown_in_ecuador() -> None:
    # 03:30 UTC on the 25th is still the 24th in Ecuador (UTC-5).
    assert local_time(datetime(2026, 11, 25, 3, 30, tzinfo=UTC)) == "24/11/2026 22:30"
    assert rules.today_in_ecuador(datetime(2026, 11, 25, 3, 30, tzinfo=UTC)) == date(2026, 11, 24)


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (999, "999"), (100000, "100.000")])
def test_counts_use_dots_for_thousands(n: int, text: str) -> None:
    assert count(n) == text


@pytest.mark.parametrize(
    ("typed", "kind", "registered"),
    [
        ("00105349", VISTA, "1105349"),  # the manual's example: the cartola's form
        ("00105349", AccountType.AHORRO_PERSONAL, "9105349"),
        ("1105349", VISTA, "1105349"),  # already prefixed: taken as it is
        ("9105349", AccountType.AHORRO_PERSONAL, "9105349"),
        (" 0010-5349 ", VISTA, "1105349"),
    ],
)
def test_registered_account_number(typed: str, kind: AccountType, registered: str) -> None:
    assert rules.registered_account_number(typed, kind) == registered


@pytest.mark.parametrize(
    ("typed", "kind", "message"),
    [
        ("", VISTA, "Ingrese el número"),
        ("0010534a", VISTA, "solo lleva dígitos"),
        ("00000000", VISTA, "solo ceros"),
        # Typed without zeros and without prefix: 1 + "05349" would be someone else's account.
        ("105349", VISTA, "como en la cartola"),
        ("9105349", VISTA, "prefijo 1"),  # the prefix of the other type
        ("123456789", VISTA, "como en la cartola"),
    ],
)
def test_registered_account_number_refused(typed: str, kind: AccountType, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.registered_account_number(typed, kind)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("Arriendo noviembre", None),
        ("", "Escriba una descripción"),
        ("x" * 61, "hasta 60"),
        ("pago\x1b[31m", "caracteres de control"),
        ("pago\u202e", "caracteres de control"),  # a right-to-left override hides text
    ],
)
def test_transfer_description(value: str, error: str | None) -> None:
    result = rules.description_error(value)
    assert result is None if error is None else error in (result or "")


@pytest.mark.parametrize(
    ("id_type", "value", "ok"),
    [
        ("cedula", "1710034065", True),
        ("cedula", "1710034066", False),
        ("ruc", "1792060346001", True),
        ("ruc", "1792060346000", False),
        ("pasaporte", "AB123456", True),
        ("pasaporte", "AB-12", False),
    ],
)
def test_id_number_by_type(id_type: str, value: str, ok: bool) -> None:
    assert (rules.id_number_error(id_type, value) is None) is ok


def test_transfer_receipt_has_what_the_manual_promises() -> None:
    from datetime import UTC, datetime

    from sjvirtual_tui.formatting import transfer_receipt
    from sjvirtual_tui.models import Transfer

    transfer = Transfer(
        id=7,
        reference="TRF-0000007",
        kind="interbancarias",
        status="en_proceso",
        from_account="00104721",
        to_account="2203456789",
        to_name="María Andrade",
        to_institution="Banco Pichincha",
        amount_cents=123456,
        description="Arriendo",
        created_at=datetime(2026, 11, 25, 15, 0, tzinfo=UTC),
        executed_at=datetime(2026, 11, 25, 15, 1, tzinfo=UTC),
    )
    text = transfer_receipt(transfer)
    for expected in (
        "COMPROBANTE DE TRANSFERENCIA",
        "Referencia:     TRF-0000007",
        "Fecha y hora:   25/11/2026 10:01",  # Ecuador's time, when the money left
        "Cuenta origen:  00104721",
        "Destino:        María Andrade",
        "Monto:          $1.234,56",
        "Estado:         En proceso",
    ):
        assert expected in text
