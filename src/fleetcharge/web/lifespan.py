"""Start-up and shutdown of a serving process: the central system's routing, the smart
charging control loop, and closing every station's socket with 1001 (going away) so that
stations reconnect elsewhere."""

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import FastAPI

from fleetcharge.csms.transport import CentralSystem
from fleetcharge.db import make_loop_engine
from fleetcharge.site_control.wiring import RunningControl
from fleetcharge.webhooks.background import start_dispatcher

logger = logging.getLogger(__name__)

SignalHandler = Callable[[int, FrameType | None], Any]
# asyncio keeps only weak references to tasks.
_closing: set[asyncio.Task[None]] = set()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    central: CentralSystem = app.state.central_system
    await central.start()
    control: RunningControl = app.state.site_control
    control.start()
    _close_stations_first_on_uvicorn_exit(central)
    # Connections of this event loop, for endpoints served on it (web.direct_routes).
    app.state.loop_engine = make_loop_engine(app.state.engine)
    webhooks = start_dispatcher(app.state.engine)
    try:
        yield
    finally:
        if webhooks is not None:
            await asyncio.to_thread(webhooks.stop)
        await control.stop()
        await central.shutdown()
        if app.state.loop_engine is not None:
            await app.state.loop_engine.dispose()
        app.state.loop_engine = None


def _close_stations_first_on_uvicorn_exit(central: CentralSystem) -> None:
    """uvicorn closes every WebSocket with 1012 as soon as it is told to stop, before the
    lifespan shutdown runs. On that signal, close the OCPP sockets with 1001 first (bounded
    in time), then hand the signal to uvicorn; a second signal goes to uvicorn at once."""
    if threading.current_thread() is not threading.main_thread():
        return  # not served by uvicorn's main loop (e.g. tests)
    from uvicorn.server import Server

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        uvicorn_exit = signal.getsignal(signum)
        if getattr(uvicorn_exit, "__func__", None) is not Server.handle_exit:
            continue
        assert callable(uvicorn_exit)
        signal.signal(signum, _handler(central, loop, uvicorn_exit))


def _handler(
    central: CentralSystem, loop: asyncio.AbstractEventLoop, uvicorn_exit: SignalHandler
) -> SignalHandler:
    async def close_then_exit(signum: int) -> None:
        try:
            await central.close_connections()
        finally:
            uvicorn_exit(signum, None)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if central.closing:
            uvicorn_exit(signum, frame)
            return
        central.closing = True
        logger.info("shutting down: closing the charge stations' connections")
        loop.call_soon_threadsafe(start_closing, signum)

    def start_closing(signum: int) -> None:
        task = loop.create_task(close_then_exit(signum))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    return on_signal
