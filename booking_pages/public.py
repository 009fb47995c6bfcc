"""Public booking routes under ``/book``: find a business, its page (service → day → time),
the booking form and its submission, and the QR code of the booking link.

A handler parses the request, calls one use case in a worker thread, and renders the answer.
The client's own booking (confirmation, cancel, reschedule) is in ``manage``.
"""

from __future__ import annotations

import io
import time
import unicodedata
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from booking_pages import catalogue
from booking_pages.catalogue import CLIENT, OTHER_ZONE, Storefront, Where
from booking_pages.i18n import Translator, accepted, choose
from booking_pages.maps import img_sources, pin_map
from booking_pages.web import PageError, Pages, read_form, wants_fragment
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
from hub.domain.model import Branch, Service
from hub.services import plans
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails, normalise_phone

LANG_COOKIE = "turnero_lang"
FIELDS = ("name", "phone", "email", "address", "zone", "notes")


def translator(request: Request, language: str | None, country: str | None, tz: str) -> Translator:
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    lang = choose(explicit, language, request.headers.get("accept-language"))
    return Translator(lang, country, tz)


def book_url(slug: str, path: str = "", **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/book/{slug}{path}" + (f"?{query}" if query else "")


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


def routes(pages: Pages) -> list[Route]:
    hub = pages.hub

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:100]
        t = translator(request, None, None, "UTC")
        found: list[Any] = []
        if len(query) >= 2:

            def lookup() -> list[Any]:
                with hub.uow() as uow:
                    everyone = uow.businesses.list()
                return [b for b in everyone if _fold(query) in _fold(b.name)][:20]

            found = await run_in_threadpool(lookup)
        return pages.render(request, "public/search.html", {"q": query, "found": found}, t=t)

    async def load(request: Request) -> tuple[Storefront, Translator]:
        slug = request.path_params["slug"]
        try:
            sf = await run_in_threadpool(catalogue.storefront, hub.uow(), slug)
        except NotFoundError as exc:
            raise PageError(404, "error.no_business") from exc
        b = sf.business
        t = translator(request, b.language, b.country, b.timezone)
        if await run_in_threadpool(plans.is_suspended, hub.uow(), b.id):
            raise PageError(403, "public.suspended", business=b.name, title=b.name)
        return sf, t

    async def taking_bookings(sf: Storefront) -> None:
        """Say so before offering times when the month's quota is used up (a booking made
        now would be refused on submit)."""
        b = sf.business
        status = await run_in_threadpool(plans.quota_status, hub.uow(), b, hub.now())
        if status.reached:
            raise PageError(409, "public.quota_reached", business=b.name, title=b.name)

    async def business_page(request: Request) -> Response:
        sf, t = await load(request)
        await taking_bookings(sf)
        context = await run_in_threadpool(_picker_context, pages, request, sf, t)
        template = "public/_picker.html" if wants_fragment(request) else "public/business.html"
        response = pages.render(request, template, context, t=t)
        explicit = request.query_params.get("lang")
        if explicit in ("es", "en"):
            response.set_cookie(LANG_COOKIE, explicit, samesite="lax", secure=pages.secure)
        return response

    async def form_page(request: Request) -> Response:
        sf, t = await load(request)
        await taking_bookings(sf)
        values = dict.fromkeys(FIELDS, "")
        values["zone"] = request.query_params.get("zone", "")[:100]
        context = await run_in_threadpool(
            _form_context, pages, sf, dict(request.query_params), values, {}
        )
        return _render_form(pages, request, context, t)

    async def submit(request: Request) -> Response:
        sf, t = await load(request)
        form = await read_form(request)
        wait = hub.public_writes.allow(f"book:{_client(request)}", time.monotonic())
        if wait > 0:
            response = pages.render(
                request, "error.html", {"message": t("error.rate"), "status": 429}, t=t, status=429
            )
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        return await run_in_threadpool(_book, pages, request, sf, t, form)

    async def qr(request: Request) -> Response:
        sf, _ = await load(request)
        kind = request.path_params["kind"]
        if kind not in QR_KINDS:  # nor echoed into the file name
            raise PageError(404, "error.not_found")
        link = f"{hub.settings.base_url}/book/{sf.business.slug}"
        code = segno.make(link, error="m")
        out = io.BytesIO()
        if kind == "svg":
            code.save(out, kind="svg", scale=8, border=2, title=sf.business.name)
            media = "image/svg+xml"
        else:
            code.save(out, kind="png", scale=12, border=2)
            media = "image/png"
        return Response(
            out.getvalue(),
            media_type=media,
            headers={"Content-Disposition": f'inline; filename="{sf.business.slug}-qr.{kind}"'},
        )

    return [
        Route("/", search, methods=["GET"], name="book-search"),
        Route("/{slug}", business_page, methods=["GET"], name="book-business"),
        Route("/{slug}/form", form_page, methods=["GET"], name="book-form"),
        Route("/{slug}/form", submit, methods=["POST"], name="book-submit"),
        Route("/{slug}/qr.{kind:str}", qr, methods=["GET"], name="book-qr"),
    ]


