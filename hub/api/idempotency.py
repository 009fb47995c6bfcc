"""Idempotency-Key storage: the first answer to a POST, kept in the database for a day.

A key is claimed by inserting its row before the work starts; the primary key makes the
claim atomic across web processes, so two identical POSTs sent at once do the work once and
the second waits for and replays the first answer. The table is the API's own (Alembic
branch ``api``); nothing else reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from hub.persistence.columns import UTCDateTime

TTL = timedelta(hours=24)

metadata = MetaData()

idempotency_keys = Table(
    "api_idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),  # business id, or "public:<client>"
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # sha256 of method, path and body
    Column("status", Integer, nullable=True),  # None while the first request is running
    Column("headers", Text, nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    fingerprint: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    created_at: datetime

    @property
    def finished(self) -> bool:
        return self.status is not None


class IdempotencyStore:
    """Claims, finishes and replays keys. Each method is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredAnswer | None:
        """None when this caller now owns the key; otherwise what is stored for it."""
        for _ in range(2):
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(idempotency_keys).values(
                            scope=scope, key=key, fingerprint=fingerprint, created_at=now
                        )
                    )
                return None
            except IntegrityError:
                stored = self._get(scope, key)
                if stored is None:
                    continue  # released in between: try again
                if stored.created_at < now - TTL:
                    self.release(scope, key)
                    continue
                return stored
        return self._get(scope, key)

    def _get(self, scope: str, key: str) -> StoredAnswer | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
                )
            ).first()
        if row is None:
            return None
        return StoredAnswer(
            fingerprint=row.fingerprint,
            status=row.status,
            headers=json.loads(row.headers) if row.headers else {},
            body=row.body or b"",
            created_at=row.created_at,
        )

    def finish(
        self, scope: str, key: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
                .values(status=status, headers=json.dumps(headers), body=body)
            )

    def release(self, scope: str, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(idempotency_keys).where(
                    idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
                )
            )

    def purge(self, before: datetime) -> int:
        """Forget keys created before ``before`` (run daily by the scheduler)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(idempotency_keys).where(idempotency_keys.c.created_at < before)
            )
        return int(result.rowcount or 0)
