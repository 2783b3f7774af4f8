"""Delivery to a receiver on loopback: signed, in order, retried with backoff, recorded."""

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from fleetcharge.client import verify_webhook
from fleetcharge.db import unit_of_work
from fleetcharge.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from fleetcharge.models.base import utcnow
from fleetcharge.settings import Settings
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.dispatcher import Dispatcher
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.webhooks.factories import subscription
from tests.webhooks.receiver import Receiver, receiver


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def _dispatcher(engine: Engine, clock: Clock, **settings: Any) -> Dispatcher:
    return Dispatcher(
        engine, settings=Settings(**settings), clock=clock, rng=random.Random(7), name="test"
    )


def _setup(engine: Engine, url: str, events: int = 1) -> tuple[int, str, list[str]]:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        sub, secret = subscription(db, org, url=url)
        ids = []
        for n in range(events):
            event = emit(
                db, organisation_id=org.id, event_type=types.VEHICLE_CREATED, data={"n": n}
            )
            assert event is not None
            ids.append(str(event.uuid))
        return sub.id, secret, ids


def _deliveries(engine: Engine) -> list[WebhookDelivery]:
    with unit_of_work(engine) as db:
        return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_events_arrive_signed_in_order_and_every_attempt_is_recorded(
    engine: Engine, hooks: Receiver
) -> None:
    _, secret, ids = _setup(engine, hooks.url, events=3)
    dispatcher = _dispatcher(engine, Clock())
    try:
        assert dispatcher.run_once() == 3
        assert dispatcher.run_once() == 0
    finally:
        dispatcher.close()
    bodies = [
        verify_webhook(r.body, r.headers["Fleetcharge-Signature"], secret) for r in hooks.received
    ]
    assert [b["id"] for b in bodies] == ids
    assert [b["data"] for b in bodies] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert bodies[0]["type"] == "vehicle.created" and bodies[0]["api_version"] == "v1"
    assert bodies[0]["created_at"].endswith("Z")
    assert hooks.received[0].headers["Fleetcharge-Event-Id"] == ids[0]
    assert hooks.received[0].headers["Content-Type"] == "application/json"
    assert {d.status for d in _deliveries(engine)} == {"delivered"}
    with unit_of_work(engine) as db:
        attempts = db.scalars(select(WebhookAttempt)).all()
        assert [(a.status_code, a.response_excerpt) for a in attempts] == [(200, "ok")] * 3
        assert all(a.latency_ms >= 0 and a.error is None for a in attempts)


def test_a_500_is_retried_with_backoff_and_holds_back_later_events(
    engine: Engine, hooks: Receiver
) -> None:
    _setup(engine, hooks.url, events=2)
    hooks.statuses = [500]
    clock = Clock()
    dispatcher = _dispatcher(engine, clock)
    try:
        assert dispatcher.run_once() == 1  # the first failed: the second waits behind it
        first, second = _deliveries(engine)
        assert (first.status, first.attempts, first.last_error) == ("pending", 1, "HTTP 500")
        wait = (first.next_attempt_at - clock.now).total_seconds()
        assert 30 * 0.75 <= wait <= 30 * 1.25
        assert second.attempts == 0 and second.claimed_by is None
        assert dispatcher.run_once() == 0  # not due yet
        clock.advance(seconds=wait)
        assert dispatcher.run_once() == 2
    finally:
        dispatcher.close()
    assert [json.loads(r.body)["data"]["n"] for r in hooks.received] == [0, 0, 1]
    assert [(d.status, d.attempts) for d in _deliveries(engine)] == [
        ("delivered", 2),
        ("delivered", 1),
    ]


def test_a_receiver_down_for_a_day_gets_everything_after(engine: Engine, hooks: Receiver) -> None:
    sub_id, _, ids = _setup(engine, hooks.url, events=3)
    hooks.default_status = 503
    clock = Clock()
    start = clock.now
    dispatcher = _dispatcher(engine, clock)
    try:
        while clock.now < start + timedelta(days=1):
            dispatcher.run_once()
            clock.now = max(clock.now, _deliveries(engine)[0].next_attempt_at)
        failures = len(hooks.received)
        assert 10 <= failures <= 20  # 30 s doubling to 3 h: about 16 in a day, not thousands
        with unit_of_work(engine) as db:
            assert db.get(WebhookSubscription, sub_id).failing_since is not None  # type: ignore[union-attr]
        hooks.default_status = 200
        assert dispatcher.run_once() == 3
    finally:
        dispatcher.close()
    assert [json.loads(r.body)["id"] for r in hooks.received[failures:]] == ids
    with unit_of_work(engine) as db:
        sub = db.get(WebhookSubscription, sub_id)
        assert sub is not None and sub.enabled and sub.failing_since is None


def test_failing_for_days_fails_the_delivery_disables_and_tells_the_others(
    engine: Engine, hooks: Receiver
) -> None:
    with receiver() as healthy:
        with unit_of_work(engine) as db:
            org = f.organisation(db)
            failing, _ = subscription(db, org, url=hooks.url, event_types=[types.CARD_BLOCKED])
            other, _ = subscription(db, org, url=healthy.url, event_types=[types.INVOICE_PAID])
            emit(db, organisation_id=org.id, event_type=types.CARD_BLOCKED, data={})
        hooks.default_status = 500
        clock = Clock()
        dispatcher = _dispatcher(engine, clock, webhooks_disable_after_days=3)
        try:
            for _ in range(100):
                if not dispatcher.run_once():
                    due = [d.next_attempt_at for d in _deliveries(engine) if d.status == "pending"]
                    if not due:
                        break
                    clock.now = max(clock.now, min(due))
        finally:
            dispatcher.close()
        with unit_of_work(engine) as db:
            disabled = db.get(WebhookSubscription, failing.id)
            assert disabled is not None and not disabled.enabled
            assert disabled.disabled_reason == "every delivery failed for 3 days"
        first = _deliveries(engine)[0]
        assert first.status == "failed" and first.attempts > 20
        assert clock.now - first.first_attempt_at >= timedelta(days=3)  # type: ignore[operator]
        notice = json.loads(healthy.received[0].body)
        assert notice["type"] == types.SUBSCRIPTION_DISABLED
        assert notice["data"]["id"] == str(failing.uuid) and other.enabled


def test_secrets_rotating_sign_with_both(engine: Engine, hooks: Receiver) -> None:
    from fleetcharge.webhooks.service import rotate_secret

    with unit_of_work(engine) as db:
        org = f.organisation(db)
        sub, old = subscription(db, org, url=hooks.url)
        new = rotate_secret(db, sub, overlap=timedelta(hours=1))
        emit(db, organisation_id=org.id, event_type=types.CARD_BLOCKED, data={})
    dispatcher = _dispatcher(engine, Clock())
    try:
        dispatcher.run_once()
    finally:
        dispatcher.close()
    header = hooks.received[0].headers["Fleetcharge-Signature"]
    assert header.count("v1=") == 2
    for secret in (old, new):
        verify_webhook(hooks.received[0].body, header, secret)