QR_KINDS = frozenset({"png", "svg"})
PIN_FIELDS = ("latitude", "longitude")  # the point the client dropped on the form's map


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _picker_context(
    pages: Pages, request: Request, sf: Storefront, t: Translator
) -> dict[str, Any]:
    hub = pages.hub
    now = hub.now()
    business = sf.business
    params = request.query_params
    branch = sf.branch(params.get("branch"))
    # With several branches the client picks one before anything else.
    branch_id = branch.id if branch is not None and sf.branch_choice else None
    service = sf.service(params.get("service"))
    if service is None and len(sf.services) == 1:
        service = sf.services[0]
    if sf.branch_choice and branch is None:
        service = None
    today = catalogue.today_in(business, now)
    context: dict[str, Any] = {
        "sf": sf,
        "business": business,
        "branch": branch,
        "branch_id": branch_id,
        "persons": None,
        "person_choices": [],
        "service": service,
        "resources": [],
        "resource_id": None,
        "grid": [],
        "month": None,
        "prev_month": None,
        "next_month": None,
        "day": None,
        "times": [],
        "where": Where([]),
        "zone": None,
        "url": book_url,
        "suggest_lang": _suggest(request, t),
        "qr_svg": book_url(business.slug, "/qr.svg"),
        "whatsapp_url": catalogue.whatsapp_link(business.whatsapp_contact),
    }
    if service is None:
        return context
    uow = hub.uow()
    resources = catalogue.service_resources(uow, service, branch_id)
    resource_id = params.get("resource")
    if resource_id not in {r.id for r in resources}:
        resource_id = None
    persons = _persons(service, params.get("persons"))
    context.update(
        persons=persons if service.max_persons > 1 else None,
        person_choices=list(range(1, min(service.max_persons, MAX_PERSON_CHOICES) + 1)),
        resources=resources if len(resources) > 1 else [],
        resource_id=resource_id,
    )
    # At the client's address, where comes first: only times someone can get there are shown.
    where = catalogue.where(uow, service, branch, params.get("zone"))
    context.update(where=where, zone=where.choice)
    if where.unknown or where.outside:
        return context
    first_month = today.replace(day=1)
    last_day = today + business.policy.horizon
    month = catalogue.parse_month(params.get("month")) or first_month
    month = min(max(month, first_month), last_day.replace(day=1))
    slots = catalogue.free_slots(
        hub.core,
        business,
        service,
        month,
        catalogue.month_end(month),
        resource_id=resource_id,
        branch_id=branch_id,
        persons=persons,
        uow=uow,
        zone_id=where.zone_id,
    )
    free_days = catalogue.days_with_slots(slots, business.timezone)
    day = catalogue.parse_day(params.get("day"))
    if day not in free_days:  # e.g. a day kept from another zone, with no time here
        day = min(free_days) if free_days else None
    day_slots = catalogue.slots_on(slots, day, business.timezone) if day else []
    entries = [
        (
            s.start,
            {"code": catalogue.slot_code(s.start), "label": t.time(s.start), "end": t.time(s.end)},
        )
        for s in day_slots
    ]
    if day is not None:  # the seed's mock-up: taken times are shown as such, never by whom
        taken = catalogue.taken_starts(
            uow,
            business,
            service,
            day,
            free=day_slots,
            now=now,
            resource_id=resource_id,
            branch_id=branch_id,
        )
        entries += [(at, {"code": "", "label": t.time(at), "end": ""}) for at in taken]
    times = [entry for _, entry in sorted(entries, key=lambda e: e[0])]
    prev_month = catalogue.add_months(month, -1)
    next_month = catalogue.add_months(month, 1)
    context.update(
        grid=catalogue.month_grid(month, free_days, today=today, selected=day),
        month=month,
        prev_month=prev_month.strftime("%Y-%m") if prev_month >= first_month else None,
        next_month=next_month.strftime("%Y-%m") if next_month <= last_day else None,
        day=day,
        times=times,
    )
    return context


def _suggest(request: Request, t: Translator) -> str | None:
    if request.query_params.get("lang") or request.cookies.get(LANG_COOKIE):
        return None
    wanted = accepted(request.headers.get("accept-language"))
    return wanted if wanted and wanted != t.language else None


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
    persons = _persons(service, params.get("persons"))
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
        persons=_persons(service, params["persons"]),
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


MAX_PERSON_CHOICES = 20


def _persons(service: Service, text: str | None) -> int:
    """How many people the client books for: what they picked, within what the service
    takes (1 when it takes one)."""
    try:
        wanted = int(text or "1")
    except ValueError:
        wanted = 1
    return min(max(wanted, 1), service.max_persons)


def _branch_id(sf: Storefront, wanted: str) -> str | None:
    """The branch a booking names: the one picked, or the only one; with several and none
    picked, none (each resource's own branches' hours still hold)."""
    branch = sf.branch(wanted)
    return branch.id if branch is not None else None


__all__ = ["book_url", "routes", "translator"]
