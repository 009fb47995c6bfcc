"""The public booking form, ``/book/{slug}/form``: showing it for the time picked (with the
map to drop a pin on at the client's address) and submitting it — one booking through
``hub.core``, or the form again with what stopped it and the nearest free times.

Not here: the business page and its time picker (``public``).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.catalogue import CLIENT, OTHER_ZONE, Storefront
from booking_pages.i18n import Translator
from booking_pages.maps import img_sources, pin_map
from booking_pages.public_common import (
    book_url,
    client_host,
    load,
    party_size,
    taking_bookings,
)
from booking_pages.web import PageError, Pages, read_form
from hub.config import Settings
from hub.domain.booking import BookingStatus
from hub.domain.errors import (
    BusinessSuspendedError,
    NotFoundError,
    OutsideCoverageError,
    PolicyViolationError,
    SlotTakenError,
    SlotUnreachableError,
    ValidationError,
)
from hub.domain.geo import GeoPoint, Zone
from hub.domain.model import Branch
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails, normalise_phone

FIELDS = ("name", "phone", "email", "address", "zone", "notes")
PIN_FIELDS = ("latitude", "longitude")  # the point the client dropped on the form's map


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def form_page(request: Request) -> Response:
        sf, t = await load(pages, request)
        await taking_bookings(pages, sf)
        values = dict.fromkeys(FIELDS, "")
        values["zone"] = request.query_params.get("zone", "")[:100]
        context = await run_in_threadpool(
            _form_context, pages, sf, dict(request.query_params), values, {}
        )
        return _render_form(pages, request, context, t)

    async def submit(request: Request) -> Response:
        sf, t = await load(pages, request)
        form = await read_form(request)
        wait = hub.public_writes.allow(f"book:{client_host(request)}", time.monotonic())
        if wait > 0:
            response = pages.render(
                request, "error.html", {"message": t("error.rate"), "status": 429}, t=t, status=429
            )
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        return await run_in_threadpool(_book, pages, request, sf, t, form)

    return [
        Route("/{slug}/form", form_page, methods=["GET"], name="book-form"),
        Route("/{slug}/form", submit, methods=["POST"], name="book-submit"),
    ]


def _render_form(
    pages: Pages, request: Request, context: dict[str, Any], t: Translator, status: int = 200
) -> Response:
    """The booking form. At the client's address, with zones or a base to start from, a map
    to drop a pin on (shown by the page's script once a tile has loaded); its tiles come
    from the configured tile server, which the page's CSP then names."""
    settings = pages.hub.settings
    values = {**dict.fromkeys(PIN_FIELDS, ""), **context["values"]}
    pin_data = None
    if context["service"].at_client_address:
        pin_data = _pin_map(settings, context["branch"], context["zones"], values)
    images = img_sources(settings) if pin_data else ()
    return pages.render(
        request,
        "public/form.html",
        {**context, "values": values, "pin_map": pin_data},
        t=t,
        status=status,
        img_sources=images,
    )


def _pin(values: dict[str, str]) -> GeoPoint | None:
    """The point the client dropped on the map, or None when none was. Raises
    ``ValidationError`` for half a point or numbers no place has."""
    latitude, longitude = values["latitude"], values["longitude"]
    if not latitude and not longitude:
        return None
    try:
        return GeoPoint(float(latitude), float(longitude))
    except ValueError as exc:
        raise ValidationError("not a point on the map", field="latitude") from exc


def _pin_map(
    settings: Settings, branch: Branch | None, zones: list[Zone], values: dict[str, str]
) -> str | None:
    """The form's map data (``maps.pin_map``): the zones, the branch's base (the branch
    picked, or the only one), and the pin already dropped when the form is shown again."""
    try:
        pin = _pin(values)
    except ValidationError:
        pin = None
    return pin_map(settings, zones, branch.base if branch is not None else None, pin)


def _form_context(
    pages: Pages,
    sf: Storefront,
    params: dict[str, str],
    values: dict[str, str],
    errors: dict[str, str],
    *,
    taken: bool = False,
    problem: str | None = None,
    outside: bool = False,
) -> dict[str, Any]:
    business = sf.business
    service = sf.service(params.get("service"))
    start = catalogue.parse_slot_code(params.get("start", ""))
    if service is None or start is None:
        raise PageError(404, "error.no_slot")
    branch = sf.branch(params.get("branch"))
    if sf.branch_choice and branch is None:
        raise PageError(404, "error.no_slot")
    branch_id = branch.id if branch is not None and sf.branch_choice else None
    uow = pages.hub.uow()
    resources = catalogue.service_resources(uow, service, branch_id)
    resource = next((r for r in resources if r.id == params.get("resource")), None)
    persons = party_size(service, params.get("persons"))
    price = service.price_for(persons, resource)
    # At-address: the zone picked before the times (kept when the client changes it here).
    where = catalogue.where(uow, service, branch, values.get("zone"), check=False)
    alternatives = []
    if taken:
        alternatives = catalogue.nearest_slots(
            pages.hub.core,
            business,
            service,
            start,
            resource_id=resource.id if resource else None,
            branch_id=branch_id,
            persons=persons,
            uow=uow,
            zone_id=where.zone_id,
        )
    return {
        "sf": sf,
        "business": business,
        "branch": branch,
        "branch_id": branch_id,
        "service": service,
        "resource": resource,
        "start": start,
        "end": start + timedelta(minutes=service.duration_minutes),
        "persons": persons if service.max_persons > 1 else None,
        "price": price,
        # Said before the client commits: what the deposit is and how long there is to pay.
        "deposit": service.deposit_rule(business).amount(price),
        "hold_minutes": business.policy.hold_minutes,
        "code": catalogue.slot_code(start),
        "values": values,
        "errors": errors,
        "taken": taken,
        "problem": problem,
        "outside": outside,
        "located": bool(pages.hub.geocoders),  # the typed address is located on submit
        # At-address services: the business's zones, picked next to the address.
        "zones": where.zones,
        "alternatives": [(catalogue.slot_code(s.start), s.start) for s in alternatives],
        "url": book_url,
        "back": book_url(
            business.slug,
            branch=branch_id,
            service=service.id,
            resource=resource.id if resource else None,
            persons=str(persons) if service.max_persons > 1 else None,
            day=start.astimezone(business.tz).date().isoformat(),
            month=start.astimezone(business.tz).strftime("%Y-%m"),
            zone=where.choice,
        ),
    }


def _book(
    pages: Pages, request: Request, sf: Storefront, t: Translator, form: dict[str, str]
) -> Response:
    business = sf.business
    values = {k: form.get(k, "").strip() for k in FIELDS + PIN_FIELDS}
    params = {k: form.get(k, "") for k in ("service", "start", "resource", "branch", "persons")}
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = t("error.name")
    if not values["phone"]:
        errors["phone"] = t("error.phone_missing")
    else:
        try:
            normalise_phone(values["phone"], business.country)
        except ValidationError:
            errors["phone"] = t("error.phone")
    try:
        location = _pin(values)
    except ValidationError:
        errors["pin"] = t("error.pin")
        location = None
        values.update(dict.fromkeys(PIN_FIELDS, ""))  # dropped again on the map, or not

    def again(status: int, **extra: Any) -> Response:
        context = _form_context(pages, sf, params, values, errors, **extra)
        return _render_form(pages, request, context, t, status)

    if errors:
        return again(422)
    service = sf.service(params["service"])
    start = catalogue.parse_slot_code(params["start"])
    if service is None or start is None:
        raise PageError(404, "error.no_slot")
    request_ = NewBooking(
        business_id=business.id,
        service_id=service.id,
        start=start,
        customer=CustomerDetails(
            name=values["name"],
            phone=values["phone"],
            email=values["email"] or None,
            address=values["address"] or None,
        ),
        resource_id=params["resource"] or None,
        branch_id=_branch_id(sf, params["branch"]),
        persons=party_size(service, params["persons"]),
        notes=values["notes"],
        address=values["address"] or None,
        location=location,  # the pin wins over the zone for coverage and travel
        zone_id=values["zone"] if values["zone"] not in ("", OTHER_ZONE) else None,
        elsewhere=values["zone"] == OTHER_ZONE,
    )
    try:
        booking = pages.hub.core.create_booking(request_, by=CLIENT)
    except OutsideCoverageError:
        return again(422, outside=True)
    except SlotUnreachableError:  # the page was older than a booking far away
        return again(409, taken=True, problem=t("form.unreachable"))
    except SlotTakenError:
        return again(409, taken=True)
    except BusinessSuspendedError as exc:
        raise PageError(
            403, "public.suspended", business=business.name, title=business.name
        ) from exc
    except PolicyViolationError as exc:
        rule = str(exc.details.get("rule", ""))
        return again(409, taken=True, problem=t(f"policy.{rule}", **exc.details))
    except ValidationError as exc:
        if exc.field in ("zone_id", "location"):
            # "Could not place the address" only when a geocoder tried to.
            tried = exc.field == "location" and bool(pages.hub.geocoders)
            errors["zone"] = t("error.location" if tried else "error.zone")
            return again(422)
        field = exc.field if exc.field in FIELDS else None
        if field is None:
            return again(422, taken=exc.field == "start", problem=t("error.invalid"))
        errors[field] = t(f"error.{field}")
        return again(422)
    except NotFoundError as exc:
        raise PageError(404, "error.no_slot") from exc
    if booking.status is BookingStatus.PENDING and booking.deposit_minor > 0:
        # To the provider's checkout; it sends the client back to the manage page.
        return RedirectResponse(f"/connectors/payments/pay/{booking.token}", status_code=303)
    return RedirectResponse(f"/book/manage/{booking.token}?new=1", status_code=303)


def _branch_id(sf: Storefront, wanted: str) -> str | None:
    """The branch a booking names: the one picked, or the only one; with several and none
    picked, none (each resource's own branches' hours still hold)."""
    branch = sf.branch(wanted)
    return branch.id if branch is not None else None


__all__ = ["routes"]
