"""Someone invited to a booking (a meeting's other participants) and their answer.

The booking itself is in ``booking``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from hub.domain.lifecycle import BookingStatus
from hub.domain.model import new_id, new_token


class InviteeResponse(enum.StrEnum):
    """An invitee's answer (iCalendar PARTSTAT, RFC 5545 §3.2.12)."""

    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TENTATIVE = "tentative"

    @property
    def partstat(self) -> str:
        return self.value.upper().replace("_", "-")


# Invitees may answer while the meeting is still ahead and on.
ANSWERABLE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})


@dataclass(frozen=True, slots=True)
class Invitee:
    """Someone invited to a booking (a meeting's other participants): their own link (its
    ``token``) shows them the meeting and takes their answer; it never changes the booking."""

    email: str
    name: str = ""
    response: InviteeResponse = InviteeResponse.NEEDS_ACTION
    responded_at: datetime | None = None
    token: str = field(default_factory=new_token, repr=False)
    id: str = field(default_factory=new_id)

    @property
    def display_name(self) -> str:
        return self.name or self.email
