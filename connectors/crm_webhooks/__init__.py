"""CRM webhooks: subscriptions per business, Standard Webhooks signing, one delivery per
(subscription, outbox event) with retries for more than a day, a delivery log, replay, test
pings, and endpoints disabled after a day of failures (the business admin told by email).

Wiring is ``connectors.crm_webhooks.runtime.install_webhooks``; the REST routes are
``connectors.crm_webhooks.api.ops``. Nothing here imports another connector.
"""
