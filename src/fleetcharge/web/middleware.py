"""One ASGI wrapper per HTTP request: request id, access log, latency metric, and the
rate-limit headers the endpoint left in the request state."""

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetcharge.api.errors import error_response
from fleetcharge.logs import REQUEST_ID
from fleetcharge.metrics import REQUEST_SECONDS

access_log = logging.getLogger("fleetcharge.access")
# A client's own id is echoed only when it is short and harmless in logs and headers.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
RATE_LIMIT_HEADERS = "rate_limit_headers"


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in scope.get("state", {}).get(RATE_LIMIT_HEADERS, {}).items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            path = _route_label(scope)
            REQUEST_SECONDS.labels(path, scope["method"], str(status)).observe(elapsed)
            access_log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "route": path,
                    "client": (scope.get("client") or ("",))[0],
                },
            )
            REQUEST_ID.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _route_label(scope: Scope) -> str:
    """The route's path for metrics: bounded, never raw client paths of unmatched requests."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        return "unmatched"
    # A route included under a prefix keeps only its own path; without parameters the
    # request path is the full template.
    return template if "{" in template else str(scope["path"])


class HostGuard:
    """Refuses HTTP requests naming a Host not allowed (links and redirects are built from
    it), and points redirects at the public base URL when one is set."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None, public_base_url: str | None):
        self.app = app
        self.allowed = allowed
        self.public_base = public_base_url.rstrip("/") if public_base_url else None

    @property
    def state(self) -> Any:
        """The app's state, as `app.state` of what is served."""
        return self.app.state  # type: ignore[attr-defined]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host") or ""
        if self.allowed is not None and _host_name(host) not in self.allowed:
            refused = error_response(
                400,
                "invalid_host",
                "this server does not answer to that Host: see FLEETCHARGE_ALLOWED_HOSTS",
                "Host",
            )
            await refused(scope, receive, send)
            return
        if self.public_base is None:
            await self.app(scope, receive, send)
            return
        ours = f"{scope['scheme']}://{host}"
        public = self.public_base

        async def send_public(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if location is not None and location.startswith(ours):
                    headers["location"] = public + location[len(ours) :]
            await send(message)

        await self.app(scope, receive, send_public)


def _host_name(host: str) -> str:
    """`example.com:8000` -> `example.com`; `[::1]:8000` -> `[::1]`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rpartition(":")[0] if host.count(":") == 1 else host
