"""Use cases for blocks: busy time on a resource or a whole branch (vacation, maintenance,
an event a staff member put in their calendar), one-off or weekly.

A block may cover existing bookings (staff decide what to do with them); the bookings it
covers are reported back. Each change writes an AuditEntry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from hub.domain.booking import ChangedBy
from hub.domain.errors import NotFoundError, ValidationError
from hub.domain.model import Block, Branch, new_id, require_aware
from hub.services.calendars import get_branch, get_business
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork
from hub.services.recurrence import Weekly


@dataclass(frozen=True, slots=True)
class NewBlock:
    business_id: str
    start: datetime
    end: datetime
    resource_id: str | None = None
    branch_id: str | None = None
    reason: str = ""
    source: str = "console"  # console | api | caldav | import | google
    external_uid: str | None = None
    repeat: Weekly | None = None  # expanded up to the business's booking horizon


@dataclass(frozen=True, slots=True)
class BlockResult:
    blocks: tuple[Block, ...]
    covered_booking_ids: tuple[str, ...]  # bookings that now overlap a block

    @property
    def series_id(self) -> str | None:
        return self.blocks[0].series_id if self.blocks else None


def create_block(
    uow: UnitOfWork, request: NewBlock, *, by: ChangedBy, now: datetime
) -> BlockResult:
    """Add a block (or a weekly series of them, each an independent block)."""
    with uow:
        result = place_block(uow, request, by=by, now=now)
        uow.commit()
    return result


def import_blocks(
    uow: UnitOfWork,
    requests: Sequence[NewBlock],
    *,
    by: ChangedBy,
    now: datetime,
    on_each: Callable[[], None] | None = None,
    replace_imported: bool = False,
) -> list[BlockResult]:
    """Add many blocks in one transaction: all of them, or none if any is refused
    (an agenda imported from a calendar file). ``on_each`` reports progress.
    ``replace_imported``: blocks imported before from events with the same UIDs on the same
    resource are replaced, so importing one file twice does not duplicate them."""
    results = []
    with uow:
        if replace_imported:
            uids: dict[tuple[str, str], dict[str, None]] = {}
            for request in requests:
                if request.external_uid and request.resource_id:
                    key = (request.business_id, request.resource_id)
                    uids.setdefault(key, {})[request.external_uid] = None
            for (business_id, resource_id), found in uids.items():
                uow.blocks.delete_imported(business_id, resource_id, list(found))
        for request in requests:
            results.append(place_block(uow, request, by=by, now=now))
            if on_each is not None:
                on_each()
        uow.commit()
    return results


def place_block(uow: UnitOfWork, request: NewBlock, *, by: ChangedBy, now: datetime) -> BlockResult:
    """``create_block`` inside the caller's open transaction (no commit)."""
    require_aware(now, "now")
    require_aware(request.start, "start")
    require_aware(request.end, "end")
    if request.end <= request.start:
        raise ValidationError("a block must end after it starts", field="end")
    if request.resource_id is None and request.branch_id is None:
        raise ValidationError("a block needs a resource or a branch", field="resource_id")
    with uow:
        business = get_business(uow, request.business_id)
        if (
            request.resource_id is not None
            and uow.resources.get(business.id, request.resource_id) is None
        ):
            raise NotFoundError("no such resource", entity="resource", id=request.resource_id)
        branch = get_branch(uow, business.id, request.branch_id)
        if request.repeat is None:
            starts = [request.start]
        else:
            starts = request.repeat.starts(
                request.start, business.timezone, not_after=now + business.policy.horizon
            ) or [request.start]
        series_id = new_id() if len(starts) > 1 or request.repeat is not None else None
        length = request.end - request.start
        blocks = tuple(
            Block(
                business_id=business.id,
                start=start,
                end=start + length,
                reason=request.reason,
                resource_id=request.resource_id,
                branch_id=request.branch_id,
                source=request.source,
                series_id=series_id,
                external_uid=request.external_uid,
            )
            for start in starts
        )
        covered: dict[str, None] = {}
        resource_ids = _resource_ids(uow, business.id, request.resource_id, branch)
        for block in blocks:
            uow.blocks.add(block)
            for booking in uow.bookings.occupying(resource_ids, block.start, block.end):
                covered[booking.id] = None
        record_audit(
            uow,
            business_id=business.id,
            entity="block",
            entity_id=blocks[0].id if series_id is None else series_id,
            action="created",
            by=by,
            now=now,
            data={"count": len(blocks), "series_id": series_id, "reason": request.reason},
        )
    return BlockResult(blocks, tuple(covered))


def delete_block(
    uow: UnitOfWork,
    business_id: str,
    block_id: str,
    *,
    by: ChangedBy,
    now: datetime,
    whole_series: bool = False,
) -> int:
    """Remove a block, or every block of its series; returns how many were removed."""
    require_aware(now, "now")
    with uow:
        block = uow.blocks.get(business_id, block_id)
        if block is None:
            raise NotFoundError("no such block", entity="block", id=block_id)
        if whole_series and block.series_id is not None:
            removed = uow.blocks.delete_series(business_id, block.series_id)
        else:
            removed = int(uow.blocks.delete(business_id, block_id))
        record_audit(
            uow,
            business_id=business_id,
            entity="block",
            entity_id=block_id,
            action="deleted",
            by=by,
            now=now,
            data={"count": removed, "series_id": block.series_id if whole_series else None},
        )
        uow.commit()
    return removed


def _resource_ids(
    uow: UnitOfWork, business_id: str, resource_id: str | None, branch: Branch | None
) -> list[str]:
    if resource_id is not None:
        return [resource_id]
    if branch is None:
        return []
    return [r.id for r in uow.resources.list(business_id) if branch.id in r.branch_ids]
