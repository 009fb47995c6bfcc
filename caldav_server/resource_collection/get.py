"""GET, REPORT and PROPFIND of a resource's collection: its items, found by indexed queries
(``caldav_server.read_model``) rather than by reading every item as stock Radicale does.

A whole-calendar listing reads only the columns ETags are made from; an ETags-only
sync-collection skips Radicale's per-item work altogether (``caldav_server.sync_report``,
through ``etags``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from radicale import item as radicale_item
from radicale.item import filter as radicale_filter

from caldav_server import read_model
from caldav_server.base import LazyItem, http_date
from caldav_server.refusals import refuse
from caldav_server.render import (
    block_etag,
    block_href,
    block_text,
    block_uid,
    booking_etag,
    booking_href,
    booking_text,
    etag_from,
    parse_href,
    timestamp,
)
from caldav_server.resource_collection.base import ResourceCollectionBase
from caldav_server.tables import ClientItemRow
from hub.domain.model import Block


class ResourceCollectionGet(ResourceCollectionBase):
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
        client = read_model.client_items(session, self.resource.id, uids=uids) if uids else []
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
        """Items of a whole-calendar listing, from ``read_model.booking_listing`` rows: their
        texts (rarely asked for in a listing) are rendered from bookings read in one query
        the first time any of them is."""
        catalog = self.catalog()
        rid = self.resource.id
        loaded: dict[str, tuple[Any, Any]] = {}

        def render(booking_id: str, tag: str) -> str:
            if not loaded:
                with self._session() as session:
                    loaded.update((b.id, (b, c)) for b, c in read_model.bookings(session, rid))
            found = loaded.get(booking_id)
            if found is None:
                # Cancelled or moved since the listing was read, a moment ago: answer what
                # it is now (a cancelled event) rather than fail the whole answer.
                with self._session() as session:
                    found = read_model.booking_anyhow(session, booking_id)
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
        return self._listed_items(read_model.booking_listing(session, rid)) + self._block_items(
            session, read_model.blocks(session, rid, branch_ids=self.resource.branch_ids)
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
            items = self._booking_items(read_model.bookings(session, rid, start=lo, end=hi))
            items += self._block_items(
                session, read_model.blocks(session, rid, start=lo, end=hi, branch_ids=branches)
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
                rows = read_model.bookings(session, rid, ids=None if many else booking_ids)
                for item in self._booking_items(rows):
                    found[item.href or ""] = item
            if others:
                for row in read_model.client_items(session, rid, hrefs=others):
                    found.setdefault(row.href, self._client_item(row))
            if block_ids:
                blocks = [
                    b
                    for b in read_model.blocks(
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
            rows = read_model.booking_listing(session, rid)
            blocks = self._block_items(
                session, read_model.blocks(session, rid, branch_ids=self.resource.branch_ids)
            )
        found: dict[str, str | None] = {
            booking_href(row.id): self._etag_of_row(catalog, row)
            for row in rows
            if row.service_id in catalog.services
        }
        found.update((item.href or "", item.etag) for item in blocks)
        return found

    @staticmethod
    def _etag_of_row(catalog: read_model.Catalog, row: Any) -> str:
        return etag_from(
            catalog, row.id, row.version, row.service_id, row.branch_id, row.customer_version
        )

    def has_uid(self, uid: str) -> bool:
        with self._session() as session:
            if uid.endswith("@turnero") and not uid.startswith("block-"):
                booking_id = uid[: -len("@turnero")]
                return read_model.booking_on(session, self.resource.id, booking_id) is not None
            if read_model.client_items(session, self.resource.id, uids=[uid]):
                return True
            return bool(read_model.blocks(session, self.resource.id, uids=[uid]))
