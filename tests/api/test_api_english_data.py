"""The server's own words about bills in the request's language (issue 13, A5), over HTTP.

What a biller asks for (its reference label and hint), the refusal of a badly written reference
and a bill's period ("November 2026", Babel's month names) come in English to a client that asks
for English, and in Spanish otherwise: spoken to the bundled server on a loopback socket.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
from babel.dates import format_date

from mock_server import create_app
from mock_server.testing import login_token, run_server_in_thread
from tests.api import BILLERS, auth
from tests.database import connect

DIRECTV = "80012345"


def bill_month(db: Path) -> date:
    """The month of the DIRECTV bill: the seeding day's (it falls due 9 days after it)."""
    with connect(db) as conn:
        (due,) = conn.execute(
            "SELECT due_date FROM bills WHERE biller_code = 'DIRECTV' AND reference = ?", (DIRECTV,)
        ).fetchone()
    return (date.fromisoformat(due) - timedelta(days=9)).replace(day=1)


async def test_bills_and_billers_speak_the_requests_language(seeded_db: Path) -> None:
    month = bill_month(seeded_db)
    english_month = format_date(month, "LLLL y", locale="en")  # "November 2026"
    spanish_month = format_date(month, "LLLL y", locale="es").capitalize()  # "Noviembre 2026"
    with run_server_in_thread(create_app(seeded_db)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await login_token(client, "demo", "Demo2026")
            for language, label, refusal, period in [
                ("en", "Customer number", "Customer number: enter 8 to 12 digits.", english_month),
                ("es", "Número de cliente", "Número de cliente: escriba de 8 a 12 dígitos.",
                 spanish_month),
            ]:  # fmt: skip
                headers = {**auth(token), "Accept-Language": language}
                billers = (await client.get(BILLERS, headers=headers)).json()
                directv = next(b for b in billers if b["code"] == "DIRECTV")
                assert directv["reference_label"] == label

                bad = await client.get(
                    f"{BILLERS}/DIRECTV/bills", params={"reference": "12ab"}, headers=headers
                )
                assert bad.status_code == 422
                assert bad.json()["message"].endswith(refusal), bad.json()

                bills = await client.get(
                    f"{BILLERS}/DIRECTV/bills", params={"reference": DIRECTV}, headers=headers
                )
                assert bills.status_code == 200, bills.text
                assert bills.json()["period"] == period
