"""DELETE of an event in a resource's calendar: a booking's cancels it (actor operator,
channel caldav); an event of the client's own takes its blocks with it."""

from __future__ import annotations

from caldav_server import read_model
from caldav_server.refusals import refuse
from caldav_server.render import parse_href
from caldav_server.tables import ClientItemRow
from caldav_server.writes.base import WriterBase, own_block
from hub.domain.booking import Booking


class WriterDelete(WriterBase):
    def delete(self, resource_id: str, href: str) -> None:
        now = self.clock()
        kind = parse_href(href)
        booking: Booking | None = None
        block_ids: list[str] = []
        with self._uow() as uow:
            session = uow.session
            found = read_model.resource(session, resource_id)
            if found is None:
                raise refuse("not-found", "no such calendar", status=404)
            business_id = found[1].id
            if kind is not None and kind[0] == "booking":
                booking = read_model.booking_on(session, resource_id, kind[1])
            if booking is None:
                item = (
                    session.query(ClientItemRow)
                    .filter_by(calendar_id=resource_id, href=href)
                    .one_or_none()
                )
                if item is not None:
                    block_ids = [
                        b.id for b in read_model.blocks(session, resource_id, uids=[item.uid])
                    ]
                    session.delete(item)
                    uow.commit()
                elif kind is not None and kind[0] == "block":
                    own_block(session, resource_id, kind[1])
                    block_ids = [kind[1]]
                else:
                    raise refuse("not-found", "no such event", status=404)
        if booking is not None:
            booking_id = booking.id
            self._run(
                lambda u: self.core.cancel_booking(
                    business_id, booking_id, by=self.by, reason="deleted in calendar", uow=u
                )
            )
            return
        self._delete_blocks(business_id, block_ids, now)
