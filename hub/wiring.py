"""Wiring of the background side of one process: the scheduler with its consumers and every
connector that hooks into it (webhooks, and the others as they are configured).

Kept apart from ``hub.bootstrap`` because these adapters import ``Hub`` from there. Web
processes call ``wire`` too: their commits must enqueue the dispatch of outbox events even
when another process runs the tasks.
"""

from __future__ import annotations

from connectors.crm_webhooks.runtime import install_webhooks
from connectors.google.runtime import install_google
from connectors.notify.mailers import mailer_from_settings
from connectors.payments.runtime import install_payments
from hub.bootstrap import Hub
from scheduler.plan_notice import QuotaNotice
from scheduler.runtime import Scheduler, install


def wire(hub: Hub) -> Scheduler:
    """Install the scheduler and every connector's consumers and tasks into ``hub``."""
    mailer = mailer_from_settings(hub.settings)
    scheduler = install(hub, mailer=mailer)
    install_webhooks(hub, scheduler.huey, scheduler.registry, mailer=mailer)
    install_google(hub, scheduler.registry, huey=scheduler.huey, mailer=mailer)  # no-op if unset
    install_payments(hub, scheduler.registry)  # refunds; idle until a business connects
    notice = QuotaNotice(hub.database, hub.settings, mailer)
    scheduler.registry.register_consumer(notice.name, notice.handles, notice.deliver)
    return scheduler
