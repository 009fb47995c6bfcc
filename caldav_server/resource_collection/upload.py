"""PUT into a resource's collection: a booking's event moves or edits the booking, a new event
becomes a block (``caldav_server.writes``, hence ``hub.services``); what the hub keeps as the
client sent it (an event that became blocks) is answered verbatim."""

from __future__ import annotations

from radicale import item as radicale_item

from caldav_server.refusals import refuse
from caldav_server.resource_collection.get import ResourceCollectionGet


class ResourceCollectionUpload(ResourceCollectionGet):
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
