"""A booking's life: its states and the moves between them (``pending → confirmed →
in_progress → completed``; ``pending|confirmed → cancelled``; ``pending → expired``;
``confirmed → no_show``), and who made each move, through which channel.

The booking itself is in ``booking``; its invitees in ``invitees``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NO_SHOW = "no_show"

    @property
    def occupies_time(self) -> bool:
        return self in OCCUPYING


OCCUPYING = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS})

TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.PENDING: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}
    ),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.IN_PROGRESS, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
    ),
    BookingStatus.IN_PROGRESS: frozenset({BookingStatus.COMPLETED}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
}


class Actor(enum.StrEnum):
    """Who made a change."""

    CLIENT = "client"
    OPERATOR = "operator"
    SYSTEM = "system"
    INTEGRATION = "integration"
    INVITEE = "invitee"  # someone the booking's client or the business invited


class Channel(enum.StrEnum):
    """Where a change came in."""

    PAGE = "page"
    API = "api"
    CONSOLE = "console"
    CALDAV = "caldav"
    GOOGLE = "google"
    WHATSAPP = "whatsapp"
    PAYMENT = "payment"
    SYSTEM = "system"
    CLI = "cli"


@dataclass(frozen=True, slots=True)
class ChangedBy:
    actor: Actor
    channel: Channel
    user_id: str | None = None

    @property
    def is_client(self) -> bool:
        return self.actor is Actor.CLIENT


@dataclass(frozen=True, slots=True)
class Transition:
    from_status: BookingStatus | None
    to_status: BookingStatus
    at: datetime
    actor: Actor
    channel: Channel
    reason: str = ""
    user_id: str | None = None
