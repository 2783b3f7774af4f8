"""Charge stations' WebSockets handed straight to the central system, past the API's stack.

A station stays connected for days, and every ASGI layer it passes through (error and
exception middleware, request context, router, FastAPI's route) keeps frames and objects
alive for that long: about 9 KiB a connection (31.5 KiB -> 22.4 KiB of server memory per
station with 3,000 connected, bench/ocpp_load.py). None of those layers does anything for an
OCPP socket, so `ws://.../ocpp/{identity}` skips them; everything else goes to the app as
before, and the app still routes OCPP itself (tests and `create_app` users are unaffected).
"""

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from fleetcharge.csms.transport import CentralSystem

PREFIX = "/ocpp/"


class DirectOcpp:
    """The ASGI application to serve: `app` with the OCPP endpoint short-circuited."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        identity = _identity(scope)
        if identity is None:
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app
        central: CentralSystem = self.app.state.central_system
        await central.serve(WebSocket(scope, receive, send), identity)


def _identity(scope: Scope) -> str | None:
    """The station identity of a WebSocket the app's /ocpp/{identity} route would take."""
    if scope["type"] != "websocket" or scope.get("root_path"):
        return None
    path: str = scope["path"]
    if not path.startswith(PREFIX):
        return None
    identity = path[len(PREFIX) :]
    return identity if identity and "/" not in identity else None
