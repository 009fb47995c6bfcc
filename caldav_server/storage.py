"""Radicale storage plugin whose store is the hub database (no .ics files on disk).

Layout: ``/`` → ``/<user id>/`` (principal, calendar home) → ``/<user id>/<resource id>/``
(one collection per resource the user may see: ``caldav_server.resource_collection``) and
``/<user id>/<name>/`` (personal calendars made with MKCALENDAR:
``caldav_server.personal_collection``) → ``…/<href>`` (events). Rights
(``caldav_server.plugins``) keep every user inside their own home and their business's
resources.

The collection methods stock Radicale answers by reading every item — time-range REPORT
(``get_filtered``), sync-collection (``sync``), ``has_uid`` and PUT — are answered by the
collections with indexed queries (``caldav_server.read_model``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from radicale import item as radicale_item
from radicale import pathutils
from radicale.storage import BaseCollection, BaseStorage

from caldav_server import own_rows, personal_collection, read_model
from caldav_server.base import Backend, Root
from caldav_server.refusals import RefusedError, refuse
from caldav_server.resource_collection import ResourceCollection
from caldav_server.tables import PersonalCalendarRow
from hub.domain.accounts import User


class Storage(BaseStorage):
    """The hub as a Radicale store (built by ``caldav_server.app``, given a ``Backend``)."""

    _is_collision_free = True
    _supports_unicode = True

    def __init__(self, configuration: Any, backend: Backend) -> None:
        super().__init__(configuration)
        self.backend = backend

    def _user(self, user_id: str) -> User | None:
        return self.backend.user(user_id)

    def _calendar(self, owner: User, name: str) -> BaseCollection | None:
        found = self.backend.resource(name)
        if found is not None:
            resource, business = found
            if business.id == owner.business_id and resource.active:
                return ResourceCollection(self.backend, owner, resource, business)
            return None
        with self.backend.database.sessions() as session:
            row = own_rows.personal_calendar(session, owner.id, name)
        if row is None:
            return None
        return personal_collection.PersonalCollection(self.backend, owner, row)

    def _calendars(self, owner: User) -> list[BaseCollection]:
        with self.backend.database.sessions() as session:
            resources = read_model.visible_resources(session, owner)
            rows: list[PersonalCalendarRow] = own_rows.personal_calendars(session, owner.id)
            business = None
            if resources:
                found = read_model.resource(session, resources[0].id)
                business = found[1] if found else None
        out: list[BaseCollection] = []
        if business is not None:
            out += [
                ResourceCollection(self.backend, owner, r, business) for r in resources if r.active
            ]
        out += [personal_collection.PersonalCollection(self.backend, owner, row) for row in rows]
        return out

    def discover(
        self,
        path: str,
        depth: str = "0",
        child_context_manager: Any = None,
        user_groups: Any = frozenset(),
    ) -> Iterator[Any]:
        sane = pathutils.strip_path(path)
        parts = sane.split("/") if sane else []
        if not parts:
            yield Root()
            return
        owner = self._user(parts[0])
        if owner is None or not owner.active:
            return
        if len(parts) == 1:
            yield Root(owner.id)
            if depth != "0":
                yield from self._calendars(owner)
            return
        calendar = self._calendar(owner, parts[1])
        if calendar is None:
            return
        if len(parts) == 2:
            yield calendar
            if depth != "0":
                yield from calendar.get_all()
            return
        if len(parts) == 3:
            ((_, item),) = calendar.get_multi([parts[2]])
            if item is not None:
                yield item

    def move(self, item: radicale_item.Item, to_collection: BaseCollection, to_href: str) -> None:
        source = item.collection
        if isinstance(source, ResourceCollection) and isinstance(to_collection, ResourceCollection):
            writer = self.backend.writer(source._owner)
            writer.move_booking(source.resource.id, item.href or "", to_collection.resource.id)
            return
        if isinstance(source, personal_collection.PersonalCollection) and isinstance(
            to_collection, personal_collection.PersonalCollection
        ):
            personal_collection.move(source, item, to_collection, to_href)
            return
        raise refuse("moves-bookings-only", "events move between calendars of the same kind only")

    def create_collection(
        self,
        href: str,
        items: Iterable[radicale_item.Item] | None = None,
        props: Mapping[str, str] | None = None,
    ) -> tuple[BaseCollection, dict[str, radicale_item.Item], list[str]]:
        parts = pathutils.strip_path(href).split("/")
        owner = self._user(parts[0]) if parts and parts[0] else None
        if owner is None or len(parts) != 2 or items:
            raise RefusedError(403, "DAV:", "need-privileges", "calendars are made with MKCALENDAR")
        if (props or {}).get("tag", "VCALENDAR") != "VCALENDAR":
            raise RefusedError(403, "DAV:", "need-privileges", "only calendars can be made here")
        row = personal_collection.create_calendar(self.backend, owner, parts[1], props or {})
        return personal_collection.PersonalCollection(self.backend, owner, row), {}, []

    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args: Any, **kwargs: Any) -> Iterator[None]:
        # The database's transactions do the locking (DESIGN §3.2).
        yield

    def verify(self) -> bool:
        return True
