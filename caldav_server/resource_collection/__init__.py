"""A resource's agenda as a Radicale collection, split by verb as Radicale splits its own
(``radicale.storage.multifilesystem``): ``base`` (meta, ETag), ``get`` (items and queries),
``sync`` (sync-collection), ``upload`` (PUT), ``delete``, ``meta`` (PROPPATCH).

Reads are indexed queries (``caldav_server.read_model``); writes go through
``caldav_server.writes``, hence ``hub.services``.
"""

from __future__ import annotations

from caldav_server.resource_collection.delete import ResourceCollectionDelete
from caldav_server.resource_collection.meta import ResourceCollectionMeta
from caldav_server.resource_collection.sync import ResourceCollectionSync
from caldav_server.resource_collection.upload import ResourceCollectionUpload


class ResourceCollection(
    ResourceCollectionUpload,
    ResourceCollectionSync,
    ResourceCollectionDelete,
    ResourceCollectionMeta,
):
    """A resource's agenda: its bookings (not cancelled or expired) and blocks."""
