"""``/api/v1/webhooks``: the REST routes of the webhooks connector, declared with the API's
own ``Operations`` (same bearer-key auth, error shape, Idempotency-Key handling and OpenAPI
document as every other route). ``hub.app.api_registry`` adds ``ops`` after the core's groups.

One module per kind of thing the routes act on: ``subscriptions`` (the webhooks themselves),
``deliveries`` (the delivery log, replay, ping); ``schemas`` is what both take and answer.

Not here: what the calls do (``connectors.crm_webhooks.subscriptions``, ``.engine``).
"""

from __future__ import annotations

from connectors.crm_webhooks.api import deliveries, subscriptions
from hub.api.registry import Operations

ops = Operations("webhooks", [*subscriptions.ops.items, *deliveries.ops.items])
