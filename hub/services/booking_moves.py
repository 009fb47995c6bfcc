"""Use cases that move or edit a booking: reschedule (another time), reassign (another
resource), edit (title, notes, invitees, address). Each is one transaction that writes the booking,
an AuditEntry and an OutboxEvent.

Clients may reschedule within the business's window and count, to a time the engine offers;
staff may pick any offered time, or ``force`` any time that does not overlap. State changes
are in ``booking_status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.availability.engine import fits
from hub.domain.booking import Booking, ChangedBy
from hub.domain.errors import IllegalTransitionError, SlotTakenError, ValidationError
from hub.domain.geo import GeoPoint
from hub.domain.model import require_aware
from hub.services.booking_status import change_booking, staff_only
from hub.services.calendars import (
    build_calendars,
    candidate_resources,
    get_booking,
    get_business,
    get_service,
    seats_for,
    slot_request,
)
from hub.services.coverage import locate_visit
from hub.services.customers import InviteeDetails, clean_invitees, merge_invitees
from hub.services.events import record_booking_event
from hub.services.ports import BusySource, TravelTimes, UnitOfWork
from hub.services.resource_choice import choose_resource
from hub.services.travel_times import STRAIGHT_LINE, travel_for


def edit_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    title: str | None = None,
    notes: str | None = None,
    invitees: Sequence[str | InviteeDetails] | None = None,
    address: str | None = None,
    location: GeoPoint | None = None,
    zone_id: str | None = None,
    expected_version: int | None = None,
) -> Booking:
    """Change title, notes, invitees or address of a booking that still occupies time. Invitees
    already invited keep their link and answer; those left out lose their link. A new
    ``location`` or ``zone_id`` of an at-address visit is checked against the coverage
    like a new booking's (``OutsideCoverageError``, or flagged for review)."""
    wanted = None if invitees is None else clean_invitees(invitees)
    moved = location is not None or zone_id is not None

    def apply(booking: Booking) -> dict[str, Any]:
        if not booking.occupies_time:
            raise IllegalTransitionError(
                f"a {booking.status.value} booking cannot be edited",
                current=booking.status.value,
                requested="edit",
            )
        before = {i.email: i for i in booking.invitees}
        was = {"title": booking.title, "notes": booking.notes, "address": booking.address}
        merged = None if wanted is None else merge_invitees(booking.invitees, wanted)
        place = None
        if moved:
            service = get_service(uow, business_id, booking.service_id)
            branch = uow.branches.get(business_id, booking.branch_id or "")
            visit = locate_visit(
                uow, business_id, service, branch, location=location, zone_id=zone_id, by=by
            )
            place = (visit.location, visit.zone_id, visit.needs_review)
        booking.edit(now, title=title, notes=notes, invitees=merged, address=address, place=place)
        after = {i.email for i in booking.invitees}
        # What really changed: messages go out for these, not for a form sent back as it was.
        edits = (
            ("title", None if title is None else booking.title),  # as stored (trimmed)
            ("notes", notes),
            ("address", address),
        )
        changed = [name for name, value in edits if value is not None and value != was[name]]
        if merged is not None and (after != set(before) or merged != tuple(before.values())):
            changed.insert(sum(c in ("title", "notes") for c in changed), "invitees")
        if place is not None:
            changed.append("location")
        data: dict[str, Any] = {"changed": changed}
        if merged is not None:
            # Who to invite and whom to send a CANCEL (RFC 5546 §3.2.2, §3.2.5).
            data["invitees_added"] = [i.email for i in merged if i.email not in before]
            data["invitees_removed"] = [
                {"email": i.email, "name": i.name} for i in before.values() if i.email not in after
            ]
        return data

    return change_booking(
        uow,
        business_id,
        booking_id,
        apply,
        event_type="booking.updated",
        expected_version=expected_version,
        by=by,
        now=now,
    )


