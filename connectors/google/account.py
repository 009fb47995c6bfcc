"""What a staff member does with their connection once it exists: see their calendars
(``calendarList.list``), choose where bookings go and which calendars count as busy, and
disconnect (the grant revoked at ``Settings.google_revoke_uri``, the watch channel stopped,
tokens and busy intervals forgotten).

Not here: the OAuth round trip (``oauth``), the console screens (``booking_pages``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from connectors.google import channels, store
from connectors.google.calendar import GoogleError, execute
from connectors.google.models import ConnectionRow
from connectors.google.pull import GooglePull
from connectors.google.tokens import TokenCipherError
from hub.config import Settings

log = logging.getLogger(__name__)

REVOKE_TIMEOUT = 30


class ChoiceError(Exception):
    """The choice cannot be kept; ``code`` says why (``not_yours``: a calendar not in the
    user's list; ``read_only``: bookings sent to a calendar they cannot write to)."""

    def __init__(self, code: str, calendar_id: str) -> None:
        super().__init__(f"{code}: {calendar_id}")
        self.code = code
        self.calendar_id = calendar_id


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    id: str
    summary: str
    primary: bool
    writable: bool


def list_calendars(pull: GooglePull, conn: store.Connection) -> list[CalendarEntry]:
    """The calendars of the connection's Google account, primary first."""
    found: list[CalendarEntry] = []
    page: str | None = None
    with pull.service_for(conn) as api:
        while True:
            args: dict[str, Any] = {"maxResults": 250}
            if page is not None:
                args["pageToken"] = page
            answer = execute(api.calendarList().list(**args))
            for item in answer.get("items") or []:
                found.append(
                    CalendarEntry(
                        id=str(item["id"]),
                        summary=str(item.get("summaryOverride") or item.get("summary") or ""),
                        primary=bool(item.get("primary")),
                        writable=item.get("accessRole") in ("owner", "writer"),
                    )
                )
            page = answer.get("nextPageToken")
            if page is None:
                break
    return sorted(found, key=lambda c: (not c.primary, c.summary.lower(), c.id))


def choose_calendars(
    pull: GooglePull,
    conn: store.Connection,
    *,
    calendar_id: str,
    busy_calendar_ids: Sequence[str],
    resource_ids: Sequence[str] | None,
    address: str,
    now: datetime,
) -> None:
    """Keep the user's choice (checked against their calendar list), watch the destination
    calendar if it changed, and pull the chosen calendars at once."""
    calendars = {c.id: c for c in list_calendars(pull, conn)}
    primary = next((c.id for c in calendars.values() if c.primary), None)

    def known(value: str) -> str:
        value = primary if value == "primary" and primary else value
        if value not in calendars:
            raise ChoiceError("not_yours", value)
        return value

    destination = known(calendar_id)
    if not calendars[destination].writable:
        raise ChoiceError("read_only", destination)
    busy = [known(c) for c in busy_calendar_ids]
    current = primary if conn.calendar_id == "primary" else conn.calendar_id
    with pull.database.sessions.begin() as session:
        store.choose_calendars(
            session,
            conn.id,
            calendar_id=destination,
            busy_calendar_ids=busy,
            resource_ids=resource_ids,
            now=now,
        )
    if destination != current:
        with contextlib.suppress(GoogleError):
            channels.watch(pull, conn.id, address)
    pull.sync(conn.id)


def revoke(settings: Settings, token: str) -> bool:
    """Ask Google to revoke the grant (RFC 7009); False if it could not be reached or said no."""
    try:
        answer = httpx.post(
            settings.google_revoke_uri,
            data={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=REVOKE_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        log.warning("could not revoke a Google grant: %r", exc)
        return False
    return answer.status_code == 200


def disconnect(pull: GooglePull, settings: Settings, connection_id: str) -> bool:
    """Stop the watch channel, revoke the grant, forget the connection and what it pulled.
    The connection is forgotten even when Google cannot be reached (returns False then:
    the user may revoke access in their Google account themselves)."""
    with pull.database.sessions() as session:
        row = session.get(ConnectionRow, connection_id)
        conn = store.get_connection(session, connection_id)
        if row is None or conn is None:
            return False
        channel, resource = row.channel_id, row.channel_resource_id
    revoked = False
    try:
        token = pull.cipher.open(conn.refresh_token)
    except TokenCipherError:
        token = None
    if token is not None:
        if channel is not None and resource is not None:
            # A revoked grant cannot stop its channel any more: stop it first.
            with contextlib.suppress(GoogleError), pull.service_for(conn) as api:
                execute(api.channels().stop(body={"id": channel, "resourceId": resource}))
        revoked = revoke(settings, token)
    with pull.database.sessions.begin() as session:
        store.forget_connection(session, connection_id)
    return revoked
