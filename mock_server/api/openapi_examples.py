"""Examples of the OpenAPI document: a request of each kind, as a client would send it.

They document the API (``/docs`` shows them) and are what schemathesis' examples phase sends
first (tests/api/test_api_fuzz.py). The values are the seeded demo data's (``mock_server.seed``):
the socio ``demo`` with its accounts 00104721 and 00204722, socio2's 00105349, the CNEL EP bill
1000123456... Against a server seeded otherwise they are still well-formed requests.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example


def examples(**named: tuple[str, Any]) -> dict[str, Example]:
    """``name=(summary, value)`` -> FastAPI's ``openapi_examples``."""
    return {name: Example(summary=summary, value=value) for name, (summary, value) in named.items()}


# Values that several examples share: a username and its password, the demo socio's account,
# an e-mailed code and PIN, an applicant's cédula and e-mail.
USERNAME = "mfguaman"
PASSWORD = "Clave2026"
ACCOUNT = "00104721"
CODE = "ABCD-EFGH-JK"
PIN = "4821"
CEDULA = "1710034065"
EMAIL = "luis.yanez@correo.ec"

# --- bodies ---------------------------------------------------------------------------------------

CHALLENGE = examples(socio=("A username", {"username": "demo"}))
LOGIN = examples(
    socio=("Username and password", {"username": USERNAME, "password": PASSWORD}),
    known_terminal=(
        "From a terminal that logged in before",
        {
            "username": USERNAME,
            "password": PASSWORD,
            "device_token": "k3VhYjY0X3Rva2VuX2Zyb21fYV9wcmV2aW91c19sb2dpbg",
        },
    ),
)
REGISTRATION = examples(
    persona=(
        "A person",
        {
            "kind": "persona",
            "cedula": CEDULA,
            "nombres": "Luis Alberto",
            "apellidos": "Yánez Cevallos",
            "fecha_nacimiento": "1985-03-15",
            "email": EMAIL,
            "celular": "0991234567",
            "direccion": "Calle Sucre 123, Quito",
            "usuario": "lyanez",
            "cuenta": "00107777",
        },
    ),
    empresa=(
        "A company",
        {
            "kind": "empresa",
            "ruc": "1792060346001",
            "razon_social": "Textiles Otavalo S.A.",
            "representante_cedula": CEDULA,
            "representante_nombre": "Luis Yánez",
            "email": "gerencia@textiles.ec",
            "telefono": "062920123",
            "direccion": "Av. Atahualpa 12-40, Otavalo",
            "usuario": "textiles",
            "cuenta": "00190077",
        },
    ),
)
REJECT = examples(reason=("A reason", {"reason": "La cuenta indicada no es del solicitante."}))
REVERSAL = examples(
    reason=("Why the operation is reversed", {"reason": "El depósito se registró en otra cuenta."})
)
SET_PASSWORD = examples(
    code=("The code of the approval e-mail", {"code": CODE, "password": "Primera2026"})
)
SETUP = examples(
    setup=(
        "PRIMER INGRESO",
        {
            "new_password": "Segunda2027",
            "image": "volcan",
            "own_question": "¿Nombre de mi abuela?",
            "own_answer": "Rosa",
            "question_id": 2,
            "answer": "Guayaquil",
        },
    )
)
RECOVERY = examples(socio=("A username", {"username": USERNAME}))
RECOVERY_VERIFY = examples(code=("The code of the e-mail", {"username": USERNAME, "code": CODE}))
RECOVERY_COMPLETE = examples(
    answers=(
        "Both answers, the e-mailed code and a new password",
        {
            "username": USERNAME,
            "own_answer": "Cotopaxi",
            "security_answer": "Firulais",
            "code": CODE,
            "new_password": "Tercera2028",
        },
    )
)
BENEFICIARY = examples(
    interna=(
        "Another socio's account (cuenta de terceros)",
        {"kind": "interna", "account_type": "ahorro_vista", "number": "00105349"},
    ),
    externa=(
        "An account at another institution",
        {
            "kind": "externa",
            "institution_code": "0036",
            "account_type": "corriente",
            "number": "02005987654",
            "id_type": "cedula",
            "id_number": CEDULA,
            "name": "Luis Yánez",
            "email": EMAIL,
        },
    ),
)
TRANSFER = examples(
    propias=(
        "Between the member's own accounts (no PIN)",
        {
            "kind": "propias",
            "from_account": ACCOUNT,
            "to_account": "00204722",
            "amount_cents": 2500,
            "description": "Ahorro del mes",
        },
    ),
    internas=(
        "To a registered cuenta de terceros (PIN)",
        {
            "kind": "internas",
            "from_account": ACCOUNT,
            "beneficiary_id": 1,
            "amount_cents": 1500,
            "description": "Almuerzo",
        },
    ),
)
FREQUENT_SERVICE = examples(
    agua=(
        "A service to pay again",
        {"biller_code": "EPMAPS", "reference": "4567890", "alias": "Agua"},
    )
)
PAYMENT = examples(
    servicio=(
        "A service bill (CONSULTAR gives its id and amounts)",
        {"kind": "servicio", "bill_id": 1, "from_account": ACCOUNT, "amount_cents": 3245},
    ),
    tarjeta=(
        "One of the member's cooperative cards",
        {"kind": "tarjeta", "card_id": 1, "from_account": ACCOUNT, "amount_cents": 4227},
    ),
    tarjeta_externa=(
        "A card of another institution",
        {
            "kind": "tarjeta_externa",
            "issuer_code": "VISA_PICHINCHA",
            "card_number": "4111111111111111",
            "holder_name": "Ana Lucía Tipán Morales",
            "from_account": ACCOUNT,
            "amount_cents": 5000,
        },
    ),
)
CONFIRM = examples(
    pago=(
        "The e-mailed PIN, with the challenge's amount and payee",
        {"pin": PIN, "amount_cents": 3245, "payee": "servicio:CNEL_EP:1000123456:1"},
    ),
    beneficiario=(
        "A new beneficiary has no amount",
        {"pin": PIN, "amount_cents": None, "payee": "externa:0036:02005987654"},
    ),
)

# --- parameters -----------------------------------------------------------------------------------

ACCOUNT_NUMBER = examples(vista=("Ahorro a la vista", ACCOUNT), personal=("Ahorro", "00204722"))
DAY_FROM = examples(month=("From the 1st", "2026-11-01"))
DAY_TO = examples(month=("To the 25th", "2026-11-25"))
LOOKUP_NUMBER = examples(
    cartola=("As in the cartola", "00105349"), registered=("Registered form", "1105349")
)
BILLER_CODE = examples(cnel=("CNEL EP", "CNEL_EP"))
BILL_REFERENCE = examples(cuen=("Código Único Eléctrico Nacional", "1000123456"))
BILLER_QUERY = examples(agua=("Water companies", "agua"))
