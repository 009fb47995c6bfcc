"""sync-collection (RFC 6578) of a resource's collection: the current token, and the hrefs
changed since an old one, from the change log the database triggers keep
(``caldav_server.schema``)."""

from __future__ import annotations

from collections.abc import Iterable

from caldav_server import read_model
from caldav_server.base import SYNC_PREFIX
from caldav_server.own_rows import changes_since, seq
from caldav_server.render import booking_href
from caldav_server.resource_collection.get import ResourceCollectionGet


class ResourceCollectionSync(ResourceCollectionGet):
    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._session() as session:
            current = seq(session, self.resource.id)
            token = f"{SYNC_PREFIX}{current}"
            if not old_token:
                rid = self.resource.id
                hrefs = [booking_href(i) for i in read_model.booking_ids(session, rid)]
                blocks = self._block_items(
                    session, read_model.blocks(session, rid, branch_ids=self.resource.branch_ids)
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
            return token, changes_since(session, self.resource.id, since)
