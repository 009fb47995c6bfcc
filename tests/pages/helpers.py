"""Reading pages the way a test needs: the CSRF token, offered times, links."""

from __future__ import annotations

import html
import re
from datetime import datetime

import httpx

from booking_pages.catalogue import slot_code


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def slot_codes(page: str) -> list[str]:
    return re.findall(r"start=(\d{8}T\d{4}Z)", page)


def text_of(page: str) -> str:
    """The page's visible text, roughly (tags dropped, entities decoded)."""
    without = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", without)))


def book(
    client: httpx.Client,
    slug: str,
    service_id: str,
    start: datetime,
    *,
    name: str = "Ana Pérez",
    phone: str = "11 2345-6789",
    address: str = "Av. Rivadavia 1234, CABA",
    resource_id: str = "",
    branch: str = "",
    **extra: str,
) -> httpx.Response:
    """Open the booking form for ``start`` and submit it, as a browser would."""
    form_page = client.get(
        f"/book/{slug}/form",
        params={
            "service": service_id,
            "start": slot_code(start),
            "resource": resource_id,
            "branch": branch,
        },
    )
    assert form_page.status_code == 200, form_page.text
    data = {
        "csrf_token": csrf_of(form_page.text),
        "service": service_id,
        "start": slot_code(start),
        "resource": resource_id,
        "branch": branch,
        "name": name,
        "phone": phone,
        "email": "",
        "address": address,
        "notes": "",
        **extra,
    }
    return client.post(f"/book/{slug}/form", data=data)
