"""Our own server for client tests: a small seeded world, and uvicorn on loopback."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f

START = datetime(2024, 6, 3, 1, 0, tzinfo=UTC)


@dataclass
class World:
    fleet_token: str
    """Cybertron: fleets that charge, and a depot it hosts."""
    host_token: str
    """Metroplex: hosts a site in Perth where Cybertron's vehicles charge too."""
    vins: dict[str, str] = field(default_factory=dict)
    invoice_number: int = 0
    invoiced: list[str] = field(default_factory=list)


def build_world(engine: Engine, sessions: int = 13) -> World:
    """Cybertron's fleet (two vehicles with cards, one retired, one card-less) charging
    at its own Sydney depot and at Metroplex's Perth site; public drivers at both; an
    approved invoice billing Cybertron's first four sessions."""
    with unit_of_work(engine) as db:
        cybertron = f.organisation(db, "Cybertron")
        metroplex = f.organisation(db, "Metroplex")
        autobots = f.fleet(db, cybertron, "Autobots")
        prime = f.vehicle(db, autobots, id_tags=("OPTIMUS", "PRIME"))
        bee = f.vehicle(db, autobots, id_tags=("BUMBLEBEE",))
        retired = f.vehicle(
            db,
            autobots,
            id_tags=(),
            effective_from=date(2020, 1, 1),
            effective_to=date(2023, 6, 30),
        )
        cardless = f.vehicle(db, autobots, id_tags=())
        depot = f.site(db, cybertron, "Australia/Sydney")
        perth = f.site(db, metroplex, "Australia/Perth")
        drivers = [f.driver(db, prime), f.driver(db, bee), f.driver(db, id_tag="PUBLIC1")]
        recorded = []
        for n in range(sessions):
            site = depot if n % 2 == 0 else perth
            stop = START + timedelta(hours=7 * n)
            recorded.append(
                f.charge(db, site, drivers[n % 3], stop, minutes=20 + n, kwh=f"{5 + n}.250")
            )
        billed = [s for s in recorded if s.payer_organisation_id == cybertron.id][:4]
        invoice = f.invoice(
            db,
            cybertron,
            lines=(
                ("Autobots - Fees for vehicle management", 2, "4.95"),
                (
                    "Autobots - Fees for public charging",
                    1,
                    str(sum(s.cost_to_driver for s in billed)),
                ),
            ),
            sessions=tuple(billed),
        )
        world = World(f.token(db, cybertron), f.token(db, metroplex))
        world.vins = {v.vin: name for v, name in ((prime, "prime"), (bee, "bee"))}
        world.vins |= {retired.vin: "retired", cardless.vin: "cardless"}
        world.invoice_number = invoice.invoice_number or 0
        world.invoiced = [str(s.uuid) for s in billed]
    return world


@contextmanager
def loopback(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1, a free port, in a thread; yields its URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not stop"
