"""Sending: claim a batch of due deliveries under a lease, sign and POST them, log each
attempt, and either finish a delivery or schedule its next try (``retries``); what was not
started within half the lease is given back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from connectors.crm_webhooks import store
from connectors.crm_webhooks.engine.base import Endpoint, SendReport, endpoint_of
from connectors.crm_webhooks.engine.health import WebhooksHealth
from connectors.crm_webhooks.messages import PING
from connectors.crm_webhooks.models import SubscriptionRow
from connectors.crm_webhooks.retries import RETRIES
from connectors.crm_webhooks.sender import AttemptResult
from connectors.crm_webhooks.signing import sign_headers


class WebhooksSend(WebhooksHealth):
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
            endpoints = {r.id: endpoint_of(r) for r in rows}
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
        endpoints: dict[str, Endpoint],
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
        endpoints: dict[str, Endpoint],
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
        endpoint: Endpoint | None,
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


def _attempt_row(
    item: store.Claimed, endpoint: Endpoint, result: AttemptResult, now: datetime
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
