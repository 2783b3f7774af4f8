"""Sending the events: claim due deliveries, POST them signed, record every attempt, and
mark each delivered, failed, or due again later (docs/webhooks.md).

A subscription's claimed queue is sent in order, one request at a time; the first failure
ends it (the rest wait behind it), so a receiver sees its events in order and one that is
down gets one retry at a time, not a flood. Queues of different subscriptions are sent
side by side (webhooks_concurrency)."""

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.orm import Session

from fleetcharge.db import DATABASE_UNAVAILABLE, unit_of_work
from fleetcharge.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.models.types import UTCDateTime
from fleetcharge.settings import Settings, get_settings
from fleetcharge.webhooks import payloads
from fleetcharge.webhooks.claims import ClaimedDelivery, ClaimedQueue, claim
from fleetcharge.webhooks.retries import RetryPolicy, next_attempt
from fleetcharge.webhooks.sealing import unseal
from fleetcharge.webhooks.sending import Outcome, Sender
from fleetcharge.webhooks.service import disable_subscription
from fleetcharge.webhooks.signing import HEADER, sign
from fleetcharge.webhooks.targets import TargetRefused, resolve_target

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_DELIVERIES = WebhookDelivery.__table__


@dataclass
class _Sent:
    queue: ClaimedQueue
    attempts: list[tuple[ClaimedDelivery, datetime, Outcome]] = field(default_factory=list)

    @property
    def unsent(self) -> list[int]:
        return [d.id for d in self.queue.deliveries[len(self.attempts) :]]


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        *,
        settings: Settings | None = None,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or get_settings()
        self.clock = clock
        self.rng = rng or random.Random()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.policy = RetryPolicy.from_settings(self.settings)
        self._sender = Sender(self.settings, transport)
        self._pool = ThreadPoolExecutor(
            self.settings.webhooks_concurrency, thread_name_prefix="webhooks"
        )

    def run_once(self) -> int:
        """Claim one batch, send it, record it; the number of requests made."""
        queues = claim(
            self.engine,
            owner=self.name,
            now=self.clock(),
            lease=timedelta(seconds=self.settings.webhooks_claim_seconds),
            batch_size=self.settings.webhooks_batch_size,
            per_subscription=self.settings.webhooks_batch_per_subscription,
        )
        if not queues:
            return 0
        sent = list(self._pool.map(self._send_queue, queues))
        self._record(sent)
        return sum(len(s.attempts) for s in sent)

    def run(self, stop: threading.Event) -> None:
        """Dispatch until `stop` is set (the batch under way is finished first)."""
        logger.info("webhooks dispatcher %s started", self.name)
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except DATABASE_UNAVAILABLE as error:
                logger.warning("webhooks dispatcher: database unavailable (%s)", error)
                stop.wait(min(5.0, self.settings.webhooks_poll_seconds * 10))
            except Exception:
                logger.exception("webhooks dispatcher: batch failed; its claims lapse")
                stop.wait(min(5.0, self.settings.webhooks_poll_seconds * 10))
            stop.wait(self.settings.webhooks_poll_seconds)
        logger.info("webhooks dispatcher %s stopped", self.name)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._sender.close()

    def _send_queue(self, queue: ClaimedQueue) -> _Sent:
        sent = _Sent(queue)
        started_at = self.clock()
        try:
            target = resolve_target(queue.url, settings=self.settings)
        except TargetRefused as error:
            refused = Outcome(0, error=f"target refused: {error.message}"[:500])
            sent.attempts.append((queue.deliveries[0], started_at, refused))
            return sent
        secrets = self._secrets(queue, started_at)
        for delivery in queue.deliveries:
            body = payloads.body(
                payloads.envelope(
                    event_id=delivery.event_uuid,
                    event_type=delivery.event_type,
                    created_at=delivery.event_created_at,
                    api_version=delivery.api_version,
                    data=delivery.data,
                )
            )
            headers = {
                HEADER: sign(body, secrets, int(time.time())),
                "Fleetcharge-Event-Id": delivery.event_uuid,
                "Fleetcharge-Event-Type": delivery.event_type,
            }
            outcome = self._sender.post(target, body, headers)
            sent.attempts.append((delivery, started_at, outcome))
            if not outcome.delivered:
                break
            started_at = self.clock()
        return sent

    def _secrets(self, queue: ClaimedQueue, now: datetime) -> list[str]:
        key = self.settings.webhooks_secret_key
        secrets = [unseal(queue.secret_sealed, key)]
        expires = queue.previous_secret_expires_at
        if queue.previous_secret_sealed and expires and expires > now:
            secrets.append(unseal(queue.previous_secret_sealed, key))
        return secrets

    def _record(self, sent: list[_Sent]) -> None:
        now = self.clock()
        attempts: list[dict[str, Any]] = []
        outcomes: list[dict[str, Any]] = []
        unsent: list[int] = []
        for queue_sent in sent:
            unsent += queue_sent.unsent
            for delivery, started_at, outcome in queue_sent.attempts:
                attempts.append(
                    {
                        "delivery_id": delivery.id,
                        "started_at": started_at,
                        "status_code": outcome.status_code,
                        "latency_ms": outcome.latency_ms,
                        "response_excerpt": outcome.excerpt,
                        "error": outcome.error,
                    }
                )
                outcomes.append(self._outcome_row(delivery, started_at, outcome, now))
        with unit_of_work(self.engine) as db:
            if attempts:
                db.execute(WebhookAttempt.__table__.insert(), attempts)
                db.execute(_record_outcome(), outcomes)
            if unsent:
                db.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(unsent), WebhookDelivery.claimed_by == self.name)
                    .values(claimed_by=None, claimed_until=None)
                    .execution_options(synchronize_session=False)
                )
            self._track_failing(db, sent, now)

    def _outcome_row(
        self, delivery: ClaimedDelivery, started_at: datetime, outcome: Outcome, now: datetime
    ) -> dict[str, Any]:
        first = delivery.first_attempt_at or started_at
        row: dict[str, Any] = {
            "b_id": delivery.id,
            "b_owner": self.name,
            "b_first": first,
            "b_status_code": outcome.status_code,
            "b_error": _error(outcome),
            "b_delivered_at": None,
            "b_next": None,
        }
        if outcome.delivered:
            return {**row, "b_status": "delivered", "b_delivered_at": now}
        retry_at = next_attempt(
            self.policy,
            first_attempt_at=first,
            failures=delivery.attempts + 1,
            now=now,
            rng=self.rng,
        )
        if retry_at is None:
            return {**row, "b_status": "failed"}
        return {**row, "b_status": "pending", "b_next": retry_at}

    def _track_failing(self, db: Session, sent: list[_Sent], now: datetime) -> None:
        """A subscription's failing_since: cleared by a success, set by a failure; one failing
        for webhooks_disable_after_days is disabled and its organisation told."""
        recovered = [
            s.queue.subscription_id for s in sent if any(o.delivered for _, _, o in s.attempts)
        ]
        if recovered:
            db.execute(
                update(WebhookSubscription)
                .where(
                    WebhookSubscription.id.in_(recovered),
                    WebhookSubscription.failing_since.is_not(None),
                )
                .values(failing_since=None)
                .execution_options(synchronize_session=False)
            )
        failed = {
            s.queue.subscription_id: s.attempts[-1][1]
            for s in sent
            if s.attempts and not s.attempts[-1][2].delivered
        }
        if not failed:
            return
        limit = timedelta(days=self.settings.webhooks_disable_after_days)
        for subscription in db.scalars(
            select(WebhookSubscription).where(WebhookSubscription.id.in_(list(failed)))
        ):
            if subscription.failing_since is None:
                subscription.failing_since = failed[subscription.id]
            if subscription.enabled and now - subscription.failing_since >= limit:
                days = self.settings.webhooks_disable_after_days
                logger.warning(
                    "webhook subscription %s disabled: failing for %g days", subscription.uuid, days
                )
                disable_subscription(
                    db,
                    subscription,
                    reason=f"every delivery failed for {days:g} days",
                    now=now,
                    notify=True,
                )
        db.flush()


def _error(outcome: Outcome) -> str | None:
    if outcome.delivered:
        return None
    if outcome.error:
        return outcome.error
    return f"HTTP {outcome.status_code}"


def _record_outcome() -> Any:
    """One executemany UPDATE of deliveries by id, only while still claimed by us (a claim
    that lapsed and was taken over is the new holder's to record)."""
    return (
        update(_DELIVERIES)
        .where(
            _DELIVERIES.c.id == bindparam("b_id"),
            _DELIVERIES.c.claimed_by == bindparam("b_owner"),
        )
        .values(
            status=bindparam("b_status"),
            attempts=_DELIVERIES.c.attempts + 1,
            first_attempt_at=func.coalesce(
                _DELIVERIES.c.first_attempt_at, bindparam("b_first", type_=UTCDateTime())
            ),
            next_attempt_at=func.coalesce(
                bindparam("b_next", type_=UTCDateTime()), _DELIVERIES.c.next_attempt_at
            ),
            delivered_at=bindparam("b_delivered_at", type_=UTCDateTime()),
            last_status_code=bindparam("b_status_code"),
            last_error=bindparam("b_error"),
            claimed_by=None,
            claimed_until=None,
        )
    )
