"""The console's reminders and messages: a car wash's 24 h WhatsApp reminder and a meeting
room's 15-minute email one set on one screen, messages switched off; bad input named and
kept; admins only; each admin changes their own business only. Also over the API."""

from __future__ import annotations

import httpx

from hub.services import notification_settings as ns
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in


def _csrf(client: httpx.Client) -> str:
    return csrf_of(client.get("/console/notifications").text)


def _lines(**lines: str) -> dict[str, str]:
    blank = {f"{k}{n}": "" for n in range(ns.MAX_REMINDERS) for k in ("amount", "unit", "channel")}
    return blank | lines


def test_reminders_and_messages_are_set(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    first = client.get("/console/notifications")
    assert "Recordatorios" in text_of(first.text)
    assert 'name="send:reminder" type="checkbox" value="1" checked' in first.text
    saved = client.post(
        "/console/notifications",
        data={
            "csrf_token": _csrf(client),
            **_lines(
                amount0="24",
                unit0="hours",
                channel0="whatsapp",
                amount1="15",
                unit1="minutes",
                channel1="email",
            ),
            **{f"send:{k}": "1" for k in ns.MESSAGE_KINDS if k != "thank_you"},
        },
    )
    assert saved.status_code == 303
    found = ns.get_notifications(shop.hub.uow(), shop.business.id)
    assert set(found.reminders) == {ns.ReminderRule("whatsapp", 1440), ns.ReminderRule("email", 15)}
    assert found.messages_off == ("thank_you",)
    again = client.get("/console/notifications").text
    assert 'name="send:thank_you" type="checkbox" value="1">' in again
    assert 'name="amount0" inputmode="numeric" value="1"' in again  # shown as 1 day


def test_bad_reminders_are_named_and_nothing_changes(
    client: httpx.Client, staffed_shop: Shop
) -> None:
    shop = staffed_shop
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    before = ns.get_notifications(shop.hub.uow(), shop.business.id)
    for bad in (
        _lines(amount0="mañana", unit0="hours", channel0="whatsapp"),
        _lines(amount0="2", unit0="semanas", channel0="whatsapp"),
        _lines(amount0="2", unit0="hours", channel0="paloma"),
        _lines(amount0="0", unit0="hours", channel0="email"),
        _lines(amount0="90", unit0="days", channel0="email"),
    ):
        answer = client.post("/console/notifications", data={"csrf_token": _csrf(client), **bad})
        assert answer.status_code == 422, bad
        assert "Revisá los datos" in text_of(answer.text), bad
    assert ns.get_notifications(shop.hub.uow(), shop.business.id) == before


def test_only_the_admin_of_the_business_sets_them(client: httpx.Client, staffed_shop: Shop) -> None:
    shop = staffed_shop
    other = create_shop(shop.hub)
    assert shop.admin is not None and shop.employee is not None
    sign_in(client, shop.admin.email)
    client.post(
        "/console/notifications",
        data={"csrf_token": _csrf(client), **_lines(amount0="2", unit0="hours", channel0="email")},
    )
    theirs = ns.get_notifications(other.hub.uow(), other.business.id)
    assert theirs.reminders == (ns.ReminderRule("whatsapp", 1440), ns.ReminderRule("email", 1440))
    assert theirs.messages_off == ()
    client.cookies.clear()
    sign_in(client, shop.employee.email)
    token = csrf_of(client.get("/console/agenda").text)
    assert client.get("/console/notifications").status_code == 404
    refused = client.post("/console/notifications", data={"csrf_token": token, **_lines()})
    assert refused.status_code == 404
    assert ns.get_notifications(shop.hub.uow(), shop.business.id).reminders == (
        ns.ReminderRule("email", 120),
    )
