"""Use case: create a booking (from a page, the console, the API, a calendar, a series).

The time must be one the engine offers to this actor. An operator may ``force`` a time
outside the offered slots (closed hours, off the grid, in the notice window) but never an
overlap. Client policies (notice, horizon) bind clients only. Changes to existing bookings
are in ``booking_moves`` and ``booking_status``; which resource of several takes the booking
is ``resource_choice``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hub.domain.booking import (
    Actor,
    Booking,
    BookingStatus,
    ChangedBy,
    Invitee,
    Transition,
)
from hub.domain.contacts import Contact
from hub.domain.errors import (
    ValidationError,
)
from hub.domain.geo import GeoPoint
from hub.domain.model import Business, Customer, Resource, Service, require_aware
from hub.services.calendars import (
    build_calendars,
    candidate_resources,
    get_branch,
    get_business,
    get_service,
    seats_for,
    slot_request,
)
from hub.services.coverage import Visit, locate_visit
from hub.services.customers import (
    CustomerDetails,
    InviteeDetails,
    clean_details,
    clean_invitees,
    contact_of,
    match_customer,
)
from hub.services.events import record_booking_event
from hub.services.plans import count_booking
from hub.services.ports import BusySource, TravelTimes, UnitOfWork
from hub.services.resource_choice import choose_resource
from hub.services.travel_times import STRAIGHT_LINE, travel_for


@dataclass(frozen=True, slots=True)
class NewBooking:
    """What is booked. Give ``customer`` (found or created by phone/email) or
    ``customer_id``; ``resource_id`` or ``group_id`` to narrow who does it (else any resource
    of the service, least busy first)."""

    business_id: str
    service_id: str
    start: datetime
    customer: CustomerDetails | None = None
    customer_id: str | None = None
    resource_id: str | None = None
    group_id: str | None = None
    branch_id: str | None = None
    persons: int = 1
    title: str = ""  # what the meeting is called (its calendar events' SUMMARY)
    notes: str = ""
    invitees: tuple[str | InviteeDetails, ...] = ()  # an address, or an address and a name
    address: str | None = None
    # At-address services: where the client is (a point, else the middle of a zone of the
    # business); checked against the coverage, kept on the booking, and only a time a worker
    # can drive to is accepted.
    location: GeoPoint | None = None
    zone_id: str | None = None
    elsewhere: bool = False  # the client's address is in none of the zones offered
    external_ref: str | None = None
    force: bool = False  # operators only: outside the offered slots, never an overlap
    video_meeting: bool | None = None  # None: as the service says
    # The staff member the booking is made for (an integration booking on a user's behalf);
    # None: whoever makes it, when that is a staff member. The caller checks it is one.
    organizer_id: str | None = None
    series_id: str | None = field(default=None, repr=False)


def create_booking(
    uow: UnitOfWork,
    request: NewBooking,
    *,
    by: ChangedBy,
    now: datetime,
    busy_sources: Sequence[BusySource] = (),
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> Booking:
    """Book ``request`` in one transaction; returns the booking (pending or confirmed).

    Raises ``ValidationError`` (bad input), ``NotFoundError`` (unknown business, service,
    resource, customer), ``PolicyViolationError`` (client notice/horizon),
    ``SlotNotOfferedError`` (not an offered time), ``SlotTakenError`` (no longer free),
    ``OutsideCoverageError`` (an at-address visit where the business does not go)."""
    with uow:
        booking = place_booking(
            uow, request, by=by, now=now, busy_sources=busy_sources, travel_times=travel_times
        )
        uow.commit()
    return booking


def place_booking(
    uow: UnitOfWork,
    request: NewBooking,
    *,
    by: ChangedBy,
    now: datetime,
    busy_sources: Sequence[BusySource] = (),
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> Booking:
    """``create_booking`` inside a unit of work the caller holds open (and commits)."""
    require_aware(now, "now")
    require_aware(request.start, "start")
    business = get_business(uow, request.business_id)
    service = get_service(uow, business.id, request.service_id)
    if request.start < now:
        raise ValidationError("the start time is in the past", field="start")
    if not 1 <= request.persons <= service.max_persons:
        raise ValidationError(
            f"persons must be between 1 and {service.max_persons}", field="persons"
        )
    if request.force and by.is_client:
        raise ValidationError("only staff can book outside the offered times", field="force")
    branch = get_branch(uow, business.id, request.branch_id)
    resources = candidate_resources(
        uow,
        service,
        resource_id=request.resource_id,
        group_id=request.group_id,
        branch_id=request.branch_id,
    )
    invitees = clean_invitees(request.invitees)
    customer, contact = _customer(uow, business, request, by)
    address = (request.address or customer.address or "").strip() or None
    if service.at_client_address and address is None:
        raise ValidationError("this service needs the client's address", field="address")
    visit = locate_visit(
        uow,
        business.id,
        service,
        branch,
        location=request.location,
        zone_id=request.zone_id,
        by=by,
        force=request.force,
        elsewhere=request.elsewhere,
    )
    if by.is_client:
        business.policy.check_window(request.start, now)
    end = request.start + timedelta(minutes=service.duration_minutes)
    count_booking(uow, business, now)  # suspended or past the month's quota: refused
    uow.lock_resources([r.id for r in resources])
    day = request.start.astimezone(ZoneInfo(business.timezone)).date()
    calendars = build_calendars(
        uow, business, resources, request.start, end, busy_sources=busy_sources, branch=branch
    )
    engine_request = slot_request(
        business,
        service,
        date_from=day,
        date_to=day,
        now=now,
        public=by.is_client,
        persons=request.persons,
        branch=branch,
        travel=travel_for(
            visit.location,
            calendars,
            model=business.travel,
            times=travel_times,
            return_to_base=business.policy.travel_return_to_base,
        ),
    )
    resource = choose_resource(
        uow,
        resources,
        calendars,
        request=engine_request,
        start=request.start,
        end=end,
        force=request.force,
    )
    booking = _new_booking(
        business,
        service,
        resource,
        customer,
        request=replace(request, invitees=invitees),
        contact=contact,
        address=address,
        visit=visit,
        by=by,
        now=now,
    )
    uow.bookings.add(booking)
    record_booking_event(
        uow,
        booking,
        "booking.created",
        by=by,
        now=now,
        data={"deposit_minor": booking.deposit_minor}
        | ({"needs_review": True} if booking.needs_review else {}),
    )
    return booking


def _customer(
    uow: UnitOfWork, business: Business, request: NewBooking, by: ChangedBy
) -> tuple[Customer, Contact | None]:
    """The customer record the booking is linked to, and the contact it keeps: the details
    as typed. A client gets nothing from the record a phone or email matched (that stays
    the business's); staff booking for a customer they found by phone may leave the rest to
    the record."""
    if request.customer_id is not None:
        customer = uow.customers.get(business.id, request.customer_id)
        if customer is None:
            raise ValidationError("no such customer", field="customer_id")
        return customer, None
    if request.customer is None:
        raise ValidationError("who is the booking for?", field="customer")
    clean = clean_details(request.customer, business)
    customer = match_customer(uow, business, clean)
    contact = contact_of(clean)
    if not by.is_client:
        contact = Contact(
            contact.name, contact.phone or customer.phone, contact.email or customer.email
        )
    return customer, contact


def _organizer(request: NewBooking, by: ChangedBy) -> str | None:
    """Who organises the booking: the staff member named for it, else the staff member who
    makes it (console, calendar apps); a client or an anonymous integration organises none."""
    if request.organizer_id is not None and not by.is_client:
        return request.organizer_id
    return by.user_id if by.actor is Actor.OPERATOR else None


def _new_booking(
    business: Business,
    service: Service,
    resource: Resource,
    customer: Customer,
    *,
    request: NewBooking,
    contact: Contact | None,
    address: str | None,
    visit: Visit,
    by: ChangedBy,
    now: datetime,
) -> Booking:
    policy = business.policy
    end = request.start + timedelta(minutes=service.duration_minutes)
    price = service.price_for(request.persons, resource)
    deposit = service.deposit_rule(business).amount(price)
    # Staff booking on the business's behalf confirm it themselves; a client waits for the
    # business (requires confirmation) or for the deposit to be paid.
    pending = by.is_client and (policy.requires_confirmation or deposit > 0)
    status = BookingStatus.PENDING if pending else BookingStatus.CONFIRMED
    booking = Booking(
        business_id=business.id,
        service_id=service.id,
        resource_id=resource.id,
        customer_id=customer.id,
        start=request.start,
        end=end,
        status=status,
        created_at=now,
        updated_at=now,
        branch_id=request.branch_id,
        group_id=request.group_id,
        persons=request.persons,
        price_minor=price,
        deposit_minor=deposit,
        currency=business.currency,
        address=address,
        location=visit.location,
        zone_id=visit.zone_id,
        needs_review=visit.needs_review,
        title=request.title,
        notes=request.notes,
        invitees=tuple(
            Invitee(i.email, i.name) for i in request.invitees if isinstance(i, InviteeDetails)
        ),
        contact=contact,
        external_ref=request.external_ref,
        video_meeting=(
            service.video_meeting if request.video_meeting is None else request.video_meeting
        ),
        series_id=request.series_id,
        organizer_id=_organizer(request, by),
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        at_client_address=service.at_client_address,
        exclusive=resource.capacity == 1,
        hold_until=now + timedelta(minutes=policy.hold_minutes) if pending else None,
        confirmed_at=None if pending else now,
    )
    booking.history.append(Transition(None, status, now, by.actor, by.channel, "", by.user_id))
    return booking


__all__ = ["NewBooking", "choose_resource", "create_booking", "place_booking", "seats_for"]
