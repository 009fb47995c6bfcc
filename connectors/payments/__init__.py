"""Deposit payments through the providers a business connects: ``stripe`` and
``mercadopago`` (one package each, never importing each other), the pay redirect and webhook
routes, and the consumer that refunds by policy (``runtime``).

What they share lives in the core: ``hub.domain.payments``, the ports in
``hub.services.payment_ports``, and the use cases they call on ``hub.core`` at the hub's
clock (``hub.services.bound_payments``: ``start_deposit``, ``record_paid``, ``refund_deposit``…).
"""
