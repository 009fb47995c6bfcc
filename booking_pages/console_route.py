"""Console: "Ruta del día" — per worker, the day's visits at clients' addresses in the order
that drives least while keeping every booked time, driving booked vs suggested, visits worth
giving to another worker, and a map (Leaflet, vendored; tiles from the configured server);
and a worker's own route as a phone-friendly list with Google Maps and Waze links per stop.

An employee sees their own resources only (another's route is a 404); the figures come from
``hub.services.day_route``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue, maps
from booking_pages.console_agenda import booking_seen_by
from booking_pages.console_auth import Staff, staff_only
from booking_pages.web import PageError, Pages, read_form
from hub.domain.errors import DomainError, ValidationError
from hub.domain.geo import GeoPoint
from hub.services import setup
from hub.services.day_route import WINDOWS, DayRoute, Stop

COLOURS = ("#0b5cad", "#b42318", "#1a7f37", "#9a6700", "#6639ba", "#0e7490")


def google_maps(point: GeoPoint) -> str:
    return f"https://www.google.com/maps/dir/?api=1&destination={point.lat:.6f},{point.lng:.6f}"


def waze(point: GeoPoint) -> str:
    return f"https://waze.com/ul?ll={point.lat:.6f},{point.lng:.6f}&navigate=yes"


def map_data(found: DayRoute, tiles: str, attribution: str, t: Any) -> str:
    def point(stop: Stop, n: int) -> dict[str, Any]:
        who = stop.customer.name if stop.customer else ""
        return {
            "lat": stop.location.lat,
            "lng": stop.location.lng,
            "n": n,
            "label": f"{n}. {t.time(stop.arrive)} {who}",
        }

    routes = []
    for index, route in enumerate(found.routes):
        base = route.resource.base
        routes.append(
            {
                "name": route.resource.name,
                "colour": COLOURS[index % len(COLOURS)],
                "base": None if base is None else {"lat": base.lat, "lng": base.lng},
                "stops": [point(s, n) for n, s in enumerate(route.stops, start=1)],
            }
        )
    data = {"tiles": tiles, "attribution": attribution, "routes": routes}
    # Inside a <script type="application/json">: no "<" may close or comment the element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub
    settings = hub.settings

    def asked_day(request: Request, staff: Staff) -> date:
        raw = request.query_params.get("date")
        day = catalogue.parse_day(raw) if raw else catalogue.today_in(staff.business, hub.now())
        if day is None:
            raise PageError(422, "analytics.bad_date")
        return day

    def asked_window(request: Request) -> int:
        raw = request.query_params.get("window", "0")
        if not raw.isdigit() or int(raw) not in WINDOWS:
            raise PageError(422, "route.bad_window")
        return int(raw)

    def load(
        staff: Staff, day: date, window: int, branch: str | None, only: list[str] | None
    ) -> DayRoute:
        own = None if staff.is_admin else [r.id for r in staff.resources]
        scope = only if own is None else [r for r in (only or own) if r in own]
        try:
            return hub.core.day_route(
                staff.business.id,
                day,
                branch_id=branch,
                resource_ids=scope,
                window_minutes=window,
            )
        except ValidationError as exc:
            raise PageError(422, "route.bad_window") from exc

    def img_sources() -> tuple[str, ...]:
        return maps.img_sources(settings)

    async def day_page(request: Request, staff: Staff) -> Response:
        day, window = asked_day(request, staff), asked_window(request)
        branch = request.query_params.get("branch", "").strip() or None
        found = await run_in_threadpool(load, staff, day, window, branch, None)
        branches = await run_in_threadpool(setup.list_branches, hub.uow(), staff.business.id)
        tiles = settings.map_tile_url if img_sources() else ""
        context: dict[str, Any] = {
            "staff": staff,
            "route": found,
            "day": day,
            "window": window,
            "windows": WINDOWS,
            "moved": request.query_params.get("moved") == "1",
            "branch": branch or "",
            "branches": branches,
            "colours": COLOURS,
            "map_json": map_data(found, tiles, settings.map_attribution, staff.t),
            "prev": date.fromordinal(day.toordinal() - 1).isoformat(),
            "next": date.fromordinal(day.toordinal() + 1).isoformat(),
        }
        return pages.render(
            request, "console/route.html", context, t=staff.t, img_sources=img_sources()
        )

    async def worker_page(request: Request, staff: Staff) -> Response:
        resource_id = request.path_params["resource_id"]
        if not staff.sees(resource_id) or resource_id not in {r.id for r in staff.resources}:
            raise PageError(404, "error.not_found")
        day, window = asked_day(request, staff), asked_window(request)
        found = await run_in_threadpool(load, staff, day, window, None, [resource_id])
        mine = next((r for r in found.routes if r.resource.id == resource_id), None)
        resource = next(r for r in staff.resources if r.id == resource_id)
        context: dict[str, Any] = {
            "staff": staff,
            "resource": resource,
            "mine": mine,
            "day": day,
            "window": window,
            "google_maps": google_maps,
            "waze": waze,
            "prev": date.fromordinal(day.toordinal() - 1).isoformat(),
            "next": date.fromordinal(day.toordinal() + 1).isoformat(),
        }
        return pages.render(request, "console/my_route.html", context, t=staff.t)

    async def take_move(request: Request, staff: Staff) -> Response:
        """Give a visit to the suggested washer: a reassignment through the use case, which
        refuses it (shown on the page) if the washer is no longer free then."""
        form = await read_form(request)
        booking = await run_in_threadpool(
            booking_seen_by, hub.uow(), staff, request.path_params["booking_id"]
        )
        target = form.get("resource", "")
        if not staff.sees(target) or target not in {r.id for r in staff.resources}:
            raise PageError(404, "error.not_found")
        version = form.get("version", "")
        kept = {k: form[k] for k in ("date", "window", "branch") if form.get(k)}
        back = "/console/route?" + urlencode({**kept, "moved": "1"})
        try:
            await run_in_threadpool(
                lambda: hub.core.reassign_booking(
                    staff.business.id,
                    booking.id,
                    target,
                    by=staff.by,
                    expected_version=int(version) if version.isdigit() else None,
                )
            )
        except DomainError as exc:
            raise PageError(409, f"console.refused.{exc.code}") from exc
        return RedirectResponse(back, status_code=303)

    async def my_route(request: Request, staff: Staff) -> Response:
        if staff.is_admin or not staff.resources:
            return RedirectResponse("/console/route", status_code=303)
        return RedirectResponse(f"/console/route/{staff.resources[0].id}", status_code=303)

    return [
        Route("/route", staff_only(pages, day_page), methods=["GET"], name="route"),
        Route("/my-route", staff_only(pages, my_route), methods=["GET"]),
        Route(
            "/route/move/{booking_id}", staff_only(pages, take_move, admin=True), methods=["POST"]
        ),
        Route("/route/{resource_id}", staff_only(pages, worker_page), methods=["GET"]),
    ]
