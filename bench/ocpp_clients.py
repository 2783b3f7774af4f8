"""Load generator processes for bench/ocpp_load.py, and the bare WebSocket echo server.

    python bench/ocpp_clients.py scale|meter   (the job as one JSON line on stdin)
    python bench/ocpp_clients.py echo PORT

Each prints JSON lines on stdout: `scale` {"connected": N} once every station has booted, then
(after a line on stdin) where its results are; `meter` where its results are; `echo`
{"ready": true}. Clients write
OCPP-J frames by hand and never parse answers in the timed loop (only check that they are
CallResults), so that the same client work goes against our server and the echo server.
"""

import asyncio
import json
import random
import resource
import socket
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from fleetcharge.simulator.connection import basic_auth

OCPP16 = Subprotocol("ocpp1.6")
STATION_PASSWORD = "bench-station-password"
BOOT = '[2,"boot","BootNotification",{"chargePointVendor":"Bench","chargePointModel":"Load"}]'
CONNECT_CONCURRENCY = 100  # handshakes in flight per client process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """In a child process: as many open files as allowed, and uvloop as the server has it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


async def _open(url: str) -> ClientConnection:
    identity = url.rsplit("/", 1)[-1]
    return await connect(
        url,
        subprotocols=[OCPP16],
        additional_headers={"Authorization": basic_auth(identity, STATION_PASSWORD)},
        compression=None,
        open_timeout=120,
        close_timeout=5,
        ping_interval=None,  # the server pings; we answer
        proxy=None,
    )


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# -- (a) many stations, booted, sending Heartbeats ------------------------------------------


@dataclass(frozen=True)
class ScaleJob:
    url: str
    identities: list[str]
    heartbeat_s: int
    results: str  # a file for the results


async def _hold(job: ScaleJob) -> dict[str, Any]:
    """Connect and boot every station, say so, heartbeat until told to stop, disconnect."""
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    boot_ms: list[float] = []
    rtt_ms: list[float] = []
    errors = [0]
    sockets: list[ClientConnection] = []

    async def connect_one(identity: str) -> None:
        async with limit:
            try:
                ws = await _open(f"{job.url}/{identity}")
                started = time.perf_counter()
                await ws.send(BOOT)
                answer = await ws.recv()
            except Exception:
                errors[0] += 1
                return
        boot_ms.append((time.perf_counter() - started) * 1000)
        if not str(answer).startswith("[3"):
            errors[0] += 1
        sockets.append(ws)

    started = time.perf_counter()
    await asyncio.gather(*(connect_one(identity) for identity in job.identities))
    _say({"connected": len(sockets), "seconds": time.perf_counter() - started})
    beating = [
        asyncio.create_task(_heartbeats(ws, job.heartbeat_s, rtt_ms, errors)) for ws in sockets
    ]
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for task in beating:
        task.cancel()
    await asyncio.gather(*beating, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"boot_ms": boot_ms, "rtt_ms": rtt_ms, "errors": errors[0], "count": len(sockets)}


async def _heartbeats(
    ws: ClientConnection, interval: int, rtt_ms: list[float], errors: list[int]
) -> None:
    await asyncio.sleep(random.uniform(0, interval))
    for n in range(1_000_000):
        started = time.perf_counter()
        try:
            await ws.send(f'[2,"hb{n}","Heartbeat",{{}}]')
            answer = await ws.recv()
        except Exception:
            errors[0] += 1
            return
        rtt_ms.append((time.perf_counter() - started) * 1000)
        if not str(answer).startswith("[3"):
            errors[0] += 1
        await asyncio.sleep(interval)


# -- (b) MeterValues as fast as they are answered -------------------------------------------


@dataclass(frozen=True)
class MeterJob:
    url: str
    identities: list[str]
    tags: list[str]
    start_at: float  # time.time() at which every client starts sending
    seconds: float
    results: str  # a file for the results


