"""Notifications: booking messages by email (with iCalendar invites) and WhatsApp.

- ``context``: ``MessageKind``, ``MessageChannel``, ``MessageContext`` and ``build_context``.
- ``formatting``: dates, zones and money with Babel in the business's locale.
- ``templates``: shipped Spanish (Argentina) and English texts, per-business overrides.
- ``mail``: the invite email (RFC 5322 + iMIP); ``mailers``: SMTP and folder senders.
- ``whatsapp``: Cloud API client; ``whatsapp_webhook``: inbound handshake, signature, replies.
- ``errors``: retryable vs permanent delivery errors.

The outbox dispatcher wires these; this package imports no other connector.
"""
