"""The webhook engine, split by verb: ``fan_out`` (an outbox event into one delivery per
listening subscription), ``send`` (claim due deliveries, sign, POST, log the attempt, finish
or schedule the next try), ``health`` (disable an endpoint that failed every attempt for a
day, and tell its business admin), ``ping``; ``base`` holds what they share.

Not here: Huey (``connectors.crm_webhooks.runtime``), HTTP details (``sender``), routes
(``api``).
"""

from __future__ import annotations

from connectors.crm_webhooks.engine.fan_out import WebhooksFanOut
from connectors.crm_webhooks.engine.ping import WebhooksPing


class Webhooks(WebhooksFanOut, WebhooksPing):
    """Fan-out and sending for one process (shared by its worker threads)."""
