"""The demo office, ``oficina-demo``: meeting rooms in Madrid (English, EUR, video meetings,
no confirmation), with a block and two meetings tomorrow."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.bootstrap import Hub
from hub.demo.common import (
    SEEDER,
    DemoReport,
    add_staff,
    at,
    core_at,
    next_weekday,
    weekly,
)
from hub.domain.accounts import Role
from hub.domain.model import (
    Branch,
    Business,
    Resource,
    ResourceKind,
    Service,
)
from hub.domain.policies import BookingPolicy
from hub.services import accounts, resource_setup, setup
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails


def seed_office(hub: Hub, now: datetime, report: DemoReport) -> None:
    business = Business(
        slug="oficina-demo",
        name="Oficina Demo — Meeting Rooms",
        timezone="Europe/Madrid",
        currency="EUR",
        language="en",
        country="ES",
        policy=BookingPolicy(
            min_notice_minutes=0,
            horizon_days=90,
            requires_confirmation=False,
            client_cancel_until_hours=1,
            client_reschedule_until_hours=1,
            max_reschedules=3,
        ),
        settings={"reminders": [{"channel": "email", "minutes_before": 15}]},
    )
    tz = business.tz
    mon_fri = range(5)
    hours = weekly(mon_fri, 8, 20)
    setup.create_business(hub.uow(), business, by=SEEDER, now=now)
    branch = Branch(business.id, "Castellana", address="Paseo de la Castellana 100, Madrid")
    setup.save_branch(hub.uow(), branch, by=SEEDER, now=now)
    rooms = [
        Resource(
            business.id, name, ResourceKind.ROOM, branch_ids=(branch.id,), weekly=hours, color=c
        )
        for name, c in (("Sala Ñandú", "#16a085"), ("Sala Roble", "#8e44ad"))
    ]
    for room in rooms:
        resource_setup.save_resource(hub.uow(), room, by=SEEDER, now=now)
    meeting = Service(
        business.id,
        "Meeting",
        30,
        video_meeting=True,
        resource_ids=tuple(r.id for r in rooms),
        description="A meeting room for 30 minutes, with a video link.",
    )
    setup.save_service(hub.uow(), meeting, by=SEEDER, now=now)
    today = now.astimezone(tz).date()
    day = next_weekday(today + timedelta(days=1), mon_fri)
    create_block(
        hub.uow(),
        NewBlock(
            business.id,
            at(day, 13, 0, tz),
            at(day, 14, 0, tz),
            resource_id=rooms[1].id,
            reason="Cleaning",
        ),
        by=SEEDER,
        now=now,
    )
    for hour, name, email in ((9, "Ana García", "ana@example.com"), (11, "Bob Smith", None)):
        core_at(hub, now).create_booking(
            NewBooking(
                business.id,
                meeting.id,
                at(day, hour, 0, tz),
                customer=CustomerDetails(name, phone="+34 600 123 456", email=email),
                resource_id=rooms[0].id,
                invitees=("team@example.com",),
                force=True,
            ),
            by=SEEDER,
        )
    add_staff(hub, business, now, [("admin@oficina.demo", Role.BUSINESS_ADMIN, ())])
    _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, "demo CRM", now)
    report.api_keys[business.slug] = raw
