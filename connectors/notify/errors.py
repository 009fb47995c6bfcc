"""Delivery errors of the notification channels.

The dispatcher needs one answer from each: try again later (``RetryableDeliveryError``:
timeouts, 5xx, rate limits, SMTP 4xx) or give up on this recipient
(``PermanentDeliveryError``: a refused address, a number not on WhatsApp, bad credentials).
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RetryableDeliveryError(DeliveryError):
    """Try again later; nothing says the next attempt will fail."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help: tell the business instead."""


class MailRefusedError(PermanentDeliveryError):
    """The mail server refused the message or a recipient (SMTP 5xx)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class MailUnavailableError(RetryableDeliveryError):
    """The mail server could not be reached, or deferred the message (SMTP 4xx)."""


class WhatsAppRefusedError(PermanentDeliveryError):
    """The WhatsApp Cloud API refused the message (HTTP 4xx): its Graph error code and text
    say why (e.g. 131026 the number is not on WhatsApp, 190 the token expired)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: int | None = None,
        subcode: int | None = None,
        graph_message: str | None = None,
        details: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.graph_message = graph_message
        self.subcode = subcode
        self.details = details
        self.trace_id = trace_id


class WhatsAppUnavailableError(RetryableDeliveryError):
    """The WhatsApp Cloud API timed out, failed (5xx) or asked us to slow down (429)."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
