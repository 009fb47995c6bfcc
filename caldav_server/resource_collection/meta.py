"""PROPPATCH of a resource's collection: refused, its name and colour are the resource's
(its meta is read in ``caldav_server.resource_collection.base``)."""

from __future__ import annotations

from collections.abc import Mapping

from caldav_server.refusals import RefusedError
from caldav_server.resource_collection.base import ResourceCollectionBase


class ResourceCollectionMeta(ResourceCollectionBase):
    def set_meta(self, props: Mapping[str, str]) -> None:
        raise RefusedError(
            403, "DAV:", "cannot-modify-protected-property", "rename the resource in Turnero"
        )
