"""One HTTP POST of a delivery, and what came of it."""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx

from fleetcharge.settings import Settings
from fleetcharge.webhooks.targets import Target

USER_AGENT = "Fleetcharge-Webhooks/1"
EXCERPT_CHARS = 500
_READ_AT_MOST = 4096  # bytes of a response read, for its excerpt
# HTTP clients kept (one per target host, so that a TLS connection made for one host name
# is never reused for another that resolves to the same address).
_CLIENTS_KEPT = 256


@dataclass(frozen=True)
class Outcome:
    latency_ms: int
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender:
    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self._timeout = httpx.Timeout(
            settings.webhooks_timeout_seconds, connect=settings.webhooks_connect_timeout_seconds
        )
        self._transport = transport
        self._clients: OrderedDict[str, httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def _client(self, host: str) -> httpx.Client:
        with self._lock:
            client = self._clients.pop(host, None)
            if client is None:
                client = httpx.Client(
                    timeout=self._timeout,
                    follow_redirects=False,
                    transport=self._transport,
                    headers={"User-Agent": USER_AGENT},
                )
            self._clients[host] = client
            while len(self._clients) > _CLIENTS_KEPT:
                self._clients.popitem(last=False)[1].close()
            return client

    def post(self, target: Target, body: bytes, headers: dict[str, str]) -> Outcome:
        url = httpx.URL(target.url)
        extensions: dict[str, str] = {}
        headers = {**headers, "Content-Type": "application/json"}
        if target.address is not None:
            # Connect to the address checked, not to whatever the name resolves to now.
            headers["Host"] = url.netloc.decode("ascii")
            url = url.copy_with(host=str(target.address))
            if url.scheme == "https":
                extensions["sni_hostname"] = target.host
        start = time.perf_counter()
        try:
            client = self._client(target.host)
            request = client.build_request(
                "POST", url, content=body, headers=headers, extensions=extensions
            )
            response = client.send(request, stream=True)
            try:
                read = b""
                for chunk in response.iter_bytes():
                    read += chunk
                    if len(read) >= _READ_AT_MOST:
                        break
            finally:
                response.close()
            excerpt = read[:_READ_AT_MOST].decode("utf-8", "replace")[:EXCERPT_CHARS]
            return Outcome(_elapsed_ms(start), response.status_code, excerpt or None)
        except httpx.HTTPError as error:
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return Outcome(_elapsed_ms(start), error=message[:EXCERPT_CHARS])

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def _elapsed_ms(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)
