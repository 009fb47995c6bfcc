"""SQL repositories for the other records the core writes as it runs: blocks, service
records, audit entries and outbox events.

Bookings are in ``booking_repos``; setup entities in ``setup_repos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from hub.domain.model import AuditEntry, Block, OutboxEvent, ServiceRecord
from hub.persistence import convert
from hub.persistence.models import AuditRow, BlockRow, OutboxRow, ServiceRecordRow

# What the core writes on every change is inserted as plain rows: the ORM's unit of work
# (identity map, dependency sort, post-fetch) costs more than the INSERT, and nothing in the
# transaction needs these rows as ORM objects afterwards.
_INSERT_AUDIT = insert(cast(Table, AuditRow.__table__))
_INSERT_OUTBOX = insert(cast(Table, OutboxRow.__table__))
_BLOCKS = cast(Table, BlockRow.__table__)
_BLOCKS_IN_RANGE = select(_BLOCKS).where(
    _BLOCKS.c.business_id == bindparam("business_id"),
    _BLOCKS.c.start_at < bindparam("end"),
    _BLOCKS.c.end_at > bindparam("start"),
)
_BLOCKS_OF = _BLOCKS_IN_RANGE.where(
    _BLOCKS.c.resource_id.in_(bindparam("resource_ids", expanding=True))
    | (
        _BLOCKS.c.resource_id.is_(None)
        & _BLOCKS.c.branch_id.in_(bindparam("branch_ids", expanding=True))
    )
).order_by(_BLOCKS.c.start_at, _BLOCKS.c.id)
_BLOCKS_IN_RANGE = _BLOCKS_IN_RANGE.order_by(_BLOCKS.c.start_at, _BLOCKS.c.id)


class SqlBlockRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, block: Block) -> None:
        self._s.add(convert.block_to_row(block))
        self._s.flush()  # rows have no relationship(): flush in FK order

    def get(self, business_id: str, block_id: str) -> Block | None:
        row = self._s.get(BlockRow, block_id)
        if row is None or row.business_id != business_id:
            return None
        return convert.block_from_row(row)

    def delete(self, business_id: str, block_id: str) -> bool:
        result = self._s.execute(
            delete(BlockRow).where(BlockRow.business_id == business_id, BlockRow.id == block_id)
        )
        return bool(getattr(result, "rowcount", 0))

    def delete_series(self, business_id: str, series_id: str) -> int:
        result = self._s.execute(
            delete(BlockRow).where(
                BlockRow.business_id == business_id, BlockRow.series_id == series_id
            )
        )
        return int(getattr(result, "rowcount", 0))

    def delete_imported(self, business_id: str, resource_id: str, uids: Sequence[str]) -> int:
        removed = 0
        for start in range(0, len(uids), 500):  # bounded IN lists
            result = self._s.execute(
                delete(BlockRow).where(
                    BlockRow.business_id == business_id,
                    BlockRow.resource_id == resource_id,
                    BlockRow.source == "import",
                    BlockRow.external_uid.in_(list(uids[start : start + 500])),
                )
            )
            removed += int(getattr(result, "rowcount", 0))
        return removed

    def overlapping(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] = (),
        branch_ids: Sequence[str] = (),
    ) -> list[Block]:
        params: dict[str, object] = {"business_id": business_id, "start": start, "end": end}
        query = _BLOCKS_IN_RANGE
        if resource_ids or branch_ids:
            query = _BLOCKS_OF
            params.update(resource_ids=list(resource_ids), branch_ids=list(branch_ids))
        return [convert.block_from_row(r) for r in self._s.execute(query, params)]


class SqlServiceRecordRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, record: ServiceRecord) -> None:
        self._s.add(convert.record_to_row(record))
        self._s.flush()  # rows have no relationship(): flush in FK order

    def for_booking(self, business_id: str, booking_id: str) -> ServiceRecord | None:
        row = self._s.scalar(
            select(ServiceRecordRow).where(
                ServiceRecordRow.business_id == business_id,
                ServiceRecordRow.booking_id == booking_id,
            )
        )
        return convert.record_from_row(row) if row is not None else None

    def performed_between(
        self,
        business_id: str,
        start: datetime,
        end: datetime,
        resource_ids: Sequence[str] | None = None,
        limit: int = 5000,
    ) -> list[ServiceRecord]:
        query = select(ServiceRecordRow).where(
            ServiceRecordRow.business_id == business_id,
            ServiceRecordRow.performed_at >= start,
            ServiceRecordRow.performed_at < end,
        )
        if resource_ids is not None:
            query = query.where(ServiceRecordRow.resource_id.in_(list(resource_ids)))
        rows = self._s.scalars(
            query.order_by(ServiceRecordRow.performed_at, ServiceRecordRow.id).limit(limit)
        )
        return [convert.record_from_row(row) for row in rows]


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, entry: AuditEntry) -> None:
        self._s.execute(_INSERT_AUDIT, convert.record_values(entry))

    def for_entity(self, business_id: str, entity: str, entity_id: str) -> list[AuditEntry]:
        rows = self._s.scalars(
            select(AuditRow)
            .where(
                AuditRow.business_id == business_id,
                AuditRow.entity == entity,
                AuditRow.entity_id == entity_id,
            )
            .order_by(AuditRow.seq)
        )
        return [convert.audit_from_row(r) for r in rows]


class SqlOutboxRepository:
    def __init__(self, session: Session, added: list[str]) -> None:
        self._s = session
        self._added = added  # the unit of work reports these after commit

    def add(self, event: OutboxEvent) -> None:
        self._s.execute(_INSERT_OUTBOX, convert.record_values(event))
        self._added.append(event.id)

    def get(self, event_id: str) -> OutboxEvent | None:
        row = self._s.get(OutboxRow, event_id)
        return convert.outbox_from_row(row) if row is not None else None

    def undispatched(self, limit: int = 100) -> list[OutboxEvent]:
        rows = self._s.scalars(
            select(OutboxRow)
            .where(OutboxRow.dispatched_at.is_(None))
            .order_by(OutboxRow.seq)
            .limit(limit)
        )
        return [convert.outbox_from_row(r) for r in rows]

    def mark_dispatched(self, event_ids: Sequence[str], at: datetime) -> None:
        if event_ids:
            self._s.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(event_ids)), OutboxRow.dispatched_at.is_(None))
                .values(dispatched_at=at)
            )

    def for_aggregate(self, aggregate_id: str) -> list[OutboxEvent]:
        rows = self._s.scalars(
            select(OutboxRow).where(OutboxRow.aggregate_id == aggregate_id).order_by(OutboxRow.seq)
        )
        return [convert.outbox_from_row(r) for r in rows]
