"""``install(hub)``: the background work of one process — consumers registered, tasks on the
Huey instance, and the after-commit hook that enqueues the dispatch of new outbox events.

Web processes call it too (they only enqueue); ``turnero worker`` and the embedded consumer
then run the tasks (``scheduler.worker``). The scheduler knows consumers only through its
registry: ``install`` is handed installers (email and WhatsApp from ``connectors.notify``, by
the composition root), and connectors add theirs with ``registry.register_consumer(...)``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from huey import Huey

from hub.domain.model import OutboxEvent
from hub.process import Hub
from scheduler import reminders
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry, DeliveryContext, Installer, LogEntry
from scheduler.dispatcher import Dispatcher
from scheduler.queue import build_huey
from scheduler.runs import recorded
from scheduler.tasks import EXPIRE, NO_SHOWS, REMINDERS, SWEEP, HueyEnqueue, register_tasks

log = logging.getLogger(__name__)

REMINDER_BATCH = 500
EXPIRE_BATCH = 200


@dataclass(frozen=True, slots=True)
class ReminderConsumer:
    """Keeps the reminders table in step with bookings, driven by their events."""

    hub: Hub
    name: str = "reminders"

    def handles(self, event: OutboxEvent) -> bool:
        return event.type.startswith("booking.") and event.type != reminders.REMINDER_EVENT

    def deliver(self, event: OutboxEvent, ctx: DeliveryContext) -> Sequence[LogEntry]:
        booking_id = str(event.payload.get("booking_id") or event.aggregate_id)
        with self.hub.database.unit_of_work() as uow:
            booking = uow.bookings.get(event.business_id, booking_id)
            business = uow.businesses.get(event.business_id)
            if booking is None or business is None:
                reminders.clear_reminders(uow.session, booking_id)
            else:
                customer = uow.customers.get(business.id, booking.customer_id)
                organizer = uow.users.get(booking.organizer_id) if booking.organizer_id else None
                if organizer is not None and organizer.business_id != business.id:
                    organizer = None
                reminders.sync_reminders(
                    uow.session,
                    booking,
                    business,
                    customer,
                    changed_at=event.created_at,
                    organizer=organizer,
                )
            uow.commit()
        return []


class Scheduler:
    """What the tasks of one process call into."""

    def __init__(
        self, hub: Hub, huey: Huey, config: SchedulerConfig, registry: ConsumerRegistry
    ) -> None:
        self.hub = hub
        self.huey = huey
        self.config = config
        self.registry = registry
        self.dispatcher = Dispatcher(
            hub.database.sessions, registry=registry, config=config, clock=hub.now
        )
        self.tasks = register_tasks(huey, self)
        self.dispatcher.enqueue = HueyEnqueue(huey, self.tasks)

    def enqueue_dispatch(self, event_ids: Sequence[str]) -> None:
        """The after-commit hook: ask a worker to dispatch these events."""
        self.tasks.dispatch(list(event_ids))

    def send_due_reminders(self) -> int:
        """Fire every due reminder (in batches) and dispatch the events; returns how many."""
        total = 0
        while True:
            now = self.hub.now()
            # Fired and given their delivery records in one transaction: no event is left
            # for the sweep, and none is read back.
            with self.hub.database.sessions.begin() as session:
                fired = reminders.fire_due(session, now, REMINDER_BATCH, dispatched=True)
                created = self.dispatcher.create_deliveries(session, fired, now)
            if not fired:
                return total
            total += len(fired)
            self.dispatcher.ask_delivery(created)

    def expire_holds(self) -> int:
        """Expire pending bookings whose hold ran out (the core's use case writes the
        ``booking.expired`` events that free nothing else and tell the client)."""
        expired = 0
        while True:
            batch = self.hub.core.expire_due_bookings(limit=EXPIRE_BATCH)
            expired += len(batch)
            if len(batch) < EXPIRE_BATCH:
                return expired

    def mark_no_shows(self) -> int:
        """Confirmed bookings nobody checked in, past their business's grace, become
        no-shows (through the core; each writes its ``booking.no_show`` event)."""
        marked = 0
        while True:
            batch = self.hub.core.mark_due_no_shows(limit=EXPIRE_BATCH)
            marked += len(batch)
            if len(batch) < EXPIRE_BATCH:
                return marked

    def run_periodic(self, name: str) -> None:
        sessions = self.hub.database.sessions
        if name == SWEEP:
            recorded(sessions, name, self.hub.now, self.dispatcher.sweep)
        elif name == REMINDERS:
            recorded(sessions, name, self.hub.now, self.send_due_reminders, "{} fired".format)
        elif name == EXPIRE:
            recorded(sessions, name, self.hub.now, self.expire_holds, "{} expired".format)
        elif name == NO_SHOWS:
            recorded(sessions, name, self.hub.now, self.mark_no_shows, "{} no-shows".format)
        else:
            raise ValueError(f"unknown periodic task {name!r}")


def install(
    hub: Hub,
    *,
    huey: Huey | None = None,
    config: SchedulerConfig | None = None,
    consumers: Sequence[Installer] = (),
) -> Scheduler:
    """Wire the background work into ``hub``: register the reminders consumer, then the
    ``consumers`` installers' (in order), and the tasks, and enqueue the dispatch of every
    commit's outbox events."""
    config = config or SchedulerConfig.from_settings(hub.settings)
    registry = ConsumerRegistry()
    reminder_consumer = ReminderConsumer(hub)
    registry.register_consumer(
        reminder_consumer.name, reminder_consumer.handles, reminder_consumer.deliver
    )
    for add_consumers in consumers:
        add_consumers(registry)
    scheduler = Scheduler(hub, huey or build_huey(config), config, registry)
    hub.on_commit(scheduler.enqueue_dispatch)
    return scheduler
