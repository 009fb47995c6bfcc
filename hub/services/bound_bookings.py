"""Bound commands that find time and book or move a booking in it: availability, create,
reschedule, reassign, edit, and the day's route. They ask the availability engine with the
root's busy sources and travel times, and locate a typed address with its geocoders.

Part of the one door, ``hub.services.bound.Services``. Not here: series (``bound_series``),
status changes (``bound_status``), the rules (the use-case modules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub.availability.types import Slot
from hub.domain.booking import Booking, ChangedBy
from hub.domain.errors import DomainError
from hub.domain.geo import GeoPoint
from hub.services import availability, booking_create, booking_moves
from hub.services.availability import AvailabilityQuery
from hub.services.booking_create import NewBooking
from hub.services.bound_base import Bindings
from hub.services.calendars import get_booking, get_business, get_service
from hub.services.customers import InviteeDetails
from hub.services.day_route import DayRoute, day_route
from hub.services.ports import GeocodingError, UnitOfWork


class BookingCommands(Bindings):
    def find_availability(
        self, query: AvailabilityQuery, *, by: ChangedBy, uow: UnitOfWork | None = None
    ) -> list[Slot]:
        return availability.find_availability(
            self._uow(uow),
            query,
            by=by,
            now=self.clock(),
            busy_sources=self.busy_sources,
            travel_times=self.travel_times,
        )

    def create_booking(
        self, request: NewBooking, *, by: ChangedBy, uow: UnitOfWork | None = None
    ) -> Booking:
        request = self._located(request)
        if uow is None:
            self._ask_the_roads_first(request, by)
        return booking_create.create_booking(
            self._uow(uow),
            request,
            by=by,
            now=self.clock(),
            busy_sources=self.busy_sources,
            travel_times=self.travel_times,
        )

    def _ask_the_roads_first(self, request: NewBooking, by: ChangedBy) -> None:
        """With a routing engine, look up the day's driving times for this visit before the
        booking's transaction (which holds the writers' turn): the check inside it then reads
        them from the engine's cache, and no other booking waits on the engine."""
        if request.location is None and request.zone_id is None:
            return
        self._warm_roads(
            AvailabilityQuery(
                request.business_id,
                request.service_id,
                request.start.date(),  # the local day is set in _warm_roads
                request.start.date(),
                resource_id=request.resource_id,
                group_id=request.group_id,
                branch_id=request.branch_id,
                persons=request.persons,
                location=request.location,
                zone_id=request.zone_id,
            ),
            request.start,
            by,
        )

    def _warm_roads(self, query: AvailabilityQuery, start: datetime, by: ChangedBy) -> None:
        if self.travel_times.kind == "straight_line":
            return
        try:
            with self.new_uow() as uow:
                business = get_business(uow, query.business_id)
            day = start.astimezone(ZoneInfo(business.timezone)).date()
            self.find_availability(replace(query, date_from=day, date_to=day), by=by)
        except DomainError:
            return  # the booking itself says what is wrong

    def _located(self, request: NewBooking) -> NewBooking:
        """``request`` with its typed address located, when a geocoder is set up and the
        service goes to the client's address. Outside any transaction: the provider may take
        a while. Not found or provider down: unlocated (the client then picks a zone)."""
        if (
            not self.geocoders
            or request.location is not None
            or request.zone_id is not None
            or request.elsewhere
            or not (request.address or "").strip()
        ):
            return request
        with self.new_uow() as uow:
            business = get_business(uow, request.business_id)
            service = get_service(uow, business.id, request.service_id)
        if not service.at_client_address:
            return request
        address = (request.address or "").strip()[:300]
        for geocoder in self.geocoders:
            try:
                found = geocoder.locate(
                    address, region=business.country, language=business.language
                )
            except GeocodingError:
                continue
            if found is not None:
                return replace(request, location=found)
        return request

    def reschedule_booking(
        self,
        business_id: str,
        booking_id: str,
        start: datetime,
        *,
        by: ChangedBy,
        force: bool = False,
        resource_id: str | None = None,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        if uow is None and self.travel_times.kind != "straight_line":
            with self.new_uow() as reading:
                booking = get_booking(reading, business_id, booking_id)
            if booking.location is not None:
                query = AvailabilityQuery(
                    business_id,
                    booking.service_id,
                    start.date(),
                    start.date(),
                    resource_id=resource_id or (None if booking.group_id else booking.resource_id),
                    group_id=None if resource_id else booking.group_id,
                    persons=booking.persons,
                    location=booking.location,
                )
                self._warm_roads(query, start, by)
        return booking_moves.reschedule_booking(
            self._uow(uow),
            business_id,
            booking_id,
            start,
            by=by,
            now=self.clock(),
            force=force,
            resource_id=resource_id,
            expected_version=expected_version,
            busy_sources=self.busy_sources,
            travel_times=self.travel_times,
        )

    def day_route(
        self,
        business_id: str,
        day: date,
        *,
        branch_id: str | None = None,
        resource_ids: Sequence[str] | None = None,
        window_minutes: int = 0,
        uow: UnitOfWork | None = None,
    ) -> DayRoute:
        return day_route(
            self._uow(uow),
            business_id,
            day,
            branch_id=branch_id,
            resource_ids=resource_ids,
            window_minutes=window_minutes,
            travel_times=self.travel_times,
        )

    def reassign_booking(
        self,
        business_id: str,
        booking_id: str,
        resource_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_moves.reassign_booking(
            self._uow(uow),
            business_id,
            booking_id,
            resource_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
            busy_sources=self.busy_sources,
        )

    def edit_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        title: str | None = None,
        notes: str | None = None,
        invitees: Sequence[str | InviteeDetails] | None = None,
        address: str | None = None,
        location: GeoPoint | None = None,
        zone_id: str | None = None,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_moves.edit_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            title=title,
            notes=notes,
            invitees=invitees,
            address=address,
            location=location,
            zone_id=zone_id,
            expected_version=expected_version,
        )
