"""Staff users, their roles and credentials, console sessions and API keys — as plain
records.

Hashing and verification live in ``hub.services.accounts``; this module only says what a
user or a key is and what a role may see.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from hub.domain.model import new_id


class Role(enum.StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    BUSINESS_ADMIN = "business_admin"
    EMPLOYEE = "employee"


JOINED_VIA_GOOGLE_DOMAIN = "google_domain"


@dataclass(slots=True)
class User:
    """A staff member. An employee sees only the resources in ``resource_ids``; a business
    admin sees the whole business; a platform admin has no business."""

    email: str
    role: Role
    business_id: str | None
    name: str = ""
    password_hash: str | None = None
    phone: str | None = None  # E.164, for WhatsApp about the bookings they organise
    resource_ids: tuple[str, ...] = ()
    active: bool = True
    created_at: datetime | None = None
    # How they joined when nobody invited them: ``JOINED_VIA_GOOGLE_DOMAIN`` (a first
    # Google sign-in on a domain the business claimed); None for invited or created staff.
    joined_via: str | None = None
    id: str = field(default_factory=new_id)

    def sees_resource(self, resource_id: str) -> bool:
        if self.role in (Role.BUSINESS_ADMIN, Role.PLATFORM_ADMIN):
            return True
        return resource_id in self.resource_ids

    def manages_business(self) -> bool:
        return self.role in (Role.BUSINESS_ADMIN, Role.PLATFORM_ADMIN)


@dataclass(slots=True)
class AppPassword:
    """A password for a calendar app (CalDAV), one per device, revocable."""

    user_id: str
    label: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class ConsoleSession:
    """A signed-in console browser. Its cookie holds a random token; only the token's hash
    is kept, so the table cannot be used to sign in. Ends at ``expires_at``, on sign-out,
    or when the user's password changes or they are removed."""

    user_id: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    id: str = field(default_factory=new_id)


@dataclass(slots=True)
class ApiKey:
    """A bearer key that acts for one business. Only a hash of the secret is kept;
    ``prefix`` (the first characters of the key) finds the row."""

    business_id: str
    name: str
    prefix: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @property
    def active(self) -> bool:
        return self.revoked_at is None
