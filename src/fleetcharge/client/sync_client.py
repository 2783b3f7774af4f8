"""`FleetsClient`: the blocking client (httpx.Client)."""

import time
from collections.abc import Callable, Iterator
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


class Listing(ListingBase[RecordT]):
    """The records of one list query, fetched page by page as they are iterated (again
    from page 1 on each iteration). See `ListingBase` for `total_entries`."""

    def __init__(self, client: "FleetsClient", endpoint: Endpoint[RecordT], start_url: str):
        super().__init__(endpoint, start_url)
        self._client = client

    def first_page(self) -> Page[RecordT]:
        if self._first is not None:
            return self._first
        return self._remember(self._client.fetch_page(self.endpoint, self.start_url))

    def pages(self) -> Iterator[Page[RecordT]]:
        trail = self._trail()
        page = self.first_page()
        yield page
        while page.next_url is not None:
            page = self._client.fetch_page(self.endpoint, trail.follow(page.next_url))
            yield page

    def __iter__(self) -> Iterator[RecordT]:
        for page in self.pages():
            yield from page.records


class FleetsClient:
    """A Fleets API v1 client. Use as a context manager, or call `close()`.

    ```python
    with FleetsClient("https://fleets.example.com", token) as fleets:
        for session in fleets.usage(date_from="2024-06-01", date_to="2024-06-30"):
            print(session.uuid, session.cost_to_driver)
    ```

    `clock` (Unix seconds) and `sleep` are injectable so tests need not wait; `on_wait`
    is told of every rate-limit wait and retry before it starts. Pass `http_client` to
    use your own `httpx.Client` (its base URL is ignored; URLs are absolute), or
    `transport` for the one this client creates.
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
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._core = ClientCore(
            base_url, token, retry=retry, on_wait=on_wait, clock=clock, jitter=jitter
        )
        self._sleep = sleep
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout, transport=transport)

    @property
    def base_url(self) -> str:
        return str(self._core.base_url)

    def usage(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> Listing[UsageSession]:
        """Sessions paid by the caller's fleets, completed between the dates (inclusive)."""
        return self.listing(USAGE, date_from, date_to, resume_from)

    def sessions(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> Listing[SiteHostSession]:
        """Sessions at the caller's stations, whoever charged."""
        return self.listing(SESSIONS, date_from, date_to, resume_from)

    def vehicles(self, *, resume_from: str | None = None) -> Listing[Vehicle]:
        """The caller's vehicles, retired ones included."""
        return self.listing(VEHICLES, None, None, resume_from)

    def invoices(
        self, date_from: DateArg = None, date_to: DateArg = None, *, resume_from: str | None = None
    ) -> Listing[Invoice]:
        """The caller's invoices dated between the dates (inclusive); never drafts."""
        return self.listing(INVOICES, date_from, date_to, resume_from)

    def listing(
        self,
        endpoint: Endpoint[RecordT],
        date_from: DateArg = None,
        date_to: DateArg = None,
        resume_from: str | None = None,
    ) -> Listing[RecordT]:
        return Listing(self, endpoint, self._core.start(endpoint, date_from, date_to, resume_from))

    def fetch_page(self, endpoint: Endpoint[RecordT], url: str) -> Page[RecordT]:
        return self._core.page(endpoint, self.get(url))

    def get(self, url: str) -> httpx.Response:
        """GET with the rate-limit and retry policy; a 2xx response or a typed error."""
        exchange = self._core.exchange(url)
        while True:
            self._pause(exchange.before_send())
            try:
                response = self._http.get(url, headers=self._core.headers)
            except httpx.TransportError as error:
                wait: Wait | None = exchange.after_error(error)
            else:
                wait = exchange.after_response(response)
                if wait is None:
                    return response
            self._pause(wait)

    def _pause(self, wait: Wait | None) -> None:
        if wait is not None:
            self._core.report(wait)
            self._sleep(wait.seconds)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "FleetsClient":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FleetsClient {self.base_url}>"
