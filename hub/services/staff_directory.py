"""Use cases: the business's staff as a directory — create a user, find one by email or id,
list and search a business's staff, the staff member a booking names, a staff member's own
WhatsApp number.

Changing someone's role or removing them is ``staff_changes``'s; credentials are
``sign_in``'s and ``api_keys``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.accounts import Role, User
from hub.domain.contacts import normalise_email
from hub.domain.errors import ConflictError, NotFoundError, ValidationError
from hub.services.account_ports import AccountsUnitOfWork
from hub.services.customers import normalise_phone
from hub.services.password_hashing import hash_password


def user_of(uow: AccountsUnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFoundError("no such user", entity="user", id=user_id)
    return user


def create_user(
    uow: AccountsUnitOfWork,
    *,
    business_id: str | None,
    email: str,
    role: Role,
    now: datetime,
    password: str | None = None,
    name: str = "",
    resource_ids: Sequence[str] = (),
) -> User:
    email = normalise_email(email)
    if role is not Role.PLATFORM_ADMIN and business_id is None:
        raise ValidationError("a staff user belongs to a business", field="business")
    password_hash = hash_password(password) if password else None
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise ConflictError(f"{email} is already a user", field="email")
        user = User(
            email=email,
            role=role,
            business_id=business_id,
            name=name or email.split("@")[0],
            password_hash=password_hash,
            resource_ids=tuple(resource_ids),
            created_at=now,
        )
        uow.users.add(user)
        uow.commit()
    return user


def find_user(uow: AccountsUnitOfWork, email: str) -> User:
    with uow:
        user = uow.users.get_by_email(normalise_email(email))
    if user is None:
        raise NotFoundError(f"no user with email {email}", entity="user")
    return user


def list_users(uow: AccountsUnitOfWork, business_id: str) -> Sequence[User]:
    with uow:
        return uow.users.list(business_id)


def search_staff(
    uow: AccountsUnitOfWork, business_id: str, query: str, limit: int = 20
) -> Sequence[User]:
    with uow:
        return uow.users.search(business_id, query, limit)


def staff_member(uow: AccountsUnitOfWork, business_id: str, ref: str, field: str) -> User:
    """The active staff member of ``business_id`` whose id or email is ``ref`` (a booking
    made on their behalf names them). Anyone else, another business's staff included, is a
    ``ValidationError`` on ``field``: the caller learns nothing about other businesses."""
    ref = ref.strip()
    with uow:
        user = uow.users.get(ref) or uow.users.get_by_email(ref.lower())
    if user is None or user.business_id != business_id or not user.active:
        raise ValidationError("no such staff member in this business", field=field)
    return user


def set_own_phone(uow: AccountsUnitOfWork, user_id: str, raw: str, country: str | None) -> User:
    """The staff member's WhatsApp number (E.164, read with the business's ``country``),
    where they hear about the bookings they organise; blank removes it."""
    phone = normalise_phone(raw, country) if raw.strip() else None
    with uow:
        user = user_of(uow, user_id)
        user.phone = phone
        uow.users.update(user)
        uow.commit()
    return user
