"""The polled list endpoints served past FastAPI's per-request machinery.

Fleet systems poll /usage and /sessions, whose pages the database renders. FastAPI's route
matching, dependency solving and exception middleware cost the API process 0.3-0.5 ms of
CPU a request there, a third of its work (bench/usage_api.py). Here those two GET routes
call their endpoint functions directly, with the query parameters as FastAPI would pass
them, inside the same request context; errors go through the app's own exception handlers.
Everything else goes to the app.

On PostgreSQL, once the app's lifespan has opened the loop's engine (`make_loop_engine`),
the endpoint runs on the event loop itself, in a greenlet whose statements are awaited on
async connections. Handing the request to a worker thread and back cost the API process
another 0.2-0.3 ms of CPU a request under load. Without that engine (SQLite, or an app
served without its lifespan) the endpoint runs in the worker thread pool as FastAPI's
would.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from sqlalchemy.util import greenlet_spawn
from starlette.types import ASGIApp, Receive, Scope, Send

from fleetcharge.api.deps import READ_ENGINE
from fleetcharge.charging.endpoints import list_sessions, list_usage
from fleetcharge.web.middleware import RequestContext

DIRECT: dict[str, Callable[..., Response]] = {"/usage": list_usage, "/sessions": list_sessions}


@dataclass(frozen=True)
class DirectRoute:
    """What `scope["route"]` holds for a direct request (its path labels the metrics)."""

    path: str
    endpoint: Callable[..., Response]


class DirectRoutes:
    """The ASGI application `app` with the DIRECT endpoints (under `prefix`) served
    directly; everything else goes to `rest` (by default the app itself)."""

    def __init__(self, app: FastAPI, prefix: str, rest: ASGIApp | None = None) -> None:
        self.app = app
        self.rest = rest or app
        self.routes = {
            prefix + path: DirectRoute(prefix + path, endpoint) for path, endpoint in DIRECT.items()
        }
        self._in_context = RequestContext(self._serve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route(scope)
        if route is None:
            await self.rest(scope, receive, send)
            return
        scope["app"] = self.app
        scope["route"] = route
        await self._in_context(scope, receive, send)

    @property
    def state(self) -> Any:
        """The app's state, as `app.state` of what is served."""
        return self.app.state

    def _route(self, scope: Scope) -> DirectRoute | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            return None
        return self.routes.get(scope["path"])

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        route: DirectRoute = scope["route"]
        query = request.query_params
        # By name, as FastAPI passes them: a parameter the endpoint gains fails loudly here.
        call = partial(
            route.endpoint,
            request,
            _credentials=None,  # `authorised` reads the header itself
            page=query.get("page"),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
        )
        loop_engine = self.app.state.loop_engine
        try:
            if loop_engine is None:
                response = await anyio.to_thread.run_sync(call)
            else:
                setattr(request.state, READ_ENGINE, loop_engine.sync_engine)
                response = await greenlet_spawn(call)
        except Exception as error:
            response = await self._handled(request, error)
        await response(scope, receive, send)

    async def _handled(self, request: Request, error: Exception) -> Response:
        """The response the app's exception handler for this error gives."""
        for kind in type(error).__mro__:
            handler: Any = self.app.exception_handlers.get(kind)
            if handler is not None:
                response: Response = await handler(request, error)
                return response
        raise error
