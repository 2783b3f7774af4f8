import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fleetcharge.client import AsyncFleetsClient, FleetsClient, Wait
from fleetcharge.settings import get_settings
from tests.client.fakes import BASE, FakeApi, FakeClock

TOKEN = "fct_S3cretTokenValue_never_shown_0123456789abcdef"


@pytest.fixture(autouse=True)
def _links_use_the_request_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Our server builds `next` links from the request whatever a developer's .env says."""
    monkeypatch.setenv("FLEETCHARGE_PUBLIC_BASE_URL", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


Fetch = Callable[..., list[Any]]


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest, clock: FakeClock) -> Fetch:
    """Every record of one listing from a FakeApi, with the sync or the async client.

    `fetch(api, "usage", waits=list, **listing_kwargs)`; client errors propagate.
    """

    def options(api: FakeApi, waits: list[Wait] | None) -> dict[str, Any]:
        on_wait = waits.append if waits is not None else None
        return {
            "transport": api.transport(),
            "clock": clock,
            "jitter": lambda: 0.5,
            "on_wait": on_wait,
        }

    def sync(
        api: FakeApi, resource: str, waits: list[Wait] | None = None, **kwargs: Any
    ) -> list[Any]:
        with FleetsClient(BASE, TOKEN, sleep=clock.sleep, **options(api, waits)) as client:
            return list(getattr(client, resource)(**kwargs))

    async def in_loop(
        api: FakeApi, resource: str, waits: list[Wait] | None, **kwargs: Any
    ) -> list[Any]:
        opened = AsyncFleetsClient(BASE, TOKEN, sleep=clock.async_sleep, **options(api, waits))
        async with opened as client:
            return await getattr(client, resource)(**kwargs).collect()

    def run_async(
        api: FakeApi, resource: str, waits: list[Wait] | None = None, **kwargs: Any
    ) -> list[Any]:
        return asyncio.run(in_loop(api, resource, waits, **kwargs))

    return sync if request.param == "sync" else run_async
