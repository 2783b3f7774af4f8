"""End to end over real WebSockets on loopback: `fleetcharge serve` in a child process, simulated
stations charging with a fleet's cards, then what the fleet and the site host read on the API.

Tariff: 40c/kWh (per Wh) and parking at $12/h after 10 minutes' grace, per started minute. Every
car stays plugged in 25.5 minutes after it is full: 15.5 minutes billed, rounded up to 16, $3.20.
The network charges the host 17.5c/kWh. The expected amounts below are worked out from what
the simulator reports it sent (energy = meterStop - meterStart), not by the pricing engine.
"""

import asyncio
import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, OcppTransaction, OcppUnmatchedMessage
from fleetcharge.simulator.curves import ChargeSpec, CurrentType, Evse, Vehicle
from fleetcharge.simulator.model import SessionOutcome, SessionReport
from fleetcharge.simulator.runner import SimulationConfig, SimulationSummary, simulate
from tests import factories as f
from tests.csms.relay import DroppingRelay
from tests.factories import STATION_PASSWORD
from tests.servers import running_server

STATIONS = 3
SESSIONS = 4  # per station
CARDS_PER_STATION = 2  # each station uses its own cards: none is ever in two transactions
ENERGY_PRICE = Decimal("0.40")
PARKING_PER_HOUR = Decimal("12.00")
TARIFF = [
    {
        "price_components": [
            {"type": "ENERGY", "price": str(ENERGY_PRICE), "step_size": 1},
            {"type": "PARKING_TIME", "price": str(PARKING_PER_HOUR), "step_size": 60},
        ]
    }
]
GRACE_MINUTES = 10
PARKED_S = 1530
PARKING_COST = Decimal("3.20")
NETWORK_FEE = Decimal("0.175")
OPERATOR = "Fleetcharge Network"
SERVER_ENV = {"FLEETCHARGE_RATE_LIMITS_ENABLED": "false", "FLEETCHARGE_LOG_LEVEL": "WARNING"}
RUN_TIMEOUT_S = 30
CAR = Vehicle("test car", battery_kwh=60, ac_kw=11, dc_kw=100, dc_knee_soc=60)
EVSE = Evse(CurrentType.DC, max_kw=100)
CENT = Decimal("0.01")


def planned_charge(rng: random.Random, evse: Evse) -> ChargeSpec:
    """Seeded, so the run is the same every time: 12 to 36 kWh."""
    return ChargeSpec(CAR, evse, float(rng.randint(20, 60)), 80.0)


@dataclass(frozen=True)
class Card:
    vehicle_id: int
    fleet_id: int
    vehicle: dict[str, Any]  # as /usage shows it
    customer: dict[str, Any]


@dataclass(frozen=True)
class LoopbackNetwork:
    host_id: int
    host_name: str
    payer_id: int
    host_token: str
    payer_token: str
    location: dict[str, str]  # name, address, timezone
    evse: dict[str, dict[str, str]]  # station identity -> evse_id, name
    cards: dict[str, Card]  # id tag -> who pays
    host_sees: dict[str, str]  # id tag -> the pseudonym the host is shown

    @property
    def id_tags(self) -> tuple[str, ...]:
        return tuple(self.cards)


def build_network(engine: Engine, stations: int = STATIONS) -> LoopbackNetwork:
    """A site host's location with stations SIM-0001... (the simulator's ids) and another
    organisation's two fleets, each vehicle with one card."""
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        payer = f.organisation(db)
        tariff = f.tariff(db, TARIFF, grace=GRACE_MINUTES)
        site = f.site(db, host, t=tariff)
        site.station.ocpp_identity = "SIM-0001"
        registered = [site.station]
        for number in range(2, stations + 1):
            registered.append(f.station(db, site.location, f"SIM-{number:04d}", tariff)[0])
        for station in registered:  # rated as the simulated EVSE: its sessions are plausible
            station.current_type, station.max_power_kw = "DC", Decimal(EVSE.max_kw)
        fleets = [f.fleet(db, payer), f.fleet(db, payer)]
        cards = {}
        for n in range(stations * CARDS_PER_STATION):
            fleet = fleets[n % len(fleets)]
            vehicle = f.vehicle(db, fleet, id_tags=(f"LOOP{n:03d}",))
            cards[f"LOOP{n:03d}"] = Card(
                vehicle.id,
                fleet.id,
                {
                    "contract_number": vehicle.contract_number,
                    "vin": vehicle.vin,
                    "registration_number": vehicle.registration_number,
                },
                {"uuid": str(fleet.uuid), "name": fleet.name},
            )
        db.flush()
        return LoopbackNetwork(
            host_id=host.id,
            host_name=host.name,
            payer_id=payer.id,
            host_token=f.token(db, host),
            payer_token=f.token(db, payer),
            location={
                "name": site.location.name,
                "address": site.location.address,
                "timezone": site.location.timezone,
            },
            evse={s.ocpp_identity: {"evse_id": s.evse_id, "name": s.name} for s in registered},
            cards=cards,
            host_sees={tag: f.pseudonym(db, host.id, tag) for tag in cards},
        )


