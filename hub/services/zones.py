"""Use cases of the map setup: a business's zones, its travel settings, a branch's coverage.

Zones are archived, not deleted (bookings keep naming them). Where a visit is and whether it
is covered is ``coverage``; a worker's base is part of the resource
(``resource_setup.save_resource``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hub.domain.booking import ChangedBy
from hub.domain.errors import NotFoundError, ValidationError
from hub.domain.geo import CoverageMode, TravelModel, Zone
from hub.domain.model import Branch
from hub.domain.policies import BookingPolicy
from hub.services.calendars import get_business
from hub.services.ports import UnitOfWork
from hub.services.setup_audit import audit_setup

MAX_ZONES = 500


def list_zones(uow: UnitOfWork, business_id: str, *, active_only: bool = False) -> list[Zone]:
    with uow:
        zones = uow.zones.list(business_id)
    return [z for z in zones if z.active or not active_only]


def get_zone(uow: UnitOfWork, business_id: str, zone_id: str) -> Zone:
    with uow:
        zone = uow.zones.get(business_id, zone_id)
    if zone is None:
        raise NotFoundError("no such zone", entity="zone", id=zone_id)
    return zone


def save_zone(uow: UnitOfWork, zone: Zone, *, by: ChangedBy, now: datetime) -> Zone:
    """Create the zone, or replace it if it exists (same id, same business)."""
    with uow:
        get_business(uow, zone.business_id)
        if (
            zone.branch_id is not None
            and uow.branches.get(zone.business_id, zone.branch_id) is None
        ):
            raise ValidationError("no such branch", field="branch_id")
        existing = uow.zones.list(zone.business_id)
        if any(z.id == zone.id for z in existing):
            uow.zones.update(zone)
            action = "updated"
        else:
            if len(existing) >= MAX_ZONES:
                raise ValidationError(f"a business has at most {MAX_ZONES} zones", field="name")
            uow.zones.add(zone)
            action = "created"
        audit_setup(uow, zone.business_id, "zone", zone.id, action, by=by, now=now)
        uow.commit()
    return zone


def archive_zone(
    uow: UnitOfWork, business_id: str, zone_id: str, *, by: ChangedBy, now: datetime
) -> Zone:
    """No longer offered nor covered; bookings made in it keep naming it."""
    with uow:
        zone = uow.zones.get(business_id, zone_id)
        if zone is None:
            raise NotFoundError("no such zone", entity="zone", id=zone_id)
        zone = replace(zone, active=False)
        uow.zones.update(zone)
        audit_setup(uow, business_id, "zone", zone_id, "archived", by=by, now=now)
        uow.commit()
    return zone


def set_travel(
    uow: UnitOfWork,
    business_id: str,
    travel: TravelModel,
    *,
    travel_gap_minutes: int | None = None,
    return_to_base: bool | None = None,
    by: ChangedBy,
    now: datetime,
) -> TravelModel:
    """The business's travel estimate and (optionally) its fixed gap between visits and
    whether workers must be back at their base by the end of their day."""
    if travel_gap_minutes is not None and not 0 <= travel_gap_minutes <= 480:
        raise ValidationError("the travel gap is 0 to 480 minutes", field="travel_gap_minutes")
    with uow:
        business = get_business(uow, business_id)
        business.travel = travel
        if travel_gap_minutes is not None:
            policy: BookingPolicy = replace(business.policy, travel_gap_minutes=travel_gap_minutes)
            business.policy = policy
        if return_to_base is not None:
            business.policy = replace(business.policy, travel_return_to_base=return_to_base)
        uow.businesses.update(business)
        data = {
            "detour": travel.detour,
            "speed_kmh": travel.speed_kmh,
            "overhead_minutes": travel.overhead_minutes,
            "travel_gap_minutes": business.policy.travel_gap_minutes,
            "return_to_base": business.policy.travel_return_to_base,
        }
        audit_setup(uow, business_id, "business", business_id, "travel", by=by, now=now, data=data)
        uow.commit()
    return travel


def set_coverage(
    uow: UnitOfWork,
    business_id: str,
    branch_id: str,
    *,
    coverage_km: float | None,
    mode: CoverageMode,
    by: ChangedBy,
    now: datetime,
) -> Branch:
    """The branch's coverage radius around its base (None: zones only) and what happens to
    an address outside it."""
    with uow:
        branch = uow.branches.get(business_id, branch_id)
        if branch is None:
            raise NotFoundError("no such branch", entity="branch", id=branch_id)
        changed = replace(branch, coverage_km=coverage_km, coverage_mode=mode)
        uow.branches.update(changed)
        data = {"coverage_km": coverage_km, "coverage_mode": mode.value}
        audit_setup(uow, business_id, "branch", branch_id, "coverage", by=by, now=now, data=data)
        uow.commit()
    return changed
