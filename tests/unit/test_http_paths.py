"""A username typed by staff goes into a URL path: a value that could reshape the path ("../",
"?", "/") must be refused by the client before any request leaves it."""

from __future__ import annotations

import httpx
import pytest

from sjvirtual_tui.backend import NotFound
from sjvirtual_tui.backend.http import HttpBackend

HOSTILE = ["../auth/login", "demo/../../health", "demo?x=1", "demo#frag", "dem o", "démo", ""]


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def backend(sent: list[httpx.Request]) -> HttpBackend:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[])

    backend = HttpBackend("http://bank.invalid", transport=httpx.MockTransport(answer))
    backend._token = "a-staff-session"  # as after a teller's login: the refusal is not a 401
    return backend


@pytest.mark.parametrize("username", HOSTILE)
async def test_member_debit_cards_refuses_a_username_that_reshapes_the_path(
    backend: HttpBackend, sent: list[httpx.Request], username: str
) -> None:
    with pytest.raises(NotFound):
        await backend.member_debit_cards(username)
    assert sent == []


async def test_member_debit_cards_asks_the_member_s_own_path(
    backend: HttpBackend, sent: list[httpx.Request]
) -> None:
    assert await backend.member_debit_cards("socio2") == []
    assert [r.url.path for r in sent] == ["/api/v1/staff/members/socio2/debit-cards"]
