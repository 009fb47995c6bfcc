"""The attendance hook (the seed's "Integración con Sistema de Asistencia"): a client checked
in — by the QR code on their manage page, scanned by signed-in staff, or by an attendance
system through ``POST /api/v1/bookings/{id}/check-in`` — is in progress; a confirmed booking
nobody checked in becomes a no-show once the business's grace ran out (a periodic task,
through the core), with its ``booking.no_show`` event."""

from __future__ import annotations

from datetime import timedelta

import httpx

from hub.domain.accounts import Role
from hub.domain.booking import BookingStatus
from hub.services import accounts
from scheduler.tasks import NO_SHOWS, PERIODIC
from tests.api.conftest import LiveHub
from tests.pages.helpers import csrf_of
from tests.pages.shop import PASSWORD
from tests.pages.test_console import sign_in


def book(client: httpx.Client, tenant: object, hour: int, days_ahead: int = 1) -> dict[str, str]:
    created = client.post(
        "/api/v1/bookings",
        json=tenant.booking_body(hour, days_ahead=days_ahead),  # type: ignore[attr-defined]
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_an_attendance_system_checks_clients_in_by_api(live_hub: LiveHub) -> None:
    tenant, other = live_hub.tenant(), live_hub.tenant()
    with tenant.client() as client, other.client() as stranger:
        booking = book(client, tenant, 10)
        assert stranger.post(f"/api/v1/bookings/{booking['id']}/check-in").status_code == 404
        checked = client.post(f"/api/v1/bookings/{booking['id']}/check-in")
        assert checked.status_code == 200, checked.text
        assert checked.json()["status"] == "in_progress"
        again = client.post(f"/api/v1/bookings/{booking['id']}/check-in")
        assert again.status_code == 409
        assert client.get(f"/api/v1/bookings/{booking['id']}").json()["status"] == "in_progress"


def test_no_show_after_the_business_grace_unless_checked_in(live_hub: LiveHub) -> None:
    assert NO_SHOWS in PERIODIC
    tenant = live_hub.tenant()
    hub = live_hub.hub
    with tenant.client() as client:
        for bad in (0, -5, 24 * 60 + 1, "10"):
            refused = client.patch(
                "/api/v1/business", json={"booking_rules": {"no_show_after_minutes": bad}}
            )
            assert refused.status_code == 422, bad
        set_ = client.patch(
            "/api/v1/business", json={"booking_rules": {"no_show_after_minutes": 15}}
        )
        assert set_.status_code == 200, set_.text
        assert set_.json()["booking_rules"]["no_show_after_minutes"] == 15
        absent = book(client, tenant, 10)
        came = book(client, tenant, 11)
        late = book(client, tenant, 12)
        start = hub.now()
        live_hub.travel(
            tenant.at(11, days_ahead=1) - start + timedelta(minutes=1)
        )  # 11:01: the 11:00 client arrives
        assert client.post(f"/api/v1/bookings/{came['id']}/check-in").status_code == 200
        live_hub.travel(timedelta(minutes=20))  # 11:21
        assert hub.core.mark_due_no_shows() == [absent["id"]]
        assert hub.core.mark_due_no_shows() == []
        statuses = {
            b: client.get(f"/api/v1/bookings/{b}").json()["status"]
            for b in (absent["id"], came["id"], late["id"])
        }
    assert statuses == {
        absent["id"]: BookingStatus.NO_SHOW.value,
        came["id"]: BookingStatus.IN_PROGRESS.value,
        late["id"]: BookingStatus.CONFIRMED.value,  # its time has not come
    }
    with hub.uow() as uow:
        events = [e.type for e in uow.outbox.for_aggregate(absent["id"])]
    assert events[-1] == "booking.no_show"


def test_the_manage_page_qr_opens_the_console_check_in_for_staff_only(
    live_hub: LiveHub,
) -> None:
    tenant, other = live_hub.tenant(), live_hub.tenant()
    hub = live_hub.hub
    with tenant.client() as client:
        booking = book(client, tenant, 10)
    for business, email in ((tenant, "recepcion"), (other, "ajena")):
        accounts.create_user(
            hub.accounts_uow(),
            business_id=business.business.id,
            email=f"{email}@{business.business.slug}.test",
            role=Role.BUSINESS_ADMIN,
            now=hub.now(),
            password=PASSWORD,
            name=email,
        )
    with httpx.Client(base_url=live_hub.base_url) as browser:
        manage = browser.get(f"/book/manage/{booking['token']}")
        assert f"/book/manage/{booking['token']}/check-in.svg" in manage.text
        code = browser.get(f"/book/manage/{booking['token']}/check-in.svg")
        assert code.status_code == 200 and code.headers["content-type"].startswith("image/svg")
        # Without a staff sign-in, the code's link leads to the login, and checks nobody in.
        anonymous = browser.get(f"/console/check-in/{booking['token']}", follow_redirects=False)
        assert anonymous.status_code in (302, 303)
    with httpx.Client(base_url=live_hub.base_url) as stranger:
        sign_in(stranger, f"ajena@{other.business.slug}.test")
        assert stranger.get(f"/console/check-in/{booking['token']}").status_code == 404
    with httpx.Client(base_url=live_hub.base_url) as staff:
        sign_in(staff, f"recepcion@{tenant.business.slug}.test")
        page = staff.get(f"/console/check-in/{booking['token']}")
        assert page.status_code == 200 and "Ana Pérez" in page.text
        done = staff.post(
            f"/console/check-in/{booking['token']}",
            data={"csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
    with tenant.client() as client:
        assert client.get(f"/api/v1/bookings/{booking['id']}").json()["status"] == "in_progress"
