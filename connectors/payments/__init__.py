"""Deposit payments through the providers a business connects: ``stripe`` and
``mercadopago`` (one package each, never importing each other), the pay redirect and webhook
routes, and the consumer that refunds by policy (``runtime``).

What they share lives in the core: ``hub.domain.payments`` and ``hub.services.payments``.
"""
