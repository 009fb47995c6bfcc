"""A resource's read-only calendar feed link: an unguessable token that reads the
resource's agenda as iCalendar (``/dav/feeds/<token>.ics``), for calendar apps that
subscribe by URL. Whoever holds the link reads the agenda, so it is issued on request and
revoked by a business admin; a revoked link stops working at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedLink:
    token: str
    business_id: str
    resource_id: str
    created_at: datetime
