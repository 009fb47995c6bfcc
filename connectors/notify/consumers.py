"""The notification consumers: booking events → email (with the iTIP invite) and WhatsApp,
to the customer (and, by email, the invitees), plus the consumer that keeps reminders in step.

Which message an event means: created (pending → "received", confirmed → "confirmed"),
confirmed, rescheduled, cancelled, expired, completed ("thank you"), and ``booking.reminder``
(fired by ``scheduler.reminders``, for one channel). Each message is built from the booking
as the event saw it (status, times, SEQUENCE from the payload), so an update carries
SEQUENCE + 1 and a cancellation the same UID with METHOD:CANCEL.

Every recipient reached is written to the notification log at once, and a later attempt of
the same delivery skips recipients already logged: after a crash only the message in flight
can go out twice. A refused recipient (SMTP 5xx, WhatsApp 4xx) is logged as failed and never
stops the other recipients or the other channel.

The scheduler knows these only through its registry (``scheduler.consumers``): the
composition root registers them (``hub.wiring``).

Not here: templates, MIME, SMTP and the Graph client (the rest of ``connectors.notify``).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import Table, select

from connectors.notify import errors as notify_errors
from connectors.notify import inbound, secrets
from connectors.notify import whatsapp_templates as wa_templates
from connectors.notify.context import (
    Audience,
    MessageChannel,
    MessageContext,
    MessageKind,
    Organizer,
    build_context,
)
from connectors.notify.mail import build_email, recipients_of
from connectors.notify.mailers import Mailer
from connectors.notify.receipt import build_receipt
from connectors.notify.templates import render, render_invitee, render_organizer
from connectors.notify.whatsapp import SentMessage, WhatsAppClient, whatsapp_number
from hub.config import Settings
from hub.domain.accounts import User
from hub.domain.booking import Booking, BookingStatus, Invitee
from hub.domain.model import Branch, Business, Customer, OutboxEvent, Resource, Service
from hub.persistence import convert
from hub.persistence.models import BookingRow, CustomerRow
from hub.persistence.uow import SqlUnitOfWork
from hub.services.message_fallback import FALLBACK_EVENT
from hub.services.whatsapp_settings import messages_off
from scheduler.consumers import (
    ConsumerRegistry,
    DeliveryContext,
    LogEntry,
    LogStatus,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from scheduler.reminders import REMINDER_EVENT, whatsapp_configured

T = TypeVar("T")
_BOOKINGS = cast(Table, BookingRow.__table__)
_CUSTOMERS = cast(Table, CustomerRow.__table__)

KINDS: dict[str, MessageKind] = {
    "booking.confirmed": MessageKind.CONFIRMED,
    "booking.rescheduled": MessageKind.RESCHEDULED,
    "booking.cancelled": MessageKind.CANCELLED,
    "booking.expired": MessageKind.EXPIRED,
    "booking.completed": MessageKind.THANK_YOU,
    REMINDER_EVENT: MessageKind.REMINDER,
}


_STATUSES = frozenset(s.value for s in BookingStatus)
_KIND_VALUES = frozenset(k.value for k in MessageKind)


# Not sent once the booking stopped occupying time (sent late, they would contradict the
# cancellation or expiry the client already got, or is about to get).
SUPERSEDED_WHEN_GONE = frozenset(
    {MessageKind.RECEIVED, MessageKind.CONFIRMED, MessageKind.RESCHEDULED, MessageKind.UPDATED}
)


# An update is news for the people on the meeting when one of these changed.
UPDATE_FIELDS = frozenset({"title", "notes", "address", "resource_id", "meeting_url", "invitees"})


def message_kind(event: OutboxEvent) -> MessageKind | None:
    if event.type == "booking.updated":
        changed = event.payload.get("changed")
        touched = UPDATE_FIELDS & set(changed) if isinstance(changed, list) else set()
        return MessageKind.UPDATED if touched else None
    if event.type == FALLBACK_EVENT:
        kind = event.payload.get("kind")
        return MessageKind(kind) if kind in _KIND_VALUES else None
    if event.type == "booking.created":
        status = event.payload.get("status")
        if status == BookingStatus.CONFIRMED.value:
            return MessageKind.CONFIRMED
        return MessageKind.RECEIVED if status == BookingStatus.PENDING.value else None
    return KINDS.get(event.type)


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else None


def as_of_event(booking: Booking, event: OutboxEvent) -> Booking:
    """The booking as it was when ``event`` was written (reminders: as it is now)."""
    if event.type in (REMINDER_EVENT, FALLBACK_EVENT):
        return booking
    p = event.payload
    start, end = _instant(p.get("start")), _instant(p.get("end"))
    status = p.get("status")
    sequence = p.get("sequence")
    return replace(
        booking,
        start=start or booking.start,
        end=end or booking.end,
        status=BookingStatus(status) if status in _STATUSES else booking.status,
        sequence=sequence if isinstance(sequence, int) else booking.sequence,
        history=[],
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    kind: MessageKind
    business: Business
    context: MessageContext
    customer_id: str = ""


class MessageBuilder:
    """Loads what a message needs about one booking and formats it once. Setup rows
    (business, service, resource, branch) are cached for a few seconds, and the message of
    an event is kept for the other channel that sends it."""

    SETUP_TTL = 10.0
    KEEP = 512  # prepared messages kept (for the other channel, and prefetched batches)
    KEEP_SECONDS = 5.0

    def __init__(self, uow: Callable[[], SqlUnitOfWork], settings: Settings) -> None:
        self._uow = uow
        self._settings = settings
        self._lock = threading.Lock()
        self._setup: dict[tuple[str, str], tuple[float, object]] = {}
        self._prepared: OrderedDict[str, tuple[float, Prepared | None]] = OrderedDict()

    def _cached(self, kind: str, key: str, load: Callable[[], T | None]) -> T | None:
        now = time.monotonic()
        with self._lock:
            hit = self._setup.get((kind, key))
        if hit is not None and now - hit[0] < self.SETUP_TTL:
            return cast("T | None", hit[1])
        value = load()
        with self._lock:
            self._setup[(kind, key)] = (now, value)
        return value

    def unit_of_work(self) -> SqlUnitOfWork:
        return self._uow()

    def business(self, business_id: str) -> Business | None:
        def load() -> Business | None:
            with self._uow() as uow:
                return uow.businesses.get(business_id)

        return self._cached("business", business_id, load)

    def prepare(self, event: OutboxEvent, now: datetime) -> Prepared | None:
        hit = self._kept(event.id)
        if hit is not None:
            return hit[0]
        prepared = self._prepare(event, now)
        self._keep({event.id: prepared})
        return prepared

    def _kept(self, event_id: str) -> tuple[Prepared | None] | None:
        """The message kept for ``event_id`` if it is fresh (a retry rebuilds it: the
        booking may have changed, e.g. got its video link, since)."""
        with self._lock:
            kept = self._prepared.get(event_id)
        if kept is None or time.monotonic() - kept[0] > self.KEEP_SECONDS:
            return None
        return (kept[1],)

    def _keep(self, found: dict[str, Prepared | None]) -> None:
        now = time.monotonic()
        with self._lock:
            self._prepared.update((key, (now, value)) for key, value in found.items())
            while len(self._prepared) > self.KEEP:
                self._prepared.popitem(last=False)

    def prefetch(self, events: Sequence[OutboxEvent], now: datetime) -> None:
        """Prepare the messages of a batch of events with one query for their bookings and
        one for their customers (``prepare`` then finds them ready)."""
        todo = [e for e in events if message_kind(e) is not None and self._kept(e.id) is None]
        todo = todo[: self.KEEP // 2]
        if len(todo) < 2:
            return
        booking_ids = {_booking_id(e) for e in todo}
        with self._uow() as uow:  # Core rows: no ORM objects for a read-only batch
            bookings = {
                row.id: convert.booking_from_row(row)
                for row in uow.session.execute(
                    select(_BOOKINGS).where(_BOOKINGS.c.id.in_(sorted(booking_ids)))
                )
            }
            customer_ids = sorted({b.customer_id for b in bookings.values()})
            customers = {
                row.id: convert.customer_from_row(row)
                for row in uow.session.execute(
                    select(_CUSTOMERS).where(_CUSTOMERS.c.id.in_(customer_ids))
                )
            }
        found: dict[str, Prepared | None] = {}
        for event in todo:
            current = bookings.get(_booking_id(event))
            if current is None or current.business_id != event.business_id:
                found[event.id] = None
                continue
            customer = customers.get(current.customer_id)
            if customer is None or customer.business_id != event.business_id:
                found[event.id] = None
                continue
            found[event.id] = self._compose(event, now, current, customer)
        self._keep(found)

    def _prepare(self, event: OutboxEvent, now: datetime) -> Prepared | None:
        if message_kind(event) is None:
            return None
        with self._uow() as uow:
            current = uow.bookings.get(event.business_id, _booking_id(event))
            if current is None:
                return None
            customer = uow.customers.get(event.business_id, current.customer_id)
        if customer is None:
            return None
        return self._compose(event, now, current, customer)

    def _setup_of(self, business: Business, booking: Booking) -> tuple[object, object, object]:
        def load(kind: str, key: str) -> object:
            def fetch() -> object:
                with self._uow() as uow:
                    if kind == "service":
                        return uow.services.get(business.id, key)
                    if kind == "resource":
                        return uow.resources.get(business.id, key)
                    return uow.branches.get(business.id, key)

            return self._cached(kind, key, fetch)

        branch = load("branch", booking.branch_id) if booking.branch_id else None
        return load("service", booking.service_id), load("resource", booking.resource_id), branch

    def _compose(
        self, event: OutboxEvent, now: datetime, current: Booking, customer: Customer
    ) -> Prepared | None:
        kind = message_kind(event)
        business = self.business(event.business_id)
        if kind is None or business is None:
            return None
        if kind.value in business.settings.get("messages_off", ()):
            return None  # the business switched this message off
        service, resource, branch = self._setup_of(business, current)
        if not isinstance(service, Service) or not isinstance(resource, Resource):
            return None
        if kind is MessageKind.REMINDER and (
            not current.occupies_time
            or current.status is BookingStatus.IN_PROGRESS
            or current.start <= now
        ):
            return None  # cancelled, expired or already started: never reminded
        if kind in SUPERSEDED_WHEN_GONE and not current.occupies_time:
            return None  # cancelled or expired since: its own message says so, this would not
        booking = as_of_event(current, event)
        organizer = business.settings.get("email") or self._settings.smtp_from
        staff = self.organizer(business, current)
        context = build_context(
            booking,
            business,
            service,
            resource,
            customer,
            now=now,
            manage_url=f"{self._settings.base_url}/book/manage/{current.token}",
            invitation_url=lambda i: invitation_link(self._settings.base_url, current.id, i),
            previous_start=_instant(event.payload.get("previous_start")),
            organizer_email=str(organizer),
            branch=branch if isinstance(branch, Branch) else None,
            organizer=staff,
            changed=_changed(event),
            added=_strings(event.payload.get("invitees_added")),
            removed=_removed(event.payload.get("invitees_removed")),
        )
        if current.deposit_minor:
            with self._uow() as uow:
                payment = uow.payments.for_booking(business.id, current.id)
            receipt = build_receipt(payment, booking, business, context.locale)
            context = replace(context, receipt=receipt)
        return Prepared(kind, business, context, customer.id)

    def organizer(self, business: Business, booking: Booking) -> Organizer | None:
        """The staff member who made ``booking``, while they are an active member of its
        business (cached like the setup rows)."""
        if booking.organizer_id is None:
            return None

        def load() -> User | None:
            with self._uow() as uow:
                return uow.users.get(str(booking.organizer_id))

        user = self._cached("user", booking.organizer_id, load)
        if user is None or not user.active or user.business_id != business.id:
            return None
        url = f"{self._settings.base_url}/console/bookings/{booking.id}"
        return Organizer(user.email, user.name, user.phone, url)


def _changed(event: OutboxEvent) -> tuple[str, ...]:
    raw = event.payload.get("changed")
    return tuple(str(c) for c in raw) if isinstance(raw, list) else ()


def _strings(raw: object) -> tuple[str, ...]:
    return tuple(str(v) for v in raw) if isinstance(raw, list) else ()


def _removed(raw: object) -> tuple[Invitee, ...]:
    """The invitees an update took off, as its payload names them."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        Invitee(str(item["email"]), str(item.get("name") or ""), token="")
        for item in raw
        if isinstance(item, dict) and item.get("email")
    )


