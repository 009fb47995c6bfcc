"""The console's view of the background work: this business's deliveries and failures, the
last run of each periodic task, a booking's notification log, and the mail folder (read-only,
scoped to the business, safe names only). Employees do not have these screens.

The background records are written through the scheduler's own functions, as a worker would.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import httpx
import pytest

from booking_pages.catalogue import CLIENT
from connectors.notify.mailers import DirectoryMailer
from hub.bootstrap import Hub
from hub.domain.booking import Booking
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from scheduler import deliveries
from scheduler.consumers import LogEntry, LogStatus
from scheduler.models import DeliveryRow
from scheduler.runs import recorded
from scheduler.tasks import EXPIRE
from tests.pages.helpers import csrf_of, text_of
from tests.pages.shop import Shop, create_shop
from tests.pages.test_console import sign_in

REFUSED = "(#131026) Message undeliverable <script>alert(1)</script>"


def book(shop: Shop, hour: int, name: str = "Ana Pérez") -> Booking:
    return create_booking(
        shop.hub.uow(),
        NewBooking(
            shop.business.id,
            shop.quick_wash.id,
            shop.at(hour),
            customer=CustomerDetails(name, "+54 9 11 2345-6789", "ana@example.com"),
            resource_id=shop.washers[0].id,
        ),
        by=CLIENT,
        now=shop.hub.now(),
    )


def fail_whatsapp(hub: Hub, booking: Booking, error: str = REFUSED) -> None:
    """What a worker records when WhatsApp refuses the number: a failed delivery and a line
    in the booking's notification log."""
    now = hub.now()
    with hub.database.sessions.begin() as session:
        ids = deliveries.undispatched(session, now + timedelta(minutes=1), 100)
        event = next(
            e for e in deliveries.load_events(session, ids).values() if e.aggregate_id == booking.id
        )
        created = deliveries.create_deliveries(session, event, ["whatsapp"], now)
        claimed = deliveries.claim(session, created, now, timedelta(minutes=1))
        deliveries.finish(session, claimed, "failed", now, error=error)
        deliveries.add_log(
            session,
            event,
            [
                LogEntry("email", "created", LogStatus.SENT, "ana@example.com"),
                LogEntry("whatsapp", "created", LogStatus.FAILED, "+5491123456789", error),
            ],
            now,
        )


