"""Failed-login counters in SQL: the store behind ``hub.services.login_throttle``.

One row per hashed key. A failure is one upsert per key that returns the new count, so
processes counting at the same moment never lose a failure; each call is its own short
transaction (no transaction stays open while a password is checked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Engine,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.models import Base


class LoginFailureRow(Base):
    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]


_T = cast(Table, LoginFailureRow.__table__)
_BLOCKED = select(func.max(_T.c.blocked_until)).where(
    _T.c.key.in_(bindparam("keys", expanding=True)), _T.c.blocked_until > bindparam("now")
)


class SqlLoginFailures:
    """``FailureStore`` over the hub's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    def blocked_until(self, keys: Sequence[str], now: datetime) -> datetime | None:
        with self._engine.connect() as conn:
            value = conn.execute(_BLOCKED, {"keys": list(keys), "now": now}).scalar()
        return cast(datetime | None, value)

    def add_failure(
        self, keys: Sequence[str], now: datetime, forget_before: datetime
    ) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        with self._engine.begin() as conn:
            for key in sorted(keys):  # one lock order between processes
                insert = self._insert(_T).values(
                    key=key, failures=1, last_failure_at=now, blocked_until=None
                )
                statement = insert.on_conflict_do_update(
                    index_elements=[_T.c.key],
                    set_={
                        "failures": case(
                            (_T.c.last_failure_at < forget_before, 1), else_=_T.c.failures + 1
                        ),
                        "last_failure_at": now,
                    },
                ).returning(_T.c.failures)
                counts[key] = int(conn.execute(statement).scalar_one())
        return counts

    def block(self, until: Mapping[str, datetime]) -> None:
        with self._engine.begin() as conn:
            for key, moment in sorted(until.items()):
                conn.execute(
                    update(_T)
                    .where(_T.c.key == key)
                    .where(or_(_T.c.blocked_until.is_(None), _T.c.blocked_until < moment))
                    .values(blocked_until=moment)
                )

    def forget(self, keys: Sequence[str]) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(_T).where(_T.c.key.in_(list(keys))))

    def purge(self, forget_before: datetime, now: datetime) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(_T).where(
                    and_(
                        _T.c.last_failure_at < forget_before,
                        or_(_T.c.blocked_until.is_(None), _T.c.blocked_until <= now),
                    )
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)
