"""The booking lifecycle as a state machine (hypothesis ``RuleBasedStateMachine``): random runs
of create, confirm, reschedule, cancel, start, finish, no-show and expiry through the bound
service layer on SQLite, with the clock moving forward, checking after every step what a
user would notice:

- no two bookings that hold time overlap on a washer (a double booking);
- a cancelled booking never comes back;
- every change bumps the version (what CalDAV ETags and ``If-Match`` rely on), and a refused
  one changes nothing;
- every change leaves an audit entry and an outbox event (what the console's history and
  every notification, webhook and calendar copy come from).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)
from sqlalchemy import func, select

from hub.domain.booking import Booking, BookingStatus
from hub.domain.errors import DomainError
from hub.domain.policies import BookingPolicy
from hub.persistence.models import AuditRow, OutboxRow
from hub.persistence.uow import SqlDatabase
from hub.services.booking_create import NewBooking
from hub.services.bound import Services
from hub.services.customers import CustomerDetails
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local, make_world

POLICY = BookingPolicy(requires_confirmation=True, hold_minutes=60, horizon_days=30)
# Starts on two working days, on the hour: few enough that bookings collide often.
STARTS = [local(day, hour) for day in (5, 6) for hour in (9, 10, 11, 12)]

_templates: dict[str, tuple[Path, World]] = {}


def _migrated_copy(folder: Path) -> tuple[str, World]:
    """A database of its own for each run, with the car wash set up (migrated and set up
    once, then copied: the copy has the same ids)."""
    if "car wash" not in _templates:
        path = Path(tempfile.mkdtemp(prefix="lifecycle-")) / "template.db"
        world = make_world(f"sqlite:///{path}", POLICY)
        world.db.dispose()
        _templates["car wash"] = (path, world)
    path, world = _templates["car wash"]
    target = folder / "run.db"
    shutil.copyfile(path, target)
    return f"sqlite:///{target}", world


@dataclass
class Seen:
    """What the machine last saw of a booking."""

    version: int
    status: BookingStatus
    audits: int
    events: int


class BookingLifecycle(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="lifecycle-run-"))
        self.now = NOW
        self.seen: dict[str, Seen] = {}
        self.cancelled: set[str] = set()

    @initialize()
    def open_the_business(self) -> None:
        url, world = _migrated_copy(self.folder)
        self.database = SqlDatabase(url)
        self.business_id = world.business.id
        self.washers = [world.washer_a.id, world.washer_b.id]
        self.wash = world.wash.id
        self.core = Services(self.database.unit_of_work, lambda: self.now, ())

    def teardown(self) -> None:
        if hasattr(self, "database"):
            self.database.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- reading back -------------------------------------------------------------------

    def _booking(self, booking_id: str) -> Booking:
        with self.database.unit_of_work() as uow:
            booking = uow.bookings.get(self.business_id, booking_id)
        assert booking is not None
        return booking

    def _count(self, row: type[AuditRow] | type[OutboxRow], booking_id: str) -> int:
        column = AuditRow.entity_id if row is AuditRow else OutboxRow.aggregate_id
        with self.database.sessions() as session:
            return int(session.scalar(select(func.count()).where(column == booking_id)) or 0)

    def _look(self, booking_id: str) -> Seen:
        booking = self._booking(booking_id)
        return Seen(
            booking.version,
            booking.status,
            self._count(AuditRow, booking_id),
            self._count(OutboxRow, booking_id),
        )

    def _change(self, what: str, booking_id: str, change: Callable[[], object]) -> None:
        """Run ``change``: refused, nothing about the booking moved; done, the version went
        up and an audit entry and an outbox event were written."""
        before = self.seen[booking_id]
        try:
            change()
        except DomainError:
            event(f"{what}: refused")
            assert self._look(booking_id) == before
            return
        event(f"{what}: done")
        after = self._look(booking_id)
        assert after.version > before.version
        assert after.audits > before.audits
        assert after.events > before.events
        self.seen[booking_id] = after
        if after.status is BookingStatus.CANCELLED:
            self.cancelled.add(booking_id)

    # -- rules ------------------------------------------------------------------------

    @rule(
        target=bookings,
        start=st.sampled_from(STARTS),
        washer=st.integers(0, 1),
        client=st.booleans(),
    )
    def create(self, start: datetime, washer: int, client: bool) -> str:
        request = NewBooking(
            self.business_id,
            self.wash,
            start,
            customer=CustomerDetails("Juan", phone="+5491155550000"),
            resource_id=self.washers[washer],
        )
        try:
            booking = self.core.create_booking(request, by=CLIENT if client else OPERATOR)
        except DomainError:
            event("create: refused")
            return ""  # refused: nothing to follow
        event("create: done")
        seen = self._look(booking.id)
        assert seen.audits >= 1 and seen.events >= 1
        self.seen[booking.id] = seen
        return booking.id

    @rule(booking_id=bookings)
    def confirm(self, booking_id: str) -> None:
        if booking_id:
            self._change(
                "confirm",
                booking_id,
                lambda: self.core.confirm_booking(self.business_id, booking_id, by=OPERATOR),
            )

    @rule(booking_id=bookings, start=st.sampled_from(STARTS))
    def reschedule(self, booking_id: str, start: datetime) -> None:
        if booking_id:
            self._change(
                "reschedule",
                booking_id,
                lambda: self.core.reschedule_booking(
                    self.business_id, booking_id, start, by=OPERATOR
                ),
            )

    @rule(booking_id=bookings)
    def cancel(self, booking_id: str) -> None:
        if booking_id:
            self._change(
                "cancel",
                booking_id,
                lambda: self.core.cancel_booking(self.business_id, booking_id, by=OPERATOR),
            )

    @rule(booking_id=bookings)
    def start(self, booking_id: str) -> None:
        if booking_id:
            booking = self._booking(booking_id)
            self.now = max(self.now, booking.start)  # the client arrived
            self._change(
                "start",
                booking_id,
                lambda: self.core.start_booking(self.business_id, booking_id, by=OPERATOR),
            )

    @rule(booking_id=bookings)
    def finish(self, booking_id: str) -> None:
        if booking_id:
            self._change(
                "finish",
                booking_id,
                lambda: self.core.complete_booking(self.business_id, booking_id, by=OPERATOR),
            )

    @rule(booking_id=bookings)
    def no_show(self, booking_id: str) -> None:
        if booking_id:
            self._change(
                "no_show",
                booking_id,
                lambda: self.core.mark_no_show(self.business_id, booking_id, by=OPERATOR),
            )

    @rule(minutes=st.sampled_from([15, 61, 240]))
    def time_passes_and_holds_expire(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        expired = self.core.expire_due_bookings()
        for booking_id in expired:
            event("expire: done")
            before = self.seen[booking_id]
            after = self._look(booking_id)
            assert after.status is BookingStatus.EXPIRED
            assert after.version > before.version
            assert after.audits > before.audits and after.events > before.events
            self.seen[booking_id] = after

    # -- what a user would notice ----------------------------------------------------

    @invariant()
    def no_double_booking(self) -> None:
        if not self.seen:
            return
        holding = [
            b
            for b in (self._booking(i) for i in self.seen)
            if b.status.occupies_time and b.resource_id in self.washers
        ]
        for i, a in enumerate(holding):
            for b in holding[i + 1 :]:
                if a.resource_id == b.resource_id:
                    assert a.end <= b.start or b.end <= a.start, (a.id, b.id)

    @invariant()
    def cancelled_stays_cancelled(self) -> None:
        for booking_id in self.cancelled:
            assert self._booking(booking_id).status is BookingStatus.CANCELLED

    @invariant()
    def nothing_changes_behind_the_machine(self) -> None:
        for booking_id, seen in self.seen.items():
            assert self._look(booking_id).version == seen.version


BookingLifecycle.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBookingLifecycle = BookingLifecycle.TestCase