def invitation_link(base_url: str, booking_id: str, invitee: Invitee) -> str:
    """An invitee's own link (the page ``booking_pages.invitation`` serves)."""
    return f"{base_url}/book/invite/{booking_id}/{invitee.token}"


def _booking_id(event: OutboxEvent) -> str:
    return str(event.payload.get("booking_id") or event.aggregate_id)


def _overrides(business: Business) -> dict[str, str]:
    raw = business.settings.get("templates")
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _message_id(event_id: str, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]
    return f"<{event_id}.{digest}@{domain}>"


def _reminder_channel(event: OutboxEvent) -> str | None:
    """The one channel a reminder or a fallback is for (others: every channel)."""
    if event.type in (REMINDER_EVENT, FALLBACK_EVENT):
        return str(event.payload.get("channel"))
    return None


class EmailConsumer:
    name = "email"

    def __init__(self, builder: MessageBuilder, mailer: Mailer, settings: Settings) -> None:
        self._builder = builder
        self._mailer = mailer
        self._settings = settings

    def handles(self, event: OutboxEvent) -> bool:
        channel = _reminder_channel(event)
        return message_kind(event) is not None and channel in (None, "email")

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        prepared = self._builder.prepare(event, ctx.now)
        if prepared is None:
            return []
        kind, context = prepared.kind, prepared.context
        to = recipients_of(kind, context)
        if not to:
            return [LogEntry("email", kind.value, LogStatus.SKIPPED, "", "no email address")]
        client = render(
            kind, MessageChannel.EMAIL, context.language, context, _overrides(prepared.business)
        )
        done = ctx.sent_before("email") if ctx.attempt > 1 else frozenset()
        sender = self._settings.smtp_from
        domain = sender.rpartition("@")[2] or "turnero"
        deferred: list[str] = []
        for recipient in to:
            address, own, own_kind = recipient.address, recipient.context, recipient.kind
            if address in done:
                continue
            # The client's text, an invitee's own (their name, their link, no client data),
            # or the organizer's (the booking's console page, not the client's link).
            if own.audience is Audience.ORGANIZER:
                rendered = render_organizer(own_kind, MessageChannel.EMAIL, own.language, own)
            elif own.audience is Audience.INVITEE:
                rendered = render_invitee(own_kind, own.language, own, removed=recipient.removed)
            elif own_kind is kind:
                rendered = client
            else:
                rendered = render(own_kind, MessageChannel.EMAIL, own.language, own)
            message = build_email(
                own_kind,
                own,
                rendered,
                to=address,
                sender=sender,
                now=ctx.now,
                message_id=_message_id(event.id, address, domain),
                reply_to=str(prepared.business.settings.get("email") or "") or None,
            )
            try:
                self._mailer.send(message)
            except notify_errors.RetryableDeliveryError as exc:
                deferred.append(f"{address}: {exc.message}")
                continue
            except notify_errors.PermanentDeliveryError as exc:
                ctx.record(LogEntry("email", kind.value, LogStatus.FAILED, address, exc.message))
                continue
            ctx.record(LogEntry("email", kind.value, LogStatus.SENT, address))
        if deferred:
            error = "; ".join(deferred)
            raise RetryableDeliveryError(
                error, [LogEntry("email", kind.value, LogStatus.FAILED, "", error)]
            )
        return []