def write_mail(hub: Hub, booking_id: str, subject: str, name: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Lavadero <turnero@localhost>"
    message["To"] = "ana@example.com"
    message["Date"] = format_datetime(hub.now())
    message["Message-ID"] = f"<{name}@localhost>"
    message["X-Turnero-Booking-Id"] = booking_id
    message.set_content(f"Hola Ana, {subject}.")
    DirectoryMailer(hub.settings.mail_dir).send(message)


@pytest.fixture
def two_shops(hub: Hub) -> tuple[Shop, Shop]:
    return create_shop(hub, staff=True, employee=True), create_shop(hub, staff=True)


def test_an_admin_sees_failed_deliveries_and_periodic_runs_of_their_business_only(
    client: httpx.Client, two_shops: tuple[Shop, Shop]
) -> None:
    shop, other = two_shops
    fail_whatsapp(shop.hub, book(shop, 10))
    fail_whatsapp(other.hub, book(other, 11), error="other business secret failure")
    recorded(shop.hub.database.sessions, EXPIRE, shop.hub.now, lambda: "3 holds expired")
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/background")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "1 fallidos" in text and "whatsapp" in text and "(#131026) Message undeliverable" in text
    assert "<script>alert(1)</script>" not in page.text  # the provider's text is shown as text
    assert "&lt;script&gt;" in page.text
    assert "other business secret failure" not in text
    assert "expire_holds" in text and "3 holds expired" in text
    assert "send_due_reminders" in text and "nunca" in text  # never ran yet


def test_a_booking_page_shows_its_notification_log_with_the_refusal(
    client: httpx.Client, two_shops: tuple[Shop, Shop]
) -> None:
    shop, _ = two_shops
    booking = book(shop, 10)
    quiet = book(shop, 12)
    fail_whatsapp(shop.hub, booking)
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    text = text_of(client.get(f"/console/bookings/{booking.id}").text)
    assert "Avisos enviados" in text
    assert "ana@example.com" in text and "enviado" in text
    assert "falló" in text and "(#131026) Message undeliverable" in text
    assert "Todavía no se envió ningún aviso" in text_of(
        client.get(f"/console/bookings/{quiet.id}").text
    )


def test_saved_emails_are_listed_and_read_for_the_business_only(
    client: httpx.Client, two_shops: tuple[Shop, Shop]
) -> None:
    shop, other = two_shops
    write_mail(shop.hub, book(shop, 10).id, "Tu turno <b>confirmado</b>", "ours")
    write_mail(other.hub, book(other, 10).id, "Turno del otro negocio", "theirs")
    assert shop.admin is not None
    sign_in(client, shop.admin.email)
    page = client.get("/console/background")
    text = text_of(page.text)
    assert "Tu turno <b>confirmado</b>" in text and "<b>confirmado</b>" not in page.text
    assert "ana@example.com" in text and "Turno del otro negocio" not in text
    opened = client.get("/console/mail/ours_localhost.eml")
    assert opened.status_code == 200 and "Hola Ana, Tu turno" in text_of(opened.text)
    assert client.get("/console/mail/theirs_localhost.eml").status_code == 404
    (shop.hub.settings.mail_dir.parent / "secret.eml").write_text("Subject: secret\n\nsecret")
    for name in ("..%2Fsecret.eml", "%2E%2E%2Fsecret.eml", "ours_localhost.eml.tmp", "nope.eml"):
        answer = client.get(f"/console/mail/{name}")
        assert answer.status_code == 404, name
        assert "secret" not in answer.text


def test_employees_get_404_on_the_background_screens(
    client: httpx.Client, two_shops: tuple[Shop, Shop]
) -> None:
    shop, _ = two_shops
    write_mail(shop.hub, book(shop, 10).id, "Tu turno", "ours")
    assert shop.employee is not None
    sign_in(client, shop.employee.email)
    assert client.get("/console/background").status_code == 404
    assert client.get("/console/mail/ours_localhost.eml").status_code == 404
    assert "Envíos y tareas" not in client.get("/console/agenda").text


def failed_ids(page: str) -> list[str]:
    return [
        part.split("/")[0] for part in page.split('action="/console/background/deliveries/')[1:]
    ]


def test_a_failed_message_is_retried_or_dismissed_by_its_business_only(
    client: httpx.Client, two_shops: tuple[Shop, Shop]
) -> None:
    shop, other = two_shops
    fail_whatsapp(shop.hub, book(shop, 10))
    fail_whatsapp(shop.hub, book(shop, 12, name="Beto Gómez"))
    fail_whatsapp(other.hub, book(other, 11))
    assert shop.admin is not None and other.admin is not None and shop.employee is not None
    with httpx.Client(base_url=str(client.base_url)) as stranger:
        sign_in(stranger, other.admin.email)
        [theirs] = set(failed_ids(stranger.get("/console/background").text))
    sign_in(client, shop.admin.email)
    page = client.get("/console/background")
    first, second = sorted(set(failed_ids(page.text)))
    token = csrf_of(page.text)
    refused = client.post(
        f"/console/background/deliveries/{theirs}/retry", data={"csrf_token": token}
    )
    assert refused.status_code == 404
    assert client.post(f"/console/background/deliveries/{first}/retry").status_code == 403
    retried = client.post(
        f"/console/background/deliveries/{first}/retry",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "se vuelve a intentar" in text_of(retried.text)
    assert "1 fallidos" in text_of(retried.text) and "1 pendientes" in text_of(retried.text)
    dismissed = client.post(
        f"/console/background/deliveries/{second}/dismiss",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "quedó descartado" in text_of(dismissed.text)
    assert "0 fallidos" in text_of(dismissed.text)
    again = client.post(
        f"/console/background/deliveries/{second}/retry", data={"csrf_token": token}
    )
    assert again.status_code == 404  # only a failed record can be retried
    with httpx.Client(base_url=str(client.base_url)) as employee:
        sign_in(employee, shop.employee.email)
        own = csrf_of(employee.get("/console/agenda").text)
        denied = employee.post(
            f"/console/background/deliveries/{first}/dismiss", data={"csrf_token": own}
        )
        assert denied.status_code == 404
    with shop.hub.database.sessions() as session:
        row = session.get(DeliveryRow, first)
        assert row is not None and (row.status, row.attempts) == ("pending", 0)
