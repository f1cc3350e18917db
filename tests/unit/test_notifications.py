"""AVISOS' pure pieces (issue 17): the inbox's cursor, the kinds other areas may use, and the
dashboard's unread line in both languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.domain import mail
from mock_server.domain.errors import Invalid
from mock_server.domain.notifications import decode_cursor, encode_cursor
from sjvirtual_tui import i18n
from sjvirtual_tui.screens.notifications import unread_text


@pytest.mark.parametrize("notification_id", [1, 42, 10**17])
def test_a_cursor_gives_back_its_id(notification_id: int) -> None:
    cursor = encode_cursor(notification_id)
    assert cursor.isascii() and "=" not in cursor
    assert decode_cursor(cursor) == notification_id


@pytest.mark.parametrize("cursor", ["", "abc", "bjA", "bi0x", "eDEy", "!!!!", "bjEyYQ"])
def test_a_cursor_the_list_did_not_give_is_refused_on_its_field(cursor: str) -> None:
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "cursor"


def test_secret_e_mails_are_kept_out_of_the_inbox() -> None:
    assert {
        mail.VERIFICATION_PIN,
        mail.RECOVERY_CODE,
        mail.APPROVAL,
        mail.CONTACT_CODE,
    } == mail.SECRET_KINDS
    assert mail.TRANSFER_OUT not in mail.SECRET_KINDS


def test_notify_refuses_a_kind_that_is_not_a_word() -> None:
    from datetime import UTC, datetime

    from mock_server.domain.notifications import notify

    with pytest.raises(ValueError, match="kind"):
        notify(None, 1, "Tarjeta bloqueada", "t", "b", datetime.now(UTC))  # type: ignore[arg-type]


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("es")


def test_the_unread_line_in_spanish() -> None:
    assert unread_text(0) == "No tiene avisos sin leer."
    assert unread_text(1) == "1 aviso sin leer"
    assert unread_text(3) == "3 avisos sin leer"


def test_the_unread_line_in_english(english: None) -> None:
    assert unread_text(0) == "You have no unread notices."
    assert unread_text(1) == "1 unread notice"
    assert unread_text(3) == "3 unread notices"
