"""The cooperative's rules as pure functions: no I/O, no Textual.

Each check returns a message a member can read (or ``None`` when the value is fine), so the
screens can show it next to the field where it was typed. Messages are translated when the check
runs (``_()``), never at import: the server calls these in each request's language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from stdnum import luhn as _luhn
from stdnum.ec import ci as _ci
from stdnum.ec import ruc as _ruc

from sjvirtual_tui.i18n import N_, _, ngettext
from sjvirtual_tui.models import MAX_CENTS, AccountType

# Ecuador (mainland) has no daylight saving: a fixed UTC-5 offset is exact.
ECUADOR_TZ = timezone(timedelta(hours=-5), "ECT")

# --- passwords --------------------------------------------------------------------------------

PASSWORD_MIN_LENGTH = 8


def password_problems(password: str) -> list[str]:
    """What the manual's policy still asks of ``password`` (empty when it is acceptable)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        least = ngettext("al menos {n} carácter", "al menos {n} caracteres", PASSWORD_MIN_LENGTH)
        problems.append(least.format(n=PASSWORD_MIN_LENGTH))
    if not any(ch.isdigit() for ch in password):
        problems.append(_("un número"))
    if not any(ch.isupper() for ch in password):
        problems.append(_("una letra mayúscula"))
    return problems


def password_error(password: str) -> str | None:
    problems = password_problems(password)
    if not problems:
        return None
    return _("La contraseña debe tener {problems}.").format(problems=_join(problems))


def _join(parts: list[str]) -> str:
    """``a``, ``a y b``, ``a, b y c`` (``and`` in English)."""
    if len(parts) == 1:
        return parts[0]
    return _("{items} y {last}").format(items=", ".join(parts[:-1]), last=parts[-1])


# --- third-party account numbers (REGISTRO DE CUENTAS) ---------------------------------------

ACCOUNT_PREFIX: dict[AccountType, str] = {
    AccountType.AHORRO_VISTA: "1",
    AccountType.AHORRO_PERSONAL: "9",
}

_DIGITS = re.compile(r"^[0-9]+$")


def normalise_third_party_account(cartola_number: str, account_type: AccountType) -> str:
    """The number to register for a cooperative account, by the manual's rule.

    Drop the leading zeros of the number printed in the cartola and put the type's prefix in
    front: ``00105349`` (ahorro a la vista) -> ``1105349``. Raises ``ValueError`` with a message
    for the member when the number cannot be a cartola number.
    """
    raw = cartola_number.strip().replace(" ", "").replace("-", "")
    if not raw:
        raise ValueError(_("Ingrese el número de cuenta."))
    if not _DIGITS.match(raw):
        raise ValueError(_("El número de cuenta solo lleva dígitos."))
    significant = raw.lstrip("0")
    if not significant:
        raise ValueError(_("El número de cuenta no puede ser solo ceros."))
    if len(significant) > 12:
        raise ValueError(_("El número de cuenta es demasiado largo."))
    return ACCOUNT_PREFIX[account_type] + significant


def cartola_number_from_registered(registered: str, width: int = 8) -> tuple[AccountType, str]:
    """Inverse of :func:`normalise_third_party_account`: ``1105349`` -> (vista, ``00105349``)."""
    if not _DIGITS.match(registered) or len(registered) < 2:
        raise ValueError(_("Número de cuenta registrado no válido."))
    for account_type, prefix in ACCOUNT_PREFIX.items():
        if registered.startswith(prefix):
            return account_type, registered[1:].zfill(width)
    raise ValueError(_("El número debe empezar con 1 (ahorro a la vista) o 9 (ahorro personal)."))


CARTOLA_WIDTH = 8  # the cartola prints the cooperative's account numbers with 8 digits


def registered_account_number(typed: str, account_type: AccountType) -> str:
    """What REGISTRO DE CUENTAS registers for a number as the member typed it.

    The cartola's form (8 digits, ``00105349``) goes through the manual's rule (``1105349``); a
    shorter number that already starts with the type's prefix (``1105349``) is taken as already
    registered. Raises ``ValueError`` with a message for the member otherwise.
    """
    raw = typed.strip().replace(" ", "").replace("-", "")
    if not raw:
        raise ValueError(_("Ingrese el número de cuenta."))
    if not _DIGITS.match(raw):
        raise ValueError(_("El número de cuenta solo lleva dígitos."))
    if len(raw) == CARTOLA_WIDTH:
        return normalise_third_party_account(raw, account_type)
    prefix = ACCOUNT_PREFIX[account_type]
    # After the prefix come the digits without their leading zeros, so never a 0 first:
    # "105349" is a cartola number typed without its zeros and its prefix, not 1 + "05349".
    if 2 <= len(raw) < CARTOLA_WIDTH and raw.startswith(prefix) and raw[1] != "0":
        return raw
    raise ValueError(
        _(
            "Escriba el número como en la cartola (8 dígitos, p. ej. 00105349) o ya con el "
            "prefijo {prefix} (p. ej. {prefix}105349)."
        ).format(prefix=prefix)
    )


