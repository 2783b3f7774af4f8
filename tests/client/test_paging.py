"""Following `pagination.next`: every record once, in order, whatever the link style and
page size; links pinned to the configured server; a looping server stopped."""

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetcharge.client import AsyncFleetsClient, FleetsClient, UnexpectedResponseError
from tests.client import records as r
from tests.client.conftest import TOKEN, Fetch
from tests.client.fakes import BASE, FakeApi


def sessions(n: int) -> list[dict]:
    return [r.usage(f"s{i:03d}") for i in range(n)]


@pytest.mark.parametrize("links", ["absolute", "relative-query", "relative-path", "foreign"])
def test_every_record_once_whatever_the_link_style(fetch: Fetch, links: str) -> None:
    api = FakeApi({"usage": sessions(8)}, page_size=3, links=links)
    got = fetch(api, "usage", date_from="2024-06-01", date_to="2024-06-30")
    assert [s.uuid for s in got] == [f"s{i:03d}" for i in range(8)]
    # Filters ride along; a link naming another host is pinned to the configured one.
    assert [str(req.url) for req in api.requests] == [
        f"{BASE}/api/fleets/v1/usage?date_from=2024-06-01&date_to=2024-06-30",
        f"{BASE}/api/fleets/v1/usage?date_from=2024-06-01&date_to=2024-06-30&page=2",
        f"{BASE}/api/fleets/v1/usage?date_from=2024-06-01&date_to=2024-06-30&page=3",
    ]


def test_total_entries_comes_with_the_first_page_and_is_not_fetched_twice() -> None:
    api = FakeApi({"vehicles": [r.vehicle(f"v{i}", f"VIN{i}") for i in range(4)]}, page_size=3)
    with FleetsClient(BASE, TOKEN, transport=api.transport()) as client:
        listing = client.vehicles()
        assert listing.total_entries is None
        assert listing.first_page().total_entries == 4 and listing.total_entries == 4
        assert len(list(listing)) == 4
    assert len(api.requests) == 2


def test_an_async_listing_reports_its_total_too() -> None:
    api = FakeApi({"invoices": [r.invoice(n) for n in range(1, 6)]}, page_size=2)

    async def run() -> tuple[int | None, list[int]]:
        async with AsyncFleetsClient(BASE, TOKEN, transport=api.transport()) as client:
            listing = client.invoices("2024-06-01", "2024-06-30")
            await listing.first_page()
            return listing.total_entries, [i.invoice_number async for i in listing]

    assert asyncio.run(run()) == (5, [1, 2, 3, 4, 5])


def test_a_resumed_listing_starts_at_the_saved_link(fetch: Fetch) -> None:
    api = FakeApi({"usage": sessions(8)}, page_size=3)
    got = fetch(api, "usage", resume_from=f"{BASE}/api/fleets/v1/usage?page=2")
    assert [s.uuid for s in got] == [f"s{i:03d}" for i in range(3, 8)]


def test_a_server_whose_next_link_loops_is_stopped(fetch: Fetch) -> None:
    api = FakeApi({"usage": sessions(8)}, page_size=3)
    api.link = lambda request, number: f"{BASE}/api/fleets/v1/usage?page=2"  # type: ignore[method-assign]
    with pytest.raises(UnexpectedResponseError, match="repeats a page"):
        fetch(api, "usage")


def test_a_body_that_is_not_a_page_is_a_clear_error(fetch: Fetch) -> None:
    api = FakeApi({"usage": [{"uuid": "x"}]})
    with pytest.raises(UnexpectedResponseError, match=r"record 0 of data\.sessions is not valid"):
        fetch(api, "usage")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(0, 40),
    page_size=st.integers(1, 12),
    links=st.sampled_from(["absolute", "relative-query", "relative-path", "foreign"]),
)
def test_paging_yields_every_record_exactly_once(
    fetch: Fetch, count: int, page_size: int, links: str
) -> None:
    api = FakeApi({"usage": sessions(count)}, page_size=page_size, links=links)
    got = [s.uuid for s in fetch(api, "usage")]
    assert got == [f"s{i:03d}" for i in range(count)]
    assert len(api.requests) == max(1, -(-count // page_size))
