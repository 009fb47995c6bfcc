"""Idempotency-Key on POST: one booking however often (and however concurrently) it is sent."""

from __future__ import annotations

import threading

import httpx

from tests.api.conftest import LiveHub


def _count(live_hub: LiveHub, api_key: str) -> int:
    with live_hub.client(api_key) as client:
        return len(client.get("/api/v1/bookings").json()["items"])


def test_same_key_and_body_replays_the_first_answer(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    body = tenant.booking_body(10)
    headers = {"Idempotency-Key": "order-1"}
    with tenant.client() as client:
        first = client.post("/api/v1/bookings", json=body, headers=headers)
        second = client.post("/api/v1/bookings", json=body, headers=headers)
        changed = client.post("/api/v1/bookings", json=tenant.booking_body(11), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["etag"] == first.headers["etag"]
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    assert _count(live_hub, tenant.api_key) == 1


def test_keys_are_per_business_and_public_posts_honour_them(live_hub: LiveHub) -> None:
    a, b = live_hub.tenant(), live_hub.tenant()
    headers = {"Idempotency-Key": "same-key"}
    with a.client() as client_a, b.client() as client_b, live_hub.client() as anonymous:
        first_a = client_a.post("/api/v1/bookings", json=a.booking_body(10), headers=headers)
        first_b = client_b.post("/api/v1/bookings", json=b.booking_body(10), headers=headers)
        url = f"/api/v1/public/businesses/{a.slug}/bookings"
        public = [
            anonymous.post(url, json=a.booking_body(12), headers={"Idempotency-Key": "w-1"})
            for _ in range(2)
        ]
    assert first_a.status_code == first_b.status_code == 201
    assert first_a.json()["id"] != first_b.json()["id"]
    assert [p.status_code for p in public] == [201, 201]
    assert public[0].json()["id"] == public[1].json()["id"]
    assert _count(live_hub, a.api_key) == 2


def test_an_anonymous_replay_goes_only_to_the_client_that_asked(live_hub: LiveHub) -> None:
    """Another client (another address) sending the same key and body never receives the
    first client's answer and its manage link: its own request is done (here: the other
    person of the group is booked for it)."""
    tenant = live_hub.tenant()
    url = f"/api/v1/public/businesses/{tenant.slug}/bookings"
    headers = {"Idempotency-Key": "widget-1"}
    body = tenant.booking_body(11)
    other = httpx.HTTPTransport(local_address="127.0.0.2")
    with live_hub.client() as first, live_hub.client(transport=other) as stranger:
        booked = first.post(url, json=body, headers=headers)
        theirs = stranger.post(url, json=body, headers=headers)
        again = first.post(url, json=body, headers=headers)
    assert booked.status_code == 201
    manage_url = booked.json()["manage_url"]
    assert theirs.status_code in (201, 409), theirs.text
    assert manage_url not in theirs.text
    assert booked.json()["token"] not in theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert again.status_code == 201 and again.json()["manage_url"] == manage_url
    assert again.headers["idempotent-replayed"] == "true"


def test_the_same_post_sent_concurrently_creates_one_booking(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    body = tenant.booking_body(10)
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        with tenant.client() as client:
            barrier.wait()
            answers.append(
                client.post("/api/v1/bookings", json=body, headers={"Idempotency-Key": "race"})
            )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["id"] for a in answers}) == 1
    assert _count(live_hub, tenant.api_key) == 1


def test_a_failed_post_is_remembered_too(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    body = tenant.booking_body(20)  # closed at 20:00: not offered
    with tenant.client() as client:
        answers = [
            client.post("/api/v1/bookings", json=body, headers={"Idempotency-Key": "k"})
            for _ in range(2)
        ]
    assert [a.status_code for a in answers] == [409, 409]
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert answers[1].json() == answers[0].json()
