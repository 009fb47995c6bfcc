"""Private booking endpoints with a business's API key, served for real."""

from __future__ import annotations

from tests.api.conftest import LiveHub


def test_requests_without_a_valid_key_are_401(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with live_hub.client() as anonymous, live_hub.client("tk_0000.wrong") as wrong:
        missing = anonymous.get("/api/v1/bookings")
        bad = wrong.get("/api/v1/bookings")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "unauthorized"
    with tenant.client() as client:
        key_id = client.get("/api/v1/api-keys").json()["items"][0]["id"]
        assert client.delete(f"/api/v1/api-keys/{key_id}").json()["active"] is False
        assert client.get("/api/v1/bookings").status_code == 401  # revoked at once


def test_operator_books_reads_edits_and_cancels(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        created = client.post(
            "/api/v1/bookings",
            json=tenant.booking_body(
                10,
                resource=tenant.resources[1].id,
                invitees=["socio@example.com"],
                external_ref="crm-42",
                notes="primera visita",
            ),
        )
        assert created.status_code == 201, created.text
        booking = created.json()
        assert created.headers["location"] == f"/api/v1/bookings/{booking['id']}"
        assert booking["resource_id"] == tenant.resources[1].id
        assert booking["invitees"] == ["socio@example.com"]
        assert booking["customer"]["phone"] == "+5491123456789"

        read = client.get(f"/api/v1/bookings/{booking['id']}")
        etag = read.headers["etag"]
        assert read.json()["external_ref"] == "crm-42"

        edited = client.patch(
            f"/api/v1/bookings/{booking['id']}",
            json={"notes": "traer llave"},
            headers={"If-Match": etag},
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["notes"] == "traer llave"
        assert edited.headers["etag"] != etag

        stale = client.patch(
            f"/api/v1/bookings/{booking['id']}", json={"notes": "x"}, headers={"If-Match": etag}
        )
        assert stale.status_code == 412
        assert stale.json()["error"]["code"] == "stale_version"

        moved = client.patch(
            f"/api/v1/bookings/{booking['id']}",
            json={"start": tenant.at(15).isoformat()},
            headers={"If-Match": edited.headers["etag"]},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["start"] == tenant.at(15).isoformat()
        assert moved.json()["notes"] == "traer llave"

        by_ref = client.get("/api/v1/bookings", params={"external_ref": "crm-42"}).json()
        assert [b["id"] for b in by_ref["items"]] == [booking["id"]]

        cancelled = client.delete(f"/api/v1/bookings/{booking['id']}", params={"reason": "cliente"})
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["cancel_reason"] == "cliente"
        assert client.delete(f"/api/v1/bookings/{booking['id']}").status_code == 409


def test_status_transitions_and_illegal_ones(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        booking = client.post("/api/v1/bookings", json=tenant.booking_body(10)).json()
        path = f"/api/v1/bookings/{booking['id']}"
        if booking["status"] == "pending":
            assert client.post(f"{path}/confirm").json()["status"] == "confirmed"
        assert client.post(f"{path}/confirm").status_code == 409
        assert client.post(f"{path}/start").json()["status"] == "in_progress"
        illegal = client.post(f"{path}/no-show")
        assert illegal.status_code == 409
        assert illegal.json()["error"]["code"] == "illegal_transition"
        assert client.post(f"{path}/complete").json()["status"] == "completed"

        other = client.post("/api/v1/bookings", json=tenant.booking_body(11)).json()
        other_path = f"/api/v1/bookings/{other['id']}"
        if other["status"] == "pending":
            client.post(f"{other_path}/confirm")
        early = client.post(f"{other_path}/no-show")
        assert early.status_code == 409, early.text  # not before it was due to start
        live_hub.travel(tenant.at(11, 30) - live_hub.now())
        assert client.post(f"{other_path}/no-show").json()["status"] == "no_show"
        assert client.post("/api/v1/bookings/nope/confirm").status_code == 404


def test_operator_may_force_a_time_outside_slots_but_never_an_overlap(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    juan = tenant.resources[0].id
    with tenant.client() as client:
        not_offered = client.post("/api/v1/bookings", json=tenant.booking_body(20, resource=juan))
        forced = client.post(
            "/api/v1/bookings", json=tenant.booking_body(20, resource=juan, force=True)
        )
        overlap = client.post(
            "/api/v1/bookings", json=tenant.booking_body(20, resource=juan, force=True)
        )
    assert not_offered.status_code == 409
    assert not_offered.json()["error"]["code"] == "slot_not_offered"
    assert forced.status_code == 201
    assert overlap.status_code == 409
    assert overlap.json()["error"]["code"] == "slot_taken"


def test_list_filters_and_cursor_pagination(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        ids = [
            client.post("/api/v1/bookings", json=tenant.booking_body(9 + i)).json()["id"]
            for i in range(5)
        ]
        client.post(
            "/api/v1/bookings",
            json={
                **tenant.booking_body(15),
                "customer": {"name": "Bruno Díaz", "email": "bruno@example.com"},
            },
        )
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2, "q": "ana", **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/v1/bookings", params=params).json()
            seen += [b["id"] for b in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        bruno = client.get("/api/v1/bookings", params={"q": "bruno@"}).json()["items"]
        window = client.get(
            "/api/v1/bookings",
            params={"from": tenant.at(10).isoformat(), "to": tenant.at(12).isoformat()},
        ).json()["items"]
        bad_cursor = client.get("/api/v1/bookings", params={"cursor": "%%%"})
        bad_status = client.get("/api/v1/bookings", params={"status": "lost"})
    assert seen == ids
    assert [b["customer"]["name"] for b in bruno] == ["Bruno Díaz"]
    assert [b["start"] for b in window] == [tenant.at(h).isoformat() for h in (10, 11)]
    assert bad_cursor.status_code == 422
    assert bad_status.status_code == 422
    assert bad_status.json()["error"]["details"]["field"] == "status"


def test_operator_availability_and_invitee_search(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    day = tenant.day().isoformat()
    with tenant.client() as client:
        client.post(
            "/api/v1/bookings",
            json={
                **tenant.booking_body(10),
                "customer": {"name": "María Gómez", "email": "maria@example.com"},
            },
        )
        slots = client.get(
            "/api/v1/availability",
            params={
                "service": tenant.service.id,
                "from": day,
                "to": day,
                "resource": tenant.resources[0].id,
            },
        ).json()
        found = client.get("/api/v1/bookings/search-users", params={"q": "maría"}).json()
        by_mail = client.get("/api/v1/bookings/search-users", params={"q": "maria@"}).json()
    assert slots["timezone"] == "America/Argentina/Buenos_Aires"
    assert all(s["resources"] == [tenant.resources[0].id] for s in slots["slots"])
    assert [(u["kind"], u["name"]) for u in found["items"]] == [("customer", "María Gómez")]
    assert [u["email"] for u in by_mail["items"]] == ["maria@example.com"]


def test_a_crm_asks_for_a_video_link_per_booking(live_hub: LiveHub) -> None:
    """A service without video by default: one booking asks for a video meeting and gets it
    marked (the Google push then creates the Meet link); the next one does not."""
    tenant = live_hub.tenant()
    with tenant.client() as client:
        video = client.post("/api/v1/bookings", json=tenant.booking_body(10, video_meeting=True))
        plain = client.post("/api/v1/bookings", json=tenant.booking_body(12))
        wrong = client.post("/api/v1/bookings", json=tenant.booking_body(14, video_meeting="yes"))
    assert video.status_code == 201, video.text
    assert video.json()["video_meeting"] is True
    assert plain.status_code == 201, plain.text
    assert plain.json()["video_meeting"] is False
    assert wrong.status_code == 422, wrong.text
    assert "video_meeting" in wrong.text
