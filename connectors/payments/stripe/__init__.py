"""Stripe: Checkout Sessions for deposits, refunds, and signed webhooks (``provider``,
``webhook``), with the official ``stripe`` library and a client per business account."""
