"""Console screens of the CRM webhooks: an admin subscribes a URL (the secret shown once),
changes and deletes it, rotates its secret, sends a ping to a real receiver on loopback and
reads the delivery log, replays one delivery or every failed one since a time; a refused URL
is explained beside the field and saves nothing; employees and other businesses' admins
neither see nor change any of it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from connectors.crm_webhooks import subscriptions
from connectors.crm_webhooks.engine import Webhooks
from connectors.crm_webhooks.models import SubscriptionRow
from hub.bootstrap import Hub
from tests.crm_webhooks.receiver import Receiver
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


@pytest.fixture
def shop(hub: Hub) -> Shop:
    # The receiver listens on loopback, which only the allow-list lets webhooks reach.
    hub.settings = dataclasses.replace(hub.settings, webhook_allow_hosts=("127.0.0.1",))
    return create_shop(hub, staff=True, employee=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver().start()
    yield made
    made.release.set()
    made.stop()


def signed_in_admin(client: httpx.Client, shop: Shop) -> str:
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/webhooks")
    assert page.status_code == 200
    return csrf_of(page.text)


def hooks(shop: Shop) -> list[SubscriptionRow]:
    return subscriptions.list_all(shop.hub.database, shop.business.id)


def subscribe(client: httpx.Client, csrf: str, url: str, **fields: str) -> httpx.Response:
    return client.post(
        "/console/webhooks", data={"csrf_token": csrf, "url": url, "active": "1", **fields}
    )


def secret_on(page: str) -> str | None:
    found = re.search(r'id="secret">(whsec_[^<]+)<', page)
    return found.group(1) if found else None


def drain(hub: Hub) -> None:
    """What a worker does with replayed deliveries (no worker runs in these tests)."""
    webhooks = Webhooks(hub.database, hub.settings, clock=hub.now)
    try:
        webhooks.drain()
    finally:
        webhooks.close()


def test_an_admin_subscribes_sees_the_secret_once_and_changes_the_subscription(
    client: httpx.Client, shop: Shop, receiver: Receiver
) -> None:
    csrf = signed_in_admin(client, shop)
    assert 'href="/console/webhooks"' in client.get("/console/agenda").text  # in the menu
    created = subscribe(
        client,
        csrf,
        receiver.url,
        description="<b>CRM</b>",
        **{"event:booking.created": "1", "event:payment.succeeded": "1"},
    )
    assert created.status_code == 200
    [hook] = hooks(shop)
    assert secret_on(created.text) == hook.secret
    assert hook.url == receiver.url and hook.active
    assert hook.event_types == ["booking.created", "payment.succeeded"]
    assert "&lt;b&gt;CRM&lt;/b&gt;" in created.text and "<b>CRM</b>" not in created.text

    listed = client.get("/console/webhooks")
    assert hook.secret not in listed.text  # shown once, never again
    assert receiver.url in listed.text
    detail = client.get(f"/console/webhooks/{hook.id}")
    assert detail.status_code == 200 and hook.secret not in detail.text

    other_url = receiver.url + "/v2"
    changed = client.post(
        f"/console/webhooks/{hook.id}",
        data={"csrf_token": csrf, "url": other_url, "description": "Ventas"},
    )
    assert changed.status_code == 303
    [after] = hooks(shop)
    assert (after.url, after.description, after.event_types, after.active) == (
        other_url,
        "Ventas",
        [],  # no event ticked: every event
        False,  # "active" not ticked
    )
    page = text_of(client.get(f"/console/webhooks/{hook.id}?done=1").text)
    assert "Cambios guardados." in page and "está apagada" in page


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9/hook", "private, loopback or link-local"),
        ("http://169.254.169.254/latest/meta-data/", "private, loopback or link-local"),
        ("ftp://crm.example.com/x", "http(s)"),
        ("no es una url", "http(s)"),
    ],
)
def test_a_refused_url_is_explained_beside_the_field_and_saves_nothing(
    client: httpx.Client, shop: Shop, receiver: Receiver, url: str, why: str
) -> None:
    shop.hub.settings = dataclasses.replace(shop.hub.settings, webhook_allow_hosts=())
    csrf = signed_in_admin(client, shop)
    answer = subscribe(client, csrf, url, description="CRM")
    assert answer.status_code == 422
    assert re.search(r'name="url"[^>]*aria-invalid="true"', answer.text)
    error = re.search(r'<p class="field-error" id="w-new-url-err">([^<]+)</p>', answer.text)
    assert error is not None
    assert "Esa URL no sirve" in error.group(1) and why in error.group(1)
    assert f'value="{url}"' in answer.text  # what was typed is kept
    assert secret_on(answer.text) is None
    assert hooks(shop) == []

    # The same on an existing subscription: refused, and its URL stays.
    shop.hub.settings = dataclasses.replace(shop.hub.settings, webhook_allow_hosts=("127.0.0.1",))
    assert subscribe(client, csrf, receiver.url).status_code == 200
    [hook] = hooks(shop)
    shop.hub.settings = dataclasses.replace(shop.hub.settings, webhook_allow_hosts=())
    edit = client.post(
        f"/console/webhooks/{hook.id}", data={"csrf_token": csrf, "url": url, "active": "1"}
    )
    assert edit.status_code == 422 and "Esa URL no sirve" in text_of(edit.text)
    assert [h.url for h in hooks(shop)] == [receiver.url]


def test_english_speaking_businesses_read_the_screens_in_english(
    client: httpx.Client, hub: Hub
) -> None:
    shop = create_shop(hub, language="en", staff=True)
    csrf = signed_in_admin(client, shop)
    page = client.get("/console/webhooks")
    assert "Webhooks for your CRM" in text_of(page.text)
    refused = subscribe(client, csrf, "http://10.0.0.1/x")
    assert refused.status_code == 422
    assert "That URL cannot be used" in text_of(refused.text)


def test_ping_log_rotation_replays_and_deletion(
    client: httpx.Client, shop: Shop, receiver: Receiver
) -> None:
    csrf = signed_in_admin(client, shop)
    first = subscribe(client, csrf, receiver.url)
    [hook] = hooks(shop)
    receiver.secrets = [secret_on(first.text) or ""]

    pinged = client.post(f"/console/webhooks/{hook.id}/test", data={"csrf_token": csrf})
    assert pinged.status_code == 303
    page = client.get(pinged.headers["location"])
    assert "La prueba llegó." in text_of(page.text)
    [received] = receiver.received
    log = text_of(page.text)
    assert received.webhook_id in log and "ping" in log
    assert re.search(r"<td>1</td><td>200</td><td>\d+ ms</td>", page.text)
    assert "{&#34;ok&#34;: true}" in page.text or '{"ok": true}' in text_of(page.text)

    # A new secret, shown once; the old one keeps signing alongside it for a day.
    rotated = client.post(f"/console/webhooks/{hook.id}/rotate", data={"csrf_token": csrf})
    new_secret = secret_on(rotated.text)
    assert rotated.status_code == 200 and new_secret and new_secret != receiver.secrets[0]
    assert "El secreto anterior sigue firmando hasta" in text_of(rotated.text)
    receiver.secrets = [new_secret]
    client.post(f"/console/webhooks/{hook.id}/test", data={"csrf_token": csrf})
    assert len(receiver.received) == 2 and receiver.received[-1].signatures == 2
    assert new_secret not in client.get(f"/console/webhooks/{hook.id}").text

    # The receiver fails: the log says so; replaying one sends it again, same webhook-id.
    receiver.mode = "down"
    failed = client.post(f"/console/webhooks/{hook.id}/test", data={"csrf_token": csrf})
    page = client.get(failed.headers["location"])
    assert "La prueba no llegó" in text_of(page.text) and "HTTP 503" in text_of(page.text)
    failed_id = receiver.received[-1].webhook_id
    receiver.mode = "up"
    again = client.post(
        f"/console/webhooks/{hook.id}/deliveries/{failed_id}/replay", data={"csrf_token": csrf}
    )
    assert again.status_code == 303 and again.headers["location"].endswith("replayed=1")
    drain(shop.hub)
    assert [r.webhook_id for r in receiver.received[-2:]] == [failed_id, failed_id]
    page = client.get(f"/console/webhooks/{hook.id}").text
    assert re.search(r"<td>2</td><td>200</td>", page)  # the second attempt of that delivery

    # Every failed one since a time (on the business's clock).
    receiver.mode = "down"
    for _ in range(2):
        client.post(f"/console/webhooks/{hook.id}/test", data={"csrf_token": csrf})
    receiver.mode = "up"
    since = (shop.hub.now() - timedelta(hours=1)).astimezone(shop.business.tz)
    replay = client.post(
        f"/console/webhooks/{hook.id}/replay",
        data={"csrf_token": csrf, "since": since.strftime("%Y-%m-%dT%H:%M")},
    )
    assert replay.status_code == 303 and replay.headers["location"].endswith("replayed=2")
    assert "Se vuelven a enviar: 2." in text_of(client.get(replay.headers["location"]).text)
    later = (shop.hub.now() + timedelta(hours=1)).astimezone(shop.business.tz)
    none = client.post(
        f"/console/webhooks/{hook.id}/replay",
        data={"csrf_token": csrf, "since": later.strftime("%Y-%m-%dT%H:%M")},
    )
    assert none.headers["location"].endswith("replayed=0")
    bad = client.post(
        f"/console/webhooks/{hook.id}/replay", data={"csrf_token": csrf, "since": "ayer"}
    )
    assert bad.status_code == 422 and "Elegí fecha y hora." in text_of(bad.text)

    gone = client.post(f"/console/webhooks/{hook.id}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 303
    assert hooks(shop) == []
    assert "Suscripción borrada." in text_of(client.get(gone.headers["location"]).text)
    assert client.get(f"/console/webhooks/{hook.id}").status_code == 404


def test_forms_without_the_csrf_token_are_refused(client: httpx.Client, shop: Shop) -> None:
    signed_in_admin(client, shop)
    answer = client.post("/console/webhooks", data={"url": "https://crm.example.com/h"})
    assert answer.status_code == 403
    assert hooks(shop) == []


def test_employees_neither_see_nor_change_webhooks(
    client: httpx.Client, shop: Shop, receiver: Receiver
) -> None:
    hook = subscriptions.create(
        shop.hub.database,
        shop.hub.settings,
        shop.business.id,
        subscriptions.SubscriptionChange(url=receiver.url),
        shop.hub.now(),
    )
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    page = client.get("/console/calendar-app")
    csrf = csrf_of(page.text)
    assert "/console/webhooks" not in page.text  # not in their menu
    assert client.get("/console/webhooks").status_code == 404
    assert client.get(f"/console/webhooks/{hook.id}").status_code == 404
    for path in _writes(hook.id):
        form = {
            "csrf_token": csrf,
            "url": "https://crm.example.com/mine",
            "since": "2030-01-01T00:00",
        }
        assert client.post(path, data=form).status_code == 404, path
    assert [(h.id, h.url, h.secret) for h in hooks(shop)] == [(hook.id, hook.url, hook.secret)]
    assert receiver.requests == 0


def test_another_business_admin_neither_sees_nor_changes_them(
    client: httpx.Client, shop: Shop, hub: Hub, receiver: Receiver
) -> None:
    hook = subscriptions.create(
        hub.database,
        hub.settings,
        shop.business.id,
        subscriptions.SubscriptionChange(url=receiver.url, description="CRM de Juan"),
        hub.now(),
    )
    other = create_shop(hub, staff=True)
    csrf = signed_in_admin(client, other)
    listed = client.get("/console/webhooks")
    assert receiver.url not in listed.text and "CRM de Juan" not in listed.text
    assert client.get(f"/console/webhooks/{hook.id}").status_code == 404
    for path in _writes(hook.id):
        form = {
            "csrf_token": csrf,
            "url": "https://crm.example.com/mine",
            "since": "2030-01-01T00:00",
        }
        assert client.post(path, data=form).status_code == 404, path
    [still] = hooks(shop)
    assert (still.url, still.description, still.secret) == (hook.url, hook.description, hook.secret)
    assert hooks(other) == [] and receiver.requests == 0


ATTEMPT = {"url": "https://crm.example.com/mine", "active": "1", "since": "2030-01-01T00:00"}


def _writes(hook_id: str) -> list[str]:
    base = f"/console/webhooks/{hook_id}"
    return [
        base,
        f"{base}/delete",
        f"{base}/rotate",
        f"{base}/test",
        f"{base}/replay",
        f"{base}/deliveries/msg_x/replay",
    ]
