"""DELETE in a resource's collection: an event's deletion cancels its booking or removes its
blocks (``caldav_server.writes``); the collection itself cannot be deleted."""

from __future__ import annotations

from caldav_server.refusals import RefusedError
from caldav_server.resource_collection.base import ResourceCollectionBase


class ResourceCollectionDelete(ResourceCollectionBase):
    def delete(self, href: str | None = None) -> None:
        if href is None:
            raise RefusedError(
                403, "DAV:", "need-privileges", "a resource's calendar cannot be deleted"
            )
        self._backend.writer(self._owner).delete(self.resource.id, href)
