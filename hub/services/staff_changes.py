"""Use cases: changing a business's staff — another role and linked resources, or removal
(sign-in, console sessions and calendar app passwords end at once). The business always
keeps an active admin.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.accounts import Role, User
from hub.domain.booking import Actor, Channel
from hub.domain.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from hub.domain.model import AuditEntry
from hub.services.account_ports import AccountsUnitOfWork


def _keeps_an_admin(uow: AccountsUnitOfWork, business_id: str, leaving: User) -> None:
    """Someone must be left to manage the business: its last active admin stays one."""
    if leaving.role is not Role.BUSINESS_ADMIN or not leaving.active:
        return
    admins = [
        u
        for u in uow.users.list(business_id)
        if u.active and u.role is Role.BUSINESS_ADMIN and u.id != leaving.id
    ]
    if not admins:
        raise ConflictError("the business must keep at least one admin", field="role")


def deactivate_user(
    uow: AccountsUnitOfWork,
    business_id: str,
    user_id: str,
    *,
    by: str,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> User:
    """Remove a staff member from the business (by one of its admins or API keys, ``by``):
    they can no longer sign in, their console sessions and calendar app passwords end at
    once. The record stays (bookings and the audit trail name them). Its last admin stays."""
    with uow:
        user = uow.users.get(user_id)
        if user is None or user.business_id != business_id:
            raise NotFoundError("no such user", entity="user", id=user_id)
        if user.id == by:
            raise PermissionDeniedError("you cannot remove yourself")
        _keeps_an_admin(uow, business_id, user)
        user.active = False
        uow.users.update(user)
        uow.console_sessions.delete_for_user(user.id)
        uow.app_passwords.delete_for_user(user.id)
        uow.audit.add(
            AuditEntry(
                business_id=business_id,
                entity="user",
                entity_id=user.id,
                action="deactivated",
                actor=Actor.OPERATOR.value,
                channel=channel.value,
                at=now,
                actor_id=by,
            )
        )
        uow.commit()
    return user


def change_staff(
    uow: AccountsUnitOfWork,
    business_id: str,
    user_id: str,
    *,
    role: Role,
    resource_ids: Sequence[str],
    known_resources: Sequence[str],
    by: str,
    now: datetime,
    channel: Channel = Channel.CONSOLE,
) -> User:
    """Give a staff member of the business another role and the resources they are linked to
    (``known_resources``: the business's, which the links must be among). An admin cannot
    take away their own admin role, nor anyone the business's last one (someone must be
    left to manage the business)."""
    if role is Role.PLATFORM_ADMIN:
        raise ValidationError("a business has business admins and employees", field="role")
    if not set(resource_ids) <= set(known_resources):
        raise ValidationError("every resource must belong to this business", field="resource_ids")
    with uow:
        user = uow.users.get(user_id)
        if user is None or user.business_id != business_id:
            raise NotFoundError("no such user", entity="user", id=user_id)
        if user.id == by and role is not Role.BUSINESS_ADMIN:
            raise PermissionDeniedError("you cannot take away your own admin role")
        if role is not Role.BUSINESS_ADMIN:
            _keeps_an_admin(uow, business_id, user)
        before = (user.role.value, list(user.resource_ids))
        user.role = role
        user.resource_ids = tuple(dict.fromkeys(resource_ids))
        uow.users.update(user)
        uow.audit.add(
            AuditEntry(
                business_id=business_id,
                entity="user",
                entity_id=user.id,
                action="changed",
                actor=Actor.OPERATOR.value,
                channel=channel.value,
                at=now,
                actor_id=by,
                data={"before": before, "after": [role.value, list(user.resource_ids)]},
            )
        )
        uow.commit()
    return user
