"""The agenda as the calendar component reads it: resources as columns, and bookings,
blocks and free gaps ("LIBRE") as events, with wall-clock times in the business's timezone
(the component shows them as they are; the browser's own timezone plays no part).

Pure shaping of what ``console_agenda.load_span`` returned; the routes are in
``console_calendar``, the script in ``static/turnero-agenda.js``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from booking_pages.agenda import Card, Lane
from booking_pages.catalogue import slot_code
from hub.domain.booking import BookingStatus
from hub.domain.model import Block, Resource

# A booking the operator may drag: it still occupies time and has not begun.
MOVABLE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})


def wall(moment: datetime, tz: ZoneInfo) -> str:
    """``moment`` as the business's wall clock, without offset ("floating" for the component)."""
    return moment.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S")


def resource_columns(resources: Iterable[Resource]) -> list[dict[str, str]]:
    return [{"id": r.id, "title": r.name} for r in resources]


def booking_event(
    card: Card, *, tz: ZoneInfo, now: datetime, back: str, t: Callable[..., str]
) -> dict[str, Any]:
    b = card.booking
    customer = card.customer.name if card.customer else "?"
    movable = b.status in MOVABLE and b.start > now
    return {
        "id": b.id,
        "resourceId": b.resource_id,
        "start": wall(b.start, tz),
        "end": wall(b.end, tz),
        # A meeting's own title leads (who it is with after it); else who and what.
        "title": " · ".join(
            ([b.title, customer] if b.title else [customer, card.service])
            + [t("status." + b.status.value)]
            + ([t("console.client_confirmed_short")] if b.client_confirmed_at else [])
            + ([t("console.needs_review")] if b.needs_review else [])
        ),
        "classNames": ["bk", f"st-{b.status.value}", card.phase]
        + (["client-confirmed"] if b.client_confirmed_at else [])
        + (["needs-review"] if b.needs_review else []),
        "editable": movable,
        "startEditable": movable,
        "durationEditable": False,
        "extendedProps": {
            "kind": "booking",
            "url": f"/console/bookings/{b.id}?next={quote(back, safe='')}",
            "version": b.version,
            "status": b.status.value,
            "clientConfirmed": b.client_confirmed_at is not None,
            "needsReview": b.needs_review,
        },
    }


def block_event(
    block: Block, resources: list[Resource], *, tz: ZoneInfo, t: Callable[..., str]
) -> dict[str, Any]:
    ids = [r.id for r in resources if block.resource_id in (None, r.id)]
    label = t("console.blocked")
    return {
        "id": f"block-{block.id}",
        "resourceIds": ids,
        "start": wall(block.start, tz),
        "end": wall(block.end, tz),
        "title": f"{label} · {block.reason}" if block.reason else label,
        "classNames": ["blk"],
        "editable": False,
        "extendedProps": {"kind": "block"},
    }


def free_events(
    lanes: Iterable[Lane], *, tz: ZoneInfo, t: Callable[..., str]
) -> list[dict[str, Any]]:
    """The free gaps of each lane, each a link to book it."""
    events = []
    for lane in lanes:
        for entry in lane.entries:
            if entry.kind != "free":
                continue
            events.append(
                {
                    "id": f"free-{lane.resource.id}-{slot_code(entry.start)}",
                    "resourceId": lane.resource.id,
                    "start": wall(entry.start, tz),
                    "end": wall(entry.end, tz),
                    "title": t("agenda.free_gap"),
                    "display": "background",
                    "classNames": ["free"],
                    "editable": False,
                    "extendedProps": {
                        "kind": "free",
                        "url": "/console/bookings/new?resource="
                        f"{lane.resource.id}&start={slot_code(entry.start)}",
                    },
                }
            )
    return events