def reschedule_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    start: datetime,
    *,
    by: ChangedBy,
    now: datetime,
    force: bool = False,
    resource_id: str | None = None,
    expected_version: int | None = None,
    busy_sources: Sequence[BusySource] = (),
    travel_times: TravelTimes = STRAIGHT_LINE,
) -> Booking:
    """Move a booking to ``start`` (same duration). Clients: within the reschedule window and
    count, to a time the engine offers. Staff: any offered time, or with ``force`` any time
    that does not overlap. A booking made for a group may move to another free member;
    staff may name the ``resource_id`` to move it to (one that does the service)."""
    require_aware(start, "start")
    require_aware(now, "now")
    if force and by.is_client:
        raise ValidationError("only staff can book outside the offered times", field="force")
    if resource_id is not None:
        staff_only(by, "move")
    if start < now:
        raise ValidationError("the start time is in the past", field="start")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        booking.check_version(expected_version)
        if not booking.occupies_time:
            raise IllegalTransitionError(
                f"a {booking.status.value} booking cannot be rescheduled",
                current=booking.status.value,
                requested="reschedule",
            )
        business = get_business(uow, business_id)
        if by.is_client:
            business.policy.check_client_reschedule(booking.start, now, booking.reschedule_count)
            business.policy.check_window(start, now)
        service = get_service(uow, business_id, booking.service_id)
        if by.is_client and booking.location is not None:
            # The coverage may have shrunk since the booking was made.
            locate_visit(
                uow,
                business_id,
                service,
                uow.branches.get(business_id, booking.branch_id or ""),
                location=booking.location,
                zone_id=None,
                by=by,
            )
        if resource_id is not None and resource_id != booking.resource_id:
            resources = candidate_resources(uow, service, resource_id=resource_id)
        elif booking.group_id is not None:
            resources = candidate_resources(uow, service, group_id=booking.group_id)
            resources.sort(key=lambda r: r.id != booking.resource_id)
        else:
            resources = candidate_resources(uow, service, resource_id=booking.resource_id)
        end = start + booking.duration
        uow.lock_resources([r.id for r in resources])
        day = start.astimezone(ZoneInfo(business.timezone)).date()
        calendars = build_calendars(
            uow,
            business,
            resources,
            start,
            end,
            busy_sources=busy_sources,
            exclude_booking_id=booking.id,
        )
        request = replace(
            slot_request(
                business,
                service,
                date_from=day,
                date_to=day,
                now=now,
                public=by.is_client,
                persons=booking.persons,
                travel=travel_for(
                    booking.location,
                    calendars,
                    model=business.travel,
                    times=travel_times,
                    return_to_base=business.policy.travel_return_to_base,
                ),
            ),
            duration=booking.duration,
            buffer_before=booking.buffer_before,
            buffer_after=booking.buffer_after,
        )
        resource = choose_resource(
            uow,
            resources,
            calendars,
            request=request,
            start=start,
            end=end,
            force=force,
            prefer=resources[0].id if resource_id is not None else booking.resource_id,
        )
        previous_resource = booking.resource_id
        previous_start, previous_end = booking.reschedule(start, end, now, by)
        if resource.id != previous_resource:
            booking.resource_id = resource.id
            booking.exclusive = resource.capacity == 1
        uow.bookings.update(booking)
        record_booking_event(
            uow,
            booking,
            "booking.rescheduled",
            by=by,
            now=now,
            data={
                "previous_start": previous_start.isoformat(),
                "previous_end": previous_end.isoformat(),
                "previous_resource_id": previous_resource,
            },
        )
        uow.commit()
    return booking


def reassign_booking(
    uow: UnitOfWork,
    business_id: str,
    booking_id: str,
    resource_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    expected_version: int | None = None,
    busy_sources: Sequence[BusySource] = (),
) -> Booking:
    """Give the booking (same time) to another resource that does the service and is free
    then (opening hours are the staff's call; overlaps never are)."""
    staff_only(by, "reassign")
    require_aware(now, "now")
    with uow:
        booking = get_booking(uow, business_id, booking_id)
        booking.check_version(expected_version)
        business = get_business(uow, business_id)
        service = get_service(uow, business_id, booking.service_id)
        (resource,) = candidate_resources(uow, service, resource_id=resource_id)
        if resource.id == booking.resource_id:
            return booking
        uow.lock_resources([resource.id])
        (calendar,) = build_calendars(
            uow, business, [resource], booking.start, booking.end, busy_sources=busy_sources
        )
        if not fits(
            calendar,
            booking.start,
            booking.end,
            seats=seats_for(resource, booking.persons),
            buffer_before=booking.buffer_before,
            buffer_after=booking.buffer_after,
            travel_gap=timedelta(minutes=business.policy.travel_gap_minutes),
            at_client_address=booking.at_client_address,
        ):
            raise SlotTakenError("that resource is busy then", resource_id=resource.id)
        previous = booking.resource_id
        booking.reassign(resource.id, now)
        booking.exclusive = resource.capacity == 1
        uow.bookings.update(booking)
        record_booking_event(
            uow,
            booking,
            "booking.updated",
            by=by,
            now=now,
            data={"changed": ["resource_id"], "previous_resource_id": previous},
        )
        uow.commit()
    return booking
