"""Dispatchers side by side never send one event twice at once; one killed mid-batch loses
nothing (its claims lapse and another sends them: at least once, same event ids)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import WebhookDelivery
from fleetcharge.settings import Settings
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.dispatcher import Dispatcher
from fleetcharge.webhooks.outbox import Event, emit_many
from tests import factories as f
from tests.webhooks.factories import subscription
from tests.webhooks.receiver import Received, receiver


def _events(engine: Engine, url: str, subscriptions: int, per_subscription: int) -> set[str]:
    """Events numbered per organisation, each organisation with one subscription."""
    with unit_of_work(engine) as db:
        orgs = [f.organisation(db) for _ in range(subscriptions)]
        for org in orgs:
            subscription(db, org, url=f"{url}?org={org.id}")
        written = emit_many(
            db,
            [
                Event(org.id, types.SESSION_COMPLETED, {"org": org.id, "n": n})
                for n in range(per_subscription)
                for org in orgs
            ],
        )
        return {str(event.uuid) for event in written}


def _undelivered(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return len(
            db.scalars(
                select(WebhookDelivery.id).where(WebhookDelivery.status != "delivered")
            ).all()
        )


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_dispatchers_never_send_an_event_twice_at_once(engine: Engine) -> None:
    in_flight: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()

    def track(request: Received) -> None:
        event_id = json.loads(request.body)["id"]
        with lock:
            if event_id in in_flight:
                overlaps.append(event_id)
            in_flight.add(event_id)
        time.sleep(0.002)
        with lock:
            in_flight.discard(event_id)

    with receiver() as hooks:
        hooks.on_request = track
        expected = _events(engine, hooks.url, subscriptions=4, per_subscription=15)
        settings = Settings(webhooks_batch_size=2, webhooks_batch_per_subscription=4)
        dispatchers = [Dispatcher(engine, settings=settings, name=f"d{i}") for i in range(2)]
        counts = [0, 0]

        def work(index: int) -> None:
            deadline = time.monotonic() + 30
            while _undelivered(engine) and time.monotonic() < deadline:
                counts[index] += dispatchers[index].run_once()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for dispatcher in dispatchers:
            dispatcher.close()
    received = [json.loads(r.body) for r in hooks.received]
    assert overlaps == []
    assert sorted(e["id"] for e in received) == sorted(expected)  # each exactly once
    assert sum(counts) == len(expected)
    order: dict[int, list[int]] = defaultdict(list)
    for event in received:
        order[event["data"]["org"]].append(event["data"]["n"])
    assert all(numbers == sorted(numbers) for numbers in order.values())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_worker_killed_mid_batch_loses_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    command = [str(Path(sys.executable).parent / "fleetcharge"), "webhooks", "worker"]
    env = {
        **os.environ,
        "FLEETCHARGE_DATABASE_URL": database_url,
        "FLEETCHARGE_WEBHOOKS_CLAIM_SECONDS": "1",
        "FLEETCHARGE_WEBHOOKS_POLL_SECONDS": "0.05",
        "FLEETCHARGE_LOG_FORMAT": "text",
    }
    with receiver() as hooks:
        hooks.on_request = lambda _request: time.sleep(0.01)
        expected = _events(engine, hooks.url, subscriptions=2, per_subscription=25)
        first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            hooks.wait_for(10, timeout=30)
        finally:
            first.kill()  # SIGKILL: no clean-up at all
            first.wait(10)
        assert len(hooks.received) < len(expected)  # killed mid-way
        log = tmp_path / "worker.log"
        with log.open("w") as stderr:
            second = subprocess.Popen(command, env=env, stderr=stderr)
            try:
                deadline = time.monotonic() + 30
                while _undelivered(engine) and time.monotonic() < deadline:
                    time.sleep(0.05)
            finally:
                second.send_signal(signal.SIGTERM)
                assert second.wait(15) == 0
    received = [json.loads(r.body)["id"] for r in hooks.received]
    assert set(received) == expected  # none missing, none invented
    assert _undelivered(engine) == 0
    assert "stopped" in log.read_text()
