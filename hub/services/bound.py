"""The use cases with their dependencies bound once: ``Services(uow, clock, busy_sources)``.

The composition root (``hub.bootstrap.build_hub``) builds one and every entry point calls
commands on it (``hub.core.create_booking(request, by=CLIENT)``). An entry point names what
the caller asked for and who asked; the clock, the unit of work and which busy time counts
are the root's, so no entry point can book past a busy source it forgot or at a time of its
own (cosmicpython's ``bootstrap`` injecting dependencies into handlers is the model).

A caller that holds a unit of work open (to read the answer in the same transaction) may
hand it in as ``uow=``; the use case joins it. Not here: the rules (the use-case modules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from hub.availability.types import Slot
from hub.domain.accounts import User
from hub.domain.booking import Booking, ChangedBy, Channel, Invitee, InviteeResponse
from hub.domain.email_domains import EmailDomain
from hub.domain.errors import DomainError
from hub.domain.geo import GeoPoint
from hub.services import (
    availability,
    booking_create,
    booking_moves,
    booking_status,
    email_domains,
    invitations,
    replies,
    series,
)
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.availability import AvailabilityQuery
from hub.services.booking_create import NewBooking
from hub.services.calendars import get_booking, get_business, get_service
from hub.services.customers import InviteeDetails
from hub.services.day_route import DayRoute, day_route
from hub.services.email_domains import DomainVerification
from hub.services.history import ClientHistory, contact_history
from hub.services.history_codes import (
    ClientContact,
    CodeMessage,
    CodeSender,
    HistoryThrottles,
    HistoryUnitOfWork,
    check_code,
    request_code,
)
from hub.services.ports import BusySource, Geocoder, GeocodingError, TravelTimes, UnitOfWork
from hub.services.recurrence import Repeat
from hub.services.series import Scope, SeriesResult
from hub.services.travel_times import STRAIGHT_LINE


@dataclass(frozen=True)
class Services:
    """The booking use cases that depend on time and busy time, bound to one unit-of-work
    factory, one clock and the one list of busy sources the root registered."""

    new_uow: Callable[[], UnitOfWork]
    clock: Callable[[], datetime]
    busy_sources: Sequence[BusySource]
    # Locating typed addresses of at-address visits (none: the business's zones do it).
    geocoders: Sequence[Geocoder] = field(default=())
    # Driving times between clients' addresses (default: each business's straight-line model).
    travel_times: TravelTimes = STRAIGHT_LINE
    # Client history by a one-time code: its throttles, and who delivers the codes (the
    # root registers the notify connector's sender).
    history_throttles: HistoryThrottles | None = None
    code_senders: Sequence[CodeSender] = field(default=())
    # The same unit of work typed for the account use cases (users, claimed email domains).
    new_accounts_uow: Callable[[], AccountsUnitOfWork] | None = None

    def now(self) -> datetime:
        return self.clock()

    def _uow(self, uow: UnitOfWork | None) -> UnitOfWork:
        return uow if uow is not None else self.new_uow()

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

    def create_series(
        self,
        first: NewBooking,
        repeat: Repeat,
        *,
        by: ChangedBy,
        all_or_nothing: bool = True,
        dry_run: bool = False,
        uow: UnitOfWork | None = None,
    ) -> SeriesResult:
        return series.create_series(
            self._uow(uow),
            first,
            repeat,
            by=by,
            now=self.clock(),
            all_or_nothing=all_or_nothing,
            busy_sources=self.busy_sources,
            dry_run=dry_run,
            travel_times=self.travel_times,
        )

    def preview_series(self, first: NewBooking, repeat: Repeat, *, by: ChangedBy) -> SeriesResult:
        """Which dates of the series are free and why the others are not; nothing booked."""
        return self.create_series(first, repeat, by=by, all_or_nothing=False, dry_run=True)

    def series_bookings(self, business_id: str, series_id: str) -> list[Booking]:
        return series.series_bookings(self.new_uow(), business_id, series_id)

    def cancel_series(
        self,
        business_id: str,
        series_id: str,
        *,
        booking_id: str | None,
        scope: Scope,
        by: ChangedBy,
        reason: str = "",
    ) -> list[Booking]:
        return series.cancel_series(
            self.new_uow(),
            business_id,
            series_id,
            booking_id=booking_id,
            scope=scope,
            by=by,
            now=self.clock(),
            reason=reason,
        )

    def shift_series(
        self,
        business_id: str,
        series_id: str,
        *,
        booking_id: str | None,
        scope: Scope,
        shift: timedelta,
        by: ChangedBy,
        force: bool = False,
    ) -> list[Booking]:
        return series.shift_series(
            self.new_uow(),
            business_id,
            series_id,
            booking_id=booking_id,
            scope=scope,
            shift=shift,
            by=by,
            now=self.clock(),
            force=force,
            busy_sources=self.busy_sources,
            travel_times=self.travel_times,
        )

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

    def cancel_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        reason: str = "",
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_status.cancel_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            reason=reason,
            expected_version=expected_version,
        )

    def check_in_booking(
        self,
        business_id: str,
        booking_id: str,
        *,
        by: ChangedBy,
        expected_version: int | None = None,
        uow: UnitOfWork | None = None,
    ) -> Booking:
        return booking_status.check_in_booking(
            self._uow(uow),
            business_id,
            booking_id,
            by=by,
            now=self.clock(),
            expected_version=expected_version,
        )

    def mark_due_no_shows(self, *, limit: int = 200, uow: UnitOfWork | None = None) -> list[str]:
        return booking_status.mark_due_no_shows(self._uow(uow), now=self.clock(), limit=limit)

    def record_attendee_responses(
        self,
        business_id: str,
        booking_id: str,
        responses: Mapping[str, InviteeResponse],
        *,
        by: ChangedBy,
        uow: UnitOfWork | None = None,
    ) -> list[Invitee]:
        return invitations.record_attendee_responses(
            self._uow(uow), business_id, booking_id, responses, by=by, now=self.clock()
        )

    def record_client_confirmation(
        self, business_id: str, booking_id: str, *, by: ChangedBy, uow: UnitOfWork | None = None
    ) -> Booking:
        return replies.record_client_confirmation(
            self._uow(uow), business_id, booking_id, by=by, now=self.clock()
        )

    def _history(self, uow: UnitOfWork | None) -> tuple[HistoryUnitOfWork, HistoryThrottles]:
        if self.history_throttles is None:
            raise RuntimeError("the hub has no throttles for one-time codes")
        return cast(HistoryUnitOfWork, self._uow(uow)), self.history_throttles

    def request_history_code(
        self,
        business_id: str,
        contact: str,
        *,
        source: str,
        language: str,
        uow: UnitOfWork | None = None,
    ) -> CodeMessage | None:
        history_uow, throttles = self._history(uow)
        return request_code(
            history_uow,
            throttles,
            business_id,
            contact,
            source=source,
            language=language,
            now=self.clock(),
        )

    def send_history_code(self, message: CodeMessage) -> bool:
        """Hand the code to the first sender that delivers it."""
        return any(sender.send_code(message) for sender in self.code_senders)

    def check_history_code(
        self,
        business_id: str,
        contact: str,
        code: str,
        *,
        source: str,
        uow: UnitOfWork | None = None,
    ) -> ClientContact:
        history_uow, throttles = self._history(uow)
        return check_code(
            history_uow, throttles, business_id, contact, code, source=source, now=self.clock()
        )

    def contact_history(
        self, business_id: str, contact: ClientContact, *, uow: UnitOfWork | None = None
    ) -> ClientHistory:
        history_uow, _ = self._history(uow)
        return contact_history(history_uow, business_id, contact, now=self.clock())

    # -- email domains and "Login with Google" (``hub.services.email_domains``) ----------

    def _accounts(self) -> AccountsUnitOfWork:
        if self.new_accounts_uow is None:
            raise RuntimeError("no accounts unit of work was bound")
        return self.new_accounts_uow()

    def claim_email_domain(
        self, business_id: str, domain: str, address: str, *, by: str | None, channel: Channel
    ) -> DomainVerification:
        return email_domains.claim_domain(
            self._accounts(), business_id, domain, address, by=by, now=self.clock(), channel=channel
        )

    def resend_domain_verification(
        self, business_id: str, domain: str, *, by: str | None, channel: Channel
    ) -> DomainVerification:
        return email_domains.resend_verification(
            self._accounts(), business_id, domain, by=by, now=self.clock(), channel=channel
        )

    def verify_email_domain(self, token: str) -> EmailDomain:
        return email_domains.verify_domain(self._accounts(), token, self.clock())

    def unclaim_email_domain(
        self, business_id: str, domain: str, *, by: str | None, channel: Channel
    ) -> EmailDomain:
        return email_domains.unclaim_domain(
            self._accounts(), business_id, domain, by=by, now=self.clock(), channel=channel
        )

    def email_domains(self, business_id: str) -> Sequence[EmailDomain]:
        return email_domains.list_domains(self._accounts(), business_id)

    def verified_email_domains(self) -> Mapping[str, list[str]]:
        return email_domains.verified_domains(self._accounts())

    def sign_in_with_google(self, email: str, *, email_verified: bool) -> User | None:
        return email_domains.sign_in_with_google(
            self._accounts(), email, email_verified=email_verified, now=self.clock()
        )
