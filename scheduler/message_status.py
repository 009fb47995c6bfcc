"""What a provider reports later about a message already sent (WhatsApp status webhooks:
sent, delivered, read, failed with its error), written onto that message's line of the
notification log, found by the provider's message id within the business.

A line never goes back (read stays read when a late "delivered" arrives) and a failure is
final. Functions take an open session and never commit. Not here: the webhook and its
signature (``connectors.notify.web``), asking another channel (``hub.services``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.consumers import LogStatus
from scheduler.models import NotificationLogRow

_RANK = {LogStatus.SENT.value: 1, LogStatus.DELIVERED.value: 2, LogStatus.READ.value: 3}


@dataclass(frozen=True, slots=True)
class Reported:
    """A line the report changed; ``failed_now`` when it just turned failed."""

    booking_id: str
    event_id: str | None
    kind: str
    status: str
    error: str
    failed_now: bool
    emailed: bool  # the same event already had an email line (sent, failed or skipped)


def record_status(
    session: Session,
    business_id: str,
    provider_id: str,
    status: str,
    *,
    error: str = "",
    at: datetime,
) -> Reported | None:
    """Apply one status to the line of message ``provider_id``; ``None`` when no line of
    this business has that id or nothing changed."""
    row = session.scalar(
        select(NotificationLogRow).where(
            NotificationLogRow.business_id == business_id,
            NotificationLogRow.provider_id == provider_id,
        )
    )
    if row is None or row.status == LogStatus.FAILED.value:
        return None
    failed_now = False
    if status == LogStatus.FAILED.value:
        row.status, row.error, failed_now = status, error[:2000], True
    elif _RANK.get(status, 0) > _RANK.get(row.status, 0):
        row.status = status
    else:
        return None
    emailed = (
        row.event_id is not None
        and session.scalar(
            select(NotificationLogRow.id).where(
                NotificationLogRow.business_id == business_id,
                NotificationLogRow.event_id == row.event_id,
                NotificationLogRow.channel == "email",
            )
        )
        is not None
    )
    return Reported(
        row.booking_id, row.event_id, row.kind, row.status, row.error, failed_now, emailed
    )


@dataclass(frozen=True, slots=True)
class FailedMessage:
    at: datetime
    booking_id: str
    kind: str
    recipient: str
    error: str


def failed_whatsapp(session: Session, business_id: str, limit: int = 50) -> list[FailedMessage]:
    """The business's WhatsApp messages that did not reach the client, newest first."""
    rows = session.scalars(
        select(NotificationLogRow)
        .where(
            NotificationLogRow.business_id == business_id,
            NotificationLogRow.channel == "whatsapp",
            NotificationLogRow.status == LogStatus.FAILED.value,
        )
        .order_by(NotificationLogRow.at.desc())
        .limit(limit)
    )
    return [FailedMessage(r.at, r.booking_id, r.kind, r.recipient, r.error) for r in rows]
