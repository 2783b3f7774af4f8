"""One ASGI wrapper per HTTP request: request id, access log, latency metric, and the
rate-limit headers the endpoint left in the request state."""

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
                extra={"status": status, "duration_ms": round(elapsed * 1000, 2), "route": path},
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
