"""sync-collection (RFC 6578) of a personal collection, from the change log the database
triggers keep (``caldav_server.schema``)."""

from __future__ import annotations

from collections.abc import Iterable

from caldav_server import own_rows
from caldav_server.base import SYNC_PREFIX
from caldav_server.personal_collection.base import PersonalCollectionBase


class PersonalCollectionSync(PersonalCollectionBase):
    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._session() as session:
            current = own_rows.seq(session, self.row.id)
            token = f"{SYNC_PREFIX}{current}"
            if not old_token:
                rows = own_rows.personal_events(session, self.row.id)
                return token, [r.href for r in rows]
            try:
                since = int(old_token.removeprefix(SYNC_PREFIX))
            except ValueError as exc:
                raise ValueError("malformed sync token") from exc
            if since > current or since < 0 or not old_token.startswith(SYNC_PREFIX):
                raise ValueError("not a sync token of this calendar")
            return token, own_rows.changes_since(session, self.row.id, since)
