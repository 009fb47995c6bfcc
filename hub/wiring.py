"""Wiring of the background side of one process: the scheduler with its consumers and every
connector that hooks into it (webhooks, and the others as they are configured).

Kept apart from ``hub.bootstrap`` because these adapters import ``Hub`` from there. Web
processes call ``wire`` too: their commits must enqueue the dispatch of outbox events even
when another process runs the tasks.
"""

from __future__ import annotations

from huey import Huey

from connectors.crm_webhooks.runtime import install_webhooks
from connectors.google.runtime import install_google
from connectors.notify.consumers import register_notification_consumers
from connectors.notify.mailers import Mailer, mailer_from_settings
from connectors.notify.plan_notice import QuotaNotice
from connectors.payments.runtime import install_payments
from hub.bootstrap import Hub
from scheduler.config import SchedulerConfig
from scheduler.consumers import ConsumerRegistry
from scheduler.runtime import Scheduler, install


def install_scheduler(
    hub: Hub,
    *,
    huey: Huey | None = None,
    config: SchedulerConfig | None = None,
    mailer: Mailer | None = None,
) -> Scheduler:
    """The scheduler with the reminders, email and WhatsApp consumers (no other connector)."""
    sender = mailer or mailer_from_settings(hub.settings)

    def notifications(registry: ConsumerRegistry) -> None:
        register_notification_consumers(registry, hub.database.unit_of_work, hub.settings, sender)

    return install(hub, huey=huey, config=config, consumers=[notifications])


def wire(hub: Hub) -> Scheduler:
    """Install the scheduler and every connector's consumers and tasks into ``hub``."""
    mailer = mailer_from_settings(hub.settings)
    scheduler = install_scheduler(hub, mailer=mailer)
    install_webhooks(hub, scheduler.huey, scheduler.registry, mailer=mailer)
    install_google(hub, scheduler.registry, huey=scheduler.huey, mailer=mailer)  # no-op if unset
    install_payments(hub, scheduler.registry)  # refunds; idle until a business connects
    notice = QuotaNotice(hub.database, hub.settings, mailer)
    scheduler.registry.register_consumer(notice.name, notice.handles, notice.deliver)
    return scheduler
