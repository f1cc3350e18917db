"""Regressions of what the bank's model (tests/api/test_bank_model.py) and its review found."""

from __future__ import annotations

import httpx

from tests.api import PAYMENTS, auth
from tests.conftest import login_token


async def test_an_unknown_payment_is_404_in_the_requests_language(
    demo_client: httpx.AsyncClient,
) -> None:
    # load_payment raised its 404 with the untranslated msgid: English readers got Spanish.
    token = await login_token(demo_client, "socio2", "Socio2026")
    for language, message in (("es", "Pago no encontrado."), ("en", "Payment not found.")):
        response = await demo_client.get(
            f"{PAYMENTS}/999", headers={**auth(token), "Accept-Language": language}
        )
        assert response.status_code == 404, response.text
        assert response.json() == {"code": "not_found", "message": message, "field": None}
