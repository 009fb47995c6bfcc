"""Public booking routes under ``/book``: find a business, its page (service → day → time)
and the QR code of the booking link. The other public doors are mounted here too: the
booking form (``public_form``) and a client's bookings by a one-time code
(``public_history``).

A handler parses the request, calls one use case in a worker thread, and renders the answer.
The client's own booking (confirmation, cancel, reschedule) is in ``manage``.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking_pages import catalogue, public_form, public_history
from booking_pages.catalogue import Storefront, Where
from booking_pages.i18n import Translator, accepted
from booking_pages.public_common import (
    LANG_COOKIE,
    MAX_PERSON_CHOICES,
    book_url,
    load,
    party_size,
    taking_bookings,
    translator,
)
from booking_pages.web import PageError, Pages, wants_fragment


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

    async def business_page(request: Request) -> Response:
        sf, t = await load(pages, request)
        await taking_bookings(pages, sf)
        context = await run_in_threadpool(_picker_context, pages, request, sf, t)
        template = "public/_picker.html" if wants_fragment(request) else "public/business.html"
        response = pages.render(request, template, context, t=t)
        explicit = request.query_params.get("lang")
        if explicit in ("es", "en"):
            response.set_cookie(LANG_COOKIE, explicit, samesite="lax", secure=pages.secure)
        return response

    async def qr(request: Request) -> Response:
        sf, _ = await load(pages, request)
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
        *public_form.routes(pages),
        *public_history.routes(pages),
        Route("/{slug}/qr.{kind:str}", qr, methods=["GET"], name="book-qr"),
    ]


QR_KINDS = frozenset({"png", "svg"})


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
    persons = party_size(service, params.get("persons"))
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


__all__ = ["LANG_COOKIE", "book_url", "routes", "translator"]
