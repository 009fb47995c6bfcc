"""SQL rows and repositories for staff users, calendar app passwords and API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    Row,
    String,
    Table,
    Text,
    bindparam,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.accounts import ApiKey, AppPassword, Role, User
from hub.persistence.models import ID, Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    business_id: Mapped[str | None] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(Text)
    resource_ids: Mapped[list[str]]
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime | None]


class AppPasswordRow(Base):
    __tablename__ = "app_passwords"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    business_id: Mapped[str] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


# Every API call runs this; on table columns it skips the ORM's entity loading.
_KEYS = cast(Table, ApiKeyRow.__table__)
_KEY_BY_PREFIX = select(_KEYS).where(_KEYS.c.prefix == bindparam("prefix"))


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        business_id=row.business_id,
        name=row.name,
        password_hash=row.password_hash,
        resource_ids=tuple(row.resource_ids or ()),
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        active=row.active,
        created_at=row.created_at,
    )


def _fill_user(row: UserRow, user: User) -> UserRow:
    row.email = user.email
    row.role = user.role.value
    row.business_id = user.business_id
    row.name = user.name
    row.password_hash = user.password_hash
    row.resource_ids = list(user.resource_ids)
    row.failed_logins = user.failed_logins
    row.locked_until = user.locked_until
    row.active = user.active
    row.created_at = user.created_at
    return row


class SqlUserRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, user: User) -> None:
        self._s.add(_fill_user(UserRow(id=user.id), user))

    def update(self, user: User) -> None:
        row = self._s.get(UserRow, user.id)
        if row is not None:
            _fill_user(row, user)

    def get(self, user_id: str) -> User | None:
        row = self._s.get(UserRow, user_id)
        return _user(row) if row is not None else None

    def get_by_email(self, email: str) -> User | None:
        row = self._s.scalar(select(UserRow).where(UserRow.email == email))
        return _user(row) if row is not None else None

    def list(self, business_id: str) -> Sequence[User]:
        rows = self._s.scalars(
            select(UserRow).where(UserRow.business_id == business_id).order_by(UserRow.email)
        )
        return [_user(r) for r in rows]

    def search(self, business_id: str, query: str, limit: int) -> Sequence[User]:
        pattern = f"%{query.lower()}%"
        rows = self._s.scalars(
            select(UserRow)
            .where(UserRow.business_id == business_id)
            .where(or_(UserRow.email.like(pattern), UserRow.name.ilike(pattern)))
            .order_by(UserRow.name)
            .limit(limit)
        )
        return [_user(r) for r in rows]


def _app_password(row: AppPasswordRow) -> AppPassword:
    return AppPassword(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        secret_hash=row.secret_hash,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


class SqlAppPasswordRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, password: AppPassword) -> None:
        self._s.add(
            AppPasswordRow(
                id=password.id,
                user_id=password.user_id,
                label=password.label,
                secret_hash=password.secret_hash,
                created_at=password.created_at,
                last_used_at=password.last_used_at,
            )
        )

    def update(self, password: AppPassword) -> None:
        row = self._s.get(AppPasswordRow, password.id)
        if row is not None:
            row.label = password.label
            row.last_used_at = password.last_used_at

    def list(self, user_id: str) -> Sequence[AppPassword]:
        rows = self._s.scalars(
            select(AppPasswordRow)
            .where(AppPasswordRow.user_id == user_id)
            .order_by(AppPasswordRow.created_at)
        )
        return [_app_password(r) for r in rows]

    def delete(self, user_id: str, password_id: str) -> bool:
        row = self._s.get(AppPasswordRow, password_id)
        if row is None or row.user_id != user_id:
            return False
        self._s.delete(row)
        return True


def _api_key(row: ApiKeyRow | Row[Any]) -> ApiKey:
    return ApiKey(
        id=row.id,
        business_id=row.business_id,
        name=row.name,
        prefix=row.prefix,
        secret_hash=row.secret_hash,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, key: ApiKey) -> None:
        self._s.add(
            ApiKeyRow(
                id=key.id,
                business_id=key.business_id,
                name=key.name,
                prefix=key.prefix,
                secret_hash=key.secret_hash,
                created_at=key.created_at,
                last_used_at=key.last_used_at,
                revoked_at=key.revoked_at,
            )
        )

    def update(self, key: ApiKey) -> None:
        row = self._s.get(ApiKeyRow, key.id)
        if row is not None:
            row.name = key.name
            row.last_used_at = key.last_used_at
            row.revoked_at = key.revoked_at

    def get_by_prefix(self, prefix: str) -> ApiKey | None:
        row = self._s.execute(_KEY_BY_PREFIX, {"prefix": prefix}).first()
        return _api_key(row) if row is not None else None

    def list(self, business_id: str) -> Sequence[ApiKey]:
        rows = self._s.scalars(
            select(ApiKeyRow)
            .where(ApiKeyRow.business_id == business_id)
            .order_by(ApiKeyRow.created_at)
        )
        return [_api_key(r) for r in rows]
