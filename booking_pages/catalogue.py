"""What the public pages read, through the use cases: a business with its branches and
services, the resources a service may be booked with, where an at-address visit is (the zone
the client picked, and whether the business goes there), free days of a month and free times of
a day, the nearest free times to one that was taken, and the month grid drawn from them.

Pure shaping of what the services return; no HTTP here (``public`` and ``manage`` are the
routes), and no rule: which times are free is the availability engine's answer.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from hub.availability.types import Slot
from hub.domain.booking import OCCUPYING, Actor, ChangedBy, Channel
from hub.domain.errors import ValidationError
from hub.domain.geo import GeoPoint, Zone
from hub.domain.model import FIRST_DAY, LAST_DAY, Branch, Business, Resource, Service
from hub.services import setup
from hub.services.availability import AvailabilityQuery, list_bookings
from hub.services.bound import Services
from hub.services.coverage import reaches
from hub.services.ports import UnitOfWork
from hub.services.zones import list_zones

CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)
SLOT_CODE = "%Y%m%dT%H%MZ"
OTHER_ZONE = "other"  # the client's address is in none of the zones listed


def slot_code(moment: datetime) -> str:
    """A slot's start in URLs and forms: compact UTC, no ``+`` to be mangled by a query."""
    return moment.astimezone(UTC).strftime(SLOT_CODE)


# Dates a page reads from a link or a form: outside FIRST_DAY..LAST_DAY (9999-12-31, whose
# next day does not exist) they are no date at all, and the page shows its default.


def _in_range(day: date | None) -> date | None:
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def parse_slot_code(code: str) -> datetime | None:
    try:
        moment = datetime.strptime(code.strip(), SLOT_CODE).replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if _in_range(moment.date()) else None


def parse_day(text: str | None) -> date | None:
    try:
        return _in_range(date.fromisoformat(text)) if text else None
    except ValueError:
        return None


def parse_month(text: str | None) -> date | None:
    try:
        return _in_range(date.fromisoformat(f"{text}-01")) if text else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Storefront:
    business: Business
    branches: list[Branch]
    services: list[Service]

    def service(self, service_id: str | None) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def branch(self, branch_id: str | None) -> Branch | None:
        """The branch the client picked; the only one when there is one; else None."""
        if len(self.branches) == 1:
            return self.branches[0]
        return next((b for b in self.branches if b.id == branch_id), None)

    @property
    def branch_choice(self) -> bool:
        """Whether the client picks a branch (the business has several)."""
        return len(self.branches) > 1


def storefront(uow: UnitOfWork, slug: str) -> Storefront:
    business = setup.find_business(uow, slug=slug)
    return Storefront(
        business,
        setup.list_branches(uow, business.id, active_only=True),
        setup.list_services(uow, business.id, active_only=True),
    )


@dataclass(frozen=True, slots=True)
class Where:
    """Where an at-address visit would be, as the client said on the page."""

    zones: list[Zone]  # the business's active zones to pick from (none: not asked)
    choice: str | None = None  # a listed zone's id, ``OTHER_ZONE``, or not said yet
    outside: bool = False  # the branch refuses visits there

    @property
    def zone_id(self) -> str | None:
        return self.choice if self.choice not in (None, OTHER_ZONE) else None

    @property
    def zone_name(self) -> str | None:
        return next((z.name for z in self.zones if z.id == self.choice), None)

    @property
    def unknown(self) -> bool:
        """Zones to pick from and none picked: no times can be shown yet."""
        return bool(self.zones) and self.choice is None


def where(
    uow: UnitOfWork,
    service: Service,
    branch: Branch | None,
    wanted: str | None,
    *,
    check: bool = True,
) -> Where:
    """The zone ``wanted`` of an at-address ``service`` (ignored when it is none of the
    business's active zones), and (``check``) whether ``branch`` goes there."""
    if not service.at_client_address:
        return Where([])
    zones = list_zones(uow, service.business_id, active_only=True)
    if not zones:
        return Where([])
    if wanted != OTHER_ZONE and all(z.id != wanted for z in zones):
        return Where(zones)
    if not check:
        return Where(zones, wanted)
    reached = reaches(
        uow,
        service.business_id,
        service.id,
        branch.id if branch is not None else None,
        zone_id=wanted if wanted != OTHER_ZONE else None,
        elsewhere=wanted == OTHER_ZONE,
        by=CLIENT,
    )
    return Where(zones, wanted, outside=not reached)


def service_resources(
    uow: UnitOfWork, service: Service, branch_id: str | None = None
) -> list[Resource]:
    """The active resources that do the service, in the service's order (at the branch, when
    one is given: those that work there or at no branch in particular)."""
    resources = {
        r.id: r
        for r in setup.list_resources(uow, service.business_id)
        if r.active and (branch_id is None or not r.branch_ids or branch_id in r.branch_ids)
    }
    ids = list(service.resource_ids)
    for group in setup.list_groups(uow, service.business_id):
        if group.id in service.group_ids:
            ids.extend(group.resource_ids)
    return [resources[i] for i in dict.fromkeys(ids) if i in resources]


