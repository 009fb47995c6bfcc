"""Pieces every collection of the CalDAV view shares: the ``Backend`` handed to the plugins
(with its per-request lookups), items rendered on demand (``LazyItem``), the home and root
collections, HTTP dates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TypeVar, cast

from icalendar import Calendar
from radicale import item as radicale_item
from radicale.storage import BaseCollection
from sqlalchemy.orm import Session

from caldav_server import read_model
from caldav_server.refusals import RefusedError
from caldav_server.render import etag_of
from caldav_server.writes import Writer
from hub.domain.accounts import User
from hub.domain.model import Business, Resource
from hub.persistence.uow import SqlDatabase
from hub.services.bound import Services
from hub.services.ports import UnitOfWork

SYNC_PREFIX = "http://turnero.app/ns/sync/"
T = TypeVar("T")


class RenderCache:
    """Rendered texts by ETag (an ETag names one exact text). Radicale serialises every
    item a REPORT returns, even for a getetag-only sync; rendering a booking through
    icalendar costs milliseconds, so each version is rendered once per process."""

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, etag: str, render: Callable[[], str]) -> str:
        with self._lock:
            text = self._texts.get(etag)
            if text is not None:
                self._texts.move_to_end(etag)
                return text
        text = render()
        with self._lock:
            self._texts[etag] = text
            if len(self._texts) > self._size:
                self._texts.popitem(last=False)
        return text


@dataclass
class Backend:
    """What the plugins need from the hub, handed to them when the app is built.

    Radicale asks for the same user, resource and calendar several times while it answers
    one request (auth, rights, discovery of the item and of its parent, the upload); each
    is read once per request and kept in ``request`` (a request runs on one thread). Nothing
    is kept between requests, so a change made elsewhere is seen by the next request.
    """

    database: SqlDatabase
    clock: Callable[[], datetime]
    # The bound use cases (``hub.core``): moves over CalDAV count the same busy time as any
    # other entry point. Without one (a bare database), no busy source beyond bookings.
    core: Services | None = None
    request: threading.local = field(default_factory=threading.local)
    renders: RenderCache = field(default_factory=RenderCache)

    def __post_init__(self) -> None:
        if self.core is None:
            database = self.database
            self.core = Services(lambda: cast(UnitOfWork, database.unit_of_work()), self.clock, ())

    def writer(self, user: User) -> Writer:
        assert self.core is not None
        return Writer(self.database, self.clock, user, self.core)

    def request_body(self) -> bytes | None:
        body: bytes | None = getattr(self.request, "body", None)
        return body

    def request_object(self) -> tuple[bytes, Calendar | None] | None:
        """The PUT body and its calendar as the request's first reading parsed it (None if
        it did not), so that a PUT is parsed once."""
        body = self.request_body()
        if body is None:
            return None
        calendar: Calendar | None = getattr(self.request, "calendar", None)
        return body, calendar

    def begin_request(self) -> None:
        self.request.lookups = {}
        self.request.body, self.request.calendar, self.request.verbatim = None, None, False
        self.request.xml = self.request.limit = None

    def end_request(self) -> None:
        self.request.lookups = None
        self.request.body = self.request.calendar = self.request.xml = None
        self.request.limit = None

    def remember(self, key: tuple[str, str], value: object) -> None:
        lookups: dict[tuple[str, str], object] | None = getattr(self.request, "lookups", None)
        if lookups is not None:
            lookups[key] = value

    def lookup(self, key: tuple[str, str], load: Callable[[Session], T]) -> T:
        """``load``'s answer, read once per request."""
        lookups: dict[tuple[str, str], Any] | None = getattr(self.request, "lookups", None)
        if lookups is not None and key in lookups:
            value: T = lookups[key]
            return value
        with self.database.sessions() as session:
            value = load(session)
        if lookups is not None:
            lookups[key] = value
        return value

    def user(self, user_id: str) -> User | None:
        return self.lookup(("user", user_id), lambda s: read_model.user(s, user_id))

    def resource(self, resource_id: str) -> tuple[Resource, Business] | None:
        if len(resource_id) != 36:
            return None
        return self.lookup(("resource", resource_id), lambda s: read_model.resource(s, resource_id))

    def catalog(self, resource_id: str) -> read_model.Catalog | None:
        return self.lookup(("catalog", resource_id), lambda s: read_model.catalog(s, resource_id))


def http_date(moment: datetime | None) -> str:
    return format_datetime((moment or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC), True)


class LazyItem(radicale_item.Item):
    """An item whose ETag and time range are known up front and whose text is rendered
    only if a client asks for it (a PROPFIND of ETags renders nothing)."""

    def __init__(
        self,
        *,
        collection: BaseCollection,
        href: str,
        etag: str,
        uid: str,
        time_range: tuple[int, int],
        last_modified: str,
        render: Callable[[], str],
        component: str = "VEVENT",
    ) -> None:
        # Radicale's Item.__init__ re-sanitises the collection path for every item (an
        # assert); a calendar of 10,000 events would pay that 10,000 times per listing.
        self._collection_path = collection.path
        self.collection = collection
        self.href = href
        self.last_modified = last_modified
        self._text = None
        self._vobject_item = None
        self._etag = etag
        self._uid = uid
        self._name = "VCALENDAR"
        self._component_name = component
        self._time_range = time_range
        self._render = render

    def serialize(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    @property
    def vobject_item(self) -> Any:
        self.serialize()
        return super().vobject_item


class Root(BaseCollection):
    def __init__(self, path: str = "") -> None:
        self._path = path

    @property
    def path(self) -> str:
        return self._path

    def get_meta(self, key: str | None = None) -> Any:
        return {} if key is None else None

    def get_multi(self, hrefs: Iterable[str]) -> Iterable[tuple[str, radicale_item.Item | None]]:
        return [(href, None) for href in hrefs]

    def get_all(self) -> Iterable[radicale_item.Item]:
        return ()

    @property
    def last_modified(self) -> str:
        return http_date(None)

    @property
    def etag(self) -> str:
        return etag_of("root", self._path)

    def set_meta(self, props: Mapping[str, str]) -> None:
        raise RefusedError(403, "DAV:", "need-privileges", "the home collection cannot be changed")

    def delete(self, href: str | None = None) -> None:
        raise RefusedError(403, "DAV:", "need-privileges", "the home collection cannot be deleted")
