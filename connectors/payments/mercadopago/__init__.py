"""MercadoPago: Checkout Pro preferences for deposits, refunds, and signed notifications
whose payment is re-fetched from the API before it is trusted (``provider``, ``webhook``),
with the official ``mercadopago`` SDK."""
