"""The one leased delivery queue: rows created once, claimed by one worker at a time under a
lease, completed, failed with a retry time from the backoff policy or dead-lettered
(``failed``), and made pending again by a person (retry, replay).

It serves every delivery: the scheduler's records of (outbox event, consumer) — email,
WhatsApp, Google, reminders — in ``deliveries``, and the webhooks' records of (subscription,
event) in ``webhook_deliveries``. Two tables, one queue: merging them would mean moving live
rows between tables in a migration for no gain, and each keeps the columns of its own
(the webhook's frozen body, the consumer's name). A table serves as a queue when it has
``id``, ``status``, ``attempts``, ``next_attempt_at``, ``claimed_until``, ``claim_token``,
``last_error``, ``created_at`` and ``finished_at``.

A claim is one ``UPDATE … WHERE status='pending' AND next_attempt_at <= now AND
(claimed_until IS NULL OR claimed_until < now)``: of two workers racing for a row only one
sees it updated, and a worker killed mid-batch loses its claim when the lease runs out.
Every claim carries a fresh token; finishing a row checks it, so a worker whose lease ran out
cannot overwrite the outcome of the one that took over.

Not here: when to retry (``scheduler.backoff``), what delivering means (the consumers).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

PENDING = "pending"
FAILED = "failed"
INSERT_CHUNK = 500  # rows per executemany of the INSERT


@dataclass(frozen=True, slots=True)
class Claim:
    """Rows this worker owns until ``until`` (the ``columns`` asked for, ``id`` first)."""

    token: str
    until: datetime
    rows: list[Row[Any]]


Held = tuple[str, str]  # (row id, claim token)


class DeliveryQueue:
    """A leased queue over ``table``; ``done`` is the status of a row carried out."""

    def __init__(self, table: Table, *, done: str) -> None:
        self.table = table
        self.done = done
        self.c = table.c

    def add(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows, due at their ``next_attempt_at``; rows already there are kept as
        they are (a fan-out run twice creates nothing new)."""
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = upsert(self.table).on_conflict_do_nothing()
        for start in range(0, len(rows), INSERT_CHUNK):  # executemany: compiled once
            session.execute(statement, list(rows[start : start + INSERT_CHUNK]))

    def claimable(self, now: datetime) -> list[ColumnElement[bool]]:
        c = self.c
        return [
            c.status == PENDING,
            c.next_attempt_at <= now,
            or_(c.claimed_until.is_(None), c.claimed_until < now),
        ]

    def claim(
        self,
        session: Session,
        now: datetime,
        lease: timedelta,
        *,
        columns: Sequence[str],
        ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> Claim:
        """Take the due rows nobody holds — among ``ids``, and with ``limit`` the most
        overdue first (skipping rows another transaction has locked) — counting the attempt
        (caller commits)."""
        token = str(uuid.uuid4())
        until = now + lease
        c = self.c
        if ids is not None and not ids:
            return Claim(token, until, [])
        if limit is None:
            if ids is None:
                raise ValueError("claim needs ids or a limit")
            chosen: ColumnElement[bool] = c.id.in_(list(ids))
        else:
            wanted = select(c.id).where(*self.claimable(now))
            if ids is not None:
                wanted = wanted.where(c.id.in_(list(ids)))
            wanted = wanted.order_by(c.next_attempt_at).limit(limit)
            if session.get_bind().dialect.name == "postgresql":
                wanted = wanted.with_for_update(skip_locked=True)
            chosen = c.id.in_(wanted.scalar_subquery())
        result = session.execute(
            update(self.table)
            .where(chosen, *self.claimable(now))
            .values(claimed_until=until, claim_token=token, attempts=c.attempts + 1)
            .returning(*(c[name] for name in columns))
        )
        return Claim(token, until, list(result))

    def renew(
        self, session: Session, held: Held, now: datetime, lease: timedelta
    ) -> datetime | None:
        """Extend the lease of a claim still held: its new end, or ``None`` if another
        worker took the row over."""
        row_id, token = held
        until = now + lease
        result = session.execute(
            update(self.table)
            .where(self.c.id == row_id, self.c.claim_token == token, self.c.status == PENDING)
            .values(claimed_until=until)
        )
        return until if result.rowcount == 1 else None  # type: ignore[attr-defined]

    def release(self, session: Session, held: Sequence[Held]) -> None:
        """Give back claims that were not tried (the attempt does not count)."""
        c = self.c
        for row_id, token in held:
            session.execute(
                update(self.table)
                .where(c.id == row_id, c.claim_token == token)
                .values(claimed_until=None, claim_token=None, attempts=c.attempts - 1)
            )

    def complete(
        self, session: Session, held: Sequence[Held], now: datetime, **values: Any
    ) -> set[str]:
        """Mark claimed rows carried out (plus ``values``); returns the ids still ours."""
        return self._finish(session, held, self.done, now, {"last_error": "", **values})

    def dead_letter(
        self, session: Session, held: Sequence[Held], now: datetime, error: str, **values: Any
    ) -> set[str]:
        """Give claimed rows up for good (``failed``); returns the ids still ours."""
        return self._finish(session, held, FAILED, now, {"last_error": error, **values})

    def _finish(
        self,
        session: Session,
        held: Sequence[Held],
        status: str,
        now: datetime,
        values: dict[str, Any],
    ) -> set[str]:
        by_token: dict[str, list[str]] = {}
        for row_id, token in held:
            by_token.setdefault(token, []).append(row_id)
        ours: set[str] = set()
        for token, row_ids in by_token.items():
            result = session.execute(
                update(self.table)
                .where(self.c.id.in_(row_ids), self.c.claim_token == token)
                .values(
                    status=status, finished_at=now, claimed_until=None, claim_token=None, **values
                )
                .returning(self.c.id)
            )
            ours |= set(result.scalars())
        return ours

    def fail(
        self,
        session: Session,
        held: Held,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        **values: Any,
    ) -> bool:
        """A claimed attempt failed: try again at ``retry_at``, or dead-letter the row when
        there is none (the backoff gave up). ``False`` if the claim was lost."""
        if retry_at is None:
            return bool(self.dead_letter(session, [held], now, error, **values))
        row_id, token = held
        result = session.execute(
            update(self.table)
            .where(self.c.id == row_id, self.c.claim_token == token)
            .values(
                next_attempt_at=retry_at,
                claimed_until=None,
                claim_token=None,
                last_error=error,
                **values,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def retry(
        self,
        session: Session,
        where: Sequence[ColumnElement[bool]],
        now: datetime,
        *,
        reset_attempts: bool,
    ) -> list[str]:
        """Make the rows matching ``where`` pending again, due now (retry of a dead letter,
        replay); with ``reset_attempts`` they get a new round of attempts."""
        found = list(session.scalars(select(self.c.id).where(*where)))
        if found:
            values: dict[str, Any] = {
                "status": PENDING,
                "next_attempt_at": now,
                "claimed_until": None,
                "claim_token": None,
                "finished_at": None,
            }
            if reset_attempts:
                values["attempts"] = 0
            session.execute(update(self.table).where(self.c.id.in_(found)).values(**values))
        return found

    def due(
        self,
        session: Session,
        now: datetime,
        limit: int,
        *,
        older_than: datetime | None = None,
        only_expired_claims: bool = False,
    ) -> list[str]:
        """Pending rows nobody holds, most overdue first: those due by ``older_than`` (by
        ``now`` without it), only those once claimed by a worker that did not finish with
        ``only_expired_claims``."""
        query = select(self.c.id).where(*self.claimable(now))
        if older_than is not None:
            query = query.where(self.c.next_attempt_at <= older_than)
        if only_expired_claims:
            query = query.where(self.c.claimed_until.is_not(None))
        return list(session.scalars(query.order_by(self.c.next_attempt_at).limit(limit)))
