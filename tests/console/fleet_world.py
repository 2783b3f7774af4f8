"""A small network for the fleet and site-host pages: two paying organisations charging at
two hosts' sites around the turn of October 2026, and what the Fleets API says of it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from tests import factories as f
from tests.api.helpers import API, bearer

# A registration and a location name a careless page would run as script.
HOSTILE_REGISTRATION = "<script>1</script>"
HOSTILE_LOCATION = "<script>alert('depot')</script> Depot"
TIME_OF_USE = [
    {"price_components": [{"type": "ENERGY", "price": "0.45", "step_size": 1}]},
]


@dataclass
class FleetWorld:
    payer: Organisation  # the fleet organisation whose pages are tested
    other: Organisation  # another fleet organisation, never to be seen by `payer`
    host: Organisation  # hosts the sites; `payer` charges there too, as do public drivers
    payer_token: str
    other_token: str
    host_token: str
    payer_session: str  # a session uuid of `payer`'s
    other_session: str  # one of `other`'s
    public_session: str  # a public driver's at the host's site


def build(engine: Engine) -> FleetWorld:
    """Sessions from 20 September to 5 November 2026 (local), some ending just before or
    after local midnight at the month's turn in Perth and Sydney, where UTC dates differ."""
    with unit_of_work(engine) as db:
        payer, other, host = (f.organisation(db, n) for n in ("Decepticons", "Autobots", "Host"))
        vans, cars = f.fleet(db, payer, "Vans"), f.fleet(db, payer, "Cars")
        van = f.vehicle(db, vans, id_tags=("VAN-CARD",))
        van.registration_number = HOSTILE_REGISTRATION
        car = f.vehicle(db, cars, id_tags=("CAR-CARD",))
        spare = f.vehicle(db, cars, id_tags=("SPARE-CARD",))
        rival = f.vehicle(db, f.fleet(db, other, "Rivals"), id_tags=("RIVAL-CARD",))
        sydney = f.site(db, host, "Australia/Sydney")
        perth = f.site(db, host, "Australia/Perth", f.tariff(db, TIME_OF_USE))
        perth.location.name = HOSTILE_LOCATION
        drivers = [f.driver(db, v) for v in (van, car, spare)]
        rival_driver, public = f.driver(db, rival), f.driver(db, None, "PUBLIC-7")
        sessions = []
        start = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
        for n in range(24):
            stop = start + timedelta(days=2 * n, hours=n % 7)
            site = perth if n % 3 == 0 else sydney
            kwh = f"{5 + (n * 7) % 23}.{n:03d}"
            sessions.append(f.charge(db, site, drivers[n % 3], stop, kwh=kwh, minutes=20 + n))
        # The month's edges: 31 October 23:30 in Perth is 15:30 UTC (October everywhere);
        # 1 November 00:30 in Sydney is 31 October 13:30 UTC (November locally).
        f.charge(db, perth, drivers[0], datetime(2026, 10, 31, 15, 30, tzinfo=UTC), kwh="3.250")
        f.charge(db, sydney, drivers[1], datetime(2026, 10, 31, 13, 30, tzinfo=UTC), kwh="4.125")
        f.charge(db, sydney, drivers[2], datetime(2026, 9, 30, 14, 30, tzinfo=UTC), kwh="6.5")
        rival_session = f.charge(db, sydney, rival_driver, datetime(2026, 10, 10, 3, tzinfo=UTC))
        public_session = f.charge(db, perth, public, datetime(2026, 10, 11, 3, tzinfo=UTC))
        return FleetWorld(
            payer,
            other,
            host,
            f.token(db, payer),
            f.token(db, other),
            f.token(db, host),
            str(sessions[4].uuid),
            str(rival_session.uuid),
            str(public_session.uuid),
        )


def api_sessions(
    client: TestClient, token: str, endpoint: str = "usage", **dates: str
) -> list[dict[str, Any]]:
    """Every session of /usage (or /sessions) for the dates, following `next`."""
    found: list[dict[str, Any]] = []
    response = client.get(f"{API}/{endpoint}", params=dates, headers=bearer(token))
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["data"]["sessions"]
        link = body["pagination"].get("next")
        if link is None:
            return found
        response = client.get(link, headers=bearer(token))


def local_day(session: dict[str, Any]) -> date:
    """The local completion date: the API's stop time carries the station's offset."""
    return date.fromisoformat(session["stop_date_time"][:10])


def money(value: Any) -> Decimal:
    return Decimal(str(value))


@dataclass(frozen=True)
class Sums:
    sessions: int
    energy: Decimal
    cost: Decimal


def sums(sessions: list[dict[str, Any]]) -> Sums:
    return Sums(
        len(sessions),
        sum((money(s["consumption"]) for s in sessions), Decimal(0)),
        sum((money(s["cost_to_driver"]) for s in sessions), Decimal(0)),
    )


def per(sessions: list[dict[str, Any]], key: Any) -> dict[Any, Sums]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for session in sessions:
        groups[key(session)].append(session)
    return {group: sums(members) for group, members in groups.items()}
