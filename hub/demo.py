"""Demo data: two businesses that show what Turnero does, and that tenants are separate.

``lavadero-demo`` is an at-home car wash in Buenos Aires (Spanish, ARS, confirmation
required, one day's notice); ``oficina-demo`` an office with meeting rooms in Madrid (English,
EUR, video meetings, no confirmation). Seeding is idempotent: a business that exists is left
as it is. Bookings are placed relative to ``now`` so the agenda always has something on it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.bootstrap import Hub
from hub.domain.accounts import Role
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import DomainError
from hub.domain.geo import GeoPoint, Zone
from hub.domain.model import (
    Branch,
    Business,
    DateException,
    Resource,
    ResourceGroup,
    ResourceKind,
    Service,
    WeeklyInterval,
)
from hub.domain.policies import BookingPolicy
from hub.services import accounts, setup, zones
from hub.services.blocks import NewBlock, create_block
from hub.services.booking_create import NewBooking, create_booking
from hub.services.booking_status import (
    cancel_booking,
    complete_booking,
    expire_due_bookings,
    mark_no_show,
    start_booking,
)
from hub.services.customers import CustomerDetails

# Buenos Aires barrios the demo car wash serves: approximate centre and radius (km).
BARRIOS: tuple[tuple[str, float, float, float], ...] = (
    ("Palermo", -34.5889, -58.4306, 2.2),
    ("Belgrano", -34.5627, -58.4563, 1.8),
    ("Recoleta", -34.5875, -58.3974, 1.3),
    ("Caballito", -34.6186, -58.4420, 1.6),
    ("Villa Urquiza", -34.5732, -58.4876, 1.6),
    ("Núñez", -34.5446, -58.4634, 1.3),
    ("Colegiales", -34.5746, -58.4500, 0.9),
    ("Almagro", -34.6094, -58.4200, 1.1),
    ("Villa Crespo", -34.5990, -58.4387, 1.1),
)
# Where the demo's clients live (approximate coordinates of each address).
PLACES: dict[str, GeoPoint] = {
    "Av. Rivadavia 5200, CABA": GeoPoint(-34.6190, -58.4400),
    "Gorriti 4800, CABA": GeoPoint(-34.5905, -58.4300),
    "Cabildo 2200, CABA": GeoPoint(-34.5600, -58.4570),
    "Corrientes 5100, CABA": GeoPoint(-34.5990, -58.4390),
    "Av. Córdoba 4000, CABA": GeoPoint(-34.5960, -58.4190),
    "Av. Triunvirato 4500, CABA": GeoPoint(-34.5740, -58.4880),
    "Av. Las Heras 2500, CABA": GeoPoint(-34.5870, -58.3970),
    "Lavalle 900, CABA": GeoPoint(-34.6020, -58.3820),
}
DEMO_PASSWORD = "demo1234"  # noqa: S105 - printed on purpose: demo logins
PLATFORM_ADMIN = "admin@turnero.demo"
SEEDER = ChangedBy(Actor.OPERATOR, Channel.CLI)
CLIENT = ChangedBy(Actor.CLIENT, Channel.PAGE)


@dataclass
class DemoCredentials:
    business: str
    email: str
    password: str
    role: str


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    users: list[DemoCredentials] = field(default_factory=list)
    api_keys: dict[str, str] = field(default_factory=dict)


def _weekly(days: range, start: int, end: int) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(d, time(start), time(end)) for d in days)


def _next_weekday(day: date, weekdays: range) -> date:
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def seed_demo(hub: Hub) -> DemoReport:
    """Create the demo businesses that do not exist yet; report what is there."""
    report = DemoReport()
    now = hub.now()
    for slug, seed in (("lavadero-demo", _seed_car_wash), ("oficina-demo", _seed_office)):
        with hub.uow() as uow:
            exists = uow.businesses.get_by_slug(slug) is not None
        if exists:
            report.existing.append(slug)
        else:
            seed(hub, now, report)
            report.created.append(slug)
    _platform_admin(hub, now)
    report.users = [
        DemoCredentials("the platform", PLATFORM_ADMIN, DEMO_PASSWORD, "platform_admin"),
        DemoCredentials("lavadero-demo", "admin@lavadero.demo", DEMO_PASSWORD, "business_admin"),
        DemoCredentials("lavadero-demo", "juan@lavadero.demo", DEMO_PASSWORD, "employee"),
        DemoCredentials("oficina-demo", "admin@oficina.demo", DEMO_PASSWORD, "business_admin"),
    ]
    return report


def _platform_admin(hub: Hub, now: datetime) -> None:
    """The demo's platform admin (``/console/platform``: every business, plans, usage)."""
    with contextlib.suppress(DomainError):  # seeded before
        accounts.create_user(
            hub.accounts_uow(),
            business_id=None,
            email=PLATFORM_ADMIN,
            role=Role.PLATFORM_ADMIN,
            password=DEMO_PASSWORD,
            now=now,
        )


