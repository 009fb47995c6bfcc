"""The webhook engine: fan an outbox event out into one delivery per listening subscription,
then send due deliveries in batches — sign, POST, log the attempt, and either finish the
delivery or schedule its next try; an endpoint that has failed every attempt for a day is
disabled and an outbox event (``webhook.endpoint_disabled``) tells its business admin.

Two clocks: ``now`` (an argument everywhere, defaulting to ``clock()``) decides what is due
and when to retry — tests pass it to "advance time" — while ``wall_clock`` stamps the
signature, which receivers check against their own clock.

Not here: Huey (``runtime``), HTTP details (``sender``), routes (``api``).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from connectors.crm_webhooks import store
from connectors.crm_webhooks.events import EVENT_TYPES, PING, encode, event_data, wants
from connectors.crm_webhooks.guard import UrlPolicy
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.retries import RETRIES, should_disable
from connectors.crm_webhooks.sender import AttemptResult, Sender
from connectors.crm_webhooks.signing import SigningKeys, new_message_id, sign_headers
from hub.config import Settings
from hub.domain.model import Business, OutboxEvent
from hub.persistence.uow import SqlDatabase

Clock = Callable[[], datetime]
Enqueue = Callable[[Sequence[str]], None]

DISABLED_EVENT = "webhook.endpoint_disabled"
REPLAY_EVENT = "webhook.replay"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    lease: timedelta = timedelta(seconds=60)
    # Deliveries claimed, signed and recorded together: one claim and one recording
    # transaction per batch; sends not started by half the lease are given back.
    batch_size: int = 100


@dataclass(slots=True)
class SendReport:
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    disabled: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Endpoint:
    id: str
    business_id: str
    url: str
    active: bool
    keys: SigningKeys


def _endpoint(row: SubscriptionRow) -> _Endpoint:
    keys = SigningKeys(row.secret, row.previous_secret, row.previous_secret_expires_at)
    return _Endpoint(row.id, row.business_id, row.url, row.active, keys)


class Webhooks:
    """Fan-out and sending for one process (shared by its worker threads)."""

    def __init__(
        self,
        database: SqlDatabase,
        settings: Settings,
        *,
        clock: Clock = wall_clock,
        config: WebhookConfig | None = None,
        sender: Sender | None = None,
        rng: random.Random | None = None,
        signing_clock: Clock = wall_clock,
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock
        self.config = config or WebhookConfig()
        self.sender = sender or Sender(UrlPolicy.from_settings(settings))
        self.signing_clock = signing_clock
        self.enqueue: Enqueue | None = None
        self.enqueue_pump: Callable[[], None] | None = None
        self._pump_asked_at: float | None = None
        self._rng = rng or random.Random()

    # -- events → deliveries ---------------------------------------------------------------

    def fan_out(self, events: Sequence[OutboxEvent], now: datetime | None = None) -> list[str]:
        """Make sure each event has a delivery per active subscription that wants it (run
        twice, it creates nothing new) and ask for them to be sent; returns their ids."""
        now = now or self.clock()
        rows: list[dict[str, Any]] = []
        businesses: dict[str, Business | None] = {}
        with self.database.unit_of_work() as uow:
            for event in events:
                if event.type not in EVENT_TYPES:
                    continue
                subs = [
                    s
                    for s in store.listening(uow.session, event.business_id)
                    if wants(s.event_types, event.type)
                ]
                if not subs:
                    continue
                data = event_data(uow, event, self.settings.base_url, businesses)
                body = encode(event.type, event.created_at, data)
                rows += [
                    store.new_delivery(
                        s, store.delivery_id(s.id, event.id), (event.id, event.type), body, now
                    )
                    for s in subs
                ]
            store.create_deliveries(uow.session, rows)
            uow.commit()
        ids = [str(r["id"]) for r in rows]
        if ids:
            self.ask_pump()
        return ids

    def ask_pump(self) -> None:
        """Ask for a ``pump`` unless one was asked for and has not started yet (fan-outs of
        many events then share one batch instead of a task each). A request older than a
        second is asked again: the pump may have run in another process."""
        if self.enqueue_pump is None:
            self.drain()
            return
        asked = self._pump_asked_at
        if asked is None or time.monotonic() - asked > 1.0:
            self._pump_asked_at = time.monotonic()
            self.enqueue_pump()

    def pump(self) -> SendReport:
        """Send one batch of whatever is due; when the batch was full, ask for another pump
        first, so idle workers join in while this one sends."""
        self._pump_asked_at = None
        report = self.send(None, after_claim=self._more if self.enqueue_pump else None)
        return report

    def _more(self, claimed: int) -> None:
        if claimed >= self.config.batch_size and self.enqueue_pump is not None:
            self._pump_asked_at = time.monotonic()
            self.enqueue_pump()

    def ask_send(self, ids: Sequence[str]) -> None:
        """Send these deliveries soon: through the queue when installed, else right here."""
        if not ids:
            return
        size = self.config.batch_size
        for start in range(0, len(ids), size):
            batch = list(ids[start : start + size])
            if self.enqueue is not None:
                self.enqueue(batch)
            else:
                self.send(batch)

    # -- deliveries → HTTP -----------------------------------------------------------------

    def send(
        self,
        ids: Sequence[str] | None = None,
        *,
        now: datetime | None = None,
        after_claim: Callable[[int], None] | None = None,
    ) -> SendReport:
        """Claim one batch of due deliveries (among ``ids``, or the most overdue) and try
        them once each."""
        now = now or self.clock()
        report = SendReport()
        with self.database.sessions.begin() as session:
            claimed = store.claim(session, ids, now, self.config.lease, self.config.batch_size)
        report.claimed = len(claimed)
        if after_claim is not None:
            after_claim(len(claimed))
        if not claimed:
            return report
        with self.database.sessions() as session:
            wanted = {c.subscription_id for c in claimed}
            rows = session.scalars(select(SubscriptionRow).where(SubscriptionRow.id.in_(wanted)))
            endpoints = {r.id: _endpoint(r) for r in rows}
        # Stop starting sends well inside the lease, so no other worker takes these over
        # meanwhile; what was not started is given back.
        deadline = time.monotonic() + self.config.lease.total_seconds() / 2
        results = self._try_many(claimed, endpoints, lambda: time.monotonic() < deadline)
        tried = [(c, r) for c, r in zip(claimed, results, strict=True) if r is not None]
        untried = [c for c, r in zip(claimed, results, strict=True) if r is None]
        if untried:
            with self.database.sessions.begin() as session:
                store.release(session, untried)
            report.released = len(untried)
        self._record(tried, endpoints, now, report)
        return report

    def _try_many(
        self,
        items: Sequence[store.Claimed],
        endpoints: dict[str, _Endpoint],
        go_on: Callable[[], bool],
    ) -> list[AttemptResult | None]:
        results: dict[int, AttemptResult | None] = {}
        requests: list[tuple[str, dict[str, str], bytes]] = []
        sent: list[int] = []
        stamp = self.signing_clock()
        for index, item in enumerate(items):
            endpoint = endpoints.get(item.subscription_id)
            if endpoint is None:
                results[index] = AttemptResult(None, 0, "", "the webhook was deleted")
            elif not endpoint.active and item.event_type != PING:
                results[index] = AttemptResult(None, 0, "", "the webhook is disabled")
            else:
                headers = sign_headers(endpoint.keys, item.id, item.body, sent_at=stamp)
                requests.append((endpoint.url, headers, item.body.encode()))
                sent.append(index)
        results.update(zip(sent, self.sender.send_many(requests, go_on=go_on), strict=True))
        return [results[i] for i in range(len(items))]

    def drain(self, *, now: datetime | None = None, rounds: int = 10_000) -> SendReport:
        """Send every due delivery, batch after batch (tests, the periodic retry)."""
        total = SendReport()
        for _ in range(rounds):
            report = self.send(None, now=now)
            if report.claimed == 0:
                break
            total.claimed += report.claimed
            total.delivered += report.delivered
            total.retrying += report.retrying
            total.failed += report.failed
            total.disabled += report.disabled
        # An endpoint can pass its 24 hours of failure between two retries: switch it off
        # now rather than at its next attempt, which the backoff may put hours later.
        with self.database.unit_of_work() as uow:
            total.disabled += self._disable_failing(uow, None, now or self.clock())
            uow.commit()
        return total

    def _record(
        self,
        tried: Sequence[tuple[store.Claimed, AttemptResult]],
        endpoints: dict[str, _Endpoint],
        now: datetime,
        report: SendReport,
    ) -> None:
        ok: set[str] = set()
        failing: set[str] = set()
        attempts: list[dict[str, Any]] = []
        with self.database.unit_of_work() as uow:
            session = uow.session
            delivered = [(i, r) for i, r in tried if r.delivered]
            codes = {i.id: r.status_code or 200 for i, r in delivered}
            ours = store.settle_delivered(session, [i for i, _ in delivered], now, codes)
            report.delivered += len(ours)
            for item, result in tried:
                endpoint = endpoints.get(item.subscription_id)
                if result.delivered:
                    if item.id not in ours:
                        continue  # another worker took it over; its outcome stands
                elif not self._settle_failed(
                    session, item, result, endpoint, now=now, report=report
                ):
                    continue
                if endpoint is not None:
                    attempts.append(_attempt_row(item, endpoint, result, now))
                    if item.event_type != PING and endpoint.active:
                        (ok if result.delivered else failing).add(endpoint.id)
            store.add_attempts(session, attempts)
            report.disabled = self._health(uow, ok, failing - ok, now)
            uow.commit()

    def _settle_failed(
        self,
        session: Any,
        item: store.Claimed,
        result: AttemptResult,
        endpoint: _Endpoint | None,
        *,
        now: datetime,
        report: SendReport,
    ) -> bool:
        if item.event_type == PING or endpoint is None or not endpoint.active:
            status, next_at = store.FAILED, None
        else:
            next_at = RETRIES.next_attempt(item.attempts, now=now, rng=self._rng)
            status = store.PENDING if next_at is not None else store.FAILED
        if not store.settle(
            session,
            item,
            status=status,
            next_at=next_at,
            now=now,
            status_code=result.status_code,
            error=result.error,
        ):
            return False
        report.retrying += status == store.PENDING
        report.failed += status == store.FAILED
        return True

    def _health(self, uow: Any, ok: set[str], failing: set[str], now: datetime) -> list[str]:
        session = uow.session
        if ok:
            session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id.in_(ok), SubscriptionRow.failing_since.is_not(None))
                .values(failing_since=None)
                .execution_options(synchronize_session=False)
            )
        if not failing:
            return []
        session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.id.in_(failing), SubscriptionRow.failing_since.is_(None))
            .values(failing_since=now)
            .execution_options(synchronize_session=False)
        )
        return self._disable_failing(uow, failing, now)

    def _disable_failing(self, uow: Any, ids: set[str] | None, now: datetime) -> list[str]:
        """Switch off the active endpoints (of ``ids``, or all) failing for a day."""
        query = select(SubscriptionRow).where(
            SubscriptionRow.active.is_(True), SubscriptionRow.failing_since.is_not(None)
        )
        if ids is not None:
            query = query.where(SubscriptionRow.id.in_(ids))
        disabled = []
        for sub in uow.session.scalars(query):
            if not should_disable(sub.failing_since, now):
                continue
            reason = "every delivery failed for 24 hours"
            sub.active = False
            sub.disabled_at = now
            sub.disabled_reason = reason
            sub.updated_at = now
            store.fail_pending(uow.session, sub.id, now, f"not retried: {reason}")
            uow.outbox.add(
                OutboxEvent(
                    business_id=sub.business_id,
                    type=DISABLED_EVENT,
                    aggregate_id=sub.id,
                    payload={"webhook_id": sub.id, "url": sub.url, "reason": reason},
                    created_at=now,
                )
            )
            disabled.append(sub.id)
        return disabled

    # -- pings -----------------------------------------------------------------------------

    def ping(self, business_id: str, sub_id: str, now: datetime | None = None) -> str:
        """Send a ``ping`` to a subscription at once (one attempt); returns its delivery id."""
        now = now or self.clock()
        message_id = new_message_id()
        with self.database.sessions.begin() as session:
            sub = store.get_subscription(session, business_id, sub_id)
            body = encode(PING, now, {"webhook_id": sub.id, "business_id": business_id})
            row = store.new_delivery(sub, message_id, (message_id, PING), body, now)
            store.create_deliveries(session, [row])
        self.send([message_id], now=now)
        return message_id

    def close(self) -> None:
        self.sender.close()


def _attempt_row(
    item: store.Claimed, endpoint: _Endpoint, result: AttemptResult, now: datetime
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "delivery_id": item.id,
        "subscription_id": endpoint.id,
        "business_id": endpoint.business_id,
        "event_type": item.event_type,
        "attempt": item.attempts,
        "at": now,
        "status_code": result.status_code,
        "latency_ms": result.latency_ms,
        "response_head": result.response_head,
        "error": result.error,
    }
