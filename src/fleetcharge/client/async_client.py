"""`AsyncFleetsClient`: the asyncio client (httpx.AsyncClient), same policy and models."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType

import httpx

from fleetcharge.client.core import ClientCore, WaitCallback
from fleetcharge.client.models import Invoice, SiteHostSession, UsageSession, Vehicle
from fleetcharge.client.paging import (
    DEFAULT_BASE_URL,
    INVOICES,
    SESSIONS,
    USAGE,
    VEHICLES,
    DateArg,
    Endpoint,
    ListingBase,
    Page,
    RecordT,
)
from fleetcharge.client.policy import RetryPolicy, Wait


class AsyncListing(ListingBase[RecordT]):
    """The records of one list query; `async for` fetches page by page. See `ListingBase`
    for `total_entries`."""

    def __init__(
        self, client: "AsyncFleetsClient", endpoint: Endpoint[RecordT], start_url: str
    ) -> None:
        super().__init__(endpoint, start_url)
        self._client = client

    async def first_page(self) -> Page[RecordT]:
        if self._first is not None:
            return self._first
        return self._remember(await self._client.fetch_page(self.endpoint, self.start_url))

    async def pages(self) -> AsyncIterator[Page[RecordT]]:
        trail = self._trail()
        page = await self.first_page()
        yield page
        while page.next_url is not None:
            page = await self._client.fetch_page(self.endpoint, trail.follow(page.next_url))
            yield page

    async def __aiter__(self) -> AsyncIterator[RecordT]:
        async for page in self.pages():
            for record in page.records:
                yield record

    async def collect(self) -> list[RecordT]:
        return [record async for record in self]


class AsyncFleetsClient:
    """The asyncio twin of `FleetsClient`: same arguments, `sleep` is a coroutine function.

    ```python
    async with AsyncFleetsClient("https://fleets.example.com", token) as fleets:
        async for vehicle in fleets.vehicles():
            print(vehicle.vin)
    ```
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        token: str = "",
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        on_wait: WaitCallback | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._core = ClientCore(
            base_url, token, retry=retry, on_wait=on_wait, clock=clock, jitter=jitter
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout, transport=transport)

    @property
    def base_url(self) -> str:
        return str(self._core.base_url)

    def usage(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> AsyncListing[UsageSession]:
        return self.listing(USAGE, date_from, date_to, resume_from)

    def sessions(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> AsyncListing[SiteHostSession]:
        return self.listing(SESSIONS, date_from, date_to, resume_from)

    def vehicles(self, *, resume_from: str | None = None) -> AsyncListing[Vehicle]:
        return self.listing(VEHICLES, None, None, resume_from)

    def invoices(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> AsyncListing[Invoice]:
        return self.listing(INVOICES, date_from, date_to, resume_from)

    def listing(
        self,
        endpoint: Endpoint[RecordT],
        date_from: DateArg = None,
        date_to: DateArg = None,
        resume_from: str | None = None,
    ) -> AsyncListing[RecordT]:
        start = self._core.start(endpoint, date_from, date_to, resume_from)
        return AsyncListing(self, endpoint, start)

    async def fetch_page(self, endpoint: Endpoint[RecordT], url: str) -> Page[RecordT]:
        return self._core.page(endpoint, await self.get(url))

    async def get(self, url: str) -> httpx.Response:
        """GET with the rate-limit and retry policy; a 2xx response or a typed error."""
        exchange = self._core.exchange(url)
        while True:
            await self._pause(exchange.before_send())
            try:
                response = await self._http.get(url, headers=self._core.headers)
            except httpx.TransportError as error:
                wait: Wait | None = exchange.after_error(error)
            else:
                wait = exchange.after_response(response)
                if wait is None:
                    return response
            await self._pause(wait)

    async def _pause(self, wait: Wait | None) -> None:
        if wait is not None:
            self._core.report(wait)
            await self._sleep(wait.seconds)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncFleetsClient":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncFleetsClient {self.base_url}>"
