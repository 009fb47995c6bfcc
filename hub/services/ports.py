"""Ports the use cases need from the outside: repositories, the unit of work, busy sources.

Only Protocols live here. The SQL adapters are in ``hub.persistence``; Google/CalDAV busy
sources in ``connectors``. Repositories return ``None`` for a missing row (the use cases
turn that into ``NotFoundError``) and never commit: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from hub.availability.types import Busy
from hub.domain.booking import Booking, BookingStatus
from hub.domain.feeds import FeedLink
from hub.domain.geo import GeoPoint, TravelModel, Zone
from hub.domain.model import (
    AuditEntry,
    Block,
    Branch,
    Business,
    Customer,
    OutboxEvent,
    Resource,
    ResourceGroup,
    Service,
    ServiceRecord,
)
from hub.domain.plans import BusinessPlan, BusinessUsage

AfterCommit = Callable[[Sequence[str]], None]
"""Called after a successful commit with the ids of the OutboxEvents it committed."""


class BusinessRepository(Protocol):
    def add(self, business: Business) -> None: ...
    def get(self, business_id: str) -> Business | None: ...
    def get_by_slug(self, slug: str) -> Business | None: ...
    def list(self) -> list[Business]: ...
    def update(self, business: Business) -> None: ...


class BranchRepository(Protocol):
    def add(self, branch: Branch) -> None: ...
    def get(self, business_id: str, branch_id: str) -> Branch | None: ...
    def list(self, business_id: str) -> list[Branch]: ...
    def update(self, branch: Branch) -> None: ...
    def delete(self, business_id: str, branch_id: str) -> bool: ...


class ResourceRepository(Protocol):
    def add(self, resource: Resource) -> None: ...
    def get(self, business_id: str, resource_id: str) -> Resource | None: ...
    def get_many(self, business_id: str, resource_ids: Sequence[str]) -> list[Resource]:
        """The resources found among ``resource_ids``, in the order asked."""
        ...

    def list(self, business_id: str) -> list[Resource]: ...
    def update(self, resource: Resource) -> None: ...
    def delete(self, business_id: str, resource_id: str) -> bool: ...


class GroupRepository(Protocol):
    def add(self, group: ResourceGroup) -> None: ...
    def get(self, business_id: str, group_id: str) -> ResourceGroup | None: ...
    def list(self, business_id: str) -> list[ResourceGroup]: ...
    def update(self, group: ResourceGroup) -> None: ...
    def delete(self, business_id: str, group_id: str) -> bool: ...


class ServiceRepository(Protocol):
    def add(self, service: Service) -> None: ...
    def get(self, business_id: str, service_id: str) -> Service | None: ...
    def list(self, business_id: str) -> list[Service]: ...
    def update(self, service: Service) -> None: ...
    def delete(self, business_id: str, service_id: str) -> bool: ...


class ZoneRepository(Protocol):
    def add(self, zone: Zone) -> None: ...
    def get(self, business_id: str, zone_id: str) -> Zone | None: ...
    def list(self, business_id: str) -> list[Zone]:
        """Every zone of the business (archived too), by name."""
        ...

    def update(self, zone: Zone) -> None: ...


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, business_id: str, customer_id: str) -> Customer | None: ...
    def find_by_phone(self, business_id: str, phone: str) -> Customer | None: ...
    def find_by_email(self, business_id: str, email: str) -> Customer | None: ...
    def list(self, business_id: str, limit: int = 100, offset: int = 0) -> list[Customer]: ...
    def update(self, customer: Customer) -> None: ...
    def delete(self, business_id: str, customer_id: str) -> bool: ...


class BookingRepository(Protocol):
    def add(self, booking: Booking) -> None: ...
    def get(self, business_id: str, booking_id: str) -> Booking | None: ...
    def find(self, booking_id: str) -> Booking | None:
        """Any business's booking: only for links that carry their own credential (an
        invitee's token), which the caller checks."""
        ...

    def get_by_token(self, token: str) -> Booking | None: ...
    def update(self, booking: Booking) -> None:
        """Write the booking back; raises ``StaleVersionError`` if someone else changed it
        since it was read."""
        ...

    def occupying(
        self, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[Booking]:
        """Bookings in a time-occupying state whose occupied time (with buffers) overlaps
        ``[start, end)`` on any of ``resource_ids``."""
        ...

    def occupied_times(
        self, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[tuple[str, str, Busy]]:
        """``occupying`` as (booking id, resource id, busy interval) only: what an
        availability check needs, read without loading whole bookings. A located visit at
        the client's address carries its ``GeoPoint`` as ``Busy.place``."""
        ...

    def list_range(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] | None = None,
        statuses: Sequence[BookingStatus] | None = None,
    ) -> list[Booking]:
        """Bookings of the business whose [start, end) overlaps the range, by start."""
        ...

    def due_holds(self, now: datetime, limit: int = 500) -> list[Booking]:
        """Pending bookings whose hold ran out (``hold_until <= now``), all businesses."""
        ...

    def for_customer(self, business_id: str, customer_id: str, limit: int = 100) -> list[Booking]:
        """The latest ``limit`` bookings of one customer of the business, latest first."""
        ...

    def customer_activity(
        self, business_id: str, now: datetime, resource_ids: Sequence[str] | None = None
    ) -> dict[str, tuple[int, datetime | None]]:
        """Per customer of the business with bookings (on ``resource_ids`` when given): how
        many, and the start of the latest one that took place by ``now`` (not cancelled,
        expired or missed)."""
        ...

    def confirmed_started(self, since: datetime, now: datetime, limit: int = 500) -> list[Booking]:
        """Confirmed bookings (never checked in) that started in ``[since, now]``, all
        businesses, oldest first."""
        ...

    def by_series(self, business_id: str, series_id: str) -> list[Booking]: ...


class BlockRepository(Protocol):
    def add(self, block: Block) -> None: ...
    def get(self, business_id: str, block_id: str) -> Block | None: ...
    def delete(self, business_id: str, block_id: str) -> bool: ...
    def delete_series(self, business_id: str, series_id: str) -> int: ...
    def delete_imported(self, business_id: str, resource_id: str, uids: Sequence[str]) -> int:
        """Remove the resource's blocks imported from a calendar file with these UIDs."""
        ...

    def overlapping(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] = (),
        branch_ids: Sequence[str] = (),
    ) -> list[Block]:
        """Blocks overlapping ``[start, end)`` on any of the resources or branches given;
        with neither given, every block of the business in the range."""
        ...


