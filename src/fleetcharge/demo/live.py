"""`fleetcharge demo --live`: serve the demo network and keep its stations charging.

The server (`fleetcharge serve`) runs as a child process in a session of its own, so that
Ctrl-C reaches only this process, which first stops the simulated stations (a charge under
way ends with a StopTransaction while the server still listens), then the server.
"""

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal

import httpx
from rich.console import Console

from fleetcharge.demo.urls import base_url, ocpp_url
from fleetcharge.simulator.live import LiveConfig, LiveStation, keep_charging
from fleetcharge.simulator.model import SessionOutcome, SessionReport

SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 15.0
SINGLE_PHASE_MAX_KW = Decimal("7.4")
_PR_SET_PDEATHSIG = 1


class LiveDemoError(Exception):
    """The live demo cannot start or the server stopped under it."""


def serve_live(
    database_url: str,
    host: str,
    port: int,
    speed: float,
    stations: tuple[LiveStation, ...],
    console: Console,
) -> None:
    """Serve until Ctrl-C (or SIGTERM), `stations` charging all the while."""
    if not stations:
        raise LiveDemoError("no station with an OCPP identity and an active card to charge with")
    base = base_url(host, port)
    with serving(database_url, host, port, base) as server:
        console.print(
            f"[bold]Live:[/] {len(stations)} simulated stations charge at {speed:g}x speed; "
            "new sessions appear on /usage and /sessions every few seconds. Ctrl-C stops.",
            highlight=False,
        )
        config = LiveConfig(url=ocpp_url(base), stations=stations, speed=speed)
        asyncio.run(_charge_until_stopped(config, server, lambda r: _print_session(console, r)))


@contextlib.contextmanager
def serving(
    database_url: str, host: str, port: int, base: str
) -> Iterator["subprocess.Popen[bytes]"]:
    """`fleetcharge serve` in a child process, until the block ends; waits until it answers."""
    command = [
        sys.executable,
        "-c",
        "from fleetcharge.cli.main import app; app()",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]
    # The ticker is what the terminal is for: the server's own lines only when they matter.
    env = {"FLEETCHARGE_LOG_LEVEL": "WARNING", **os.environ}
    process = subprocess.Popen(
        command, env=env, start_new_session=True, preexec_fn=_die_with_parent
    )
    try:
        _wait_until_ready(process, f"{base}/healthz")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _die_with_parent() -> None:
    """In the child: SIGTERM when the demo process dies without stopping the server (Linux)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_ready(process: "subprocess.Popen[bytes]", health_url: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while process.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(health_url, timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise LiveDemoError(f"the server did not answer {health_url} in time")
        time.sleep(0.2)
    raise LiveDemoError(f"the server exited with status {process.returncode}")


async def _charge_until_stopped(
    config: LiveConfig,
    server: "subprocess.Popen[bytes]",
    on_session: Callable[[SessionReport], None],
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    watchdog = asyncio.create_task(_stop_when_exited(server, stop))
    try:
        await keep_charging(config, stop, on_session)
    finally:
        watchdog.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    if server.poll() is not None:
        raise LiveDemoError(f"the server exited with status {server.returncode}")


async def _stop_when_exited(server: "subprocess.Popen[bytes]", stop: asyncio.Event) -> None:
    while server.poll() is None:
        await asyncio.sleep(1)
    stop.set()


def _print_session(console: Console, report: SessionReport) -> None:
    if report.outcome is not SessionOutcome.COMPLETED:
        return
    # When it was recorded, on this machine's clock: in order, unlike the stations' own
    # (simulated) stop times.
    console.print(
        f"{datetime.now().astimezone():%H:%M:%S %Z}  {report.station_id:<20} {report.id_tag:<14}"
        f" {report.energy_wh / 1000:6.2f} kWh",
        highlight=False,
    )
