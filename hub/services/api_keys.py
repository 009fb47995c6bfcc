"""Use cases: a business's API keys — create, authenticate, list, revoke.

Keys are long random secrets kept as SHA-256 (a fast hash is right for high-entropy keys and
keeps every API call cheap), found by their public prefix. The raw key is returned once and
never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from hub.domain.accounts import ApiKey
from hub.domain.errors import AuthenticationError, NotFoundError, ValidationError
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.plans import require_open

API_KEY_PREFIX = "tk_"


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(
    uow: AccountsUnitOfWork, business_id: str, name: str, now: datetime
) -> tuple[ApiKey, str]:
    """A new API key for the business; the raw key is returned once."""
    if not name.strip():
        raise ValidationError("an API key needs a name", field="name")
    prefix = API_KEY_PREFIX + secrets.token_hex(6)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey(
        business_id=business_id,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_key_hash(raw),
        created_at=now,
    )
    with uow:
        uow.api_keys.add(key)
        uow.commit()
    return key, raw


def authenticate_api_key(uow: AccountsUnitOfWork, raw_key: str, now: datetime) -> ApiKey:
    """No throttle here, on purpose: a key's secret part is 32 random bytes (256 bits), so
    guessing is hopeless at any rate, and a throttle would only add a write to every call.
    The answer is the same for an unknown prefix and a wrong secret, after the same work."""
    raw_key = raw_key.strip()
    prefix, dot, _ = raw_key.partition(".")
    presented = _key_hash(raw_key)
    with uow:
        key = uow.api_keys.get_by_prefix(prefix) if dot else None
        if key is None or not hmac.compare_digest(key.secret_hash, presented):
            raise AuthenticationError("invalid API key")
        if not key.active:
            raise AuthenticationError("this API key was revoked")
        require_open(uow.plans, key.business_id)
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            key.last_used_at = now  # coarse, so that reads do not write on every call
            uow.api_keys.update(key)
            uow.commit()
        return key


def list_api_keys(uow: AccountsUnitOfWork, business_id: str) -> Sequence[ApiKey]:
    with uow:
        return uow.api_keys.list(business_id)


def revoke_api_key(uow: AccountsUnitOfWork, business_id: str, key_id: str, now: datetime) -> ApiKey:
    with uow:
        for key in uow.api_keys.list(business_id):
            if key.id == key_id:
                key.revoked_at = key.revoked_at or now
                uow.api_keys.update(key)
                uow.commit()
                return key
    raise NotFoundError("no such API key", entity="api_key", id=key_id)
