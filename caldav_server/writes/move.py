"""MOVE of a booking's event to another resource's calendar of the same business: the
booking is reassigned (``hub.core``, with the root's busy time)."""

from __future__ import annotations

from caldav_server import read_model
from caldav_server.refusals import RefusedError, refuse
from caldav_server.render import parse_href
from caldav_server.writes.base import WriterBase


class WriterMove(WriterBase):
    def move_booking(self, from_resource: str, href: str, to_resource: str) -> None:
        kind = parse_href(href)
        with self._uow() as uow:
            found = read_model.resource(uow.session, from_resource)
            target = read_model.resource(uow.session, to_resource)
            booking = (
                read_model.booking_on(uow.session, from_resource, kind[1])
                if kind and kind[0] == "booking"
                else None
            )
        if found is None or target is None or found[1].id != target[1].id:
            raise RefusedError(403, "DAV:", "need-privileges", "calendars of different businesses")
        if booking is None:
            raise refuse(
                "moves-bookings-only",
                "only bookings move between resource calendars; copy other events instead",
            )
        business_id = found[1].id
        self._run(
            lambda uow: self.core.reassign_booking(
                business_id,
                booking.id,
                to_resource,
                by=self.by,
                expected_version=booking.version,
                uow=uow,
            )
        )
