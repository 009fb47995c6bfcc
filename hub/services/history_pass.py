"""The pass of a client's history page: which business, which contact (proven by a
one-time code, ``hub.services.history_codes.check_code``) and until when, signed with the
hub's secret key (HMAC-SHA256) into the page's cookie. Nothing is stored: the pass runs out
by itself after ``PASS_TTL``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.services.history_codes import ClientContact

PASS_TTL = timedelta(minutes=30)
MAX_SEALED = 1000


@dataclass(frozen=True, slots=True)
class HistoryPass:
    business_id: str
    contact: ClientContact
    until: datetime


def seal_pass(secret: str, business_id: str, contact: ClientContact, now: datetime) -> str:
    """The history page's cookie value: who, where and until when, signed with ``secret``."""
    until = int((now + PASS_TTL).timestamp())
    body = json.dumps([business_id, contact.kind, contact.value, until], separators=(",", ":"))
    payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{payload}.{_sign(secret, payload)}"


def open_pass(secret: str, sealed: str, business_id: str, now: datetime) -> HistoryPass | None:
    """The pass in a cookie value, or None when it is forged, expired or another
    business's."""
    payload, _, signature = sealed.partition(".")
    if len(sealed) > MAX_SEALED or not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        owner, kind, value, until = str(data[0]), str(data[1]), str(data[2]), int(data[3])
    except (ValueError, TypeError, IndexError, KeyError):
        return None
    expires = datetime.fromtimestamp(until, UTC)
    if owner != business_id or kind not in ("phone", "email") or expires <= now:
        return None
    return HistoryPass(owner, ClientContact(kind, value), expires)


def _sign(secret: str, payload: str) -> str:
    key = hashlib.sha256(b"turnero-history-pass:" + secret.encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
