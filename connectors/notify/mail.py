"""Build the email of one notification: an RFC 5322 message that opens as a calendar invite
in Gmail, Outlook and Apple Mail.

Shape (what Google Calendar itself sends, and what the three clients accept)::

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8
        text/html; charset=utf-8
        text/calendar; method=REQUEST; charset=UTF-8      (iMIP, RFC 6047)
      application/ics; name="invite.ics"                  (attachment, same VCALENDAR)

What the clients expect, and why the code does what it does:

- RFC 6047 §2.4: the ``method`` parameter of the text/calendar part MUST equal the METHOD
  of the VCALENDAR (REQUEST for invites and updates, CANCEL for cancellations).
- Outlook (MS-OXCMAIL / MS-STANDARDS V0343) looks for iMIP data only in the *first* child
  of multipart/mixed and its descendants, so the alternative part comes first and the
  calendar part lives inside it; Outlook ignores the invite when ORGANIZER is the recipient.
- Gmail shows the invite card only to an address the message is sent *to* (not Cc), when the
  VEVENT has an ORGANIZER and an ATTENDEE; it matches updates by UID and SEQUENCE, so a
  reschedule raises SEQUENCE and a cancellation is METHOD:CANCEL with the same UID.
- Apple Mail reads the text/calendar alternative; clients that ignore iMIP still show the
  ``invite.ics`` attachment, which any calendar opens.
- Calendar parts go base64-encoded: quoted-printable soft breaks have broken folded
  iCalendar lines in some gateways, base64 never does.

So one message is built per recipient. Sending is ``connectors.notify.mailers``'.
"""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, make_msgid

from icalendar import Event

from connectors.notify.context import MessageContext, MessageKind, for_guest, for_organizer
from connectors.notify.templates import Rendered
from hub.ical.itip import itip_cancel
from hub.ical.vcalendar import wrap_event
from hub.mailheaders import address_header, header, text_header

CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """A finished message: its bytes (CRLF lines) and its envelope."""

    sender: str  # envelope sender (MAIL FROM)
    to: tuple[str, ...]  # envelope recipients (RCPT TO)
    message_id: str
    data: bytes

    def as_bytes(self) -> bytes:
        return self.data

    def headers(self) -> Message:
        """The header block, parsed (for logs, tests and the mail folder)."""
        return BytesHeaderParser(policy=compat32).parsebytes(self.data)

    def __getitem__(self, name: str) -> str | None:
        value = self.headers()[name]
        return None if value is None else str(value)


# An update changes what every person on the meeting sees when one of these changed; a
# change of the invitees alone concerns those added (invited), those removed (their CANCEL)
# and the organizer.
SEEN_BY_ALL = frozenset({"title", "notes", "address", "resource_id", "meeting_url"})


@dataclass(frozen=True, slots=True)
class Recipient:
    """One email of a notification: to whom, with what their message may carry, as which
    kind (an invitee added by an update gets an invitation), and whether it takes them off
    the meeting (an invitee removed by an update)."""

    address: str
    context: MessageContext
    kind: MessageKind
    removed: bool = False


def recipients_of(kind: MessageKind, context: MessageContext) -> list[Recipient]:
    """Who gets the email of ``kind``: the client, every invitee with their own context
    (``for_guest``), the staff member who organised it (``for_organizer``). A thank-you is
    the client's alone; an update goes as ``SEEN_BY_ALL`` says."""
    if kind is MessageKind.THANK_YOU:
        return [Recipient(context.customer_email, context, kind)] if context.customer_email else []
    everyone = kind is not MessageKind.UPDATED or bool(SEEN_BY_ALL & set(context.changed))
    found: list[Recipient] = []
    if context.customer_email and everyone:
        found.append(Recipient(context.customer_email, context, kind))
    for guest in context.invitees:
        if guest.email in context.added:
            found.append(Recipient(guest.email, for_guest(context, guest), MessageKind.CONFIRMED))
        elif everyone:
            found.append(Recipient(guest.email, for_guest(context, guest), kind))
    for guest in context.removed:
        found.append(
            Recipient(guest.email, for_guest(context, guest), MessageKind.CANCELLED, removed=True)
        )
    organizer = context.organizer
    if organizer is not None and all(organizer.email != r.address for r in found):
        found.append(Recipient(organizer.email, for_organizer(context), kind))
    return found


def audiences(kind: MessageKind, context: MessageContext) -> list[tuple[str, MessageContext]]:
    """``recipients_of`` as (address, context) pairs."""
    return [(r.address, r.context) for r in recipients_of(kind, context)]


