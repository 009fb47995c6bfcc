"""PUT into a resource's calendar: a booking's event (``put_booking``) or an event of the
client's own (``put_block``)."""

from __future__ import annotations

from icalendar import Calendar

from caldav_server import read_model
from caldav_server.client_objects import read_event
from caldav_server.render import parse_href
from caldav_server.tables import ClientItemRow
from caldav_server.writes.put_block import WriterPutBlock
from caldav_server.writes.put_booking import WriterPutBooking


class WriterPut(WriterPutBooking, WriterPutBlock):
    def put(
        self, found: read_model.Catalog, href: str, data: bytes, parsed: Calendar | None = None
    ) -> ClientItemRow | None:
        """Apply a PUT of ``data`` (``parsed`` already, if it was) to ``found``'s calendar.
        Returns the event as stored when it is kept exactly as sent (then its ETag may be
        returned, RFC 4791 §5.3.4); None for a booking, which the hub re-serialises."""
        event = read_event(data, found.business.timezone, parsed)
        kind = parse_href(href)
        if kind and kind[0] == "booking":
            with self._uow() as uow:
                booking = read_model.booking_on(uow.session, found.resource.id, kind[1])
                customer = (
                    uow.customers.get(found.business.id, booking.customer_id) if booking else None
                )
            if booking is not None and customer is not None:
                self._put_booking(found, booking, customer, event)
                return None
        return self._put_block_event(found, href, event, data)