class WhatsAppConsumer:
    """Each message kind goes as the business's approved template for it (see
    ``connectors.notify.whatsapp_templates``), with Confirmar / Cancelar / Reprogramar
    buttons while the booking is ahead; free text (with the same buttons) only while the
    client's 24-hour window is open, i.e. they wrote to the business in the last 24 hours
    (https://developers.facebook.com/docs/whatsapp/conversation-types#customer-service-window).

    The message id WhatsApp answers is logged; its later statuses update that line
    (``connectors.notify.web``). A template still pending or rejected, or a refusal, falls
    back to email when this event's email was not sent anyway (a reminder by WhatsApp)."""

    name = "whatsapp"
    WINDOW = timedelta(hours=24)

    def __init__(
        self, builder: MessageBuilder, settings: Settings, email: EmailConsumer | None = None
    ) -> None:
        self._builder = builder
        self._settings = settings
        self._email = email

    def handles(self, event: OutboxEvent) -> bool:
        channel = _reminder_channel(event)
        return message_kind(event) is not None and channel in (None, "whatsapp")

    def _window_open(self, business_id: str, customer_id: str, now: datetime) -> bool:
        with self._builder.unit_of_work() as uow:
            last = inbound.last_received(uow.session, business_id, customer_id)
        if last is None:
            return False
        last = last if last.tzinfo is not None else last.replace(tzinfo=UTC)
        return now - last < self.WINDOW

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        business = self._builder.business(event.business_id)
        if business is None or not whatsapp_configured(business):
            return []
        prepared = self._builder.prepare(event, ctx.now)
        if prepared is None:
            return []
        kind, context = prepared.kind, prepared.context
        if kind.value in messages_off(prepared.business):
            return []  # the business sends this kind by email only
        organizer = context.organizer
        to_organizer = (
            organizer is not None and organizer.phone and kind is not MessageKind.THANK_YOU
        )
        if not to_organizer and (not context.customer_phone or kind is MessageKind.UPDATED):
            return []
        config = prepared.business.settings["whatsapp"]
        token = secrets.reveal(config.get("token"), self._settings.encryption_key)
        client = WhatsAppClient(
            self._settings.whatsapp_graph_url, str(config["phone_number_id"]), token
        )
        try:
            if organizer is not None and organizer.phone and to_organizer:
                self._to_organizer(client, ctx, prepared, whatsapp_number(organizer.phone))
            # The seed's edit: "WhatsApp al organizador"; the client hears of it by email.
            if context.customer_phone and kind is not MessageKind.UPDATED:
                self._to_client(client, event, ctx, prepared)
        finally:
            client.close()
        return []

    def _to_organizer(
        self, client: WhatsAppClient, ctx: DeliveryContext, prepared: Prepared, phone: str
    ) -> None:
        """The organizer's message: the business's approved template of the kind, with the
        organizer's details and no reply buttons (those answer for the client)."""
        kind, context = prepared.kind, prepared.context
        if context.customer_phone and whatsapp_number(context.customer_phone) == phone:
            return  # they booked for themselves: the client's message reaches them
        if ctx.attempt > 1 and phone in ctx.sent_before("whatsapp"):
            return
        config = prepared.business.settings["whatsapp"]
        template = wa_templates.choice(kind, context.language, config)
        if template.status and template.status != wa_templates.APPROVED:
            reason = f"template {template.name} ({template.language}) is {template.status}"
            ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SKIPPED, phone, reason))
            return
        try:
            sent = client.send_template(
                phone,
                template.name,
                template.language,
                body_parameters=(
                    wa_templates.own_parameters(template.params, context)
                    if template.params  # the business's own text: its placeholders
                    else wa_templates.organizer_parameters(kind, context)
                ),
            )
        except notify_errors.WhatsAppRefusedError as exc:
            ctx.record(LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message))
            return
        except notify_errors.RetryableDeliveryError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            raise RetryableDeliveryError(exc.message, [entry]) from exc
        ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SENT, phone, "", sent.message_id))

    def _to_client(
        self, client: WhatsAppClient, event: OutboxEvent, ctx: DeliveryContext, prepared: Prepared
    ) -> None:
        kind, context = prepared.kind, prepared.context
        assert context.customer_phone is not None
        phone = whatsapp_number(context.customer_phone)
        if ctx.attempt > 1 and phone in ctx.sent_before("whatsapp"):
            return
        config = prepared.business.settings["whatsapp"]
        try:
            if self._window_open(prepared.business.id, prepared.customer_id, ctx.now):
                sent = self._free_text(client, phone, prepared)
            else:
                template = wa_templates.choice(kind, context.language, config)
                if template.status and template.status != wa_templates.APPROVED:
                    reason = f"template {template.name} ({template.language}) is {template.status}"
                    entry = LogEntry("whatsapp", kind.value, LogStatus.SKIPPED, phone, reason)
                    ctx.record(entry)
                    self.fall_back(event, ctx)
                    return
                sent = client.send_template(
                    phone,
                    template.name,
                    template.language,
                    body_parameters=(
                        wa_templates.own_parameters(template.params, context)
                        if template.params
                        else wa_templates.parameters(kind, context)
                    ),
                    button_payloads=wa_templates.button_payloads(kind, context),
                )
        except notify_errors.WhatsAppRefusedError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            ctx.record(entry)
            self.fall_back(event, ctx)
            raise PermanentDeliveryError(exc.message) from exc
        except notify_errors.RetryableDeliveryError as exc:
            entry = LogEntry("whatsapp", kind.value, LogStatus.FAILED, phone, exc.message)
            raise RetryableDeliveryError(exc.message, [entry]) from exc
        ctx.record(LogEntry("whatsapp", kind.value, LogStatus.SENT, phone, "", sent.message_id))

    def _free_text(self, client: WhatsAppClient, phone: str, prepared: Prepared) -> SentMessage:
        kind, context = prepared.kind, prepared.context
        text = render(
            kind, MessageChannel.WHATSAPP, context.language, context, _overrides(prepared.business)
        ).text.strip()
        payloads = wa_templates.button_payloads(kind, context)
        titles = wa_templates.buttons(kind, context.language)
        if payloads and len(text) <= 1024:  # an interactive body holds 1,024 characters
            return client.send_buttons(phone, text, list(zip(payloads, titles, strict=True)))
        return client.send_text(phone, text)

    def fall_back(self, event: OutboxEvent, ctx: DeliveryContext) -> None:
        """Email the client instead, unless this event's email goes out anyway."""
        if self._email is None or self._email.handles(event):
            return
        as_email = replace(event, payload={**event.payload, "channel": "email"})
        with contextlib.suppress(RetryableDeliveryError, PermanentDeliveryError):
            self._email.deliver(as_email, ctx)


def register_notification_consumers(
    registry: ConsumerRegistry,
    uow: Callable[[], SqlUnitOfWork],
    settings: Settings,
    mailer: Mailer,
) -> None:
    """Register the ``email`` and ``whatsapp`` consumers."""
    builder = MessageBuilder(uow, settings)
    email = EmailConsumer(builder, mailer, settings)
    whatsapp = WhatsAppConsumer(builder, settings, email)
    registry.register_consumer(email.name, email.handles, email.deliver, prefetch=builder.prefetch)
    registry.register_consumer(
        whatsapp.name, whatsapp.handles, whatsapp.deliver, prefetch=builder.prefetch
    )
