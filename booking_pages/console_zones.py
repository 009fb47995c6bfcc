"""Console page Setup ▸ Zonas (admins): the zones the business serves (a centre and radius,
or a polygon pasted as "lat,lng" lines), each branch's coverage (radius from its base, and
refuse or accept-and-flag outside it), the travel estimate (detour, speed, overhead, fixed
gap between visits) and where each worker starts the day.

Each form calls one use case (``hub.services.zones``, ``hub.services.setup``); refused input
is shown on the page with a 422 and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages.console_auth import Staff, staff_only
from booking_pages.console_branches import parse_coordinate
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, NotFoundError, ValidationError
from hub.domain.geo import CoverageMode, GeoPoint, TravelModel, Zone
from hub.services import resource_setup, setup, zones

MAX_POLYGON_TEXT = 20_000


def parse_number(text: str, field: str) -> float | None:
    """A number as typed ("1,4" or "1.4"); empty: none."""
    return parse_coordinate(text, field)


def parse_polygon(text: str) -> tuple[GeoPoint, ...]:
    """Points pasted one per line as "lat,lng" (or "lat lng" / "lat;lng")."""
    if len(text) > MAX_POLYGON_TEXT:
        raise ValidationError("the polygon is too long", field="polygon")
    points = []
    for number, raw in enumerate(text.strip().splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parts = line.replace(";", " ").replace(",", " ").split()
        if len(parts) != 2:
            raise ValidationError(f"line {number}: write it as lat,lng", field="polygon")
        try:
            points.append(GeoPoint(float(parts[0]), float(parts[1])))
        except ValueError as exc:
            raise ValidationError(f"line {number}: write it as lat,lng", field="polygon") from exc
    return tuple(points)


def zone_fields(form: dict[str, str]) -> dict[str, Any]:
    """The zone as the form describes it: a polygon if one was pasted, else centre + radius."""
    polygon = parse_polygon(form.get("polygon", ""))
    lat = parse_coordinate(form.get("lat", ""), "lat")
    lng = parse_coordinate(form.get("lng", ""), "lng")
    radius = parse_number(form.get("radius_km", ""), "radius_km")
    centre = None if polygon or lat is None or lng is None else GeoPoint(lat, lng)
    return {
        "name": form.get("name", "")[:200],
        "branch_id": form.get("branch_id") or None,
        "centre": centre,
        "radius_km": None if polygon else radius,
        "polygon": polygon,
    }


def travel_fields(form: dict[str, str]) -> tuple[TravelModel, int]:
    detour = parse_number(form.get("detour", ""), "travel_detour")
    speed = parse_number(form.get("speed_kmh", ""), "travel_speed_kmh")
    overhead = parse_number(form.get("overhead_minutes", ""), "travel_overhead_minutes")
    gap = parse_number(form.get("travel_gap_minutes", "") or "0", "travel_gap_minutes")
    if detour is None or speed is None or overhead is None or gap is None or gap != int(gap):
        raise ValidationError("fill in every travel field", field="travel_detour")
    return TravelModel(detour, speed, overhead), int(gap)


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def zones_page(
        request: Request, staff: Staff, problem: str | None = None, status: int = 200
    ) -> Response:
        def gather() -> dict[str, Any]:
            business_id = staff.business.id
            branches = setup.list_branches(hub.uow(), business_id)
            return {
                "zones": zones.list_zones(hub.uow(), business_id),
                "branches": branches,
                "branch_names": {b.id: b.name for b in branches},
                "resources": [r for r in setup.list_resources(hub.uow(), business_id) if r.active],
                "business": setup.find_business(hub.uow(), business_id=business_id),
                "modes": [m.value for m in CoverageMode],
                "travel_source": hub.core.travel_times.kind,
            }

        context = await run_in_threadpool(gather)
        return pages.render(
            request,
            "console/zones.html",
            {
                "staff": staff,
                "problem": problem,
                "done": request.query_params.get("done"),
                **context,
            },
            t=staff.t,
            status=status,
        )

    async def refused(request: Request, staff: Staff, exc: DomainError) -> Response:
        if isinstance(exc, ValidationError):
            problem = staff.t("console.refused.validation_error") + f" ({exc.message})"
        else:
            problem = staff.t(f"console.refused.{exc.code}")
        return await zones_page(request, staff, problem, 422)

    def saved(anchor: str = "") -> Response:
        return RedirectResponse(f"/console/zones?done=1{anchor}", status_code=303)

    def zone_of(staff: Staff, zone_id: str) -> Zone:
        try:
            return zones.get_zone(hub.uow(), staff.business.id, zone_id)
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc

    async def new_zone(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            zone = Zone(staff.business.id, **zone_fields(form))
            await run_in_threadpool(zones.save_zone, hub.uow(), zone, by=staff.by, now=hub.now())
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(f"#z-{zone.id}")

    async def edit_zone(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        current = await run_in_threadpool(zone_of, staff, request.path_params["id"])
        try:
            zone = Zone(
                staff.business.id, **zone_fields(form), active=current.active, id=current.id
            )
            await run_in_threadpool(zones.save_zone, hub.uow(), zone, by=staff.by, now=hub.now())
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved(f"#z-{current.id}")

    async def set_active(request: Request, staff: Staff) -> Response:
        await read_form(request)
        current = await run_in_threadpool(zone_of, staff, request.path_params["id"])
        if request.url.path.endswith("/archive"):
            await run_in_threadpool(
                lambda: zones.archive_zone(
                    hub.uow(), staff.business.id, current.id, by=staff.by, now=hub.now()
                )
            )
        else:
            restored = replace(current, active=True)
            await run_in_threadpool(
                zones.save_zone, hub.uow(), restored, by=staff.by, now=hub.now()
            )
        return saved(f"#z-{current.id}")

    async def coverage(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            mode = CoverageMode(form.get("coverage_mode", ""))
        except ValueError:
            return await refused(request, staff, ValidationError("pick a mode", field="mode"))
        try:
            radius = parse_number(form.get("coverage_km", ""), "coverage_km")
            await run_in_threadpool(
                lambda: zones.set_coverage(
                    hub.uow(),
                    staff.business.id,
                    request.path_params["id"],
                    coverage_km=radius,
                    mode=mode,
                    by=staff.by,
                    now=hub.now(),
                )
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved("#coverage")

    async def travel(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            model, gap = travel_fields(form)
            await run_in_threadpool(
                lambda: zones.set_travel(
                    hub.uow(),
                    staff.business.id,
                    model,
                    travel_gap_minutes=gap,
                    by=staff.by,
                    now=hub.now(),
                )
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved("#travel")

    async def base(request: Request, staff: Staff) -> Response:
        form = await read_form(request)
        try:
            current = await run_in_threadpool(
                setup.get_resource, hub.uow(), staff.business.id, request.path_params["id"]
            )
        except NotFoundError as exc:
            raise PageError(404, "error.not_found") from exc
        try:
            lat = parse_coordinate(form.get("lat", ""), "lat")
            lng = parse_coordinate(form.get("lng", ""), "lng")
            if (lat is None) != (lng is None):
                raise ValidationError("give both latitude and longitude, or neither", field="lat")
            point = GeoPoint.maybe(lat, lng)
            await run_in_threadpool(
                resource_setup.save_resource,
                hub.uow(),
                replace(current, base=point),
                by=staff.by,
                now=hub.now(),
            )
        except DomainError as exc:
            return await refused(request, staff, exc)
        return saved("#bases")

    def admin(handler: Any) -> Any:
        return staff_only(pages, handler, admin=True)

    return [
        Route("/zones", admin(zones_page), methods=["GET"]),
        Route("/zones", admin(new_zone), methods=["POST"]),
        Route("/zones/travel", admin(travel), methods=["POST"]),
        Route("/zones/coverage/{id}", admin(coverage), methods=["POST"]),
        Route("/zones/base/{id}", admin(base), methods=["POST"]),
        Route("/zones/{id}", admin(edit_zone), methods=["POST"]),
        Route("/zones/{id}/archive", admin(set_active), methods=["POST"]),
        Route("/zones/{id}/restore", admin(set_active), methods=["POST"]),
    ]
