"""A scriptable fake Fleets API (httpx.MockTransport) and a fake clock.

`FakeApi` serves records page by page with `next` links in a chosen style; `script`
lets a test put faults (429s, 502s, connection errors, 401s) in front of the normal
answers, one per request, in order.
"""

import copy
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

BASE = "http://fleets.test"
LIST_KEYS = {
    "usage": "sessions",
    "sessions": "sessions",
    "vehicles": "vehicles",
    "invoices": "invoices",
}

Answer = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Unix time that only moves when someone sleeps."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def error_body(code: str, message: str, parameter: str | None = None) -> dict[str, Any]:
    error = {"code": code, "message": message}
    if parameter:
        error["parameter"] = parameter
    return {"error": error}


def status(code: int, headers: dict[str, str] | None = None, body: Any = None) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, headers=headers, json=body if body is not None else {})

    return answer


def rate_limited(reset: float, retry_after: str | None = None) -> Answer:
    headers = {"X-RateLimit-Limit": "18", "X-RateLimit-Remaining": "0"}
    headers["X-RateLimit-Reset"] = str(int(reset))
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return status(429, headers, error_body("rate_limited", "too many requests"))


def connection_refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


class FakeApi:
    """Pages of `records[resource]`, `page_size` a page, behind `script`ed faults."""

    def __init__(
        self,
        records: dict[str, list[dict[str, Any]]],
        page_size: int = 3,
        links: str = "absolute",
        base: str = BASE,
        headers: Callable[[int], dict[str, str]] | None = None,
    ) -> None:
        self.records = records
        self.page_size = page_size
        self.links = links
        self.base = base
        self.headers = headers or (lambda _n: {})
        self.script: deque[Answer | None] = deque()
        self.requests: list[httpx.Request] = []
        # Once `fail_after_pages` pages were served, every request gets `after`.
        self.fail_after_pages: int | None = None
        self.after: Answer | None = None
        self.pages_served = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            answer = self.script.popleft()
            if answer is not None:
                return answer(request)
        if self.fail_after_pages is not None and self.pages_served >= self.fail_after_pages:
            assert self.after is not None
            return self.after(request)
        return self.page(request)

    def page(self, request: httpx.Request) -> httpx.Response:
        resource = request.url.path.rsplit("/", 1)[-1]
        items = self.records.get(resource, [])
        number = int(request.url.params.get("page") or 1)
        start = (number - 1) * self.page_size
        chunk = items[start : start + self.page_size]
        pagination: dict[str, Any] = {"total_entries": len(items)}
        if start + self.page_size < len(items):
            pagination["next"] = self.link(request, number + 1)
        self.pages_served += 1
        body = {"data": {LIST_KEYS[resource]: copy.deepcopy(chunk)}, "pagination": pagination}
        return httpx.Response(200, json=body, headers=self.headers(self.pages_served))

    def link(self, request: httpx.Request, number: int) -> str:
        query = {k: v for k, v in request.url.params.items() if k != "page"}
        query["page"] = str(number)
        encoded = urlencode(query)
        if self.links == "relative-query":
            return f"?{encoded}"
        if self.links == "relative-path":
            return f"{request.url.path}?{encoded}"
        if self.links == "foreign":
            return f"http://internal.invalid:9000{request.url.path}?{encoded}"
        return f"{self.base}{request.url.path}?{encoded}"
