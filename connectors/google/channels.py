"""Push channels (``events.watch``): Google posts to ``/connectors/google/notifications``
when a watched calendar changes; each channel carries a random token that the endpoint checks
in constant time. ``renew_due`` replaces channels about to expire (and stops the old one).

Not here: the endpoint (``web``), the pull it triggers (``pull``).
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from connectors.google import store
from connectors.google.calendar import GoogleError, execute
from connectors.google.models import ConnectionRow
from connectors.google.pull import GooglePull

log = logging.getLogger(__name__)

RENEW_BEFORE = timedelta(days=1)


def notifications_address(base_url: str) -> str:
    """Where Google posts change notifications (Google requires it to be HTTPS)."""
    return base_url.rstrip("/") + "/connectors/google/notifications"


def watch(pull: GooglePull, connection_id: str, address: str) -> str | None:
    """Open a channel on the connection's destination calendar; returns its id."""
    with pull.database.sessions() as session:
        row = session.get(ConnectionRow, connection_id)
        conn = store.get_connection(session, connection_id)
        if row is None or conn is None or not conn.active:
            return None
        calendar, old, old_resource = row.calendar_id, row.channel_id, row.channel_resource_id
    channel_id, token = secrets.token_hex(16), secrets.token_urlsafe(32)
    with pull.service_for(conn) as api:
        answer = execute(
            api.events().watch(
                calendarId=calendar,
                body={"id": channel_id, "type": "web_hook", "address": address, "token": token},
            )
        )
        if old is not None and old_resource is not None:
            # If this fails the old channel expires on its own; its token no longer matches.
            with contextlib.suppress(GoogleError):
                execute(api.channels().stop(body={"id": old, "resourceId": old_resource}))
    expires = datetime.fromtimestamp(int(answer.get("expiration", "0")) / 1000, UTC)
    with pull.database.sessions.begin() as session:
        row = session.get(ConnectionRow, connection_id)
        if row is not None:
            row.channel_id = channel_id
            row.channel_token = token
            row.channel_resource_id = str(answer.get("resourceId"))
            row.channel_expires_at = expires
    return channel_id


def renew_due(pull: GooglePull, address: str, now: datetime) -> int:
    with pull.database.sessions() as session:
        ids = list(
            session.scalars(
                select(ConnectionRow.id).where(
                    ConnectionRow.status == "active",
                    (ConnectionRow.channel_expires_at.is_(None))
                    | (ConnectionRow.channel_expires_at < now + RENEW_BEFORE),
                )
            )
        )
    renewed = 0
    for connection_id in ids:
        try:
            renewed += watch(pull, connection_id, address) is not None
        except GoogleError as exc:  # this one waits for the next round; the others go on
            log.warning("could not renew the watch channel of %s: %s", connection_id, exc)
    return renewed


def channel_connection(pull: GooglePull, channel_id: str, token: str) -> str | None:
    """The connection a notification is about, if its channel token matches."""
    with pull.database.sessions() as session:
        row = session.scalar(select(ConnectionRow).where(ConnectionRow.channel_id == channel_id))
        if row is None or row.channel_token is None:
            return None
        if not hmac.compare_digest(row.channel_token.encode(), token.encode()):
            return None
        return row.id
