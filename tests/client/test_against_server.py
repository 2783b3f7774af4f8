"""The SDK against our own server with a seeded database (SQLite and PostgreSQL):
in-process (sync through the TestClient, async through the ASGI transport) and over
real loopback HTTP. What the SDK lists is what a direct walk of the API lists."""

import asyncio
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import Engine

from fleetcharge.client import AsyncFleetsClient, AuthenticationError, FleetsClient
from fleetcharge.web.app import create_app
from tests.api.helpers import make_client, set_page_size, walk_all
from tests.client.server import build_world, loopback

BASE = "http://testserver"


@pytest.fixture
def pages_of_five(monkeypatch: pytest.MonkeyPatch) -> None:
    set_page_size(monkeypatch, 5)


def test_sync_client_lists_what_the_api_lists(engine: Engine, pages_of_five: None) -> None:
    world = build_world(engine)
    with make_client(engine) as test_client:
        _, expected_usage = walk_all(test_client, "usage", world.fleet_token, page_size=5)
        _, expected_hosted = walk_all(test_client, "sessions", world.fleet_token, page_size=5)
        with FleetsClient(BASE, world.fleet_token, http_client=test_client) as client:
            usage = client.usage()
            assert usage.first_page().total_entries == len(expected_usage) == 9
            sessions = list(usage)
            hosted = list(client.sessions(date_from="2024-06-01", date_to="2024-12-31"))
            vehicles = list(client.vehicles())
            invoices = list(client.invoices())
    assert [s.uuid for s in sessions] == [s["uuid"] for s in expected_usage]
    assert [s.uuid for s in hosted] == [s["uuid"] for s in expected_hosted]
    for model, raw in zip(sessions, expected_usage, strict=True):
        assert model.cost_to_driver == Decimal(str(raw["cost_to_driver"]))
        assert model.total_time == raw["total_time"] and model.total_time % 60 == 0
        assert model.periods_amount == model.cost_to_driver
    assert {s.location.sub_operator.name for s in hosted if s.location.sub_operator} == {
        "Cybertron"
    }
    assert sorted(world.vins[v.vin] for v in vehicles) == ["bee", "cardless", "prime", "retired"]
    (invoice,) = invoices
    assert invoice.invoice_number == world.invoice_number
    billed = [s.uuid for s in sessions if s.invoice_number == str(world.invoice_number)]
    assert billed == world.invoiced == [s.uuid for s in invoice.charge_sessions]


def test_async_client_over_the_asgi_app(engine: Engine, pages_of_five: None) -> None:
    world = build_world(engine)

    async def run() -> tuple[int | None, list[str], list[str]]:
        transport = httpx.ASGITransport(app=create_app(engine))
        async with AsyncFleetsClient(BASE, world.host_token, transport=transport) as client:
            hosted = client.sessions()
            await hosted.first_page()
            uuids = [s.uuid async for s in hosted]
            usage = [s.uuid async for s in client.usage()]
            return hosted.total_entries, uuids, usage

    total, hosted, usage = asyncio.run(run())
    with make_client(engine) as test_client:
        _, expected = walk_all(test_client, "sessions", world.host_token, page_size=5)
    assert total == 6 and hosted == [s["uuid"] for s in expected]
    assert usage == []  # Metroplex has no fleets


def test_over_loopback_http(engine: Engine, pages_of_five: None) -> None:
    world = build_world(engine)
    with loopback(create_app(engine)) as url, FleetsClient(url, world.fleet_token) as client:
        usage = client.usage(date_from="2024-06-01", date_to="2024-06-30")
        first = usage.first_page()
        assert first.next_url is not None and first.next_url.startswith(f"{url}/api/")
        assert len(list(usage)) == usage.total_entries == 9
        with pytest.raises(AuthenticationError) as raised:
            list(FleetsClient(url, "fct_not_a_real_token").vehicles())
        assert raised.value.code == "unauthorized"


def test_our_rate_limit_headers_drive_the_clients_waits(
    engine: Engine, pages_of_five: None
) -> None:
    """One call an hour: after page 1 the client waits until our X-RateLimit-Reset; our 429
    then keeps it waiting until it gives up with a clear error."""
    from fleetcharge.client import RateLimitedError
    from fleetcharge.client.policy import Wait
    from fleetcharge.settings import Settings

    world = build_world(engine)
    waits: list[Wait] = []
    slept: list[float] = []
    with make_client(engine, Settings(rate_limit_usage="1/hour")) as test_client:
        client = FleetsClient(
            BASE,
            world.fleet_token,
            http_client=test_client,
            on_wait=waits.append,
            sleep=slept.append,
        )
        listing = client.usage()
        assert len(listing.first_page().records) == 5
        with pytest.raises(RateLimitedError):
            list(listing)
    first = waits[0]
    assert first.reason == "rate_limit" and 3590 <= first.seconds <= 3601
    assert len(slept) >= 2 and all(w.reason == "rate_limit" for w in waits)
