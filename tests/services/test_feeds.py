"""Feed links through the use cases, on SQLite and PostgreSQL: who may read, issue and
revoke a resource's link, and that each change is audited."""

from __future__ import annotations

import pytest

from hub.domain.accounts import Role
from hub.domain.errors import NotFoundError, PermissionDeniedError
from hub.services import accounts, feeds
from tests.services.conftest import NOW, World


def test_feed_links_for_admins_and_linked_employees_only(any_world: World) -> None:
    def user(email: str, role: Role, resources: tuple[str, ...] = ()) -> accounts.User:
        return accounts.create_user(
            any_world.uow(),
            business_id=any_world.business.id,
            email=email,
            role=role,
            now=NOW,
            resource_ids=resources,
        )

    boss = user("boss@example.com", Role.BUSINESS_ADMIN)
    ana = user("ana@example.com", Role.EMPLOYEE, (any_world.washer_a.id,))
    washer_a, washer_b = any_world.washer_a.id, any_world.washer_b.id
    assert feeds.feed_link(any_world.uow(), boss, washer_a) is None
    link = feeds.issue_feed_link(any_world.uow(), ana, washer_a, NOW)
    assert feeds.issue_feed_link(any_world.uow(), boss, washer_a, NOW) == link  # one per resource
    assert feeds.feed_link(any_world.uow(), boss, washer_a) == link
    assert len(link.token) >= 32
    with pytest.raises(NotFoundError):  # not her resource
        feeds.issue_feed_link(any_world.uow(), ana, washer_b, NOW)
    with pytest.raises(PermissionDeniedError):
        feeds.revoke_feed_link(any_world.uow(), ana, washer_a, NOW)
    feeds.revoke_feed_link(any_world.uow(), boss, washer_a, NOW)
    assert feeds.feed_link(any_world.uow(), ana, washer_a) is None
    with pytest.raises(NotFoundError):
        feeds.revoke_feed_link(any_world.uow(), boss, washer_a, NOW)
    with any_world.uow() as uow:
        actions = [
            e.action for e in uow.audit.for_entity(any_world.business.id, "resource", washer_a)
        ]
    assert actions.count("feed_link_issued") == 1 and actions.count("feed_link_revoked") == 1