def recipients(context: MessageContext) -> tuple[str, ...]:
    """The addresses an invite goes to: the client, every invitee, the organizer."""
    return tuple(address for address, _ in audiences(MessageKind.CONFIRMED, context))


def invite_calendar(kind: MessageKind, context: MessageContext) -> tuple[str, bytes] | None:
    """The iTIP method and VCALENDAR sent with ``kind``, or None (thank-you mails)."""
    if not kind.carries_invite or not context.organizer_email:
        return None
    span = (context.start.date(), context.end.date())
    if kind.cancels_event:
        event = Event.from_ical(context.ical_event)
        assert isinstance(event, Event)
        return "CANCEL", itip_cancel(event, context.timezone)
    # The context's VEVENT already has the ORGANIZER: wrap it as it is (RFC 5546 REQUEST).
    return "REQUEST", wrap_event(context.ical_event, context.timezone, span, "REQUEST")


# --- MIME, written out directly --------------------------------------------------------
# The stdlib's EmailMessage spends milliseconds per message on header objects and the
# generator; a notification has a fixed shape, so its parts are written here with the
# stdlib's encoders (RFC 2047 headers, quoted-printable text, base64 calendars); binascii's
# quoted-printable is the C one (CRLF in, CRLF soft breaks out).


def _text_part(subtype: str, text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF) + CRLF
    # b2a_qp writes CRLF soft breaks only when the text has a CRLF line end: hence the one
    # added (and taken off again).
    body = binascii.b2a_qp(lines.encode("utf-8"), istext=True).decode("ascii")[: -len(CRLF)]
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        body,
    ]


def _base64(data: bytes) -> str:
    """Base64 in lines of 76 characters (RFC 2045 §6.8), encoded in one call."""
    text = base64.b64encode(data).decode("ascii")
    return CRLF.join([text[i : i + 76] for i in range(0, len(text), 76)])


def _multipart(subtype: str, parts: Sequence[list[str]]) -> list[str]:
    # "=_" never occurs in base64 or quoted-printable, so the boundary needs no secret
    # randomness, only to differ from its siblings: no urandom call (three a message) here.
    boundary = f"=_{random.getrandbits(128):032x}"
    lines = [f'Content-Type: multipart/{subtype};{CRLF} boundary="{boundary}"', ""]
    for part in parts:
        lines += [f"--{boundary}", *part]
    lines += [f"--{boundary}--"]
    return lines


def build_email(
    kind: MessageKind,
    context: MessageContext,
    rendered: Rendered,
    *,
    to: str,
    sender: str,
    now: datetime,
    message_id: str | None = None,
    reply_to: str | None = None,
) -> OutgoingEmail:
    """One notification email to one recipient.

    ``message_id`` should be stable per (outbox event, recipient) so a re-dispatched event
    produces the same message (receivers and DirectoryMailer de-duplicate on it).
    """
    message_id = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
    # Every field goes through the one encoder (``hub.mailheaders``): whatever a value
    # holds, it stays on its field's line.
    headers = [
        text_header("Subject", rendered.subject or context.business_name),
        address_header("From", sender, context.business_name),
        address_header("To", to),
    ]
    if reply_to:
        headers.append(address_header("Reply-To", reply_to))
    headers += [
        header("Date", format_datetime(now)),
        header("Message-ID", message_id),
        header("X-Turnero-Booking-Id", context.booking_id),
        header("Auto-Submitted", "auto-generated"),  # RFC 3834: no auto-replies to this
        header("Content-Language", context.locale.replace("_", "-")),
        header("MIME-Version", "1.0"),
    ]
    texts = [_text_part("plain", rendered.text)]
    if rendered.html is not None:
        texts.append(_text_part("html", rendered.html))
    invite = invite_calendar(kind, context)
    if invite is None:
        body = texts[0] if len(texts) == 1 else _multipart("alternative", texts)
    else:
        method, calendar = invite
        encoded = _base64(calendar)
        inline = [
            f'Content-Type: text/calendar; method="{method}"; charset="UTF-8"',
            "Content-Transfer-Encoding: base64",
            "",
            encoded,
        ]
        attached = [
            'Content-Type: application/ics; name="invite.ics"',
            "Content-Transfer-Encoding: base64",
            'Content-Disposition: attachment; filename="invite.ics"',
            "",
            encoded,
        ]
        body = _multipart("mixed", [_multipart("alternative", [*texts, inline]), attached])
    data = CRLF.join([*headers, *body]) + CRLF
    return OutgoingEmail(sender, (to,), message_id, data.encode("utf-8"))