class ServiceRecordRepository(Protocol):
    def add(self, record: ServiceRecord) -> None: ...
    def for_booking(self, business_id: str, booking_id: str) -> ServiceRecord | None: ...
    def performed_between(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] | None = None,
        limit: int = 5000,
    ) -> list[ServiceRecord]:
        """Records performed in [start, end), oldest first, optionally of these resources."""
        ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> None: ...
    def for_entity(self, business_id: str, entity: str, entity_id: str) -> list[AuditEntry]: ...


class OutboxRepository(Protocol):
    def add(self, event: OutboxEvent) -> None: ...
    def get(self, event_id: str) -> OutboxEvent | None: ...
    def undispatched(self, limit: int = 100) -> list[OutboxEvent]:
        """Events not yet dispatched, oldest first (for the periodic re-dispatch sweep)."""
        ...

    def mark_dispatched(self, event_ids: Sequence[str], at: datetime) -> None: ...
    def for_aggregate(self, aggregate_id: str) -> list[OutboxEvent]: ...


class FeedTokenRepository(Protocol):
    def get(self, token: str) -> FeedLink | None: ...
    def for_resource(self, business_id: str, resource_id: str) -> FeedLink | None: ...
    def add(self, link: FeedLink) -> None: ...
    def delete_for_resource(self, business_id: str, resource_id: str) -> bool: ...


class PlanRepository(Protocol):
    """Businesses' plans (suspension, monthly quota) and the usage the platform sees."""

    def get(self, business_id: str, *, lock: bool = False) -> BusinessPlan | None:
        """The plan, if one was ever set; ``lock`` holds it until the transaction ends
        (writers counting against the quota take their turn)."""
        ...

    def save(self, plan: BusinessPlan) -> None: ...
    def bookings_created(self, business_id: str, start: datetime, end: datetime) -> int:
        """Bookings of the business made in ``[start, end)`` that count against a quota
        (every state but expired: a hold that ran out never was a booking)."""
        ...

    def usage(self, start: datetime, end: datetime) -> list[BusinessUsage]:
        """Every business's usage, bookings counted as ``bookings_created`` over the range."""
        ...


class UnitOfWork(Protocol):
    """One transaction. ``with uow:`` opens it; ``commit()`` makes it durable; leaving the
    block without committing rolls it back. Re-enterable: each ``with`` is a new transaction.
    Not shared between threads."""

    # Read-only members, so that an adapter's concrete repository types satisfy them.
    @property
    def businesses(self) -> BusinessRepository: ...
    @property
    def branches(self) -> BranchRepository: ...
    @property
    def resources(self) -> ResourceRepository: ...
    @property
    def groups(self) -> GroupRepository: ...
    @property
    def services(self) -> ServiceRepository: ...
    @property
    def zones(self) -> ZoneRepository: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def bookings(self) -> BookingRepository: ...
    @property
    def blocks(self) -> BlockRepository: ...
    @property
    def service_records(self) -> ServiceRecordRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def feed_tokens(self) -> FeedTokenRepository: ...
    @property
    def plans(self) -> PlanRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def lock_resources(self, resource_ids: Sequence[str]) -> None:
        """Serialise writers on these resources until the transaction ends, so that a check
        made afterwards (free time, seats left) still holds at commit."""
        ...


class BusySource(Protocol):
    """Busy time kept outside the hub (a staff member's Google or CalDAV calendar)."""

    def busy(
        self, business_id: str, resource_ids: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Sequence[Busy]]: ...


class GeocodingError(Exception):
    """The geocoding provider could not answer (down, over quota, key refused)."""


class Geocoder(Protocol):
    """Finds where an address is (Nominatim, Google Geocoding). Called once per submitted
    booking, never per keystroke; adapters cache and respect the provider's rate limits."""

    def locate(self, address: str, *, region: str | None, language: str) -> GeoPoint | None:
        """The address's coordinates, or None when the provider finds nothing. Raises
        ``GeocodingError`` when it cannot answer."""
        ...


Leg = tuple[GeoPoint, GeoPoint]
"""A trip: from the first place to the second."""


class TravelTimes(Protocol):
    """Driving minutes between places for at-address visits: the business's straight-line
    model (``hub.services.travel_times.StraightLine``, the embedded default) or a routing
    engine (``connectors.routing``). A use case asks once per computation for every leg it
    may need (a day's route, an availability search), never pair by pair."""

    @property
    def kind(self) -> str:
        """What answers: ``straight_line``, ``osrm``, ``openrouteservice`` (shown in Setup)."""
        ...

    def minutes(self, legs: Collection[Leg], *, model: TravelModel) -> Mapping[Leg, int | None]:
        """Whole minutes for each leg, the business's fixed overhead (``model``) included;
        0 from a place to itself; None when there is no road between them. A routing engine
        that cannot answer in time answers with ``model``'s estimate instead of failing."""
        ...
