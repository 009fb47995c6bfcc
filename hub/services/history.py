"""Use case: a client's own bookings at one business, reached from the manage link of any of
them (``client_history``) or by a one-time code sent to a phone or email they booked with
(``contact_history``, after ``hub.services.history_codes.check_code``) — upcoming and
past, to see them and book the same service again.

What the link proves is the booking it names; its client record (the customer the booking
was linked to by phone or email) is whose history this is. Each entry says only what was
booked, when, and how it ended: no name, contact, note, price or link of any booking, so a
record two people happened to share tells neither anything about the other. By a code, the
proof is the contact itself: only bookings made with it are listed, each upcoming one with
its own manage link (the link went to that contact when it was booked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import NotFoundError
from hub.domain.model import Business, Service
from hub.services.history_codes import ClientContact, HistoryUnitOfWork, contact_bookings
from hub.services.ports import UnitOfWork

HISTORY_LIMIT = 100


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    service_id: str
    service_name: str
    start: datetime
    end: datetime
    status: BookingStatus
    bookable: bool  # the service is still offered: "book again" applies
    this_one: bool  # the booking whose link was used
    branch_id: str | None = None
    branch_name: str = ""
    token: str = ""  # its manage link's: given by a code's history only, for upcoming ones


@dataclass(frozen=True, slots=True)
class ClientHistory:
    business: Business
    upcoming: tuple[HistoryEntry, ...]  # soonest first
    past: tuple[HistoryEntry, ...]  # latest first


def client_history(
    uow: UnitOfWork, token: str, *, now: datetime, limit: int = HISTORY_LIMIT
) -> ClientHistory:
    """The history behind a manage link's ``token``; ``NotFoundError`` for an unknown one."""
    with uow:
        booking = uow.bookings.get_by_token(token)
        if booking is None:
            raise NotFoundError("no such booking", entity="booking")
        business = uow.businesses.get(booking.business_id)
        if business is None:
            raise NotFoundError("no such booking", entity="booking")
        found = uow.bookings.for_customer(business.id, booking.customer_id, limit)
        services = {s.id: s for s in uow.services.list(business.id)}
    entries = [
        HistoryEntry(
            service_id=b.service_id,
            service_name=services[b.service_id].name if b.service_id in services else "",
            start=b.start,
            end=b.end,
            status=b.status,
            bookable=b.service_id in services and services[b.service_id].active,
            this_one=b.id == booking.id,
        )
        for b in found
        if b.business_id == business.id and b.customer_id == booking.customer_id
    ]
    upcoming = sorted(
        (e for e in entries if e.end > now and e.status.occupies_time), key=lambda e: e.start
    )
    past = sorted(
        (e for e in entries if not (e.end > now and e.status.occupies_time)),
        key=lambda e: e.start,
        reverse=True,
    )
    return ClientHistory(business, tuple(upcoming), tuple(past))


def contact_history(
    uow: HistoryUnitOfWork,
    business_id: str,
    contact: ClientContact,
    *,
    now: datetime,
    limit: int = HISTORY_LIMIT,
) -> ClientHistory:
    """The bookings at ``business_id`` made with ``contact`` (proven by a one-time code);
    ``NotFoundError`` for an unknown business."""
    found = contact_bookings(uow, business_id, contact, limit)
    with uow:
        business = uow.businesses.get(business_id)
        if business is None:
            raise NotFoundError("no such business", entity="business")
        services = {s.id: s for s in uow.services.list(business.id)}
        branches = {b.id: b.name for b in uow.branches.list(business.id)}
    # A booking that names no branch was at the business's only one, if it has one.
    only = next(iter(branches.values())) if len(branches) == 1 else ""
    entries = [_entry(b, services, branches, only, now) for b in found]
    upcoming = sorted((e for e in entries if e.token), key=lambda e: e.start)
    past = sorted((e for e in entries if not e.token), key=lambda e: e.start, reverse=True)
    return ClientHistory(business, tuple(upcoming), tuple(past))


def _entry(
    b: Booking, services: dict[str, Service], branches: dict[str, str], only: str, now: datetime
) -> HistoryEntry:
    service = services.get(b.service_id)
    ahead = b.end > now and b.status.occupies_time
    return HistoryEntry(
        service_id=b.service_id,
        service_name=service.name if service is not None else "",
        start=b.start,
        end=b.end,
        status=b.status,
        bookable=service is not None and service.active,
        this_one=False,
        branch_id=b.branch_id,
        branch_name=branches.get(b.branch_id, only) if b.branch_id else only,
        token=b.token if ahead else "",
    )