async def _pump(job: MeterJob) -> dict[str, Any]:
    stations = await asyncio.gather(
        *(
            _start(job.url, identity, tag)
            for identity, tag in zip(job.identities, job.tags, strict=True)
        )
    )
    await asyncio.sleep(max(0.0, job.start_at - time.time()))
    deadline = time.perf_counter() + job.seconds
    rtt_ms: list[float] = []
    errors = [0]
    await asyncio.gather(*(_meter_loop(ws, tx, deadline, rtt_ms, errors) for ws, tx in stations))
    await asyncio.gather(*(ws.close() for ws, _ in stations), return_exceptions=True)
    return {"rtt_ms": rtt_ms, "errors": errors[0], "count": len(rtt_ms)}


async def _start(url: str, identity: str, tag: str) -> tuple[ClientConnection, int]:
    """Connect, boot and open a transaction: (socket, transactionId)."""
    ws = await _open(f"{url}/{identity}")
    await ws.send(BOOT)
    await ws.recv()
    await ws.send(
        f'[2,"start","StartTransaction",{{"connectorId":1,"idTag":"{tag}",'
        f'"meterStart":0,"timestamp":"{_stamp()}"}}]'
    )
    answer = json.loads(await ws.recv())
    # The echo server sends the call back: any transactionId will do there.
    transaction_id = answer[2]["transactionId"] if answer[0] == 3 else 1
    return ws, int(transaction_id)


def meter_values_frame(n: int, transaction_id: int, wh: int) -> str:
    """What a DC charger sends every sample interval: register, power, current and SoC."""
    kw = 50 + n % 7
    return (
        f'[2,"mv{n}","MeterValues",{{"connectorId":1,"transactionId":{transaction_id},'
        f'"meterValue":[{{"timestamp":"{_stamp()}","sampledValue":['
        f'{{"value":"{wh}","context":"Sample.Periodic",'
        '"measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},'
        f'{{"value":"{kw * 1000:.1f}","context":"Sample.Periodic",'
        '"measurand":"Power.Active.Import","location":"Outlet","unit":"W"},'
        f'{{"value":"{kw * 1000 / 400:.2f}","context":"Sample.Periodic",'
        '"measurand":"Current.Import","location":"Outlet","unit":"A"},'
        f'{{"value":"{min(100, 20 + n / 100):.1f}","context":"Sample.Periodic",'
        '"measurand":"SoC","location":"EV","unit":"Percent"}]}]}]'
    )


async def _meter_loop(
    ws: ClientConnection,
    transaction_id: int,
    deadline: float,
    rtt_ms: list[float],
    errors: list[int],
) -> None:
    n = 0
    while True:
        n += 1
        frame = meter_values_frame(n, transaction_id, n * 100)
        started = time.perf_counter()
        if started >= deadline:
            return
        await ws.send(frame)
        answer = await ws.recv()
        finished = time.perf_counter()
        if finished > deadline:
            return
        rtt_ms.append((finished - started) * 1000)
        if str(answer).startswith("[4"):
            errors[0] += 1


# -- the ceiling: a bare WebSocket echo server ----------------------------------------------


async def _echo(port: int) -> None:
    async def echo(ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)

    async with serve(echo, "127.0.0.1", port, subprotocols=[OCPP16], compression=None):
        _say({"ready": True})
        await asyncio.Future()


def _say(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()


def _report(results: dict[str, Any], path: str) -> None:
    """Results go to a file: after uvloop.run() a long line on stdout can be cut short."""
    Path(path).write_text(json.dumps(results))
    _say({"results": path})


def main() -> None:
    mode = sys.argv[1]
    if mode == "echo":
        _run(lambda: _echo(int(sys.argv[2])))
    elif mode == "scale":
        scale = ScaleJob(**json.loads(sys.stdin.readline()))
        _report(_run(lambda: _hold(scale)), scale.results)
    elif mode == "meter":
        meter = MeterJob(**json.loads(sys.stdin.readline()))
        _report(_run(lambda: _pump(meter)), meter.results)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
