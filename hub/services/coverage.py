"""Where an at-address visit is, and whether the business goes there.

A visit is located by coordinates (typed, picked on a map or found by the geocoder) or by
one of the business's zones. The branch's coverage (radius from its base, its zones) decides;
outside it, the branch either refuses (``OutsideCoverageError``) or books and flags the
booking for review. Locating an address through a geocoder happens before the transaction
(``hub.services.bound``), never inside it. Zone setup is in ``zones``; whether a client in a
zone is visited at all (asked before any time is shown) is ``reaches``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.booking import ChangedBy
from hub.domain.errors import OutsideCoverageError, ValidationError
from hub.domain.geo import Coverage, CoverageMode, GeoPoint, Zone
from hub.domain.model import Branch, Service
from hub.services.calendars import get_branch, get_service
from hub.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Visit:
    """Where a booking's visit is: what the booking stores."""

    location: GeoPoint | None = None
    zone_id: str | None = None
    needs_review: bool = False


def coverage_branch(uow: UnitOfWork, business_id: str, branch: Branch | None) -> Branch | None:
    """The branch whose coverage applies: the one booked at, else the business's only
    active branch (a car wash with one base), else none."""
    if branch is not None:
        return branch
    active = [b for b in uow.branches.list(business_id) if b.active]
    return active[0] if len(active) == 1 else None


def coverage_for(uow: UnitOfWork, business_id: str, branch: Branch | None) -> Coverage:
    """The coverage rule of ``branch`` (see ``coverage_branch``): its radius around its base
    and the active zones of the business that are its own or every branch's."""
    branch = coverage_branch(uow, business_id, branch)
    zones = tuple(
        z
        for z in uow.zones.list(business_id)
        if z.active and (z.branch_id is None or (branch is not None and z.branch_id == branch.id))
    )
    if branch is None:
        return Coverage(zones=zones)
    radius = branch.coverage_km if branch.base is not None else None
    return Coverage(base=branch.base, radius_km=radius, zones=zones, mode=branch.coverage_mode)


def active_zone(uow: UnitOfWork, business_id: str, zone_id: str) -> Zone:
    zone = uow.zones.get(business_id, zone_id)
    if zone is None or not zone.active:
        raise ValidationError("no such zone", field="zone_id")
    return zone


def locate_visit(
    uow: UnitOfWork,
    business_id: str,
    service: Service,
    branch: Branch | None,
    *,
    location: GeoPoint | None,
    zone_id: str | None,
    by: ChangedBy,
    force: bool = False,
    elsewhere: bool = False,
) -> Visit:
    """The visit of a new (or moved) booking of ``service``. Clients must say where when
    the coverage is limited; outside it, refused unless the branch flags such bookings
    (or staff ``force`` it, which flags it too). ``elsewhere``: the client says the address
    is in none of the zones offered and gives no coordinates. Given both a point (a pin on
    the map) and a zone, the point decides coverage and travel; the zone is kept if it
    contains the point, else the zone the point falls in (if any) is stored."""
    if not service.at_client_address:
        return Visit()
    zone = active_zone(uow, business_id, zone_id) if zone_id is not None else None
    coverage = coverage_for(uow, business_id, branch)
    point = location if location is not None else (zone.middle if zone is not None else None)
    if point is None and elsewhere and coverage.limited:
        if coverage.radius_km is not None and coverage.base is not None:
            return Visit(needs_review=True)  # maybe within the radius: the business checks
        if coverage.mode is CoverageMode.REFUSE:
            raise OutsideCoverageError("we do not reach that area")
        return Visit(needs_review=True)
    if point is None:
        if coverage.limited and by.is_client:
            raise ValidationError(
                "say where the visit is: pick your zone or give coordinates", field="location"
            )
        return Visit()
    verdict = coverage.check(point)
    picked_covered = location is None and any(z.id == zone_id for z in coverage.zones)
    inside = verdict.inside or picked_covered
    if location is None:
        found = verdict.zone.id if verdict.zone is not None else zone_id
    elif zone is not None and zone.contains(location):
        found = zone.id  # the client's pick, kept even where it overlaps a nearer barrio
    else:  # the exact point wins over a zone it is not in
        found = verdict.zone.id if verdict.zone is not None else None
    if inside:
        return Visit(point, found)
    if coverage.mode is CoverageMode.REFUSE and not (force and not by.is_client):
        raise OutsideCoverageError(
            "we do not reach that area", latitude=point.lat, longitude=point.lng
        )
    return Visit(point, found, needs_review=True)


def reaches(
    uow: UnitOfWork,
    business_id: str,
    service_id: str,
    branch_id: str | None,
    *,
    zone_id: str | None,
    elsewhere: bool = False,
    by: ChangedBy,
) -> bool:
    """Whether a booking of the service at the zone (or, ``elsewhere``, in none of the zones
    listed) would be taken: the same rule as booking (``locate_visit``), asked before the
    client picks a time. False only when the branch refuses it; flagged visits are taken."""
    with uow:
        service = get_service(uow, business_id, service_id)
        branch = get_branch(uow, business_id, branch_id)
        try:
            locate_visit(
                uow,
                business_id,
                service,
                branch,
                location=None,
                zone_id=zone_id,
                by=by,
                elsewhere=elsewhere,
            )
        except OutsideCoverageError:
            return False
    return True
