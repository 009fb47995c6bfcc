"""Platform plans, on SQLite and PostgreSQL: a suspended business takes no booking and its
staff and keys are refused; a monthly quota refuses the booking past it and tells the admins
once a month; the platform sees every business's usage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.domain.accounts import Role
from hub.domain.booking import Actor, ChangedBy, Channel
from hub.domain.errors import (
    BusinessSuspendedError,
    NotFoundError,
    PermissionDeniedError,
    QuotaReachedError,
    ValidationError,
)
from hub.domain.model import Business
from hub.services import accounts, platform, sessions
from hub.services.booking_create import NewBooking, create_booking
from hub.services.customers import CustomerDetails
from hub.services.login_throttle import LoginThrottle
from hub.services.plans import QUOTA_EVENT, quota_status
from tests.services.conftest import CLIENT, NOW, OPERATOR, World, local

PLATFORM = ChangedBy(Actor.OPERATOR, Channel.CONSOLE, "platform-1")


def book(world: World, day: int, hour: int, by: ChangedBy = CLIENT) -> str:
    booking = create_booking(
        world.uow(),
        NewBooking(
            world.business.id,
            world.wash.id,
            local(day, hour),
            customer=CustomerDetails(name="Ana", phone="+5491122334455"),
        ),
        by=by,
        now=NOW,
    )
    return booking.id


def quota_events(world: World) -> int:
    from sqlalchemy import text

    with world.db.engine.connect() as conn:
        query = text("SELECT count(*) FROM outbox_events WHERE type = :t")
        return int(conn.execute(query, {"t": QUOTA_EVENT}).scalar_one())


def test_a_suspended_business_takes_no_booking_until_reactivated(any_world: World) -> None:
    book(any_world, 5, 10)
    platform.suspend_business(any_world.uow(), any_world.business.id, by=PLATFORM, now=NOW)
    for by in (CLIENT, OPERATOR):
        with pytest.raises(BusinessSuspendedError) as refused:
            book(any_world, 5, 12, by=by)
        assert refused.value.code == "business_suspended"
    assert any_world.count("bookings") == 1
    platform.reactivate_business(any_world.uow(), any_world.business.id, by=PLATFORM, now=NOW)
    book(any_world, 5, 12)
    assert any_world.count("bookings") == 2


def test_staff_and_keys_of_a_suspended_business_are_refused(any_world: World) -> None:
    user = accounts.create_user(
        any_world.uow(),
        business_id=any_world.business.id,
        email="admin@example.com",
        role=Role.BUSINESS_ADMIN,
        password="s3cret-pass",
        now=NOW,
    )
    _, raw = accounts.create_api_key(any_world.uow(), any_world.business.id, "crm", NOW)
    token = sessions.start_session(any_world.uow(), user.id, NOW)
    app_password = accounts.create_app_password(any_world.uow(), user.id, NOW)
    platform.suspend_business(
        any_world.uow(), any_world.business.id, reason="unpaid", by=PLATFORM, now=NOW
    )
    throttle = LoginThrottle(any_world.db.login_failures)
    with pytest.raises(BusinessSuspendedError):
        accounts.authenticate_password(
            any_world.uow(), user.email, "s3cret-pass", NOW, throttle=throttle, address="x"
        )
    with pytest.raises(BusinessSuspendedError):
        accounts.authenticate_api_key(any_world.uow(), raw, NOW)
    with pytest.raises(BusinessSuspendedError):  # a calendar app (CalDAV) is refused too
        accounts.authenticate_app_password(
            any_world.uow(), user.email, app_password, NOW, throttle=throttle, address="x"
        )
    assert sessions.resume_session(any_world.uow(), token, NOW) is None
    # A wrong password still says only that: suspension is told to those who proved who they are.
    with pytest.raises(Exception) as wrong:
        accounts.authenticate_password(
            any_world.uow(), user.email, "not-it-at-all", NOW, throttle=throttle, address="x"
        )
    assert not isinstance(wrong.value, BusinessSuspendedError)
    platform.reactivate_business(any_world.uow(), any_world.business.id, by=PLATFORM, now=NOW)
    assert accounts.authenticate_api_key(any_world.uow(), raw, NOW).business_id
    assert sessions.resume_session(any_world.uow(), token, NOW) is not None


def test_the_quota_refuses_the_booking_past_it_and_tells_admins_once(any_world: World) -> None:
    platform.set_quota(any_world.uow(), any_world.business.id, 2, by=PLATFORM, now=NOW)
    book(any_world, 5, 10)
    assert quota_events(any_world) == 0
    book(any_world, 5, 11)  # the second of two: the admins hear it is used up
    assert quota_events(any_world) == 1
    for by in (CLIENT, OPERATOR):
        with pytest.raises(QuotaReachedError) as refused:
            book(any_world, 5, 12, by=by)
        assert refused.value.details["rule"] == "monthly_quota"
    assert any_world.count("bookings") == 2
    assert quota_events(any_world) == 1  # once a month, not once a refusal
    status = quota_status(any_world.uow(), any_world.business, NOW)
    assert (status.quota, status.used, status.reached) == (2, 2, True)
    # Next month (in Buenos Aires) the count starts again.
    april = NOW.replace(month=4, day=2)
    create_booking(
        any_world.uow(),
        NewBooking(
            any_world.business.id,
            any_world.wash.id,
            april + timedelta(days=1, hours=2),
            customer=CustomerDetails(name="Ana", phone="+5491122334455"),
        ),
        by=CLIENT,
        now=april,
    )
    # Lifting the quota lets this month book again.
    platform.set_quota(any_world.uow(), any_world.business.id, None, by=PLATFORM, now=NOW)
    book(any_world, 5, 12)


def test_a_quota_under_what_the_month_used_tells_the_admins_at_once(any_world: World) -> None:
    book(any_world, 5, 10)
    platform.set_quota(any_world.uow(), any_world.business.id, 1, by=PLATFORM, now=NOW)
    assert quota_events(any_world) == 1
    with pytest.raises(QuotaReachedError):
        book(any_world, 5, 11)


def test_bad_quotas_and_unknown_businesses_change_nothing(any_world: World) -> None:
    for bad in (-1, platform.MAX_QUOTA + 1):
        with pytest.raises(ValidationError):
            platform.set_quota(any_world.uow(), any_world.business.id, bad, by=PLATFORM, now=NOW)
    with pytest.raises(NotFoundError):
        platform.suspend_business(any_world.uow(), "nope", by=PLATFORM, now=NOW)
    assert any_world.count("business_plans") == 0


def test_the_platform_lists_businesses_with_usage_and_creates_one(any_world: World) -> None:
    book(any_world, 5, 10)
    accounts.create_user(
        any_world.uow(),
        business_id=any_world.business.id,
        email="e@example.com",
        role=Role.EMPLOYEE,
        now=NOW,
    )
    created, link = platform.create_business(
        any_world.uow(),
        any_world.uow(),
        "k" * 32,
        Business(slug="nuevo", name="Nuevo", timezone="UTC", currency="USD", language="en"),
        admin_email="owner@example.com",
        by=PLATFORM,
        now=NOW,
    )
    assert link.user.role is Role.BUSINESS_ADMIN and link.user.business_id == created.id
    overview = {o.business.slug: o for o in platform.list_businesses(any_world.uow(), NOW)}
    assert overview["lavadero"].usage.bookings_this_month == 1
    assert overview["lavadero"].usage.staff == 1
    assert overview["lavadero"].usage.last_activity == NOW
    assert overview["nuevo"].usage.bookings_this_month == 0
    assert overview["nuevo"].usage.staff == 1


def test_only_platform_admins_pass_the_platform_check() -> None:
    from hub.domain.accounts import User

    for role in (Role.BUSINESS_ADMIN, Role.EMPLOYEE):
        with pytest.raises(PermissionDeniedError):
            platform.require_platform_admin(User("a@example.com", role, "b"))
    ok = User("p@example.com", Role.PLATFORM_ADMIN, None)
    assert platform.require_platform_admin(ok) is ok


def test_a_weekly_series_stops_at_the_quota(any_world: World) -> None:
    from hub.services.recurrence import Weekly
    from hub.services.series import create_series

    platform.set_quota(any_world.uow(), any_world.business.id, 2, by=PLATFORM, now=NOW)
    first = NewBooking(
        any_world.business.id,
        any_world.wash.id,
        local(5, 10),
        customer=CustomerDetails(name="Ana", phone="+5491122334455"),
    )
    result = create_series(
        any_world.uow(), first, Weekly(count=3), by=OPERATOR, now=NOW, all_or_nothing=False
    )
    assert len(result.booked) == 2
    assert [c.code for c in result.conflicts] == ["booking_quota_reached"]
    assert any_world.count("bookings") == 2
