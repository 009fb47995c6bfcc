"""PUT of an event of the client's own into a resource's calendar: it becomes blocks (reason
from SUMMARY; weekly/daily RRULE → a weekly series within the horizon; moved occurrences and
EXDATEs honoured) and is kept as sent, so the client reads back its own bytes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from caldav_server import read_model
from caldav_server.client_objects import ClientEvent, exceptions, weekly_repeats
from caldav_server.render import parse_href, text_etag
from caldav_server.tables import ClientItemRow
from caldav_server.writes.base import WriterBase, own_block, refusal
from hub.domain.errors import DomainError
from hub.domain.model import Block, new_id
from hub.ical.projection import block_reason
from hub.persistence.uow import SqlUnitOfWork
from hub.services.blocks import NewBlock, create_block
from hub.services.ports import UnitOfWork


class WriterPutBlock(WriterBase):
    def _put_block_event(
        self, found: read_model.Catalog, href: str, event: ClientEvent, data: bytes
    ) -> ClientItemRow:
        now = self.clock()
        business_id, resource_id = found.business.id, found.resource.id
        repeats = weekly_repeats(event, found.business.timezone)
        length = event.end - event.start
        reason = block_reason(event.summary)
        text = data.decode("utf-8")
        stored = ClientItemRow(
            calendar_id=resource_id,
            business_id=business_id,
            href=href,
            uid=event.uid,
            ics=text,
            etag=text_etag(text),
            updated_at=now,
        )
        with self._uow() as uow:
            session = uow.session
            item = (
                session.query(ClientItemRow)
                .filter_by(calendar_id=resource_id, href=href)
                .one_or_none()
            )
            old_ids = [b.id for b in read_model.blocks(session, resource_id, uids=[event.uid])]
            kind = parse_href(href)
            if kind is not None and kind[0] == "block":
                own_block(session, resource_id, kind[1])
                old_ids.append(kind[1])  # a console block the client edited
            if item is None:
                item = ClientItemRow(
                    id=new_id(), calendar_id=resource_id, business_id=business_id, href=href
                )
                session.add(item)
            item.uid, item.ics, item.etag, item.updated_at = (
                stored.uid,
                stored.ics,
                stored.etag,
                stored.updated_at,
            )
            session.flush()  # the block triggers look the item up by UID
            created: list[Block] = []
            for index, (start, repeat) in enumerate(repeats):
                request = NewBlock(
                    business_id=business_id,
                    start=start,
                    end=start + length,
                    resource_id=resource_id,
                    reason=reason,
                    source="caldav",
                    external_uid=event.uid,
                    repeat=repeat,
                )
                try:
                    result = create_block(cast(UnitOfWork, uow), request, by=self.by, now=now)
                except DomainError as exc:
                    if index == 0:
                        raise refusal(exc) from exc
                    raise
                created += result.blocks
            if event.rrule is not None:
                old_ids += self._apply_exceptions(
                    uow, found, event, reason=reason, created=created, now=now
                )
        self._delete_blocks(business_id, old_ids, now)
        return stored

    def _apply_exceptions(
        self,
        uow: SqlUnitOfWork,
        found: read_model.Catalog,
        event: ClientEvent,
        *,
        reason: str,
        created: Sequence[Block],
        now: datetime,
    ) -> list[str]:
        """Add the blocks of the occurrences the client moved (RECURRENCE-ID); returns the
        ids of the series' blocks that EXDATE or an override takes out of the rule."""
        timezone = found.business.timezone
        rules = exceptions(event, timezone)
        for override in rules.overrides:
            if not override.busy:
                continue
            request = NewBlock(
                business_id=found.business.id,
                start=override.start,
                end=override.end,
                resource_id=found.resource.id,
                reason=reason,
                source="caldav",
                external_uid=event.uid,
            )
            try:
                create_block(cast(UnitOfWork, uow), request, by=self.by, now=now)
            except DomainError as exc:
                raise refusal(exc) from exc
        return [b.id for b in created if rules.drops(b.start, timezone)]
