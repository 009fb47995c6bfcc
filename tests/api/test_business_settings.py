"""The business's own settings over the API: read, change, bad input refused with the field
named and nothing written, a timezone or currency change confirmed while bookings are to come,
and each API key sees and changes only its own business."""

from __future__ import annotations

from datetime import datetime

from hub.services import setup
from tests.api.conftest import LiveHub


def test_settings_are_read_and_changed(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        read = client.get("/api/v1/business")
        assert read.status_code == 200, read.text
        assert read.json()["slug"] == tenant.slug and read.json()["currency"] == "ARS"
        changed = client.patch(
            "/api/v1/business",
            json={
                "name": "Lavadero Norte",
                "whatsapp_contact": "+54 9 11 5555-0000",
                "language": "en",
                "booking_rules": {"min_notice_minutes": 90, "max_reschedules": 3},
            },
        )
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert body["name"] == "Lavadero Norte" and body["language"] == "en"
        assert body["whatsapp_contact"] == "+5491155550000"
        assert body["booking_rules"]["min_notice_minutes"] == 90
        assert body["booking_rules"]["max_reschedules"] == 3
        assert body["booking_rules"]["horizon_days"] == tenant.business.policy.horizon_days
    stored = setup.find_business(live_hub.hub.uow(), business_id=tenant.business.id)
    assert stored.policy.min_notice_minutes == 90 and stored.name == "Lavadero Norte"


def test_bad_settings_are_refused_naming_the_field_and_nothing_is_written(
    live_hub: LiveHub,
) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        for body, field in (
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"currency": "ÑÑÑ"}, "currency"),
            ({"whatsapp_contact": "llamame"}, "whatsapp_contact"),
            ({"booking_rules": {"horizon_days": 0}}, "horizon_days"),
            ({"booking_rules": {"hold_minutes": -5}}, "hold_minutes"),
            ({"name": "   "}, "name"),
            ({"name": "Otro", "language": "fr"}, "language"),
        ):
            answer = client.patch("/api/v1/business", json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert field in answer.text, (body, answer.text)
        assert client.get("/api/v1/business").json()["name"] == tenant.business.name


def test_a_timezone_change_with_bookings_to_come_is_confirmed(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        booked = client.post("/api/v1/bookings", json=tenant.booking_body(hour=10))
        assert booked.status_code == 201, booked.text
        start = booked.json()["start"]
        refused = client.patch("/api/v1/business", json={"timezone": "America/Bogota"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["details"]["upcoming"] == 1
        assert client.get("/api/v1/business").json()["timezone"] == tenant.business.timezone
        done = client.patch(
            "/api/v1/business",
            json={"timezone": "America/Bogota", "currency": "cop", "confirm": True},
        )
        assert done.status_code == 200, done.text
        assert done.json()["timezone"] == "America/Bogota" and done.json()["currency"] == "COP"
        again = client.get(f"/api/v1/bookings/{booked.json()['id']}").json()
        # The same instant, read in the new zone; the price keeps the currency it was made in.
        assert again["start"].endswith("-05:00") and start.endswith("-03:00")
        assert datetime.fromisoformat(again["start"]) == datetime.fromisoformat(start)
        assert again["currency"] == "ARS"


def test_each_key_reads_and_changes_only_its_own_business(live_hub: LiveHub) -> None:
    ours, theirs = live_hub.tenant(), live_hub.tenant()
    with ours.client() as client:
        assert client.get("/api/v1/business").json()["id"] == ours.business.id
        client.patch("/api/v1/business", json={"name": "Solo el nuestro"})
    with theirs.client() as client:
        assert client.get("/api/v1/business").json()["name"] == theirs.business.name
    with live_hub.client() as anonymous:
        assert anonymous.get("/api/v1/business").status_code == 401
        assert anonymous.patch("/api/v1/business", json={"name": "x"}).status_code == 401


def test_reminders_and_messages_over_the_api(live_hub: LiveHub) -> None:
    ours, theirs = live_hub.tenant(), live_hub.tenant()
    with ours.client() as client:
        assert client.get("/api/v1/notification-settings").json()["messages_off"] == []
        put = client.put(
            "/api/v1/notification-settings",
            json={
                "reminders": [{"channel": "email", "minutes_before": 15}],
                "messages_off": ["thank_you"],
            },
        )
        assert put.status_code == 200, put.text
        assert put.json() == {
            "reminders": [{"channel": "email", "minutes_before": 15}],
            "messages_off": ["thank_you"],
        }
        for bad in (
            {"reminders": [{"channel": "sms", "minutes_before": 15}], "messages_off": []},
            {"reminders": [{"channel": "email", "minutes_before": 0}], "messages_off": []},
            {"reminders": [], "messages_off": ["spam"]},
        ):
            assert client.put("/api/v1/notification-settings", json=bad).status_code == 422
        assert client.get("/api/v1/notification-settings").json()["messages_off"] == ["thank_you"]
    with theirs.client() as client:
        assert client.get("/api/v1/notification-settings").json()["messages_off"] == []


def test_the_deposit_and_refund_rule_over_the_api(live_hub: LiveHub) -> None:
    tenant = live_hub.tenant()
    with tenant.client() as client:
        changed = client.patch(
            "/api/v1/business",
            json={"deposit": {"kind": "percent", "value": 20}, "refund_full_hours": 24},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["deposit"] == {"kind": "percent", "value": 20}
        assert changed.json()["refund_full_hours"] == 24
        booked = client.post("/api/v1/bookings", json=tenant.booking_body(hour=11))
        assert booked.status_code == 201, booked.text
        price = tenant.service.price_minor
        assert booked.json()["deposit_minor"] == (price * 20 + 99) // 100
        for bad in ({"deposit": {"kind": "percent", "value": 150}}, {"deposit": {"kind": "fixed"}}):
            assert client.patch("/api/v1/business", json=bad).status_code == 422, bad
        assert client.get("/api/v1/business").json()["deposit"]["value"] == 20


def test_message_texts_over_the_api(live_hub: LiveHub) -> None:
    ours, theirs = live_hub.tenant(), live_hub.tenant()
    text = {"language": "es", "kind": "confirmed", "part": "whatsapp.txt"}
    with ours.client() as client:
        first = client.get("/api/v1/message-texts").json()
        assert first["texts"] == [] and "deposit_text" in first["placeholders"]["confirmed"]
        put = client.put("/api/v1/message-texts", json=text | {"text": "Hola {{ customer_name }}"})
        assert put.status_code == 200, put.text
        assert put.json()["texts"] == [text | {"text": "Hola {{ customer_name }}"}]
        for bad, named in (
            (text | {"text": "Hola {{ nombre }}"}, "{{ nombre }}"),
            (text | {"text": "Hola {{ customer_name }"}, "unbalanced"),
            (text | {"text": "x" * 1001}, "1000"),
            (text | {"text": "{% if survey_url %}hola"}, "{% if %} is never closed"),
            (text | {"kind": "spam", "text": "hola"}, ""),
        ):
            refused = client.put("/api/v1/message-texts", json=bad)
            assert refused.status_code == 422, bad
            assert named in refused.text
        survey = client.put("/api/v1/survey-link", json={"survey_url": "https://e.example/s"})
        assert survey.status_code == 200, survey.text
        bad_link = client.put("/api/v1/survey-link", json={"survey_url": "ftp://x"})
        assert bad_link.status_code == 422
        after = client.get("/api/v1/message-texts").json()
        assert after["texts"] == [text | {"text": "Hola {{ customer_name }}"}]
        assert after["survey_url"] == "https://e.example/s"
        reset = client.put("/api/v1/message-texts", json=text | {"text": None})
        assert reset.json()["texts"] == []
    with theirs.client() as client:
        assert client.get("/api/v1/message-texts").json()["survey_url"] is None
