"""Shared page machinery: the Jinja2 environment, rendering with the language of the page,
CSRF (double-submit cookie), form reading, the client's address, and error pages.

Routes live in ``public``, ``manage`` and the ``console_*`` modules; what users read lives in
``locales/*.json`` (see ``i18n``). No business rule belongs here.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from booking_pages.i18n import Translator
from hub.edge import first_bad_pair
from hub.process import Hub

CSRF_COOKIE = "turnero_csrf"
CSRF_FIELD = "csrf_token"
STATIC_DIR = Path(__file__).with_name("static")
MAX_FIELD = 2000  # characters kept of any single form field


def phone_text(e164: str | None) -> str:
    """A stored E.164 number as people write it (+54 9 11 2345-6789)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_env = Environment(
    loader=PackageLoader("booking_pages", "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["phone"] = phone_text


class PageError(Exception):
    """Stop handling and answer with an error page (status, message key, message args)."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


def secure_cookies(hub: Hub) -> bool:
    """Cookies are sent over HTTPS only when the hub is served over HTTPS, and always in
    production (``TURNERO_PRODUCTION``), where it must be."""
    return hub.settings.production or hub.settings.base_url.startswith("https://")


def csrf_token(request: Request) -> str:
    """The page's CSRF token: the cookie's value, or a new one set when the page is sent."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        token = cookie if 20 <= len(cookie) <= 100 else secrets.token_urlsafe(24)
        request.state.csrf = token
    return str(token)


async def read_form(request: Request) -> dict[str, str]:
    """The submitted form as plain strings, after checking its CSRF token (403 otherwise);
    a field holding NUL or another control character is refused (422 naming it)."""
    form: FormData = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    if (
        not isinstance(sent, str)
        or not cookie
        or not hmac.compare_digest(sent.encode(), cookie.encode())
    ):
        raise PageError(403, "error.csrf")
    bad = first_bad_pair((k, v) for k, v in form.multi_items() if isinstance(v, str))
    if bad is not None:
        raise PageError(422, "error.text", field=bad)
    fields: dict[str, str] = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and key not in fields:
            fields[key] = value[:MAX_FIELD]
    return fields


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def content_security_policy(
    form_targets: Sequence[str] = (), img_sources: Sequence[str] = ()
) -> str:
    """The pages' CSP. ``form_targets``: origins besides ours that a form on the page may
    end up at — browsers apply ``form-action`` to every redirect after a form is sent (CSP
    Level 3, "form-action"), so a form answered with a redirect elsewhere names that origin."""
    targets = " ".join(("'self'", *form_targets))
    images = " ".join(("'self'", "data:", *img_sources))
    return (
        f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
        f"form-action {targets}; frame-ancestors 'none'"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    t: Translator,
    secure: bool,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    form_targets: Sequence[str] = (),
    img_sources: Sequence[str] = (),
) -> HTMLResponse:
    """Render a page; sets the CSRF cookie the page's forms carry."""
    token = csrf_token(request)
    html = _env.get_template(template).render(
        {**context, "t": t, "lang": t.language, "csrf": token, "request_path": request.url.path}
    )
    response = HTMLResponse(html, status_code=status, headers=dict(headers or {}))
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(form_targets, img_sources)
    )
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )
    return response


def error_page(request: Request, error: PageError, t: Translator, *, secure: bool) -> Response:
    # A page that is not an error (a business not taking bookings) names itself instead.
    title = error.params.get("title")
    return render(
        request,
        "error.html",
        {
            "message": t(error.key, **error.params),
            "status": error.status,
            "title": title if isinstance(title, str) else t("error.title"),
        },
        t=t,
        secure=secure,
        status=error.status,
    )


def wants_fragment(request: Request) -> bool:
    """The little script asks for the part of the page it replaces, not the whole page."""
    return request.headers.get("x-turnero-fragment") == "1"


@dataclass(frozen=True, slots=True)
class Pages:
    """What every route handler needs: the hub, and rendering with its cookie settings."""

    hub: Hub

    @property
    def secure(self) -> bool:
        return secure_cookies(self.hub)

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        t: Translator,
        status: int = 200,
        form_targets: Sequence[str] = (),
        img_sources: Sequence[str] = (),
    ) -> HTMLResponse:
        return render(
            request,
            template,
            context,
            t=t,
            secure=self.secure,
            status=status,
            form_targets=form_targets,
            img_sources=img_sources,
        )

    def error(self, request: Request, error: PageError, t: Translator) -> Response:
        return error_page(request, error, t, secure=self.secure)
