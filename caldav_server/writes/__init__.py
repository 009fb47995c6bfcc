"""Client writes to resource calendars, turned into use cases of ``hub.services``.

- PUT on a booking's event: STATUS:CANCELLED cancels; a new DTSTART/DTEND reschedules
  (operator rules: ``force`` — may leave opening hours, never overlap; same duration);
  SUMMARY/DESCRIPTION changes become the booking's notes, and nothing else.
- DELETE of a booking's event cancels it (actor operator, channel caldav).
- MOVE of a booking's event to another resource's calendar reassigns it.
- PUT of a new event creates a block (reason from SUMMARY; weekly/daily RRULE → a weekly
  series expanded within the horizon); the event is kept as sent so the client reads back
  its own bytes. DELETE removes its blocks.

No booking rule lives here: the services decide, and their errors become ``RefusedError`` with a
CalDAV precondition (``no-overlapping-booking``, …). Personal calendars are in
``caldav_server.personal_collection``.

One module per verb: ``put_booking`` (a booking's event changed), ``put_block`` (an event of
the client's own, as blocks), ``put`` (which of the two a PUT is), ``delete``, ``move``;
``base`` turns the use cases' errors into CalDAV refusals.
"""

from __future__ import annotations

from caldav_server.writes.delete import WriterDelete
from caldav_server.writes.move import WriterMove
from caldav_server.writes.put import WriterPut


class Writer(WriterPut, WriterDelete, WriterMove):
    """Carries out one staff member's writes (``user``) at ``clock()``."""
