"""SQL rows and repositories for staff users, calendar app passwords, console sessions and
API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Row,
    String,
    Table,
    Text,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.domain.accounts import ApiKey, AppPassword, ConsoleSession, Role, User
from hub.domain.search import matches
from hub.persistence.models import ID, Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    business_id: Mapped[str | None] = mapped_column(ID, ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(Text)
    resource_ids: Mapped[list[str]]
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime | None]
    joined_via: Mapped[str | None] = mapped_column(String(32))


class AppPasswordRow(Base):
    __tablename__ = "app_passwords"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class ConsoleSessionRow(Base):
    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime]


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
        phone=row.phone,
        password_hash=row.password_hash,
        resource_ids=tuple(row.resource_ids or ()),
        active=row.active,
        created_at=row.created_at,
        joined_via=row.joined_via,
    )


def _fill_user(row: UserRow, user: User) -> UserRow:
    row.email = user.email
    row.role = user.role.value
    row.business_id = user.business_id
    row.name = user.name
    row.phone = user.phone
    row.password_hash = user.password_hash
    row.resource_ids = list(user.resource_ids)
    row.active = user.active
    row.created_at = user.created_at
    row.joined_via = user.joined_via
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
        # Matched here, not in SQL, so that case and accents are ignored alike on SQLite and
        # PostgreSQL (a business's staff is a short list).
        rows = self._s.scalars(
            select(UserRow).where(UserRow.business_id == business_id).order_by(UserRow.name)
        )
        found = [_user(r) for r in rows if matches(query, (r.name, r.email))]
        return found[:limit]


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

    def delete_for_user(self, user_id: str) -> int:
        result = self._s.execute(delete(AppPasswordRow).where(AppPasswordRow.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)


_SESSIONS = cast(Table, ConsoleSessionRow.__table__)
# Every console page reads its session by the hash of the cookie's token.
_SESSION_BY_HASH = select(_SESSIONS).where(_SESSIONS.c.token_hash == bindparam("token_hash"))


def _console_session(row: Row[Any]) -> ConsoleSession:
    return ConsoleSession(
        id=row.id,
        user_id=row.user_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
    )


class SqlConsoleSessionRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, console_session: ConsoleSession) -> None:
        self._s.add(
            ConsoleSessionRow(
                id=console_session.id,
                user_id=console_session.user_id,
                token_hash=console_session.token_hash,
                created_at=console_session.created_at,
                expires_at=console_session.expires_at,
                last_seen_at=console_session.last_seen_at,
            )
        )

    def get_by_hash(self, token_hash: str) -> ConsoleSession | None:
        row = self._s.execute(_SESSION_BY_HASH, {"token_hash": token_hash}).first()
        return _console_session(row) if row is not None else None

    def touch(self, session_id: str, at: datetime) -> None:
        self._s.execute(
            update(ConsoleSessionRow)
            .where(ConsoleSessionRow.id == session_id)
            .values(last_seen_at=at)
        )

    def delete(self, session_id: str) -> None:
        self._s.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.id == session_id))

    def delete_for_user(self, user_id: str) -> int:
        result = self._s.execute(
            delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == user_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_expired(self, now: datetime) -> int:
        result = self._s.execute(
            delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


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