def description_error(value: str, maximum: int = 60) -> str | None:
    """The DATOS of a transfer: free text a member types, shown on both receipts."""
    text = value.strip()
    if not text:
        return _("Escriba una descripción de la transferencia.")
    if len(text) > maximum:
        return ngettext(
            "La descripción admite hasta {maximum} carácter.",
            "La descripción admite hasta {maximum} caracteres.",
            maximum,
        ).format(maximum=maximum)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return _("La descripción no puede llevar caracteres de control.")
    return None


# --- identification --------------------------------------------------------------------------


def cedula_error(value: str) -> str | None:
    """Checks an Ecuadorian cédula (10 digits, province, check digit) with python-stdnum."""
    number = value.strip()
    if not number:
        return _("Ingrese el número de cédula.")
    if not _DIGITS.match(number):
        return _("La cédula solo lleva dígitos.")
    if len(number) != 10:
        return _("La cédula tiene 10 dígitos.")
    return None if _ci.is_valid(number) else _("La cédula no es válida (revise el último dígito).")


def ruc_error(value: str) -> str | None:
    """Checks an Ecuadorian RUC (13 digits) with python-stdnum."""
    number = value.strip()
    if not number:
        return _("Ingrese el número de RUC.")
    if not _DIGITS.match(number):
        return _("El RUC solo lleva dígitos.")
    if len(number) != 13:
        return _("El RUC tiene 13 dígitos.")
    return None if _ruc.is_valid(number) else _("El RUC no es válido.")


# --- registration fields ---------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_NEW_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{3,29}$")
ADULT_AGE = 18


def passport_error(value: str) -> str | None:
    number = value.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        return _("El pasaporte lleva de 5 a 20 letras y dígitos, sin espacios.")
    return None


def id_number_error(id_type: str, value: str) -> str | None:
    """Checks the holder's identification of an account in another institution."""
    checks = {"cedula": cedula_error, "ruc": ruc_error, "pasaporte": passport_error}
    return checks[id_type](value)


def external_account_error(value: str) -> str | None:
    number = value.strip()
    if not _DIGITS.match(number):
        return _("El número de cuenta solo lleva dígitos.")
    if not 5 <= len(number) <= 20:
        return _("El número de cuenta lleva de 5 a 20 dígitos.")
    return None


def reference_error(value: str, pattern: str, label: str, hint: str) -> str | None:
    """A biller's reference against the format the biller publishes (``pattern``)."""
    text = value.strip()
    try:
        ok = re.fullmatch(pattern, text) is not None
    except re.error:  # a pattern from the server that Python cannot read: let the server judge
        return None
    # The hint completes "escriba ...": "los 10 dígitos del código de su planilla". Label and
    # hint are the biller's (server data): only the sentence around them is translated here.
    return None if ok else _("{label}: escriba {hint}.").format(label=label, hint=hint)


_BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "diners": "Diners"}


def card_brand(number: str) -> str | None:
    """The brand a card number's prefix and length say (None: none of the three)."""
    if not number.isdigit():
        return None
    length = len(number)
    if number.startswith("4") and length in (13, 16, 19):
        return "visa"
    if length == 16 and (51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720):
        return "mastercard"
    if 14 <= length <= 19 and (number[:2] in ("36", "38") or 300 <= int(number[:3]) <= 305):
        return "diners"
    return None


def card_number_error(value: str, brand: str | None = None) -> str | None:
    """A credit card number: 13 to 19 digits, the Luhn check digit, and the issuer's brand."""
    number = value.replace(" ", "").replace("-", "")
    if not _DIGITS.match(number) or not 13 <= len(number) <= 19:
        return _("El número de tarjeta lleva de 13 a 19 dígitos.")
    if not _luhn.is_valid(number):
        return _("El número de tarjeta no es válido: revise los dígitos.")
    if brand is not None and card_brand(number) != brand:
        return _("Ese número no es de una tarjeta {brand}.").format(
            brand=_BRAND_NAMES.get(brand, brand)
        )
    return None


def mask_card(number: str) -> str:
    return "**** **** **** " + number.replace(" ", "")[-4:]


def email_error(value: str) -> str | None:
    text = value.strip()
    if not text:
        return _("Ingrese su correo electrónico.")
    if len(text) > 120 or not _EMAIL.match(text):
        return _("Escriba un correo válido, por ejemplo nombre@correo.com.")
    return None


