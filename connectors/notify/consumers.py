"""The notification consumers registered with the scheduler: booking events → email and
WhatsApp, sharing one ``MessageBuilder``.

The scheduler knows these only through its registry (``scheduler.consumers``): the
composition root registers them (``hub.wiring``).
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.notify.builder import MessageBuilder
from connectors.notify.email_consumer import EmailConsumer
from connectors.notify.mailers import Mailer
from connectors.notify.whatsapp_consumer import WhatsAppConsumer
from hub.config import Settings
from hub.persistence.uow import SqlUnitOfWork
from scheduler.consumers import ConsumerRegistry


def register_notification_consumers(
    registry: ConsumerRegistry,
    uow: Callable[[], SqlUnitOfWork],
    settings: Settings,
    mailer: Mailer,
) -> None:
    """Register the ``email`` and ``whatsapp`` consumers."""
    builder = MessageBuilder(uow, settings)
    email = EmailConsumer(builder, mailer, settings)
    whatsapp = WhatsAppConsumer(builder, settings, email)
    registry.register_consumer(email.name, email.handles, email.deliver, prefetch=builder.prefetch)
    registry.register_consumer(
        whatsapp.name, whatsapp.handles, whatsapp.deliver, prefetch=builder.prefetch
    )
