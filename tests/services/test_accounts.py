"""Staff accounts and API keys, on SQLite and PostgreSQL: what a staff member or an
integrator notices — they can sign in, guesses are throttled without locking the owner out,
a password change or removal ends their sessions, and a key works until revoked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hub.domain.accounts import Role, User
from hub.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TooManyAttemptsError,
    ValidationError,
)
from hub.persistence.uow import SqlDatabase
from hub.services import accounts, sessions
from hub.services.login_throttle import LoginThrottle
from tests.services.conftest import NOW, World

HOME = "198.51.100.7"  # where the staff member signs in from
STRANGER = "203.0.113.9"


def throttle(world: World) -> LoginThrottle:
    return LoginThrottle(world.db.login_failures)


def sign_in(
    world: World,
    email: str,
    password: str,
    address: str,
    now: datetime = NOW,
    guard: LoginThrottle | None = None,
) -> User:
    return accounts.authenticate_password(
        world.uow(), email, password, now, throttle=guard or throttle(world), address=address
    )


def admin(world: World, password: str | None = "s3cret-pass") -> User:
    return accounts.create_user(
        world.uow(),
        business_id=world.business.id,
        email="admin@example.com",
        role=Role.BUSINESS_ADMIN,
        password=password,
        now=NOW,
    )


def test_login_with_the_right_password_only(any_world: World) -> None:
    uow = any_world.uow()
    accounts.create_user(
        uow,
        business_id=any_world.business.id,
        email="Ana@Example.com ",
        role=Role.EMPLOYEE,
        password="correct horse",
        resource_ids=[any_world.washer_a.id],
        now=NOW,
    )
    user = sign_in(any_world, "ana@example.com", "correct horse", HOME)
    assert user.email == "ana@example.com"
    assert user.sees_resource(any_world.washer_a.id)
    assert not user.sees_resource(any_world.washer_b.id)
    with pytest.raises(AuthenticationError):
        sign_in(any_world, "ana@example.com", "wrong horse", HOME)
    with pytest.raises(AuthenticationError):
        sign_in(any_world, "nobody@example.com", "correct horse", HOME)


def test_a_strangers_guesses_throttle_the_stranger_not_the_owner(any_world: World) -> None:
    admin(any_world)
    guard = throttle(any_world)
    for _ in range(5):
        with pytest.raises(AuthenticationError) as wrong:
            sign_in(any_world, "admin@example.com", "guess", STRANGER, guard=guard)
        assert not isinstance(wrong.value, TooManyAttemptsError)
    # The stranger now waits, whatever they send (the password is not even checked)…
    with pytest.raises(TooManyAttemptsError) as throttled:
        sign_in(any_world, "admin@example.com", "s3cret-pass", STRANGER, guard=guard)
    assert 0 < throttled.value.retry_after <= 60
    # …while the owner, from their own address, signs in as usual, again and again.
    for _ in range(3):
        assert sign_in(any_world, "admin@example.com", "s3cret-pass", HOME, guard=guard)


def test_throttling_backs_off_and_is_shared_between_processes(any_world: World) -> None:
    admin(any_world)
    # Two web processes: each its own engine and throttle, one database.
    other = SqlDatabase(any_world.db.url)
    try:
        first, second = throttle(any_world), LoginThrottle(other.login_failures)
        for guard in (first, second, first, second, first):
            with pytest.raises(AuthenticationError):
                sign_in(any_world, "admin@example.com", "guess", STRANGER, guard=guard)
        with pytest.raises(TooManyAttemptsError) as blocked:
            sign_in(any_world, "admin@example.com", "s3cret-pass", STRANGER, guard=second)
        assert blocked.value.retry_after == 60
        later = NOW + timedelta(minutes=1, seconds=1)
        with pytest.raises(AuthenticationError):
            sign_in(any_world, "admin@example.com", "guess", STRANGER, later, guard=second)
        with pytest.raises(TooManyAttemptsError) as longer:
            sign_in(any_world, "admin@example.com", "s3cret-pass", STRANGER, later, guard=first)
        assert longer.value.retry_after == 120  # the next block is twice as long
        # Once it has passed, the right password works and the count starts again.
        after = later + timedelta(minutes=2, seconds=1)
        assert sign_in(any_world, "admin@example.com", "s3cret-pass", STRANGER, after, first)
        with pytest.raises(AuthenticationError) as again:
            sign_in(any_world, "admin@example.com", "guess", STRANGER, after, guard=second)
        assert not isinstance(again.value, TooManyAttemptsError)
    finally:
        other.dispose()


def test_known_and_unknown_emails_get_the_same_answers(any_world: World) -> None:
    admin(any_world)
    guard = throttle(any_world)
    answers = []
    for email in ("admin@example.com", "nobody@example.com"):
        seen = []
        for _ in range(6):
            with pytest.raises(AuthenticationError) as refused:
                sign_in(any_world, email, "guess", STRANGER, guard=guard)
            seen.append((type(refused.value), refused.value.message))
        answers.append(seen)
    assert answers[0] == answers[1]
    assert answers[0][-1][0] is TooManyAttemptsError


def test_a_password_change_ends_every_session_of_that_user(any_world: World) -> None:
    user = admin(any_world)
    phone = sessions.start_session(any_world.uow(), user.id, NOW)
    laptop = sessions.start_session(any_world.uow(), user.id, NOW)
    assert sessions.resume_session(any_world.uow(), phone, NOW) is not None
    with pytest.raises(AuthenticationError):
        accounts.change_password(
            any_world.uow(), user.id, "wrong", "n3w-passw0rd", NOW,
            throttle=throttle(any_world), address=HOME,
        )  # fmt: skip
    assert sessions.resume_session(any_world.uow(), phone, NOW) is not None
    accounts.change_password(
        any_world.uow(), user.id, "s3cret-pass", "n3w-passw0rd", NOW,
        throttle=throttle(any_world), address=HOME,
    )  # fmt: skip
    assert sessions.resume_session(any_world.uow(), phone, NOW) is None
    assert sessions.resume_session(any_world.uow(), laptop, NOW) is None
    assert sign_in(any_world, "admin@example.com", "n3w-passw0rd", HOME)


def test_sessions_end_at_sign_out_and_expire(any_world: World) -> None:
    user = admin(any_world, password=None)  # Google sign-in only: no password at all
    token = sessions.start_session(any_world.uow(), user.id, NOW)
    other = sessions.start_session(any_world.uow(), user.id, NOW)
    assert token != other
    found = sessions.resume_session(any_world.uow(), token, NOW + timedelta(hours=11))
    assert found is not None and found.id == user.id
    assert sessions.resume_session(any_world.uow(), token, NOW + sessions.LIFETIME) is None
    assert sessions.resume_session(any_world.uow(), "made-up", NOW) is None
    sessions.end_session(any_world.uow(), token)
    assert sessions.resume_session(any_world.uow(), token, NOW) is None
    assert sessions.resume_session(any_world.uow(), other, NOW) is not None
    # Expired rows go when someone signs in later.
    sessions.start_session(any_world.uow(), user.id, NOW + timedelta(days=1))
    assert any_world.count("console_sessions") == 1


def test_removing_a_staff_member_ends_their_sessions_and_app_passwords(
    any_world: World,
) -> None:
    boss = admin(any_world)
    ana = accounts.create_user(
        any_world.uow(),
        business_id=any_world.business.id,
        email="ana@example.com",
        role=Role.EMPLOYEE,
        password="correct horse",
        now=NOW,
    )
    token = sessions.start_session(any_world.uow(), ana.id, NOW)
    raw = accounts.create_app_password(any_world.uow(), ana.id, NOW)
    with pytest.raises(PermissionDeniedError):
        accounts.deactivate_user(
            any_world.uow(), any_world.business.id, boss.id, by=boss.id, now=NOW
        )
    with pytest.raises(NotFoundError):
        accounts.deactivate_user(any_world.uow(), "another-business", ana.id, by=boss.id, now=NOW)
    accounts.deactivate_user(any_world.uow(), any_world.business.id, ana.id, by=boss.id, now=NOW)
    assert sessions.resume_session(any_world.uow(), token, NOW) is None
    assert accounts.list_app_passwords(any_world.uow(), ana.id) == []
    with pytest.raises(AuthenticationError):
        accounts.authenticate_app_password(
            any_world.uow(), "ana@example.com", raw, NOW, throttle=throttle(any_world), address=HOME
        )
    with pytest.raises(AuthenticationError):
        sign_in(any_world, "ana@example.com", "correct horse", HOME)


def test_duplicate_email_and_bad_input_are_refused(world: World) -> None:
    uow = world.uow()
    kwargs = {"business_id": world.business.id, "role": Role.EMPLOYEE, "now": NOW}
    accounts.create_user(uow, email="a@example.com", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        accounts.create_user(uow, email="A@example.com", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        accounts.create_user(uow, email="not an email", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        accounts.create_user(
            uow,
            email="b@example.com",
            password="short",
            **kwargs,  # type: ignore[arg-type]
        )
    assert [u.email for u in accounts.list_users(uow, world.business.id)] == ["a@example.com"]


def test_app_password_is_shown_once_and_works_until_revoked(any_world: World) -> None:
    uow = any_world.uow()
    user = accounts.create_user(
        uow,
        business_id=any_world.business.id,
        email="ana@example.com",
        role=Role.EMPLOYEE,
        now=NOW,
    )
    raw = accounts.create_app_password(uow, user.id, NOW, label="Thunderbird")
    guard = throttle(any_world)

    def app_sign_in(password: str) -> User:
        return accounts.authenticate_app_password(
            uow, "ana@example.com", password, NOW, throttle=guard, address=HOME
        )

    assert app_sign_in(raw).id == user.id
    with pytest.raises(AuthenticationError):
        app_sign_in(raw + "x")
    (stored,) = accounts.list_app_passwords(uow, user.id)
    assert raw not in stored.secret_hash
    assert stored.last_used_at == NOW
    accounts.revoke_app_password(uow, user.id, stored.id)
    with pytest.raises(AuthenticationError):
        app_sign_in(raw)
    with pytest.raises(NotFoundError):
        accounts.revoke_app_password(uow, user.id, stored.id)


def test_api_key_authenticates_its_business_until_revoked(any_world: World) -> None:
    uow = any_world.uow()
    key, raw = accounts.create_api_key(uow, any_world.business.id, "CRM", NOW)
    assert raw.startswith(key.prefix + ".")
    assert raw not in key.secret_hash
    assert accounts.authenticate_api_key(uow, raw, NOW).business_id == any_world.business.id
    for bad in ("", "tk_x", raw[:-1] + ("A" if raw[-1] != "A" else "B"), key.prefix + ".x"):
        with pytest.raises(AuthenticationError):
            accounts.authenticate_api_key(uow, bad, NOW)
    accounts.revoke_api_key(uow, any_world.business.id, key.id, NOW)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate_api_key(uow, raw, NOW)
    with pytest.raises(NotFoundError):
        accounts.revoke_api_key(uow, "another-business", key.id, NOW)


def test_api_key_check_on_an_autocommit_unit_of_work_records_use_and_sees_revocation(
    any_world: World,
) -> None:
    # The API checks keys on a unit of work whose statements commit one by one.
    key, raw = accounts.create_api_key(any_world.uow(), any_world.business.id, "CRM", NOW)
    checker = any_world.db.unit_of_work(autocommit=True)
    assert accounts.authenticate_api_key(checker, raw, NOW).id == key.id
    later = NOW + timedelta(minutes=10)
    accounts.authenticate_api_key(checker, raw, later)
    (stored,) = accounts.list_api_keys(any_world.uow(), any_world.business.id)
    assert stored.last_used_at == later
    accounts.revoke_api_key(any_world.uow(), any_world.business.id, key.id, later)
    with pytest.raises(AuthenticationError, match="revoked"):
        accounts.authenticate_api_key(checker, raw, later)
