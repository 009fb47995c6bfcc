"""The demo car wash's day today, in every state as the clock allows it (finished, no-show,
in progress, confirmed, waiting, cancelled by WhatsApp), the coming days' work, and a hold
that ran out: the agenda is alive whenever it is opened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.bootstrap import Hub
from hub.demo.common import (
    CLIENT,
    SEEDER,
    at,
    core_at,
    next_weekday,
)
from hub.demo.places import PLACES
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.model import (
    DateException,
    Resource,
    Service,
)
from hub.services import resource_setup
from hub.services.booking_create import NewBooking
from hub.services.customers import CustomerDetails

TODAY: tuple[tuple[int, str, str, int, int, bool], ...] = (
    (0, "Carla Ruiz", "+54 9 11 4000-0001", 0, 0, False),
    (30, "Diego Sosa", "+54 9 11 4000-0002", 1, 1, False),
    (90, "Elena Paz", "+54 9 11 4000-0003", 0, 0, False),
    (120, "Federico Díaz", "+54 9 11 4000-0004", 1, 0, False),
    (180, "Gabriela Ríos", "+54 9 11 4000-0005", 0, 1, True),
    (240, "Karina Ledesma", "+54 9 11 4000-0006", 1, 0, False),
    (300, "Lorenzo Benítez", "+54 9 11 4000-0007", 0, 0, False),
    (360, "Mónica Acosta", "+54 9 11 4000-0008", 1, 1, False),
    (420, "Nicolás Romero", "+54 9 11 4000-0009", 0, 0, False),
    (450, "Olga Medina", "+54 9 11 4000-0010", 1, 1, False),
    (510, "Pablo Herrera", "+54 9 11 4000-0011", 0, 1, False),  # after the drive from 16:00
)
WHATSAPP_CANCEL = "Cancelado por el cliente por WhatsApp"


def today_hours(resource: Resource, day: date) -> tuple[time, time] | None:
    """When ``resource`` works on ``day`` (first opening to last closing), if it does."""
    for exception in resource.exceptions:
        if exception.start_date <= day <= exception.end_date:
            spans = exception.intervals
            break
    else:
        spans = tuple((w.start, w.end) for w in resource.weekly if w.weekday == day.weekday())
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def seed_living_day(
    hub: Hub,
    business_id: str,
    *,
    washers: tuple[Resource, Resource],
    services: tuple[Service, Service],
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Today on its opening hours in every state (finished, no-show, in progress, confirmed,
    waiting for confirmation, cancelled by WhatsApp), each as the clock allows it, the coming
    days with work, and one booking whose hold ran out, so the agenda is alive whenever it is
    opened. On a day the washers do not work (Sunday) they get a day of extra hours first.
    Each was booked a day before it happened, through the same use cases with that day's
    clock."""
    juan, pedro = washers
    full, outside = services
    today = now.astimezone(tz).date()
    hours = today_hours(juan, today)
    if hours is None:
        hours = (time(9), time(18))
        for resource in washers:
            resource_setup.add_exception(
                hub.uow(),
                business_id,
                resource.id,
                DateException(today, today, (hours,), reason="Jornada extra"),
                by=SEEDER,
                now=now,
            )
    opens = datetime.combine(today, hours[0], tz)
    step = timedelta(minutes=30)  # the shortest visit: each is over by then

    addresses = list(PLACES)[:-1]

    def book(name: str, phone: str, service: Service, resource: Resource, start: datetime) -> str:
        address = addresses[len(name + phone) % len(addresses)]
        booking = core_at(hub, start - timedelta(days=1)).create_booking(
            NewBooking(
                business_id,
                service.id,
                start,
                customer=CustomerDetails(name, phone=phone, address=address),
                resource_id=resource.id,
                address=address,
                location=PLACES[address],
                force=True,
            ),
            by=SEEDER,
        )
        return booking.id

    # The states follow the clock: what is to come is confirmed (a client asking on the page
    # needs a day's notice and waits 12 hours, so the ones waiting for confirmation are on the
    # coming days); the last one started is in progress (under way, or nobody tapped
    # "Finalizar" yet); the ones before it were finished, one in three missed.
    started: list[tuple[datetime, str]] = []
    for minutes, name, phone, washer, kind, cancelled in TODAY:
        start = opens + timedelta(minutes=minutes)
        booked = book(name, phone, services[kind], washers[washer], start)
        if not cancelled:
            if start <= now:
                started.append((start, booked))
        else:
            core_at(hub, start - timedelta(hours=12)).cancel_booking(
                business_id,
                booked,
                by=ChangedBy(Actor.CLIENT, Channel.WHATSAPP),
                reason=WHATSAPP_CANCEL,
            )
    for index, (start, booking_id) in enumerate(started):
        if index == len(started) - 1:
            core_at(hub, start).start_booking(business_id, booking_id, by=SEEDER)
        elif index % 3 == 1:
            core_at(hub, start + step).mark_no_show(business_id, booking_id, by=SEEDER)
        else:
            core_at(hub, start).start_booking(business_id, booking_id, by=SEEDER)
            core_at(hub, start + step).complete_booking(business_id, booking_id, by=SEEDER)
    for days in range(1, 6):
        day = today + timedelta(days=days)
        book("Hernán Vega", f"+54 9 11 4100-00{days:02d}", full, juan, at(day, 12, 0, tz))
        book("Inés Molina", f"+54 9 11 4200-00{days:02d}", outside, pedro, at(day, 16, 30, tz))
    # A client who never confirmed: booked yesterday, held 12 hours, now expired.
    core_at(hub, now - timedelta(hours=13)).create_booking(
        NewBooking(
            business_id,
            outside.id,
            at(next_weekday(today + timedelta(days=2), range(6)), 17, 0, tz),
            customer=CustomerDetails(
                "Julián Castro", phone="+54 9 11 4300-0001", address="Lavalle 900, CABA"
            ),
            resource_id=juan.id,
            address="Lavalle 900, CABA",
            location=PLACES["Lavalle 900, CABA"],
        ),
        by=CLIENT,
    )
    core_at(hub, now).expire_due_bookings()