def simulation(network: LoopbackNetwork, url: str, **overrides: Any) -> SimulationConfig:
    config = SimulationConfig(
        url=url,
        stations=STATIONS,
        sessions=SESSIONS,
        speed=1e6,
        id_tags=network.id_tags,
        password=STATION_PASSWORD,
        seed=11,
        timeout_s=RUN_TIMEOUT_S,
        evse=EVSE,
        planner=planned_charge,
        parked_s=PARKED_S,
        sample_interval_s=300,
    )
    return dataclasses.replace(config, **overrides)


def completed(summary: SimulationSummary) -> list[SessionReport]:
    assert not summary.timed_out and not summary.failures
    assert summary.call_errors == 0 and summary.rejected_authorisations == 0
    reports = [r for r in summary.reports if r.outcome is SessionOutcome.COMPLETED]
    assert len(reports) == STATIONS * SESSIONS
    return reports


def records(base: str, endpoint: str, token: str) -> list[dict[str, Any]]:
    """Every record of an endpoint, following `pagination.next`."""
    found: list[dict[str, Any]] = []
    url: str | None = f"{base}/api/fleets/v1/{endpoint}"
    while url is not None:
        response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["data"]["sessions"]
        url = body["pagination"].get("next")
    return found


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def gst(amount: Decimal) -> Decimal:
    return money(amount / 11)


def whole_minutes(seconds: float) -> int:
    return int(seconds) // 60 * 60


def decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def check_api(base: str, network: LoopbackNetwork, reports: list[SessionReport]) -> None:
    """Each reported session once on /usage and once on /sessions, priced and attributed."""

    def key(evse_id: str, id_tag: str, start: datetime) -> tuple[str, str, datetime]:
        return evse_id, id_tag, start

    expected = {
        key(network.evse[r.station_id]["evse_id"], r.id_tag, r.started_at): r
        for r in reports
        if r.started_at is not None
    }
    assert len(expected) == len(reports)
    usage = records(base, "usage", network.payer_token)
    hosted = records(base, "sessions", network.host_token)
    # The fleet sees its cards; the host only their pseudonyms.
    unmasked = {shown: tag for tag, shown in network.host_sees.items()}
    for found, tag_of in ((usage, lambda tag: tag), (hosted, unmasked.__getitem__)):
        keys = [
            key(
                s["location"]["evse"]["evse_id"],
                tag_of(s["auth_id"]),
                datetime.fromisoformat(start),
            )
            for s in found
            for start in [s["start_date_time"]]
        ]
        assert sorted(keys) == sorted(expected)  # every session, each exactly once

    for charge in usage:
        start = datetime.fromisoformat(charge["start_date_time"])
        report = expected[key(charge["location"]["evse"]["evse_id"], charge["auth_id"], start)]
        assert report.stopped_at is not None and report.meter_stop is not None
        assert report.meter_start is not None and report.started_at is not None
        kwh = Decimal(report.meter_stop - report.meter_start) / 1000
        energy_cost = money(kwh * ENERGY_PRICE)
        card = network.cards[report.id_tag]
        assert datetime.fromisoformat(charge["stop_date_time"]) == report.stopped_at
        assert charge["total_time"] == whole_minutes(
            (report.stopped_at - report.started_at).total_seconds()
        )
        assert charge["total_parking_time"] == whole_minutes(PARKED_S)
        assert decimal(charge["consumption"]) == kwh
        assert decimal(charge["cost_to_driver"]) == energy_cost + PARKING_COST
        assert [
            (decimal(p["consumption"]), decimal(p["tariff"]), decimal(p["amount"]))
            for p in charge["charging_periods"]
        ] == [(kwh, ENERGY_PRICE, energy_cost), (0, PARKING_PER_HOUR, PARKING_COST)]
        assert charge["vehicle"] == card.vehicle
        assert charge["customer"] == card.customer
        assert charge["invoice_number"] is None
        location = charge["location"]
        assert {k: location[k] for k in ("name", "address", "timezone")} == network.location
        assert location["evse"] == {
            **network.evse[report.station_id],
            "connector": {"id": 1, "name": "Port A"},
        }

    by_uuid = {charge["uuid"]: charge for charge in usage}
    for hosted_charge in hosted:
        charge = by_uuid[hosted_charge["uuid"]]
        revenue = decimal(charge["cost_to_driver"])
        fee = money(decimal(charge["consumption"]) * NETWORK_FEE)
        assert decimal(hosted_charge["total_revenue"]) == revenue
        assert decimal(hosted_charge["gst_on_total_revenue"]) == gst(revenue)
        assert decimal(hosted_charge["total_cost"]) == fee
        assert decimal(hosted_charge["gst_on_total_cost"]) == gst(fee)
        location = hosted_charge["location"]
        assert location["operator"] == {"name": OPERATOR}
        assert location["sub_operator"] == location["suboperator"] == {"name": network.host_name}


