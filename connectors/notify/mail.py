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

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from icalendar import Event

from connectors.notify.context import MessageContext, MessageKind
from connectors.notify.templates import Rendered
from hub.ical import itip_cancel, itip_request


def recipients(context: MessageContext) -> tuple[str, ...]:
    """Who gets the email: the customer, then every invitee with an address."""
    found = [context.customer_email] if context.customer_email else []
    found += [i for i in context.invitees if i not in found]
    return tuple(found)


def invite_calendar(kind: MessageKind, context: MessageContext) -> tuple[str, bytes] | None:
    """The iTIP method and VCALENDAR sent with ``kind``, or None (thank-you mails)."""
    if not kind.carries_invite or not context.organizer_email:
        return None
    event = Event.from_ical(context.ical_event)
    assert isinstance(event, Event)
    if kind.cancels_event:
        return "CANCEL", itip_cancel(event, context.timezone)
    return "REQUEST", itip_request(event, context.timezone)


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
) -> EmailMessage:
    """One notification email to one recipient.

    ``message_id`` should be stable per (outbox event, recipient) so a re-dispatched event
    produces the same message (receivers and DirectoryMailer de-duplicate on it).
    """
    message = EmailMessage()
    message["Subject"] = rendered.subject or context.business_name
    message["From"] = formataddr((context.business_name, sender))
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
    message["X-Turnero-Booking-Id"] = context.booking_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this

    message.set_content(rendered.text)
    if rendered.html is not None:
        message.add_alternative(rendered.html, subtype="html")
    invite = invite_calendar(kind, context)
    if invite is None:
        return _finish(message, context)

    method, calendar = invite
    if rendered.html is None:
        message.make_alternative()
    message.add_alternative(
        calendar,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
        cte="base64",
    )
    message.make_mixed()
    message.add_attachment(
        calendar,
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},
        cte="base64",
    )
    return _finish(message, context)


def _finish(message: EmailMessage, context: MessageContext) -> EmailMessage:
    # Set last: make_mixed()/make_alternative() move Content-* headers into the first part.
    message["Content-Language"] = context.locale.replace("_", "-")
    return message
