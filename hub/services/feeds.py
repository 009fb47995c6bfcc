"""Use cases for resources' read-only feed links (``hub.domain.feeds``): read, issue,
revoke — for a staff member of the resource's business.

Anyone who may see a resource (a business admin; an employee linked to it) may read its
link and have one issued; only a business admin revokes one (the link stops working at
once, and a new one can be issued). Each issue and revocation is audited.
"""

from __future__ import annotations

from datetime import datetime

from hub.domain.accounts import User
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import NotFoundError, PermissionDeniedError
from hub.domain.feeds import FeedLink
from hub.domain.model import new_token
from hub.services.events import record_audit
from hub.services.ports import UnitOfWork


def feed_path(token: str) -> str:
    """Where the CalDAV view serves the feed, below the hub's base URL."""
    return f"/dav/feeds/{token}.ics"


def _check(uow: UnitOfWork, user: User, resource_id: str) -> str:
    """The resource's business, if ``user`` may see the resource (NotFoundError if not)."""
    business_id = user.business_id or ""
    resource = uow.resources.get(business_id, resource_id)
    if resource is None or not user.sees_resource(resource.id):
        raise NotFoundError("no such resource", entity="resource", id=resource_id)
    return business_id


def _by(user: User) -> ChangedBy:
    return ChangedBy(Actor.OPERATOR, Channel.CONSOLE, user.id)


def feed_link(uow: UnitOfWork, user: User, resource_id: str) -> FeedLink | None:
    """The resource's current link, or None if none was issued (or it was revoked)."""
    with uow:
        business_id = _check(uow, user, resource_id)
        return uow.feed_tokens.for_resource(business_id, resource_id)


def issue_feed_link(uow: UnitOfWork, user: User, resource_id: str, now: datetime) -> FeedLink:
    """The resource's link, made now if it has none."""
    with uow:
        business_id = _check(uow, user, resource_id)
        found = uow.feed_tokens.for_resource(business_id, resource_id)
        if found is not None:
            return found
        link = FeedLink(new_token(), business_id, resource_id, now)
        uow.feed_tokens.add(link)
        record_audit(
            uow,
            business_id=business_id,
            entity="resource",
            entity_id=resource_id,
            action="feed_link_issued",
            by=_by(user),
            now=now,
        )
        uow.commit()
        return link


def revoke_feed_link(uow: UnitOfWork, user: User, resource_id: str, now: datetime) -> None:
    """End the resource's link (business admins only); a new one may be issued later."""
    with uow:
        business_id = _check(uow, user, resource_id)
        if not user.manages_business():
            raise PermissionDeniedError("only a business admin revokes feed links")
        if not uow.feed_tokens.delete_for_resource(business_id, resource_id):
            raise NotFoundError("this resource has no feed link", entity="feed_link")
        record_audit(
            uow,
            business_id=business_id,
            entity="resource",
            entity_id=resource_id,
            action="feed_link_revoked",
            by=_by(user),
            now=now,
        )
        uow.commit()
