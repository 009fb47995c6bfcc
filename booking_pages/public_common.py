"""What every public page under ``/book/{slug}`` shares: the language it speaks, its links,
loading the business's storefront (refusing a suspended or unknown business), and reading
the party size.

Not here: the pages themselves (``public`` the business page, ``public_form`` the booking
form, ``public_history`` a client's bookings by a one-time code).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from booking_pages import catalogue
from booking_pages.catalogue import Storefront
from booking_pages.i18n import Translator, choose
from booking_pages.web import PageError, Pages
from hub.domain.errors import NotFoundError
from hub.domain.model import Service
from hub.services import plans

LANG_COOKIE = "turnero_lang"
MAX_PERSON_CHOICES = 20


def translator(request: Request, language: str | None, country: str | None, tz: str) -> Translator:
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    lang = choose(explicit, language, request.headers.get("accept-language"))
    return Translator(lang, country, tz)


def book_url(slug: str, path: str = "", **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f"/book/{slug}{path}" + (f"?{query}" if query else "")


def client_host(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def load(pages: Pages, request: Request) -> tuple[Storefront, Translator]:
    """The storefront of the path's ``slug`` and the translator for its visitor; 404 for an
    unknown business, 403 for a suspended one."""
    hub = pages.hub
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


async def taking_bookings(pages: Pages, sf: Storefront) -> None:
    """Say so before offering times when the month's quota is used up (a booking made now
    would be refused on submit)."""
    hub = pages.hub
    b = sf.business
    status = await run_in_threadpool(plans.quota_status, hub.uow(), b, hub.now())
    if status.reached:
        raise PageError(409, "public.quota_reached", business=b.name, title=b.name)


def party_size(service: Service, text: str | None) -> int:
    """How many people the client books for: what they picked, within what the service
    takes (1 when it takes one)."""
    try:
        wanted = int(text or "1")
    except ValueError:
        wanted = 1
    return min(max(wanted, 1), service.max_persons)
