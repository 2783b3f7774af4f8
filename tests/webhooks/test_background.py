"""A serving process delivers webhooks itself unless told not to."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.settings import get_settings
from fleetcharge.web.app import create_app
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.background import start_dispatcher
from fleetcharge.webhooks.outbox import emit
from tests import factories as f
from tests.webhooks.factories import subscription
from tests.webhooks.receiver import receiver


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_server_runs_a_dispatcher(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_DISPATCHER_ENABLED", "true")
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_POLL_SECONDS", "0.02")
    get_settings.cache_clear()
    try:
        with receiver() as hooks:
            with unit_of_work(engine) as db:
                org = f.organisation(db)
                subscription(db, org, url=hooks.url)
                emit(db, organisation_id=org.id, event_type=types.STATION_OFFLINE, data={})
            with TestClient(create_app(engine)):
                hooks.wait_for(1)
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tests_start_no_dispatcher_by_default(engine: Engine) -> None:
    assert start_dispatcher(engine) is None
