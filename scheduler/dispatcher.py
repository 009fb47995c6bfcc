"""The outbox dispatcher: events → one delivery record per interested consumer → claimed,
carried out, finished, retried with backoff or given up (and logged) — and the sweep that
finds whatever a crash left behind.

It knows nothing of Huey: ``Enqueue`` is how it asks for more work (``scheduler.tasks``
passes Huey tasks; tests may pass anything). Every method is safe to run on many workers at
once and to run again after a crash: records are unique per (event, consumer) and claimed
atomically under a lease (``scheduler.delivery_queue``).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.domain.model import OutboxEvent
from scheduler import deliveries as store
from scheduler.backoff import Backoff
from scheduler.config import SchedulerConfig
from scheduler.consumers import (
    ConsumerRegistry,
    DeliveryContext,
    LogEntry,
    LogStatus,
    PermanentDeliveryError,
    RetryableDeliveryError,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SWEEP_LIMIT = 5000
BACKLOG = 50  # queued tasks above which the sweep trusts the queue with unclaimed records
# Deliveries marked done per transaction. Messages are logged one by one as they go out
# (``DeliveryContext.record``), so a crash before the mark sends nothing twice.
FINISH_EVERY = 50


class Enqueue(Protocol):
    def deliver(self, delivery_ids: Sequence[str], eta: datetime | None = None) -> None: ...
    def backlog(self) -> int:
        """Tasks waiting in the queue now."""
        ...


@dataclass(slots=True)
class DeliverReport:
    done: int = 0
    failed: int = 0
    retrying: int = 0
    not_claimed: int = 0
    lost_claims: int = 0


@dataclass(slots=True)
class SweepReport:
    events: int = 0
    deliveries: int = 0
    details: dict[str, int] = field(default_factory=dict)


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        registry: ConsumerRegistry,
        config: SchedulerConfig,
        clock: Clock,
        enqueue: Enqueue | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.registry = registry
        self.config = config
        self.clock = clock
        self.enqueue = enqueue
        self._rng = rng or random.Random()
        self._backoff = Backoff(
            base=config.retry_base, cap=config.retry_max, give_up_after=config.give_up_after
        )
        bind = sessions.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the dispatcher's sessions must be bound to an engine")
        self._log = store.LogWriter(bind)

    # -- events → delivery records -------------------------------------------------------

    def dispatch(self, event_ids: Sequence[str]) -> list[str]:
        """Create the delivery records of these events, mark them dispatched, and ask for
        their delivery; returns the record ids created or found pending."""
        now = self.clock()
        with self.sessions.begin() as session:
            events = store.load_events(session, event_ids)
            created = self.create_deliveries(
                session, [e for e in events.values() if e.dispatched_at is None], now
            )
            store.mark_dispatched(session, [e.id for e in events.values()], now)
        self.ask_delivery(created)
        return created

    def create_deliveries(
        self, session: Session, events: Sequence[OutboxEvent], now: datetime
    ) -> list[str]:
        """The delivery records of ``events`` (one per consumer that handles each), in the
        caller's transaction; the caller then asks for them (``ask_delivery``)."""
        wanted = [(event, [c.name for c in self.registry.handling(event)]) for event in events]
        return store.create_many(session, wanted, now)

    def ask_delivery(self, ids: Sequence[str], eta: datetime | None = None) -> None:
        for batch in chunks(ids, self.config.batch_size):
            if self.enqueue is None:
                self.deliver(batch)
            else:
                self.enqueue.deliver(batch, eta)

    # -- delivery records → side effects -----------------------------------------------

    def deliver(self, delivery_ids: Sequence[str]) -> DeliverReport:
        """Claim the records among ``delivery_ids`` nobody holds, and carry them out."""
        report = DeliverReport()
        with self.sessions.begin() as session:
            claimed = store.claim(session, delivery_ids, self.clock(), self.config.lease)
        report.not_claimed = len(delivery_ids) - len(claimed)
        if not claimed:
            return report
        with self.sessions() as session:
            events = store.load_events(session, [c.event_id for c in claimed])
        self._prefetch(claimed, events)
        finished: list[tuple[store.Claimed, OutboxEvent, Sequence[LogEntry]]] = []
        for claimed_item in claimed:
            item = claimed_item
            event = events.get(item.event_id)
            consumer = self.registry.get(item.consumer)
            if event is None or consumer is None:
                self._failed_attempt(item, event, f"no consumer {item.consumer!r} here", (), report)
                continue
            now = self.clock()
            if item.claimed_until - now < self.config.lease / 2:
                with self.sessions.begin() as session:
                    renewed = store.renew(session, item, now, self.config.lease)
                if renewed is None:
                    report.lost_claims += 1
                    continue
                item = renewed
            ctx = DeliveryContext(
                delivery_id=item.id,
                consumer=item.consumer,
                attempt=item.attempts,
                now=now,
                record=self._recorder(event),
                sent_before=self._sent_before(event),
            )
            try:
                entries = consumer.deliver(event, ctx) or ()
            except PermanentDeliveryError as exc:
                self._finish([(item, event, exc.log)], store.FAILED, str(exc), report)
                report.failed += 1
            except RetryableDeliveryError as exc:
                self._failed_attempt(item, event, str(exc), exc.log, report)
            except Exception as exc:
                log.exception("delivery %s (%s) failed", item.id, item.consumer)
                entry = LogEntry(item.consumer, event.type, LogStatus.FAILED, "", repr(exc))
                self._failed_attempt(item, event, repr(exc), (entry,), report)
            else:
                finished.append((item, event, entries))
                if len(finished) >= FINISH_EVERY:
                    report.done += self._finish(finished, store.DONE, "", report)
                    finished = []
        if finished:
            report.done += self._finish(finished, store.DONE, "", report)
        return report

    def _prefetch(self, claimed: Sequence[store.Claimed], events: dict[str, OutboxEvent]) -> None:
        by_consumer: dict[str, list[OutboxEvent]] = {}
        for item in claimed:
            if item.event_id in events:
                by_consumer.setdefault(item.consumer, []).append(events[item.event_id])
        for name, batch in by_consumer.items():
            consumer = self.registry.get(name)
            if consumer is None or consumer.prefetch is None:
                continue
            try:
                consumer.prefetch(batch, self.clock())
            except Exception:
                log.exception("consumer %s could not prefetch %d events", name, len(batch))

    def _recorder(self, event: OutboxEvent) -> Callable[[LogEntry], None]:
        def record(entry: LogEntry) -> None:
            # One small INSERT per message sent, committed before the next one goes out.
            self._log.write(event, entry, self.clock())

        return record

    def _sent_before(self, event: OutboxEvent) -> Callable[[str], frozenset[str]]:
        def sent_before(channel: str) -> frozenset[str]:
            with self.sessions() as session:
                return store.sent_before(session, event.id, channel)

        return sent_before

    def _finish(
        self,
        items: Sequence[tuple[store.Claimed, OutboxEvent, Sequence[LogEntry]]],
        status: str,
        error: str,
        report: DeliverReport,
    ) -> int:
        now = self.clock()
        with self.sessions.begin() as session:
            for _, event, entries in items:
                store.add_log(session, event, entries, now)
            count = store.finish(session, [i for i, _, _ in items], status, now, error)
        report.lost_claims += len(items) - count
        return count

    def _failed_attempt(
        self,
        item: store.Claimed,
        event: OutboxEvent | None,
        error: str,
        entries: Sequence[LogEntry],
        report: DeliverReport,
    ) -> None:
        now = self.clock()
        at = self._backoff.next_attempt(
            item.attempts, now=now, first_at=item.created_at, rng=self._rng
        )
        if at is None or event is None:
            if event is not None:
                self._finish([(item, event, entries)], store.FAILED, error, report)
            else:
                with self.sessions.begin() as session:
                    store.finish(session, [item], store.FAILED, now, error)
            report.failed += 1
            log.warning("gave up on delivery %s (%s): %s", item.id, item.consumer, error)
            return
        with self.sessions.begin() as session:
            store.postpone(session, item, at, error)
        report.retrying += 1
        if self.enqueue is not None:
            self.enqueue.deliver([item.id], at)

    # -- the safety net ------------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Dispatch events a crash left undispatched and re-ask for deliveries nobody holds
        that are overdue (lost task, killed worker whose lease ran out, missed retry)."""
        now = self.clock()
        older = now - self.config.sweep_grace
        report = SweepReport()
        with self.sessions() as session:
            events = store.undispatched(session, older, SWEEP_LIMIT)
        for batch in chunks(events, 200):
            self.dispatch(batch)
        report.events = len(events)
        # While the queue is busy, records nobody claimed yet most likely have their task
        # waiting in it: ask again only for those whose holder died (lease ran out).
        busy = self.enqueue is not None and self.enqueue.backlog() > BACKLOG
        with self.sessions() as session:
            due = store.due(session, now, older, SWEEP_LIMIT, only_expired_claims=busy)
        self.ask_delivery(due)
        report.deliveries = len(due)
        return report
