"""Every header field the mailer writes stays on its own line, whatever its value holds: CR,
LF, NUL, the other characters some mail programs end a line on, and "Bcc:" after them
never add a header or end the header block (they went into ``To:`` raw before)."""

from __future__ import annotations

import dataclasses
import email
from email.message import EmailMessage
from email.policy import compat32, default

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.notify.context import MessageKind, build_context
from connectors.notify.mail import build_email
from connectors.notify.templates import Rendered
from tests.notify.conftest import NOW, make_world

PIECES = [
    "\r\n",
    "\r",
    "\n",
    "\r\n\r\n",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
    "\t",
    "Bcc: evil@attacker.example",
    "Bcc:evil@attacker.example",
    ":",
    " ",
    "ñ",
    "=?utf-8?b?",
    "x" * 80,
]
HOSTILE = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), min_size=1, max_size=10).map(
    "".join
)
FIELDS = [
    "Subject",
    "From",
    "To",
    "Reply-To",
    "Date",
    "Message-ID",
    "X-Turnero-Booking-Id",
    "Auto-Submitted",
    "Content-Language",
    "MIME-Version",
    "Content-Type",
]
# Characters a reader may take for the end of a line, besides the CRLF of a fold.
LINE_ENDS = ["\r", "\n", "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@settings(max_examples=300, deadline=None)
@given(
    subject=HOSTILE,
    business_name=HOSTILE,
    sender=HOSTILE,
    to=HOSTILE,
    reply_to=HOSTILE,
    message_id=HOSTILE,
    booking_id=HOSTILE,
    locale=HOSTILE,
)
def test_no_value_breaks_out_of_its_header(
    subject: str,
    business_name: str,
    sender: str,
    to: str,
    reply_to: str,
    message_id: str,
    booking_id: str,
    locale: str,
) -> None:
    world = make_world()
    context = build_context(
        world.booking,
        world.business,
        world.service,
        world.resource,
        world.customer,
        now=NOW,
        organizer_email="turnos@lavadero.example",
    )
    context = dataclasses.replace(
        context, business_name=business_name, booking_id=booking_id, locale=locale
    )
    rendered = Rendered(text="Hola\n", subject=subject, html="<p>Hola</p>")
    message = build_email(
        MessageKind.CONFIRMED,
        context,
        rendered,
        to=to,
        sender=sender,
        now=NOW,
        message_id=message_id,
        reply_to=reply_to,
    )
    raw = message.as_bytes()
    head, body = raw.split(b"\r\n\r\n", 1)
    text = head.decode("utf-8")
    unfolded = text.replace("\r\n ", " ").replace("\r\n\t", " ")
    lines = unfolded.split("\r\n")
    expected = FIELDS if reply_to else [f for f in FIELDS if f != "Reply-To"]
    assert [line.split(":", 1)[0] for line in lines] == expected, text
    for line in lines:
        assert not any(end in line for end in LINE_ENDS), repr(line)
    fields = email.message_from_bytes(raw, policy=compat32)  # the raw fields, unparsed
    assert fields["Bcc"] is None and len(fields.get_all("To") or []) == 1
    parsed = email.message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    plain = parsed.get_body(preferencelist=("plain",))
    assert plain is not None and str(plain.get_content()).strip() == "Hola"
    assert any(p.get_content_type() == "text/calendar" for p in parsed.walk())
    assert body.endswith(b"--\r\n")
