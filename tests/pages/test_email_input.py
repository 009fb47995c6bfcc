"""An email typed on the booking form with a line break in it (a "Bcc:" smuggled after CR/LF)
gets the form's email error and books nothing. A NUL never reaches the form: every form read
refuses it first, naming the field."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from hub.services.availability import list_bookings
from tests.pages.helpers import book, text_of
from tests.pages.shop import Shop

FORM_ERROR = "Ese email no parece válido."
UNSAVEABLE = "El campo «email» tiene caracteres que no se pueden guardar"
HOSTILE = [
    ("maria@example.com\r\nBcc:evil@attacker.example", FORM_ERROR),
    ("maria@example.com\nBcc:evil@attacker.example", FORM_ERROR),
    ("maria@example.com\x00Bcc:evil@attacker.example", UNSAVEABLE),
    ("maria@example.com\u2028Bcc:evil@attacker.example", FORM_ERROR),
]


@pytest.mark.parametrize(("address", "message"), HOSTILE)
def test_the_booking_form_refuses_an_email_with_a_line_break(
    client: httpx.Client, shop: Shop, address: str, message: str
) -> None:
    answer = book(client, shop.slug, shop.quick_wash.id, shop.at(11), email=address)
    assert answer.status_code == 422
    assert message in text_of(answer.text)
    start = shop.hub.now() - timedelta(days=1)
    assert list_bookings(shop.hub.uow(), shop.business.id, start, start + timedelta(days=30)) == []
