"""A subscription managed over the admin API while a dispatcher delivers to a receiver on
loopback: a rotated secret signs beside the new one for the overlap only; a delivery failed
while the receiver was down for days, its subscription disabled, is sent again after
`enable` and `redeliver`, with every attempt kept."""

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.client import WebhookVerificationError, verify_webhook
from fleetcharge.db import unit_of_work
from fleetcharge.models.base import utcnow
from fleetcharge.settings import Settings
from fleetcharge.webhooks.dispatcher import Dispatcher
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, ok
from tests.api.helpers import make_client
from tests.webhooks.receiver import Receiver, receiver

SUBSCRIPTIONS = f"{ADMIN}/webhook-subscriptions"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as test_client:
        yield test_client


def _emit(engine: Engine, organisation_id: int, n: int) -> str:
    with unit_of_work(engine) as db:
        event = emit(db, organisation_id=organisation_id, event_type="invoice.paid", data={"n": n})
        assert event is not None
        return str(event.uuid)


def _verified(request: Any, secret: str) -> bool:
    """Signed with `secret` (which secrets sign follows the dispatcher's clock; the
    signature's timestamp is the real time, as receivers check it)."""
    try:
        verify_webhook(request.body, request.headers["Fleetcharge-Signature"], secret)
    except WebhookVerificationError:
        return False
    return True


def test_rotation_overlap_and_redelivery_through_a_real_dispatcher(
    engine: Engine, client: TestClient, hooks: Receiver
) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db, "Cybertron")
        organisation_id, organisation_uuid = organisation.id, str(organisation.uuid)
    admin: Caller = account(engine, "admin")
    body = {"organisation_uuid": organisation_uuid, "url": hooks.url, "event_types": ["*"]}
    created = ok(client.post(SUBSCRIPTIONS, json=body, headers=admin.headers), 201)
    one = f"{SUBSCRIPTIONS}/{created['uuid']}"
    rotate = {"overlap": "1h"}
    new = ok(client.post(f"{one}/rotate-secret", json=rotate, headers=admin.headers))["secret"]
    old = created["secret"]

    clock = Clock()
    dispatcher = Dispatcher(engine, settings=Settings(), clock=clock, rng=random.Random(1))
    try:
        _emit(engine, organisation_id, 1)
        clock.now = utcnow()  # the event is due
        assert dispatcher.run_once() == 1
        (during,) = hooks.received
        assert _verified(during, new) and _verified(during, old)

        clock.now += timedelta(hours=1, seconds=1)
        _emit(engine, organisation_id, 2)
        assert dispatcher.run_once() == 1
        after = hooks.received[1]
        assert _verified(after, new) and not _verified(after, old)

        # The receiver is down for four days: the delivery fails, the subscription is disabled.
        hooks.default_status = 503
        lost = _emit(engine, organisation_id, 3)
        assert dispatcher.run_once() == 1
        clock.now += timedelta(days=4)
        assert dispatcher.run_once() == 1
        shown = ok(client.get(one, headers=admin.headers))
        assert shown["enabled"] is False and shown["disabled_reason"]
        (failed,) = ok(client.get(f"{one}/deliveries?status=failed", headers=admin.headers))["data"]
        assert failed["event"]["uuid"] == lost
        delivery = f"{SUBSCRIPTIONS}/deliveries/{failed['uuid']}"
        before = ok(client.get(delivery, headers=admin.headers))["attempt_log"]
        assert [a["status_code"] for a in before] == [503, 503]

        hooks.default_status = 200
        ok(client.post(f"{one}/enable", headers=admin.headers))
        again = ok(client.post(f"{delivery}/redeliver", headers=admin.headers))
        assert again["status"] == "pending" and again["attempt_log"] == before
        assert dispatcher.run_once() == 1
    finally:
        dispatcher.close()
    sent = ok(client.get(delivery, headers=admin.headers))
    assert sent["status"] == "delivered" and sent["delivered_at"] is not None
    assert [a["status_code"] for a in sent["attempt_log"]] == [503, 503, 200]
    last = verify_webhook(
        hooks.received[-1].body,
        hooks.received[-1].headers["Fleetcharge-Signature"],
        new,
    )
    assert last["id"] == lost  # the same event id: the receiver deduplicates by it
