"""``MessageBuilder``: loads what a message needs about one booking and formats it once,
for every channel that sends it.

Not here: which message an event means (``kinds``), rendering per recipient and sending
(``email_consumer``, ``whatsapp_consumer``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar, cast

from connectors.notify.batch_read_model import bookings_and_customers
from connectors.notify.context import MessageContext, MessageKind, Organizer, build_context
from connectors.notify.kinds import (
    SUPERSEDED_WHEN_GONE,
    as_of_event,
    booking_id_of,
    changed_fields,
    instant,
    invitation_link,
    message_kind,
    removed_invitees,
    strings,
)
from connectors.notify.receipt import build_receipt
from hub.config import Settings
from hub.domain.accounts import User
from hub.domain.booking import Booking, BookingStatus
from hub.domain.model import Branch, Business, Customer, OutboxEvent, Resource, Service
from hub.persistence.uow import SqlUnitOfWork

T = TypeVar("T")


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
        booking_ids = {booking_id_of(e) for e in todo}
        with self._uow() as uow:
            bookings, customers = bookings_and_customers(uow, booking_ids)
        found: dict[str, Prepared | None] = {}
        for event in todo:
            current = bookings.get(booking_id_of(event))
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
            current = uow.bookings.get(event.business_id, booking_id_of(event))
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
            previous_start=instant(event.payload.get("previous_start")),
            organizer_email=str(organizer),
            branch=branch if isinstance(branch, Branch) else None,
            organizer=staff,
            changed=changed_fields(event),
            added=strings(event.payload.get("invitees_added")),
            removed=removed_invitees(event.payload.get("invitees_removed")),
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