def mobile_error(value: str) -> str | None:
    """An Ecuadorian mobile number: 10 digits starting with 09."""
    text = value.strip().replace(" ", "")
    if not text:
        return _("Ingrese su número de celular.")
    if not re.fullmatch(r"09[0-9]{8}", text):
        return _("El celular tiene 10 dígitos y empieza con 09, por ejemplo 0991234567.")
    return None


def phone_error(value: str) -> str | None:
    """A landline with its area code (02 2345678) or a mobile (0991234567)."""
    text = value.strip().replace(" ", "")
    if not text:
        return _("Ingrese un número de teléfono.")
    if not re.fullmatch(r"0[2-9][0-9]{7,8}", text):
        return _("Escriba el teléfono con su código de área, por ejemplo 022345678 o 0991234567.")
    return None


def new_username_error(value: str) -> str | None:
    text = value.strip()
    if not text:
        return _("Elija un nombre de usuario.")
    if not 4 <= len(text) <= 30:
        return _("El usuario tiene de 4 a 30 caracteres.")
    if not _NEW_USERNAME.match(text):
        return _(
            "Use minúsculas sin tilde, números, punto, guion o guion bajo, y empiece con una letra."
        )
    return None


def name_error(value: str, label: str = N_("el nombre")) -> str | None:
    """``label`` is a msgid marked with ``N_`` by the caller ("sus nombres"): translated here."""
    text = value.strip()
    if len(text) < 2:
        return _("Ingrese {label}.").format(label=_(label))
    if len(text) > 80:
        return _("Escriba {label} en 80 caracteres o menos.").format(label=_(label))
    if any(not (ch.isalpha() or ch in " .'-") for ch in text):
        return _("Escriba {label} solo con letras.").format(label=_(label))
    return None


def holder_name_error(value: str) -> str | None:
    """The holder of a third party's account or of another institution's card."""
    return name_error(value, N_("el nombre del titular"))


def birth_date_error(value: date, today: date) -> str | None:
    if value > today:
        return _("La fecha de nacimiento no puede ser futura.")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < ADULT_AGE:
        return ngettext(
            "Debe ser mayor de {age} año para registrarse.",
            "Debe ser mayor de {age} años para registrarse.",
            ADULT_AGE,
        ).format(age=ADULT_AGE)
    if age > 120:
        return _("Revise el año de nacimiento.")
    return None


def normalise_answer(text: str) -> str:
    """Secret answers compare without case, accents or extra spaces: «  Quitó » == «quito»."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


# --- money -----------------------------------------------------------------------------------

# Thousands are grouped from a first group that is not zero: "0.001" is no way to write $1,00.
_AMOUNT = re.compile(r"^\$?\s*([1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}))?$")


def parse_amount_cents(text: str) -> int:
    """Parses an amount typed the Ecuadorian way into integer cents.

    Accepts ``25``, ``25,5``, ``1.234,56``, ``$1.234,56``; also a dot as the decimal mark when it
    is unambiguous (``25.50``). Raises ``ValueError`` with a message for the member otherwise.
    """
    value = text.strip().replace("\u00a0", " ")
    if not value:
        raise ValueError(_("Ingrese el monto."))
    if value.startswith("-"):
        raise ValueError(_("El monto debe ser mayor que cero."))
    # "25.50" (one dot, two decimals) is read as a decimal point: nobody groups thousands so.
    if re.fullmatch(r"\$?\s*[0-9]+\.[0-9]{1,2}", value):
        value = value.replace(".", ",")
    match = _AMOUNT.match(value)
    if not match:
        raise ValueError(_("Escriba el monto con coma decimal, por ejemplo 1.250,50."))
    whole, cents = match.group(1).replace(".", ""), (match.group(2) or "0").ljust(2, "0")
    try:
        amount = Decimal(whole) * 100 + Decimal(cents)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise ValueError(_("Monto no válido.")) from None
    result = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    if result <= 0:
        raise ValueError(_("El monto debe ser mayor que cero."))
    if result > MAX_CENTS:
        raise ValueError(_("El monto es demasiado grande."))
    return result


# --- dates -----------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """Parses ``dd/mm/aaaa`` (the way dates are written in Ecuador)."""
    value = text.strip()
    match = re.fullmatch(r"([0-9]{1,2})[/-]([0-9]{1,2})[/-]([0-9]{4})", value)
    if not match:
        raise ValueError(_("Escriba la fecha como dd/mm/aaaa."))
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("Esa fecha no existe.")) from None


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def local_datetime(value: datetime) -> datetime:
    """``value`` in Ecuador's time (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ECUADOR_TZ)


def today_in_ecuador(now: datetime | None = None) -> date:
    return local_datetime(now or datetime.now(UTC)).date()