def today_in(business: Business, now: datetime) -> date:
    return now.astimezone(ZoneInfo(business.timezone)).date()


def free_slots(
    core: Services,
    business: Business,
    service: Service,
    first: date,
    last: date,
    *,
    resource_id: str | None = None,
    branch_id: str | None = None,
    persons: int = 1,
    by: ChangedBy = CLIENT,
    uow: UnitOfWork | None = None,
    location: GeoPoint | None = None,
    zone_id: str | None = None,
) -> list[Slot]:
    """Free times from ``first`` (not before today) to ``last``, as the core offers them:
    its clock, and every busy source it was built with. ``location`` (or the zone picked,
    ``zone_id``): where an at-address visit is (only times a worker can drive to)."""
    first = max(first, today_in(business, core.now()))
    if last < first:
        return []
    query = AvailabilityQuery(
        business.id,
        service.id,
        first,
        last,
        resource_id=resource_id,
        branch_id=branch_id,
        persons=persons,
        location=location,
        zone_id=zone_id,
    )
    try:
        return core.find_availability(query, by=by, uow=uow)
    except ValidationError as exc:
        if exc.field == "service_id":  # nobody at this branch does the service: no times
            return []
        raise


def taken_starts(
    uow: UnitOfWork,
    business: Business,
    service: Service,
    day: date,
    *,
    free: list[Slot],
    now: datetime,
    resource_id: str | None = None,
    branch_id: str | None = None,
) -> list[datetime]:
    """Times of ``day`` still to come at which a booking of the service's resources starts
    and nothing is free: shown to clients as "ocupado" (taken, never by whom)."""
    if resource_id is not None:
        ids = [resource_id]
    elif service.resource_ids or service.group_ids:
        ids = [r.id for r in service_resources(uow, service, branch_id)]
    else:
        ids = [
            r.id
            for r in setup.list_resources(uow, business.id)
            if r.active and (branch_id is None or not r.branch_ids or branch_id in r.branch_ids)
        ]
    if not ids:
        return []
    tz = ZoneInfo(business.timezone)
    start = datetime.combine(day, time(0), tz)
    found = list_bookings(
        uow,
        business.id,
        start,
        start + timedelta(days=1),
        resource_ids=ids,
        statuses=sorted(OCCUPYING, key=lambda s: s.value),
    )
    offered = {slot.start for slot in free}
    return sorted(
        {
            b.start
            for b in found
            if b.start > now and b.start.astimezone(tz).date() == day and b.start not in offered
        }
    )


def nearest_slots(
    core: Services,
    business: Business,
    service: Service,
    wanted: datetime,
    *,
    resource_id: str | None = None,
    branch_id: str | None = None,
    persons: int = 1,
    count: int = 6,
    uow: UnitOfWork | None = None,
    zone_id: str | None = None,
) -> list[Slot]:
    """The free times closest to ``wanted`` (a few days either side), in time order
    (at-address: reachable at the zone picked, ``zone_id``)."""
    day = wanted.astimezone(ZoneInfo(business.timezone)).date()
    slots = free_slots(
        core,
        business,
        service,
        day - timedelta(days=2),
        day + timedelta(days=7),
        resource_id=resource_id,
        branch_id=branch_id,
        persons=persons,
        uow=uow,
        zone_id=zone_id,
    )
    closest = sorted(slots, key=lambda s: abs((s.start - wanted).total_seconds()))[:count]
    return sorted(closest, key=lambda s: s.start)


def days_with_slots(slots: list[Slot], tz: str) -> set[date]:
    zone = ZoneInfo(tz)
    return {s.start.astimezone(zone).date() for s in slots}


def slots_on(slots: list[Slot], day: date, tz: str) -> list[Slot]:
    zone = ZoneInfo(tz)
    return [s for s in slots if s.start.astimezone(zone).date() == day]


@dataclass(frozen=True, slots=True)
class DayCell:
    day: date
    free: bool
    selected: bool
    today: bool


def month_grid(
    month: date, free_days: set[date], *, today: date, selected: date | None
) -> list[list[DayCell | None]]:
    """Weeks (Monday first) of the month; ``None`` pads the first and last week."""
    weeks: list[list[DayCell | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                DayCell(d, d in free_days, d == selected, d == today)
                if d.month == month.month
                else None
                for d in week
            ]
        )
    return weeks


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def whatsapp_link(number: str | None, text: str = "") -> str | None:
    """A wa.me chat link with the business (``None`` when it has no WhatsApp number)."""
    digits = "".join(c for c in number or "" if c.isdigit())
    if not digits:
        return None
    return f"https://wa.me/{digits}" + (f"?{urlencode({'text': text})}" if text else "")
