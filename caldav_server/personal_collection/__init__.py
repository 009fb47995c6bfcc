"""Personal calendars as Radicale collections: what a staff member makes with MKCALENDAR,
stored in the hub database, split by verb as Radicale splits its own storage.

A plain CalDAV calendar — events may overlap, no booking rule applies, the client's bytes are
kept as sent. Its opaque events are busy time for the resources the member is linked to
(``caldav_server.personal_busy``).

Time-range queries (a client's REPORT, availability) read no event text: a single event's
start and end are columns, a repeating one's times are kept beside it (``timing``).
"""

from __future__ import annotations

from caldav_server.personal_collection.create_collection import create_calendar
from caldav_server.personal_collection.delete import PersonalCollectionDelete
from caldav_server.personal_collection.get import PersonalCollectionGet
from caldav_server.personal_collection.meta import PersonalCollectionMeta
from caldav_server.personal_collection.move import move
from caldav_server.personal_collection.sync import PersonalCollectionSync
from caldav_server.personal_collection.upload import PersonalCollectionUpload

__all__ = ["PersonalCollection", "create_calendar", "move"]


class PersonalCollection(
    PersonalCollectionUpload,
    PersonalCollectionGet,
    PersonalCollectionSync,
    PersonalCollectionDelete,
    PersonalCollectionMeta,
):
    """A staff member's personal calendar."""
