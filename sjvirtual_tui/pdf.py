"""PDF papers: the certificado bancario and the estado de cuenta of a range (fpdf2).

The core font Helvetica, written in Latin-1 (fpdf2's core fonts), so Spanish accents and ñ print
as they are; any other character (an emoji in a description someone else typed) becomes a close
Latin-1 one or ``?`` instead of failing the whole file. Amounts are integer cents through
:func:`sjvirtual_tui.formatting.money`: no float on the way. Texts follow the member's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sjvirtual_tui import rules
from sjvirtual_tui.formatting import day_count, local_time, money
from sjvirtual_tui.i18n import N_, _
from sjvirtual_tui.models import ACCOUNT_TYPE_LABELS, BalanceLevel, Certificate

if TYPE_CHECKING:
    from fpdf import FPDF

    from sjvirtual_tui.exports import Statement

COOPERATIVE = "Cooperativa de Ahorro y Crédito San José S.J."
FONT = "Helvetica"

# The level of a band, as "4 cifras medias" says it (cifras: feminine in Spanish).
LEVEL_WORDS = {
    BalanceLevel.BAJOS: N_("bajas"),
    BalanceLevel.MEDIOS: N_("medias"),
    BalanceLevel.ALTOS: N_("altas"),
}

# Common characters outside Latin-1, printed as their nearest Latin-1 text.
_NEAREST = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "›": ">", "‹": "<"}
)


def latin1(text: str) -> str:
    """``text`` as the core fonts can print it (Latin-1), never failing."""
    return text.translate(_NEAREST).encode("latin-1", errors="replace").decode("latin-1")


def band_text(digits: int, level: BalanceLevel) -> str:
    """ "4 cifras medias": the band of a certificate as the paper and the screen say it."""
    if digits == 1:
        return _("1 cifra {level}").format(level=_(LEVEL_WORDS[level]).rstrip("s"))
    return _("{digits} cifras {level}").format(digits=digits, level=_(LEVEL_WORDS[level]))


def _document(title: str) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(COOPERATIVE))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 7, latin1(COOPERATIVE.upper()), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    return pdf


def _pairs(pdf: FPDF, rows: list[tuple[str, str]], label_width: float = 55) -> None:
    for label, value in rows:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(label_width, 6.5, latin1(label))
        pdf.set_font(FONT, "", 10)
        pdf.cell(0, 6.5, latin1(value), new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificado bancario: a paragraph that certifies, the same facts in a table, and
    the code a teller verifies it with."""
    kind = _(ACCOUNT_TYPE_LABELS.get(certificate.account_type, certificate.account_type))
    band = band_text(certificate.average_digits, certificate.average_level)
    issued = local_time(certificate.issued_at)
    opened = rules.format_date(certificate.opened_on)
    pdf = _document(_("CERTIFICADO BANCARIO"))
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(
        0,
        6,
        latin1(
            _(
                "La {cooperative} certifica que {name}, con identificación {identification}, es "
                "titular de la cuenta de {kind} número {number}, abierta el {opened}, y que en los "
                "últimos {days} ha mantenido saldos promedios de {band}."
            ).format(
                cooperative=COOPERATIVE,
                name=certificate.holder_name,
                identification=certificate.identification,
                kind=kind.lower(),
                number=certificate.account_number,
                opened=opened,
                days=day_count(certificate.window_days),
                band=band,
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.multi_cell(
        0,
        6,
        latin1(
            _(
                "Se emite a petición del titular, para los fines que estime convenientes, sin "
                "responsabilidad para la cooperativa."
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(5)
    _pairs(
        pdf,
        [
            (_("Titular"), certificate.holder_name),
            (_("Identificación"), certificate.identification),
            (_("Cuenta"), f"{certificate.account_number} ({kind})"),
            (_("Fecha de apertura"), opened),
            (_("Saldos promedios"), band),
            (_("Fecha de emisión"), issued),
            (_("Código de verificación"), certificate.code),
        ],
    )
    pdf.ln(6)
    pdf.set_font(FONT, "I", 9)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Cualquier agencia de la cooperativa verifica este certificado con su código "
                "{code}."
            ).format(code=certificate.code)
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


# Fecha, Descripción, Referencia, Débito, Crédito, Saldo (mm; 174 = A4 less the margins).
_COLUMNS = (24.0, 52.0, 28.0, 23.0, 23.0, 24.0)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut (with "...") to fit a cell ``width`` wide."""
    text = latin1(" ".join(text.split()))
    room = width - 2
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "...") > room:
        text = text[:-1]
    return text + "..."


def _table_head(pdf: FPDF) -> None:
    pdf.set_font(FONT, "B", 8.5)
    heads = (_("Fecha"), _("Descripción"), _("Referencia"), _("Débito"), _("Crédito"), _("Saldo"))
    for i, (head, width) in enumerate(zip(heads, _COLUMNS, strict=True)):
        pdf.cell(width, 6, latin1(head), border="B", align="R" if i >= 3 else "L")
    pdf.ln()
    pdf.set_font(FONT, "", 8.5)


def statement_pdf(statement: Statement) -> bytes:
    """The estado de cuenta of ``statement``'s range: the account, the balances before and
    after, every movement oldest first (the table's head again on each page), and the sums."""
    account = statement.account
    kind = _(ACCOUNT_TYPE_LABELS.get(account.type, account.type))
    start = rules.format_date(statement.date_from) if statement.date_from else "..."
    end = rules.format_date(statement.date_to) if statement.date_to else "..."
    debits = sum(-m.amount_cents for m in statement.movements if m.amount_cents < 0)
    credits = sum(m.amount_cents for m in statement.movements if m.amount_cents > 0)
    pdf = _document(_("ESTADO DE CUENTA"))
    _pairs(
        pdf,
        [
            (_("Cuenta"), f"{account.number} ({kind})"),
            (_("Desde / hasta"), f"{start} - {end}"),
            (_("Saldo inicial"), money(statement.opening_cents)),
            (_("Débitos"), money(debits)),
            (_("Créditos"), money(credits)),
            (_("Saldo final"), money(statement.closing_cents)),
            (_("Movimientos"), str(len(statement.movements))),
            (_("Generado"), local_time(statement.generated_at)),
        ],
        label_width=40,
    )
    pdf.ln(3)
    _table_head(pdf)
    for movement in statement.movements:
        if pdf.will_page_break(5.5):
            pdf.add_page()
            _table_head(pdf)
        cents = movement.amount_cents
        cells = (
            rules.local_datetime(movement.posted_at).strftime("%d/%m/%Y"),
            movement.description,
            movement.reference,
            money(-cents) if cents < 0 else "",
            money(cents) if cents > 0 else "",
            money(movement.balance_after_cents),
        )
        for i, (text, width) in enumerate(zip(cells, _COLUMNS, strict=True)):
            pdf.cell(width, 5.5, _fit(pdf, text, width), align="R" if i >= 3 else "L")
        pdf.ln()
    if not statement.movements:
        pdf.set_font(FONT, "I", 9)
        pdf.cell(0, 6, latin1(_("No hay movimientos en este rango de fechas.")))
    return bytes(pdf.output())
