"""A block of a whole branch (stocktaking, a holiday) shows in the calendar of every
resource of the branch, moves their sync tokens, and cannot be changed from one of them."""

from __future__ import annotations

from datetime import timedelta

import caldav

from hub.services.blocks import NewBlock, create_block
from tests.api.tenants import SETUP
from tests.caldav.conftest import DavWorld
from tests.caldav.helpers import http


def client(world: DavWorld) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=world.dav_url, username=world.admin.user.email, password=world.admin.password
    )


def test_a_branch_block_shows_in_every_resource_calendar_of_the_branch(dav: DavWorld) -> None:
    with client(dav) as admin:
        cals = {c.url.path.rstrip("/").rsplit("/", 1)[-1]: c for c in admin.principal().calendars()}
        shown_in_each(dav, cals)


def shown_in_each(dav: DavWorld, cals: dict[str, caldav.Calendar]) -> None:
    t = dav.tenant
    start = t.at(11, days_ahead=5)
    tokens = {
        r.id: cals[r.id].get_objects_by_sync_token(load_objects=False, disable_fallback=True)
        for r in t.resources
    }
    hub = dav.live.hub
    result = create_block(
        hub.uow(),
        NewBlock(
            business_id=t.business.id,
            start=start,
            end=start + timedelta(hours=2),
            branch_id=t.branch.id,
            reason="Inventario",
        ),
        by=SETUP,
        now=hub.now(),
    )
    (block,) = result.blocks
    href = f"block-{block.id}.ics"
    for resource in t.resources:
        cal = cals[resource.id]
        found = cal.search(start=start, end=start + timedelta(hours=1), event=True)
        assert ["Bloqueado: Inventario" in str(e.data) for e in found] == [True]  # Spanish business
        later = cal.get_objects_by_sync_token(
            sync_token=tokens[resource.id].sync_token, load_objects=False, disable_fallback=True
        )
        assert [str(o.url).rsplit("/", 1)[-1] for o in later] == [href]
    # Nobody removes the whole branch's block from one resource's calendar.
    with http(dav, dav.admin) as h:
        url = f"{dav.calendar_url(dav.admin, t.resources[0].id)}{href}"
        refused = h.delete(url)
        assert refused.status_code == 403
        assert "branch-block" in refused.text
        assert h.get(url).status_code == 200
