"""Recurring series over the API: preview, book what fits or all or nothing, read, cancel
this-and-following, move by a shift; another business's key sees none of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hub.domain.accounts import Role
from hub.services import accounts
from tests.api.conftest import LiveHub
from tests.api.tenants import Tenant
from tests.pages.shop import PASSWORD


def _series(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    body = tenant.booking_body(10, resource=tenant.resources[0].id)
    body["repeat"] = {"frequency": "weekly", "interval": 2, "count": 4}
    body.update(extra)
    return body


def test_preview_then_book_what_fits_then_cancel_following(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    taken = tenant.at(10) + timedelta(weeks=2)
    with tenant.client() as client:
        other = tenant.booking_body(10, resource=tenant.resources[0].id)
        other["start"] = taken.isoformat()
        assert client.post("/api/v1/bookings", json=other).status_code == 201

        preview = client.post("/api/v1/series/preview", json=_series(tenant))
        assert preview.status_code == 200, preview.text
        dates = preview.json()["occurrences"]
        assert [(o["start"], o["free"]) for o in dates] == [
            ((tenant.at(10) + timedelta(weeks=2 * n)).isoformat(), n != 1) for n in range(4)
        ]
        assert dates[1]["code"] == "slot_taken"
        assert preview.json()["taken"] == 1
        listed = client.get("/api/v1/bookings").json()["items"]
        assert len(listed) == 1  # the preview booked nothing

        strict = client.post("/api/v1/series", json=_series(tenant, mode="all"))
        assert strict.status_code == 409
        error = strict.json()["error"]
        assert [c["start"] for c in error["details"]["conflicts"]] == [taken.isoformat()]
        assert len(client.get("/api/v1/bookings").json()["items"]) == 1

        made = client.post("/api/v1/series", json=_series(tenant, mode="fits"))
        assert made.status_code == 201, made.text
        series = made.json()
        assert len(series["bookings"]) == 3
        assert {b["series_id"] for b in series["bookings"]} == {series["id"]}
        ids = [b["id"] for b in series["bookings"]]

        read = client.get(f"/api/v1/series/{series['id']}")
        assert [b["id"] for b in read.json()["bookings"]] == ids

        moved = client.post(
            f"/api/v1/series/{series['id']}/reschedule",
            json={"booking": ids[1], "scope": "following", "shift_minutes": 60},
        )
        assert moved.status_code == 200, moved.text
        assert [b["start"] for b in moved.json()["changed"]] == [
            (tenant.at(11) + timedelta(weeks=n)).isoformat() for n in (4, 6)
        ]

        cancelled = client.post(
            f"/api/v1/series/{series['id']}/cancel",
            json={"booking": ids[1], "scope": "following", "reason": "vacaciones"},
        )
        assert cancelled.status_code == 200, cancelled.text
        assert [b["id"] for b in cancelled.json()["changed"]] == ids[1:]
        after = client.get(f"/api/v1/series/{series['id']}").json()["bookings"]
        assert [b["status"] for b in after] == ["confirmed", "cancelled", "cancelled"]
        assert client.get(f"/api/v1/bookings/{ids[2]}").json()["cancel_reason"] == "vacaciones"


def test_monthly_by_weekday_and_the_cap(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        body = _series(tenant, mode="fits")
        body["repeat"] = {"frequency": "monthly", "count": 3}
        made = client.post("/api/v1/series", json=body)
        assert made.status_code == 201, made.text
        starts = [b["start"] for b in made.json()["bookings"]]
        first = tenant.at(10)
        week = (first.day - 1) // 7 + 1
        from datetime import datetime

        for text in starts:
            at = datetime.fromisoformat(text).astimezone(first.tzinfo)
            assert at.weekday() == first.weekday()
            assert (at.day - 1) // 7 + 1 == week
        assert len({datetime.fromisoformat(s).month for s in starts}) == 3

        for bad in (
            {"frequency": "weekly", "count": 105},
            {"frequency": "weekly", "until": "2199-01-01"},
            {"frequency": "weekly"},
            {"frequency": "monthly", "interval": 13, "count": 2},
            {"frequency": "weekly", "count": 2, "until": "2100-01-01"},
            {"frequency": "yearly", "count": 2},
            {"frequency": "weekly", "until": "not a date"},
        ):
            refused = client.post("/api/v1/series", json={**body, "repeat": bad})
            assert refused.status_code == 422, (bad, refused.text)
        late = _series(tenant, start="9999-12-20T10:00:00+00:00")
        assert client.post("/api/v1/series/preview", json=late).status_code == 422
        assert len(client.get("/api/v1/bookings").json()["items"]) == 3


def test_another_business_cannot_read_cancel_or_move_a_series(live_hub: LiveHub) -> None:
    mine, theirs = live_hub.tenant(), live_hub.tenant()
    with mine.client() as client:
        series = client.post("/api/v1/series", json=_series(mine)).json()
    sid, first = series["id"], series["bookings"][0]["id"]
    with theirs.client() as client:
        assert client.get(f"/api/v1/series/{sid}").status_code == 404
        cancel = {"booking": first, "scope": "all"}
        assert client.post(f"/api/v1/series/{sid}/cancel", json=cancel).status_code == 404
        shift = {"booking": first, "scope": "all", "shift_minutes": 30}
        assert client.post(f"/api/v1/series/{sid}/reschedule", json=shift).status_code == 404
    with mine.client() as client:
        after = client.get(f"/api/v1/series/{sid}").json()["bookings"]
        assert {b["status"] for b in after} == {"confirmed"}
        assert after[0]["start"] == mine.at(10).isoformat()
        # An occurrence of another series is not part of this one.
        other = client.post("/api/v1/series", json=_series(mine, start=mine.at(14).isoformat()))
        stray = {"booking": other.json()["bookings"][0]["id"], "scope": "this"}
        assert client.post(f"/api/v1/series/{sid}/cancel", json=stray).status_code == 404


def test_moving_past_the_calendar_or_by_nothing_is_a_422_and_moves_nothing(
    live_hub: LiveHub,
) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        body = _series(tenant, start="9999-12-20T10:00:00-03:00", force=True)
        body["repeat"] = {"frequency": "weekly", "count": 1}
        made = client.post("/api/v1/series", json=body)
        assert made.status_code == 201, made.text
        sid = made.json()["id"]
        for shift in (527040, 0):
            moved = client.post(
                f"/api/v1/series/{sid}/reschedule",
                json={"scope": "all", "shift_minutes": shift, "force": True},
            )
            assert moved.status_code == 422, moved.text
        after = client.get(f"/api/v1/series/{sid}").json()["bookings"]
        assert after[0]["start"] == "9999-12-20T10:00:00-03:00"


def test_the_series_routes_are_documented(live_hub: LiveHub) -> None:
    with live_hub.client() as client:
        spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path, method in (
        ("/api/v1/series/preview", "post"),
        ("/api/v1/series", "post"),
        ("/api/v1/series/{id}", "get"),
        ("/api/v1/series/{id}/cancel", "post"),
        ("/api/v1/series/{id}/reschedule", "post"),
    ):
        assert method in paths.get(path, paths.get(path.removeprefix("/api/v1"), {})), path
    create = paths.get("/api/v1/series", paths.get("/series"))["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["repeat"]["properties"]["count"]["maximum"] == 104


def test_a_series_body_says_what_a_single_booking_body_says(live_hub: LiveHub) -> None:
    """A CRM that books a weekly meeting on behalf of a staff member gets every date with that
    organizer (and its notes), as a single booking would; a stranger as organizer books none."""
    tenant = live_hub.tenant()
    hub = live_hub.hub
    mine = accounts.create_user(
        hub.accounts_uow(),
        business_id=tenant.business.id,
        email=f"ventas@{tenant.business.slug}.test",
        role=Role.EMPLOYEE,
        now=hub.now(),
        password=PASSWORD,
        name="Ventas",
    )
    with tenant.client() as client:
        refused = client.post("/api/v1/series", json=_series(tenant, organizer="nadie@example.com"))
        assert refused.status_code == 422, refused.text
        assert client.get("/api/v1/bookings").json()["items"] == []

        made = client.post(
            "/api/v1/series", json=_series(tenant, organizer=mine.email, notes="Comité")
        )
        assert made.status_code == 201, made.text
        for item in made.json()["bookings"]:
            read = client.get(f"/api/v1/bookings/{item['id']}").json()
            assert read["organizer_id"] == mine.id
            assert read["notes"] == "Comité"
