"""PAGO DE SERVICIOS and PAGO DE TARJETAS: the catalog, bills, cards and the money move.

The operation pipeline (:mod:`.operations`) and the routers call these inside their write
transactions, like :mod:`.transfers` for transfers, whose checks (origin,
status, limits, funds) they share. A payment is started ``pendiente_verificacion`` with a PIN
challenge and executed by the confirmation: one journal of two movements from the member's
account to "Recaudación de servicios" (a bill), "Cartera de tarjetas" (a cooperative card) or,
for a card of another institution, the interbank settlement account, until the simulated
clearing (:mod:`mock_server.domain.clearing`) settles it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from stdnum import luhn

from mock_server.domain import mail, reasons
from mock_server.domain.accounts import COOPERATIVE_NAME, own_account, require_active, require_funds
from mock_server.domain.errors import Conflict, Invalid, NotFound
from mock_server.domain.ledger import (
    CARTERA_NUMBER,
    COMPENSACION_NUMBER,
    RECAUDACION_NUMBER,
    Leg,
    internal_account_id,
    post_transfer,
)
from mock_server.domain.limits import require_within_limits
from mock_server.domain.members import CurrentMember
from mock_server.domain.periods import period_text
from mock_server.domain.text import clean_text, invalid, mask_name
from mock_server.i18n import N_, _
from mock_server.store import Connection, Row
from mock_server.store import accounts as account_store
from mock_server.store import operations as operation_store
from mock_server.store import payments as store
from mock_server.store.timestamps import from_db
from sjvirtual_tui import rules
from sjvirtual_tui.formatting import money
from sjvirtual_tui.models import (
    MAX_CENTS,
    AmountRule,
    Bill,
    Biller,
    BillerCategory,
    CardBrand,
    CardIssuer,
    CardPaymentRequest,
    CreditCard,
    ExternalCardPaymentRequest,
    FrequentService,
    Payment,
    PaymentKind,
    ServicePaymentRequest,
    TransferStatus,
)

# Module-level texts are N_() msgids, translated where they are shown. The category labels are
# searched in Spanish and in the request's language (list_billers).
CATEGORY_LABELS = {
    BillerCategory.ELECTRICIDAD: N_("Electricidad"),
    BillerCategory.AGUA: N_("Agua potable"),
    BillerCategory.TELEFONIA: N_("Teléfono e internet"),
    BillerCategory.TV: N_("Televisión"),
    BillerCategory.IMPUESTOS: N_("Impuestos municipales y vehiculares"),
    BillerCategory.EDUCACION: N_("Educación"),
}
_CATEGORY_ORDER = {category: index for index, category in enumerate(BillerCategory)}

BRAND_LABELS = {
    CardBrand.VISA: "Visa",
    CardBrand.MASTERCARD: "Mastercard",
    CardBrand.DINERS: "Diners Club",
}

PAYMENT_STATUS_LABELS = {
    TransferStatus.PENDIENTE: N_("PENDIENTE DE VERIFICACIÓN"),
    TransferStatus.COMPLETADA: N_("COMPLETADO"),
    TransferStatus.EN_PROCESO: N_("EN PROCESO (la otra institución lo acreditará en unos minutos)"),
    TransferStatus.RECHAZADA: N_("RECHAZADO"),
    TransferStatus.CANCELADA: N_("CANCELADO"),
}

BILLER_NOT_FOUND_MESSAGE = N_("No encontramos esa empresa en el catálogo de servicios.")
BILL_NOT_FOUND_MESSAGE = N_("No encontramos esa factura. Consulte la referencia otra vez.")
CARD_NOT_FOUND_MESSAGE = N_("Tarjeta no encontrada.")
PAYMENT_NOT_FOUND_MESSAGE = N_("Pago no encontrado.")
FREQUENT_NOT_FOUND_MESSAGE = N_("Ese servicio no está en sus servicios frecuentes.")
ISSUER_MESSAGE = N_("Emisor: elija uno de la lista de tarjetas de otras instituciones.")
CARD_NUMBER_MESSAGE = N_("Número de tarjeta: no es válido; revise los dígitos.")


# --- text ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """For searching: without accents and case (``Eléctrica`` -> ``electrica``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_reference(text: str) -> str:
    """A reference as the billers keep it: no spaces or dashes, capital letters (PBX-1234)."""
    return "".join(text.split()).replace("-", "").upper()


def mask_card(last4: str) -> str:
    return f"**** **** **** {last4}"


# --- billers and bills --------------------------------------------------------------------------


def biller_model(row: Row) -> Biller:
    return Biller(
        code=row["code"],
        name=row["name"],
        category=BillerCategory(row["category"]),
        reference_label=_(row["reference_label"]),
        reference_hint=_(row["reference_hint"]),
        reference_pattern=row["reference_pattern"],
        amount_rule=AmountRule(row["amount_rule"]),
    )


def list_billers(conn: Connection, query: str | None) -> list[Biller]:
    """The catalog by category and name; ``query``'s words must all match (name, code or
    category), without case or accents."""
    billers = [biller_model(row) for row in store.billers(conn)]
    words = fold(query).split() if query else []
    if words:

        def text(biller: Biller) -> str:
            label = CATEGORY_LABELS[biller.category]
            return fold(f"{biller.name} {biller.code} {biller.category.value} {label} {_(label)}")

        billers = [b for b in billers if all(word in text(b) for word in words)]
    return sorted(billers, key=lambda b: (_CATEGORY_ORDER[b.category], fold(b.name)))


def load_biller(conn: Connection, code: str, field: str | None = None) -> Row:
    row = store.biller(conn, code)
    if row is None:
        if field is not None:
            raise invalid(field, _("Empresa: elija una del catálogo de servicios."))
        raise NotFound("not_found", _(BILLER_NOT_FOUND_MESSAGE))
    return row


def checked_reference(biller: Row, reference: str, field: str = "reference") -> str:
    """``reference`` normalised; Invalid (with what it should look like) off the biller's
    pattern."""
    value = normalise_reference(reference)
    if not re.fullmatch(biller["reference_pattern"], value):
        # The label and hint are msgids of the seed (N_): in the reader's language.
        raise invalid(
            field,
            _("{label}: escriba {hint}.").format(
                label=_(biller["reference_label"]), hint=_(biller["reference_hint"])
            ),
        )
    return value


def bill_bounds(rule: AmountRule, due_cents: int) -> tuple[int, int]:
    """What may be paid of a bill: (min, max) cents."""
    if rule is AmountRule.EXACTO:
        return due_cents, due_cents
    if rule is AmountRule.PARCIAL:
        return 1, due_cents
    return 1, MAX_CENTS


def bill_model(row: Row) -> Bill:
    rule = AmountRule(row["amount_rule"])
    due = row["amount_cents"] - row["paid_cents"]
    low, high = bill_bounds(rule, due)
    return Bill(
        id=row["id"],
        biller_code=row["biller_code"],
        biller_name=row["biller_name"],
        reference=row["reference"],
        holder_name=mask_name(row["holder_name"]),
        period=period_text(row["period"]),
        amount_due_cents=due,
        due_date=date.fromisoformat(row["due_date"]),
        amount_rule=rule,
        min_amount_cents=low,
        max_amount_cents=high,
    )


def pending_bill(conn: Connection, biller: Row, reference: str) -> Row:
    """CONSULTAR: the oldest pending bill of ``reference`` (NotFound: unknown / no_pending_bill)."""
    value = checked_reference(biller, reference)
    if not store.reference_known(conn, biller["code"], value):
        raise NotFound(
            "not_found",
            _(
                "{biller} no tiene registrada la referencia {reference}. Revísela en su planilla."
            ).format(biller=biller["name"], reference=value),
            "reference",
        )
    row = store.oldest_pending_bill(conn, biller["code"], value)
    if row is None:
        raise NotFound(
            "no_pending_bill",
            _("La referencia {reference} no tiene valores pendientes con {biller}.").format(
                reference=value, biller=biller["name"]
            ),
            "reference",
        )
    return row


def load_bill(conn: Connection, bill_id: int) -> Row:
    row = store.bill(conn, bill_id)
    if row is None:
        raise NotFound("not_found", _(BILL_NOT_FOUND_MESSAGE), "bill_id")
    return row


def require_payable_bill(bill: Row, amount_cents: int) -> None:
    """Conflict bill_paid, or Invalid amount_off_bill outside what the biller accepts."""
    if bill["status"] == "pagada":
        raise Conflict(
            "bill_paid",
            _(
                "La factura de {period} de la referencia {reference} con {biller} ya está pagada."
            ).format(
                period=period_text(bill["period"]),
                reference=bill["reference"],
                biller=bill["biller_name"],
            ),
            "bill_id",
        )
    rule = AmountRule(bill["amount_rule"])
    low, high = bill_bounds(rule, bill["amount_cents"] - bill["paid_cents"])
    if low <= amount_cents <= high:
        return
    if rule is AmountRule.EXACTO:
        message = _("El valor a pagar debe ser exactamente {amount}.").format(amount=money(high))
    else:
        message = _("El valor a pagar debe estar entre {low} y {high}.").format(
            low=money(low), high=money(high)
        )
    raise Invalid("amount_off_bill", message, "amount_cents")


# --- frequent services --------------------------------------------------------------------------


def frequent_model(row: Row) -> FrequentService:
    return FrequentService(
        id=row["id"],
        biller_code=row["biller_code"],
        biller_name=row["biller_name"],
        reference=row["reference"],
        alias=row["alias"],
    )


def list_frequent(conn: Connection, member_id: int) -> list[FrequentService]:
    return [frequent_model(row) for row in store.frequent_of_member(conn, member_id)]


def own_frequent(conn: Connection, member_id: int, frequent_id: int) -> Row:
    row = store.frequent(conn, member_id, frequent_id)
    if row is None:
        raise NotFound("not_found", _(FREQUENT_NOT_FOUND_MESSAGE))
    return row


def add_frequent(
    conn: Connection,
    member: CurrentMember,
    now: datetime,
    *,
    biller_code: str,
    reference: str,
    alias: str,
) -> FrequentService:
    """Saves a biller + reference (Invalid off the pattern, Conflict duplicate); inside a
    transaction."""
    biller = load_biller(conn, biller_code, field="biller_code")
    value = checked_reference(biller, reference)
    name = clean_text(alias, "alias", _("Alias"))
    existing = store.frequent_alias(conn, member.id, biller["code"], value)
    if existing is not None:
        raise Conflict(
            "duplicate",
            _(
                "La referencia {reference} de {biller} ya está en sus servicios frecuentes como "
                "«{alias}»."
            ).format(reference=value, biller=biller["name"], alias=existing),
            "reference",
        )
    frequent_id = store.insert_frequent(conn, member.id, biller["code"], value, name, now)
    return frequent_model(own_frequent(conn, member.id, frequent_id))


# --- cards --------------------------------------------------------------------------------------


def card_amounts(row: Row) -> tuple[int, int, int]:
    """(total due, minimum due, available credit) of a cooperative card."""
    total = row["statement_total_cents"] - row["paid_cents"]
    minimum = max(0, row["statement_minimum_cents"] - row["paid_cents"])
    available = row["credit_limit_cents"] - total - row["unbilled_cents"]
    return total, minimum, available


def card_name(row: Row) -> str:
    """A cooperative card as a receipt names it: ``Visa Cooperativa San José S.J.``."""
    return f"{BRAND_LABELS[CardBrand(row['brand'])]} {COOPERATIVE_NAME}"


def card_model(row: Row) -> CreditCard:
    total, minimum, available = card_amounts(row)
    return CreditCard(
        id=row["id"],
        brand=CardBrand(row["brand"]),
        masked_number=mask_card(row["last4"]),
        holder_name=row["holder_name"],
        credit_limit_cents=row["credit_limit_cents"],
        total_due_cents=total,
        minimum_due_cents=minimum,
        due_date=date.fromisoformat(row["due_date"]),
        available_credit_cents=available,
    )


def list_cards(conn: Connection, member: CurrentMember) -> list[CreditCard]:
    rows = store.cards_of_holder(conn, member.holder_id)
    return [card_model(row) for row in rows]


def own_card(conn: Connection, member: CurrentMember, card_id: int) -> Row:
    """The member's card; anyone else's (or none) is the same NotFound."""
    row = store.card_of_holder(conn, member.holder_id, card_id)
    if row is None:
        raise NotFound("not_found", _(CARD_NOT_FOUND_MESSAGE), "card_id")
    return row


def require_card_amount(card: Row, amount_cents: int) -> None:
    total, _minimum, _available = card_amounts(card)
    if total <= 0:
        raise Invalid(
            "amount_off_bill", _("Su tarjeta no tiene valores por pagar."), "amount_cents"
        )
    if amount_cents > total:
        raise Invalid(
            "amount_off_bill",
            _("Puede pagar hasta {amount}, el total de su tarjeta.").format(amount=money(total)),
            "amount_cents",
        )


def issuer_model(row: Row) -> CardIssuer:
    return CardIssuer(
        code=row["code"],
        name=row["name"],
        brand=CardBrand(row["brand"]),
        institution_code=row["institution_code"],
    )


def list_issuers(conn: Connection) -> list[CardIssuer]:
    return [issuer_model(row) for row in store.issuers(conn)]


def load_issuer(conn: Connection, code: str) -> Row:
    row = store.issuer(conn, code)
    if row is None:
        raise invalid("issuer_code", _(ISSUER_MESSAGE))
    return row


def card_brand(number: str) -> CardBrand | None:
    """The brand a card number's prefix and length say (the rule lives in ``rules``)."""
    brand = rules.card_brand(number)
    return None if brand is None else CardBrand(brand)


def card_number_error(number: str, brand: CardBrand) -> str | None:
    """Why ``number`` cannot be a ``brand`` card (the Luhn check, then the prefix)."""
    if not number.isdigit() or not 13 <= len(number) <= 19 or not luhn.is_valid(number):
        return _(CARD_NUMBER_MESSAGE)
    if card_brand(number) is not brand:
        return _(
            "Número de tarjeta: no es de una tarjeta {brand}; revise el número o el emisor."
        ).format(brand=BRAND_LABELS[brand])
    return None


# --- payments -----------------------------------------------------------------------------------

PaymentBody = ServicePaymentRequest | CardPaymentRequest | ExternalCardPaymentRequest


@dataclass(frozen=True)
class PaymentPlan:
    """A checked payment request, ready to be stored (and executed after its PIN)."""

    kind: PaymentKind
    origin: Row
    bill_id: int | None
    card_id: int | None
    issuer_code: str | None
    card_last4: str | None
    payee_name: str
    payee_reference: str
    holder_name: str
    period: str | None
    amount_cents: int
    payee: str  # what the PIN is bound to
    # What the PIN confirms, in its e-mail: called in the member's language (the e-mail's).
    confirms: Callable[[], str]


def plan_payment(
    conn: Connection, member: CurrentMember, now: datetime, body: PaymentBody
) -> PaymentPlan:
    """Checks a PaymentRequest in the order of the form; the first problem is raised.

    The payee (bill, card, issuer and number), then the amount against it, then the origin:
    NotFound, Conflict account_unavailable, the limits (cards of other institutions) and the funds.
    """
    amount = body.amount_cents
    bill_id = card_id = None
    issuer_code = last4 = period = None
    if isinstance(body, ServicePaymentRequest):
        kind = PaymentKind.SERVICIO
        bill = load_bill(conn, body.bill_id)
        require_payable_bill(bill, amount)
        bill_id = bill["id"]
        payee_name, payee_reference = bill["biller_name"], bill["reference"]
        holder, period = mask_name(bill["holder_name"]), bill["period"]
        payee = f"servicio:{bill['biller_code']}:{bill['reference']}:{bill['id']}"
        what = N_("a {biller} por {period}, {label} {reference}")
        values = {
            "biller": payee_name,
            "period": period_text(period) or "",
            "label": _(bill["reference_label"]),
            "reference": payee_reference,
        }
    elif isinstance(body, CardPaymentRequest):
        kind = PaymentKind.TARJETA
        card = own_card(conn, member, body.card_id)
        require_card_amount(card, amount)
        card_id = card["id"]
        payee_name, payee_reference = card_name(card), mask_card(card["last4"])
        holder = card["holder_name"]
        payee = f"tarjeta:{card['id']}"
        what = N_("a su tarjeta {card} {number}")
        values = {"card": payee_name, "number": payee_reference}
    else:
        kind = PaymentKind.TARJETA_EXTERNA
        issuer = load_issuer(conn, body.issuer_code)
        problem = card_number_error(body.card_number, CardBrand(issuer["brand"]))
        if problem is not None:
            raise invalid("card_number", problem)
        holder = clean_text(body.holder_name, "holder_name", _("Titular de la tarjeta"), minimum=2)
        issuer_code, last4 = issuer["code"], body.card_number[-4:]
        payee_name, payee_reference = issuer["name"], mask_card(last4)
        payee = f"tarjeta_externa:{issuer_code}:{last4}"
        what = N_("a la tarjeta {card} {number} de {holder}")
        values = {"card": payee_name, "number": payee_reference, "holder": holder}
    origin = own_account(conn, member, body.from_account)
    check_origin(conn, member, now, kind=kind, origin=origin, amount_cents=amount)
    return PaymentPlan(
        kind=kind,
        origin=origin,
        bill_id=bill_id,
        card_id=card_id,
        issuer_code=issuer_code,
        card_last4=last4,
        payee_name=payee_name,
        payee_reference=payee_reference,
        holder_name=holder,
        period=period,
        amount_cents=amount,
        payee=payee,
        confirms=partial(_payment_confirms, amount, origin["number"], what, values),
    )


def _payment_confirms(amount_cents: int, origin: str, what: str, values: dict[str, str]) -> str:
    """What a payment's PIN confirms (``what``: an N_() template of the payee, with
    ``values``), in the current language."""
    return _("el pago de {amount} desde su cuenta {origin} {payee}").format(
        amount=money(amount_cents), origin=origin, payee=_(what).format(**values)
    )


def check_origin(
    conn: Connection,
    member: CurrentMember,
    now: datetime,
    *,
    kind: PaymentKind,
    origin: Row,
    amount_cents: int,
) -> None:
    """What the start checks and the confirmation checks again: status, limits, funds."""
    require_active(origin, origin=True, action="pagar")
    if kind is PaymentKind.TARJETA_EXTERNA:
        # Paid like an interbancaria: it counts toward the transfer limits.
        require_within_limits(conn, member.id, now, amount_cents)
    require_funds(origin, amount_cents)


def insert_payment(
    conn: Connection, member: CurrentMember, plan: PaymentPlan, now: datetime
) -> int:
    """Stores the plan as a payment pendiente_verificacion; returns its id."""
    return operation_store.insert_awaiting_pin(
        conn,
        "payments",
        {
            "member_id": member.id,
            "kind": plan.kind.value,
            "from_account_id": plan.origin["id"],
            "bill_id": plan.bill_id,
            "card_id": plan.card_id,
            "issuer_code": plan.issuer_code,
            "card_last4": plan.card_last4,
            "payee_name": plan.payee_name,
            "payee_reference": plan.payee_reference,
            "holder_name": plan.holder_name,
            "period": plan.period,
            "amount_cents": plan.amount_cents,
        },
        now,
    )


def load_payment(conn: Connection, member_id: int, payment_id: int) -> Row:
    row = operation_store.of_member(conn, "payments", member_id, payment_id)
    if row is None:
        raise NotFound("not_found", _(PAYMENT_NOT_FOUND_MESSAGE))
    return row


def get_payment(conn: Connection, member: CurrentMember, payment_id: int) -> Payment:
    return payment_model(load_payment(conn, member.id, payment_id))


def list_payments(conn: Connection, member: CurrentMember, limit: int) -> list[Payment]:
    """The member's executed payments (completada, en_proceso, rechazada), newest first."""
    return [
        payment_model(row) for row in operation_store.executed(conn, "payments", member.id, limit)
    ]


def payment_model(row: Row) -> Payment:
    def when(column: str) -> datetime | None:
        value = row[column]
        return from_db(value) if value else None

    return Payment(
        id=row["id"],
        reference=row["reference"],
        kind=PaymentKind(row["kind"]),
        status=TransferStatus(row["status"]),
        from_account=row["from_number"],
        payee_name=row["payee_name"],
        payee_reference=row["payee_reference"],
        holder_name=row["holder_name"],
        period=period_text(row["period"]),
        amount_cents=row["amount_cents"],
        created_at=from_db(row["created_at"]),
        executed_at=when("executed_at"),
        settled_at=when("settled_at"),
        reason=reasons.shown(row["reason"]),
    )


def short_card(last4: str) -> str:
    return f"**** {last4}"


def confirm_payment(
    conn: Connection, member: CurrentMember, payment_id: int, now: datetime
) -> Payment:
    """Executes the payment of a confirmed challenge after checking again what the start
    checked (time has passed: the bill or card, funds, limits, the account's status)."""
    row = load_payment(conn, member.id, payment_id)
    kind = PaymentKind(row["kind"])
    if kind is PaymentKind.SERVICIO:
        require_payable_bill(load_bill(conn, row["bill_id"]), row["amount_cents"])
    elif kind is PaymentKind.TARJETA:
        require_card_amount(own_card(conn, member, row["card_id"]), row["amount_cents"])
    check_origin(
        conn,
        member,
        now,
        kind=kind,
        origin=account_store.for_move(conn, [row["from_account_id"]])[row["from_account_id"]],
        amount_cents=row["amount_cents"],
    )
    return payment_model(execute_payment(conn, member, payment_id, now))


def execute_payment(conn: Connection, member: CurrentMember, payment_id: int, now: datetime) -> Row:
    """Moves the money of a checked payment, updates the bill or card and e-mails the receipt.

    A service or a cooperative card ends ``completada``; a card of another institution
    ``en_proceso``, its money held in the settlement account until the clearing answers.
    """
    row = load_payment(conn, member.id, payment_id)
    reference, origin = row["reference"], row["from_number"]
    amount = row["amount_cents"]
    kind = PaymentKind(row["kind"])
    if kind is PaymentKind.SERVICIO:
        journal_kind, status = "pago_servicio", TransferStatus.COMPLETADA
        bill = load_bill(conn, row["bill_id"])
        what = f"{row['payee_name']} {row['payee_reference']}"
        debit = Leg(row["from_account_id"], f"Pago {what} · {reference}")
        credit = Leg(
            internal_account_id(conn, RECAUDACION_NUMBER),
            f"{reference} {bill['biller_code']} {bill['reference']} · cta. {origin}",
        )
    elif kind is PaymentKind.TARJETA:
        journal_kind, status = "pago_tarjeta", TransferStatus.COMPLETADA
        card = short_card(row["payee_reference"][-4:])
        what = f"tarjeta {row['payee_name']} {card}"
        debit = Leg(row["from_account_id"], f"Pago {what} · {reference}")
        credit = Leg(
            internal_account_id(conn, CARTERA_NUMBER),
            f"{reference} tarjeta {card} · cta. {origin}",
        )
    else:
        journal_kind, status = "pago_tarjeta_externa", TransferStatus.EN_PROCESO
        issuer = load_issuer(conn, row["issuer_code"])
        card = short_card(row["card_last4"])
        what = f"tarjeta {row['payee_name']} {card}"
        debit = Leg(row["from_account_id"], f"Pago {what} · {reference}")
        credit = Leg(
            internal_account_id(conn, COMPENSACION_NUMBER),
            f"{reference} a {issuer['institution_name']} · tarjeta {card} · cta. {origin}",
        )
    journal_id = post_transfer(
        conn,
        now,
        kind=journal_kind,
        description=f"{reference} · Pago a {row['payee_name']} {row['payee_reference']}",
        reference=reference,
        amount_cents=amount,
        debit=debit,
        credit=credit,
    )
    operation_store.mark_executed(conn, "payments", payment_id, status.value, now, journal_id)
    if kind is PaymentKind.SERVICIO:
        store.pay_bill(conn, row["bill_id"], amount, payment_id, now)
    elif kind is PaymentKind.TARJETA:
        store.pay_card(conn, row["card_id"], amount)
    row = load_payment(conn, member.id, payment_id)
    with mail.to_member(conn, member.id) as whom:
        mail.payment_receipt(
            conn,
            now,
            **whom,
            reference=reference,
            executed_at=now,
            origin=origin,
            payee=row["payee_name"],
            payee_reference=row["payee_reference"],
            holder=row["holder_name"],
            period=row["period"],
            amount=money(amount),
            status=_(PAYMENT_STATUS_LABELS[status]),
        )
    return row


def cancel_payment(conn: Connection, payment_id: int, reason: str) -> None:
    """A payment that awaited its PIN is cancelada (the PIN expired, was wrong 3 times...)."""
    operation_store.cancel(conn, "payments", payment_id, reason)


def consult(conn: Connection, biller_code: str, reference: str) -> Bill:
    """CONSULTAR: the oldest pending bill of a reference (holder partly masked)."""
    return bill_model(pending_bill(conn, load_biller(conn, biller_code), reference))


def delete_frequent(conn: Connection, member: CurrentMember, frequent_id: int) -> None:
    own_frequent(conn, member.id, frequent_id)
    store.delete_frequent(conn, frequent_id)