def check_database(engine: Engine, network: LoopbackNetwork, reports: list[SessionReport]) -> None:
    """One stopped transaction and one billable session per report; nothing left unmatched."""
    with unit_of_work(engine) as db:
        transactions = db.scalars(select(OcppTransaction)).all()
        reported = [r.transaction_id for r in reports if r.transaction_id is not None]
        assert len(reported) == len(reports)
        assert sorted(tx.id for tx in transactions) == sorted(reported)
        assert all(tx.state == "stopped" and tx.session_id is not None for tx in transactions)
        assert db.scalar(select(func.count()).select_from(OcppUnmatchedMessage)) == 0
        sessions = {s.id: s for s in db.scalars(select(ChargeSession))}
        assert len(sessions) == len(reports)
        for tx in transactions:
            session = sessions[tx.session_id]  # type: ignore[index]
            card = network.cards[tx.id_tag]
            assert (session.vehicle_id, session.fleet_id, session.payer_organisation_id) == (
                card.vehicle_id,
                card.fleet_id,
                network.payer_id,
            )
            assert session.host_organisation_id == network.host_id


def run(config: SimulationConfig) -> SimulationSummary:
    summary: SimulationSummary = asyncio.run(asyncio.wait_for(simulate(config), RUN_TIMEOUT_S))
    return summary


def test_simulated_stations_charges_are_priced_and_attributed_once_each(
    database_url: str, engine: Engine
) -> None:
    network = build_network(engine)
    with running_server(database_url, SERVER_ENV) as base:
        ocpp_url = base.replace("http://", "ws://") + "/ocpp"
        reports = completed(run(simulation(network, ocpp_url)))
        check_api(base, network, reports)
    check_database(engine, network, reports)


def test_calls_resent_after_a_lost_connection_record_nothing_twice(
    database_url: str, engine: Engine
) -> None:
    network = build_network(engine)
    lost = frozenset({"StartTransaction", "MeterValues", "StopTransaction"})

    async def through_relay(ocpp_url: str) -> tuple[SimulationSummary, DroppingRelay]:
        async with DroppingRelay(ocpp_url, drop_after=lost) as relay:
            config = simulation(network, relay.url, reconnect_s=10)
            summary = await asyncio.wait_for(simulate(config), RUN_TIMEOUT_S)
        return summary, relay

    with running_server(database_url, SERVER_ENV) as base:
        ocpp_url = base.replace("http://", "ws://") + "/ocpp"
        summary, relay = asyncio.run(through_relay(ocpp_url))
        # Every station lost the answer to its first call of each kind, and reconnected.
        assert sorted(relay.dropped) == sorted(
            (f"SIM-{n:04d}", action) for n in range(1, STATIONS + 1) for action in lost
        )
        assert relay.refused > 0
        assert summary.totals.boots == STATIONS
        reports = completed(summary)
        check_api(base, network, reports)
    check_database(engine, network, reports)
