"""Radicale storage plugin whose store is the hub database (no .ics files on disk).

Layout: ``/`` → ``/<user id>/`` (principal, calendar home) → ``/<user id>/<resource id>/``
(one calendar per resource the user may see) and ``/<user id>/<name>/`` (personal calendars
made with MKCALENDAR) → ``…/<href>`` (events). Rights (``caldav_server.plugins``) keep every
user inside their own home and their business's resources.

The collection methods stock Radicale answers by reading every item — time-range REPORT
(``get_filtered``), sync-collection (``sync``), ``has_uid`` and PUT — are answered here by
indexed queries (``caldav_server.store``). A whole-calendar listing reads only the columns
ETags are made from; an ETags-only sync-collection skips Radicale's per-item work altogether
(``caldav_server.sync_report``, through ``etags``). Writes go through ``caldav_server.writes``
(resource calendars, hence ``hub.services``) and ``caldav_server.personal``.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from radicale import item as radicale_item
from radicale import pathutils
from radicale.item import filter as radicale_filter
from radicale.storage import BaseCollection, BaseStorage

from caldav_server import personal, store
from caldav_server.base import SYNC_PREFIX, Backend, LazyItem, Root, http_date
from caldav_server.events import RefusedError, refuse
from caldav_server.render import (
    block_etag,
    block_href,
    block_text,
    block_uid,
    booking_etag,
    booking_href,
    booking_text,
    etag_from,
    etag_of,
    parse_href,
    timestamp,
)
from caldav_server.schema import ClientItemRow, PersonalCalendarRow
from hub.domain.accounts import User
from hub.domain.model import Block, Business, Resource
from hub.ical.timezones import vtimezone


class ResourceCalendar(Root):
    """A resource's agenda: its bookings (not cancelled or expired) and blocks."""

    def __init__(self, backend: Backend, owner: User, resource: Resource, business: Business):
        super().__init__(f"{owner.id}/{resource.id}")
        self._backend = backend
        self._owner = owner
        self.resource = resource
        self.business = business
        self._catalog: store.Catalog | None = None

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        # Load the catalog first: on SQLite a second session opened inside this one would
        # wait for this one's write lock (every transaction there is BEGIN IMMEDIATE).
        self.catalog()
        with self._backend.database.sessions() as session:
            yield session

    def catalog(self) -> store.Catalog:
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
            return store.seq(session, self.resource.id)

    @property
    def etag(self) -> str:
        return etag_of(
            "cal", self.resource.id, self._seq(), self.resource.name, self.resource.color
        )

    @property
    def last_modified(self) -> str:
        return http_date(self._backend.clock())

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._session() as session:
            current = store.seq(session, self.resource.id)
            token = f"{SYNC_PREFIX}{current}"
            if not old_token:
                rid = self.resource.id
                hrefs = [booking_href(i) for i in store.booking_ids(session, rid)]
                blocks = self._block_items(
                    session, store.blocks(session, rid, branch_ids=self.resource.branch_ids)
                )
                return token, hrefs + [item.href or "" for item in blocks]
            if not old_token.startswith(SYNC_PREFIX):
                raise ValueError("not a sync token of this server")
            try:
                since = int(old_token[len(SYNC_PREFIX) :])
            except ValueError as exc:
                raise ValueError("malformed sync token") from exc
            if since > current or since < 0:
                raise ValueError("sync token from the future")
            return token, store.changes_since(session, self.resource.id, since)

    # --- reads ---------------------------------------------------------------------------

    def _booking_items(self, rows: Sequence[tuple[Any, Any]]) -> list[LazyItem]:
        catalog = self.catalog()
        items: list[LazyItem] = []
        for booking, customer in rows:
            if booking.service_id not in catalog.services:
                continue

            etag = booking_etag(booking, customer, catalog)

            def render(b: Any = booking, c: Any = customer, tag: str = etag) -> str:
                return self._backend.renders.get(tag, lambda: booking_text(b, c, catalog))

            items.append(
                LazyItem(
                    collection=self,
                    href=booking_href(booking.id),
                    etag=etag,
                    uid=booking.uid,
                    time_range=(timestamp(booking.start), timestamp(booking.end)),
                    last_modified=http_date(booking.updated_at or booking.created_at),
                    render=render,
                )
            )
        return items

    def _block_items(self, session: Any, blocks: Sequence[Block]) -> list[LazyItem]:
        catalog = self.catalog()
        uids = {b.external_uid for b in blocks if b.external_uid}
        client = store.client_items(session, self.resource.id, uids=uids) if uids else []
        by_uid = {row.uid: row for row in client}
        items: list[LazyItem] = [self._client_item(row) for row in client]
        for block in blocks:
            if block.external_uid in by_uid:
                continue

            etag = block_etag(block, catalog)

            def render(b: Block = block, tag: str = etag) -> str:
                return self._backend.renders.get(tag, lambda: block_text(b, catalog))

            items.append(
                LazyItem(
                    collection=self,
                    href=block_href(block.id),
                    etag=etag,
                    uid=block_uid(block),
                    time_range=(timestamp(block.start), timestamp(block.end)),
                    last_modified=http_date(block.start),
                    render=render,
                )
            )
        return items

    def _client_item(self, row: ClientItemRow) -> LazyItem:
        text = row.ics
        return LazyItem(
            collection=self,
            href=row.href,
            etag=row.etag,
            uid=row.uid,
            time_range=(radicale_filter.TIMESTAMP_MIN, radicale_filter.TIMESTAMP_MAX),
            last_modified=http_date(row.updated_at),
            render=lambda: text,
        )

    def _listed_items(self, rows: Sequence[Any]) -> list[LazyItem]:
        """Items of a whole-calendar listing, from ``store.booking_listing`` rows: their
        texts (rarely asked for in a listing) are rendered from bookings read in one query
        the first time any of them is."""
        catalog = self.catalog()
        rid = self.resource.id
        loaded: dict[str, tuple[Any, Any]] = {}

        def render(booking_id: str, tag: str) -> str:
            if not loaded:
                with self._session() as session:
                    loaded.update((b.id, (b, c)) for b, c in store.bookings(session, rid))
            found = loaded.get(booking_id)
            if found is None:
                # Cancelled or moved since the listing was read, a moment ago: answer what
                # it is now (a cancelled event) rather than fail the whole answer.
                with self._session() as session:
                    found = store.booking_anyhow(session, booking_id)
            if found is None:
                raise refuse("not-found", "the event left this calendar", status=404)
            booking, customer = found
            if booking_etag(booking, customer, catalog) != tag:
                # Changed since the listing was read: render it, but never file the new
                # text under the old ETag.
                return booking_text(booking, customer, catalog)
            return self._backend.renders.get(tag, lambda: booking_text(booking, customer, catalog))

        items: list[LazyItem] = []
        dates: dict[datetime | None, str] = {}
        for row in rows:
            if row.service_id not in catalog.services:
                continue
            etag = self._etag_of_row(catalog, row)
            changed = row.updated_at or row.created_at
            if changed not in dates:
                dates[changed] = http_date(changed)
            items.append(
                LazyItem(
                    collection=self,
                    href=booking_href(row.id),
                    etag=etag,
                    uid=f"{row.id}@turnero",
                    time_range=(timestamp(row.start_at), timestamp(row.end_at)),
                    last_modified=dates[changed],
                    render=partial(render, row.id, etag),
                )
            )
        return items

    def _all(self, session: Any) -> list[LazyItem]:
        rid = self.resource.id
        return self._listed_items(store.booking_listing(session, rid)) + self._block_items(
            session, store.blocks(session, rid, branch_ids=self.resource.branch_ids)
        )

    def get_all(self) -> Iterable[radicale_item.Item]:
        with self._session() as session:
            return self._all(session)

    def get_filtered(
        self, filters: Iterable[ET.Element]
    ) -> Iterable[tuple[radicale_item.Item, bool]]:
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, "VCALENDAR")
        if tag not in (None, "VEVENT"):
            return []
        lo = datetime.fromtimestamp(max(start, 0), UTC)
        hi = datetime.fromtimestamp(min(end, 253402300799), UTC)
        rid, branches = self.resource.id, self.resource.branch_ids
        with self._session() as session:
            items = self._booking_items(store.bookings(session, rid, start=lo, end=hi))
            items += self._block_items(
                session, store.blocks(session, rid, start=lo, end=hi, branch_ids=branches)
            )
        # Bookings and blocks were found by their own start and end; an event a client put
        # here, through a block of it that overlaps: each matches the range as it is, and
        # Radicale need not read its text again to know.
        return [(item, simple) for item in items]

    def get_multi(self, hrefs: Iterable[str]) -> Iterable[tuple[str, radicale_item.Item | None]]:
        wanted = list(dict.fromkeys(hrefs))
        if not wanted:
            return []  # Radicale asks with no hrefs at all when a REPORT names the calendar
        booking_ids, block_ids, others = [], [], []
        for href in wanted:
            kind = parse_href(href)
            if kind is None:
                others.append(href)
            elif kind[0] == "booking":
                booking_ids.append(kind[1])
                others.append(href)  # apps name their own events by a UUID too
            else:
                block_ids.append(kind[1])
                others.append(href)  # a console block a client edited is a client item
        rid = self.resource.id
        found: dict[str, radicale_item.Item] = {}
        with self._session() as session:
            if booking_ids:
                # A whole-calendar multiget (an initial sync) reads the calendar once rather
                # than binding thousands of ids into one IN clause.
                many = len(booking_ids) > 200
                rows = store.bookings(session, rid, ids=None if many else booking_ids)
                for item in self._booking_items(rows):
                    found[item.href or ""] = item
            if others:
                for row in store.client_items(session, rid, hrefs=others):
                    found.setdefault(row.href, self._client_item(row))
            if block_ids:
                blocks = [
                    b
                    for b in store.blocks(
                        session, rid, ids=block_ids, branch_ids=self.resource.branch_ids
                    )
                    if block_href(b.id) not in found
                ]
                for item in self._block_items(session, blocks):
                    found.setdefault(item.href or "", item)
        return [(href, found.get(href)) for href in wanted]

    def etags(self, hrefs: Sequence[str] | None = None) -> dict[str, str | None]:
        """ETag by href: of every event when ``hrefs`` is None (an initial sync, one lean
        query), else of those hrefs (None for what has left the calendar)."""
        if hrefs is not None:
            return {href: item.etag if item else None for href, item in self.get_multi(hrefs)}
        catalog = self.catalog()
        rid = self.resource.id
        with self._session() as session:
            rows = store.booking_listing(session, rid)
            blocks = self._block_items(
                session, store.blocks(session, rid, branch_ids=self.resource.branch_ids)
            )
        found: dict[str, str | None] = {
            booking_href(row.id): self._etag_of_row(catalog, row)
            for row in rows
            if row.service_id in catalog.services
        }
        found.update((item.href or "", item.etag) for item in blocks)
        return found

    @staticmethod
    def _etag_of_row(catalog: store.Catalog, row: Any) -> str:
        return etag_from(
            catalog, row.id, row.version, row.service_id, row.branch_id, row.customer_version
        )

    def has_uid(self, uid: str) -> bool:
        with self._session() as session:
            if uid.endswith("@turnero") and not uid.startswith("block-"):
                booking_id = uid[: -len("@turnero")]
                return store.booking_on(session, self.resource.id, booking_id) is not None
            if store.client_items(session, self.resource.id, uids=[uid]):
                return True
            return bool(store.blocks(session, self.resource.id, uids=[uid]))

    # --- writes --------------------------------------------------------------------------

    def upload(
        self, href: str, item: radicale_item.Item
    ) -> tuple[radicale_item.Item, radicale_item.Item | None]:
        body, parsed = self._backend.request_object() or (item.serialize().encode(), None)
        stored = self._backend.writer(self._owner).put(self.catalog(), href, body, parsed)
        self._backend.request.verbatim = stored is not None
        if stored is not None:
            return self._client_item(stored), None
        ((_, uploaded),) = self.get_multi([href])
        if uploaded is None:
            raise refuse("booking-state", "the event left this calendar", status=409)
        return uploaded, None

    def delete(self, href: str | None = None) -> None:
        if href is None:
            raise RefusedError(
                403, "DAV:", "need-privileges", "a resource's calendar cannot be deleted"
            )
        self._backend.writer(self._owner).delete(self.resource.id, href)

    def set_meta(self, props: Mapping[str, str]) -> None:
        raise RefusedError(
            403, "DAV:", "cannot-modify-protected-property", "rename the resource in Turnero"
        )


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
                return ResourceCalendar(self.backend, owner, resource, business)
            return None
        with self.backend.database.sessions() as session:
            row = store.personal_calendar(session, owner.id, name)
        if row is None:
            return None
        return personal.PersonalCalendar(self.backend, owner, row)

    def _calendars(self, owner: User) -> list[BaseCollection]:
        with self.backend.database.sessions() as session:
            resources = store.visible_resources(session, owner)
            rows: list[PersonalCalendarRow] = store.personal_calendars(session, owner.id)
            business = None
            if resources:
                found = store.resource(session, resources[0].id)
                business = found[1] if found else None
        out: list[BaseCollection] = []
        if business is not None:
            out += [
                ResourceCalendar(self.backend, owner, r, business) for r in resources if r.active
            ]
        out += [personal.PersonalCalendar(self.backend, owner, row) for row in rows]
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
        if isinstance(source, ResourceCalendar) and isinstance(to_collection, ResourceCalendar):
            writer = self.backend.writer(source._owner)
            writer.move_booking(source.resource.id, item.href or "", to_collection.resource.id)
            return
        if isinstance(source, personal.PersonalCalendar) and isinstance(
            to_collection, personal.PersonalCalendar
        ):
            personal.move(source, item, to_collection, to_href)
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
        row = personal.create_calendar(self.backend, owner, parts[1], props or {})
        return personal.PersonalCalendar(self.backend, owner, row), {}, []

    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args: Any, **kwargs: Any) -> Iterator[None]:
        # The database's transactions do the locking (DESIGN §3.2).
        yield

    def verify(self) -> bool:
        return True