def _seed_car_wash(hub: Hub, now: datetime, report: DemoReport) -> None:
    business = Business(
        slug="lavadero-demo",
        name="Lavadero a Domicilio Demo",
        timezone="America/Argentina/Buenos_Aires",
        currency="ARS",
        language="es",
        country="AR",
        whatsapp_contact="+5491155550000",
        policy=BookingPolicy(
            min_notice_minutes=24 * 60,
            horizon_days=60,
            requires_confirmation=True,
            hold_minutes=12 * 60,
            client_cancel_until_hours=2,
            client_reschedule_until_hours=2,
            max_reschedules=1,
        ),
        settings={"survey_url": "https://example.com/encuesta"},
    )
    tz = business.tz
    mon_sat = range(6)
    hours = _weekly(mon_sat, 9, 18)
    setup.create_business(hub.uow(), business, by=SEEDER, now=now)
    branch = Branch(
        business.id,
        "Base Palermo",
        address="Av. Santa Fe 3500, CABA",
        lat=-34.5889,
        lng=-58.4116,
        coverage_km=10,
        hours=hours,
    )
    setup.save_branch(hub.uow(), branch, by=SEEDER, now=now)
    for name, lat, lng, radius in BARRIOS:
        zone = Zone(business.id, name, centre=GeoPoint(lat, lng), radius_km=radius)
        zones.save_zone(hub.uow(), zone, by=SEEDER, now=now)
    juan = Resource(
        business.id,
        "Juan (lavador)",
        branch_ids=(branch.id,),
        weekly=hours,
        base=GeoPoint(-34.5990, -58.4420),  # starts from home, in Villa Crespo
    )
    pedro = Resource(
        business.id,
        "Pedro (lavador)",
        branch_ids=(branch.id,),
        weekly=hours,
        color="#e67e22",
        base=GeoPoint(-34.6100, -58.4230),  # from home, in Almagro
    )
    for resource in (juan, pedro):
        setup.save_resource(hub.uow(), resource, by=SEEDER, now=now)
    washers = ResourceGroup(business.id, "lavadores", (juan.id, pedro.id))
    setup.save_group(hub.uow(), washers, by=SEEDER, now=now)
    full = Service(
        business.id,
        "Lavado completo",
        60,
        price_minor=500_000,
        at_client_address=True,
        group_ids=(washers.id,),
        description="Interior y exterior, en tu domicilio.",
    )
    outside = Service(
        business.id,
        "Lavado exterior",
        30,
        price_minor=300_000,
        at_client_address=True,
        group_ids=(washers.id,),
        description="Carrocería, vidrios y llantas.",
    )
    for service in (full, outside):
        setup.save_service(hub.uow(), service, by=SEEDER, now=now)

    today = now.astimezone(tz).date()
    holiday = _next_weekday(today + timedelta(days=9), mon_sat)
    for resource in (juan, pedro):
        setup.add_exception(
            hub.uow(),
            business.id,
            resource.id,
            DateException(holiday, holiday, reason="Feriado"),
            by=SEEDER,
            now=now,
        )
    block_day = _next_weekday(today + timedelta(days=3), mon_sat)
    create_block(
        hub.uow(),
        NewBlock(
            business.id,
            _at(block_day, 14, 0, tz),
            _at(block_day, 16, 0, tz),
            resource_id=pedro.id,
            reason="Service de la camioneta",
        ),
        by=SEEDER,
        now=now,
    )
    tomorrow = _next_weekday(today + timedelta(days=1), mon_sat)
    later = _next_weekday(today + timedelta(days=3), mon_sat)  # beyond the day of notice
    booked = []
    clients = [
        # (name, phone, address, service, resource, day, hour, booked by)
        ("Juan Pérez", "+54 11 1234-5678", "Av. Rivadavia 5200, CABA", full, juan, tomorrow, 10),
        ("José Gómez", "+54 9 11 5555-1234", "Gorriti 4800, CABA", full, juan, later, 9),
        ("María López", "+54 11 4321-8765", "Cabildo 2200, CABA", outside, pedro, later, 11),
        ("Lucía Fernández", "+54 11 6666-7777", "Corrientes 5100, CABA", full, pedro, later, 16),
    ]
    for index, (name, phone, address, service, resource, day, hour) in enumerate(clients):
        by_client = index >= 2  # from the booking page: pending until the business confirms
        booked.append(
            create_booking(
                hub.uow(),
                NewBooking(
                    business.id,
                    service.id,
                    _at(day, hour, 0, tz),
                    customer=CustomerDetails(name, phone=phone, address=address),
                    resource_id=resource.id,
                    address=address,
                    location=PLACES[address],
                    force=not by_client,
                ),
                by=CLIENT if by_client else SEEDER,
                now=now,
            )
        )
    cancel_booking(hub.uow(), business.id, booked[3].id, by=CLIENT, now=now, reason="Viajo")
    _seed_living_day(
        hub, business.id, washers=(juan, pedro), services=(full, outside), now=now, tz=tz
    )
    _staff(hub, business, now, [("admin@lavadero.demo", Role.BUSINESS_ADMIN, ())])
    _staff(hub, business, now, [("juan@lavadero.demo", Role.EMPLOYEE, (juan.id,))])
    _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, "demo CRM", now)
    report.api_keys[business.slug] = raw


