"""Benchmark: station round trips while password guessers hammer the central system.

--stations stations (with passwords) log in and send Heartbeat and StatusNotification (the
latter uses the worker threads and the database) one after the other, first quietly for
--quiet seconds, then for --attack seconds while --guessers clients, each from a loopback
address of its own (127.0.1.N) and at a station of its own, open handshakes with wrong
passwords as fast as they are answered. Prints the round trip p50/p99 of both phases and
their ratio, and what the guessers were answered (401: a password checked; 429: told to wait;
503: too many handshakes). Passwords are hashed at the cost the server uses.

    .venv/bin/python bench/ocpp_guessing.py \\
        [--database-url postgresql://postgres@127.0.0.1:5432/fc_bench_guessing] \\
        [--stations 16] [--guessers 60] [--quiet 10] [--attack 20]

The guessers run in a process of their own; the database is created and dropped.
"""

import argparse
import asyncio
import multiprocessing
import time
from collections import Counter

from ocpp_clients import free_port
from ocpp_load import Percentiles, load_line, running_server
from scratch_database import scratch_database
from sqlalchemy import Engine
from websockets.asyncio.client import ClientConnection

from fleetcharge.db import unit_of_work
from fleetcharge.models import Connector, Location, Organisation, Station
from fleetcharge.network.password_hashing import hash_password
from fleetcharge.simulator.connection import open_websocket
from fleetcharge.simulator.model import ConnectionFailed

PASSWORD = "bench-station-password"
HEARTBEAT = '[2,"hb","Heartbeat",{}]'
STATUS = (
    '[2,"st","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]'
)


async def talk(stations: list[ClientConnection], seconds: float) -> list[float]:
    """Every station sends Heartbeat and StatusNotification in turn, 50 ms apart: round trips."""
    until = time.monotonic() + seconds
    rtts: list[float] = []

    async def one(ws: ClientConnection) -> None:
        n = 0
        while time.monotonic() < until:
            started = time.perf_counter()
            await ws.send(HEARTBEAT if n % 2 else STATUS)
            await ws.recv()
            rtts.append((time.perf_counter() - started) * 1000)
            n += 1
            await asyncio.sleep(0.05)

    await asyncio.gather(*(one(ws) for ws in stations))
    return rtts


def guess(
    url: str, targets: list[str], seconds: float, answered: "multiprocessing.Queue[dict[int, int]]"
) -> None:
    """In a process of its own: wrong passwords as fast as answered, for `seconds`."""

    async def one(identity: str, address: str, until: float) -> Counter[int]:
        statuses: Counter[int] = Counter()
        while time.monotonic() < until:
            try:
                ws = await open_websocket(f"{url}/{identity}", identity, "guess", 120, address)
                await ws.close()
                statuses[101] += 1
            except ConnectionFailed as refused:
                statuses[refused.status or 0] += 1  # 0: no HTTP answer at all
        return statuses

    async def all_of_them() -> Counter[int]:
        until = time.monotonic() + seconds
        counts = await asyncio.gather(
            *(one(identity, f"127.0.1.{n + 1}", until) for n, identity in enumerate(targets))
        )
        return sum(counts, Counter())

    answered.put(dict(asyncio.run(all_of_them())))


def create_stations(engine: Engine, count: int) -> list[str]:
    secret = hash_password(PASSWORD)
    with unit_of_work(engine) as db:
        host = Organisation(name="Bench host")
        location = Location(
            host_organisation=host, name="Bench", address="1 Loopback Rd", timezone="UTC"
        )
        stations = [
            Station(
                location=location,
                evse_id=f"GUESS-{n:04d}",
                name=f"Guess {n}",
                ocpp_identity=f"GUESS-{n:04d}",
                password_hash=secret,
                connectors=[Connector(connector_id=1, name="CCS2")],
            )
            for n in range(count)
        ]
        db.add_all(stations)
        return [s.ocpp_identity for s in stations]


async def measure(
    url: str, honest: list[str], args: argparse.Namespace, targets: list[str]
) -> None:
    stations = [await open_websocket(f"{url}/{i}", i, PASSWORD, 120) for i in honest]
    await talk(stations, 2)  # warm
    quiet = Percentiles(await talk(stations, args.quiet))
    answered: multiprocessing.Queue[dict[int, int]] = multiprocessing.Queue()
    guessers = multiprocessing.Process(target=guess, args=(url, targets, args.attack, answered))
    guessers.start()
    await asyncio.sleep(1)  # under way
    loud = Percentiles(await talk(stations, args.attack - 1))
    statuses = await asyncio.get_running_loop().run_in_executor(None, answered.get, True, 120)
    guessers.join(30)
    for ws in stations:
        await ws.close()
    print(
        f"quiet: {len(quiet.samples):,} round trips, p50 {quiet.at(50):.1f} ms, "
        f"p99 {quiet.at(99):.1f} ms"
    )
    print(
        f"with {len(targets)} guessers: {len(loud.samples):,} round trips, "
        f"p50 {loud.at(50):.1f} ms, p99 {loud.at(99):.1f} ms; guessers answered "
        + ", ".join(f"{count:,} x {status}" for status, count in sorted(statuses.items()))
        + f" in {args.attack:g} s"
    )
    print(
        f"ratio under attack / quiet: p50 {loud.at(50) / quiet.at(50):.1f}, "
        f"p99 {loud.at(99) / quiet.at(99):.1f}; {load_line()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/fc_bench_guessing"
    )
    parser.add_argument("--stations", type=int, default=16, help="stations that keep talking")
    parser.add_argument("--guessers", type=int, default=60)
    parser.add_argument("--quiet", type=float, default=10, help="seconds without guessers")
    parser.add_argument("--attack", type=float, default=20, help="seconds with them")
    args = parser.parse_args()
    print(load_line())
    with scratch_database(args.database_url) as engine:
        identities = create_stations(engine, args.stations + args.guessers)
        port = free_port()
        with running_server(engine.url.render_as_string(hide_password=False), port, 300):
            url = f"ws://127.0.0.1:{port}/ocpp"
            honest, targets = identities[: args.stations], identities[args.stations :]
            asyncio.run(measure(url, honest, args, targets))


if __name__ == "__main__":
    main()
