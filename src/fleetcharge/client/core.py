"""Configuration shared by the sync and async clients: base URL, token, policy, clock."""

import random
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from fleetcharge import __version__
from fleetcharge.client.paging import (
    DEFAULT_BASE_URL,
    DateArg,
    Endpoint,
    Page,
    RecordT,
    first_url,
    normalise_base_url,
    parse_page,
    resolve_next,
)
from fleetcharge.client.policy import Exchange, RateLimits, RetryPolicy, Wait

# Printable ASCII without spaces: anything else cannot travel in a header, and httpx's own
# complaint about a bad header would quote the value.
_TOKEN = re.compile(r"^[\x21-\x7e]+$")

WaitCallback = Callable[[Wait], None]


class ClientCore:
    """Everything about a client but its I/O. The token is held here and nowhere else."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        retry: RetryPolicy | None,
        on_wait: WaitCallback | None,
        clock: Callable[[], float] | None,
        jitter: Callable[[], float] | None,
    ) -> None:
        if not _TOKEN.match(token):
            raise ValueError("the API token is empty or has characters an HTTP header cannot carry")
        self.base_url = normalise_base_url(base_url or DEFAULT_BASE_URL)
        self._authorization = f"Bearer {token}"
        self.retry = retry or RetryPolicy()
        self.on_wait = on_wait
        self.clock = clock or time.time
        self.jitter = jitter or random.random
        self.limits = RateLimits()

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": self._authorization,
            "Accept": "application/json",
            "User-Agent": f"fleetcharge-client/{__version__}",
        }

    def exchange(self, url: str) -> Exchange:
        return Exchange(httpx.URL(url), self.retry, self.limits, self.clock, self.jitter)

    def report(self, wait: Wait) -> None:
        if self.on_wait is not None:
            self.on_wait(wait)

    def start(
        self,
        endpoint: Endpoint[Any],
        date_from: DateArg,
        date_to: DateArg,
        resume_from: str | None,
    ) -> str:
        """The URL of the first page to fetch: page 1, or a saved `next` link to resume."""
        if resume_from is not None:
            return resolve_next(self.base_url, str(self.base_url), resume_from)
        return first_url(self.base_url, endpoint, date_from, date_to)

    def page(self, endpoint: Endpoint[RecordT], response: httpx.Response) -> Page[RecordT]:
        return parse_page(endpoint, self.base_url, response)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url}>"