# Today on the washers' hours, whatever the time the demo is seeded: (minutes after opening,
# client, phone, washer index, service index, cancelled on WhatsApp the evening before).
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


def _today_hours(resource: Resource, day: date) -> tuple[time, time] | None:
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


def _seed_living_day(
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
    hours = _today_hours(juan, today)
    if hours is None:
        hours = (time(9), time(18))
        for resource in washers:
            setup.add_exception(
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
        booking = create_booking(
            hub.uow(),
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
            now=start - timedelta(days=1),
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
            cancel_booking(
                hub.uow(),
                business_id,
                booked,
                by=ChangedBy(Actor.CLIENT, Channel.WHATSAPP),
                now=start - timedelta(hours=12),
                reason=WHATSAPP_CANCEL,
            )
    for index, (start, booking_id) in enumerate(started):
        if index == len(started) - 1:
            start_booking(hub.uow(), business_id, booking_id, by=SEEDER, now=start)
        elif index % 3 == 1:
            mark_no_show(hub.uow(), business_id, booking_id, by=SEEDER, now=start + step)
        else:
            start_booking(hub.uow(), business_id, booking_id, by=SEEDER, now=start)
            complete_booking(hub.uow(), business_id, booking_id, by=SEEDER, now=start + step)
    for days in range(1, 6):
        day = today + timedelta(days=days)
        book("Hernán Vega", f"+54 9 11 4100-00{days:02d}", full, juan, _at(day, 12, 0, tz))
        book("Inés Molina", f"+54 9 11 4200-00{days:02d}", outside, pedro, _at(day, 16, 30, tz))
    # A client who never confirmed: booked yesterday, held 12 hours, now expired.
    create_booking(
        hub.uow(),
        NewBooking(
            business_id,
            outside.id,
            _at(_next_weekday(today + timedelta(days=2), range(6)), 17, 0, tz),
            customer=CustomerDetails(
                "Julián Castro", phone="+54 9 11 4300-0001", address="Lavalle 900, CABA"
            ),
            resource_id=juan.id,
            address="Lavalle 900, CABA",
            location=PLACES["Lavalle 900, CABA"],
        ),
        by=CLIENT,
        now=now - timedelta(hours=13),
    )
    expire_due_bookings(hub.uow(), now=now)


def _seed_office(hub: Hub, now: datetime, report: DemoReport) -> None:
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
    hours = _weekly(mon_fri, 8, 20)
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
        setup.save_resource(hub.uow(), room, by=SEEDER, now=now)
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
    day = _next_weekday(today + timedelta(days=1), mon_fri)
    create_block(
        hub.uow(),
        NewBlock(
            business.id,
            _at(day, 13, 0, tz),
            _at(day, 14, 0, tz),
            resource_id=rooms[1].id,
            reason="Cleaning",
        ),
        by=SEEDER,
        now=now,
    )
    for hour, name, email in ((9, "Ana García", "ana@example.com"), (11, "Bob Smith", None)):
        create_booking(
            hub.uow(),
            NewBooking(
                business.id,
                meeting.id,
                _at(day, hour, 0, tz),
                customer=CustomerDetails(name, phone="+34 600 123 456", email=email),
                resource_id=rooms[0].id,
                invitees=("team@example.com",),
                force=True,
            ),
            by=SEEDER,
            now=now,
        )
    _staff(hub, business, now, [("admin@oficina.demo", Role.BUSINESS_ADMIN, ())])
    _, raw = accounts.create_api_key(hub.accounts_uow(), business.id, "demo CRM", now)
    report.api_keys[business.slug] = raw


def _staff(
    hub: Hub,
    business: Business,
    now: datetime,
    people: list[tuple[str, Role, tuple[str, ...]]],
) -> None:
    for email, role, resource_ids in people:
        try:
            accounts.create_user(
                hub.accounts_uow(),
                business_id=business.id,
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                resource_ids=resource_ids,
                now=now,
            )
        except DomainError:
            continue  # already there from an earlier, interrupted seeding
