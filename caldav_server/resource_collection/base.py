"""What every part of a resource's collection shares: the resource, its business, the
catalogue its events are rendered with, a session that waits for nothing, its meta and ETag."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from caldav_server import read_model
from caldav_server.base import Backend, Root, http_date
from caldav_server.own_rows import seq
from caldav_server.refusals import refuse
from caldav_server.render import etag_of
from hub.domain.accounts import User
from hub.domain.model import Business, Resource
from hub.ical.timezones import vtimezone


class ResourceCollectionBase(Root):
    """A resource's agenda as a Radicale collection: its bookings (not cancelled or expired)
    and blocks."""

    def __init__(self, backend: Backend, owner: User, resource: Resource, business: Business):
        super().__init__(f"{owner.id}/{resource.id}")
        self._backend = backend
        self._owner = owner
        self.resource = resource
        self.business = business
        self._catalog: read_model.Catalog | None = None

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        # Load the catalog first: on SQLite a second session opened inside this one would
        # wait for this one's write lock (every transaction there is BEGIN IMMEDIATE).
        self.catalog()
        with self._backend.database.sessions() as session:
            yield session

    def catalog(self) -> read_model.Catalog:
        if self._catalog is None:
            self._catalog = self._backend.catalog(self.resource.id)
            if self._catalog is None:
                raise refuse("not-found", "no such calendar", status=404)
        return self._catalog

    def get_meta(self, key: str | None = None) -> Any:
        meta = {
            "tag": "VCALENDAR",
            "D:displayname": self.resource.name,
            "ICAL:calendar-color": self.resource.color,
            "C:supported-calendar-component-set": "VEVENT",
            "C:calendar-description": f"{self.business.name} — {self.resource.name}",
        }
        if key == "C:calendar-timezone":
            today = self._backend.clock().date()
            return vtimezone(self.business.timezone, today, today).to_ical().decode()
        return meta if key is None else meta.get(key)

    def _seq(self) -> int:
        with self._session() as session:
            return seq(session, self.resource.id)

    @property
    def etag(self) -> str:
        return etag_of(
            "cal", self.resource.id, self._seq(), self.resource.name, self.resource.color
        )

    @property
    def last_modified(self) -> str:
        return http_date(self._backend.clock())
