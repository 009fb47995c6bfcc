"""Public endpoints (no auth), as the booking pages and widgets use them, served for real."""

from __future__ import annotations

from datetime import timedelta

import icalendar

from tests.api.conftest import LiveHub


def test_search_and_describe_a_business(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    live_hub.tenant()  # another one that must not match
    with live_hub.client() as client:
        found = client.get("/api/v1/public/businesses", params={"q": tenant.slug}).json()
        detail = client.get(f"/api/v1/public/businesses/{tenant.slug}").json()
        missing = client.get("/api/v1/public/businesses/no-such-business")
    assert [b["slug"] for b in found["items"]] == [tenant.slug]
    assert detail["timezone"] == "America/Argentina/Buenos_Aires"
    assert [s["name"] for s in detail["services"]] == ["Lavado completo"]
    assert sorted(r["name"] for r in detail["resources"]) == ["Juan", "María"]
    assert [b["name"] for b in detail["branches"]] == ["Centro"]
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_availability_lists_slots_in_the_business_timezone(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    day = tenant.day().isoformat()
    with live_hub.client() as client:
        answer = client.get(
            f"/api/v1/public/businesses/{tenant.slug}/availability",
            params={"service": tenant.service.id, "from": day, "to": day},
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["timezone"] == "America/Argentina/Buenos_Aires"
    starts = [s["start"] for s in body["slots"]]
    assert starts[0] == f"{day}T09:00:00-03:00"
    assert starts[-1] == f"{day}T17:30:00-03:00"
    assert len(body["slots"][0]["resources"]) == 2


def test_availability_errors(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    url = f"/api/v1/public/businesses/{tenant.slug}/availability"
    day = tenant.day()
    with live_hub.client() as client:
        too_long = client.get(
            url,
            params={
                "service": tenant.service.id,
                "from": day.isoformat(),
                "to": (day + timedelta(days=62)).isoformat(),
            },
        )
        bad_date = client.get(url, params={"service": tenant.service.id, "from": "x", "to": "y"})
        missing = client.get(url, params={"from": day.isoformat(), "to": day.isoformat()})
        unknown_service = client.get(
            url, params={"service": "nope", "from": day.isoformat(), "to": day.isoformat()}
        )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["details"]["field"] == "to"
    assert bad_date.status_code == 422
    assert bad_date.json()["error"]["details"]["field"] == "from"
    assert missing.status_code == 422
    assert missing.json()["error"]["details"]["field"] == "service"
    assert unknown_service.status_code == 404


def test_availability_at_the_ends_of_the_calendar_is_refused_naming_the_date(
    live_hub: LiveHub,
) -> None:
    """9999-12-31 has no next day and 0001-01-01 no UTC midnight before it: 422, not 500."""
    tenant = live_hub.tenant()
    asked = (
        ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "9000-12-30", "to": "9001-01-01"}, "to"),
    )
    for path, key in (
        (f"/api/v1/public/businesses/{tenant.slug}/availability", None),
        ("/api/v1/availability", tenant.api_key),
    ):
        with live_hub.client(key) as client:
            for dates, field in asked:
                answer = client.get(path, params={"service": tenant.service.id, **dates})
                assert answer.status_code == 422, answer.text
                assert answer.json()["error"]["details"]["field"] == field


def test_book_then_manage_by_token(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with live_hub.client() as client:
        created = client.post(
            f"/api/v1/public/businesses/{tenant.slug}/bookings",
            json=tenant.booking_body(10, notes="portón verde"),
        )
        assert created.status_code == 201, created.text
        booking = created.json()
        assert booking["start"] == tenant.at(10).isoformat()
        assert booking["end"] == tenant.at(10, 30).isoformat()
        assert booking["status"] in ("pending", "confirmed")
        assert booking["ics_url"].endswith(
            f"/api/v1/public/bookings/{booking['token']}/booking.ics"
        )
        token = booking["token"]

        seen = client.get(f"/api/v1/public/bookings/{token}").json()
        assert seen["id"] == booking["id"]
        assert seen["notes"] == "portón verde"

        moved = client.post(
            f"/api/v1/public/bookings/{token}/reschedule",
            json={"start": tenant.at(11).isoformat()},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["start"] == tenant.at(11).isoformat()

        cancelled = client.post(
            f"/api/v1/public/bookings/{token}/cancel", json={"reason": "lluvia"}
        )
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"

        again = client.post(f"/api/v1/public/bookings/{token}/cancel")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "illegal_transition"

        unknown = client.get("/api/v1/public/bookings/not-a-token")
        assert unknown.status_code == 404


def test_booking_errors_are_clear_and_change_nothing(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    url = f"/api/v1/public/businesses/{tenant.slug}/bookings"
    with live_hub.client() as client:
        first = client.post(url, json=tenant.booking_body(10, resource=tenant.resources[0].id))
        assert first.status_code == 201
        taken = client.post(url, json=tenant.booking_body(10, resource=tenant.resources[0].id))
        malformed = client.post(
            url, content=b"{not json", headers={"content-type": "application/json"}
        )
        no_phone = client.post(url, json={**tenant.booking_body(12), "customer": {"name": "Ana"}})
        no_offset = client.post(
            url, json={**tenant.booking_body(12), "start": "2030-01-01T10:00:00"}
        )
        closed = client.post(url, json=tenant.booking_body(20))
        extra_field = client.post(url, json={**tenant.booking_body(12), "price_minor": 0})
        listed = client.get(
            "/api/v1/bookings", headers={"Authorization": f"Bearer {tenant.api_key}"}
        )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "slot_taken"
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed_body"
    assert no_phone.status_code == 422
    assert no_phone.json()["error"]["details"]["field"] == "customer.phone"
    assert no_offset.status_code == 422
    assert no_offset.json()["error"]["details"]["field"] == "start"
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "slot_not_offered"
    assert extra_field.status_code == 422
    assert extra_field.json()["error"]["details"]["field"] == "price_minor"
    assert len(listed.json()["items"]) == 1


def test_booking_ics_is_a_valid_calendar_with_a_stable_uid(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with live_hub.client() as client:
        booking = client.post(
            f"/api/v1/public/businesses/{tenant.slug}/bookings", json=tenant.booking_body(10)
        ).json()
        first = client.get(f"/api/v1/public/bookings/{booking['token']}/booking.ics")
        second = client.get(f"/api/v1/public/bookings/{booking['token']}/booking.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(first.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]) == f"{booking['id']}@turnero"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "America/Argentina/Buenos_Aires"
    ]
    assert events[0].decoded("DTSTART") == tenant.at(10)
    again = icalendar.Calendar.from_ical(second.content).walk("VEVENT")[0]
    assert str(again["UID"]) == str(events[0]["UID"])


def test_public_writes_are_rate_limited_per_client(sqlite_url: str) -> None:
    from hub.api.ratelimit import Rate
    from tests.api.conftest import serve_hub

    live, served = serve_hub(sqlite_url, public_write_rate=Rate(burst=3, per_second=0.01))
    try:
        tenant = live.tenant()
        with live.client() as client:
            answers = [
                client.post(
                    f"/api/v1/public/businesses/{tenant.slug}/bookings",
                    json=tenant.booking_body(9 + i),
                )
                for i in range(5)
            ]
            reads = client.get(f"/api/v1/public/businesses/{tenant.slug}")
    finally:
        served.stop()
        live.hub.close()
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
    assert answers[3].json()["error"]["code"] == "rate_limited"
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert reads.status_code == 200  # reads are not limited
