"""Staff accounts and API keys, on SQLite and PostgreSQL: what a staff member or an
integrator notices — they can log in, get locked out, and a key works until revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.domain.accounts import Role
from hub.domain.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from hub.services import accounts
from tests.services.conftest import NOW, World


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
    user = accounts.authenticate_password(uow, "ana@example.com", "correct horse", NOW)
    assert user.email == "ana@example.com"
    assert user.sees_resource(any_world.washer_a.id)
    assert not user.sees_resource(any_world.washer_b.id)
    with pytest.raises(AuthenticationError):
        accounts.authenticate_password(uow, "ana@example.com", "wrong horse", NOW)
    with pytest.raises(AuthenticationError):
        accounts.authenticate_password(uow, "nobody@example.com", "correct horse", NOW)


def test_repeated_failures_lock_the_account_for_a_while(world: World) -> None:
    uow = world.uow()
    accounts.create_user(
        uow,
        business_id=world.business.id,
        email="admin@example.com",
        role=Role.BUSINESS_ADMIN,
        password="s3cret-pass",
        now=NOW,
    )
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            accounts.authenticate_password(uow, "admin@example.com", "nope-nope", NOW)
    with pytest.raises(AuthenticationError) as locked:
        accounts.authenticate_password(uow, "admin@example.com", "s3cret-pass", NOW)
    assert locked.value.details.get("locked") is True
    later = NOW + accounts.LOCKOUT + timedelta(seconds=1)
    assert accounts.authenticate_password(uow, "admin@example.com", "s3cret-pass", later)


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
    assert accounts.authenticate_app_password(uow, "ana@example.com", raw, NOW).id == user.id
    with pytest.raises(AuthenticationError):
        accounts.authenticate_app_password(uow, "ana@example.com", raw + "x", NOW)
    (stored,) = accounts.list_app_passwords(uow, user.id)
    assert raw not in stored.secret_hash
    assert stored.last_used_at == NOW
    accounts.revoke_app_password(uow, user.id, stored.id)
    with pytest.raises(AuthenticationError):
        accounts.authenticate_app_password(uow, "ana@example.com", raw, NOW)
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
