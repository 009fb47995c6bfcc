"""Notifications: booking messages by email (with iCalendar invites) and WhatsApp.

- ``context``: ``MessageKind``, ``MessageChannel``, ``MessageContext`` and ``build_context``.
- ``formatting``: dates, zones and money with Babel in the business's locale.
- ``templates``: shipped Spanish (Argentina) and English texts, per-business overrides.
- ``mail``: the invite email (RFC 5322 + iMIP); ``mailers``: SMTP and folder senders.
- ``whatsapp``: Cloud API client; ``whatsapp_webhook``: inbound handshake, signature, replies.
- ``errors``: retryable vs permanent delivery errors.
- ``kinds``: which message an event means; ``builder``: a booking's message, built once;
  ``email_consumer``, ``whatsapp_consumer``: send it; ``consumers``: register them.

The outbox dispatcher wires these; this package imports no other connector.
"""
