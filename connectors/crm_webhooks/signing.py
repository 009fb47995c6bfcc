"""Standard Webhooks signing (https://www.standardwebhooks.com): secrets and headers.

A message is signed as ``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256 by the
``standardwebhooks`` library. While a rotated-out secret is still valid (24 h after the
rotation) both signatures are sent, space-separated, so receivers can switch at their pace
(spec §"Signature scheme": several signatures may be given).

Not here: what the body is (``messages``), sending it (``sender``).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
SECRET_BYTES = 24
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """A fresh ``whsec_…`` secret (24 random bytes, base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    """A ``webhook-id`` for a message not tied to an outbox event (test pings)."""
    return "msg_" + secrets.token_hex(12)


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """The secrets a subscription signs with at some instant."""

    current: str
    previous: str | None = None
    previous_expires_at: datetime | None = None

    def active(self, now: datetime) -> tuple[str, ...]:
        if self.previous and self.previous_expires_at and now < self.previous_expires_at:
            return (self.current, self.previous)
        return (self.current,)


def sign_headers(
    keys: SigningKeys, message_id: str, body: str, *, sent_at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``sent_at`` (wall clock: a
    receiver refuses timestamps more than five minutes off its own clock)."""
    stamp = sent_at.astimezone(UTC)
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=stamp, data=body)
        for secret in keys.active(stamp)
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
